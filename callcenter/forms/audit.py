"""The audit log page's filters."""

from django import forms


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, label="User", max_length=150)
    action = forms.CharField(required=False, label="Action starts with", max_length=64)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
