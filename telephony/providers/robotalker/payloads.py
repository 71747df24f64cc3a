"""Robotalker bodies and payloads, as pure functions (no HTTP): message variables,
campaign limits, SMS text, and its call and opt-out payloads read into `CallUpdate`s. The
adapter keeps the status words, api.py the paths.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.base import (
    CallStatus,
    CallUpdate,
    CampaignNumber,
    HostedCampaignSpec,
    InvalidRequest,
    WebhookRejected,
)
from telephony.providers.kit import parsing

_VARIABLE_RE = re.compile(r"\{(\w+)\}")  # doc: "{FIRST_NAME}"
OPTOUT_EVENT = "contact.optout"  # doc (payload: guess)


def variables(values: Mapping[str, Any]) -> dict[str, str]:
    """Strings for Robotalker (the doc's example values are strings); empty values are
    left out, so a placeholder without a value is caught by `check_variables`."""
    return {str(k): str(v) for k, v in values.items() if v is not None and str(v) != ""}


def check_variables(text: str, values: Mapping[str, str]) -> None:
    """Robotalker fills {VARIABLE}s itself; one without a value would be refused (or
    spoken as braces), so it is caught here, before anything is sent."""
    missing = sorted({name for name in _VARIABLE_RE.findall(text) if name not in values})
    if missing:
        names = ", ".join("{" + name + "}" for name in missing)
        raise InvalidRequest(f"The message uses {names} but no value was given for it.")


def sms_text(text: str) -> str:
    if not text.strip():
        raise InvalidRequest("The SMS has no text.")
    check_variables(text, {})  # an SMS sent from here carries no variables
    return text


def refuse_unsupported(spec: HostedCampaignSpec) -> None:
    """A window or retries Robotalker cannot take would be silently dropped: refusing
    keeps a compliance window from being broken behind our back."""
    if spec.window_start or spec.window_end:
        raise InvalidRequest(
            "Robotalker campaigns have no calling window: they dial at once or at their "
            "scheduled time. Leave the window empty, or run the campaign on the dashboard's "
            "own dialer."
        )
    if spec.retries:
        raise InvalidRequest(
            "Robotalker campaigns do not retry unanswered numbers. Set retries to 0, or run "
            "the campaign on the dashboard's own dialer."
        )
    if not spec.text.strip():
        raise InvalidRequest("Robotalker campaigns speak a message: the campaign has no text.")
    if not spec.numbers:
        raise InvalidRequest(
            "Robotalker creates a campaign together with its numbers: give it at least one."
        )


def recipients(
    text: str, numbers: Sequence[CampaignNumber], e164: Callable[[str, str], str]
) -> list[dict[str, Any]]:
    """A campaign's `contacts`, every number checked before anything is sent (`e164`
    normalises or raises InvalidRequest); duplicates refused, because the results come
    back by number only."""
    rows, seen, problems = [], set(), []
    for number in numbers:
        try:
            to = e164(number.number, "every campaign number")
            values = variables({"name": number.name, **number.variables})
            check_variables(text, values)
        except InvalidRequest as exc:
            problems.append(f"{number.number}: {exc.message}")
            continue
        if to in seen:
            problems.append(f"{number.number}: listed twice")
            continue
        seen.add(to)
        rows.append({"to": to, "variables": values})
    if problems:
        shown = "; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")
        raise InvalidRequest(f"{len(problems)} number(s) cannot go to Robotalker: {shown}")
    return rows


def iso(moment: datetime) -> str:
    """The doc's timestamp style, `2025-04-15T10:30:00Z`."""
    if moment.tzinfo is None:
        raise InvalidRequest("The campaign's start time has no time zone.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def call_update(
    data: Mapping[str, Any],
    *,
    call_id: str,
    event_type: str,
    table: Mapping[str, CallStatus],
    region: str,
    status: CallStatus | None = None,
) -> CallUpdate:
    """A call event, the details answer, or a campaign's call row (the same field names).

    `status` is the outcome a documented event names, which wins over the payload's word;
    without it the word is mapped (and a word-less call.* event takes its own suffix)."""
    word = str(data.get("status") or "")
    if status is None:
        fallback = event_type.removeprefix("call.") if event_type.startswith("call.") else ""
        status = parsing.status_from(table, word or fallback, label="Robotalker")
    elif word:
        parsing.status_from(table, word, label="Robotalker")  # an unknown word is logged
    return CallUpdate(
        provider_call_id=call_id,
        status=status,
        provider_status=word,
        event_type=event_type,
        occurred_at=parsing.first_timestamp(
            data, "timestamp", "ended_at", "answered_at", "created_at"
        ),
        direction="outbound",
        from_number=parsing.phone(data.get("from"), region),
        to_number=parsing.phone(data.get("to"), region),
        did_number=parsing.phone(data.get("from"), region),
        duration_seconds=parsing.whole_seconds(data.get("duration_seconds")),
        dtmf=_text(data.get("dtmf_response")),
        amd_result=_text(data.get("amd_result")),
        raw=dict(data),
    )


def optout_update(payload: Mapping[str, Any], body: bytes) -> CallUpdate:
    """Not a call's news: the inbox turns it into a DNC entry for `to_number`. The doc
    names the event without its payload: the number is read from `to` (the call
    payload's name), `phone` (the contacts') or `phone_number`."""
    given = next((payload[k] for k in ("to", "phone", "phone_number") if payload.get(k)), "")
    try:
        number = normalize_phone(str(given), region="")
    except InvalidPhoneNumber as exc:
        raise WebhookRejected("contact.optout without a valid E.164 number") from exc
    stamp = str(payload.get("timestamp") or hashlib.sha256(body).hexdigest()[:16])
    return CallUpdate(
        provider_call_id="",
        status=CallStatus.UNKNOWN,
        event_type=OPTOUT_EVENT,
        dedupe_key=f"robotalker:{OPTOUT_EVENT}:{number}:{stamp}",
        occurred_at=parsing.timestamp(payload.get("timestamp")),
        to_number=number,
        raw=dict(payload),
    )


def batch_messages(answer: Any) -> list[Mapping[str, Any]] | None:
    """The per-number rows of a bulk SMS answer (guess: `messages`, also under `data`, or
    the answer itself as a list); None when there is no such list."""
    for scope in (answer, answer.get("data") if isinstance(answer, dict) else None):
        rows = scope.get("messages") if isinstance(scope, dict) else scope
        if isinstance(rows, list):
            return [row if isinstance(row, dict) else {} for row in rows]
    return None


def _text(value: Any) -> str:
    """A key press or an AMD word, which some payloads send as a number (1) or null."""
    if value is None or isinstance(value, bool):
        return ""
    return str(value)
