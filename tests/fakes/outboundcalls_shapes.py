"""The shapes of OutboundCalls.ai's answers and webhooks where its doc is silent, varied.

The doc prints the campaign body and that its answer carries `id` ("camp_def456"), and
its ids look like "agent_abc123", "list_xyz789": the fake keeps those as printed. Every
other shape is our guess, and a real account may differ, so the fake alternates between
shapes an adapter must all accept, instead of replaying the one our adapter expects:

- call and contact ids: the doc's style or numeric, a numeric one sent as a number or text;
- the agent's id as `id` or `agent_id`; the import's list id as `list_id`,
  `contact_list_id`, `id` or under `data`, with its counts as numbers, text or absent;
- start/pause/resume answered with the campaign, `{"success": true}`, a bare status, or
  an empty 204 (none carries anything we need: we know the campaign);
- credit amounts (balance, usage, threshold) as an int, a float or a numeric string;
- lists with `has_more`, or without it (a short page is the last);
- extra fields (a newer API version); recordings as audio/wav, audio/x-wav or
  application/octet-stream (the bytes are a WAV either way);
- the webhook signature (the doc: "signed with HMAC-SHA256", no header, no form): hex,
  base64 or `sha256=`hex, under X-OutboundCalls-Signature or X-Signature.

Each aspect takes its own turns, starting at the fake's seed, so a test that makes one
request sees one shape with seed 0 and another with seed 1, and a test that makes several
sees them all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal
from typing import Any

from tests.fakes.base import Turns

EXTRA_FIELDS = {"object": "outboundcalls.v1", "livemode": False}
SIGNATURE_FORMS = ("hex", "base64", "sha256=hex")
SIGNATURE_HEADERS = ("X-OutboundCalls-Signature", "X-Signature")
RECORDING_TYPES = ("audio/wav", "audio/x-wav", "application/octet-stream")
CHANGE_ANSWERS = ("campaign", "success", "status", "empty")
LIST_ID_KEYS = ("list_id", "contact_list_id", "id", "data")
AMOUNT_FORMS = ("int", "float", "text")
COUNT_FORMS = ("int", "text", "absent")


def signature(secret: str, body: bytes, form: str) -> str:
    """The HMAC-SHA256 of `body` written in `form` (one of SIGNATURE_FORMS)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    if form == "base64":
        return base64.b64encode(digest).decode()
    return ("sha256=" if form == "sha256=hex" else "") + digest.hex()


class Shapes(Turns):
    """Seeded alternation between shapes, per aspect."""

    def numeric(self, kind: str) -> bool:
        """Whether the next `kind` id (call, contact) is a number rather than "call_x1"."""
        return self.pick(f"{kind}:numeric", (False, True))

    def ident(self, kind: str, value: Any) -> Any:
        """A numeric id as a number or as text; any other id as it is."""
        if isinstance(value, str) and value.isdigit():
            return int(value) if self.pick(f"{kind}:int", (True, False)) else value
        return value

    def extra(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, **EXTRA_FIELDS} if self.pick(f"{kind}:extra", (False, True)) else body

    def amount(self, kind: str, value: int) -> Any:
        """A whole credit amount as an int, a float or text with two decimals; anything
        else (a test's broken value) as it is."""
        if isinstance(value, bool) or not isinstance(value, int):
            return value
        form = self.pick(f"{kind}:amount", AMOUNT_FORMS)
        if form == "float":
            return float(value)
        return f"{Decimal(value):.2f}" if form == "text" else value

    def count(self, kind: str, value: int) -> Any:
        form = self.pick(f"{kind}:count", COUNT_FORMS)
        return None if form == "absent" else str(value) if form == "text" else value

    def signed(self, secret: str, body: bytes) -> dict[str, str]:
        header = self.pick("signature:header", SIGNATURE_HEADERS)
        return {header: signature(secret, body, self.pick("signature:form", SIGNATURE_FORMS))}

    def render(self, body: Any) -> Any:
        """An answer or webhook as sent: numeric ids as numbers or text, extra fields on
        some objects, and `has_more` left out of some list pages."""
        if isinstance(body, list):
            return [self.render(item) for item in body]
        if not isinstance(body, dict):
            return body
        out = {k: self.ident(k, v) if k in ID_KEYS else self.render(v) for k, v in body.items()}
        if "has_more" in out and self.pick("page:has_more", (False, True)):
            del out["has_more"]  # a short page is the last one
        return out


# The keys whose numeric values `render` sends as a number or as text.
ID_KEYS = frozenset({"id", "call_id", "contact_id"})
