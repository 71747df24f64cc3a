from django.db import models

from telephony.models.accounts import ProviderAccount


class WebhookEvent(models.Model):
    """A verified inbound event, stored raw before it is applied (the inbox)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLIED = "applied", "Applied"
        UNMATCHED = "unmatched", "Waiting for its call"
        FAILED = "failed", "Failed"

    # No index of its own: the dedupe constraint and the call-id index both lead with it,
    # and every webhook pays for each index on its INSERT.
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, db_index=False)
    dedupe_key = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)
    event_type = models.CharField(max_length=64, blank=True)
    provider_call_id = models.CharField(max_length=100, blank=True)
    body = models.TextField()
    update = models.JSONField(default=dict, help_text="The parsed CallUpdate")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    applied_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "dedupe_key"], name="uniq_webhook_dedupe")
        ]
        indexes = [
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["account", "provider_call_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type or 'event'} {self.provider_call_id} ({self.state})"


class SandboxEvent(models.Model):
    """A simulated provider event waiting to be delivered through the inbox."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE)
    due_at = models.DateTimeField()
    body = models.TextField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["delivered_at", "due_at"])]

    def __str__(self) -> str:
        return f"sandbox event due {self.due_at:%H:%M:%S}"
