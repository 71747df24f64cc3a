"""`manage.py import_contacts FILE --list NAME`: the CSV import, from a shell."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from callcenter.services.errors import ServiceError
from contacts.imports.importer import ROLES, import_confirm, import_prepare, import_run
from contacts.models import ContactList, ImportJob


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV file into a contact list (created when the file is "
        "accepted, if missing). "
        "Numbers are normalised to E.164 with --region; the time zone comes from a time "
        "zone column or is inferred from the number. Columns are mapped by their header "
        "(phone/mobile/number, name, email, time zone); every other column is kept as a "
        "contact variable for TTS templates. Rows with errors are skipped and listed in an "
        "errors CSV. A number that already belongs to a contact links that contact to the "
        "list unless --duplicates says otherwise. Files that are not CSV text, have more "
        "than 200 columns or a cell over 10,000 characters are refused before anything is "
        "stored. Runs in this process, batch by batch; each batch is atomic; the file is "
        "streamed, so memory stays flat at any size."
    )

    def add_arguments(self, parser) -> None:
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
            default="link",
            help="a number that already belongs to a contact (in any list, or earlier in "
            "the file): link that contact to this list, update it from the row and link "
            "it, or keep both by creating a new contact (default link)",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=ROLE",
            help=f"override a column's role ({', '.join(ROLES)}); repeatable",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        contact_list = ContactList.objects.filter(name=options["list_name"]).first()
        try:
            with path.open("rb") as handle:  # streamed: the file is never read whole
                job = import_prepare(
                    user=None,
                    contact_list=contact_list,
                    new_list_name=options["list_name"],
                    name=path.name,
                    content=handle,
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
