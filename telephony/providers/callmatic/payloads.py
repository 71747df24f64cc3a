"""Readers and builders of Callmatic's JSON bodies (see adapter.py): pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from telephony.providers.kit import parsing
from telephony.providers.kit.http import first_id
from telephony.providers.types import AddNumbersResult, CampaignNumber

# The transcript's `sender` words (doc) -> the speakers the dashboard shows.
SPEAKERS = {"bot": "bot", "human": "customer"}
# The doc's id is `callId`; the others are what a sender might use instead (guess).
CALL_ID_KEYS = ("callId", "call_id", "id")
VERSION_PATH = "/v1"  # doc: "Base URL https://api.callmatic.ai/v1"
_VERSIONED = re.compile(r"/v\d+$", re.IGNORECASE)


def api_base(url: str) -> str:
    """The base URL with the doc's version prefix: an admin may type the host alone, with
    or without a trailing slash; `/v1` is appended once, never doubled."""
    base = url.strip().rstrip("/")
    if not _VERSIONED.search(urlsplit(base).path):
        base += VERSION_PATH
    return base


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    """The call object: under `data` as the doc shows, or the body itself."""
    data = body.get("data")
    return data if isinstance(data, dict) else body


def variables(number: CampaignNumber) -> dict[str, Any]:
    out = dict(number.variables)
    if number.name:
        out.setdefault("name", number.name)  # the doc's own example variable
    return out


def batch_outcome(
    answer: dict[str, Any], chunk: Sequence[tuple[CampaignNumber, str]]
) -> AddNumbersResult | None:
    """What a batch answer says was queued; None when it says neither which calls nor how
    many (the calls may be queued: the caller treats that as in doubt)."""
    data = data_of(answer)
    calls = data.get("calls")
    queued = parsing.count(data.get("enqued", data.get("enqueued")))  # sic: the doc's spelling
    if not isinstance(calls, list) and queued is None:
        return None
    ids = match_call_ids(chunk, calls)
    return AddNumbersResult(
        accepted=queued if queued is not None else len(ids),
        duplicates=parsing.count(data.get("duplicates")) or 0,
        provider_ids=ids,
    )


def _digits(number: Any) -> str:
    return re.sub(r"\D", "", str(number or ""))[-10:]


def match_call_ids(chunk: Sequence[tuple[CampaignNumber, str]], calls: Any) -> dict[str, str]:
    """reference -> callId. Duplicates are left out of `calls`, so match by number."""
    waiting: dict[str, list[str]] = {}
    for number, phone in chunk:
        waiting.setdefault(_digits(phone), []).append(number.reference)
    matched: dict[str, str] = {}
    for call in calls if isinstance(calls, list) else []:
        call_id = first_id(call, *CALL_ID_KEYS) if isinstance(call, dict) else None
        if call_id is None:
            continue
        refs = waiting.get(_digits(call.get("phoneNumber")))
        if refs:
            matched[refs.pop(0)] = call_id
    return matched


def transcript(turns: Any) -> list[dict[str, str]] | None:
    if not isinstance(turns, list):
        return None
    out = [
        {
            "speaker": SPEAKERS.get(str(turn.get("sender")), str(turn.get("sender") or "")),
            "text": str(turn.get("text") or "").strip(),
        }
        for turn in turns
        if isinstance(turn, dict)
    ]
    return out or None


def summary(insights: Any) -> str:
    for insight in insights if isinstance(insights, list) else []:
        if isinstance(insight, dict) and insight.get("actionType") == "SUMMARIZE":
            output = insight.get("output")
            if isinstance(output, dict) and output.get("summary"):
                return str(output["summary"])
    return ""
