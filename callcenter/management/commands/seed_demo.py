from django.core.management.base import BaseCommand

from callcenter.services.demo import demo_credentials, demo_present, demo_seed


class Command(BaseCommand):
    help = (
        "Load demo data (admin/supervisor/agent users, a sandbox account, DIDs, agents with "
        "extensions, 200 contacts in two lists, a TTS template, a campaign) when the database "
        "has no users yet, and print the demo logins. Safe to run again: it never duplicates."
    )

    def handle(self, *args, **options):
        if demo_present():
            creds = demo_credentials()
            self.stdout.write("Demo data already loaded.")
        else:
            creds = demo_seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if creds:
            self.stdout.write("Demo logins (also in .demo-credentials):")
            for username, password in creds.items():
                self.stdout.write(f"  {username:<11} {password}")
