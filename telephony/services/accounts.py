from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from callcenter.services.jobs import enqueue
from common.phones import normalize_phone
from telephony.models import DID, Agent, Extension, ProviderAccount, crypto
from telephony.providers.base import AccountConfig, Provider, ProviderError
from telephony.providers.registry import provider_class
from telephony.services.guard import AccountGuard


def account_config(account: ProviderAccount) -> AccountConfig:
    cls = provider_class(account.kind)
    # The sandbox makes no requests, so it needs no rate limiter or breaker.
    guard = None if account.kind == "sandbox" else AccountGuard(account, label=cls.label)
    return AccountConfig(
        account_id=account.pk,
        kind=account.kind,
        name=account.name,
        credentials=account.credentials,
        base_url=account.base_url,
        default_region=account.default_region,
        webhook_url=account.webhook_url,
        webhook_secrets=tuple(account.webhook_secrets),
        seed=settings.SANDBOX_SEED,
        speed=settings.SANDBOX_SPEED,
        webhook_tolerance=settings.WEBHOOK_TIMESTAMP_TOLERANCE,
        webhook_signature_header=account.webhook_signature_header,
        webhook_signature_required=account.webhook_signature_required,
        guard=guard,
    )


def provider_for(account: ProviderAccount) -> Provider:
    """The adapter for an account, configured with its (decrypted) credentials."""
    return provider_class(account.kind)(account_config(account))


def account_create(
    *,
    actor: object | None,
    kind: str,
    name: str,
    credentials: dict,
    default_region: str = "IN",
    base_url: str = "",
) -> ProviderAccount:
    """Create an account with a fresh webhook token and signing secret."""
    provider_class(kind)  # refuse unknown kinds before writing anything
    account = ProviderAccount(
        kind=kind, name=name, default_region=default_region, base_url=base_url
    )
    account.credentials = credentials
    account.webhook_secrets = [secrets.token_urlsafe(32)]
    account.save()
    audit_log(
        actor=actor, action="account.create", obj=account, summary=f"Added {kind} account {name}"
    )
    return account


def accounts_rotate_credentials() -> int:
    """Re-encrypt every account's secrets under the first key of CREDENTIALS_KEYS."""
    count = 0
    for account in ProviderAccount.objects.all():
        account.credentials_encrypted = crypto.rotate(account.credentials_encrypted)
        account.webhook_secrets_encrypted = crypto.rotate(account.webhook_secrets_encrypted)
        account.save(update_fields=["credentials_encrypted", "webhook_secrets_encrypted"])
        count += 1
    return count


def account_test(*, account: ProviderAccount, actor: object | None = None) -> tuple[bool, str]:
    """One cheap authenticated request; the outcome is stored for the account page."""
    try:
        ok, message = True, provider_for(account).test_connection()
    except ProviderError as exc:
        ok, message = False, exc.message
    ProviderAccount.objects.filter(pk=account.pk).update(
        last_test_at=timezone.now(), last_test_ok=ok, last_test_message=message[:300]
    )
    audit_log(
        actor=actor,
        action="account.test",
        obj=account,
        summary=f"Connection test of {account.name}: {'ok' if ok else 'failed'}",
    )
    return ok, message


def account_update(
    *, account: ProviderAccount, actor: object, changes: dict, ip: str | None = None
) -> ProviderAccount:
    """Change settings (limits, enabled, base URL, region) and, if given, credentials."""
    credentials = changes.pop("credentials", None)
    # A secret the provider gave us (OutboundCalls.ai shows its signing secret in its own
    # dashboard): it goes first, the previous one stays valid, as after a rotation.
    webhook_secret = changes.pop("webhook_secret", "")
    if webhook_secret:
        account.webhook_secrets = [webhook_secret, *account.webhook_secrets[:1]]
    for field, value in changes.items():
        setattr(account, field, value)
    if credentials:
        # Blank fields keep their stored value: the form never shows secrets back.
        account.credentials = {**account.credentials, **{k: v for k, v in credentials.items() if v}}
    account.save()
    audit_log(
        actor=actor,
        action="account.update",
        obj=account,
        ip=ip,
        summary=f"Updated {account.name}: {', '.join(sorted(changes)) or 'no settings'}"
        + (" and credentials" if credentials and any(credentials.values()) else "")
        + (" and the webhook signing secret" if webhook_secret else ""),
    )
    return account


def account_rotate_webhook_secret(
    *, account: ProviderAccount, actor: object, ip: str | None = None
) -> None:
    """A new signing secret goes first; the previous one stays valid until the next rotation."""
    account.webhook_secrets = [secrets.token_urlsafe(32), *account.webhook_secrets[:1]]
    account.save(update_fields=["webhook_secrets_encrypted"])
    audit_log(
        actor=actor,
        action="account.rotate_secret",
        obj=account,
        ip=ip,
        summary=f"Rotated the webhook secret of {account.name}",
    )


def account_sync_now(*, account: ProviderAccount, actor: object, ip: str | None = None) -> None:
    # Here, not at the top: sync imports this module (provider_for).
    from telephony.services.sync import SYNC_STEPS

    for what in SYNC_STEPS:
        enqueue("telephony.tasks.sync_account", account.pk, what)
    audit_log(
        actor=actor,
        action="account.sync",
        obj=account,
        ip=ip,
        summary=f"Asked for a sync of {account.name}",
    )


def account_attach_agent(
    *, account: ProviderAccount, username: str, extension: str, did_number: str
) -> None:
    """Scripted setups: give an agent an extension (and DID) on this account, disabling the
    agent's other extensions so click-to-call goes through this account."""
    agent = Agent.objects.filter(user__username=username).first()
    if agent is None:
        raise ServiceError(f"No agent with username {username!r}.")
    number = normalize_phone(did_number, region=account.default_region)
    with transaction.atomic():
        did, _ = DID.objects.get_or_create(account=account, number=number)
        agent.extensions.exclude(account=account).update(enabled=False)
        Extension.objects.update_or_create(
            account=account,
            number=extension,
            defaults={"agent": agent, "did": did, "enabled": True},
        )
        audit_log(
            actor=None,
            action="agent.attach",
            obj=agent,
            summary=f"{username} now calls through {account.name} ext {extension} over {number}",
        )
