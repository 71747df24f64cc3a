"""Agents and their extensions: the agent's own state, and what admins manage."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from callcenter.services.roles import AGENT
from telephony.models import DID, Agent, Call, Extension, ProviderAccount
from telephony.providers.base import ACTIVE_STATUSES, AgentSpec, Capability, ProviderError
from telephony.services.accounts import provider_for
from telephony.services.presence import user_sessions_end

# The states an agent may choose; "on a call" and "wrap-up" follow the calls themselves.
SELF_STATES = (Agent.State.READY, Agent.State.PAUSED, Agent.State.OFFLINE)
logger = logging.getLogger(__name__)
PAUSE_REASONS = ("Break", "Lunch", "Training", "Meeting", "Admin work")


def agent_for_user(user: Any) -> Agent:
    agent = Agent.objects.filter(user=user).first()
    if agent is None:
        raise ServiceError("You are not set up as an agent.")
    return agent


@transaction.atomic
def agent_set_state(*, user: Any, state: str, reason: str = "", ip: str | None = None) -> Agent:
    """The agent sets themselves ready, paused (with a reason) or offline."""
    agent = Agent.objects.select_for_update().get(pk=agent_for_user(user).pk)
    if state not in SELF_STATES:
        raise ServiceError("Choose Ready, Paused or Offline.")
    reason = reason.strip()[:100]
    if state == Agent.State.PAUSED and not reason:
        raise ServiceError("Say why you are pausing (break, lunch, training…).", field="reason")
    if Call.objects.filter(agent=agent, status__in=ACTIVE_STATUSES).exists():
        raise ServiceError("You are on a call. Change your state once it has ended.")
    if agent.state == state and agent.pause_reason == reason:
        return agent
    previous = agent.get_state_display()
    agent.state = state
    agent.pause_reason = reason if state == Agent.State.PAUSED else ""
    agent.state_since = timezone.now()
    agent.save(update_fields=["state", "pause_reason", "state_since"])
    audit_log(
        actor=user,
        action="agent.state",
        obj=agent,
        ip=ip,
        summary=f"{previous} → {agent.get_state_display()}" + (f" ({reason})" if reason else ""),
        data={"state": state, "reason": agent.pause_reason},
    )
    return agent


def agent_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str,
    password: str,
    account: ProviderAccount,
    extension_number: str,
    did: DID | None = None,
    phone: str = "",
    expires_on: date | None = None,
    ip: str | None = None,
) -> Agent:
    """A login in the agent role, its Agent row and an extension; on the provider too."""
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(f"The username “{username}” is taken.", field="username")
    if Extension.objects.filter(account=account, number=extension_number).exists():
        raise ServiceError(
            f"Extension {extension_number} already exists on {account}.", field="extension_number"
        )
    if did is not None and did.account_id != account.pk:
        raise ServiceError("The DID belongs to another provider account.", field="did")
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc
    provider_agent_id = _provider_agent(account, full_name, extension_number, phone, email, did)
    first, _, last = full_name.strip().partition(" ")
    with transaction.atomic():
        user = User.objects.create_user(
            username, email=email, password=password, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=AGENT))
        agent = Agent.objects.create(
            user=user, phone=phone, provider_agent_id=provider_agent_id, state=Agent.State.OFFLINE
        )
        extension = Extension.objects.create(
            account=account, number=extension_number, agent=agent, did=did, expires_on=expires_on
        )
        audit_log(
            actor=actor,
            action="agent.create",
            obj=agent,
            ip=ip,
            summary=f"Created agent {username} on ext {extension.number}"
            + (f" over {did.number}" if did else ""),
        )
    return agent


def _provider_agent(
    account: ProviderAccount, name: str, ext: str, phone: str, email: str, did: DID | None
) -> str:
    """Create the agent on providers that keep agents; others need nothing."""
    provider = provider_for(account)
    if not provider.supports(Capability.AGENTS):
        return ""
    spec = AgentSpec(
        name=name, extension=ext, phone=phone, email=email, did_number=did.number if did else ""
    )
    try:
        return provider.agent_create(spec).provider_id
    except ProviderError as exc:
        raise ServiceError(f"{account} refused the agent: {exc.message}") from exc


def agent_set_enabled(*, actor: Any, agent: Agent, enabled: bool, ip: str | None = None) -> Agent:
    """Disabling an agent disables their extensions and their login, and ends every
    session of theirs; enabling gives both back."""
    extensions = list(agent.extensions.select_related("account"))
    for ext in extensions:
        _on_provider(
            ext, lambda p, e=ext: p.extension_set_enabled(extension=e.number, enabled=enabled)
        )
    with transaction.atomic():
        agent.enabled = enabled
        fields = ["enabled"]
        if not enabled:
            agent.state, agent.state_since = Agent.State.OFFLINE, timezone.now()
            fields += ["state", "state_since"]
        agent.save(update_fields=fields)
        Extension.objects.filter(agent=agent).update(enabled=enabled)
        # An inactive user cannot log in (ModelBackend refuses them), and deleting their
        # sessions signs them out of every browser now rather than at the next request.
        User.objects.filter(pk=agent.user_id).update(is_active=enabled)
        agent.user.is_active = enabled
        ended = 0 if enabled else user_sessions_end(user=agent.user)
        audit_log(
            actor=actor,
            action="agent.enable" if enabled else "agent.disable",
            obj=agent,
            ip=ip,
            summary=f"{'Enabled' if enabled else 'Disabled'} agent {agent.user.get_username()}"
            + (f" and ended {ended} session(s)" if ended else ""),
        )
    return agent


def extension_set_expiry(
    *, actor: Any, extension: Extension, expires_on: date | None, ip: str | None = None
) -> Extension:
    if expires_on is not None:
        if expires_on < timezone.localdate():
            raise ServiceError("The expiry date is in the past.", field="expires_on")
        _on_provider(
            extension,
            lambda p: p.extension_set_expiry(extension=extension.number, expires_on=expires_on),
        )
    extension.expires_on = expires_on
    extension.save(update_fields=["expires_on"])
    audit_log(
        actor=actor,
        action="extension.expiry",
        obj=extension,
        ip=ip,
        summary=f"Ext {extension.number} expires "
        + (f"on {expires_on:%Y-%m-%d}" if expires_on else "never"),
    )
    return extension


def extension_set_did(
    *, actor: Any, extension: Extension, did: DID | None, ip: str | None = None
) -> Extension:
    if did is not None:
        if did.account_id != extension.account_id:
            raise ServiceError("The DID belongs to another provider account.", field="did")
        if did.status != DID.Status.ACTIVE:
            raise ServiceError(f"{did.number} has been released.", field="did")
        _on_provider(
            extension,
            lambda p: p.extension_assign_did(extension=extension.number, did_number=did.number),
        )
    extension.did = did
    extension.save(update_fields=["did"])
    audit_log(
        actor=actor,
        action="extension.did",
        obj=extension,
        ip=ip,
        summary=f"Ext {extension.number} now calls over {did.number if did else 'no DID'}",
    )
    return extension


def _on_provider(extension: Extension, action: Any) -> None:
    """Mirror a change on providers that keep extensions; others keep it here only."""
    provider = provider_for(extension.account)
    if not provider.supports(Capability.EXTENSIONS):
        return
    try:
        action(provider)
    except ProviderError as exc:
        raise ServiceError(f"{extension.account} refused the change: {exc.message}") from exc


def extensions_disable_expired(*, today: date | None = None) -> int:
    """Scheduled: disable every enabled extension whose expiry date has passed."""
    today = today or timezone.localdate()
    expired = list(
        Extension.objects.filter(enabled=True, expires_on__lt=today).select_related("account")
    )
    disabled = 0
    for ext in expired:
        with transaction.atomic():
            # Claim with a conditional update, so two runs never audit one expiry twice.
            if not Extension.objects.filter(pk=ext.pk, enabled=True).update(enabled=False):
                continue
            audit_log(
                actor=None,
                action="extension.expired",
                obj=ext,
                summary=f"Ext {ext.number} expired on {ext.expires_on:%Y-%m-%d} and was disabled",
            )
        disabled += 1
        provider = provider_for(ext.account)
        if provider.supports(Capability.EXTENSIONS):
            try:
                provider.extension_set_enabled(extension=ext.number, enabled=False)
            except ProviderError as exc:
                # Our side already refuses calls from it (_usable_extension checks expiry),
                # so a provider hiccup is logged for the admin rather than retried blindly.
                logger.warning(
                    "could not disable expired ext %s at the provider: %s", ext.number, exc
                )
    return disabled
