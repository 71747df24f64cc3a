"""The IVR Solutions adapter over real HTTP against its fake: the paths table, calls, faults
and numbers. (Webhooks, logs and recordings: test_ivrsolutions_webhooks.py; account
endpoints: test_ivrsolutions_account.py.)"""

import json
import logging

import pytest

from telephony.providers import registry
from telephony.providers.base import (
    AmbiguousOutcome,
    AuthenticationFailed,
    CallStatus,
    Capability,
    CapabilityMissing,
    InvalidRequest,
    MaskedCallRequest,
    OutboundCallRequest,
    ProviderError,
)
from telephony.providers.ivrsolutions.adapter import IVRSolutionsProvider
from telephony.providers.ivrsolutions.api import PATHS
from telephony.providers.ivrsolutions.format import to_provider_number
from tests.contract.harness import config
from tests.fakes import ivrsolutions as fake_module
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.providers.ivrsolutions_support import (
    AS_SENT,
    CUSTOMER,
    DID,
    TOKEN,
    clock_range,
    make_provider,
    place_c2c,
    sent,
)
from tests.providers.ivrsolutions_support import catcher_fixture as catcher_fixture
from tests.providers.ivrsolutions_support import fake_fixture as fake_fixture
from tests.providers.ivrsolutions_support import provider_fixture as provider_fixture


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
    assert place_c2c(provider) == "123456"  # the doc's example logid is the fake's first
    request = sent(fake, "c2c_post")[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.body) == {"did": DID, "ext_no": "2101", "phone": AS_SENT}


def test_numbers_the_provider_returns_come_back_in_e164(fake, provider):
    fake.force_outcome(CUSTOMER, "answered")
    place_c2c(provider)
    fake.advance(600)
    (row,) = provider.call_logs(**clock_range(fake))
    assert (row.to_number, row.did_number, row.from_number) == (CUSTOMER, DID, DID)
    assert row.status is CallStatus.COMPLETED and row.provider_status == "answered"
    assert row.duration_seconds and row.recording_url


def test_foreign_numbers_keep_their_country_code_and_invalid_ones_send_nothing(fake, provider):
    assert to_provider_number("+14155552671", region="IN") == "+14155552671"
    with pytest.raises(InvalidRequest, match="not a valid phone number"):
        place_c2c(provider, number="+9112")
    assert fake.requests == []


# -- faults ---------------------------------------------------------------------------------
def test_timeout_on_c2c_post_is_ambiguous_and_the_logs_later_show_the_call(fake):
    provider = make_provider(fake, read_timeout=0.5)
    fake.inject("timeout", path_contains="c2c_post")
    with pytest.raises(AmbiguousOutcome, match="checked against the provider before"):
        place_c2c(provider)
    assert len(sent(fake, "c2c_post")) == 1  # never retried
    fake.advance(600)
    logs = list(provider.call_logs(**clock_range(fake)))
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
            place_c2c(make_provider(server))
    finally:
        server.stop()


def test_a_refused_request_carries_the_providers_reason(provider):
    with pytest.raises(InvalidRequest, match="ext_no is not an extension on your account"):
        place_c2c(provider, extension="9999")


def test_wrong_token_is_authentication_failed_in_the_providers_words(fake):
    provider = make_provider(fake, credentials={"api_token": "wrong"})
    with pytest.raises(AuthenticationFailed, match="IVR Solutions rejected the API token"):
        provider.dids_owned()
    with pytest.raises(AuthenticationFailed, match="IVR Solutions rejected the API token"):
        place_c2c(provider)


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
    (row,) = provider.call_logs(**clock_range(fake))
    assert row.provider_call_id == str(fake.calls[placed.provider_call_id].recordid)
    assert (row.from_number, row.to_number) == (CUSTOMER, "+919123456780")
    assert row.status is CallStatus.COMPLETED and row.direction == "outbound"
    assert sent(fake, "click_connect_logs")[0].body


def test_a_failing_masked_log_read_does_not_stop_the_call_logs(fake, provider, caplog):
    place_c2c(provider)
    fake.advance(600)
    fake.inject("garbage", path_contains="click_connect_logs")
    with caplog.at_level(logging.WARNING):
        rows = list(provider.call_logs(**clock_range(fake)))
    assert [r.to_number for r in rows] == [CUSTOMER]
    assert "masked call logs skipped" in caplog.text
