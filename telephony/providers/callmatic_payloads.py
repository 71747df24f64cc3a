"""Readers and builders of Callmatic's JSON bodies (see callmatic.py): pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from telephony.providers.types import CampaignNumber

# The transcript's `sender` words (doc) -> the speakers the dashboard shows.
SPEAKERS = {"bot": "bot", "human": "customer"}


def variables(number: CampaignNumber) -> dict[str, Any]:
    out = dict(number.variables)
    if number.name:
        out.setdefault("name", number.name)  # the doc's own example variable
    return out


def count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _digits(number: Any) -> str:
    return re.sub(r"\D", "", str(number or ""))[-10:]


def match_call_ids(chunk: Sequence[tuple[CampaignNumber, str]], calls: Any) -> dict[str, str]:
    """reference -> callId. Duplicates are left out of `calls`, so match by number."""
    waiting: dict[str, list[str]] = {}
    for number, phone in chunk:
        waiting.setdefault(_digits(phone), []).append(number.reference)
    matched: dict[str, str] = {}
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, dict) or not call.get("callId"):
            continue
        refs = waiting.get(_digits(call.get("phoneNumber")))
        if refs:
            matched[refs.pop(0)] = str(call["callId"])
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
