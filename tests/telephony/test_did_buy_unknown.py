"""Buying a DID whose answer cannot be read: the provider may have sold it, so it is never
bought twice; the provider's list of owned numbers settles it."""

import pytest

from callcenter.services.errors import ServiceError
from telephony.models import DID, ProviderAccount
from telephony.services.dids import did_buy, dids_search, dids_settle_unconfirmed
from tests.fakes import ivrsolutions

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    server = ivrsolutions.Fake().start()
    yield server
    server.stop()


@pytest.fixture
def ivr_account(fake):
    from telephony.services.accounts import account_create

    return account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": fake.api_token},
        base_url=fake.url,
    )


def _offer(account: ProviderAccount) -> str:
    return dids_search(account=account, region="Delhi")[0].number


@pytest.mark.parametrize("fault", ["acted_garbage", "acted_body"])
def test_an_unreadable_buy_is_unconfirmed_then_confirmed_by_the_owned_list(
    fake, ivr_account, fault
):
    number = _offer(ivr_account)
    fake.inject(fault, path_contains="buy_did", body={"status": True})
    with pytest.raises(ServiceError, match="did not confirm the purchase"):
        did_buy(actor=None, account=ivr_account, number=number, region="Delhi")
    did = DID.objects.get(account=ivr_account, number=number)
    assert did.status == DID.Status.UNKNOWN
    # Not offered, and so not bought, again while in doubt.
    assert number not in {d.number for d in dids_search(account=ivr_account, region="Delhi")}
    with pytest.raises(ServiceError):
        did_buy(actor=None, account=ivr_account, number=number, region="Delhi")
    assert len(fake.requests_to("buy_did")) == 1
    assert dids_settle_unconfirmed(account=ivr_account) == (1, 0)
    did.refresh_from_db()
    assert did.status == DID.Status.ACTIVE


def test_an_unreadable_buy_that_did_not_happen_is_removed_by_the_check(fake, ivr_account):
    number = _offer(ivr_account)
    fake.inject("garbage", path_contains="buy_did")  # answered before acting
    with pytest.raises(ServiceError, match="did not confirm"):
        did_buy(actor=None, account=ivr_account, number=number, region="Delhi")
    assert dids_settle_unconfirmed(account=ivr_account) == (0, 1)
    assert not DID.objects.filter(account=ivr_account, number=number).exists()
    assert number in {d.number for d in dids_search(account=ivr_account, region="Delhi")}
