"""The sandbox as a hosted dialer: it takes a list and dials it itself.

A real provider keeps a hosted campaign on its side; the sandbox keeps it as one small
JSON document in Django's default storage (the same storage recordings use, so every
machine of a scale-out sees it). Everything else is derived, deterministically, from
that document and the clock: number i of a campaign with concurrency c is dialed when
the campaign has run for (i // c) slots, and lives the same seeded life (`timeline`) a
sandbox call to that number and reference always lives. Pausing freezes the campaign's
running time, so no number is dialed while it is paused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from telephony.providers.base import (
    FINAL_STATUSES,
    AddNumbersResult,
    CallUpdate,
    CampaignNumber,
    HostedCampaignSpec,
    HostedCampaignStatus,
    InvalidRequest,
)

SLOT_SECONDS = 3.0  # one line of a hosted sandbox campaign starts a call every 3 s (x speed)
KIND = {"": "tts", "flow": "flow", "bot": "voicebot"}


class SandboxHostedMixin:
    """Hosted-campaign half of `SandboxProvider` (it supplies config, _check_number,
    _timeline and _update_from)."""

    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        provider_id = f"sbxc-{self.config.account_id}-{uuid.uuid4().hex[:12]}"
        kind = "flow" if spec.flow_id else "voicebot" if spec.bot_id else "tts"
        state = {
            "name": spec.name,
            "kind": kind,
            "concurrency": max(1, spec.concurrency),
            "status": "draft",
            "elapsed": 0.0,
            "running_since": None,
            "numbers": [],
        }
        self._hosted_save(provider_id, state)
        if spec.numbers:
            self.campaign_add_numbers(provider_id, spec.numbers)
        return provider_id

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        state = self._hosted_load(provider_id)
        known = {n["number"] for n in state["numbers"]}
        accepted, duplicates, rejected, ids = 0, 0, [], {}
        for item in numbers:
            try:
                self._check_number(item.number)
            except InvalidRequest as exc:
                rejected.append((item.number, exc.message))
                continue
            if item.number in known:
                duplicates += 1
                continue
            known.add(item.number)
            call_id = f"{provider_id}-{len(state['numbers'])}"
            state["numbers"].append({"number": item.number, "ref": item.reference, "id": call_id})
            ids[item.reference] = call_id
            accepted += 1
        self._hosted_save(provider_id, state)
        return AddNumbersResult(accepted, duplicates, rejected, ids)

    def campaign_start(self, provider_id: str) -> None:
        self._hosted_set(provider_id, "running")

    def campaign_resume(self, provider_id: str) -> None:
        self._hosted_set(provider_id, "running")

    def campaign_pause(self, provider_id: str) -> None:
        self._hosted_set(provider_id, "paused")

    def campaign_stop(self, provider_id: str) -> None:
        self._hosted_set(provider_id, "stopped")

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        state = self._hosted_load(provider_id)
        results = list(self._hosted_results(state))
        done = sum(u.status in FINAL_STATUSES for u in results)
        total = len(state["numbers"])
        status = state["status"]
        if status == "running" and done == total:
            status = "completed"
        return HostedCampaignStatus(
            provider_id, status, total=total, completed=done, pending=total - done
        )

    def campaign_results(self, provider_id: str) -> Iterable[CallUpdate]:
        return list(self._hosted_results(self._hosted_load(provider_id)))

    # -- the simulation ----------------------------------------------------------------
    def _hosted_results(self, state: dict) -> Iterable[CallUpdate]:
        elapsed = _elapsed(state)
        slot = SLOT_SECONDS * self.config.speed
        started = datetime.now(UTC) - timedelta(seconds=elapsed)
        for i, item in enumerate(state["numbers"]):
            dial_at = (i // state["concurrency"]) * slot
            if dial_at > elapsed:
                break  # numbers are dialed in order: the rest wait for their slot
            last = None
            for after, word, extra in self._timeline(item["ref"], state["kind"], item["number"]):
                if dial_at + after <= elapsed:
                    last = (word, extra, after)
            if last is None:
                continue
            word, extra, after = last
            at = started + timedelta(seconds=dial_at + after)
            body = self._event_body(item["id"], 99, word, extra, at)
            update = self._update_from(json.loads(body), body)
            update.reference = item["ref"]
            update.to_number = item["number"]
            yield update

    def _hosted_set(self, provider_id: str, status: str) -> None:
        state = self._hosted_load(provider_id)
        now = datetime.now(UTC).timestamp()
        if state["running_since"] is not None:
            state["elapsed"] += now - state["running_since"]
            state["running_since"] = None
        if status == "running":
            state["running_since"] = now
        state["status"] = status
        self._hosted_save(provider_id, state)

    def _hosted_load(self, provider_id: str) -> dict:
        path = _path(provider_id)
        if not provider_id.startswith(f"sbxc-{self.config.account_id}-") or not (
            default_storage.exists(path)
        ):
            raise InvalidRequest(f"Unknown sandbox campaign {provider_id!r}")
        with default_storage.open(path, "rb") as handle:
            return json.loads(handle.read())

    def _hosted_save(self, provider_id: str, state: dict) -> None:
        path = _path(provider_id)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(json.dumps(state).encode()))


def _elapsed(state: dict) -> float:
    running = state["running_since"]
    extra = datetime.now(UTC).timestamp() - running if running is not None else 0.0
    return state["elapsed"] + extra


def _path(provider_id: str) -> str:
    safe = "".join(ch for ch in provider_id if ch.isalnum() or ch == "-")
    return f"sandbox-hosted/{safe}.json"
