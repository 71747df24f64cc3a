"""Words, seed data and field checks of the IVR Solutions fake's state
(`ivrsolutions_state.py`): every check raises `BadRequest` for input the fake refuses."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakes.base import BadRequest

# The doc's timestamps ("2024-12-15 10:30:45") carry no zone; the provider is Indian and
# its scheduling examples use Asia/Kolkata, so the fake renders and filters in IST.
IST = ZoneInfo("Asia/Kolkata")

#: Every `call_status` word the fake emits. The doc's logs show lowercase "answered" and
#: "no_answer"; the status-list text mentions "busy". "failed" and "cancelled" (a
#: click_connect session dropped via click_connect_update) follow the same style. The live
#: words "queued", "ringing" and "in_progress" only appear in get_call_status while a call
#: is under way; logs are written at hangup, so they only ever carry the final words.
STATUS_WORDS = frozenset(
    {"queued", "ringing", "in_progress", "answered", "no_answer", "busy", "failed", "cancelled"}
)
FINAL_STATUS_WORDS = frozenset({"answered", "no_answer", "busy", "failed", "cancelled"})
#: Outcomes a test may force with `force_outcome` (cancelled comes only from the API).
FORCEABLE_OUTCOMES = ("answered", "no_answer", "busy", "failed")
#: The `event` word of each webhook, matching the doc's "rings, answers, hangups and DTMF".
EVENT_WORDS = ("ringing", "answered", "dtmf", "hangup")

#: Approval is a human step at the provider; the fake approves a minute after creation.
TEMPLATE_APPROVAL_SECONDS = 60
#: How long an unanswered call rings before the platform gives up.
RING_TIMEOUT_SECONDS = 30
OUTCOME_WEIGHTS = {"answered": 60, "no_answer": 20, "busy": 10, "failed": 10}

# Seed data, copied from the doc's examples so doc-driven requests work out of the box.
REGIONS = [
    {"id": 1, "name": "Delhi", "code": "011"},
    {"id": 2, "name": "Bangalore", "code": "080"},
    {"id": 3, "name": "Mumbai", "code": "022"},
    {"id": 4, "name": "Chennai", "code": "044"},
    {"id": 5, "name": "Hyderabad", "code": "040"},
    {"id": 6, "name": "Faridabad", "code": "0129"},
]
CALL_FLOWS = [
    {"id": 1001, "name": "Welcome IVR", "description": "Main welcome menu"},
    {"id": 1002, "name": "Order Confirmation", "description": "COD order confirmation flow"},
    {"id": 1003, "name": "Feedback Survey", "description": "Post-call feedback collection"},
]
VOICEBOTS = [
    {"id": 4821, "name": "Receptionist", "language": "en-IN", "status": "active"},
    {"id": 4822, "name": "Lead Qualifier", "language": "hi-IN", "status": "active"},
]
DISPOSITIONS = [
    {"id": 1, "name": "Interested"},
    {"id": 2, "name": "Not Interested"},
    {"id": 3, "name": "Call Back Later"},
    {"id": 4, "name": "Wrong Number"},
    {"id": 5, "name": "DND"},
    {"id": 6, "name": "Converted"},
    {"id": 7, "name": "Follow Up Required"},
]
CALL_VARIABLES = ["name", "order_id", "amount", "date", "otp"]
NOTE_CALL_TYPES = ("incoming", "outgoing", "c2c", "dialer")
#: Tiny but valid-looking MP3 (ID3 header + one MPEG-1 Layer III frame header + padding).
RECORDING_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


# -- validation -----------------------------------------------------------------------
_PHONE_RE = re.compile(r"^(?:\+91|91|0)?([1-9]\d{9})$")


def national_phone(value: Any, field_name: str) -> str:
    """Accept the doc's forms (09876543210, +919876543210, 9876543210); return 10 digits."""
    text = re.sub(r"[\s-]", "", str(value or ""))
    match = _PHONE_RE.match(text)
    if not match:
        raise BadRequest(f"{field_name} is not a valid phone number")
    return match.group(1)


def e164(value: Any, field_name: str) -> str:
    return "+91" + national_phone(value, field_name)


def as_int(value: Any, field_name: str) -> int:
    if isinstance(value, bool):
        raise BadRequest(f"{field_name} must be an integer")
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise BadRequest(f"{field_name} must be an integer") from exc


def parse_date(value: Any, field_name: str) -> date:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").date()  # noqa: DTZ007 - a date only
    except ValueError as exc:
        raise BadRequest(f"{field_name} must be YYYY-MM-DD") from exc


def parse_hhmm(value: Any, field_name: str) -> time:
    try:
        return datetime.strptime(str(value), "%H:%M").time()  # noqa: DTZ007 - a time only
    except ValueError as exc:
        raise BadRequest(f"{field_name} must be HH:mm (24Hr)") from exc


def flag(value: Any, field_name: str) -> str:
    text = str(value)
    if text not in ("0", "1"):
        raise BadRequest(f'{field_name} must be "0" or "1"')
    return text


def parse_schedule(when: Any, tz_name: Any, now: datetime) -> datetime:
    """The moment a call should start: `schedule_datetime` in `timezone`, or now."""
    if not when:
        return now
    try:
        zone = ZoneInfo(str(tz_name)) if tz_name else IST
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest("timezone is not a valid time zone") from exc
    try:
        local = datetime.strptime(str(when), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - zone below
    except ValueError as exc:
        raise BadRequest("schedule_datetime must be YYYY-MM-DD HH:mm:ss") from exc
    return max(now, local.replace(tzinfo=zone).astimezone(UTC))


def ist_text(moment: datetime) -> str:
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")


def present(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | dict):
        return len(value) > 0
    return True


def ok_reply(message: str, **extra: Any) -> dict:
    return {"status": True, "message": message, **extra}


def data_reply(rows: Any, status: Any = 200) -> dict:
    return {"status": status, "data": rows}
