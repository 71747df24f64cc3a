"""Robotalker bodies and payloads, as pure functions (no HTTP): message variables,
campaign limits, SMS text, and its call and opt-out payloads read into `CallUpdate`s. The
adapter (robotalker.py) keeps the paths and status words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contacts.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers import parsing
from telephony.providers.base import (
    CallStatus,
    CallUpdate,
    HostedCampaignSpec,
    InvalidRequest,
    WebhookRejected,
)

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


def iso(moment: datetime) -> str:
    """The doc's timestamp style, `2025-04-15T10:30:00Z`."""
    if moment.tzinfo is None:
        raise InvalidRequest("The campaign's start time has no time zone.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def call_update(
    data: Mapping[str, Any], *, event_type: str, table: Mapping[str, CallStatus], region: str
) -> CallUpdate:
    """A call event, the details answer, or a campaign's call row (the same field names)."""
    word = str(data.get("status") or "")
    if not word and event_type.startswith("call."):
        word = event_type.removeprefix("call.")  # the event names the outcome too
    when = parsing.timestamp
    return CallUpdate(
        provider_call_id=str(data["call_id"]),
        status=parsing.status_from(table, word, label="Robotalker"),
        provider_status=word,
        event_type=event_type,
        occurred_at=when(data.get("timestamp"))
        or when(data.get("ended_at"))
        or when(data.get("answered_at"))
        or when(data.get("created_at")),
        direction="outbound",
        from_number=_number(data.get("from"), region),
        to_number=_number(data.get("to"), region),
        did_number=_number(data.get("from"), region),
        duration_seconds=parsing.whole_seconds(data.get("duration_seconds")),
        dtmf=str(data.get("dtmf_response") or ""),
        amd_result=str(data.get("amd_result") or ""),
        raw=dict(data),
    )


def optout_update(payload: Mapping[str, Any], body: bytes) -> CallUpdate:
    """Not a call's news: the inbox turns it into a DNC entry for `to_number`."""
    try:
        number = normalize_phone(str(payload.get("to") or ""), region="")
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


def _number(value: Any, region: str) -> str:
    text = str(value or "")
    try:
        return normalize_phone(text, region=region) if text else ""
    except InvalidPhoneNumber:
        return text  # kept as sent: a display value, never dialed from here
