"""Forms of the dashboard pages (the services validate again; forms shape the input)."""

from __future__ import annotations

from django import forms

from telephony.forms import DIDChoiceField, DispositionForm
from telephony.models import DID, Disposition, Extension, ProviderAccount
from telephony.services.agents import PAUSE_REASONS
from telephony.views_common import parse_local_datetime


class WrapUpForm(DispositionForm):
    """Disposition, note and, for "call back later", when and for whom."""

    callback_at = forms.CharField(
        required=False,
        label="Call back at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    callback_for_anyone = forms.BooleanField(
        required=False, label="Anyone on the team may take the callback"
    )

    def clean_callback_at(self):  # noqa: ANN201
        raw = self.cleaned_data.get("callback_at", "")
        value = parse_local_datetime(raw)
        if raw and value is None:
            raise forms.ValidationError("Enter a date and time.")
        return value


class StateForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("ready", "Ready"), ("paused", "Paused"), ("offline", "Offline")]
    )
    reason = forms.CharField(required=False, max_length=100)


PAUSE_CHOICES = [("", "Reason…")] + [(r, r) for r in PAUSE_REASONS]


class CallFilterForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    call_type = forms.ChoiceField(required=False, label="Type")
    status = forms.ChoiceField(required=False)
    agent = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    campaign = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    account = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Provider")
    disposition = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agents=(), campaigns=(), **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        from telephony.models import Call

        self.fields["call_type"].choices = [("", "Any type"), *Call.Type.choices]
        self.fields["status"].choices = [("", "Any status"), *Call.STATUS_CHOICES]
        self.fields["agent"].choices = [("", "Any agent")] + [(a.pk, str(a)) for a in agents]
        self.fields["campaign"].choices = [("", "Any campaign")] + [
            (c.pk, c.name) for c in campaigns
        ]
        self.fields["account"].choices = [("", "Any provider")] + [
            (a.pk, a.name) for a in ProviderAccount.objects.order_by("name")
        ]
        self.fields["disposition"].choices = [("", "Any disposition")] + [
            (d.pk, d.label) for d in Disposition.objects.all()
        ]


class DispositionEditForm(forms.ModelForm):
    class Meta:
        model = Disposition
        fields = ["label", "code", "schedules_callback", "adds_to_dnc", "active", "sort_order"]
        help_texts = {"code": "Short id sent to providers that take dispositions"}


class MaskedSessionForm(forms.Form):
    did = DIDChoiceField(
        queryset=DID.objects.filter(status=DID.Status.ACTIVE).select_related("account"),
        label="Over DID",
        empty_label="Choose a DID…",
    )
    party_a = forms.CharField(label="Party A (rings first)", max_length=32)
    party_b = forms.CharField(label="Party B", max_length=32)
    minutes = forms.IntegerField(
        label="Session lasts (minutes)", min_value=1, max_value=1440, initial=60
    )

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        from telephony.providers.base import Capability
        from telephony.selectors import accounts_split_by

        super().__init__(*args, **kwargs)
        # Only DIDs of accounts whose provider can mask; the page explains the others.
        capable, self.missing_accounts = accounts_split_by(Capability.MASKED_CALL)
        self.fields["did"].queryset = self.fields["did"].queryset.filter(account__in=capable)


class DIDSearchForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=ProviderAccount.objects.filter(enabled=True), empty_label=None
    )
    region = forms.CharField(required=False, max_length=64)
    pattern = forms.CharField(required=False, max_length=20, label="Contains digits")


class AgentCreateForm(forms.Form):
    username = forms.SlugField(max_length=150)
    full_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 8 characters")
    account = forms.ModelChoiceField(
        queryset=ProviderAccount.objects.filter(enabled=True), empty_label=None, label="Provider"
    )
    extension_number = forms.RegexField(regex=r"^\d{2,8}$", label="Extension", max_length=8)
    did = forms.ModelChoiceField(
        queryset=DID.objects.filter(status=DID.Status.ACTIVE), required=False, label="DID"
    )
    phone = forms.CharField(required=False, max_length=32, label="Agent's phone")
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on"
    )


class ExtensionForm(forms.Form):
    did = forms.ModelChoiceField(
        queryset=DID.objects.filter(status=DID.Status.ACTIVE), required=False, label="DID"
    )
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on"
    )


class AssignForm(forms.Form):
    extension = forms.ModelChoiceField(
        queryset=Extension.objects.select_related("agent__user"), required=False
    )
