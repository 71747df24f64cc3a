"""Forms of the dashboard pages (the services validate again; forms shape the input)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import timezone

from contacts.models import Contact
from contacts.selectors.hours import contact_local_hours
from telephony.forms.calls import DIDChoiceField, DispositionForm
from telephony.models import DID, Call, Disposition, Extension, ProviderAccount
from telephony.providers.base import Capability
from telephony.selectors.calls import accounts_split_by
from telephony.services.agents import PAUSE_REASONS


class WrapUpForm(DispositionForm):
    """Disposition, note and, for "call back later", when and for whom.

    The callback time is read in a zone the form names: the contact's by default (the
    agent types "10:30" meaning the contact's morning), or the agent's own.
    """

    callback_at = forms.CharField(
        required=False,
        label="Call back at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    callback_zone = forms.ChoiceField(label="In the time zone of", required=False)
    callback_for_anyone = forms.BooleanField(
        required=False, label="Anyone on the team may take the callback"
    )

    def __init__(self, *args, contact: Contact | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hours = contact_local_hours(contact) if contact is not None else None
        self.agent_zone = timezone.get_current_timezone_name()
        choices = []
        if self.hours is not None:
            label = "the contact" if not self.hours.zones.several else "the contact, maybe"
            choices = [(z, f"{label}: {z}") for z in self.hours.zones.zones]
        if self.agent_zone not in dict(choices):
            choices.append((self.agent_zone, f"you: {self.agent_zone}"))
        self.fields["callback_zone"].choices = choices
        # A contact in one known zone: their clock. Several: the agent's, since no one
        # of the contact's zones is theirs for sure.
        fixed = self.hours is not None and not self.hours.zones.several
        self.fields["callback_zone"].initial = choices[0][0] if fixed else self.agent_zone
        now = timezone.localtime()
        yours = f"Your time now: {now:%a %H:%M} {self.agent_zone}."
        theirs = f"The contact's: {self.hours.clock()}. " if self.hours else ""
        self.fields["callback_at"].help_text = theirs + yours

    def clean_callback_at(self):
        raw = self.cleaned_data.get("callback_at", "")
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise forms.ValidationError("Enter a date and time.") from exc
        return value.replace(tzinfo=None)

    def clean(self) -> dict:
        data = super().clean()
        at, zone = data.get("callback_at"), data.get("callback_zone") or self.agent_zone
        if at is not None:
            # fold=0: a time DST repeats means its first occurrence, one it skips moves on.
            data["callback_at"] = at.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        return data


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

    def __init__(self, *args, agents=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
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

    def __init__(self, *args, **kwargs):
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
    # Said by the validators that check it (AUTH_PASSWORD_VALIDATORS), so it never drifts.
    password = forms.CharField(
        widget=forms.PasswordInput, help_text=" ".join(password_validators_help_texts())
    )
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

    def clean_expires_on(self):
        return _not_past(self.cleaned_data.get("expires_on"))


class ExtensionForm(forms.Form):
    did = forms.ModelChoiceField(
        queryset=DID.objects.filter(status=DID.Status.ACTIVE), required=False, label="DID"
    )
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on"
    )

    def clean_expires_on(self):
        return _not_past(self.cleaned_data.get("expires_on"))


def _not_past(day):
    """An expiry is a date to come: one already past would disable the extension at the
    next sweep, which is what "Disable" is for."""
    from django.utils import timezone

    if day is not None and day < timezone.localdate():
        raise forms.ValidationError(
            f"{day:%Y-%m-%d} is in the past: choose today or later, or disable the extension."
        )
    return day


class AssignForm(forms.Form):
    extension = forms.ModelChoiceField(
        queryset=Extension.objects.select_related("agent__user"), required=False
    )
