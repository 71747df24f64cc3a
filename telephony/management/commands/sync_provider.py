from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from telephony.models import ProviderAccount
from telephony.services.sync import SYNC_STEPS, account_sync


class Command(BaseCommand):
    help = (
        "Run the provider sync steps by hand for one account: incremental call-log sync "
        "(logs), details of ended calls (details), recordings (recordings), disposition push "
        "(dispositions) and reconciliation of calls stuck in unknown/queued/ringing "
        "(reconcile). The same steps run every minute on the django-q2 schedule; each is "
        "idempotent and safe to run beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("account", help="the account's name (see `provider_account list`)")
        parser.add_argument(
            "--what",
            choices=sorted(SYNC_STEPS),
            action="append",
            help="which step (repeatable; default: all)",
        )
        parser.add_argument(
            "--since", help="for logs: start here (ISO date or datetime) instead of the cursor"
        )

    def handle(self, *args, account, what, since, **options):
        acct = ProviderAccount.objects.filter(name=account).first()
        if acct is None:
            raise CommandError(f"No account named {account!r}.")
        start = None
        if since:
            try:
                start = datetime.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since {since!r} is not an ISO date") from exc
            if timezone.is_naive(start):
                start = timezone.make_aware(start)
        for step in what or list(SYNC_STEPS):
            result = account_sync(account=acct, what=step, since=start)
            self.stdout.write(f"{step:<13} {result}")
