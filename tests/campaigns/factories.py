"""Campaign factories: a sandbox account, a DID, a TTS template, a list of contacts."""

from __future__ import annotations

import itertools
from datetime import time

from campaigns.models import Campaign, TTSTemplate
from contacts.models import Contact, ContactList
from telephony.models import DID, ProviderAccount
from tests import factories

_seq = itertools.count(1)


def make_list(phones: list[str], *, zone: str = "Asia/Kolkata", **variables) -> ContactList:
    contact_list = ContactList.objects.create(name=f"List {next(_seq)}")
    contacts = Contact.objects.bulk_create(
        Contact(phone=p, name=f"Contact {i}", time_zone=zone, variables=dict(variables))
        for i, p in enumerate(phones)
    )
    contact_list.contacts.add(*contacts)
    return contact_list


def phones(count: int, *, start: int = 0, suffix: str = "") -> list[str]:
    """Valid Indian mobile numbers; `suffix` picks a sandbox outcome (0002 = busy)."""
    if suffix:
        return [f"+91987{start + i:03d}{suffix}" for i in range(count)]
    return [f"+9198{start + i:08d}"[:13] for i in range(count)]


def make_campaign(
    *,
    account: ProviderAccount | None = None,
    lists: list[ContactList] = (),
    **kwargs,
) -> Campaign:
    account = account or factories.make_account()
    did = DID.objects.filter(account=account).first() or factories.make_did(account)
    if "tts_template" not in kwargs:
        kwargs["tts_template"] = TTSTemplate.objects.create(
            name=f"template {next(_seq)}", text="Hello {name}, order {order_id}.", account=account
        )
    kwargs.setdefault("did", did)
    kwargs.setdefault("name", f"Campaign {next(_seq)}")
    kwargs.setdefault("window_start", time(0, 0))
    kwargs.setdefault("window_end", time(23, 59))
    kwargs.setdefault("weekdays", [0, 1, 2, 3, 4, 5, 6])
    kwargs.setdefault("number_of_retries", 0)
    campaign = Campaign.objects.create(account=account, **kwargs)
    campaign.lists.set(lists)
    return campaign
