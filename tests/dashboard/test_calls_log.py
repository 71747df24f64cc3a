import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from telephony.models import Call, Disposition
from telephony.views.calls import csv_safe
from tests import factories

HX = {"HX-Request": "true"}


def _call(agent, **kwargs):
    kwargs.setdefault("call_type", Call.Type.CLICK_TO_CALL)
    return Call.objects.create(account=agent.extensions.get().account, agent=agent, **kwargs)


def test_filters_by_status_type_agent_and_disposition(supervisor_client, agent, other_agent):
    interested = Disposition.objects.get(code="interested")
    a = _call(agent, status="completed", disposition=interested, to_number="+919800000001")
    b = _call(agent, status="busy", to_number="+919800000002")
    c = _call(
        other_agent, status="completed", call_type=Call.Type.MASKED, to_number="+919800000003"
    )
    url = reverse("telephony:calls")

    def shown(params):
        body = supervisor_client.get(url, params, headers=HX).content.decode()
        return {n for n in ("+919800000001", "+919800000002", "+919800000003") if n in body}

    assert shown({"status": "completed"}) == {a.to_number, c.to_number}
    assert shown({"call_type": "masked"}) == {c.to_number}
    assert shown({"agent": agent.pk}) == {a.to_number, b.to_number}
    assert shown({"disposition": interested.pk}) == {a.to_number}
    assert b.pk


def test_date_range_filter(supervisor_client, agent):
    old = _call(agent, to_number="+919800000009")
    Call.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    _call(agent, to_number="+919800000008")
    today = timezone.localdate().isoformat()
    body = supervisor_client.get(reverse("telephony:calls"), {"date_from": today}).content.decode()
    assert "+919800000008" in body and "+919800000009" not in body


def test_campaign_filter_goes_through_the_attempts(supervisor_client, agent, contact):
    from campaigns.models import Campaign, CampaignAttempt, CampaignEntry

    campaign = Campaign.objects.create(name="Spring", account=agent.extensions.get().account)
    entry = CampaignEntry.objects.create(campaign=campaign, contact=contact, phone=contact.phone)
    mine = _call(agent, to_number="+919800000011")
    CampaignAttempt.objects.create(entry=entry, number=1, call=mine)
    _call(agent, to_number="+919800000012")
    body = supervisor_client.get(reverse("telephony:calls"), {"campaign": campaign.pk}).content
    assert b"+919800000011" in body and b"+919800000012" not in body


def test_keyset_pages_walk_every_call_once(supervisor_client, agent):
    numbers = [f"+9198000{i:05d}" for i in range(120)]
    account = agent.extensions.get().account
    Call.objects.bulk_create(
        Call(account=account, agent=agent, call_type=Call.Type.CLICK_TO_CALL, to_number=n)
        for n in numbers
    )
    seen, params = [], {}
    for _ in range(5):
        resp = supervisor_client.get(reverse("telephony:calls"), params, headers=HX)
        page = resp.context["page"]
        seen += [c.to_number for c in page["rows"]]
        if not page["next_cursor"]:
            break
        params = {"after": page["next_cursor"]}
    assert sorted(seen) == sorted(numbers) and len(seen) == len(set(seen))


def test_agent_sees_only_their_calls_in_log_and_export(agent_client, agent, other_agent):
    _call(agent, to_number="+919800000021")
    _call(other_agent, to_number="+919800000022")
    body = agent_client.get(reverse("telephony:calls")).content.decode()
    assert "+919800000021" in body and "+919800000022" not in body
    export = b"".join(agent_client.get(reverse("telephony:call_export")).streaming_content)
    assert b"+919800000021" in export and b"+919800000022" not in export


def test_csv_export_neutralises_formulas(supervisor_client, agent):
    contact = factories.make_contact(name='=HYPERLINK("http://evil")')
    _call(agent, contact=contact, note="@SUM(A1:A9)", to_number="+919800000031", status="completed")
    resp = supervisor_client.get(reverse("telephony:call_export"), {"status": "completed"})
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode())))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["Contact"] == '\'=HYPERLINK("http://evil")'
    assert record["Note"] == "'@SUM(A1:A9)"
    assert record["To"] == "+919800000031"  # a plain E.164 number cannot be a formula


def test_csv_safe_cases():
    assert csv_safe("-2+3") == "'-2+3"
    assert csv_safe("+1 (555) =1") == "'+1 (555) =1"
    assert csv_safe("\tcmd") == "'\tcmd"
    assert csv_safe("Asha") == "Asha" and csv_safe(None) == "" and csv_safe(42) == "42"


def test_export_without_filters_has_every_visible_call(supervisor_client, agent, other_agent):
    for i, owner in enumerate([agent, other_agent, agent]):
        _call(owner, to_number=f"+91980000004{i}")
    resp = supervisor_client.get(reverse("telephony:call_export"))
    rows = list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode())))
    assert sorted(r[6] for r in rows[1:]) == ["+919800000040", "+919800000041", "+919800000042"]
