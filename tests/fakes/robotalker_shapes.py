"""The shapes of Robotalker's answers where its doc is silent, varied.

The doc prints one answer (POST /api/v1/calls) and one webhook (call.completed): the fake
serves those exactly as printed. Every other answer is our guess, and a real account may
answer differently, so the fake alternates between shapes an adapter must all accept,
instead of replaying the one our adapter expects:

- the id under `<thing>_id` or `id`; a numeric id as a number or as text;
- extra fields (a newer API version), and null optional fields left out;
- the `status` word of a call event other than call.completed: the outcome's own word,
  none, or "completed" (a finished call, read as the call's life state) -- the event's
  name is what says how the call ended;
- the number of a `contact.optout` as `to` (the call payload's name) or `phone` (the
  contacts' name).

Each aspect of each kind of answer takes its own turns, starting at the fake's seed, so a
test that makes one request sees one shape with seed 0 and another with seed 1, and a
test that makes several sees them all.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.base import Turns

# What a newer API version might add to any answer.
EXTRA_FIELDS = {"object": "robotalker.v1", "livemode": False, "meta": {"request_id": "req_1"}}
EVENT_WORDS = ("outcome", "absent", "completed")  # the status word of a non-completed event


class Shapes(Turns):
    """Seeded alternation between answer shapes, per kind of answer and aspect."""

    def numeric_ids(self, kind: str) -> bool:
        """Whether the next `kind` id is a number (12345) rather than the doc's style."""
        return self.pick(f"{kind}:numeric", (False, True))

    def answer(self, kind: str, body: dict[str, Any], id_key: str) -> dict[str, Any]:
        """`body` with its id under `id_key` or `id`, a numeric id as a number or text,
        extra fields or not, and its null fields kept or left out."""
        out = dict(body)
        value = out.pop(id_key)
        if isinstance(value, str) and value.isdigit() and self.pick(f"{kind}:int", (True, False)):
            value = int(value)
        out[self.pick(f"{kind}:key", (id_key, "id"))] = value
        if self.pick(f"{kind}:extra", (False, True)):
            out.update(EXTRA_FIELDS)
        if self.pick(f"{kind}:nulls", (False, True)):
            out = {k: v for k, v in out.items() if v is not None}
        return out

    def call_event(self, payload: dict[str, Any], outcome: str) -> dict[str, Any]:
        """A call webhook: call.completed exactly as the doc prints it; the others (no
        example in the doc) with a varied status word and null fields kept or left out."""
        if payload["event"] == "call.completed":
            return payload
        out = dict(payload)
        word = self.pick("event:status", EVENT_WORDS)
        if word == "absent":
            del out["status"]
        else:
            out["status"] = outcome if word == "outcome" else word
        if self.pick("event:nulls", (False, True)):
            out = {k: v for k, v in out.items() if v is not None}
        return out

    def optout_event(self, payload: dict[str, Any]) -> dict[str, Any]:
        out = dict(payload)
        out[self.pick("optout:number", ("to", "phone"))] = out.pop("to")
        return out
