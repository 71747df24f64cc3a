"""The provider's token goes only to its provider: the recording URL is parsed once, by the
parser the HTTP client uses, refused unless canonical, and credentials ride along only to
the account's exact API origin (scheme, host and port)."""

import pytest

from callcenter.services.errors import ServiceError
from telephony.models import Recording
from telephony.providers.errors import InvalidRequest
from telephony.providers.kit.http import HttpClient
from telephony.providers.kit.urlcheck import Origin, canonical_origin
from telephony.providers.types import AccountConfig
from telephony.services.accounts import provider_for
from telephony.services.recordings import recording_fetch, recording_url_allowed
from tests import factories
from tests.security.conftest import make_call

TOKEN = "ivr-secret-token"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:9556\\@127.0.0.1:9555/x",  # urllib3 connects to 127.0.0.2
        "http://127.0.0.2:9556/\\@127.0.0.1:9555/x",
        "http://user@127.0.0.1:9555/x",
        "http://127.0.0.1:9555@127.0.0.2/x",
        "http://127.0.0.2%5C@127.0.0.1/x",
        "http://127.0.0.2%40127.0.0.1/x",
        "http://127.0.0.1:9555/a%5cb",
        "http://2130706433:9555/x",  # 127.0.0.1 as one decimal number
        "http://0x7f.0.0.1:9555/x",
        "http://0177.0.0.1:9555/x",
        "http://127.1:9555/x",
        "http://127.0.0.1.:9555/x",  # trailing dot
        "http://api.callmatic.ai./x",
        "http://[0:0:0:0:0:0:0:1]:9555/x",  # IPv6 not in its canonical form
        "http://[::ffff:127.0.0.1]:9555/x",
        "HTTP://127.0.0.1:9555/x",
        "http://API.CALLMATIC.AI/x",
        "http://127.0.0.1:9555/a b",
        "http://127.0.0.1:9555/x\r\nX-Injected: 1",
        "ftp://127.0.0.1/x",
        "http:///x",
        "//127.0.0.1/x",
    ],
)
def test_non_canonical_urls_are_refused(url):
    assert canonical_origin(url) is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:9555/x", Origin("http", "127.0.0.1", 9555)),
        ("https://api.callmatic.ai/recordings/r.mp3", Origin("https", "api.callmatic.ai", 443)),
        ("http://[::1]:9555/x?a=1", Origin("http", "[::1]", 9555)),
        (
            "https://api.callmatic.ai/r/1.mp3?X-Amz-Credential=AK%2F2026%2Fs3&X-Amz-Date=1",
            Origin("https", "api.callmatic.ai", 443),
        ),
        ("http://calls.ivrsolutions.in/rec/1.mp3", Origin("http", "calls.ivrsolutions.in", 80)),
    ],
)
def test_canonical_urls_give_their_origin(url, origin):
    assert canonical_origin(url) == origin


def _ivr_account(port):
    account = factories.make_account("ivrsolutions", base_url=f"http://127.0.0.1:{port}")
    account.credentials = {"api_token": TOKEN}
    account.save()
    return account


def test_backslash_recording_url_sends_no_token_anywhere(db, client, local_server):
    api = local_server()
    other = local_server(host="127.0.0.2")
    account = _ivr_account(api.port)
    url = f"http://127.0.0.2:{other.port}\\@127.0.0.1:{api.port}/x"
    call = make_call(account, provider_call_id="ivr-1", status="ringing")
    # However it got stored (webhook, log sync, an admin edit), the fetch must refuse it.
    call.recording_url = url
    call.save(update_fields=["recording_url"])
    assert not recording_url_allowed(provider_for(account), url)
    with pytest.raises(ServiceError, match="not on the provider's own host"):
        recording_fetch(call_id=call.pk)
    assert other.hits == [] and api.hits == []
    assert not Recording.objects.exists()


def test_same_host_other_port_or_scheme_is_not_the_api_origin(db, local_server):
    api = local_server()
    account = _ivr_account(api.port)
    provider = provider_for(account)
    assert recording_url_allowed(provider, f"http://127.0.0.1:{api.port}/rec/1.mp3")
    assert not recording_url_allowed(provider, f"http://127.0.0.1:{api.port + 1}/rec/1.mp3")
    assert not recording_url_allowed(provider, f"https://127.0.0.1:{api.port}/rec/1.mp3")
    # A provider's named recording host is allowed on its default ports only.
    assert recording_url_allowed(provider, "https://calls.ivrsolutions.in/rec/1.mp3")
    assert not recording_url_allowed(provider, "https://calls.ivrsolutions.in:8443/rec/1.mp3")


def _client(port):
    config = AccountConfig(
        account_id=1, kind="test", name="test", credentials={}, base_url=f"http://127.0.0.1:{port}"
    )
    return HttpClient(
        config, label="Test", base_url="", auth_headers={"Authorization": f"Bearer {TOKEN}"}
    )


def test_credentials_go_only_to_the_exact_api_origin(db, local_server):
    api = local_server()
    other = local_server()  # same host, another port: an "allowed" host, not our API
    http = _client(api.port)
    http.read("GET", f"http://127.0.0.1:{api.port}/rec/1.mp3")
    http.read("GET", f"http://127.0.0.1:{other.port}/rec/2.mp3")
    http.read("GET", "/calls")
    assert [h.get("Authorization") for _, h in api.hits] == [f"Bearer {TOKEN}"] * 2
    assert [h.get("Authorization") for _, h in other.hits] == [None]


def test_the_client_refuses_a_non_canonical_full_url(db, local_server):
    api = local_server()
    other = local_server(host="127.0.0.2")
    http = _client(api.port)
    with pytest.raises(InvalidRequest, match="not a canonical"):
        http.read("GET", f"http://127.0.0.2:{other.port}\\@127.0.0.1:{api.port}/x")
    assert other.hits == [] and api.hits == []


def test_a_signed_ivr_webhook_naming_a_backslash_url_gets_no_token_sent(
    db, client, local_server, settings
):
    import hashlib
    import hmac
    import json
    import time

    from telephony.services.sync import sync_recordings

    settings.WEBHOOK_APPLY = "inline"
    api = local_server()
    other = local_server(host="127.0.0.2")
    account = _ivr_account(api.port)
    call = make_call(account, provider_call_id="555001", status="ringing")
    url = f"http://127.0.0.2:{other.port}\\@127.0.0.1:{api.port}/x"
    ts = int(time.time())
    body = json.dumps(
        {
            "event_id": "evt_555001_9",
            "event": "hangup",
            "logid": 555001,
            "call_status": "answered",
            "call_duration": 7,
            "recording_url": url,
            "timestamp": ts,
        }
    ).encode()
    signature = hmac.new(account.webhook_secrets[0].encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-IVR-Signature": f"sha256={signature}", "X-IVR-Timestamp": str(ts)}
    response = client.post(
        account.webhook_path, data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.status == "completed" and call.recording_url == url
    sync_recordings(account=account)
    with pytest.raises(ServiceError):
        recording_fetch(call_id=call.pk)
    assert other.hits == [] and api.hits == []
    assert not Recording.objects.exists()
