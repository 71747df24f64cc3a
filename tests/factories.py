"""Small factories: plain functions with sensible defaults, overridable by keyword."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group, User

from contacts.models import Contact
from telephony.models import DID, Agent, Extension, ProviderAccount
from telephony.services.accounts import account_create

_seq = itertools.count(1)


def make_user(role: str | None = "agent", **kwargs) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        kwargs.pop("username", f"{role or 'user'}{n}"), password="pw-Secret-123", **kwargs
    )
    if role:
        # get_or_create: a transactional test may run after another one flushed the groups
        # (tests that need the groups' permissions use the `reference_data` fixture).
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_account(kind: str = "sandbox", **kwargs) -> ProviderAccount:
    return account_create(
        actor=None,
        kind=kind,
        name=kwargs.pop("name", f"{kind} {next(_seq)}"),
        credentials={},
        **kwargs,
    )


def make_did(account: ProviderAccount, number: str | None = None) -> DID:
    number = number or f"+9111431{next(_seq):05d}"
    return DID.objects.create(account=account, number=number, region="Delhi")


def make_agent(account: ProviderAccount | None = None, *, user: User | None = None, **ext) -> Agent:
    """An agent with an enabled extension over a DID (override with extension kwargs)."""
    account = account or make_account()
    # Ready, as a logged-in agent at their desk is (the model's default is Offline).
    agent = Agent.objects.create(user=user or make_user("agent"), state=Agent.State.READY)
    ext.setdefault("did", make_did(account))
    Extension.objects.create(account=account, number=str(2000 + next(_seq)), agent=agent, **ext)
    return agent


def make_contact(phone: str = "+919876500001", **kwargs) -> Contact:
    kwargs.setdefault("name", "Asha Sharma")
    kwargs.setdefault("time_zone", "Asia/Kolkata")
    return Contact.objects.create(phone=phone, **kwargs)
