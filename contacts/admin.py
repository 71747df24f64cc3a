from django import forms
from django.contrib import admin

from callcenter.web.admin import AuditedAdmin
from common.phones import InvalidPhoneNumber, normalize_phone
from contacts.forms.contacts import ContactForm
from contacts.models import Contact, ContactList, DNCEntry


class ContactAdminForm(ContactForm):
    """The dashboard's contact form: the number normalised, the zone checked."""

    allow_duplicate = None  # the duplicate warning needs the page's links; not here

    class Meta(ContactForm.Meta):
        fields = [*ContactForm.Meta.fields, "variables", "assigned_to"]


class DNCEntryAdminForm(forms.ModelForm):
    """Numbers are stored E.164, as the dial-time check compares them: `98765 43210` typed
    here must block `+919876543210`."""

    class Meta:
        model = DNCEntry
        fields = ["phone", "reason", "source"]

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(ContactList)
class ContactListAdmin(AuditedAdmin):
    list_display = ("name", "created_at", "created_by")
    search_fields = ("name",)
    raw_id_fields = ("created_by",)


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ("name", "phone", "email", "time_zone", "opted_out", "assigned_to")
    list_filter = ("opted_out", "lists")
    search_fields = ("name", "=phone", "email")
    raw_id_fields = ("assigned_to",)
    filter_horizontal = ("lists",)
    show_full_result_count = False
    form = ContactAdminForm  # the dashboard's checks: the number normalised, the zone known
    # Opt-outs and erasure go through their services (DNC, erasure of recordings too).
    state_fields = ("opted_out", "opted_out_at", "erased_at")


@admin.register(DNCEntry)
class DNCEntryAdmin(AuditedAdmin):
    list_display = ("phone", "source", "reason", "created_at", "created_by")
    list_filter = ("source",)
    search_fields = ("=phone", "reason")
    raw_id_fields = ("created_by",)
    show_full_result_count = False
    form = DNCEntryAdminForm
