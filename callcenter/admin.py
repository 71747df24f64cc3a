from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from callcenter.admin_audit import AuditedAdmin
from callcenter.leases import Lease
from callcenter.models import AuditEntry
from callcenter.throttle import ThrottledAdminAuthenticationForm

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
    pass


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
