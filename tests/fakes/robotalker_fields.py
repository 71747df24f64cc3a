"""Field checks of the Robotalker fake (tests/fakes/robotalker.py): each raises
`BadRequest` in the fake's error shape for a value the doc (or our guess, where it is
silent) rules out; and the doc's timestamp style."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.base import BadRequest, FakeRequest

DEFAULT_VOICE = "en-US-Neural-F"  # the doc's example voice
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")  # doc: "E.164 format (+12125550100)"
_VARIABLE_RE = re.compile(r"\{(\w+)\}")  # doc: "{FIRST_NAME}"
_DTMF_KEYS = frozenset("0123456789*#")


# -- helpers -----------------------------------------------------------------------------
def json_object(request: FakeRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def phone(body: dict[str, Any], key: str, label: str | None = None) -> str:
    label = label or key
    value = body.get(key)
    if value is None or value == "":
        raise BadRequest(f"Missing required field: {label}")
    if not isinstance(value, str) or not E164_RE.match(value):
        raise BadRequest(f"{label} must be an E.164 phone number such as +12125550100")
    return value


def text(body: dict[str, Any], key: str) -> str:
    value = optional_text(body, key)
    if value is None:
        raise BadRequest(f"Missing required field: {key}")
    return value


def optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    return value


def voice(value: Any) -> str:
    if value is None:
        return DEFAULT_VOICE
    if not isinstance(value, str) or not value:
        raise BadRequest("voice must be a non-empty string")
    return value


def variables(value: Any, label: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{label} must be an object")
    for key, item in value.items():
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise BadRequest(f"{label}.{key} must be a string or a number")
    return {key: str(item) for key, item in value.items()}


def recipients(
    body: dict[str, Any], key: str, message: str, shared: dict[str, str]
) -> list[tuple[str, str]]:
    """`body[key]`, a list of `{to, variables}`, as (number, message with its own variables
    over the shared ones). Every entry is checked, so one bad entry rejects them all."""
    items = body.get(key)
    if items is None:
        raise BadRequest(f"Missing required field: {key}")
    if not isinstance(items, list) or not items:
        raise BadRequest(f"{key} must be a non-empty array")
    recipients = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"{key}[{index}] must be an object")
        to = phone(item, "to", f"{key}[{index}].to")
        own = variables(item.get("variables"), f"{key}[{index}].variables")
        recipients.append((to, render(message, {**shared, **own})))
    return recipients


def render(message: str, variables: dict[str, str]) -> str:
    # guess: a {VARIABLE} without a value is refused rather than spoken as "{VARIABLE}";
    # a strict fake catches an adapter that forgets one.
    missing = sorted({name for name in _VARIABLE_RE.findall(message) if name not in variables})
    if missing:
        raise BadRequest(f"No value for message variable(s): {', '.join(missing)}")
    return _VARIABLE_RE.sub(lambda match: variables[match.group(1)], message)


def dtmf(value: Any) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("dtmf must be an object")
    actions: dict[str, dict[str, str]] = {}
    for key, action in value.items():
        if key not in _DTMF_KEYS:
            raise BadRequest(f"dtmf key {key!r} must be one of 0-9, * or #")
        kind = action.get("action") if isinstance(action, dict) else None
        if kind == "optout":
            actions[key] = {"action": "optout"}
        elif kind == "webhook":
            url = optional_url(action.get("url"), f"dtmf.{key}.url")
            if url is None:
                raise BadRequest(f"Missing required field: dtmf.{key}.url")
            actions[key] = {"action": "webhook", "url": url}
        else:
            raise BadRequest(f"dtmf.{key}.action must be 'webhook' or 'optout'")
    return actions


def optional_url(value: Any, label: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise BadRequest(f"{label} must be an http(s) URL")
    return value


def when(value: Any, label: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRequest(f"{label} must be an ISO 8601 time with a zone, e.g. 2025-04-15T10:30:00Z")
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """The doc's timestamp style: `2025-04-15T10:30:00Z`."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
