"""Per-contact export (JSON + recordings, zipped) and erase, with the number kept un-callable."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from callcenter.services.errors import ServiceError
from campaigns.dialer.checks import DialChecks
from campaigns.models import CampaignAttempt, CampaignDNCEntry, CampaignEntry
from campaigns.selectors.campaigns import campaign_preview
from contacts.models import Contact, DNCEntry, ErasedNumber
from contacts.services.dnc import dnc_numbers, number_hash
from telephony.models import Call, Callback, MaskedSession, Recording, WebhookEvent
from telephony.services.calls import call_click_to_call
from telephony.services.privacy import contact_erase
from tests import factories
from tests.campaigns.factories import make_campaign, make_list
from tests.security.conftest import add_recording, make_call
from tests.telephony.test_inbox import _post

PHONE = "+919876500001"


@pytest.fixture
def history(account, agent, contact):
    contact.email = "asha@example.com"
    contact.variables = {"order_id": "A-17"}
    contact.save()
    call = make_call(
        account,
        agent=agent,
        contact=contact,
        provider_call_id="sbx-call-1",
        note="Wants a callback about her loan",
        transcript=[{"speaker": "customer", "text": "My account number is 1234"}],
        summary="Customer asked about a loan",
        recording_url="https://sandbox.invalid/recordings/sbx-call-1.wav",
        last_payload={"to": PHONE},
    )
    recording = add_recording(call)
    WebhookEvent.objects.create(
        account=account,
        dedupe_key="sbx-call-1:9",
        provider_call_id="sbx-call-1",
        body=json.dumps({"call_id": "sbx-call-1", "summary": "Customer asked about a loan"}),
        state=WebhookEvent.State.APPLIED,
    )
    # An inbound call from the same number that was never linked to the contact.
    stray = make_call(account, call_type=Call.Type.INBOUND, direction="inbound", note="walk-in")
    Call.objects.filter(pk=stray.pk).update(from_number=PHONE)
    Callback.objects.create(contact=contact, due_at=call.created_at, note="ring after 5pm")
    return call, recording, stray


def test_export_is_a_zip_of_json_and_recordings(client, admin_user, contact, history):
    call, recording, stray = history
    client.force_login(admin_user)
    response = client.post(reverse("telephony:contact_export", args=[contact.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="contact-{contact.pk}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    document = json.loads(archive.read("contact.json"))
    assert document["contact"]["phone"] == PHONE
    assert document["contact"]["variables"] == {"order_id": "A-17"}
    assert {c["id"] for c in document["calls"]} == {call.pk, stray.pk}
    mine = next(c for c in document["calls"] if c["id"] == call.pk)
    assert mine["note"] == "Wants a callback about her loan"
    assert mine["transcript"][0]["text"] == "My account number is 1234"
    assert archive.read(mine["recording"]) == b"RIFF-test-audio"
    assert document["callbacks"][0]["note"] == "ring after 5pm"
    assert AuditEntry.objects.filter(action="contact.export", object_id=str(contact.pk)).exists()


def test_export_is_post_only(client, admin_user, contact):
    client.force_login(admin_user)
    assert client.get(reverse("telephony:contact_export", args=[contact.pk])).status_code == 405


def test_erase_blanks_personal_fields_recordings_and_files(
    client, supervisor, account, contact, history, django_capture_on_commit_callbacks
):
    call, recording, stray = history
    DNCEntry.objects.create(phone=PHONE, reason="asked")
    masked = MaskedSession.objects.create(
        account=account, did=factories.make_did(account), party_a="+919876500009", party_b=PHONE
    )
    file_name = recording.file.name
    assert default_storage.exists(file_name)
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("telephony:contact_erase", args=[contact.pk]), {"confirm": "erase"}
        )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.erased_at is not None and contact.opted_out
    assert (contact.name, contact.phone, contact.email, contact.variables) == ("", "", "", {})
    for erased in Call.objects.filter(pk__in=[call.pk, stray.pk]):
        assert PHONE not in (erased.to_number, erased.from_number)
        assert (erased.note, erased.summary, erased.transcript) == ("", "", [])
        assert (erased.last_payload, erased.recording_url) == ({}, "")
    assert not Recording.objects.filter(pk=recording.pk).exists()
    assert not default_storage.exists(file_name)
    event = WebhookEvent.objects.get(dedupe_key="sbx-call-1:9")
    assert event.body == "" and "loan" not in json.dumps(event.update)
    assert Callback.objects.get(contact=contact).note == ""
    masked.refresh_from_db()
    assert masked.party_b == ""
    # The plain DNC entry is replaced by the hash: the number is nowhere in clear.
    assert not DNCEntry.objects.filter(phone=PHONE).exists()
    assert ErasedNumber.objects.filter(phone_hash=number_hash(PHONE)).exists()
    entry = AuditEntry.objects.get(action="contact.erase")
    assert PHONE not in entry.summary and entry.actor == supervisor


def test_erased_number_stays_uncallable_by_click_to_call(client, admin_user, agent, contact):
    contact_erase(user=admin_user, contact=contact)
    again = factories.make_contact(PHONE, name="Asha again")  # e.g. re-imported later
    assert dnc_numbers([PHONE, "+919876500002"]) == {PHONE}
    with pytest.raises(ServiceError, match="do-not-call"):
        call_click_to_call(user=agent.user, contact=again)
    client.force_login(admin_user)
    page = client.get(reverse("contacts:detail", args=[again.pk])).content.decode()
    assert 'data-testid="on-dnc"' in page


def test_erased_number_is_skipped_by_the_dialer_and_the_preview(admin_user, account, settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    contact_list = make_list([PHONE, "+919876500002"])
    campaign = make_campaign(account=account, lists=[contact_list])
    erased = Contact.objects.get(phone=PHONE)
    entry = CampaignEntry.objects.create(campaign=campaign, contact=erased, phone=PHONE)
    CampaignAttempt.objects.create(entry=entry, number=1, phone=PHONE)
    CampaignDNCEntry.objects.create(campaign=campaign, phone=PHONE)
    contact_erase(user=admin_user, contact=erased)
    entry.refresh_from_db()
    assert entry.phone == ""
    assert CampaignAttempt.objects.get(entry=entry).phone == ""
    assert not CampaignDNCEntry.objects.filter(phone=PHONE).exists()
    # The same person imported into a new list is still refused at dial time.
    fresh_list = make_list([PHONE])
    fresh = fresh_list.contacts.get()
    campaign.lists.add(fresh_list)
    new_entry = CampaignEntry.objects.create(campaign=campaign, contact=fresh, phone=PHONE)
    checks = DialChecks(campaign, [new_entry], timezone.now())
    assert checks.verdict(new_entry, {}) == ("skip", "dnc")
    assert ("On the do-not-call list", 1) in campaign_preview(campaign)["reasons"]


def test_redelivered_webhook_does_not_refill_an_erased_call(
    client, admin_user, account, contact, history
):
    call, _, _ = history
    contact_erase(user=admin_user, contact=contact)
    body = {"event_id": "sbx-call-1:9", "call_id": "sbx-call-1", "event": "completed"}
    body["summary"] = "Customer asked about a loan"
    assert _post(client, account, body).status_code == 200
    call.refresh_from_db()
    assert call.summary == ""


def test_erase_needs_confirmation_and_happens_once(client, admin_user, contact):
    client.force_login(admin_user)
    url = reverse("telephony:contact_erase", args=[contact.pk])
    client.post(url, {})
    contact.refresh_from_db()
    assert contact.erased_at is None and contact.name == "Asha Sharma"
    client.post(url, {"confirm": "erase"})
    with pytest.raises(ServiceError, match="already been erased"):
        contact_erase(user=admin_user, contact=Contact.objects.get(pk=contact.pk))
    assert AuditEntry.objects.filter(action="contact.erase").count() == 1


def test_agents_cannot_export_or_erase(client, agent, contact):
    client.force_login(agent.user)
    for name in ("telephony:contact_export", "telephony:contact_erase"):
        response = client.post(reverse(name, args=[contact.pk]), {"confirm": "erase"})
        assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.erased_at is None


def test_erased_number_gets_no_sms_either(admin_user, account, contact):
    from telephony.services.sms import sms_send

    contact_erase(user=admin_user, contact=contact)
    again = factories.make_contact(PHONE, name="Asha again")
    with pytest.raises(ServiceError, match="opted out"):
        sms_send(user=admin_user, account=account, contact=again, text="Hello")
