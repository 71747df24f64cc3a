"""The IVR Solutions adapter over real HTTP against its fake: calls, faults, numbers,
webhooks, logs and recordings. (Account endpoints: test_ivrsolutions_account.py.)"""

import json
import logging
from datetime import timedelta

import pytest

from telephony.providers import registry
from telephony.providers.base import (
    AmbiguousOutcome,
    AuthenticationFailed,
    CallStatus,
    Capability,
    CapabilityMissing,
    ClickToCallRequest,
    InvalidRequest,
    MaskedCallRequest,
    OutboundCallRequest,
    ProviderError,
    WebhookRejected,
)
from telephony.providers.ivrsolutions.adapter import IVRSolutionsProvider, sign
from telephony.providers.ivrsolutions.api import PATHS
from telephony.providers.ivrsolutions.format import to_provider_number
from tests.contract.harness import WebhookCatcher, config
from tests.fakes import ivrsolutions as fake_module
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.providers.ivrsolutions_support import (
    AS_SENT,
    CUSTOMER,
    DID,
    TOKEN,
    make_provider,
    sent,
    start_fake,
)


@pytest.fixture
def fake():
    server = start_fake()
    yield server
    server.stop()


@pytest.fixture
def provider(fake):
    return make_provider(fake)


@pytest.fixture
def catcher():
    receiver = WebhookCatcher()
    yield receiver
    receiver.stop()


def _c2c(provider, number=CUSTOMER, extension="2101") -> str:
    request = ClickToCallRequest(extension, "", number, DID, "7")
    return provider.click_to_call(request).provider_call_id


def _range(fake):
    return {"since": fake.clock - timedelta(days=1), "until": fake.clock + timedelta(days=1)}


# -- the table, the registry, what is missing -------------------------------------------------
def test_paths_table_matches_the_fakes_table():
    theirs = {e.name: e for e in fake_module.PATHS}
    for name, route in PATHS.items():
        assert (route.method, route.path, route.source) == (
            theirs[name].method,
            theirs[name].path,
            theirs[name].source,
        ), name


def test_registered_with_its_label_and_default_host():
    assert registry.provider_class("ivrsolutions") is IVRSolutionsProvider
    assert IVRSolutionsProvider.label == "IVR Solutions"
    adapter = IVRSolutionsProvider(config("ivrsolutions"))
    assert adapter.http.base_url == "https://api.ivrsolutions.in"


def test_capabilities_the_doc_lacks_are_declared_missing_with_reasons(provider):
    for capability in (Capability.SMS, Capability.CONTACTS_OPTOUT, Capability.CREDITS):
        assert not provider.supports(capability)
    with pytest.raises(CapabilityMissing, match="no SMS endpoint"):
        provider.sms_send(to_number=CUSTOMER, text="hi")
    with pytest.raises(CapabilityMissing, match="no balance or credits"):
        provider.credits()


def test_test_connection_reads_a_path_the_doc_gives(fake, provider):
    line = provider.test_connection()
    assert line == "Connected to IVR Solutions: 7 call status(es) for notes on the account."
    (request,) = fake.requests
    assert request.path == PATHS["get_call_status"].path == "/api/get_call_status"
    assert PATHS["get_call_status"].source == "doc"


def test_there_is_no_per_call_lookup_the_doc_does_not_give(fake, provider):
    assert not provider.supports(Capability.CALL_DETAILS)
    with pytest.raises(CapabilityMissing, match="no per-call lookup"):
        provider.call_details("123456")
    assert fake.requests == []


# -- numbers --------------------------------------------------------------------------------
def test_click_to_call_sends_indian_numbers_with_a_leading_zero(fake, provider):
    assert _c2c(provider) == "123456"  # the doc's example logid is the fake's first
    request = sent(fake, "c2c_post")[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.body) == {"did": DID, "ext_no": "2101", "phone": AS_SENT}


def test_numbers_the_provider_returns_come_back_in_e164(fake, provider):
    fake.force_outcome(CUSTOMER, "answered")
    _c2c(provider)
    fake.advance(600)
    (row,) = provider.call_logs(**_range(fake))
    assert (row.to_number, row.did_number, row.from_number) == (CUSTOMER, DID, DID)
    assert row.status is CallStatus.COMPLETED and row.provider_status == "answered"
    assert row.duration_seconds and row.recording_url


def test_foreign_numbers_keep_their_country_code_and_invalid_ones_send_nothing(fake, provider):
    assert to_provider_number("+14155552671", region="IN") == "+14155552671"
    with pytest.raises(InvalidRequest, match="not a valid phone number"):
        _c2c(provider, number="+9112")
    assert fake.requests == []


