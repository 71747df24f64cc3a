from django import forms

from telephony.models import Disposition


class DispositionForm(forms.Form):
    disposition = forms.ModelChoiceField(
        queryset=Disposition.objects.filter(active=True), empty_label="Choose an outcome…"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
