"""OutboundCalls.ai credit amounts: the doc shows no balance answer and no credits.low
payload, so a balance of 1234, 1234.5 or "1234.50" is the same kind of thing, through the
adapter, the credit sync and the low-credit alert."""

import json
from decimal import Decimal

import pytest

from callcenter.web.context import _low_credit_accounts
from telephony.models import ProviderAccount, WebhookEvent
from telephony.providers.base import ProviderError
from telephony.services.inbox import inbox_receive
from telephony.services.sync import sync_credits
from tests.providers.outboundcalls_support import bare_provider, make_account
from tests.providers.outboundcalls_support import fake_fixture as fake_fixture

# (as the provider may send it, as we keep it)
AMOUNTS = [(1000, "1000"), (1234.5, "1234.5"), ("1234.50", "1234.50"), (" 12.0 ", "12.0")]


def _balance(fake, balance, total=None):
    fake.canned("/credits/balance", json.dumps({"balance": balance}).encode())
    if total is not None:
        fake.canned("/credits/usage", json.dumps({"data": [], "total_credits": total}).encode())


@pytest.mark.parametrize(("sent", "kept"), AMOUNTS)
def test_a_balance_as_int_float_or_numeric_text_is_read(fake, sent, kept):
    _balance(fake, sent, total=sent)
    credits = bare_provider(fake).credits()
    assert (credits.balance, credits.used_this_period) == (kept, kept)
    assert Decimal(credits.balance) == Decimal(str(sent).strip())


@pytest.mark.parametrize("sent", ["lots", True, None, "NaN", "Infinity", [5], {"amount": 5}])
def test_a_balance_that_is_no_amount_is_a_clear_error(fake, sent):
    _balance(fake, sent)
    with pytest.raises(ProviderError, match="balance without a number") as caught:
        bare_provider(fake).credits()
    assert not caught.value.permanent  # the next sync asks again


def test_an_unreadable_usage_is_not_known_rather_than_an_error(fake):
    _balance(fake, 1234.5, total="n/a")
    assert bare_provider(fake).credits().used_this_period is None


def test_every_amount_shape_of_the_fake_is_read(fake):
    # The fake answers its whole balance as 1000, 1000.0 and "1000.00" in turn.
    seen = {bare_provider(fake).credits().balance for _ in range(3)}
    assert seen == {"1000", "1000.0", "1000.00"}
    assert {Decimal(b) for b in seen} == {Decimal(fake.credits)}


def _account(fake):
    account = make_account(fake)
    ProviderAccount.objects.filter(pk=account.pk).update(low_credit_threshold=2000)
    return account


@pytest.mark.django_db
@pytest.mark.parametrize(("sent", "kept"), AMOUNTS[1:3])
def test_credit_sync_stores_a_fractional_balance_and_raises_the_alert(fake, sent, kept):
    account = _account(fake)
    _balance(fake, sent, total=0)
    sync_credits(account=account)
    account.refresh_from_db()
    assert account.credits_balance == Decimal(kept)
    assert ("OutboundCalls", Decimal(kept)) in _low_credit_accounts()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("balance", "threshold", "stored"),
    [
        (1234.5, 1500, (Decimal("1234.50"), Decimal("1500"))),
        ("1234.50", "1500.00", (Decimal("1234.50"), Decimal("1500"))),
        (42, 100, (Decimal("42"), Decimal("100"))),
        ("lots", "many", (None, None)),  # unreadable: nothing stored, the event applies
    ],
)
def test_a_credits_low_event_stores_its_balance_and_threshold(fake, balance, threshold, stored):
    account = _account(fake)
    ProviderAccount.objects.filter(pk=account.pk).update(low_credit_threshold=None)
    payload = {
        "id": f"evt_{balance}",
        "event": "credits.low",
        "created_at": "2026-01-05T10:01:00Z",
        "data": {"balance": balance, "threshold": threshold},
    }
    body = json.dumps(payload).encode()
    assert inbox_receive(token=account.webhook_token, body=body, headers={}).stored == 1
    account.refresh_from_db()
    assert (account.credits_balance, account.low_credit_threshold) == stored
    assert WebhookEvent.objects.get(account=account).state == WebhookEvent.State.APPLIED
    if stored[0] is not None:
        assert [name for name, _ in _low_credit_accounts()] == ["OutboundCalls"]
