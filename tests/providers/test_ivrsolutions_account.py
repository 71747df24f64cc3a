"""The IVR Solutions adapter's account endpoints over real HTTP against its fake: agents and
extensions, DIDs, TTS templates, hosted campaigns (text dialers) and dispositions."""

import json
import re
from datetime import date, timedelta

import pytest

from telephony.providers.base import (
    AgentSpec,
    AmbiguousOutcome,
    CallStatus,
    CampaignNumber,
    CapabilityMissing,
    ClickToCallRequest,
    HostedCampaignSpec,
    InvalidRequest,
)
from telephony.providers.ivrsolutions.format import window_in_provider_tz
from tests.fakes.base import FakeResponse
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.providers.ivrsolutions_support import (
    CUSTOMER,
    DID,
    TOKEN,
    make_provider,
    sent,
)
from tests.providers.ivrsolutions_support import fake_fixture as fake_fixture
from tests.providers.ivrsolutions_support import provider_fixture as provider_fixture


def _spec(**kw) -> AgentSpec:
    values = {
        "name": "Asha Rao",
        "phone": "+919812345678",
        "email": "asha@example.com",
        "password": "Secure@123",
    }
    return AgentSpec(**(values | kw))


# -- agents and extensions -------------------------------------------------------------------
def test_agent_create_sends_the_doc_fields_and_assigns_the_did(fake, provider):
    created = provider.agent_create(_spec(did_number="+918043104568"))
    assert (created.provider_id, created.extension) == ("452", "2103")
    assert json.loads(sent(fake, "add_agent")[0].body) == {
        "name": "Asha Rao",
        "email": "asha@example.com",
        "phonenumber": "9812345678",  # the doc: 10 digits
        "password": "Secure@123",
    }
    listed = {a.extension: a for a in provider.agents_list()}
    assert listed["2103"].did_number == "+918043104568"
    assert listed["2103"].phone == "+919812345678"


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("", "needs a login password"),
        ("secure@123", "an uppercase letter"),
        ("SECURE@123", "a lowercase letter"),
        ("Secure@abc", "a number"),
        ("Secure1234", "a special character"),
    ],
)
def test_agent_password_policy_refuses_before_sending(fake, provider, password, missing):
    with pytest.raises(InvalidRequest, match=missing):
        provider.agent_create(_spec(password=password))
    assert fake.requests == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "+14155552671"}, "10-digit Indian number"),
        ({"email": "asha"}, "email address"),
        ({"name": " "}, "agent's name"),
    ],
)
def test_agent_fields_the_doc_requires_are_checked_before_sending(fake, provider, changes, message):
    with pytest.raises(InvalidRequest, match=message):
        provider.agent_create(_spec(**changes))
    assert fake.requests == []


def test_extensions_are_disabled_given_an_expiry_and_a_did(fake, provider):
    provider.extension_set_enabled(extension="2102", enabled=False)
    provider.extension_set_expiry(extension="2102", expires_on=date(2031, 12, 31))
    provider.extension_assign_did(extension="2102", did_number="+918043104568")
    agent = next(a for a in provider.agents_list() if a.extension == "2102")
    assert (agent.enabled, agent.expires_on, agent.did_number) == (
        False,
        "2031-12-31",
        "+918043104568",
    )
    provider.extension_set_enabled(extension="2102", enabled=True)
    assert next(a for a in provider.agents_list() if a.extension == "2102").enabled


def test_agent_edit_and_delete_are_declared_missing_with_reasons(provider):
    with pytest.raises(CapabilityMissing, match="cannot edit an agent"):
        provider.agent_update("450", _spec())
    with pytest.raises(CapabilityMissing, match="disable the agent's extension"):
        provider.agent_delete("450")


