"""IVR Solutions: the status table, number and time formats, and row -> CallUpdate.

Pure functions with no HTTP, shared by the adapter (`adapter.py`) and its mixins.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.errors import InvalidRequest
from telephony.providers.kit.http import first_id
from telephony.providers.types import CallStatus, CallUpdate, map_status

logger = logging.getLogger(__name__)

LABEL = "IVR Solutions"

# The doc's timestamps ("2024-12-15 10:30:45") carry no zone. The provider is Indian and
# its scheduling examples use Asia/Kolkata, so its local times are read and written in IST.
PROVIDER_TZ = ZoneInfo("Asia/Kolkata")

#: The one table from IVR Solutions' `call_status` words to our vocabulary. The doc's logs
#: show "answered" and "no_answer" as *final* words (a log row is written at hangup), its
#: status list mentions "missed" and "busy"; "in_progress", "queued" and "ringing" are our
#: guesses at live words. Unknown words map to UNKNOWN (kept raw, logged).
STATUS_TABLE: dict[str, CallStatus] = {
    "queued": CallStatus.QUEUED,
    "scheduled": CallStatus.QUEUED,
    "ringing": CallStatus.RINGING,
    "in_progress": CallStatus.IN_PROGRESS,
    "answered": CallStatus.COMPLETED,
    "completed": CallStatus.COMPLETED,
    "no_answer": CallStatus.NO_ANSWER,
    "missed": CallStatus.NO_ANSWER,
    "busy": CallStatus.BUSY,
    "failed": CallStatus.FAILED,
    "voicemail": CallStatus.VOICEMAIL,
    "cancelled": CallStatus.CANCELED,
    "canceled": CallStatus.CANCELED,
}

#: A webhook's `event` word names what happened, not the call's state: the call's state
#: after it, as a `call_status` word for STATUS_TABLE. A hangup carries its own call_status.
EVENT_CALL_STATUS = {"ringing": "ringing", "answered": "in_progress", "dtmf": "in_progress"}

_TEMPLATE_STATUS = {
    "approved": "approved",
    "active": "approved",
    "pending": "pending",
    "submitted": "pending",
    "under_review": "pending",
    "rejected": "rejected",
    "declined": "rejected",
    "draft": "draft",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

_PASSWORD_RULES = (
    (str.isupper, "an uppercase letter"),
    (str.islower, "a lowercase letter"),
    (str.isdigit, "a number"),
    (lambda ch: not ch.isalnum(), "a special character"),
)


# -- numbers ---------------------------------------------------------------------------------
def to_provider_number(e164: str, *, region: str, field: str = "number") -> str:
    """E.164 -> what IVR Solutions dials: Indian numbers with a leading 0 (09876543210)."""
    parsed = _parse(e164, region=region, field=field)
    if parsed.country_code == 91:
        return "0" + phonenumbers.national_significant_number(parsed)
    # The doc allows "prefix 0 or use country code": anything foreign keeps its country code.
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_provider_did(e164: str, *, region: str) -> str:
    """DIDs go out in E.164, as every DID in the doc's examples does (+911143104567).

    A DID is the provider's own number, so it only has to be a possible number: new
    ranges reach the provider before they reach the phonenumbers metadata.
    """
    possible = _possible_e164(e164, region=region)
    if not possible:
        raise InvalidRequest(f"The DID {e164!r} is not a phone number.")
    return possible


def to_agent_phone(e164: str, *, region: str) -> str:
    """add_agent wants the agent's phone as 10 digits, so only Indian numbers fit."""
    parsed = _parse(e164, region=region, field="agent phone")
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code != 91 or len(national) != 10:
        raise InvalidRequest(
            f"{LABEL} takes an agent's phone as a 10-digit Indian number; {e164} is not one."
        )
    return national


