"""Every IVR Solutions request with a side effect, against the fake in the two shapes that
leave its outcome unknown: the request RAN (the customer rings, the DID is bought) and
then the answer is an HTML page (`acted_garbage`), or a JSON body we cannot confirm it
from (`acted_body`: a success without the id we need, or neither success nor refusal).
Each is AmbiguousOutcome, never a refusal, and is sent exactly once."""

import pytest

from telephony.providers.base import (
    AgentSpec,
    AmbiguousOutcome,
    CampaignNumber,
    ClickToCallRequest,
    HostedCampaignSpec,
    InvalidRequest,
    MaskedCallRequest,
    OutboundCallRequest,
)
from tests.providers.ivrsolutions_support import (
    CUSTOMER,
    DID,
    TOKEN,
    make_account,
    make_provider,
)
from tests.providers.ivrsolutions_support import fake_fixture as fake_fixture

WSS = {"api_token": TOKEN, "wss_url": "wss://bot.example.test/v"}
CALLED = {"status": 200, "message": "Call connecting. Please wait..."}  # no logid
DONE = {"status": True, "message": "Done"}
UNCLEAR = {"message": "Request received"}  # no status: neither success nor refusal


def _dialer(provider) -> str:
    spec = HostedCampaignSpec(name="D", did_number=DID, template_name="api_order_confirm")
    return provider.campaign_create(spec)


def _c2c(p, f):
    return p.click_to_call(ClickToCallRequest("2101", "", CUSTOMER, DID, "1"))


def _masked(p, f):
    return p.masked_call(MaskedCallRequest(CUSTOMER, "+919123456780", DID, "1"))


def _text(p, f):
    return p.tts_call(OutboundCallRequest(CUSTOMER, DID, "1", template_name="api_order_confirm"))


def _flow(p, f):
    return p.flow_call(OutboundCallRequest(CUSTOMER, DID, "1", flow_id="1001"))


def _aibot(p, f):
    return p.voicebot_call(OutboundCallRequest(CUSTOMER, DID, "1", bot_id="4821"))


def _bot(p, f):
    return p.voicebot_call(OutboundCallRequest(CUSTOMER, DID, "1", bot_id="4822"))


def _bulk(p, f):
    # The fault is on the bulk path only: the dialer is created normally first.
    return p.campaign_add_numbers(_dialer(p), [CampaignNumber(CUSTOMER, "e1")])


def _create_dialer(p, f):
    return _dialer(p)


def _dialer_on(p, f):
    return p.campaign_start(_dialer(p))


def _buy(p, f):
    number = p.dids_search(region="Delhi")[0].number
    return p.did_buy(number)


def _agent(p, f):
    spec = AgentSpec(name="Asha", phone="+919812345678", email="a@x.in", password="Secure@123")
    return p.agent_create(spec)


def _template(p, f):
    return p.tts_template_create(name="otp", text="Your OTP is {otp}", language="en")


# name: (path at the fake, the call, credentials, answer without what we need)
REQUESTS = {
    "c2c_post": ("/api/c2c_post", _c2c, None, CALLED),
    "click_connect": ("/api/click_connect", _masked, None, CALLED),
    "dial_by_text": ("/api/dial_by_text", _text, None, {"status": 200, "message": "ok"}),
    "dial_by_flow": ("/api/dial_by_flow", _flow, None, CALLED),
    "dial_by_aivoicebot": ("/api/dial_by_aivoicebot", _aibot, WSS, CALLED),
    "dial_by_voicebot": ("/api/dial_by_voicebot", _bot, None, CALLED),
    "add_to_ivrdialerbulk": ("/api/add_to_ivrdialerbulk", _bulk, None, UNCLEAR),
    "create_text_dialer": ("/api/create_text_dialer", _create_dialer, None, DONE),
    "change_dialer_status": ("/api/change_dialer_status", _dialer_on, None, UNCLEAR),
    "buy_did": ("/ivrappv2/buy_did", _buy, None, DONE),
    "add_agent": ("/api/add_agent", _agent, None, {"status": True, "data": {"agent_id": 9}}),
    "create_text_template": ("/api/create_text_template", _template, None, UNCLEAR),
}


