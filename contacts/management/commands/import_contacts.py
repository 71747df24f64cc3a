"""`manage.py import_contacts FILE --list NAME`: the CSV import, from a shell."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ServiceError
from contacts.importer import ROLES, import_confirm, import_prepare, import_run
from contacts.models import ContactList, ImportJob


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV file into a contact list (created if missing). "
        "Numbers are normalised to E.164 with --region; the time zone comes from a time "
        "zone column or is inferred from the number. Columns are mapped by their header "
        "(phone/mobile/number, name, email, time zone); every other column is kept as a "
        "contact variable for TTS templates. Rows with errors are skipped and listed in an "
        "errors CSV. Runs in this process, batch by batch; each batch is atomic."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file", type=Path, help="CSV file (UTF-8, UTF-8 with BOM, Latin-1)")
        parser.add_argument("--list", required=True, dest="list_name", help="target list name")
        parser.add_argument(
            "--region", default="IN", help="country for numbers without +code (default IN)"
        )
        parser.add_argument(
            "--time-zone",
            default="Asia/Kolkata",
            help="zone for numbers whose country spans several zones (default Asia/Kolkata)",
        )
        parser.add_argument(
            "--duplicates",
            choices=[c for c, _ in ImportJob.Duplicates.choices],
            default="skip",
            help="a number already in the list or earlier in the file: skip the row, "
            "update the existing contact, or keep both (default skip)",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=ROLE",
            help=f"override a column's role ({', '.join(ROLES)}); repeatable",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        contact_list, _ = ContactList.objects.get_or_create(name=options["list_name"])
        try:
            job = import_prepare(
                user=None,
                contact_list=contact_list,
                name=path.name,
                content=path.read_bytes(),
                default_region=options["region"].upper(),
                default_time_zone=options["time_zone"],
                duplicates=options["duplicates"],
            )
            mapping = dict(job.mapping)
            for item in options["map"]:
                column, _, role = item.partition("=")
                mapping[column] = role
            import_confirm(user=None, job=job, mapping=mapping, queue=False)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        job = import_run(job_id=job.pk)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)
        self.stdout.write(self.style.SUCCESS(f"{job.original_name}: {job.message}"))
        if job.errors_file:
            self.stdout.write(f"Row errors: {job.errors_file.path}")
