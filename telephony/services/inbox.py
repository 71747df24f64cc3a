"""The inbox: every provider event (real webhook or sandbox) comes in through here.

Receive = verify, parse, store raw with a dedupe key (unique constraint), acknowledge.
Applying happens apart from the request (`WEBHOOK_APPLY=queued`, the default): the
request wakes the drainer (`inbox_drain`, a worker task), which applies pending events in
batches, one transaction per batch, so a burst of webhooks costs the web tier one INSERT
each. `WEBHOOK_APPLY=inline` applies in the request instead (no worker needed; the
sandbox pump, itself a worker task, always applies inline).

Applying is idempotent; an event for a call we do not know yet is kept as `unmatched`
and applied when the call learns its provider id.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from telephony.models import Call, ProviderAccount, WebhookEvent
from telephony.providers.base import WebhookRejected
from telephony.providers.kit.signatures import masked_headers
from telephony.services.accounts import provider_for
from telephony.services.callstate import update_to_json
from telephony.services.inbox_drain import apply_events, inbox_drain, inbox_wake

logger = logging.getLogger(__name__)

# Every state but `applied`: what applying a single event may (re)try.
RETRYABLE = (
    WebhookEvent.State.PENDING,
    WebhookEvent.State.UNMATCHED,
    WebhookEvent.State.FAILED,
)


@dataclass(frozen=True)
class InboxResult:
    stored: int
    duplicates: int


def inbox_receive(
    *, token: str, body: bytes, headers: Mapping[str, str], inline: bool | None = None
) -> InboxResult:
    """Verify and store an inbound event, then apply it (`inline`) or wake the drainer.

    `inline=None` follows `settings.WEBHOOK_APPLY`. Raises `WebhookRejected`.
    """
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        raise WebhookRejected("body over 1 MB", status=413)
    account, provider = _account_for(token)
    headers = {k.lower(): v for k, v in headers.items()}
    try:
        _refuse_deep_nesting(body)
        provider.verify_webhook(body=body, headers=headers, now=timezone.now())
        updates = provider.parse_webhook(body, headers)
    except WebhookRejected as exc:
        ProviderAccount.objects.filter(pk=account.pk).update(
            webhooks_rejected=F("webhooks_rejected") + 1,
            last_webhook_rejection=f"{timezone.now():%Y-%m-%d %H:%M:%S} UTC: {exc.reason}"[:200],
            last_rejected_headers=masked_headers(headers),
        )
        logger.warning("webhook rejected for account %s: %s", account.pk, exc.reason)
        raise
    stored, duplicates = [], 0
    # PostgreSQL text/jsonb cannot hold NUL or Infinity; a hostile body must not 500.
    text = body.decode("utf-8", "replace").replace("\x00", "\ufffd")
    updates = [_without_nul(u) for u in updates]
    for update in updates:
        key = (update.dedupe_key or hashlib.sha256(body).hexdigest())[:200]
        row = WebhookEvent(
            account=account,
            dedupe_key=key,
            event_type=update.event_type[:64],
            provider_call_id=update.provider_call_id[:100],
            body=text,
            update=update_to_json(update),
        )
        try:
            if connection.in_atomic_block:
                with transaction.atomic():  # a savepoint keeps the caller's transaction usable
                    row.save(force_insert=True)
            else:
                # One INSERT is its own transaction in autocommit: no BEGIN/COMMIT round trips.
                row.save(force_insert=True)
        except IntegrityError:
            duplicates += 1
            continue
        stored.append(row.pk)
    if inline is None:
        inline = settings.WEBHOOK_APPLY == "inline"
    if inline:
        for pk in stored:
            event_apply(pk)
    elif stored:
        inbox_wake()
    return InboxResult(stored=len(stored), duplicates=duplicates)


# Deeper than any provider's payload (theirs nest 3-5 levels); `json.loads` and
# `dataclasses.asdict` recurse, and ~900 levels raise RecursionError (a 500).
MAX_JSON_DEPTH = 64
_JSON_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


def _refuse_deep_nesting(body: bytes) -> None:
    """Refuse a body nesting arrays/objects deeper than MAX_JSON_DEPTH, before any provider
    parser sees it: one linear scan, strings skipped, so every provider is covered."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return  # the common case, in two C-speed counts
    depth, in_string = 0, False
    for match in _JSON_TOKEN.finditer(body):
        token = match.group()
        if token.startswith(b"\\"):
            continue  # an escaped character: never a quote or a bracket
        if token == b'"':
            in_string = not in_string
        elif in_string:
            continue
        elif token in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise WebhookRejected(f"malformed JSON: nested deeper than {MAX_JSON_DEPTH}")
        else:
            depth -= 1


