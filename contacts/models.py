from django.conf import settings
from django.db import models


class ContactList(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person we may call. `phone` is E.164; `variables` feed TTS templates."""

    phone = models.CharField(max_length=20, help_text="E.164, e.g. +919876543210")
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name; inferred from the number when empty"
    )
    variables = models.JSONField(default=dict, blank=True)
    opted_out = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # Agents see the unassigned pool and the contacts assigned to them.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_contacts",
    )
    lists = models.ManyToManyField(ContactList, related_name="contacts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["phone"]),
            models.Index(fields=["name"]),
            models.Index(fields=["opted_out", "-id"]),
            models.Index(fields=["time_zone", "-id"]),
            models.Index(fields=["assigned_to", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.name or 'Unnamed'} ({self.phone})"


class DNCEntry(models.Model):
    """A number on the global do-not-call list; checked at dial time, not only at import."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by hand"
        IMPORT = "import", "Imported"
        DISPOSITION = "disposition", "Do-not-call disposition"
        PROVIDER_OPTOUT = "provider_optout", "Provider opt-out event"
        DTMF_OPTOUT = "dtmf_optout", "Opt-out key pressed"

    phone = models.CharField(max_length=20, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "DNC entry"
        verbose_name_plural = "DNC entries"

    def __str__(self) -> str:
        return self.phone
