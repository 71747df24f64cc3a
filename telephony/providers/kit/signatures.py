"""Webhook signatures where a provider's doc names no scheme.

IVR Solutions says events are "signed with your key", OutboundCalls.ai that "all payloads
are signed with HMAC-SHA256"; neither names a header or the signed text, and the others
document no signature at all. So the secret token in the webhook URL authenticates every
event, and a signature is checked when one is present, in the forms providers commonly
use:

- the header: the account's setting, else the provider's guesses, else common names;
  Stripe-style `t=<unix>,v1=<sig>` values are split into their timestamp and signature;
- the value: hex or base64 (standard or URL-safe), with or without a `sha256=` prefix;
- the signed text: the raw body, `<timestamp>.<body>` or `<timestamp><body>`, where the
  timestamp comes from a timestamp header (or the `t=` part).

A signature that is present but matches none of these is rejected, and so is an event
without one when the account requires it. The rejection says which header was read and
why, so an admin can read the real scheme off the account page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from telephony.providers.errors import WebhookRejected

#: Header names providers commonly sign under, tried after the account's and provider's.
COMMON_SIGNATURE_HEADERS = (
    "x-signature",
    "x-webhook-signature",
    "x-signature-256",
    "x-hub-signature-256",
    "signature",
)
COMMON_TIMESTAMP_HEADERS = ("x-timestamp", "x-webhook-timestamp", "x-signature-timestamp")


@dataclass(frozen=True)
class SignatureCheck:
    """What verification found, kept for the account page."""

    header: str  # the header read, "" when none was present
    form: str  # "hex, raw body", "base64, timestamp.body", or "no signature (URL token)"


def verify_signature(
    *,
    body: bytes,
    headers: Mapping[str, str],
    secrets: Sequence[str],
    header_names: Iterable[str],
    timestamp_names: Iterable[str] = (),
    required: bool,
    now: datetime,
    tolerance: int,
) -> SignatureCheck:
    """Raise `WebhookRejected` (401) unless the event is acceptable; see the module doc."""
    lower = {k.lower(): v for k, v in headers.items()}
    names = _unique([*(n.lower() for n in header_names if n), *COMMON_SIGNATURE_HEADERS])
    header = next((n for n in names if lower.get(n, "").strip()), "")
    if not header:
        if required:
            wanted = names[0] if names else "a signature header"
            raise WebhookRejected(
                f"no signature: this account requires one (looked for {wanted} and "
                f"{len(names) - 1} common names)",
                status=401,
            )
        return SignatureCheck(header="", form="no signature (URL token)")
    keys = [s for s in secrets if s]
    if not keys:
        raise WebhookRejected(
            f"signed ({header}) but no webhook secret is set for this account", status=401
        )
    value = lower[header].strip()
    stamp, signatures = _split(value)
    stamp = stamp or next(
        (lower[n].strip() for n in (*timestamp_names, *COMMON_TIMESTAMP_HEADERS) if lower.get(n)),
        "",
    )
    form = _match(body, signatures, keys, stamp)
    if form is None:
        raise WebhookRejected(
            f"bad signature in {header}: matches no HMAC-SHA256 form (hex or base64, over "
            "the body or timestamp.body) under this account's secrets",
            status=401,
        )
    if "timestamp" in form:
        _check_fresh(stamp, now=now, tolerance=tolerance)
    return SignatureCheck(header=header, form=form)


def _split(value: str) -> tuple[str, list[str]]:
    """`t=123,v1=abc,v1=def` -> ("123", ["abc", "def"]); anything else -> ("", [value])."""
    if "," not in value and not value.startswith("t="):
        return "", [value]
    stamp, found = "", []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            stamp = item
        elif item:
            found.append(item)
        else:
            found.append(key)
    return stamp, found or [value]


def _decoded(signature: str) -> list[tuple[str, bytes]]:
    """Every reading of one signature value as a 32-byte digest."""
    text = signature.strip()
    for prefix in ("sha256=", "sha256:", "hmac-sha256="):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    out = []
    try:
        raw = bytes.fromhex(text)
        if len(raw) == 32:
            out.append(("hex", raw))
    except ValueError:
        pass
    for decoder in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decoder(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            continue
        if len(raw) == 32:
            out.append(("base64", raw))
            break
    return out


def _match(body: bytes, signatures: list[str], keys: list[str], stamp: str) -> str | None:
    texts = [("raw body", body)]
    if stamp:
        texts += [
            ("timestamp.body", stamp.encode() + b"." + body),
            ("timestamp+body", stamp.encode() + body),
        ]
    for signature in signatures:
        for encoding, digest in _decoded(signature):
            for label, text in texts:
                for key in keys:
                    expected = hmac.new(key.encode(), text, hashlib.sha256).digest()
                    if hmac.compare_digest(expected, digest):
                        return f"{encoding}, {label}"
    return None


def _check_fresh(stamp: str, *, now: datetime, tolerance: int) -> None:
    try:
        moment = float(stamp)
    except ValueError as exc:
        raise WebhookRejected("signed timestamp is not a number", status=401) from exc
    if moment > 1e11:  # milliseconds
        moment /= 1000
    if abs(now.timestamp() - moment) > tolerance:
        raise WebhookRejected("stale signed timestamp (possible replay)", status=401)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


#: Header names whose values are secrets (or as good as): masked on the account page.
_SECRET_WORDS = ("authorization", "cookie", "token", "secret", "key", "password", "auth")


def masked_headers(headers: Mapping[str, str], *, limit: int = 40) -> dict[str, str]:
    """Headers of a rejected event, safe to show an admin: secrets masked, long values cut.

    A signature is shown by its first 8 characters: enough to tell hex from base64 and to
    see a prefix, not enough to replay."""
    out = {}
    for name, value in list(headers.items())[:limit]:
        lower = name.lower()
        text = str(value)
        if any(word in lower for word in _SECRET_WORDS):
            text = "•••" if text else ""
        elif "signature" in lower or lower.endswith("-sig"):
            text = text[:8] + "…" if len(text) > 8 else text
        out[name[:80]] = text[:200]
    return out