# -- DIDs ---------------------------------------------------------------------------------
def test_dids_are_listed_searched_by_region_name_and_bought(fake, provider):
    assert [d.number for d in provider.dids_owned()] == [DID, "+918043104568"]
    assert provider.did_regions()[:2] == ["Delhi", "Bangalore"]
    found = provider.dids_search(region="Delhi", pattern="4310")
    assert found and all("4310" in d.number for d in found)
    assert found[0].monthly_cost == "500" and found[0].region == "Delhi"
    assert json.loads(sent(fake, "search_did")[0].body)["region"] == "1"
    bought = provider.did_buy(found[0].number)
    assert bought.number == found[0].number
    assert json.loads(sent(fake, "buy_did")[0].body)["country"] == "IN"
    assert bought.number in {d.number for d in provider.dids_owned()}


def test_did_search_without_results_or_region(provider):
    assert provider.dids_search(region="2", pattern="99999999") == []
    with pytest.raises(InvalidRequest, match="one region at a time"):
        provider.dids_search()
    with pytest.raises(InvalidRequest, match="no DID region called 'Atlantis'"):
        provider.dids_search(region="Atlantis")


def test_a_did_purchase_is_never_retried_and_says_what_to_check(fake, provider):
    number = provider.dids_search(region="Delhi")[0].number
    fake.inject("500", path_contains="buy_did")
    with pytest.raises(AmbiguousOutcome, match=re.escape(f"sending the purchase of {number}")):
        provider.did_buy(number)
    assert len(sent(fake, "buy_did")) == 1


# -- TTS templates ---------------------------------------------------------------------------
def test_templates_are_created_pending_listed_and_approved_later(fake, provider):
    created = provider.tts_template_create(name="otp", text="Your OTP is {otp}", language="en")
    assert (created.provider_id, created.status) == ("otp", "pending")
    assert {t.name: t.status for t in provider.tts_templates_list()} == {
        "api_order_confirm": "approved",
        "otp": "pending",
    }
    fake.advance(61)  # the fake approves a minute after creation
    assert provider.tts_template_status("otp").status == "approved"
    with pytest.raises(InvalidRequest, match="Template not found"):
        provider.tts_template_status("nope")


# -- hosted campaigns (text dialers) ---------------------------------------------------------
def _dialer(provider, **kw) -> str:
    spec = {
        "name": "Reminders",
        "did_number": DID,
        "template_name": "api_order_confirm",
        "window_start": "00:00",
        "window_end": "23:59",
        "time_zone": "Asia/Kolkata",
        "concurrency": 3,
    }
    return provider.campaign_create(HostedCampaignSpec(**(spec | kw)))


def test_campaign_create_resolves_the_template_id_and_converts_the_window(fake, provider):
    provider_id = _dialer(provider, window_start="09:00", window_end="17:30", time_zone="UTC")
    assert provider_id == "101"
    body = json.loads(sent(fake, "create_text_dialer")[0].body)
    assert body == {
        "name": "Reminders",
        "did_no": DID,
        "no_of_call": 3,
        "start_time": "14:30",  # 09:00 UTC in IST
        "end_time": "23:00",
        "text_template_id": 101,
    }
    with pytest.raises(InvalidRequest, match="no text template called 'nope'"):
        _dialer(provider, template_name="nope")


def test_bulk_of_250_numbers_goes_in_three_requests_of_at_most_100(fake, provider):
    provider_id = _dialer(provider)
    numbers = [CampaignNumber(f"+9198765{i:05d}", reference=str(i)) for i in range(250)]
    numbers += [CampaignNumber("+919876500000", "dup"), CampaignNumber("+9112", "bad")]
    result = provider.campaign_add_numbers(provider_id, numbers)
    sizes = [len(json.loads(r.body)["numbers"]) for r in sent(fake, "add_to_ivrdialerbulk")]
    assert sizes == [100, 100, 50]
    assert (result.accepted, result.duplicates) == (250, 1)
    assert [number for number, _ in result.rejected] == ["+9112"]
    first = json.loads(sent(fake, "add_to_ivrdialerbulk")[0].body)["numbers"][0]
    assert first == {"number": "09876500000", "name": ""}


