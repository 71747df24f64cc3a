"""IVR Solutions' doc examples of requests (see test_ivrsolutions_doc_examples.py): what
the adapter sends for the same call, and what the fake makes of the requests of endpoints
the adapter never calls. Also the set-up both halves of the cases share."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests

from telephony.providers.base import (
    AgentSpec,
    CampaignNumber,
    ClickToCallRequest,
    HostedCampaignSpec,
    MaskedCallRequest,
    OutboundCallRequest,
)
from telephony.providers.ivrsolutions.format import PROVIDER_TZ
from tests.fakes.ivrsolutions import PATHS as FAKE_PATHS
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.providers.ivrsolutions_support import DID, TOKEN, make_provider

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


def ist(day: str, time: str = "00:00:00") -> datetime:
    local = datetime.fromisoformat(f"{day} {time}").replace(tzinfo=PROVIDER_TZ)
    return local.astimezone(UTC)


def click(provider):
    return provider.click_to_call(ClickToCallRequest("2101", "", CUSTOMER, DID, "1"))


def c2c(provider) -> str:
    return click(provider).provider_call_id


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


def make_dialer(provider) -> str:
    return provider.campaign_create(
        HostedCampaignSpec(name="D", did_number=DID, template_name="api_order_confirm")
    )


def _bulk(provider, fake) -> None:
    numbers = [
        CampaignNumber("+919876543210", "1", name="John Doe", variables={"order_id": "ORD001"}),
        CampaignNumber("+919876543211", "2", name="Jane Smith", variables={"order_id": "ORD002"}),
        CampaignNumber("+919876543212", "3", name="Bob Wilson", variables={"order_id": "ORD003"}),
    ]
    provider.campaign_add_numbers(make_dialer(provider), numbers)


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
    c2c(provider)  # the fake's first call has the doc's record id, 12345
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
    "c2c_post.request.json": _sends("c2c_post", lambda p, f: c2c(p)),
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
        lambda p, f: list(p.call_logs(since=ist("2025-08-01"), until=ist("2025-08-31"))),
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
        "change_dialer_status", lambda p, f: p.campaign_start(make_dialer(p))
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
        lambda p, f: list(p.call_logs(since=ist("2024-12-01"), until=ist("2024-12-31"))),
    ),
    "dialer_logs.request.json": _sends(
        "dialer_logs", lambda p, f: p.campaign_results(make_dialer(p))
    ),
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

REQUESTS: dict[str, Check] = {
    **SENT,
    **{
        f"{name}.request.json": _fake_takes(f"{name}.request.json", why)
        for name, why in UNUSED_REQUESTS.items()
    },
}
