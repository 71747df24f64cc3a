from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TelephonyConfig(AppConfig):
    name = "telephony"

    def ready(self) -> None:
        from telephony import receivers  # noqa: F401 - connects the login/logout receivers
        from telephony.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="telephony-schedules")