@pytest.mark.parametrize("kind", ["acted_garbage", "acted_body"])
@pytest.mark.parametrize("name", list(REQUESTS))
def test_an_unreadable_or_unconfirmed_2xx_is_ambiguous_and_sent_once(fake, name, kind):
    path, action, credentials, unconfirmed = REQUESTS[name]
    provider = make_provider(fake, credentials=credentials or {"api_token": TOKEN})
    fake.inject(kind, path_contains=path, body=unconfirmed)
    with pytest.raises(AmbiguousOutcome) as caught:
        action(provider, fake)
    assert "refused" not in caught.value.message
    assert "may have acted" in caught.value.message
    assert len(fake.requests_to(path)) == 1  # never retried


@pytest.mark.parametrize("name", ["c2c_post", "buy_did", "add_agent", "create_text_dialer"])
def test_a_clear_refusal_in_http_200_stays_a_refusal(fake, name):
    path, action, credentials, _ = REQUESTS[name]
    provider = make_provider(fake, credentials=credentials or {"api_token": TOKEN})
    refusal = {"status": False, "message": "Insufficient balance"}
    fake.canned(path, refusal)
    with pytest.raises(InvalidRequest, match="refused .*Insufficient balance"):
        action(provider, fake)
    assert len(fake.requests_to(path)) == 1


def test_the_customer_may_be_ringing_when_the_answer_is_garbage(fake):
    provider = make_provider(fake)
    fake.inject("acted_garbage", path_contains="c2c_post")
    with pytest.raises(AmbiguousOutcome, match="answered the click-to-call with HTTP 200"):
        _c2c(provider, fake)
    (call,) = fake.calls.values()  # the route ran: the call is real at the provider
    assert call.client_no == CUSTOMER[3:]


@pytest.mark.parametrize("status", [200, "200", True, "true", "success"])
def test_success_without_an_id_is_accepted_where_no_id_is_needed(fake, status):
    provider = make_provider(fake)
    fake.inject("acted_body", path_contains="create_text_template", body={"status": status})
    created = provider.tts_template_create(name="otp", text="Your OTP is {otp}", language="en")
    assert (created.provider_id, created.status) == ("otp", "pending")


@pytest.mark.parametrize(
    "logid", [123456, "123456", 123456.0, {"logid": 7}], ids=["int", "str", "float", "nested"]
)
def test_the_placing_id_is_read_as_text_whatever_its_type(fake, logid):
    provider = make_provider(fake)
    body = {**CALLED, "logid": logid} if not isinstance(logid, dict) else {**CALLED, "data": logid}
    fake.inject("acted_body", path_contains="c2c_post", body=body)
    expected = "7" if isinstance(logid, dict) else "123456"
    assert _c2c(provider, fake).provider_call_id == expected


@pytest.mark.django_db
def test_a_masked_call_whose_answer_is_garbage_is_unknown_not_refused(fake):
    """The service keys on AmbiguousOutcome: the call is `unknown` (the reconciler asks
    the logs), the session stays open, and nobody is told the provider refused."""
    from telephony.models import Call, MaskedSession
    from telephony.services.masked import masked_session_start
    from tests import factories

    account = make_account(fake)
    did = factories.make_did(account, DID)
    fake.inject("acted_garbage", path_contains="click_connect")
    session = masked_session_start(
        user=factories.make_user("supervisor"), did=did, party_a=CUSTOMER, party_b="+919123456780"
    )
    call = Call.objects.get(masked_session=session)
    assert (call.status, call.provider_call_id) == ("unknown", "")
    assert "refused" not in call.error and "may have acted" in call.error
    assert MaskedSession.objects.get(pk=session.pk).status == MaskedSession.Status.ACTIVE
    assert len(fake.requests_to("/api/click_connect")) == 1