# -- faults ---------------------------------------------------------------------------------
def test_timeout_on_c2c_post_is_ambiguous_and_the_logs_later_show_the_call(fake):
    provider = make_provider(fake, read_timeout=0.5)
    fake.inject("timeout", path_contains="c2c_post")
    with pytest.raises(AmbiguousOutcome, match="checked against the provider before"):
        _c2c(provider)
    assert len(sent(fake, "c2c_post")) == 1  # never retried
    fake.advance(600)
    logs = list(provider.call_logs(**_range(fake)))
    assert [u.to_number for u in logs] == [CUSTOMER]
    assert logs[0].status in {
        CallStatus.COMPLETED,
        CallStatus.NO_ANSWER,
        CallStatus.BUSY,
        CallStatus.FAILED,
    }


def test_429_with_retry_after_makes_the_next_read_wait_at_least_that_long(fake, provider):
    waits = []
    provider.http.sleep = waits.append
    fake.inject("429", path_contains="get_did_list", retry_after=2)
    assert len(provider.dids_owned()) == 2
    assert len(waits) == 1 and waits[0] >= 2
    assert len(sent(fake, "get_did_list")) == 2


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
def test_a_read_whose_body_is_not_json_is_a_clear_provider_error(fake, provider, kind):
    fake.inject(kind, path_contains="get_did_list")
    with pytest.raises(ProviderError, match="IVR Solutions returned a response that is not JSON"):
        provider.dids_owned()


def test_a_refusal_inside_http_200_is_an_invalid_request():
    class Broke(IVRSolutionsFake):
        def ep_c2c_post(self, p):
            return {"status": False, "message": "Insufficient balance"}

    server = Broke(api_token=TOKEN).start()
    try:
        with pytest.raises(InvalidRequest, match="refused the click-to-call: Insufficient"):
            _c2c(make_provider(server))
    finally:
        server.stop()


def test_a_refused_request_carries_the_providers_reason(provider):
    with pytest.raises(InvalidRequest, match="ext_no is not an extension on your account"):
        _c2c(provider, extension="9999")


def test_wrong_token_is_authentication_failed_in_the_providers_words(fake):
    provider = make_provider(fake, credentials={"api_token": "wrong"})
    with pytest.raises(AuthenticationFailed, match="IVR Solutions rejected the API token"):
        provider.dids_owned()
    with pytest.raises(AuthenticationFailed, match="IVR Solutions rejected the API token"):
        _c2c(provider)


def test_without_a_token_nothing_is_sent(fake):
    provider = make_provider(fake, credentials={})
    with pytest.raises(AuthenticationFailed, match="needs an API token"):
        provider.dids_owned()
    assert fake.requests == []


# -- the other call types ---------------------------------------------------------------------
def test_tts_call_sends_the_variables_in_template_order(fake, provider):
    request = OutboundCallRequest(
        to_number=CUSTOMER,
        did_number=DID,
        reference="8",
        text="Hi {name}, order {order_id} costs {amount}. Bye {name}.",
        template_name="api_order_confirm",
        variables={"amount": "1,500", "name": "John", "order_id": "ORD1"},
    )
    placed = provider.tts_call(request)
    assert placed.provider_call_id == "call_txt_123456"
    body = json.loads(sent(fake, "dial_by_text")[0].body)
    assert body["Variable"] == "John,ORD1,1 500"  # a comma inside a value would shift the rest
    assert (body["customer_no"], body["did_no"]) == (AS_SENT, DID)


def test_tts_call_missing_a_variable_sends_nothing(fake, provider):
    request = OutboundCallRequest(
        CUSTOMER, DID, "8", text="Hi {name}", template_name="api_order_confirm"
    )
    with pytest.raises(InvalidRequest, match=r"needs a value for \{name\}"):
        provider.tts_call(request)
    assert fake.requests == []


def test_flow_call_plays_a_listed_flow(fake, provider):
    flows = provider.list_flows()
    assert [f.name for f in flows][:1] == ["Welcome IVR"]
    request = OutboundCallRequest(CUSTOMER, DID, "9", flow_id=flows[0].provider_id)
    assert provider.flow_call(request).provider_call_id == "123456"
    assert json.loads(sent(fake, "dial_by_flow")[0].body)["customer_no"] == AS_SENT


