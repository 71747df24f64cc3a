from django.contrib import admin

from contacts.models import Contact, ContactList, DNCEntry


@admin.register(ContactList)
class ContactListAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at", "created_by")
    search_fields = ("name",)
    raw_id_fields = ("created_by",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email", "time_zone", "opted_out", "assigned_to")
    list_filter = ("opted_out", "lists")
    search_fields = ("name", "=phone", "email")
    raw_id_fields = ("assigned_to",)
    filter_horizontal = ("lists",)
    show_full_result_count = False


@admin.register(DNCEntry)
class DNCEntryAdmin(admin.ModelAdmin):
    list_display = ("phone", "source", "reason", "created_at", "created_by")
    list_filter = ("source",)
    search_fields = ("=phone", "reason")
    raw_id_fields = ("created_by",)
    show_full_result_count = False
