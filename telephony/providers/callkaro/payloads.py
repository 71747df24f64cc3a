"""Builders and readers of CallKaro's JSON bodies (see adapter.py): pure functions.

The call-ended webhook is not in CallKaro's doc, so its reader is liberal: the call id as
`call_id`, `id` or `callId`, text or a number, at the top or under `data`; a duration as
a number or numeric text; times as ISO text or epoch seconds; extra fields ignored and
missing optional ones left unknown. Only a call id and a status word are required.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telephony.providers.errors import InvalidRequest, WebhookRejected
from telephony.providers.kit import parsing
from telephony.providers.kit.http import first_id
from telephony.providers.types import CallStatus, CallUpdate, CampaignNumber

PRIORITY_RANGE = (-100, 100)  # doc: "Priority of the call [-100,100]"
IST = timezone(timedelta(hours=5, minutes=30), "IST")  # guess: CallKaro's clock
REFERENCE_KEY = "callcenter_reference"  # our Call / CampaignEntry id inside `metadata`
CALL_ID_KEYS = ("call_id", "id", "callId")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# -- requests ------------------------------------------------------------------------------
def metadata(variables: Mapping[str, Any], reference: str) -> dict[str, Any]:
    # Echoed in the call-ended webhook, so the event finds its call even before the
    # placing request's answer (with CallKaro's call id) has been stored.
    return {**variables, REFERENCE_KEY: reference}


def number_variables(number: CampaignNumber) -> dict[str, Any]:
    variables = dict(number.variables)
    if number.name:
        variables.setdefault("name", number.name)  # the doc's own example key
    return variables


def schedule(
    *,
    priority: int = 0,
    schedule_at: datetime | None = None,
    window_start: str = "",
    window_end: str = "",
    carry_over: bool = False,
    retries: int = 0,
    retry_gaps_minutes: Any = (),
) -> dict[str, Any]:
    """The doc's optional scheduling fields, validated here so a bad one is never sent.

    Window times are "HH:MM" in CallKaro's clock (India time, our guess); `schedule_at`
    must be aware and is sent as India time without an offset, like the doc's examples.
    """
    out: dict[str, Any] = {"priority": _priority(priority)}
    if schedule_at is not None:
        if schedule_at.tzinfo is None:
            raise InvalidRequest("schedule_at needs a time zone.")
        out["schedule_at"] = schedule_at.astimezone(IST).strftime("%Y-%m-%dT%H:%M:%S")
    out |= _window(window_start, window_end)
    if carry_over:
        out["carry_over"] = True
    return out | _retries(retries, retry_gaps_minutes)


def _priority(priority: Any) -> int:
    low, high = PRIORITY_RANGE
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidRequest("CallKaro priority must be a whole number.")
    if not low <= priority <= high:
        raise InvalidRequest(
            f"CallKaro priority must be between {low} and {high} (got {priority})."
        )
    return priority


def _window(window_start: str, window_end: str) -> dict[str, str]:
    out = {}
    for field, value in (("min_trigger_time", window_start), ("max_trigger_time", window_end)):
        if value:
            if not _HHMM.match(value):
                raise InvalidRequest(f"The calling window needs HH:MM times (got {value!r}).")
            out[field] = value
    if window_start and window_end and window_start >= window_end:
        raise InvalidRequest("The calling window must start before it ends.")
    return out


def _retries(retries: Any, retry_gaps_minutes: Any) -> dict[str, Any]:
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidRequest("The number of retries cannot be negative.")
    if not retries:
        return {}
    out: dict[str, Any] = {"number_of_retries": retries}
    gaps = list(retry_gaps_minutes)
    if any(isinstance(g, bool) or not isinstance(g, int) or g < 0 for g in gaps):
        raise InvalidRequest("Gaps between retries must be whole minutes, 0 or more.")
    if gaps:
        # The doc takes one number, or a list when the gaps differ.
        out["gap_between_retries"] = gaps[0] if len(set(gaps)) == 1 else gaps
    return out


def campaign_schedule(spec: Any, *, now: datetime) -> dict[str, Any]:
    """The campaign's scheduling fields for each of its numbers (the doc's "schedule
    campaign" body): CallKaro takes them per call, not per batch. The window is converted
    from the campaign's zone to CallKaro's clock; one that wraps past midnight there is
    left to our own dial-time checks, which push a number only inside its window. A start
    already past is not sent: the number is pushed because it is due."""
    if spec is None:
        return {}
    start = _to_ist(spec.window_start, spec.time_zone, now)
    end = _to_ist(spec.window_end, spec.time_zone, now)
    if start and end and start >= end:
        start = end = ""
    return schedule(
        priority=spec.priority,
        schedule_at=spec.schedule_at if spec.schedule_at and spec.schedule_at > now else None,
        window_start=start,
        window_end=end,
        carry_over=spec.carry_over,
        retries=spec.retries,
        retry_gaps_minutes=spec.retry_gaps_minutes,
    )


def _to_ist(hhmm: str, zone: str, now: datetime) -> str:
    if not hhmm or not _HHMM.match(hhmm):
        return ""
    try:
        tz = ZoneInfo(zone) if zone else IST
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    hour, minute = (int(p) for p in hhmm.split(":"))
    local = now.astimezone(tz).replace(hour=hour % 24, minute=minute, second=0, microsecond=0)
    return local.astimezone(IST).strftime("%H:%M")


# -- the call-ended webhook ------------------------------------------------------------------
def webhook_update(body: bytes, *, region: str, status_table: Mapping[str, CallStatus]):
    """One CallUpdate from a call-ended webhook, or WebhookRejected (a clear 400)."""
    payload = parsing.webhook_object(body)
    call = payload
    if isinstance(payload.get("data"), dict) and all(payload.get(k) is None for k in CALL_ID_KEYS):
        call = payload["data"]  # the call wrapped in `data`, as some senders do
    call_id = first_id(call, *CALL_ID_KEYS)
    word = call.get("status")
    if call_id is None or not isinstance(word, str) or not word.strip():
        raise WebhookRejected("missing call_id or status")
    word = word.strip()
    event = str(call.get("event") or payload.get("event") or "call.ended")
    # One event per call ending; a redelivery carries the same call, status and attempts.
    ending = f"{call_id}:{event}:{word}:{call.get('attempts', '')}"
    return CallUpdate(
        provider_call_id=call_id,
        status=parsing.status_from(status_table, word, label="CallKaro"),
        provider_status=word,
        dedupe_key="callkaro:" + hashlib.sha256(ending.encode()).hexdigest()[:40],
        event_type=event,
        occurred_at=parsing.moment(call.get("ended_at") or call.get("end_time")),
        direction="outbound",
        to_number=parsing.phone(call.get("to_number"), region),
        duration_seconds=parsing.seconds(call.get("duration")),
        reference=str(_metadata_of(call).get(REFERENCE_KEY) or ""),
        raw=payload,
    )


def _metadata_of(call: Mapping[str, Any]) -> Mapping[str, Any]:
    value = call.get("metadata")
    if isinstance(value, str):  # metadata echoed back as JSON text
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