def from_provider_number(value: Any, *, region: str) -> str:
    """A number as the provider wrote it (9876543210, 09876543210, +91...) -> E.164.

    A value that is not a phone number is kept as written: one odd row must not stop a
    log sync, and the raw text still tells a person what the provider said. Letters are
    never read as keypad digits (the doc's DID list shows "+911onal60123": a typo, not a
    vanity number), so a value with letters is not a number.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    if any(ch.isalpha() for ch in text):
        logger.info("%s returned %r, which is not a phone number; kept as is", LABEL, text)
        return text
    try:
        return normalize_phone(text, region=region)
    except InvalidPhoneNumber:
        possible = _possible_e164(text, region=region)
        if not possible:
            logger.info("%s returned %r, which is not a phone number; kept as is", LABEL, text)
        return possible or text


def is_e164(number: str) -> bool:
    """What `from_provider_number` returns for a number, not the raw text of a non-number."""
    return number.startswith("+") and number[1:].isdigit()


def _possible_e164(text: str, *, region: str) -> str:
    """E.164 for a number that has a possible length for its country, else ""."""
    try:
        parsed = phonenumbers.parse(text.strip(), region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def country_of(e164: str, *, region: str) -> str:
    """The ISO country of a number, by its calling code (buy_did's `country`)."""
    parsed = phonenumbers.parse(e164, region.upper() if region else None)
    return phonenumbers.region_code_for_country_code(parsed.country_code) or region


def _parse(value: str, *, region: str, field: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(normalize_phone(value, region=region), None)
    except InvalidPhoneNumber as exc:
        raise InvalidRequest(f"The {field} {exc}") from exc


# -- times ----------------------------------------------------------------------------------
def parse_provider_time(value: Any) -> datetime | None:
    """ "2024-12-15 10:30:45" (IST) -> an aware UTC datetime; None when absent or odd."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - zone below
    except ValueError:
        logger.info("%s returned an unreadable time %r", LABEL, text)
        return None
    return local.replace(tzinfo=PROVIDER_TZ).astimezone(UTC)


def provider_date(moment: datetime) -> str:
    return moment.astimezone(PROVIDER_TZ).strftime("%Y-%m-%d")


def window_in_provider_tz(hhmm: str, zone: str) -> str:
    """A dialer window time given in `zone` as the provider's IST "HH:MM" (today's offset)."""
    try:
        parsed = datetime.strptime(hhmm, "%H:%M").time()  # noqa: DTZ007 - a time only
    except ValueError as exc:
        raise InvalidRequest(f"The calling window time {hhmm!r} is not HH:MM.") from exc
    if not zone:
        return parsed.strftime("%H:%M")
    try:
        source = ZoneInfo(zone)
    except (KeyError, ValueError) as exc:
        raise InvalidRequest(f"{zone!r} is not a time zone.") from exc
    today = datetime.now(source).date()
    local = datetime.combine(today, time(parsed.hour, parsed.minute), tzinfo=source)
    return local.astimezone(PROVIDER_TZ).strftime("%H:%M")


# -- rows and events ------------------------------------------------------------------------
def status_of(word: Any) -> CallStatus:
    """Map a call_status word; an unknown word becomes UNKNOWN and is logged, never raised."""
    text = str(word or "").strip()
    status = map_status(STATUS_TABLE, text)
    if status is CallStatus.UNKNOWN and text:
        logger.warning("%s sent an unknown call status %r; kept raw as unknown", LABEL, text)
    return status


def direction_of(call_type: Any) -> str:
    word = str(call_type or "").strip().lower()
    if word in ("inbound", "incoming"):
        return "inbound"
    if word in ("outbound", "outgoing", "c2c", "dialer"):
        return "outbound"
    return ""


def row_update(
    row: Mapping[str, Any],
    *,
    call_id: str,
    region: str,
    word: str | None = None,
    status: CallStatus | None = None,
    **extra: Any,
) -> CallUpdate:
    """One log/status row (call_logs, c2c_logs, dialer_logs, get_call_status) -> CallUpdate.

    `word`/`status` override the row's own `call_status` (a webhook event that is not a
    hangup names an event, not a status).
    """
    word = str(row.get("call_status") or "") if word is None else word
    direction = direction_of(row.get("call_type"))
    client = from_provider_number(row.get("client_no") or row.get("customer_no"), region=region)
    did = from_provider_number(row.get("did_no"), region=region)
    inbound = direction == "inbound"
    return CallUpdate(
        provider_call_id=call_id,
        status=status_of(word) if status is None else status,
        provider_status=word,
        occurred_at=parse_provider_time(row.get("call_time")),
        direction=direction,
        from_number=client if inbound else did,
        to_number=did if inbound else client,
        did_number=did,
        duration_seconds=_int_or_none(row.get("call_duration")),
        dtmf=str(row.get("dtmf_input") or ""),
        recording_url=str(row.get("recording_url") or ""),
        raw=dict(row),
        **extra,
    )


def event_update(payload: Mapping[str, Any], *, region: str) -> CallUpdate:
    """One webhook event -> CallUpdate (the caller has checked the event and an id exist).

    The provider status kept is the raw word: the hangup's `call_status`, else the event.
    """
    event = str(payload["event"]).strip().lower()
    status = None  # from the word, through STATUS_TABLE
    word = event
    if event == "hangup":
        word = str(payload.get("call_status") or "")
    elif event in EVENT_CALL_STATUS:
        status = STATUS_TABLE[EVENT_CALL_STATUS[event]]
    # The placing id first: a call we placed is known by it (an int or a string).
    call_id = first_id(payload, "logid", "log_id", "recordid", "record_id") or ""
    update = row_update(
        payload,
        call_id=call_id,
        region=region,
        word=word,
        status=status,
        dedupe_key=str(payload.get("event_id") or ""),
        event_type=event,
    )
    stamp = _int_or_none(payload.get("timestamp"))
    if stamp is not None:
        update.occurred_at = datetime.fromtimestamp(stamp, UTC)
    else:
        update.occurred_at = parse_provider_time(payload.get("event_time"))
    return update


def template_status(word: Any) -> str:
    text = str(word or "").strip().lower().replace(" ", "_")
    if text not in _TEMPLATE_STATUS:
        logger.warning("%s sent an unknown template status %r; shown as pending", LABEL, text)
    return _TEMPLATE_STATUS.get(text, "pending")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# -- request checks -------------------------------------------------------------------------
def template_variables(text: str, variables: Mapping[str, Any]) -> str:
    """The comma-separated `Variable` of dial_by_text, in the order the template uses them.

    The order comes from the `{name}` fields in our copy of the template; without
    one, the request's own order. IVR Solutions splits on commas, so a comma inside a
    value would shift every later variable: it is sent as a space instead.
    """
    names = list(dict.fromkeys(_PLACEHOLDER.findall(text or ""))) or list(variables)
    absent = [n for n in names if variables.get(n) in (None, "")]
    if absent:
        raise InvalidRequest(
            "The template needs a value for " + ", ".join(f"{{{n}}}" for n in absent) + "."
        )
    return ",".join(str(variables[n]).replace(",", " ").strip() for n in names)


def check_agent_password(password: str) -> None:
    """The doc's policy for agent logins, checked before anything is sent."""
    if not password:
        raise InvalidRequest(f"{LABEL} needs a login password for every new agent.")
    missing = [label for test, label in _PASSWORD_RULES if not any(map(test, password))]
    if missing:
        raise InvalidRequest(
            f"{LABEL} refuses this agent password: it must contain " + ", ".join(missing) + "."
        )
