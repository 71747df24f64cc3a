from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services.lifecycle import CONTENT_CAPABILITY
from contacts.models import ContactList
from contacts.selectors.windows import legal_hours_label, parse_hhmm
from telephony.models import DID, ProviderAccount
from telephony.providers.base import Capability
from telephony.providers.registry import PROVIDERS
from telephony.selectors.calls import accounts_split_by

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
RETRY_OUTCOMES = [
    ("busy", "Busy"),
    ("no_answer", "No answer"),
    ("failed", "Failed"),
    ("voicemail", "Voicemail"),
]


HOSTED = Capability.HOSTED_CAMPAIGN


class CampaignForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    retry_on = forms.MultipleChoiceField(
        choices=RETRY_OUTCOMES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Retry when the call was",
        help_text="Do-not-call, opted-out and invalid numbers are never retried.",
    )
    gap_between_retries = forms.CharField(
        required=False,
        label="Minutes between retries",
        help_text="One value for every gap, or one per retry: “10, 60, 240”. Two calls to one "
        "number are always at least %s minutes apart, whatever the campaign.",
    )
    # Shown (as a checkbox) only once a gap under the global minimum has been refused.
    accept_short_gaps = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Save anyway: the shorter gaps wait the minimum",
    )

    class Meta:
        model = Campaign
        fields = [
            "name", "lists", "account", "did", "content", "tts_template", "call_flow",
            "voicebot", "execution", "schedule_at", "window_start", "window_end", "weekdays",
            "time_zone_mode", "time_zone", "carry_over", "number_of_retries",
            "gap_between_retries", "retry_on", "priority", "no_of_call", "calls_per_minute",
            "optout_digit",
        ]  # fmt: skip
        widgets = {
            "lists": forms.CheckboxSelectMultiple,
            "schedule_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "window_start": forms.TimeInput(attrs={"type": "time"}),
            "window_end": forms.TimeInput(attrs={"type": "time"}),
        }
        labels = {
            "did": "DID (caller ID)",
            "tts_template": "TTS template",
            "schedule_at": "Start at (optional)",
            "no_of_call": "Concurrent calls",
            "calls_per_minute": "Calls per minute cap (optional)",
            "optout_digit": "Opt-out key (optional)",
            "carry_over": "Carry unfinished contacts over to the next window",
        }
        help_texts = {
            "window_start": "Daily window. The legal hours (%s–%s in the contact's own time) "
            "always apply on top: a campaign can narrow them, never widen them.",
            "priority": "−100 to 100. Higher runs first, across campaigns on one account.",
            "optout_digit": "A contact who presses it goes on the do-not-call list.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window_start"].help_text %= (
            settings.CAMPAIGN_COMPLIANCE_WINDOW_START,
            settings.CAMPAIGN_COMPLIANCE_WINDOW_END,
        )
        self.fields["gap_between_retries"].help_text %= settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES
        order = [f for f in self.fields if f != "accept_short_gaps"]
        order.insert(order.index("gap_between_retries") + 1, "accept_short_gaps")
        self.order_fields(order)
        self.fields["lists"].queryset = ContactList.objects.order_by("name")
        self.fields["lists"].required = True
        # Only accounts that can run a campaign one way or another; the page says why the
        # others are missing.
        capable, self.missing_accounts = accounts_split_by(*CONTENT_CAPABILITY.values(), HOSTED)
        self.fields["account"].queryset = ProviderAccount.objects.filter(
            pk__in=[a.pk for a in capable]
        )
        self.fields["did"].queryset = DID.objects.filter(status=DID.Status.ACTIVE).select_related(
            "account"
        )
        # Hosted campaigns on some providers (OutboundCalls.ai) call from the provider's
        # own numbers, so the DID is checked in clean() rather than always required.
        self.fields["did"].required = False
        self.fields["did"].label_from_instance = lambda did: f"{did.number} · {did.account.name}"
        gaps = self.initial.get("gap_between_retries")
        if isinstance(gaps, list):
            self.initial["gap_between_retries"] = ", ".join(str(g) for g in gaps)

    def clean_gap_between_retries(self) -> list[int]:
        raw = self.cleaned_data.get("gap_between_retries") or ""
        try:
            gaps = [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError as exc:
            raise forms.ValidationError("Give whole minutes, separated by commas.") from exc
        if any(g < 0 for g in gaps):
            raise forms.ValidationError("A gap cannot be negative.")
        return gaps

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(f"“{value}” is not a known time zone.") from exc
        return value

    def clean_optout_digit(self) -> str:
        value = self.cleaned_data.get("optout_digit", "").strip()
        if value and value not in "0123456789*#":
            raise forms.ValidationError("Use one key: 0–9, * or #.")
        return value

    def clean_no_of_call(self) -> int:
        value = self.cleaned_data["no_of_call"]
        if value < 1:
            raise forms.ValidationError("At least one concurrent call, or nothing is ever dialed.")
        return value

    def clean_schedule_at(self):
        value = self.cleaned_data.get("schedule_at")
        # Only a start typed now: a saved one passes by once the campaign has begun.
        if value and "schedule_at" in self.changed_data and value < timezone.now():
            raise forms.ValidationError(
                f"{timezone.localtime(value):%Y-%m-%d %H:%M} is in the past. Choose a later "
                "start, or leave it empty to start when you press Start."
            )
        return value

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start and end.strftime("%H:%M") != "00:00":
            self.add_error("window_end", "The window must end after it starts.")
        elif start and end:
            self._check_legal_hours(start, end, data.get("time_zone_mode"))
        self._check_gaps(data)
        did, account = data.get("did"), data.get("account")
        no_of_call = data.get("no_of_call")
        if account and no_of_call and no_of_call > account.concurrency_limit:
            self.add_error(
                "no_of_call",
                f"At most {account.concurrency_limit} concurrent calls: the cap of the "
                f"provider account “{account.name}”.",
            )
        if did and account and did.account_id != account.pk:
            self.add_error("did", "This DID belongs to another provider account.")
        if account:
            self._check_provider(account, data)
        if not did and data.get("execution") != Campaign.Execution.HOSTED:
            self.add_error("did", "Choose the DID (caller ID) the calls are placed from.")
        return data

    def _check_legal_hours(self, start: time, end: time, mode: str | None) -> None:
        """A window in the contact's own time that never meets the legal hours dials no one.

        (In the campaign's zone it may still meet them for contacts elsewhere.)"""
        legal_start = parse_hhmm(settings.CAMPAIGN_COMPLIANCE_WINDOW_START) or time(0)
        legal_end = parse_hhmm(settings.CAMPAIGN_COMPLIANCE_WINDOW_END)
        ends = None if end == time(0) else end
        before = ends is not None and ends <= legal_start
        after = legal_end is not None and start >= legal_end
        if mode == Campaign.TimeZoneMode.CONTACT and (before or after):
            self.add_error(
                "window_start",
                f"{start:%H:%M}–{end:%H:%M} lies wholly outside the legal calling hours "
                f"({legal_hours_label()} in the contact's time): no call could be placed.",
            )

    def _check_gaps(self, data: dict) -> None:
        """Gaps under the global minimum re-call gap are stretched at dial time: say so
        before saving, and save only once the user has seen it and ticked the box."""
        minimum = settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES
        short = [g for g in data.get("gap_between_retries") or [] if g < minimum]
        if not short or data.get("accept_short_gaps"):
            return
        self.fields["accept_short_gaps"].widget = forms.CheckboxInput()
        listed = ", ".join(str(g) for g in short)
        self.add_error(
            "gap_between_retries",
            f"Gaps under {minimum} minutes ({listed}) will be stretched to {minimum}: no "
            "number is called twice within that time, in any campaign. Raise them, or tick "
            "“Save anyway” below.",
        )

    def _check_provider(self, account: ProviderAccount, data: dict) -> None:
        """The provider must do what the campaign asks, in the way it asks."""
        cls = PROVIDERS.get(account.kind)
        if cls is None:
            return
        if data.get("execution") == Campaign.Execution.HOSTED:
            if not cls.supports(HOSTED):
                self.add_error("execution", cls.missing_reason(HOSTED))
            return
        needed = CONTENT_CAPABILITY.get(data.get("content"))
        if needed and not cls.supports(needed):
            hint = " Choose “Hosted by the provider”." if cls.supports(HOSTED) else ""
            self.add_error("content", cls.missing_reason(needed) + hint)
