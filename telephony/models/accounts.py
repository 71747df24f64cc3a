import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models

from telephony.models import crypto
from telephony.providers.registry import PROVIDERS

# `runserver`'s and `make run`'s default address, used only when PUBLIC_BASE_URL is unset.
DEV_BASE_URL = "http://127.0.0.1:8000"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class ProviderAccount(models.Model):
    class BreakerState(models.TextChoices):
        CLOSED = "closed", "Closed"
        OPEN = "open", "Open"
        HALF_OPEN = "half_open", "Half-open"

    kind = models.CharField(max_length=32)
    name = models.CharField(max_length=100, unique=True)
    # Encrypted JSON (telephony.models.crypto); never rendered to a page or a log.
    credentials_encrypted = models.TextField(blank=True, editable=False)
    base_url = models.URLField(blank=True, help_text="Override the provider's API base URL")
    default_region = models.CharField(max_length=2, default="IN")
    calls_per_second = models.FloatField(default=5)
    requests_per_minute = models.PositiveIntegerField(default=300)
    concurrency_limit = models.PositiveIntegerField(default=10)
    webhook_token = models.CharField(max_length=64, unique=True, default=_new_token)
    # Encrypted JSON list of signing secrets: the first is current, the rest still accepted.
    webhook_secrets_encrypted = models.TextField(blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    breaker_state = models.CharField(
        max_length=10, choices=BreakerState.choices, default=BreakerState.CLOSED
    )
    breaker_failures = models.PositiveIntegerField(default=0)
    breaker_opened_at = models.DateTimeField(null=True, blank=True)
    webhooks_rejected = models.PositiveIntegerField(default=0)
    last_webhook_rejection = models.CharField(max_length=200, blank=True)
    # The headers of the last rejected event (secrets masked), so an admin can read off
    # the scheme a provider really uses where its doc names none.
    last_rejected_headers = models.JSONField(default=dict, blank=True)
    webhook_signature_header = models.CharField(
        max_length=64,
        blank=True,
        help_text="Header the provider signs events in (blank: the provider's usual names, "
        "then common ones such as X-Signature).",
    )
    webhook_signature_required = models.BooleanField(
        default=False,
        help_text="Refuse events without a valid signature, even with the right URL token.",
    )
    errors_count = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    # Sync steps that failed one after another (reset by any step that succeeds), and the
    # last failure: a bad token or URL is shown, not left as "never synced, 0 errors".
    sync_failures = models.PositiveIntegerField(default=0)
    last_sync_error = models.CharField(max_length=300, blank=True)
    last_sync_error_at = models.DateTimeField(null=True, blank=True)
    # Where incremental log sync resumes (provider-specific: last id, last time).
    sync_cursor = models.JSONField(default=dict, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True)
    last_test_message = models.CharField(max_length=300, blank=True)
    # Read from providers that send rate-limit headers (X-RateLimit-Remaining/Reset).
    rate_limit_remaining = models.IntegerField(null=True, blank=True)
    rate_limit_reset_at = models.DateTimeField(null=True, blank=True)
    credits_balance = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    credits_checked_at = models.DateTimeField(null=True, blank=True)
    low_credit_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Raise an alert when the provider's balance falls below this",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict:
        return crypto.decrypt_json(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, value: dict) -> None:
        self.credentials_encrypted = crypto.encrypt_json(value)

    @property
    def webhook_secrets(self) -> list[str]:
        return crypto.decrypt_json(self.webhook_secrets_encrypted).get("secrets", [])

    @webhook_secrets.setter
    def webhook_secrets(self, value: list[str]) -> None:
        self.webhook_secrets_encrypted = crypto.encrypt_json({"secrets": list(value)})

    @property
    def kind_label(self) -> str:
        """The provider's name as people know it ("IVR Solutions", not "ivrsolutions")."""
        provider = PROVIDERS.get(self.kind)
        return provider.label if provider else self.kind

    #: failures in a row after which the wallboard shows a banner
    SYNC_FAILURE_BANNER = 3

    @property
    def sync_failing(self) -> bool:
        return self.sync_failures >= self.SYNC_FAILURE_BANNER

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.webhook_token}/"

    @property
    def webhook_url(self) -> str:
        """The URL providers post to, where no request tells this site's address (tasks,
        commands): PUBLIC_BASE_URL (`make run` sets it from HOST/PORT), else the dev
        default."""
        return (settings.PUBLIC_BASE_URL or DEV_BASE_URL) + self.webhook_path

    def webhook_url_for(self, request: Any) -> str:
        """The URL as seen from `request` (the port the page was served on), unless
        PUBLIC_BASE_URL says where providers really reach this site."""
        if settings.PUBLIC_BASE_URL or request is None:
            return self.webhook_url
        return request.build_absolute_uri(self.webhook_path)


