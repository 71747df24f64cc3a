from django.conf import settings
from django.db import models

from contacts.models import Contact
from telephony.models.accounts import Agent
from telephony.models.calls import Call


class Callback(models.Model):
    """A promise to call a contact back at a chosen time ("Call back later")."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        CANCELED = "canceled", "Canceled"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="callbacks")
    # The call whose disposition asked for it (none when scheduled by hand).
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    # None means anyone on the team may take it.
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    due_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["agent", "status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"Callback to {self.contact_id} at {self.due_at:%Y-%m-%d %H:%M}"
