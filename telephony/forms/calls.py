from django import forms

from telephony.models import Disposition


class DispositionForm(forms.Form):
    disposition = forms.ModelChoiceField(
        queryset=Disposition.objects.filter(active=True),
        empty_label="Choose an outcome…",
        # hx-preserve: the live panel keeps polling (recording fetch) while the agent types.
        widget=forms.Select(attrs={"hx-preserve": "true"}),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "hx-preserve": "true"}),
        required=False,
        max_length=2000,
    )


class DIDChoiceField(forms.ModelChoiceField):
    """DIDs labelled with their account: one number can exist on two providers."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.number} · {obj.account.name}"
