from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from contacts.models import Contact, ContactList
from telephony.models import Agent, Call, ProviderAccount

pytestmark = pytest.mark.django_db


def _generate(seed: int) -> ContactList:
    call_command("generate_data", calls=300, contacts=40, agents=3, days=10, seed=seed, verbosity=0)
    return ContactList.objects.get(name=f"Generated data (seed {seed})")


def test_generate_data_builds_contacts_agents_and_calls_spread_over_the_days():
    contact_list = _generate(3)
    calls = Call.objects.filter(account__name=contact_list.name)
    assert contact_list.contacts.count() == 40
    assert Agent.objects.filter(user__username__startswith="gen3-").count() == 3
    assert calls.count() == 300
    oldest = calls.order_by("created_at").first().created_at
    assert timezone.now() - oldest > timedelta(days=5)  # not all stamped "now"
    assert calls.filter(contact__isnull=True).count() == 0
    assert {c.status for c in calls} >= {"completed", "no_answer"}


def test_generate_data_gives_the_same_rows_for_the_same_seed():
    first = _generate(4)
    rows = list(Contact.objects.filter(lists=first).order_by("id").values_list("phone", "name"))
    Call.objects.filter(account__name=first.name).delete()
    Contact.objects.filter(lists=first).delete()
    first.delete()
    Agent.objects.filter(user__username__startswith="gen4-").delete()
    User.objects.filter(username__startswith="gen4-").delete()
    account = ProviderAccount.objects.get(name=first.name)
    account.dids.all().delete()
    account.extensions.all().delete()
    account.delete()
    again = _generate(4)
    assert (
        list(Contact.objects.filter(lists=again).order_by("id").values_list("phone", "name"))
        == rows
    )


def test_generate_data_refuses_a_seed_already_used_in_the_database():
    _generate(5)
    with pytest.raises(CommandError, match="already exists"):
        _generate(5)
