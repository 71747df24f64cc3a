"""Field checks of the OutboundCalls.ai fake (tests/fakes/outboundcalls.py): each raises
`BadRequest` in the fake's error shape for a value the doc (or our guess, where it is
silent) rules out; and the fake's paging and time format."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakes.base import BadRequest, FakeRequest

PAGE_SIZE, MAX_PAGE_SIZE = 50, 100  # guess: lists answer {"data", "page", "limit", ...}

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
AGENT_FIELDS = ("name", "voice", "language", "prompt", "first_message")
CONTACT_FIELDS = (
    "phone_number",
    "first_name",
    "last_name",
    "email",
    "timezone",
    "list_id",
    "custom_fields",
)
CAMPAIGN_FIELDS = (
    "name",
    "agent_id",
    "contact_list_id",
    "schedule",
    "retry_rules",
    "concurrent_calls",
)


def json_object(request: FakeRequest, allowed: tuple[str, ...]) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    # Unknown fields are refused, so an adapter's misspelt field fails here, not silently.
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"Unknown field(s): {', '.join(unknown)}")
    return body


def found(item: Any, what: str) -> Any:
    if item is None:
        raise BadRequest(f"{what} not found", status=404)
    return item


def text(body: dict[str, Any], key: str, label: str | None = None) -> str:
    value = optional_text(body, key, label)
    if value is None:
        raise BadRequest(f"Missing required field: {label or key}")
    return value


def optional_text(body: dict[str, Any], key: str, label: str | None = None) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{label or key} must be a string")
    return value


def integer(value: Any, label: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{label} must be an integer from {low} to {high}")
    return value


def zone(value: Any, label: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise BadRequest(f"{label} must be an IANA time zone such as Europe/London") from exc
    return value


def contact_fields(
    item: Any,
    prefix: str,
    allowed: tuple[str, ...] = CONTACT_FIELDS,
    *,
    partial_update: bool = False,
) -> dict[str, Any]:
    """Check one contact's fields (`prefix` names it in messages, e.g. "contacts[3].")."""
    if not isinstance(item, dict):
        raise BadRequest(f"{prefix.rstrip('.') or 'contact'} must be an object")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        where = prefix.rstrip(".") or "contact"
        raise BadRequest(f"Unknown field(s) in {where}: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    if not partial_update or "phone_number" in item:
        values["phone_number"] = _phone_number(item.get("phone_number"), prefix)
    for key in ("first_name", "last_name", "email", "list_id"):
        if key in item:
            values[key] = optional_text(item, key, prefix + key)
    if item.get("timezone") is not None:
        values["timezone"] = zone(item["timezone"], prefix + "timezone")
    if "custom_fields" in item:
        values["custom_fields"] = _custom_fields(item["custom_fields"], prefix)
    return values


def _phone_number(number: Any, prefix: str) -> str:
    if number is None or number == "":
        raise BadRequest(f"Missing required field: {prefix}phone_number")
    if not isinstance(number, str) or not E164_RE.match(number):
        raise BadRequest(f"{prefix}phone_number must be E.164, such as +14155550100")
    return number


def _custom_fields(custom: Any, prefix: str) -> dict[str, Any]:
    if custom is not None and not isinstance(custom, dict):
        raise BadRequest(f"{prefix}custom_fields must be an object")
    return custom or {}


def schedule(value: Any) -> dict[str, Any]:
    """The doc's `schedule`; absent parts mean "from the start, at any hour, in UTC"."""
    checked: dict[str, Any] = {"start_date": None, "calling_hours": None, "timezone": "UTC"}
    if value is None:
        return checked
    if not isinstance(value, dict):
        raise BadRequest("schedule must be an object")
    unknown = sorted(set(value) - set(checked))
    if unknown:
        raise BadRequest(f"schedule: unknown field(s) {', '.join(unknown)}")
    if value.get("start_date") is not None:
        checked["start_date"] = _start_date(value["start_date"])
    if value.get("calling_hours") is not None:
        checked["calling_hours"] = _calling_hours(value["calling_hours"])
    if value.get("timezone") is not None:
        checked["timezone"] = zone(value["timezone"], "schedule.timezone")
    return checked


def _start_date(start_date: Any) -> str:
    if not isinstance(start_date, str) or not _DATE_RE.match(start_date):
        raise BadRequest("schedule.start_date must be a date such as 2026-03-25")
    try:
        date.fromisoformat(start_date)
    except ValueError as exc:
        raise BadRequest("schedule.start_date is not a real date") from exc
    return start_date


def _calling_hours(hours: Any) -> dict[str, str]:
    if not isinstance(hours, dict) or set(hours) != {"start", "end"}:
        raise BadRequest("schedule.calling_hours must be {start, end}")
    for key in ("start", "end"):
        if not isinstance(hours[key], str) or not _HHMM_RE.match(hours[key]):
            raise BadRequest(f"schedule.calling_hours.{key} must be HH:MM such as 09:00")
    if hours["start"] >= hours["end"]:
        raise BadRequest("schedule.calling_hours.start must be before end")
    return {"start": hours["start"], "end": hours["end"]}


def retry_rules(value: Any) -> dict[str, int]:
    """The doc's `retry_rules`; absent parts mean one attempt, and an hour between tries."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise BadRequest("retry_rules must be an object")
    unknown = sorted(set(value) - {"max_attempts", "delay_minutes"})
    if unknown:
        raise BadRequest(f"retry_rules: unknown field(s) {', '.join(unknown)}")
    # guess: the bounds; the doc's example is 3 attempts 60 minutes apart
    return {
        "max_attempts": integer(value.get("max_attempts"), "retry_rules.max_attempts", 1, 1, 10),
        "delay_minutes": integer(
            value.get("delay_minutes"), "retry_rules.delay_minutes", 60, 0, 7 * 24 * 60
        ),
    }


def page(items: list[dict[str, Any]], request: FakeRequest) -> dict[str, Any]:
    """guess: `?page=&limit=` paging, answered as {data, page, limit, has_more}."""
    numbers = {}
    for key, default, high in (("page", 1, 1_000_000), ("limit", PAGE_SIZE, MAX_PAGE_SIZE)):
        raw = request.query.get(key, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= high:
            raise BadRequest(f"{key} must be an integer from 1 to {high}")
        numbers[key] = int(raw)
    page, limit = numbers["page"], numbers["limit"]
    return {
        # Copies: the answer is written after the lock is released, while ticks go on.
        "data": [dict(item) for item in items[(page - 1) * limit : page * limit]],
        "page": page,
        "limit": limit,
        "has_more": page * limit < len(items),
    }


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
