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
    # Set when the person's data was erased on request; the row stays so history adds up.
    erased_at = models.DateTimeField(null=True, blank=True)

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


class ErasedNumber(models.Model):
    """The do-not-call mark of an erased contact's number, kept only as a keyed hash.

    Erasure removes the number itself, but the person must stay un-callable: dial-time
    checks hash each number (`contacts.services.dnc.number_hash`) and look it up here.
    """

    phone_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"erased number {self.phone_hash[:12]}…"


class ImportJob(models.Model):
    """One CSV import into a list, run as a task in atomic batches.

    `processed_rows` is written in the same transaction as each batch, so a worker that
    dies mid-file resumes after the last committed batch and never imports a row twice.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Duplicates(models.TextChoices):
        """What a number that already belongs to a contact (in any list) does."""

        LINK = "link", "Link the existing contact to this list (keep its details)"
        UPDATE = "update", "Update the existing contact from the file, and link it"
        KEEP = "keep", "Create a new contact anyway"

    # Empty until the import is confirmed when it goes into a new list (`new_list_name`):
    # an upload abandoned at the mapping step must not leave an empty list behind.
    contact_list = models.ForeignKey(
        ContactList, null=True, blank=True, on_delete=models.CASCADE, related_name="imports"
    )
    new_list_name = models.CharField(max_length=120, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    header = models.JSONField(default=list, blank=True)
    # CSV column -> "phone" | "name" | "email" | "time_zone" | "variable" | "ignore"
    mapping = models.JSONField(default=dict, blank=True)
    default_region = models.CharField(max_length=2, default="IN")
    # For numbers whose numbering plan spans several zones and rows with no zone column.
    default_time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    duplicates = models.CharField(max_length=8, choices=Duplicates.choices, default=Duplicates.LINK)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.MAPPING)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # Rows whose number an existing contact (of another list) holds, now also in this list.
    linked_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors, for the page; all of them are in `errors_file`.
    errors_preview = models.JSONField(default=list, blank=True)
    errors_file = models.FileField(upload_to="imports/errors/%Y/%m/", blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.original_name} into {self.list_name}"

    @property
    def list_name(self) -> str:
        return self.contact_list.name if self.contact_list_id else self.new_list_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))
