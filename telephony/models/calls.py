from django.conf import settings
from django.db import models

from contacts.models import Contact
from telephony.models.accounts import DID, Agent, Disposition, ProviderAccount
from telephony.providers.base import ACTIVE_STATUSES, FINAL_STATUSES, CallStatus
from telephony.providers.registry import provider_class


class Call(models.Model):
    """One row per call attempt, whatever started it."""

    class Type(models.TextChoices):
        CLICK_TO_CALL = "click_to_call", "Click-to-call"
        MASKED = "masked", "Masked"
        TTS = "tts", "TTS"
        FLOW = "flow", "IVR flow"
        VOICEBOT = "voicebot", "Voicebot"
        INBOUND = "inbound", "Inbound"
        SYNCED = "synced", "Synced from provider logs"

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "Outbound"
        INBOUND = "inbound", "Inbound"

    STATUS_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in CallStatus]

    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT, related_name="calls")
    # Empty until the provider answers the placing request (or forever, if it never does).
    provider_call_id = models.CharField(max_length=100, blank=True, default="")
    # The id the provider's call logs (and notes) know this call by, when that is not the
    # id its placing answer gave (IVR Solutions: `logid` when placed, `recordid` in logs).
    # Learned from a matched log row or a webhook; empty until then.
    provider_record_id = models.CharField(max_length=100, blank=True, default="")
    call_type = models.CharField(max_length=16, choices=Type.choices)
    direction = models.CharField(
        max_length=8, choices=Direction.choices, default=Direction.OUTBOUND
    )
    from_number = models.CharField(max_length=20, blank=True)
    to_number = models.CharField(max_length=20, blank=True)
    did = models.ForeignKey(DID, null=True, blank=True, on_delete=models.SET_NULL)
    did_number = models.CharField(max_length=20, blank=True)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    masked_session = models.ForeignKey(
        "telephony.MaskedSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=CallStatus.QUEUED)
    provider_status = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ringing_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    dtmf = models.CharField(max_length=64, blank=True)
    amd_result = models.CharField(max_length=20, blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    disposition = models.ForeignKey(Disposition, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    disposition_pushed_at = models.DateTimeField(null=True, blank=True)
    transcript = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    insights = models.JSONField(default=dict, blank=True)
    details_fetched_at = models.DateTimeField(null=True, blank=True)
    recording_attempts = models.PositiveSmallIntegerField(default=0)
    disposition_push_attempts = models.PositiveSmallIntegerField(default=0)
    disposition_push_error = models.CharField(max_length=300, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    last_payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_call_id"],
                condition=~models.Q(provider_call_id=""),
                name="uniq_provider_call_id",
            )
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["agent", "-created_at"]),
            models.Index(fields=["contact", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["call_type", "-created_at"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["account", "provider_record_id"]),
        ]

    def __str__(self) -> str:
        return f"Call #{self.pk} {self.to_number} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def push_waits_for_record_id(self) -> bool:
        """A saved disposition the provider notes only by the call's record id, not known
        yet: the push waits (retried at each sync) until a log row or webhook names it."""
        if not self.disposition_id or self.disposition_pushed_at or self.provider_record_id:
            return False
        cls = provider_class(self.account.kind)
        if not cls.disposition_needs_record_id:
            return False
        # The last webhook may name it already: the next push stores it and sends.
        payload = self.last_payload if isinstance(self.last_payload, dict) else {}
        return not cls.record_id_of(payload)


class CallEvent(models.Model):
    """The status timeline of a call: every event, its time and its source."""

    class Source(models.TextChoices):
        APP = "app", "Dashboard"
        WEBHOOK = "webhook", "Webhook"
        SYNC = "sync", "Provider sync"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=12, blank=True)
    provider_status = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["call", "at"])]

    def __str__(self) -> str:
        return f"{self.call_id} {self.status} {self.at:%H:%M:%S}"


class Recording(models.Model):
    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="recording")
    file = models.FileField(upload_to="recordings/%Y/%m/%d/")
    content_type = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)
    source_url = models.URLField(max_length=500, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Recording of call {self.call_id}"


class MaskedSession(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        CANCELED = "canceled", "Canceled"
        EXPIRED = "expired", "Expired"

    account = models.ForeignKey(ProviderAccount, on_delete=models.PROTECT)
    did = models.ForeignKey(DID, on_delete=models.PROTECT)
    party_a = models.CharField(max_length=20)
    party_b = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(null=True, blank=True)
    provider_session_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"Masked session #{self.pk}"
