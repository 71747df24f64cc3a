"""Syncing a provider's dispositions maps them onto ours instead of adding look-alikes."""

import pytest

from callcenter.models import AuditEntry
from telephony.models import Disposition
from telephony.services.accounts import account_create
from telephony.services.dispositions import disposition_key, dispositions_sync
from tests.fakes.ivrsolutions import IVRSolutionsFake


@pytest.fixture
def ivr(db):
    fake = IVRSolutionsFake().start()
    account = account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        base_url=fake.url,
        credentials={"api_token": fake.api_token},
    )
    yield account
    fake.stop()


@pytest.mark.parametrize(
    ("a", "b"),
    [("Call Back Later", "callback"), ("DND", "Do not call"), ("Not Interested", "not-interested")],
)
def test_look_alike_names_share_one_key(a, b):
    assert disposition_key(a) == disposition_key(b)


def test_sync_maps_the_providers_list_onto_ours(ivr, admin_user):
    # The fake's list: Interested, Not Interested, Call Back Later, Wrong Number, DND,
    # Converted, Follow Up Required, under numeric ids 1..7.
    result = dispositions_sync(actor=admin_user, account=ivr)
    assert (result.added, result.matched) == (2, 5)
    assert Disposition.objects.filter(label__iexact="interested").count() == 1
    by_code = {d.code: d for d in Disposition.objects.all()}
    assert by_code["callback"].schedules_callback and by_code["callback"].code_for(ivr.pk) == "3"
    assert by_code["dnd"].adds_to_dnc and by_code["dnd"].code_for(ivr.pk) == "5"
    assert by_code["interested"].code_for(ivr.pk) == "1"
    assert by_code["converted"].code_for(ivr.pk) == "6"
    again = dispositions_sync(actor=admin_user, account=ivr)
    assert (again.added, again.matched) == (0, 7)
    assert (
        "2 added, 5 matched"
        in AuditEntry.objects.filter(action="disposition.sync").order_by("pk").first().summary
    )


def test_sync_gives_a_new_provider_disposition_the_flags_its_name_implies(ivr, admin_user):
    Disposition.objects.filter(code__in=["dnd", "callback"]).delete()
    dispositions_sync(actor=admin_user, account=ivr)
    dnd = Disposition.objects.get(label="DND")
    call_back = Disposition.objects.get(label="Call Back Later")
    assert dnd.adds_to_dnc and not dnd.schedules_callback
    assert call_back.schedules_callback and not call_back.adds_to_dnc


def test_sync_folds_look_alikes_an_earlier_sync_added(ivr, admin_user):
    Disposition.objects.create(code="1", label="Interested", sort_order=200)
    Disposition.objects.create(code="3", label="Call Back Later", sort_order=200)
    result = dispositions_sync(actor=admin_user, account=ivr)
    assert result.merged == 2 and result.added == 2
    active = Disposition.objects.filter(active=True)
    assert active.filter(label__iexact="interested").count() == 1
    assert active.filter(label__iexact="call back later").count() == 1
    assert not Disposition.objects.get(code="1").active


def test_sync_does_not_bring_back_a_disposition_an_admin_retired(ivr, admin_user):
    Disposition.objects.filter(code="wrong-number").update(active=False)
    dispositions_sync(actor=admin_user, account=ivr)
    assert list(
        Disposition.objects.filter(label__iexact="wrong number").values_list("active", flat=True)
    ) == [False]
