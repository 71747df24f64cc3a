from django.core.management.base import BaseCommand, CommandParser

from telephony.services.retention import BATCH, retention_purge


class Command(BaseCommand):
    help = (
        "Delete call data past its retention: finished calls older than RETENTION_CALL_DAYS "
        "(with their events and recordings), recordings older than "
        "RETENTION_RECORDING_DAYS (row and file), raw webhook events older than "
        "RETENTION_EVENT_DAYS. A setting of 0 keeps that kind for ever. Runs in batches, so "
        "it can be stopped and run again at any time; the worker also runs it every hour. "
        "Use --dry-run first to see what would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only report what would be deleted (counts, oldest rows, file sizes).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH,
            help=f"Rows deleted per transaction (default {BATCH}).",
        )
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            help="Stop after about this many seconds; the next run goes on (default: no limit).",
        )

    def handle(self, *args, **options):
        report = retention_purge(
            dry_run=options["dry_run"],
            batch_size=max(1, options["batch_size"]),
            time_budget=options["max_seconds"],
        )
        if report.dry_run:
            self.stdout.write("Dry run: nothing is deleted.")
        for line in report.lines():
            self.stdout.write(line)
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS(f"Deleted {report.total} row(s) in all."))