def test_voicebot_call_streams_to_the_wss_url_from_the_credentials(fake):
    credentials = {
        "api_token": TOKEN,
        "wss_url": "wss://bot.example.test/v",
        "system_msg": "Be kind",
    }
    provider = make_provider(fake, credentials=credentials)
    request = OutboundCallRequest(CUSTOMER, DID, "10", text="Hello!", bot_id="4821")
    assert provider.voicebot_call(request).provider_call_id == "123456"
    body = json.loads(sent(fake, "dial_by_aivoicebot")[0].body)
    assert body == {
        "customer_no": AS_SENT,
        "Voicechat_id": "4821",
        "text": "Hello!",
        "wss_url": "wss://bot.example.test/v",
        "system_msg": "Be kind",
    }


def test_voicebot_call_with_only_a_bot_uses_the_hosted_bot(fake, provider):
    assert [b.provider_id for b in provider.list_voicebots()] == ["4821", "4822"]
    provider.voicebot_call(OutboundCallRequest(CUSTOMER, DID, "11", bot_id="4822"))
    assert json.loads(sent(fake, "dial_by_voicebot")[0].body)["did_num"] == DID


def test_voicebot_call_without_a_bot_or_wss_url_sends_nothing(fake, provider):
    with pytest.raises(InvalidRequest, match="need a voice bot, or a WSS URL"):
        provider.voicebot_call(OutboundCallRequest(CUSTOMER, DID, "12"))
    insecure = make_provider(fake, credentials={"api_token": TOKEN, "wss_url": "ws://x.test"})
    with pytest.raises(InvalidRequest, match="wss:// URL only"):
        insecure.voicebot_call(OutboundCallRequest(CUSTOMER, DID, "12"))
    assert fake.requests == []


def test_masked_call_is_cancelled_and_a_second_cancel_is_harmless(fake, provider):
    other = "+919123456780"
    placed = provider.masked_call(MaskedCallRequest(CUSTOMER, other, DID, "13"))
    assert json.loads(sent(fake, "click_connect")[0].body)["second_phone"] == "09123456780"
    provider.cancel_masked_call(did_number=DID, party_a=CUSTOMER)
    assert fake.calls[placed.provider_call_id].status == "cancelled"
    provider.cancel_masked_call(did_number=DID, party_a=CUSTOMER)


def test_masked_calls_come_back_from_click_connect_logs(fake, provider):
    """call_logs holds "click-to-call, dialer and inbound"; masked sessions are reconciled
    from click_connect_logs, whose rows the doc never shows (the fake varies their names)."""
    fake.force_outcome(CUSTOMER, "answered")
    placed = provider.masked_call(MaskedCallRequest(CUSTOMER, "+919123456780", DID, "13"))
    fake.advance(600)
    (row,) = provider.call_logs(**_range(fake))
    assert row.provider_call_id == str(fake.calls[placed.provider_call_id].recordid)
    assert (row.from_number, row.to_number) == (CUSTOMER, "+919123456780")
    assert row.status is CallStatus.COMPLETED and row.direction == "outbound"
    assert sent(fake, "click_connect_logs")[0].body


def test_a_failing_masked_log_read_does_not_stop_the_call_logs(fake, provider, caplog):
    _c2c(provider)
    fake.advance(600)
    fake.inject("garbage", path_contains="click_connect_logs")
    with caplog.at_level(logging.WARNING):
        rows = list(provider.call_logs(**_range(fake)))
    assert [r.to_number for r in rows] == [CUSTOMER]
    assert "masked call logs skipped" in caplog.text


# -- webhooks -------------------------------------------------------------------------------
def _events(fake, provider, catcher, secret="hook-secret"):
    provider.webhook_register(url=catcher.url, secret=secret)
    fake.force_outcome(CUSTOMER, "answered")
    call_id = _c2c(provider)
    fake.advance(600)
    return call_id, list(catcher.received)


def _signed(fake, *secrets):
    # The events span the whole 600 s advance and are checked at its end: a wider tolerance.
    return make_provider(fake, webhook_secrets=secrets, webhook_tolerance=900)


def test_signed_events_verify_and_map_through_the_status_table(fake, catcher):
    provider = _signed(fake, "hook-secret")
    call_id, events = _events(fake, provider, catcher)
    updates = []
    for body, headers in events:
        provider.verify_webhook(body=body, headers=headers, now=fake.clock)
        updates += provider.parse_webhook(body, headers)
    assert {u.provider_call_id for u in updates} == {call_id}
    assert [u.event_type for u in updates] == ["ringing", "answered", "hangup"]
    assert [u.status for u in updates] == [
        CallStatus.RINGING,
        CallStatus.IN_PROGRESS,
        CallStatus.COMPLETED,
    ]
    hangup = updates[-1]
    assert hangup.provider_status == "answered" and hangup.duration_seconds
    assert hangup.recording_url and hangup.to_number == CUSTOMER
    assert hangup.dedupe_key == json.loads(events[-1][0])["event_id"]


