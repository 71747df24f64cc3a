"""What the IVR Solutions fake varies where the doc is silent, so the adapter is held to
the doc and not to one guess of ours.

The doc shows one example per answer. It never says:
- that a placed call's `logid` and its log rows' `recordid` are the same id (its examples
  differ: logid 123456, recordid 12345). The fake keeps two id spaces: recordids count from
  12345, logids from 123456 (`IVRState(shared_ids=True)` makes them equal, for the contract
  suite, which names a call by one id);
- whether ids are numbers or text: each call draws it (its logid in the placing answer and
  the webhooks, its recordid in the log rows);
- which optional fields a row carries: each row drops its empty optional fields or keeps
  them as "", and may carry fields the doc does not show;
- how events are "signed with your key": hex, `sha256=<hex>` or base64 HMAC-SHA256 of the
  body, and some events unsigned;
- how a refusal looks: HTTP 400 `{"status": 400, "message": ...}` or HTTP 200
  `{"status": false, "message": ...}`;
- the shape of a click_connect_logs row (the doc shows its request only).

Each choice is drawn from a random seeded by the account's seed and the call (or event),
so one run replays exactly and both shapes turn up across the existing tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from dataclasses import dataclass
from typing import Any

#: recordids start at the doc's call_logs example (12345), logids at its c2c_post (123456).
RECORDID_BASE = 12344
LOGID_BASE = 123455

#: Fields the doc's log rows show that a real row may well leave out when empty.
OPTIONAL_ROW_FIELDS = ("recording_url", "dtmf_input", "attended_by", "agent_no", "ext_no")
#: Fields the doc does not show that a real answer may add.
EXTRA_ROW_FIELDS = {"circle": "Delhi NCR", "hangup_cause": "NORMAL_CLEARING", "cost": "0.45"}
SIGNATURE_FORMS = ("hex", "sha256=hex", "base64", "unsigned")


@dataclass(frozen=True)
class Shape:
    """One call's draws: how its ids are typed and how its rows are cut."""

    id_as_text: bool
    drop_empty: bool
    extras: bool
    masked_keys: tuple[str, str]  # click_connect_logs: the names of the two parties' fields

    @classmethod
    def draw(cls, seed: int, serial: int) -> Shape:
        rng = random.Random(f"ivr-shape-{seed}-{serial}")
        return cls(
            id_as_text=rng.random() < 0.5,
            drop_empty=rng.random() < 0.5,
            extras=rng.random() < 0.5,
            masked_keys=rng.choice(
                [("first_number", "second_number"), ("first_phone", "second_phone")]
            ),
        )

    def ident(self, value: int) -> int | str:
        return str(value) if self.id_as_text else value

    def cut(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row as this call's answers send it: optional empties dropped, extras added."""
        out = dict(row)
        if self.drop_empty:
            for key in OPTIONAL_ROW_FIELDS:
                if out.get(key) in ("", None):
                    out.pop(key, None)
        if self.extras:
            out.update(EXTRA_ROW_FIELDS)
        return out


def signature_form(seed: int, serial: int) -> str:
    return random.Random(f"ivr-signature-{seed}-{serial}").choice(SIGNATURE_FORMS)


def sign(body: bytes, secret: str, form: str) -> str | None:
    """The X-IVR-Signature value of `body` in `form`; None for an unsigned event."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256)
    if form == "hex":
        return digest.hexdigest()
    if form == "sha256=hex":
        return "sha256=" + digest.hexdigest()
    if form == "base64":
        return base64.b64encode(digest.digest()).decode()
    return None


def refusal_in_http_200(seed: int, serial: int) -> bool:
    """Whether the `serial`-th refusal comes as HTTP 200 `{"status": false}` (else a 400)."""
    return random.Random(f"ivr-refusal-{seed}-{serial}").random() < 0.5
