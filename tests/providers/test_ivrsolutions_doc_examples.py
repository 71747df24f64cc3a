"""IVR Solutions' own doc examples, verbatim (fixtures/ivrsolutions/, one file per example,
named after its endpoint; `.request.json` for a request body the doc shows).

- An answer is served byte for byte by the fake (`fake.canned`) and read by the adapter
  over real HTTP: the CASES entry asserts what it maps to. Answers of endpoints the
  adapter never calls are checked against the fake instead (it must answer alike).
- A request the adapter sends is compared with what it sends for the same call: the
  same field names, and the same values where the doc's example fixes them.
- A request of an endpoint the adapter never calls is sent to the fake as written: the
  CASES entry says whether it takes it, or why not (the doc's placeholder token, ids of
  things the example assumes exist).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from telephony.providers.base import (
    AgentSpec,
    CallStatus,
    CampaignNumber,
    ClickToCallRequest,
    HostedCampaignSpec,
    MaskedCallRequest,
    OutboundCallRequest,
)
from telephony.providers.ivrsolutions.format import PROVIDER_TZ
from tests.fakes.ivrsolutions import PATHS as FAKE_PATHS
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.fakes.ivrsolutions_shapes import OPTIONAL_ROW_FIELDS
from tests.providers.ivrsolutions_support import DID, TOKEN, make_provider, start_fake

FIXTURES = Path(__file__).parent / "fixtures" / "ivrsolutions"
ROUTES = {e.name: e for e in FAKE_PATHS}
CUSTOMER = "+919876543210"
OPENING = "Hi, this is an automated call."
BOT = {
    "api_token": TOKEN,
    "wss_url": "wss://example.com/stream",
    "wss_header": "Authorization: Bearer xyz",
    "system_msg": "You are a helpful assistant.",
    "sttlanguage_code": "en-IN",
}

Check = Callable[[IVRSolutionsFake, bytes], None]


def _ist(day: str, time: str = "00:00:00") -> datetime:
    local = datetime.fromisoformat(f"{day} {time}").replace(tzinfo=PROVIDER_TZ)
    return local.astimezone(UTC)


def _click(provider):
    return provider.click_to_call(ClickToCallRequest("2101", "", CUSTOMER, DID, "1"))


def _c2c(provider) -> str:
    return _click(provider).provider_call_id


# -- answers, read by the adapter ---------------------------------------------------------
def _answer(path: str, read: Callable[[Any], None], **credentials: str) -> Check:
    def check(fake: IVRSolutionsFake, body: bytes) -> None:
        fake.canned(path, body)
        read(make_provider(fake, credentials={"api_token": TOKEN, **credentials}))

    return check


def _placed(expected: str, place: Callable[[Any], Any]) -> Callable[[Any], None]:
    def read(provider) -> None:
        placed = place(provider)
        assert (placed.provider_call_id, placed.status) == (expected, CallStatus.QUEUED)

    return read


def _flows(provider) -> None:
    flows = provider.list_flows()
    assert [(f.provider_id, f.name) for f in flows] == [
        ("1001", "Welcome IVR"),
        ("1002", "Order Confirmation"),
        ("1003", "Feedback Survey"),
    ]
    assert flows[1].description == "COD order confirmation flow"


def _dialers(provider) -> None:
    running = provider.campaign_status("101")
    assert (running.status, running.total, running.completed, running.pending) == (
        "running",
        1250,
        890,
        360,
    )


def _numbers_added(provider) -> None:
    result = provider.campaign_add_numbers("101", [CampaignNumber(CUSTOMER, "e1")])
    assert (result.accepted, result.rejected) == (1, [])


def _new_dialer(provider) -> None:
    spec = HostedCampaignSpec(name="D", did_number=DID, template_name="api_order_confirm")
    assert provider.campaign_create(spec) == "105"


def _new_agent(provider) -> None:
    spec = AgentSpec(name="John Doe", phone="+919876543210", email="j@x.in", password="Secure@12")
    created = provider.agent_create(spec)
    assert (created.provider_id, created.extension, created.name) == ("456", "2105", "John Doe")


def _call_logs(provider) -> None:
    rows = list(provider.call_logs(since=_ist("2024-12-01"), until=_ist("2024-12-31")))
    first, second = rows
    assert (first.provider_call_id, second.provider_call_id) == ("12345", "12346")
    assert (first.direction, first.from_number, first.to_number) == (
        "inbound",
        "+919876543210",
        DID,
    )
    assert (first.status, first.provider_status, first.duration_seconds) == (
        CallStatus.COMPLETED,
        "answered",
        185,
    )
    assert first.occurred_at == _ist("2024-12-15", "10:30:45")
    assert (first.dtmf, second.dtmf) == ("1", "")
    assert first.recording_url.endswith("/2024/12/15/rec_12345.mp3")
    assert provider.record_id_of(first.raw) == "12345"


def _dialer_logs(provider) -> None:
    first, second = provider.campaign_results("101")
    assert (first.provider_call_id, first.to_number, first.status, first.dtmf) == (
        "78901",
        "+919876543210",
        CallStatus.COMPLETED,
        "1",
    )
    assert (second.status, second.duration_seconds) == (CallStatus.NO_ANSWER, 0)


def _statuses(provider) -> None:
    codes = [(d.code, d.label) for d in provider.list_dispositions()]
    assert codes[0] == ("1", "Interested") and codes[-1] == ("7", "Follow Up Required")
    assert len(codes) == 7


def _did_list(provider) -> None:
    owned = provider.dids_owned()
    # "+911onal60123" is no number: skipped and logged, never read as keypad digits.
    assert [d.number for d in owned] == ["+911143104567", "+918043104568"]
    assert (owned[0].region, owned[0].kind) == ("Delhi", "landline")


def _regions(provider) -> None:
    assert provider.did_regions() == [
        "Delhi",
        "Bangalore",
        "Mumbai",
        "Chennai",
        "Hyderabad",
        "Faridabad",
    ]


def _found(provider) -> None:
    found = provider.dids_search(region="Delhi", pattern="4310")
    assert [d.number for d in found] == [f"+9111431045{i:02d}" for i in range(1, 6)]
    assert {(d.region, d.monthly_cost) for d in found} == {("Delhi", "500")}


def _bought(provider) -> None:
    bought = provider.did_buy("+911143104501")
    assert (bought.number, bought.provider_id) == ("+911143104501", "+911143104501")


def _did_list_check(fake: IVRSolutionsFake, body: bytes) -> None:
    fake.canned("get_did_list", body)
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = logging.getLogger("telephony.providers.ivrsolutions.account")
    logger.addHandler(handler)
    try:
        _did_list(make_provider(fake))
    finally:
        logger.removeHandler(handler)
    assert any("+911onal60123" in line and "skipped" in line for line in seen)


# -- answers of endpoints the adapter never calls: the fake answers alike -----------------
def _keys(value: Any) -> set[str]:
    """Top-level keys, and those of the first row under `data`."""
    if not isinstance(value, dict):
        return set()
    keys = set(value)
    data = value.get("data")
    row = data[0] if isinstance(data, list) and data else data
    if isinstance(row, dict):
        keys |= {f"data.{k}" for k in row}
    return keys


def _fake_answers_alike(name: str, request: dict | None = None, prepare=None) -> Check:
    def check(fake: IVRSolutionsFake, body: bytes) -> None:
        if prepare:
            prepare(fake)
        endpoint = ROUTES[name]
        kw = {"params": request or {}} if endpoint.method == "GET" else {"json": request or {}}
        answer = requests.request(
            endpoint.method,
            fake.url + endpoint.path,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
            **kw,
        ).json()
        optional = {f"data.{k}" for k in OPTIONAL_ROW_FIELDS}
        assert _keys(json.loads(body)) - optional <= _keys(answer), answer

    return check


def _a_finished_c2c(fake: IVRSolutionsFake) -> None:
    fake.force_outcome(CUSTOMER, "answered")
    _c2c(make_provider(fake))
    fake.advance(600)


# -- requests the adapter sends: the same fields as the doc's ------------------------------
def _alike(ours: Any, theirs: Any) -> bool:
    """Equal, or the same phone number written two ways (the doc mixes +91 and 0...)."""
    if str(ours) == str(theirs):
        return True
    digits = ["".join(ch for ch in str(v) if ch.isdigit()) for v in (ours, theirs)]
    return all(len(d) >= 10 for d in digits) and digits[0][-10:] == digits[1][-10:]


def _sends(
    name: str, action: Callable[[Any, IVRSolutionsFake], Any], *, exact: bool = True, **creds: str
) -> Check:
    def check(fake: IVRSolutionsFake, body: bytes) -> None:
        doc = json.loads(body)
        provider = make_provider(fake, credentials={"api_token": TOKEN, **creds})
        action(provider, fake)
        path = ROUTES[name].path
        request = [r for r in fake.requests if r.path == path][-1]
        ours = request.query if ROUTES[name].method == "GET" else json.loads(request.body)
        if exact:
            assert ours == doc
            return
        assert set(ours) <= set(doc), set(ours) - set(doc)  # only the doc's field names
        for key in ours:
            assert _alike(ours[key], doc[key]), (key, ours[key], doc[key])

    return check


def _dialer(provider) -> str:
    return provider.campaign_create(
        HostedCampaignSpec(name="D", did_number=DID, template_name="api_order_confirm")
    )


def _bulk(provider, fake) -> None:
    numbers = [
        CampaignNumber("+919876543210", "1", name="John Doe", variables={"order_id": "ORD001"}),
        CampaignNumber("+919876543211", "2", name="Jane Smith", variables={"order_id": "ORD002"}),
        CampaignNumber("+919876543212", "3", name="Bob Wilson", variables={"order_id": "ORD003"}),
    ]
    provider.campaign_add_numbers(_dialer(provider), numbers)


def _text_dialer(provider, fake) -> None:
    provider.campaign_create(
        HostedCampaignSpec(
            name="Order Confirmation Dialer",
            did_number=DID,
            template_name="api_order_confirm",  # the fake's id 101, the doc's example
            concurrency=5,
            window_start="09:00",
            window_end="18:00",
            time_zone="Asia/Kolkata",
            flow_id="102",
        )
    )


def _note(provider, fake) -> None:
    _c2c(provider)  # the fake's first call has the doc's record id, 12345
    provider.push_disposition(
        provider_call_id="12345",
        disposition="1",
        note="Customer interested in premium plan. Follow up next week.",
        call_type="inbound",
    )


def _template(provider, fake) -> None:
    fake.canned("create_text_template", {"status": True})  # its name is seeded: no clash
    provider.tts_template_create(
        name="api_order_confirm", text="Press 1 to confirm your order.", language="en-IN"
    )


SENT: dict[str, Check] = {
    "c2c_post.request.json": _sends("c2c_post", lambda p, f: _c2c(p)),
    "click_connect.request.json": _sends(
        "click_connect",
        lambda p, f: p.masked_call(MaskedCallRequest(CUSTOMER, "+919123456789", DID, "1")),
        exact=False,
    ),
    "click_connect_update.request.json": _sends(
        "click_connect_update",
        lambda p, f: p.cancel_masked_call(did_number=DID, party_a=CUSTOMER),
        exact=False,
    ),
    "click_connect_logs.request.json": _sends(
        "click_connect_logs",
        lambda p, f: list(p.call_logs(since=_ist("2025-08-01"), until=_ist("2025-08-31"))),
        exact=False,
    ),
    "dial_by_flow.request.json": _sends(
        "dial_by_flow",
        lambda p, f: p.flow_call(OutboundCallRequest("+919871234567", DID, "1", flow_id="1001")),
        exact=False,
    ),
    "dial_by_text.request.json": _sends(
        "dial_by_text",
        lambda p, f: p.tts_call(
            OutboundCallRequest(
                "+919354123456",
                DID,
                "1",
                template_name="api_order_confirm",
                variables={"name": "John", "order": "ORD12345", "amount": "1500"},
                flow_id="1701",
            )
        ),
        exact=False,
    ),
    "add_to_ivrdialerbulk.request.json": _sends("add_to_ivrdialerbulk", _bulk),
    "change_dialer_status.request.json": _sends(
        "change_dialer_status", lambda p, f: p.campaign_start(_dialer(p))
    ),
    "create_text_dialer.request.json": _sends("create_text_dialer", _text_dialer),
    "add_agent.request.json": _sends(
        "add_agent",
        lambda p, f: (
            f.canned("add_agent", {"status": True, "data": {"ext_no": "2105"}})
            or p.agent_create(
                AgentSpec(
                    name="John Doe",
                    phone="+919876543210",
                    email="john.doe@company.com",
                    password="SecurePass@123",
                )
            )
        ),
    ),
    "update_agent_did.request.json": _sends(
        "update_agent_did", lambda p, f: p.extension_assign_did(extension="2101", did_number=DID)
    ),
    "change_agent_status.request.json": _sends(
        "change_agent_status", lambda p, f: p.extension_set_enabled(extension="2101", enabled=True)
    ),
    "set_extension_expiry.request.json": _sends(
        "set_extension_expiry",
        lambda p, f: p.extension_set_expiry(extension="2101", expires_on=date(2025, 12, 31)),
    ),
    "call_logs.request.json": _sends(
        "call_logs",
        lambda p, f: list(p.call_logs(since=_ist("2024-12-01"), until=_ist("2024-12-31"))),
    ),
    "dialer_logs.request.json": _sends("dialer_logs", lambda p, f: p.campaign_results(_dialer(p))),
    "update_call_note.request.json": _sends("update_call_note", _note),
    "search_did.request.json": _sends(
        "search_did", lambda p, f: p.dids_search(region="Delhi", pattern="4310"), exact=False
    ),
    "buy_did.request.json": _sends("buy_did", lambda p, f: p.did_buy("+911143104501")),
    "dial_by_aivoicebot.request.json": _sends(
        "dial_by_aivoicebot",
        lambda p, f: p.voicebot_call(
            OutboundCallRequest(
                CUSTOMER, DID, "1", text="Hi, this is an automated call.", bot_id="4821"
            )
        ),
        exact=False,
        **{k: v for k, v in BOT.items() if k != "api_token"},
    ),
    "dial_by_voicebot.request.json": _sends(
        "dial_by_voicebot",
        lambda p, f: p.voicebot_call(
            OutboundCallRequest(
                CUSTOMER, DID, "1", text="Hi, this is an automated call.", bot_id="4821"
            )
        ),
        exact=False,
        system_msg="You are a helpful assistant.",
    ),
    "create_text_template.request.json": _sends("create_text_template", _template),
    "text_template_status.request.json": _sends(
        "text_template_status", lambda p, f: p.tts_template_status("api_order_confirm")
    ),
    "register_webhook.request.json": _sends(
        "register_webhook",
        lambda p, f: p.webhook_register(
            url="https://yourapp.com/webhooks/ivr", secret="whsec_abc123"
        ),
    ),
}


# -- requests of endpoints the adapter never calls: what the fake makes of them ------------
def _fake_takes(name: str, refused: str = "") -> Check:
    """The doc's request sent as written: taken (`refused` empty) or refused with it."""

    def check(fake: IVRSolutionsFake, body: bytes) -> None:
        endpoint = ROUTES[name.removesuffix(".request.json")]
        doc = json.loads(body)
        kw = {"params": doc} if endpoint.method == "GET" else {"json": doc}
        answer = requests.request(
            endpoint.method,
            fake.url + endpoint.path,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
            **kw,
        )
        reply = answer.json()
        ok = answer.status_code == 200 and reply.get("status") not in (False, 400, 401, 404)
        if not refused:
            assert ok, answer.text
        else:
            assert not ok and refused in reply["message"], answer.text

    return check


