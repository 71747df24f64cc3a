"""Template context shared by every page: the left nav, filtered by role."""

from django.http import HttpRequest

from callcenter.roles import ADMIN, AGENT, SUPERVISOR, user_role

NAV = (
    # (url name, label, roles that see it)
    ("home", "Dashboard", (ADMIN, SUPERVISOR, AGENT)),
    ("contacts:list", "Contacts", (ADMIN, SUPERVISOR, AGENT)),
    ("telephony:calls", "Calls", (ADMIN, SUPERVISOR, AGENT)),
    ("telephony:accounts", "Provider accounts", (ADMIN,)),
)


def navigation(request: HttpRequest) -> dict:
    role = user_role(getattr(request, "user", None))
    items = [(name, label) for name, label, roles in NAV if role in roles]
    return {"nav_items": items, "user_role": role, "show_admin_link": role == ADMIN}