def test_forged_and_rotated_webhooks(fake, catcher):
    provider = _signed(fake, "hook-secret")
    _, events = _events(fake, provider, catcher)
    # The fake signs in varying forms and leaves some events unsigned: take a signed one.
    body, headers = next((b, h) for b, h in events if "x-ivr-signature" in h)
    forged = body.replace(b'"answered"', b'"busy"  ')
    with pytest.raises(WebhookRejected, match="bad signature"):
        provider.verify_webhook(body=forged, headers=headers, now=fake.clock)
    rotated = _signed(fake, "new-secret", "hook-secret")
    upper = {k.upper(): v for k, v in headers.items()}  # header names are case-insensitive
    rotated.verify_webhook(body=body, headers=upper, now=fake.clock)
    replaced = _signed(fake, "new-secret")
    with pytest.raises(WebhookRejected, match="bad signature"):
        replaced.verify_webhook(body=body, headers=headers, now=fake.clock)


def test_the_url_token_authenticates_unless_the_account_requires_a_signature(fake):
    """The doc names no signature scheme: an unsigned event is accepted on the URL token
    (checked by the inbox), unless the admin required a signature for the account."""
    body = b'{"event": "hangup", "logid": 1, "timestamp": 1}'
    make_provider(fake).verify_webhook(body=body, headers={}, now=fake.clock)
    strict = make_provider(fake, webhook_secrets=("s",), webhook_signature_required=True)
    with pytest.raises(WebhookRejected, match="requires one"):
        strict.verify_webhook(body=body, headers={}, now=fake.clock)
    strict.verify_webhook(body=body, headers={"X-IVR-Signature": sign(body, "s")}, now=fake.clock)
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        make_provider(fake).verify_webhook(
            body=body, headers={"X-IVR-Signature": sign(body, "s")}, now=fake.clock
        )


def test_unknown_status_words_map_to_unknown_keep_the_raw_word_and_log(provider, caplog):
    body = json.dumps({"event": "hangup", "logid": 5, "call_status": "transferred"}).encode()
    with caplog.at_level(logging.WARNING):
        (update,) = provider.parse_webhook(body, {})
    assert (update.status, update.provider_status) == (CallStatus.UNKNOWN, "transferred")
    assert "transferred" in caplog.text
    (odd,) = provider.parse_webhook(b'{"event": "whisper", "recordid": 6}', {})
    assert (odd.status, odd.provider_status, odd.provider_call_id) == (
        CallStatus.UNKNOWN,
        "whisper",
        "6",
    )
    assert odd.dedupe_key  # no event_id: the body's hash


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe", b"[1, 2]", b'{"logid": 5}', b'{"event": "hangup"}', b'{"event": "", "logid": 1}'],
)
def test_malformed_webhooks_are_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


# -- logs and recordings ----------------------------------------------------------------------
def test_call_logs_keep_only_rows_inside_the_range(fake, provider):
    fake.force_outcome(CUSTOMER, "busy")
    _c2c(provider)
    fake.advance(600)
    (row,) = provider.call_logs(**_range(fake))
    assert (row.status, row.direction, row.to_number) == (CallStatus.BUSY, "outbound", CUSTOMER)
    later = fake.clock + timedelta(minutes=1)
    assert list(provider.call_logs(since=later, until=later + timedelta(hours=1))) == []
    assert sent(fake, "call_logs")[0].query == {"from_date": "2026-01-04", "to_date": "2026-01-06"}


def test_recordings_are_fetched_as_audio_from_the_providers_host_only(fake, provider):
    fake.force_outcome(CUSTOMER, "answered")
    _c2c(provider)
    fake.advance(600)
    (row,) = provider.call_logs(**_range(fake))
    url = row.recording_url
    recording = provider.fetch_recording(url)
    assert recording.content_type == "audio/mpeg" and recording.content.startswith(b"ID3")
    assert "calls.ivrsolutions.in" in provider.recording_hosts
    before = len(fake.requests)
    with pytest.raises(InvalidRequest, match="not on an IVR Solutions host"):
        provider.fetch_recording("https://evil.example/rec.mp3")
    assert len(fake.requests) == before
