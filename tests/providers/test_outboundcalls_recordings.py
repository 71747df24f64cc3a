"""OutboundCalls.ai recordings: the doc names GET /v1/calls/:id/recording without saying
what it answers. Audio is taken by its Content-Type or its first bytes; anything else (a
JSON link, an error page) is refused with a ProviderError that is not permanent, so the
sync asks again later instead of storing it as the recording for ever."""

import io
import wave

import pytest
import requests

from telephony.models import Call, Recording
from telephony.providers.base import AgentSpec, CampaignNumber, HostedCampaignSpec, ProviderError
from telephony.providers.kit.parsing import audio_type
from telephony.services.accounts import provider_for
from telephony.services.recordings import recording_fetch
from tests.fakes.outboundcalls_shapes import RECORDING_TYPES
from tests.providers.outboundcalls_support import bare_provider, make_account
from tests.providers.outboundcalls_support import fake_fixture as fake_fixture

CUSTOMER = "+14155550100"


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(1600))
    return buffer.getvalue()


# The first bytes of each audio format a provider may serve, and the type they mean.
AUDIO = [
    (_wav(), "audio/wav"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(64), "audio/mpeg"),
    (b"\xff\xfb\x90\x64" + bytes(64), "audio/mpeg"),  # an MPEG frame, no ID3 tag
    (b"OggS\x00\x02" + bytes(64), "audio/ogg"),
    (b"fLaC\x00\x00\x00\x22" + bytes(64), "audio/flac"),
    (b"\x00\x00\x00\x20ftypM4A " + bytes(64), "audio/mp4"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81" + bytes(64), "audio/webm"),
]
NOT_AUDIO = [
    b'{"url": "https://api.outboundcalls.ai/v1/files/rec_1.wav", "expires_in": 3600}',
    b"<html><body>502 Bad Gateway</body></html>",
    b'["not", "audio"]',
]


def _url(fake, call_id="call_abc123"):
    return f"{fake.base_url}/calls/{call_id}/recording"


@pytest.mark.parametrize(("content", "kind"), AUDIO)
def test_audio_is_known_by_its_first_bytes_under_any_content_type(fake, content, kind):
    fake.canned("/recording", content)  # served as text/plain: the bytes decide
    recording = bare_provider(fake).fetch_recording(_url(fake))
    assert (recording.content, recording.content_type) == (content, kind)


@pytest.mark.parametrize("content", NOT_AUDIO)
def test_a_body_that_is_not_audio_is_refused_for_a_later_retry(fake, content):
    fake.canned("/recording", content)
    with pytest.raises(ProviderError, match="not audio; it is fetched again later") as caught:
        bare_provider(fake).fetch_recording(_url(fake))
    assert not caught.value.permanent


def test_an_empty_recording_is_refused_for_a_later_retry(fake):
    fake.canned("/recording", b"")
    with pytest.raises(ProviderError, match=r"\(0 bytes\) that is not audio") as caught:
        bare_provider(fake).fetch_recording(_url(fake))
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("content", "declared", "kind"),
    [
        (b"\x01\x02raw-pcm", "audio/basic", "audio/basic"),  # audio by its declared type
        (b"\x01\x02raw", "Audio/AMR; rate=8000", "audio/amr"),
        (b'{"url": "x"}', "audio/wav", None),  # says audio, is JSON: not a recording
        (b"<html>", "audio/mpeg", None),
        (b"\x01\x02", "application/octet-stream", None),
    ],
)
def test_a_declared_audio_type_counts_only_over_a_body_that_is_not_text(content, declared, kind):
    assert audio_type(content, declared) == kind


@pytest.mark.django_db
def test_a_json_recording_is_not_stored_and_the_audio_is_fetched_later(fake):
    account = make_account(fake)
    adapter = provider_for(account)
    agent = adapter.agent_create(AgentSpec(name="Ava"))
    fake.force_outcome(CUSTOMER, "completed")
    spec = HostedCampaignSpec(
        name="Renewals", bot_id=agent.provider_id, numbers=[CampaignNumber(CUSTOMER, "e0")]
    )
    campaign_id = adapter.campaign_create(spec)
    adapter.campaign_start(campaign_id)
    fake.advance(600)
    [call_id] = fake.campaigns[campaign_id].call_ids
    call = Call.objects.create(
        account=account,
        provider_call_id=call_id,
        call_type="voicebot",
        to_number=CUSTOMER,
        recording_url=adapter.call_details(call_id).recording_url,
    )
    fake.canned("/recording", NOT_AUDIO[0])
    with pytest.raises(ProviderError, match="not audio"):
        recording_fetch(call_id=call.pk)
    assert not Recording.objects.filter(call=call).exists()
    stored = recording_fetch(call_id=call.pk)  # the next sync: the fake's real audio
    assert stored.file.read().startswith(b"RIFF") and stored.content_type == "audio/wav"


def test_every_content_type_the_fake_serves_a_wav_under_is_read_as_wav(fake):
    provider = bare_provider(fake)
    agent = provider.agent_create(AgentSpec(name="Ava"))
    numbers = [CampaignNumber(f"+1415555{1000 + i:04d}", f"e{i}") for i in range(3)]
    for number in numbers:
        fake.force_outcome(number.number, "completed")
    campaign_id = provider.campaign_create(
        HostedCampaignSpec(name="R", bot_id=agent.provider_id, concurrency=3, numbers=numbers)
    )
    provider.campaign_start(campaign_id)
    fake.advance(900)
    urls = [provider.call_details(c).recording_url for c in fake.campaigns[campaign_id].call_ids]
    auth = {"Authorization": f"Bearer {fake.api_key}"}
    served = {requests.get(url, headers=auth, timeout=5).headers["Content-Type"] for url in urls}
    assert served == set(RECORDING_TYPES)  # the fake takes them in turn
    for url in urls:  # and the adapter meets each of them in turn too
        assert provider.fetch_recording(url).content_type == "audio/wav"
