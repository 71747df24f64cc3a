from django import forms

from contacts.models import Contact
from contacts.phones import InvalidPhoneNumber, normalize_phone


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "phone", "email", "time_zone", "lists"]
        widgets = {"lists": forms.CheckboxSelectMultiple}
        help_texts = {"phone": "Any format; stored as +<country><number>."}

    def __init__(self, *args, region: str = "IN", **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.region = region
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