class DID(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        # The buy request's answer could not be read: the provider may have sold it.
        UNKNOWN = "unknown", "Purchase unconfirmed"

    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT, related_name="dids")
    number = models.CharField(max_length=20, help_text="E.164")
    region = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=20, default="local")
    monthly_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "DID"
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="uniq_did_per_account")
        ]

    def __str__(self) -> str:
        return self.number


class AgentGroup(models.Model):
    """A team of agents sharing wrap-up rules (the smallest thing a wallboard needs)."""

    name = models.CharField(max_length=80, unique=True)
    wrap_up_limit_seconds = models.PositiveIntegerField(
        default=120, help_text="Wrap-up longer than this shows red on the wallboard."
    )
    auto_ready = models.BooleanField(
        default=False, help_text="Set an agent Ready once their wrap-up passes the limit."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Agents in no group get this wrap-up limit and are never set Ready automatically.
DEFAULT_WRAP_UP_LIMIT_SECONDS = 120


class Agent(models.Model):
    class State(models.TextChoices):
        OFFLINE = "offline", "Offline"
        READY = "ready", "Ready"
        ON_CALL = "on_call", "On a call"
        WRAP_UP = "wrap_up", "Wrap-up"
        PAUSED = "paused", "Paused"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # Offline until they log in: a new row must not claim someone is at their desk.
    state = models.CharField(max_length=10, choices=State.choices, default=State.OFFLINE)
    state_since = models.DateTimeField(auto_now_add=True)
    group = models.ForeignKey(
        AgentGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="agents"
    )
    pause_reason = models.CharField(max_length=100, blank=True)
    provider_agent_id = models.CharField(max_length=64, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164 of the agent's phone")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__username"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def wrap_up_limit_seconds(self) -> int:
        return self.group.wrap_up_limit_seconds if self.group else DEFAULT_WRAP_UP_LIMIT_SECONDS

    def wrap_up_overdue(self, now: datetime) -> bool:
        """In wrap-up for longer than their group allows (the wallboard shows it red)."""
        return self.state == self.State.WRAP_UP and (
            now - self.state_since > timedelta(seconds=self.wrap_up_limit_seconds)
        )


class Extension(models.Model):
    account = models.ForeignKey(
        ProviderAccount, on_delete=models.PROTECT, related_name="extensions"
    )
    number = models.CharField(max_length=20)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="extensions"
    )
    did = models.ForeignKey(
        DID, null=True, blank=True, on_delete=models.SET_NULL, related_name="extensions"
    )
    enabled = models.BooleanField(default=True)
    expires_on = models.DateField(null=True, blank=True)
    forwarding_number = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="uniq_extension_per_account")
        ]

    def __str__(self) -> str:
        return f"ext {self.number}"


class VoiceBot(models.Model):
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="bots")
    provider_bot_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=100)
    wss_url = models.CharField(max_length=300, blank=True)
    system_prompt = models.TextField(blank=True)
    stt_language = models.CharField(max_length=16, blank=True)
    opening_line = models.CharField(max_length=300, blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallFlow(models.Model):
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="flows")
    provider_flow_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_flow_id"], name="uniq_flow_per_account"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Disposition(models.Model):
    """What an agent says a call came to: "Interested", "Call back later", "Do not call"."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    adds_to_dnc = models.BooleanField(default=False)
    schedules_callback = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    # What each provider account calls this disposition: {"<account id>": "<their code>"},
    # filled by a sync, so one disposition stands for its look-alikes at every provider.
    provider_codes = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label

    def code_for(self, account_id: int) -> str:
        """The code to push to this account: the provider's own where a sync mapped one."""
        return self.provider_codes.get(str(account_id), self.code)
