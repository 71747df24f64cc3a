from __future__ import annotations

import secrets

from django.conf import settings

from telephony.models import ProviderAccount
from telephony.providers.base import AccountConfig, Provider
from telephony.providers.registry import provider_class


def account_config(account: ProviderAccount) -> AccountConfig:
    from telephony.guard import AccountGuard

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
    from callcenter.audit import audit_log

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
    from telephony import crypto

    count = 0
    for account in ProviderAccount.objects.all():
        account.credentials_encrypted = crypto.rotate(account.credentials_encrypted)
        account.webhook_secrets_encrypted = crypto.rotate(account.webhook_secrets_encrypted)
        account.save(update_fields=["credentials_encrypted", "webhook_secrets_encrypted"])
        count += 1
    return count
