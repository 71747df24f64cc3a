from django.core.management.base import BaseCommand

from telephony.services.accounts import accounts_rotate_credentials


class Command(BaseCommand):
    help = (
        "Re-encrypt every provider account's credentials and webhook secrets under the first "
        "key in CREDENTIALS_KEYS. Rotate a key by putting the new key first (keep the old "
        "one after it), run this command, then remove the old key."
    )

    def handle(self, *args, **options):
        count = accounts_rotate_credentials()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} provider account(s)."))
