import re
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from contacts.models import Contact, ContactList
from telephony.models import DID, Call, CallFlow, ProviderAccount, VoiceBot

VARIABLE_RE = re.compile(r"\{(\w+)\}")


class TTSTemplate(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    name = models.CharField(max_length=100, unique=True)
    text = models.TextField(help_text="Use {variables} from the contact, e.g. {name}")
    language = models.CharField(max_length=16, default="en-IN")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    account = models.ForeignKey(ProviderAccount, null=True, blank=True, on_delete=models.SET_NULL)
    provider_template_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "TTS template"

    def __str__(self) -> str:
        return self.name

    @property
    def variables(self) -> list[str]:
        return list(dict.fromkeys(VARIABLE_RE.findall(self.text)))


def _default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4, 5]  # Monday..Saturday


# Callables, not fixed times: Django's check fields.W161 flags a fixed time default when
# it runs within seconds of that time of day, so `check --deploy` failed at 19:00:00.
def _default_window_start() -> time:
    return time(10, 0)


def _default_window_end() -> time:
    return time(19, 0)


def _default_retry_statuses() -> list[str]:
    return ["busy", "no_answer", "failed", "voicemail"]


# The health codes the dialer writes (campaigns.dialer.health, for local and hosted runs).
HEALTH_LABELS = {
    "waiting": "Waiting",
    "starting": "Starting",
    "scheduled": "Scheduled",
    "dialing": "Dialing",
    "capped": "All lines busy",
    "account_busy": "Account at its limit",
    "breaker_open": "Provider down (breaker open)",
    "rate_limited": "Provider rate limit",
    "list_exhausted": "Every contact dialed",
    "outside_window": "Outside the calling window",
    "waiting_retry": "Waiting for retries",
    "hosted": "Running at the provider",
    "provider_error": "Provider error",
    "unknown": "Unknown at the provider",
    "completed": "Completed",
}


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"
        COMPLETED = "completed", "Completed"

    class Content(models.TextChoices):
        TTS = "tts", "TTS template"
        FLOW = "flow", "IVR flow"
        VOICEBOT = "voicebot", "Voicebot"

    class TimeZoneMode(models.TextChoices):
        CONTACT = "contact", "Each contact's own time zone"
        CAMPAIGN = "campaign", "The campaign's time zone"

    class Execution(models.TextChoices):
        LOCAL = "local", "Paced here, one call at a time"
        HOSTED = "hosted", "Hosted by the provider"

    name = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT)
    did = models.ForeignKey(DID, null=True, blank=True, on_delete=models.PROTECT)
    lists = models.ManyToManyField(ContactList, blank=True)
    content = models.CharField(max_length=10, choices=Content.choices, default=Content.TTS)
    tts_template = models.ForeignKey(TTSTemplate, null=True, blank=True, on_delete=models.PROTECT)
    call_flow = models.ForeignKey(CallFlow, null=True, blank=True, on_delete=models.PROTECT)
    voicebot = models.ForeignKey(VoiceBot, null=True, blank=True, on_delete=models.PROTECT)
    execution = models.CharField(max_length=8, choices=Execution.choices, default=Execution.LOCAL)
    hosted_id = models.CharField(max_length=64, blank=True)
    # Hosted campaigns: whether `campaign_start` took effect at the provider, and what is
    # in doubt when a create or start request's outcome is unknown (a timeout, an answer we
    # could not read). Nothing is sent again while in doubt: the next pass asks the
    # provider where it can (start), or an admin settles it on the campaign page (create).
    hosted_started = models.BooleanField(default=False)
    hosted_doubt = models.CharField(
        max_length=8, blank=True, choices=[("create", "Create"), ("start", "Start")]
    )
    hosted_doubt_detail = models.CharField(max_length=300, blank=True)
    schedule_at = models.DateTimeField(null=True, blank=True)
    window_start = models.TimeField(default=_default_window_start)
    window_end = models.TimeField(default=_default_window_end)
    weekdays = models.JSONField(default=_default_weekdays, help_text="0=Monday … 6=Sunday")
    time_zone_mode = models.CharField(
        max_length=8, choices=TimeZoneMode.choices, default=TimeZoneMode.CONTACT
    )
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    carry_over = models.BooleanField(default=True)
    number_of_retries = models.PositiveSmallIntegerField(default=2)
    # Minutes between attempts: one value for every gap, or one per retry.
    gap_between_retries = models.JSONField(default=list, blank=True)
    retry_on = models.JSONField(default=_default_retry_statuses)
    priority = models.SmallIntegerField(
        default=0, validators=[MinValueValidator(-100), MaxValueValidator(100)]
    )
    no_of_call = models.PositiveSmallIntegerField(default=5, help_text="Concurrent calls")
    calls_per_minute = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # A digit the contact presses to opt out (TTS/flow calls); empty = no opt-out key.
    optout_digit = models.CharField(max_length=1, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Written by the engine on every pass: why the campaign is (not) dialing right now.
    health_code = models.CharField(max_length=24, blank=True)
    health_detail = models.CharField(max_length=300, blank=True)
    health_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=-100, priority__lte=100),
                name="campaign_priority_range",
            )
        ]
        indexes = [models.Index(fields=["status", "-priority"])]

    def __str__(self) -> str:
        return self.name

    @property
    def health_label(self) -> str:
        """What the engine's health code means, in words (never the raw code)."""
        code = self.health_code or "waiting"
        return HEALTH_LABELS.get(code, code.replace("_", " ").capitalize())


class CampaignEntry(models.Model):
    """One contact in one campaign; claimed atomically before each attempt is dialed."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DIALING = "dialing", "Dialing"
        WAITING = "waiting", "Waiting for retry"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    phone = models.CharField(max_length=20)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    priority = models.SmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    skip_reason = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="uniq_campaign_contact")
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "next_attempt_at"]),
            models.Index(fields=["state", "leased_until"]),
            models.Index(fields=["phone"]),
        ]
        verbose_name_plural = "campaign entries"

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.phone} ({self.state})"


# The states an entry may be claimed from: the dialer's claim, the lifecycle's stop and the
# completion check all read this one tuple.
OPEN_STATES = (CampaignEntry.State.PENDING, CampaignEntry.State.WAITING)


class CampaignAttempt(models.Model):
    """The call of one attempt. Unique per (entry, number): an attempt is dialed once."""

    entry = models.ForeignKey(CampaignEntry, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveSmallIntegerField()
    call = models.OneToOneField(Call, null=True, blank=True, on_delete=models.SET_NULL)
    # Kept beside the entry so lifetime caps and re-call gaps per number are one indexed query.
    phone = models.CharField(max_length=20, blank=True)
    # The engine's clock when the attempt was claimed (tests drive that clock).
    placed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="uniq_attempt_number")
        ]
        indexes = [models.Index(fields=["phone", "-placed_at"])]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.entry_id}"


class CampaignDNCEntry(models.Model):
    """A number this campaign must not call (on top of the global DNC list)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dnc_entries")
    phone = models.CharField(max_length=20)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone"], name="uniq_campaign_dnc_phone")
        ]
        verbose_name = "campaign DNC entry"
        verbose_name_plural = "campaign DNC entries"

    def __str__(self) -> str:
        return f"{self.phone} (campaign {self.campaign_id})"
