"""Field checks of the CallKaro fake (tests/fakes/callkaro.py), written from the doc's field
table: each raises `BadRequest` in CallKaro's error shape for a value the doc rules out."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

from tests.fakes.base import BadRequest, FakeRequest

PRIORITY_RANGE = (-100, 100)  # doc: "Priority of the call [-100,100]"
DEFAULT_GAP_MINUTES = 30  # guess: retries asked for without a gap use the doc's own example

# guess: CallKaro serves India (+91 examples, "Bangalore"), so a `schedule_at` without an
# offset and the HH:MM trigger window are read as India time. India has no DST.
IST = timezone(timedelta(hours=5, minutes=30), "IST")

_INTERNATIONAL_RE = re.compile(r"^\+[1-9]\d{6,14}$")  # "+919876543210"
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")  # "08:30"


def json_object(request: FakeRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def to_number(body: dict[str, Any]) -> str:
    value = body.get("to_number")
    if value is None or value == "":
        raise BadRequest("Missing to_number")
    if not isinstance(value, str) or not _INTERNATIONAL_RE.match(value):
        raise BadRequest("to_number must be in international format, e.g. +919876543210")
    return value


def metadata(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("metadata must be an object")
    return value


def schedule_at(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest("schedule_at must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest("schedule_at must be an ISO 8601 string") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)
    return moment.astimezone(UTC)


def trigger_time(value: Any, name: str) -> time | None:
    if value is None or value == "":
        return None
    match = _HHMM_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise BadRequest(f"{name} must be HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


def carry_over(body: dict[str, Any]) -> bool:
    value = body.get("carry_over", False)
    if not isinstance(value, bool):
        raise BadRequest("carry_over must be a boolean")
    return value


def retries(body: dict[str, Any]) -> int:
    value = body.get("number_of_retries", 0)
    if not is_int(value) or value < 0:
        raise BadRequest("number_of_retries must be a non-negative integer")
    return value


def gaps(value: Any) -> list[int]:
    """`gap_between_retries`: minutes, one number or a list (doc)."""
    if value is None:
        return [DEFAULT_GAP_MINUTES]
    found = value if isinstance(value, list) else [value]
    if not found or not all(is_int(gap) and gap >= 0 for gap in found):
        raise BadRequest(
            "gap_between_retries must be a non-negative integer or a list of them (minutes)"
        )
    return list(found)


def priority(body: dict[str, Any]) -> int:
    value = body.get("priority", 0)
    low, high = PRIORITY_RANGE
    if not is_int(value) or not low <= value <= high:
        raise BadRequest(f"priority must be an integer between {low} and {high}")
    return value


def object_id(moment: datetime, rng: random.Random) -> str:
    """A 24-hex id shaped like the doc's `batch_id` (a MongoDB ObjectId: time + random)."""
    return f"{int(moment.timestamp()):08x}{rng.getrandbits(64):016x}"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
