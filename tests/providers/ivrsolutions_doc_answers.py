"""IVR Solutions' doc examples of answers (see test_ivrsolutions_doc_examples.py): served
by the fake byte for byte and read by the adapter, or, for endpoints the adapter never
calls, answered alike by the fake."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import requests

from telephony.providers.base import (
    AgentSpec,
    CallStatus,
    CampaignNumber,
    HostedCampaignSpec,
    MaskedCallRequest,
    OutboundCallRequest,
)
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.fakes.ivrsolutions_shapes import OPTIONAL_ROW_FIELDS
from tests.providers.ivrsolutions_doc_requests import (
    CUSTOMER,
    ROUTES,
    Check,
    c2c,
    click,
    ist,
    make_dialer,
)
from tests.providers.ivrsolutions_support import DID, TOKEN, make_provider


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
    rows = list(provider.call_logs(since=ist("2024-12-01"), until=ist("2024-12-31")))
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
    assert first.occurred_at == ist("2024-12-15", "10:30:45")
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
    c2c(make_provider(fake))
    fake.advance(600)


ANSWERS: dict[str, Check] = {
    "overview-c2c_post.json": _answer("/api/c2c_post", _placed("123456", click)),
    "c2c_post.json": _answer("/api/c2c_post", _placed("123456", click)),
    # The GET form answers alike; the adapter posts, to the same path.
    "c2c_post_get.json": _answer("/api/c2c_post", _placed("123456", click)),
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
        prepare=lambda f: make_dialer(make_provider(f)),
    ),
    "add_to_ivrdialerbulk.json": _answer("add_to_ivrdialerbulk", _numbers_added),
    "change_dialer_status.json": _answer("change_dialer_status", lambda p: p.campaign_start("101")),
    "get_customer_lists.json": _fake_answers_alike("get_customer_lists"),
    "create_customer_list.json": _fake_answers_alike(
        "create_customer_list", {"listname": "January Campaign 2025"}
    ),
    "create_text_dialer.json": _answer("create_text_dialer", _new_dialer),
    "edit_text_dialer.json": _fake_answers_alike(
        "edit_text_dialer", {"id": 101}, prepare=lambda f: make_dialer(make_provider(f))
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
