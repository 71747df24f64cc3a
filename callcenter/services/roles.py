"""Roles are Django groups with permissions: admin, supervisor, agent.

`ROLE_PERMISSIONS` is the one place that says what each role may do in the Django admin
(supervisors and agents: view only; writes go through the dashboard's services);
views check the role with `role_required`, and selectors scope rows per user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest

ADMIN = "admin"
SUPERVISOR = "supervisor"
AGENT = "agent"
ROLES = (ADMIN, SUPERVISOR, AGENT)
# The two audiences views are opened to: everyone signed in, and the people who run things.
ALL_ROLES = ROLES
STAFF = (ADMIN, SUPERVISOR)

_ALL = ("view", "add", "change", "delete")
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    ADMIN: {
        "telephony.provideraccount": _ALL,
        "telephony.did": _ALL,
        "telephony.agent": _ALL,
        "telephony.extension": _ALL,
        "telephony.call": ("view",),  # calls are the providers' record (superusers only)
        "telephony.recording": ("view",),
        "telephony.maskedsession": ("view", "change"),
        "telephony.voicebot": _ALL,
        "telephony.callflow": _ALL,
        "telephony.disposition": _ALL,
        "telephony.webhookevent": ("view",),
        "contacts.contact": _ALL,
        "contacts.contactlist": _ALL,
        "contacts.dncentry": _ALL,
        "campaigns.ttstemplate": _ALL,
        "campaigns.campaign": _ALL,
        "campaigns.campaignentry": ("view",),
        "callcenter.auditentry": ("view",),
        "auth.user": _ALL,
    },
    SUPERVISOR: {
        "telephony.call": ("view",),
        "telephony.recording": ("view",),
        "telephony.maskedsession": ("view",),
        "telephony.agent": ("view",),
        "telephony.extension": ("view",),
        "telephony.did": ("view",),
        "telephony.disposition": ("view",),
        "contacts.contact": ("view",),
        "contacts.contactlist": ("view",),
        "contacts.dncentry": ("view",),
        "campaigns.ttstemplate": ("view",),
        "campaigns.campaign": ("view",),
        "campaigns.campaignentry": ("view",),
    },
    AGENT: {
        "telephony.call": ("view",),
        "telephony.recording": ("view",),
        "telephony.disposition": ("view",),
        "contacts.contact": ("view",),
    },
}


def sync_role_groups(apps: Any) -> None:
    """Create the role groups and give them exactly their permissions.

    Takes an app registry so data migrations can pass their historical one.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate (post_migrate); a fresh database has
    # none yet when this data migration runs, so create them first. Historical app configs
    # have no models_module, which create_permissions would take as "no models".
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        perms = []
        for model_label, actions in grants.items():
            app_label, model = model_label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            perms += list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.permissions.set(perms)


def user_role(user: Any) -> str | None:
    """The highest role a user holds (admin > supervisor > agent), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = next((role for role in ROLES if role in names), "")
        user._role_cache = cached
    return cached or None


def is_supervisor_or_admin(user: Any) -> bool:
    return user_role(user) in (ADMIN, SUPERVISOR)


def role_required(*roles: str) -> Callable:
    """Login required, then 404 (not 403) for other roles, so URLs reveal nothing."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if user_role(request.user) not in roles:
                raise Http404("Not available for your role")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
