"""SSRF through recording URLs: a webhook names the URL, but we fetch only from the
provider's own hosts, never follow a redirect elsewhere, and never touch other schemes."""

import json

import pytest

from callcenter.services.errors import ServiceError
from telephony.models import Call, Recording
from telephony.providers.base import ProviderError
from telephony.services.recordings import recording_fetch
from telephony.services.sync import sync_recordings
from tests import factories
from tests.security.conftest import make_call
from tests.telephony.helpers import post_signed_webhook


def _webhook(client, account, recording_url):
    body = json.dumps(
        {
            "event_id": f"e-{recording_url}",
            "call_id": "sbx-1",
            "event": "completed",
            "duration": 3,
            "recording_url": recording_url,
        }
    ).encode()
    return post_signed_webhook(client, account, body=body)


@pytest.mark.parametrize(
    "url",
    [
        "http://{local}/internal/admin",  # another host on our own network
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://sandbox.invalid.{local}/recordings/x.wav",  # a look-alike host name
    ],
)
def test_webhook_recording_url_on_a_foreign_host_is_never_fetched(
    client, account, local_server, url
):
    target = local_server()
    url = url.format(local=f"127.0.0.1:{target.port}")
    call = make_call(account, provider_call_id="sbx-1", status="ringing")
    assert _webhook(client, account, url).status_code == 200
    call.refresh_from_db()
    assert call.status == "completed"
    with pytest.raises(ServiceError, match="not on the provider's own host"):
        recording_fetch(call_id=call.pk)
    # The periodic sync refuses it too, and gives up on it instead of retrying for ever.
    sync_recordings(account=account)
    sync_recordings(account=account)
    assert target.hits == []
    assert not Recording.objects.exists()


def test_a_provider_redirect_to_another_host_is_not_followed(db, local_server):
    elsewhere = local_server()
    provider_host = local_server(
        {
            "/v1/calls/c-1/recording": (
                302,
                {"Location": f"http://localhost:{elsewhere.port}/latest/meta-data/"},
                b"",
            )
        }
    )
    account = factories.make_account(
        "outboundcalls", base_url=f"http://127.0.0.1:{provider_host.port}/v1"
    )
    account.credentials = {"api_key": "ocai-secret-key"}
    account.save()
    url = f"http://127.0.0.1:{provider_host.port}/v1/calls/c-1/recording"
    call = make_call(account, provider_call_id="c-1", recording_url=url)
    with pytest.raises((ServiceError, ProviderError)):
        recording_fetch(call_id=call.pk)
    assert [path for path, _ in provider_host.hits] == ["/v1/calls/c-1/recording"]
    assert elsewhere.hits == []
    assert not Recording.objects.exists()
    assert Call.objects.get(pk=call.pk).recording_url == url
