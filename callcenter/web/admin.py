"""The one base class of every ModelAdmin: the admin writes nothing around the rules.

- Only admins write (superusers for `superuser_writes` models such as calls); supervisors
  and agents with staff access get a view-only admin.
- `state_fields` are read-only for everyone: states move through the services (start a
  campaign, disable an agent) on the dashboard, which check and audit them; fields that
  feed a credentialed request (a recording URL, a base URL) are among them.
- Every add, change and delete writes an AuditEntry, in the admin's own transaction.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from callcenter.services.audit import audit_log, client_ip
from callcenter.services.roles import ADMIN, user_role


class AuditedAdmin(admin.ModelAdmin):
    state_fields: ClassVar[tuple[str, ...]] = ()
    superuser_writes: ClassVar[bool] = False
    view_only: ClassVar[bool] = False  # rows only the system writes (inbox, engine)

    # -- who may write ---------------------------------------------------------------------
    def may_write(self, request: HttpRequest) -> bool:
        if self.view_only:
            return False
        if self.superuser_writes:
            return request.user.is_superuser
        return user_role(request.user) == ADMIN

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_write(request) and super().has_delete_permission(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        # A view-only user sees every field read-only; the dashboard forms the writers use
        # expect their fields, so the reader gets the admin's plain form.
        if not self.may_write(request):
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        declared = tuple(super().get_readonly_fields(request, obj))
        return declared + tuple(f for f in self.state_fields if f not in declared)

    # -- every write is audited ------------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = "changed" if change else "added"
            fields = list(getattr(form, "changed_data", []) or [])
            _audit(request, obj, "change" if change else "add", verb, {"fields": fields})

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            _audit(request, obj, "delete", "deleted", {"was": str(obj)[:200]})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:  # one entry per row, as a one-by-one delete would write
                _audit(request, obj, "delete", "deleted", {"was": str(obj)[:200]})
            super().delete_queryset(request, queryset)


def _audit(request: HttpRequest, obj: models.Model, action: str, verb: str, data: dict) -> None:
    name = obj._meta.verbose_name
    audit_log(
        actor=request.user,
        action=f"admin.{action}",
        summary=f"{verb} {name} “{obj}” in the Django admin",
        obj=obj,
        data=data,
        ip=client_ip(request),
    )
