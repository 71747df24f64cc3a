from django.apps import AppConfig


class CallcenterConfig(AppConfig):
    name = "callcenter"
    verbose_name = "Call center"

    def ready(self) -> None:
        from callcenter import signals  # noqa: F401 - connects the audit receivers
