"""How the OutboundCalls.ai fake (tests/fakes/outboundcalls.py) plays its world forward:
running campaigns dial on `advance()`, each call's life is planned from its seed, and the
webhooks it fires go out once the server lock is released. A mixin of `OutboundCallsFake`,
whose state it uses."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from functools import partial
from heapq import heappop, heappush
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.fakes import outboundcalls_calls as calls
from tests.fakes import outboundcalls_fields as fields
from tests.fakes.outboundcalls_calls import (
    CONNECTED_STATUSES,
    CREDITS_PER_MINUTE,
    OUTCOME_WEIGHTS,
    TERMINAL_STATUSES,
    VERDICT_WEIGHTS,
    CampaignEntry,
    OutboundCall,
    OutboundCampaign,
)

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


class Dialer:
    # -- time --------------------------------------------------------------------------
    def on_tick(self) -> None:
        # Play the world from where the last tick left it to the new clock, waking at every
        # call step, every retry due and every minute a campaign runs (calling hours and
        # start dates are whole minutes), so how a test splits `advance()` changes nothing.
        now = self._played_to
        while True:
            while self._queue and self._queue[0][0] <= now:
                at, _, action = heappop(self._queue)
                action(at)
            self._dial(now)
            if now >= self.clock:
                break
            now = self._next_wake(now)
        self._played_to = self.clock

    def advance(self, seconds: float) -> None:
        # `on_tick` runs under the server lock; webhooks go out after it is released so a
        # receiver that calls back into the fake (e.g. GET /v1/calls/{id}) cannot deadlock.
        super().advance(seconds)
        self._deliver_webhooks()

    def _next_wake(self, now: datetime) -> datetime:
        wakes = [self.clock]
        if self._queue:
            wakes.append(self._queue[0][0])
        for campaign in self.campaigns.values():
            if campaign.status != "running":
                continue
            wakes.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
            wakes.extend(
                entry.next_at
                for entry in campaign.entries.values()
                if entry.state == "pending" and entry.next_at and entry.next_at > now
            )
        return min(wakes)

    def _dial(self, now: datetime) -> None:
        for campaign in self.campaigns.values():
            if campaign.status != "running" or not campaign.in_window(now):
                continue
            for entry in campaign.entries.values():
                if (
                    self.credits <= 0  # guess: an empty balance dials nothing
                    or self._active_calls >= self.max_concurrent_calls
                    or campaign.active >= campaign.concurrent_calls
                ):
                    break
                if entry.state != "pending" or (entry.next_at and entry.next_at > now):
                    continue
                contact = self.contacts.get(entry.contact_id)
                # Checked at dial time: a contact deleted or blocked after the start is
                # never called.
                if contact is None or contact["status"] == "do_not_call":
                    entry.state = "skipped"
                    continue
                self._place_call(campaign, entry, contact, now)
            self._check_finished(campaign, now)

    def _place_call(
        self,
        campaign: OutboundCampaign,
        entry: CampaignEntry,
        contact: dict[str, Any],
        now: datetime,
    ) -> None:
        entry.attempts += 1
        entry.state = "dialing"
        call = OutboundCall(
            id=self._new_id("call"),
            seq=len(self.calls) + 1,
            campaign_id=campaign.id,
            agent_id=campaign.agent_id,
            contact_id=contact["id"],
            phone_number=contact["phone_number"],
            attempt=entry.attempts,
            created_at=now,
        )
        self.calls[call.id] = call
        campaign.call_ids.append(call.id)
        campaign.active += 1
        self._active_calls += 1
        self._plan(call)

    def _plan(self, call: OutboundCall) -> None:
        """Schedule the call's whole life now, from `random.Random(seed + n)` alone."""
        rng = random.Random(self.seed + call.seq)
        # Draw everything every time, in one order, so forcing an outcome never shifts the
        # numbers a call draws after it.
        roll = rng.uniform(0, 100)
        queued_for = rng.randint(1, 3)
        ring_for = rng.randint(3, 12)
        talk = rng.randint(20, 180)
        voicemail = rng.randint(15, 40)
        busy_after = rng.randint(3, 8)
        call.verdict = calls.pick(VERDICT_WEIGHTS, rng.uniform(0, 100))
        status = self._forced.get(call.phone_number) or calls.pick(OUTCOME_WEIGHTS, roll)

        if status == "failed":  # the carrier refuses it at once
            self._schedule(call.created_at + timedelta(seconds=2), call, status)
            return
        ringing = call.created_at + timedelta(seconds=queued_for)
        self._schedule(ringing, call, "ringing")
        if status in ("no_answer", "busy"):
            # guess: ~30 s of ringing before no-answer; a busy line answers in seconds
            rang = 30 if status == "no_answer" else busy_after
            self._schedule(ringing + timedelta(seconds=rang), call, status)
            return
        answered = ringing + timedelta(seconds=ring_for)
        self._schedule(answered, call, "in_progress")
        spoke = voicemail if status == "voicemail" else talk
        self._schedule(answered + timedelta(seconds=spoke), call, status)

    def _schedule(self, at: datetime, call: OutboundCall, status: str) -> None:
        heappush(self._queue, (at, next(self._order), partial(self._move, call, status)))

    def _move(self, call: OutboundCall, status: str, at: datetime) -> None:
        call.status = status
        if status == "in_progress":
            call.started_at = at
            self._emit("call.started", call.details(), at)  # doc: "connects to the recipient"
        elif status in TERMINAL_STATUSES:
            self._end(call, at)

    def _end(self, call: OutboundCall, at: datetime) -> None:
        campaign = self.campaigns[call.campaign_id]
        campaign.active -= 1
        self._active_calls -= 1
        call.ended_at = at
        if call.status not in CONNECTED_STATUSES:
            self._emit("call.failed", call.details(), at)
        else:
            assert call.started_at is not None
            call.duration_seconds = int((at - call.started_at).total_seconds())
            agent = self.agents.get(call.agent_id, {})
            contact = self.contacts.get(call.contact_id, {})
            if call.status == "completed":
                call.outcome = call.verdict
            call.transcript = calls.transcript(agent, contact, call.outcome)
            crossed = self._charge(call, at)
            # doc: call.completed "includes transcript and outcome"
            self._emit("call.completed", {**call.details(), "transcript": call.transcript}, at)
            if crossed:
                data = {
                    "balance": self.shapes.amount("low:balance", self.credits),
                    "threshold": self.shapes.amount("low:threshold", self.low_credit_threshold),
                }
                self._emit("credits.low", data, at)
        self._after_attempt(campaign, call, at)
        self._check_finished(campaign, at)

    def _charge(self, call: OutboundCall, at: datetime) -> bool:
        """Take the call's credits; True when that takes the balance below the threshold."""
        cost = math.ceil(call.duration_seconds / 60) * CREDITS_PER_MINUTE
        # guess: at zero the provider stops billing rather than owing itself credits
        call.credits_used = min(cost, self.credits)
        self.credits -= call.credits_used
        if call.credits_used:
            self.usage.append(
                {
                    "call_id": call.id,
                    "campaign_id": call.campaign_id,
                    "credits": call.credits_used,
                    "created_at": fields.iso(at),
                }
            )
        if self.credits < self.low_credit_threshold and not self._low_sent:
            self._low_sent = True
            return True
        return False

    def _after_attempt(self, campaign: OutboundCampaign, call: OutboundCall, at: datetime) -> None:
        entry = campaign.entries[call.contact_id]
        if call.status == "completed":
            entry.state = "done"
            status = "do_not_call" if call.outcome == "do_not_call" else "called"
        elif entry.attempts < campaign.retry_rules["max_attempts"]:
            # guess: anything short of a conversation (voicemail too) is tried again
            entry.state = "pending"
            entry.next_at = at + timedelta(minutes=campaign.retry_rules["delay_minutes"])
            status = "retrying"
        else:
            entry.state = "done"
            status = "unreachable"
        contact = self.contacts.get(call.contact_id)
        if contact is None or contact["status"] in (status, "do_not_call"):
            return  # gone, unchanged, or blocked by the client meanwhile (which stays)
        previous = contact["status"]
        contact.update(status=status, updated_at=fields.iso(at))
        self._emit("contact.updated", {**contact, "previous_status": previous}, at)

    def _check_finished(self, campaign: OutboundCampaign, at: datetime) -> None:
        if campaign.status in ("running", "paused") and campaign.finished():
            campaign.status = "completed"
            campaign.completed_at = at
            self._emit("campaign.completed", self._campaign_json(campaign), at)

    # -- webhooks ------------------------------------------------------------------------
    def _emit(self, event: str, data: dict[str, Any], at: datetime) -> None:
        # guess: the doc names the events, not the payload; an envelope with an id (our
        # inbox's dedupe key), the event name, when it happened and the object it is about.
        envelope = {"id": self._new_id("evt"), "event": event, "created_at": fields.iso(at)}
        self._outbox.append({**envelope, "data": data})

    def _deliver_webhooks(self) -> None:
        with self._lock:
            pending, self._outbox = self._outbox, []
        for event in pending:
            payload = self.shapes.render(event)
            # Signed over the exact bytes sent, so the receiver verifies what it received;
            # the doc names no header or form, so both vary (outboundcalls_shapes).
            raw = json.dumps(payload).encode()
            headers = self.shapes.signed(self.webhook_secret, raw)
            url = self.webhook_url  # the dashboard's "Settings > Webhooks" (doc)
            if url and urlsplit(url).hostname not in _LOOPBACK_HOSTS:
                self.webhooks_sent.append((payload, None))  # only loopback is ever contacted
                continue
            try:
                self.send_webhook(payload, headers=headers, raw=raw)
            except requests.RequestException as exc:
                # A receiver that is down must not stop the provider's clock; the failure
                # is kept for the test to inspect.
                self.webhook_failures.append((payload, repr(exc)))