def test_a_bulk_push_that_fails_midway_says_how_many_went_in():
    class SecondChunkFails(IVRSolutionsFake):
        pushes = 0

        def ep_add_to_ivrdialerbulk(self, p):
            self.pushes += 1
            if self.pushes == 2:
                return FakeResponse(500, {"status": 500, "message": "Internal server error"})
            return super().ep_add_to_ivrdialerbulk(p)

    server = SecondChunkFails(api_token=TOKEN).start()
    try:
        provider = make_provider(server)
        numbers = [CampaignNumber(f"+9198765{i:05d}", reference=str(i)) for i in range(150)]
        with pytest.raises(AmbiguousOutcome, match="numbers 101-150 to dialer 101.* 100 numbers"):
            provider.campaign_add_numbers(_dialer(provider), numbers)
        assert len(sent(server, "add_to_ivrdialerbulk")) == 2  # never resent
    finally:
        server.stop()


def test_campaign_runs_pauses_resumes_and_reports_results(fake, provider):
    provider_id = _dialer(provider)
    numbers = ["+919876543210", "+919876543211"]
    fake.force_outcome(numbers[0], "answered")
    fake.force_outcome(numbers[1], "no_answer")
    provider.campaign_add_numbers(provider_id, [CampaignNumber(n, n) for n in numbers])
    assert provider.campaign_status(provider_id).status == "paused"  # "off" with numbers
    provider.campaign_start(provider_id)
    fake.advance(1200)
    results = {u.to_number: u for u in provider.campaign_results(provider_id)}
    assert results[numbers[0]].status is CallStatus.COMPLETED
    assert results[numbers[1]].status is CallStatus.NO_ANSWER
    status = provider.campaign_status(provider_id)
    assert (status.status, status.total, status.completed, status.pending) == (
        "completed",
        2,
        2,
        0,
    )
    provider.campaign_pause(provider_id)
    provider.campaign_resume(provider_id)
    provider.campaign_stop(provider_id)
    words = [json.loads(r.body)["status"] for r in sent(fake, "change_dialer_status")]
    assert words == ["on", "off", "on", "off"]  # the doc has no pause: pause is "off"
    with pytest.raises(InvalidRequest, match="no dialer 999"):
        provider.campaign_status("999")


# -- dispositions ----------------------------------------------------------------------------
def test_dispositions_are_listed_and_pushed_as_a_call_note(fake, provider):
    codes = {d.code: d.label for d in provider.list_dispositions()}
    assert codes["1"] == "Interested" and len(codes) == 7
    call_id = provider.click_to_call(ClickToCallRequest("2101", "", CUSTOMER, DID, "1"))
    call_id = call_id.provider_call_id
    fake.advance(600)
    # update_call_note takes the "Record ID from call_log API or webhook", not the logid.
    (row,) = provider.call_logs(since=fake.clock - timedelta(hours=1), until=fake.clock)
    record = row.provider_call_id
    assert record != call_id and record == provider.record_id_of(row.raw)
    provider.push_disposition(
        provider_call_id=record, disposition="3", note="Call Monday", call_type="click_to_call"
    )
    call = fake.calls[call_id]
    assert (call.disposition_id, call.note) == (3, "Call Monday")
    body = json.loads(sent(fake, "update_call_note")[0].body)
    assert body == {
        "record_id": record,
        "call_status": 3,
        "call_type": "c2c",
        "call_remark": "Call Monday",
    }
    with pytest.raises(InvalidRequest, match="status ID from its call status list"):
        provider.push_disposition(provider_call_id=record, disposition="callback", note="")
    with pytest.raises(InvalidRequest, match="not a call record"):  # the logid names none
        provider.push_disposition(provider_call_id=call_id, disposition="3", note="")


def test_window_conversion_crosses_midnight():
    assert window_in_provider_tz("20:00", "UTC") == "01:30"
    assert window_in_provider_tz("09:15", "") == "09:15"
    with pytest.raises(InvalidRequest, match="not HH:MM"):
        window_in_provider_tz("9am", "UTC")