# token -> (looked up at, account, provider). Looking the account up and building its
# provider was a third of a webhook request's time. A save in this process clears it;
# elsewhere it is at most ACCOUNT_CACHE_SECONDS stale: a changed webhook secret is refused
# (401) that long, which providers retry, and events for a just-disabled account are still
# true events about our calls.
ACCOUNT_CACHE_SECONDS = 5.0
_accounts: dict[str, tuple[float, ProviderAccount, object]] = {}


def _account_for(token: str):
    hit = _accounts.get(token)
    now = time.monotonic()
    if hit is not None and now - hit[0] < ACCOUNT_CACHE_SECONDS:
        return hit[1], hit[2]
    try:
        account = ProviderAccount.objects.get(webhook_token=token, enabled=True)
    except ProviderAccount.DoesNotExist:
        _accounts.pop(token, None)
        raise WebhookRejected("unknown webhook token", status=404) from None
    provider = provider_for(account)
    _accounts[token] = (now, account, provider)
    return account, provider


@receiver([post_save, post_delete], sender=ProviderAccount)
def _forget_accounts(**kwargs) -> None:
    _accounts.clear()


def event_apply(event_id: int) -> str:
    """Apply one stored event (a batch of one); returns its resulting state. Safe to call
    repeatedly: an applied event is left alone, an unmatched or failed one tried again."""
    try:
        with transaction.atomic():
            applied, unmatched = apply_events([event_id], states=RETRYABLE)
    except Exception as exc:
        # Keep the event (it is the only copy) and let inbox_retry_pending try again.
        logger.exception("applying webhook event %s failed", event_id)
        WebhookEvent.objects.filter(pk=event_id).update(
            state=WebhookEvent.State.FAILED, error=str(exc)[:300]
        )
        return WebhookEvent.State.FAILED
    if applied:
        return WebhookEvent.State.APPLIED
    if unmatched:
        return WebhookEvent.State.UNMATCHED
    # Applied before (a redelivered task) or gone (purged by retention).
    state = WebhookEvent.objects.filter(pk=event_id).values_list("state", flat=True).first()
    return state or WebhookEvent.State.FAILED


def inbox_match_unmatched(call: Call) -> int:
    """Apply events that arrived before `call` knew its provider id."""
    pending = WebhookEvent.objects.filter(
        account_id=call.account_id,
        provider_call_id=call.provider_call_id,
        state__in=[WebhookEvent.State.UNMATCHED, WebhookEvent.State.PENDING],
    ).order_by("received_at", "id")
    return sum(
        event_apply(pk) == WebhookEvent.State.APPLIED for pk in pending.values_list("pk", flat=True)
    )


def inbox_retry_pending(*, limit: int = 500) -> int:
    """Periodic safety net: drain events left pending (a killed worker, a lost wake-up),
    then retry failed ones one by one."""
    applied = inbox_drain(max_seconds=50, idle_seconds=0)
    ids = WebhookEvent.objects.filter(state=WebhookEvent.State.FAILED).values_list("pk", flat=True)[
        :limit
    ]
    return applied + sum(event_apply(pk) == WebhookEvent.State.APPLIED for pk in list(ids))


def _strip_nul(value):
    """What PostgreSQL can store: no NUL in text, no Infinity/NaN in JSON (JSON has none)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strip_nul(v) for v in value]
    return value


def _without_nul(update):
    return replace(
        update,
        **{
            f.name: _strip_nul(getattr(update, f.name))
            for f in fields(update)
            if f.name != "status" and f.name != "occurred_at"
        },
    )
