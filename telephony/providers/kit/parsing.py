"""Small, forgiving readers of provider payloads, shared by the HTTP adapters.

A provider's answer or webhook may carry a field we cannot read (a new status word, an
odd timestamp). These helpers turn such a field into "not known" and leave the payload in
`raw`, so one bad field never loses the whole event.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.errors import WebhookRejected
from telephony.providers.types import CallStatus, map_status

logger = logging.getLogger(__name__)


def status_from(table: Mapping[str, CallStatus], word: Any, *, label: str) -> CallStatus:
    """Map through the provider's one table; an unknown word is logged and maps to UNKNOWN."""
    text = str(word or "")
    status = map_status(table, text)
    if status is CallStatus.UNKNOWN and text:
        logger.warning("%s status word %r is not in its status table; kept raw", label, text)
    return status


def webhook_object(body: bytes) -> dict[str, Any]:
    """The webhook body as a JSON object, or `WebhookRejected` (a clear 400)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookRejected("malformed JSON") from exc
    if not isinstance(payload, dict):
        raise WebhookRejected("the body is not a JSON object")
    return payload


def timestamp(value: Any) -> datetime | None:
    """An ISO 8601 time, aware; one without an offset is read as UTC; unreadable = None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def first_timestamp(data: Mapping[str, Any], *keys: str) -> datetime | None:
    """The first of `keys` whose value reads as a time (`timestamp`): a call's end, else
    its start, and so on, whichever the payload carries."""
    for key in keys:
        found = timestamp(data.get(key))
        if found is not None:
            return found
    return None


def whole_seconds(value: Any) -> int | None:
    """A duration in whole seconds; anything no call can last (negative, infinite, NaN,
    past the database's integer) is "not known" rather than an error on apply."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or not 0 <= value < 2**31:
        return None
    return round(value)


def seconds(value: Any) -> int | None:
    """A duration as a number or numeric text ("53", "19.18"), in whole seconds."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    return whole_seconds(value)


def moment(value: Any) -> datetime | None:
    """ISO text (`timestamp`) or epoch seconds; unreadable = None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return timestamp(value)


def phone(value: Any, region: str) -> str:
    """A number a provider reports, in E.164; kept as sent (cut to the column's 20
    characters) when it cannot be read: a display value, never dialed from here."""
    if isinstance(value, bool) or value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    try:
        return normalize_phone(text, region=region)
    except InvalidPhoneNumber:
        return text[:20]


# Magic bytes of the audio formats providers serve (WAV, MP3, Ogg, FLAC, MP4/M4A, WebM,
# AMR), so a body is known to be audio even when its Content-Type is generic or wrong.
_MAGIC = (
    (b"RIFF", "audio/wav"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "audio/webm"),
    (b"#!AMR", "audio/amr"),
)


def audio_type(content: bytes, content_type: str) -> str | None:
    """The body's audio type, by magic bytes first, else by an audio/* Content-Type with
    a body that is not text; None when it is not audio (HTML, JSON, empty)."""
    if not content:
        return None
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MPEG audio frame without an ID3 tag
    if content[4:8] == b"ftyp":
        return "audio/mp4"
    declared = content_type.split(";")[0].strip().lower()
    looks_textual = content.lstrip()[:1] in (b"{", b"[", b"<")
    if declared.startswith("audio/") and not looks_textual:
        return declared
    return None


def count(value: Any) -> int | None:
    """A count (numbers in a batch, contacts done) from an answer the doc does not show:
    an int, a whole float or digits as text; anything else, negatives included, is "not
    known"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value >= 0 else None
