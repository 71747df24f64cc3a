import time

from django.core.management.base import BaseCommand, CommandError

from callcenter.services.datagen import generate


class Command(BaseCommand):
    help = (
        "Fill the database with a large, reproducible data set for benchmarks and capacity "
        "checks: a sandbox account, AGENTS agents (with extensions; they cannot log in), "
        "CONTACTS contacts in one list and CALLS calls spread over the last DAYS days with a "
        "realistic mix of types and outcomes. The same --seed gives the same rows; rows are "
        "bulk-inserted in batches, so 1,000,000 calls and 200,000 contacts take a few "
        "minutes. Adds to what is there; a seed already used in this database is refused. "
        "Example: manage.py generate_data --calls 1000000 --contacts 200000"
    )

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=100_000, help="calls (default 100000)")
        parser.add_argument(
            "--contacts", type=int, default=20_000, help="contacts (default 20000, at most 1M)"
        )
        parser.add_argument("--agents", type=int, default=20, help="agents (default 20)")
        parser.add_argument(
            "--days", type=int, default=60, help="days the calls spread over, up to now (60)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT batch")

    def handle(self, *args, **options):
        if options["contacts"] > 1_000_000:
            raise CommandError("--contacts is limited to 1,000,000 per seed.")
        started = time.monotonic()
        quiet = options["verbosity"] < 2
        try:
            result = generate(
                calls=options["calls"],
                contacts=options["contacts"],
                agents=options["agents"],
                days=options["days"],
                seed=options["seed"],
                batch=options["batch"],
                progress=(lambda _m: None) if quiet else self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.calls} calls, {result.contacts} contacts and "
                f"{len(result.agents)} agents in {time.monotonic() - started:.0f} s "
                f"(account and list “{result.contact_list.name}”)."
            )
        )
