from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django_q.models import Failure, OrmQ, Schedule, Success

from callcenter.models import AuditEntry
from callcenter.services.audit import audit_log, client_ip
from callcenter.services.leases import Lease
from callcenter.web.admin import AuditedAdmin
from callcenter.web.throttle import ThrottledAdminAuthenticationForm

# /admin/login/ is throttled exactly like /login/ (one throttle, the same counters).
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit entries through the admin."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "summary", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "summary", "object_id")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lease)
class LeaseAdmin(AuditedAdmin):
    list_display = ("name", "holder", "until")
    readonly_fields = ("name", "holder", "until")
    view_only = True  # held and renewed by the workers


# Users and groups are audited like every other row (a new admin is a state change).
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    def user_change_password(self, request, id, form_url=""):
        # The password page saves without save_model: audited here, on success only.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit_log(
                actor=request.user,
                action="admin.change",
                summary=f"changed the password of user “{user}” in the Django admin",
                obj=user,
                data={"fields": ["password"]},
                ip=client_ip(request),
            )
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


# django-q2's task pages too (a schedule names a function to run): audited, admins only.
for _model in (Schedule, Success, Failure, OrmQ):
    _base = admin.site._registry.get(_model)
    if _base is not None:
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(f"Audited{type(_base).__name__}", (AuditedAdmin, type(_base)), {})
        )
