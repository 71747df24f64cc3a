"""Template context shared by every page: the left nav, filtered by role."""

from django.http import HttpRequest

from callcenter.services.roles import ADMIN, AGENT, SUPERVISOR, user_role
from telephony.models import ProviderAccount

NAV = (
    # (url name, label, roles that see it)
    ("telephony:workspace", "My workspace", (AGENT,)),
    ("telephony:wallboard", "Wallboard", (ADMIN, SUPERVISOR)),
    ("contacts:list", "Contacts", (ADMIN, SUPERVISOR, AGENT)),
    ("contacts:lists", "Contact lists", (ADMIN, SUPERVISOR)),
    ("campaigns:list", "Campaigns", (ADMIN, SUPERVISOR)),
    ("contacts:dnc", "Do-not-call", (ADMIN, SUPERVISOR)),
    ("telephony:calls", "Calls", (ADMIN, SUPERVISOR, AGENT)),
    ("telephony:callbacks", "Callbacks", (ADMIN, SUPERVISOR, AGENT)),
    ("telephony:masked", "Masked calls", (ADMIN, SUPERVISOR)),
    ("tts:list", "TTS templates", (ADMIN, SUPERVISOR)),
    ("telephony:dids", "DIDs", (ADMIN,)),
    ("telephony:agents", "Agents", (ADMIN,)),
    ("telephony:dispositions", "Dispositions", (ADMIN,)),
    ("telephony:accounts", "Provider accounts", (ADMIN,)),
    ("audit", "Audit log", (ADMIN,)),
)


def navigation(request: HttpRequest) -> dict:
    role = user_role(getattr(request, "user", None))
    items = [(name, label) for name, label, roles in NAV if role in roles]
    return {
        "nav_items": items,
        "user_role": role,
        "show_admin_link": role == ADMIN,
        "low_credit_accounts": _low_credit_accounts() if role in (ADMIN, SUPERVISOR) else [],
    }


def _low_credit_accounts() -> list:
    """Accounts whose provider balance fell below the alert threshold (a tiny table)."""
    from django.db.models import F

    return list(
        ProviderAccount.objects.filter(
            enabled=True, credits_balance__lt=F("low_credit_threshold")
        ).values_list("name", "credits_balance")
    )
