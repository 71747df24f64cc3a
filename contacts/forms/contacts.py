from typing import Any

from django import forms

from common.phones import InvalidPhoneNumber, normalize_phone
from contacts.models import Contact
from contacts.selectors.contacts import contacts_with_phone


class ContactForm(forms.ModelForm):
    # Shown only once the number turns out to be taken (see the template).
    allow_duplicate = forms.BooleanField(
        required=False, label="Save anyway: a second contact with this number is intended"
    )

    class Meta:
        model = Contact
        fields = ["name", "phone", "email", "time_zone", "lists"]
        widgets = {"lists": forms.CheckboxSelectMultiple}
        help_texts = {
            "phone": "Any format; stored as +<country><number>.",
            "time_zone": "IANA name, e.g. Australia/Perth. Empty: the number's own zones, all of "
            "them where its country has several. A zone outside the number's country is not "
            "used for calling hours.",
        }

    def __init__(self, *args, user: Any = None, region: str = "IN", **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.user = user
        self.duplicates: list[Contact] = []
        self.fields["lists"].required = False

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"], region=self.region)
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_time_zone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["time_zone"].strip()
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise forms.ValidationError(f"“{value}” is not a known time zone.") from exc
        return value

    def clean(self) -> dict:
        data = super().clean()
        phone = data.get("phone")
        if phone and self.user is not None:
            # A number already held is usually the same person: say so (with a link) before
            # a second contact splits their history; saving anyway takes an explicit tick.
            self.duplicates = contacts_with_phone(self.user, phone, exclude_pk=self.instance.pk)
            if self.duplicates and not data.get("allow_duplicate"):
                self.add_error(
                    "phone",
                    "A contact with this number already exists (see below). Open it, or tick "
                    "“Save anyway” to keep a second contact.",
                )
        return data
