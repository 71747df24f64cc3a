"""The shared webhook verifier: every common signature form, the account's settings, and
what an admin sees of a rejected event."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from telephony.providers.errors import WebhookRejected
from telephony.providers.kit.signatures import masked_headers, verify_signature

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))
BODY = b'{"event": "call.completed", "data": {"id": 7}}'
SECRET = "whsec-123"


def _mac(text: bytes, secret: str = SECRET) -> bytes:
    return hmac.new(secret.encode(), text, hashlib.sha256).digest()


def _verify(headers, *, required=False, names=("x-provider-signature",), secrets=(SECRET,)):
    return verify_signature(
        body=BODY,
        headers=headers,
        secrets=secrets,
        header_names=names,
        timestamp_names=("x-provider-timestamp",),
        required=required,
        now=NOW,
        tolerance=300,
    )


FORMS = {
    "hex over the body": ({"X-Provider-Signature": _mac(BODY).hex()}, "hex, raw body"),
    "sha256= hex": ({"X-Provider-Signature": "sha256=" + _mac(BODY).hex()}, "hex, raw body"),
    "upper-case hex": ({"X-Provider-Signature": _mac(BODY).hex().upper()}, "hex, raw body"),
    "base64": ({"X-Provider-Signature": base64.b64encode(_mac(BODY)).decode()}, "base64, raw body"),
    "url-safe base64, unpadded": (
        {"X-Provider-Signature": base64.urlsafe_b64encode(_mac(BODY)).decode().rstrip("=")},
        "base64, raw body",
    ),
    "sha256= base64": (
        {"X-Provider-Signature": "sha256=" + base64.b64encode(_mac(BODY)).decode()},
        "base64, raw body",
    ),
    "timestamp.body in a timestamp header": (
        {
            "X-Provider-Signature": _mac(STAMP.encode() + b"." + BODY).hex(),
            "X-Provider-Timestamp": STAMP,
        },
        "hex, timestamp.body",
    ),
    "timestamp+body, common timestamp header": (
        {"X-Signature": _mac(STAMP.encode() + BODY).hex(), "X-Timestamp": STAMP},
        "hex, timestamp+body",
    ),
    "stripe-style t=,v1=": (
        {"Webhook-Sig": f"t={STAMP},v1={_mac(STAMP.encode() + b'.' + BODY).hex()}"},
        "hex, timestamp.body",
    ),
    "a common header name": (
        {"X-Hub-Signature-256": "sha256=" + _mac(BODY).hex()},
        "hex, raw body",
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_each_common_form_verifies(name):
    headers, form = FORMS[name]
    names = ("webhook-sig",) if "stripe" in name else ("x-provider-signature",)
    check = _verify(headers, names=names, required=True)
    assert check.form == form


@pytest.mark.parametrize("name", FORMS)
def test_each_form_under_another_secret_is_refused(name):
    headers, _ = FORMS[name]
    names = ("webhook-sig",) if "stripe" in name else ("x-provider-signature",)
    with pytest.raises(WebhookRejected, match="bad signature") as caught:
        _verify(headers, names=names, secrets=("another",))
    assert caught.value.status == 401


def test_a_tampered_body_is_refused():
    headers = {"X-Provider-Signature": _mac(BODY).hex()}
    with pytest.raises(WebhookRejected, match="bad signature"):
        verify_signature(
            body=BODY + b" ",
            headers=headers,
            secrets=(SECRET,),
            header_names=("x-provider-signature",),
            required=False,
            now=NOW,
            tolerance=300,
        )


def test_a_stale_signed_timestamp_is_refused():
    old = str(int(NOW.timestamp()) - 3600)
    headers = {
        "X-Provider-Signature": _mac(old.encode() + b"." + BODY).hex(),
        "X-Provider-Timestamp": old,
    }
    with pytest.raises(WebhookRejected, match="stale"):
        _verify(headers)


def test_a_timestamp_in_milliseconds_is_read():
    ms = STAMP + "000"
    headers = {
        "X-Provider-Signature": _mac(ms.encode() + b"." + BODY).hex(),
        "X-Provider-Timestamp": ms,
    }
    assert _verify(headers).form == "hex, timestamp.body"


def test_unsigned_is_accepted_on_the_url_token_unless_required():
    assert _verify({}).form == "no signature (URL token)"
    with pytest.raises(WebhookRejected, match="requires one") as caught:
        _verify({}, required=True)
    assert caught.value.status == 401


def test_the_accounts_header_name_is_read_first():
    headers = {"X-Custom-Sig": _mac(BODY).hex(), "X-Signature": "junk"}
    check = _verify(headers, names=("x-custom-sig", "x-provider-signature"))
    assert check.header == "x-custom-sig"


def test_a_signature_without_a_secret_to_check_it_is_refused():
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        _verify({"X-Provider-Signature": _mac(BODY).hex()}, secrets=())


def test_rotation_accepts_the_previous_secret():
    headers = {"X-Provider-Signature": _mac(BODY, "old").hex()}
    assert _verify(headers, secrets=("new", "old")).form == "hex, raw body"


def test_masked_headers_hide_secrets_and_shorten_signatures():
    shown = masked_headers(
        {
            "Authorization": "Bearer abc",
            "X-Api-Key": "k",
            "Cookie": "sessionid=1",
            "X-Provider-Signature": "sha256=" + "a" * 64,
            "User-Agent": "IVR-Webhooks/2.1",
        }
    )
    assert shown["Authorization"] == shown["X-Api-Key"] == shown["Cookie"] == "•••"
    assert shown["X-Provider-Signature"] == "sha256=a…"
    assert shown["User-Agent"] == "IVR-Webhooks/2.1"
