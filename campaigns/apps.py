from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        # Imported here, not at the top: models and signals may load only once the app
        # registry is ready, which is what `ready` means.
        from campaigns.schedules import ensure_schedules
        from campaigns.services.outcomes import on_call_finished
        from campaigns.services.privacy import on_contact_erased
        from telephony.signals import call_finished, contact_erased

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="campaigns-schedules")
        # Telephony never imports campaigns: it announces finished calls, we listen.
        call_finished.connect(on_call_finished, dispatch_uid="campaigns-call-finished")
        contact_erased.connect(on_contact_erased, dispatch_uid="campaigns-contact-erased")
