"""OutboundCalls.ai bodies and payloads, as pure functions (no HTTP).

The adapter keeps the status words (api.py the paths); this module turns our
dataclasses into its bodies and its answers and webhooks back into ours. What the doc
gives and what is our guess is said beside each field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telephony.providers.base import (
    CallStatus,
    CallUpdate,
    CampaignNumber,
    HostedCampaignSpec,
    InvalidRequest,
)
from telephony.providers.kit import parsing

# The transcript's `role` words (guess) -> the speakers the dashboard shows.
SPEAKERS = {"agent": "agent", "contact": "customer"}
MAX_ATTEMPTS = 10  # guess: retry_rules.max_attempts is bounded; the doc's example is 3
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def campaign_body(spec: HostedCampaignSpec, *, list_id: str) -> dict[str, Any]:
    """The doc's campaign body; refuses what OutboundCalls.ai could not honour."""
    if not spec.bot_id:
        raise InvalidRequest(
            "OutboundCalls.ai campaigns are run by one of its AI agents: choose an agent."
        )
    body: dict[str, Any] = {
        "name": spec.name,  # doc
        "agent_id": spec.bot_id,  # doc
        "contact_list_id": list_id,  # doc
        "schedule": _schedule(spec),  # doc
        "concurrent_calls": max(1, spec.concurrency),  # doc
    }
    retry_rules = _retry_rules(spec)
    if retry_rules:
        body["retry_rules"] = retry_rules  # doc
    return body


def _schedule(spec: HostedCampaignSpec) -> dict[str, Any]:
    if bool(spec.window_start) != bool(spec.window_end):
        raise InvalidRequest("A calling window needs both a start and an end time.")
    zone = spec.time_zone or "UTC"
    if spec.window_start and not spec.time_zone:
        # Calling hours read in UTC by default would ring people at night.
        raise InvalidRequest("OutboundCalls.ai reads calling hours in one time zone: choose it.")
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequest(f"{zone!r} is not a time zone such as Europe/London.") from exc
    schedule: dict[str, Any] = {"timezone": zone}
    if spec.window_start:
        for value in (spec.window_start, spec.window_end):
            if not _HHMM_RE.match(value):
                raise InvalidRequest(f"Calling hours are HH:MM such as 09:00, not {value!r}.")
        if spec.window_start >= spec.window_end:
            raise InvalidRequest("The calling window must start before it ends (same day).")
        schedule["calling_hours"] = {"start": spec.window_start, "end": spec.window_end}
    if spec.schedule_at is not None:
        if spec.schedule_at.tzinfo is None:
            raise InvalidRequest("The campaign's start time has no time zone.")
        # The doc schedules by date; the hour comes from the calling hours, and a draft
        # dials nobody until campaign_start, which the dashboard sends at `schedule_at`.
        schedule["start_date"] = spec.schedule_at.astimezone(tz).date().isoformat()
    return schedule


def _retry_rules(spec: HostedCampaignSpec) -> dict[str, int]:
    if spec.retries <= 0:
        return {}
    if spec.retries + 1 > MAX_ATTEMPTS:
        raise InvalidRequest(f"OutboundCalls.ai tries a number at most {MAX_ATTEMPTS} times.")
    rules = {"max_attempts": spec.retries + 1}
    gaps = set(spec.retry_gaps_minutes)
    if len(gaps) > 1:
        raise InvalidRequest(
            "OutboundCalls.ai waits one fixed delay between tries: give a single retry gap."
        )
    if gaps:
        rules["delay_minutes"] = max(0, gaps.pop())
    return rules


def contact_row(number: CampaignNumber, e164: str) -> dict[str, Any]:
    """One row of POST /contacts/import (fields: guess). Our entry id rides in
    `custom_fields.reference` so campaign results can be matched back to entries."""
    row: dict[str, Any] = {
        "phone_number": e164,
        "custom_fields": {**_plain(number.variables), "reference": number.reference},
    }
    first, _, last = number.name.strip().partition(" ")
    if first:
        row["first_name"] = first
    if last.strip():
        row["last_name"] = last.strip()
    return row


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe variables: numbers and booleans kept, anything else as text."""
    return {
        str(k): v if isinstance(v, str | int | float | bool) or v is None else str(v)
        for k, v in values.items()
    }


def transcript(turns: Any) -> list[dict[str, str]] | None:
    if not isinstance(turns, list):
        return None
    out = [
        {
            "speaker": SPEAKERS.get(str(turn.get("role")), str(turn.get("role") or "")),
            "text": str(turn.get("text") or "").strip(),
        }
        for turn in turns
        if isinstance(turn, dict)
    ]
    return out or None


def summary(outcome: Any) -> str:
    """The agent's conclusion ("includes transcript and outcome", doc) in words."""
    if not isinstance(outcome, str) or not outcome:
        return ""
    return "Outcome: " + outcome.replace("_", " ")


def amount(value: Any) -> Decimal | None:
    """A credit amount (balance, usage, threshold): the doc shows none, so an int, a float
    or a numeric string ("1234.50") are all read, exactly; anything else is None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        # repr: a float's shortest exact text (1234.5, not 1234.5000000000000227...)
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def amount_text(value: Any) -> str | None:
    """`amount` as plain decimal text ("1234.50", "1234.5", "1000"), for our models."""
    number = amount(value)
    return None if number is None else format(number, "f")


def low_credits(data: Mapping[str, Any]) -> dict[str, Any]:
    """A credits.low `data` whose balance and threshold are decimal text, or left out when
    unreadable: the inbox stores them as they are, and a value no column can hold would
    fail the event on every retry."""
    out = dict(data)
    for key in ("balance", "threshold"):
        if key in out:
            text = amount_text(out[key])
            if text is None:
                out.pop(key)
            else:
                out[key] = text
    return out


def call_update(
    data: Mapping[str, Any],
    *,
    call_id: str,
    event_type: str,
    table: Mapping[str, CallStatus],
    connected: frozenset[CallStatus],
    recording_url: str,
    region: str,
) -> CallUpdate:
    """A call (details, list row or webhook `data`; the same field names, guess)."""
    word = str(data.get("status") or "")
    status = parsing.status_from(table, word, label="OutboundCalls.ai")
    return CallUpdate(
        provider_call_id=call_id,
        status=status,
        provider_status=word,
        event_type=event_type,
        occurred_at=parsing.first_timestamp(data, "ended_at", "started_at", "created_at"),
        direction="outbound",
        to_number=parsing.phone(data.get("phone_number"), region),
        duration_seconds=parsing.whole_seconds(data.get("duration_seconds")),
        recording_url=recording_url if status in connected else "",
        transcript=transcript(data.get("transcript")),
        summary=summary(data.get("outcome")),
        raw=dict(data),
    )


def other_update(event: str, data: Mapping[str, Any], region: str) -> CallUpdate:
    """campaign.completed, contact.updated, credits.low: not a call's news, so no call id;
    the inbox routes them by event type."""
    update = CallUpdate(provider_call_id="", status=CallStatus.UNKNOWN, event_type=event)
    if event == "contact.updated":
        update.to_number = parsing.phone(data.get("phone_number"), region)
        update.provider_status = str(data.get("status") or "")  # the contact's new status
    return update
