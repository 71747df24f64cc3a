"""Reference data every installation starts with (used by a data migration and by tests)."""

DEFAULT_DISPOSITIONS = [
    # code, label, adds_to_dnc, schedules_callback, sort order
    ("interested", "Interested", False, False, 10),
    ("not-interested", "Not interested", False, False, 20),
    ("callback", "Call back later", False, True, 30),
    ("wrong-number", "Wrong number", False, False, 40),
    ("no-answer", "No answer", False, False, 50),
    ("dnd", "Do not call", True, False, 60),
]


def ensure_default_dispositions(apps) -> None:
    disposition = apps.get_model("telephony", "Disposition")
    for code, label, dnc, callback, order in DEFAULT_DISPOSITIONS:
        disposition.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "adds_to_dnc": dnc,
                "schedules_callback": callback,
                "sort_order": order,
            },
        )
