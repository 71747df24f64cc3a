from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from callcenter.services.errors import ServiceError
from common.phones import InvalidPhoneNumber
from telephony.models import ProviderAccount
from telephony.models.accounts import DEV_BASE_URL
from telephony.providers.registry import PROVIDERS
from telephony.services.accounts import account_attach_agent, account_create, account_test


class Command(BaseCommand):
    help = (
        "Add, list and test provider accounts for scripted setups. "
        "Examples: `provider_account add --kind ivrsolutions --name IVR "
        "--credential api_token=XYZ --base-url http://127.0.0.1:9100`; "
        "`provider_account list`; `provider_account test IVR`. Credentials are stored "
        "encrypted and never printed. Webhook URLs start with PUBLIC_BASE_URL (set it to the "
        "address providers reach the dashboard at, e.g. PUBLIC_BASE_URL=http://127.0.0.1:8080 "
        "for `PORT=8080 make run`); unset, they assume http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create an account (prints its webhook URL)")
        add.add_argument("--kind", required=True, choices=sorted(PROVIDERS))
        add.add_argument("--name", required=True)
        add.add_argument(
            "--credential",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a credential field, repeatable (api_token=…, api_key=…, campaign_id=…)",
        )
        add.add_argument("--base-url", default="", help="override the provider's API base URL")
        add.add_argument("--region", default="IN", help="default region for phone numbers")
        add.add_argument(
            "--webhook-secret",
            default="",
            help="signing secret shared with the provider (default: a new random one)",
        )
        add.add_argument(
            "--attach-agent",
            metavar="USERNAME",
            help="move this agent's calling to the new account (with --extension and --did)",
        )
        add.add_argument("--extension", default="2101", help="the agent's extension there")
        add.add_argument("--did", default="", help="the DID (caller id) to use there")
        sub.add_parser("list", help="list accounts with kind, state and webhook URL")
        test = sub.add_parser("test", help="make one authenticated request to the provider")
        test.add_argument("name")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _add(
        self,
        *,
        kind,
        name,
        credential,
        base_url,
        region,
        webhook_secret,
        attach_agent,
        extension,
        did,
        **_,
    ):
        pairs = {}
        for item in credential:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(f"--credential {item!r} is not KEY=VALUE")
            pairs[key] = value
        if ProviderAccount.objects.filter(name=name).exists():
            raise CommandError(f"An account named {name!r} exists already.")
        account = account_create(
            actor=None,
            kind=kind,
            name=name,
            credentials=pairs,
            default_region=region,
            base_url=base_url,
        )
        if webhook_secret:
            account.webhook_secrets = [webhook_secret]
            account.save(update_fields=["webhook_secrets_encrypted"])
        if attach_agent:
            if not did:
                raise CommandError("--attach-agent needs --did (the caller id on this account).")
            try:
                account_attach_agent(
                    account=account, username=attach_agent, extension=extension, did_number=did
                )
            except (ServiceError, InvalidPhoneNumber) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Agent {attach_agent} now calls through ext {extension} over {did}.")
        self.stdout.write(self.style.SUCCESS(f"Added {kind} account {name!r}."))
        self.stdout.write(f"Webhook URL: {account.webhook_url}")
        self._base_url_hint()

    def _base_url_hint(self):
        if not settings.PUBLIC_BASE_URL:
            # This process cannot know which port the dashboard listens on.
            self.stdout.write(
                f"(PUBLIC_BASE_URL is not set, so this assumes the dashboard at "
                f"{DEV_BASE_URL}; if it runs elsewhere, e.g. `PORT=8080 make run`, run this "
                f"with PUBLIC_BASE_URL=http://127.0.0.1:8080, or copy the URL from the "
                f"account page, which shows the address it was served on.)"
            )

    def _list(self, **_):
        for a in ProviderAccount.objects.order_by("name"):
            state = "enabled" if a.enabled else "disabled"
            self.stdout.write(
                f"{a.name:<24} {a.kind:<14} {state:<9} breaker={a.breaker_state:<9} {a.webhook_url}"
            )
        self._base_url_hint()

    def _test(self, *, name, **_):
        account = ProviderAccount.objects.filter(name=name).first()
        if account is None:
            raise CommandError(f"No account named {name!r}.")
        ok, message = account_test(account=account)
        if not ok:
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(message))