UNUSED_REQUESTS = {
    "c2c_two_leg": "",
    "add_to_ivrdialer": "dialerid is not a dialer",  # the example's dialer 101 is not made
    "create_customer_list": "",
    "edit_text_dialer": "id is not a dialer",  # dialer 105, likewise
    "add_dialer_records": "",
    "call_by_flow": "Invalid token",  # its body carries the placeholder "YOUR_API_TOKEN"
    "get_extension": "",
    "deactivate_extension": "",
    "create_group_extension": "extn_no already exists",  # 2101 is the seeded John Doe
    "sync_call_logs": "",
    "add_call_note": "sip_call_id is not a call",  # "abc123.45@sip": no such call
    "search_did_v2": "",
    "did_setup": "",
    "group_did_setup": "",
    "group_did_sip_setup": "",
    "did_live_status": "Invalid token",
    "agent_did_live_status": "Invalid token",
    "get_voicebot": "",
    "save_contact": "",
    "get_contact": "Contact not found",  # nothing saved first
    "agent_get_contact": "Contact not found",
    "caller_details": "",
}

ANSWERS: dict[str, Check] = {
    "overview-c2c_post.json": _answer("/api/c2c_post", _placed("123456", _click)),
    "c2c_post.json": _answer("/api/c2c_post", _placed("123456", _click)),
    # The GET form answers alike; the adapter posts, to the same path.
    "c2c_post_get.json": _answer("/api/c2c_post", _placed("123456", _click)),
    "click_connect.json": _answer(
        "/api/click_connect",
        _placed(
            "123457",
            lambda p: p.masked_call(MaskedCallRequest(CUSTOMER, "+919123456789", DID, "1")),
        ),
    ),
    "get_call_flows.json": _answer("get_call_flows", _flows),
    "dial_by_text.json": _answer(
        "dial_by_text",
        _placed(
            "call_txt_abc123",
            lambda p: p.tts_call(
                OutboundCallRequest(CUSTOMER, DID, "1", template_name="api_order_confirm")
            ),
        ),
    ),
    "get_dialers.json": _answer("get_dialers", _dialers),
    "add_to_ivrdialer.json": _fake_answers_alike(
        "add_to_ivrdialer",
        {"dialerid": 101, "number": "09876543210"},
        prepare=lambda f: _dialer(make_provider(f)),
    ),
    "add_to_ivrdialerbulk.json": _answer("add_to_ivrdialerbulk", _numbers_added),
    "change_dialer_status.json": _answer("change_dialer_status", lambda p: p.campaign_start("101")),
    "get_customer_lists.json": _fake_answers_alike("get_customer_lists"),
    "create_customer_list.json": _fake_answers_alike(
        "create_customer_list", {"listname": "January Campaign 2025"}
    ),
    "create_text_dialer.json": _answer("create_text_dialer", _new_dialer),
    "edit_text_dialer.json": _fake_answers_alike(
        "edit_text_dialer", {"id": 101}, prepare=lambda f: _dialer(make_provider(f))
    ),
    "add_agent.json": _answer("add_agent", _new_agent),
    "update_agent_did.json": _answer(
        "update_agent_did", lambda p: p.extension_assign_did(extension="2101", did_number=DID)
    ),
    "call_logs.json": _answer("/api/call_logs", _call_logs),
    "call_logs_by_number.json": _fake_answers_alike(
        "call_logs_by_number", {"phone": "9876543210"}, prepare=_a_finished_c2c
    ),
    "c2c_logs.json": _fake_answers_alike("c2c_logs", prepare=_a_finished_c2c),
    "c2c_logs_by_number.json": _fake_answers_alike(
        "c2c_logs_by_number", {"phone": "9876543210"}, prepare=_a_finished_c2c
    ),
    "dialer_logs.json": _answer("dialer_logs", _dialer_logs),
    "get_call_status.json": _answer("get_call_status", _statuses),
    "update_call_note.json": _answer(
        "update_call_note",
        lambda p: p.push_disposition(provider_call_id="12345", disposition="1", note=""),
    ),
    "get_did_list.json": _did_list_check,
    "get_did_regions.json": _answer("get_did_regions", _regions),
    "search_did.json": _answer("/api/search_did", _found),
    "buy_did.json": _answer("buy_did", _bought),
}

CASES: dict[str, Check] = {
    **ANSWERS,
    **SENT,
    **{
        f"{name}.request.json": _fake_takes(f"{name}.request.json", why)
        for name, why in UNUSED_REQUESTS.items()
    },
}


@pytest.fixture
def fake():
    server = start_fake()
    yield server
    server.stop()


def test_every_example_of_the_doc_has_a_case():
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_doc_example_maps_as_the_doc_says(fake, name):
    CASES[name](fake, (FIXTURES / name).read_bytes())
