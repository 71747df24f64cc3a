import ipaddress

from django import forms
from django.conf import settings

from telephony.models import ProviderAccount
from telephony.providers.kit.urlcheck import canonical_origin
from telephony.providers.registry import PROVIDERS, kind_choices

SECRET_FIELDS = {"api_key", "api_token", "wss_header"}


def _doc_name(kind: str, name: str, *, plain: str = "") -> tuple[str, str]:
    """What the provider's doc calls a credential and where it says to find it (declared on
    the adapter, so a new provider touches only its package); else the field's own name."""
    cls = PROVIDERS.get(kind)
    fallback = (plain or name.replace("_", " ").capitalize(), "")
    return cls.credential_labels.get(name, fallback) if cls else fallback


def _credential_field(kind: str, name: str, *, required: bool, editing: bool) -> forms.Field:
    label, help_text = _doc_name(kind, name)
    attrs = {"autocomplete": "off", "data-kind": kind}
    if name in SECRET_FIELDS:
        widget = forms.PasswordInput(render_value=False, attrs=attrs)
    elif name == "system_msg":
        widget = forms.Textarea(attrs={**attrs, "rows": 3})
    else:
        widget = forms.TextInput(attrs=attrs)
    if editing:
        help_text = f"{help_text} Leave blank to keep the stored value.".strip()
    elif required:
        help_text = f"Required. {help_text}".strip()
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text)


def _kind_names(kind: str) -> tuple[str, ...]:
    cls = PROVIDERS.get(kind)
    return (*cls.credential_fields, *cls.optional_credential_fields) if cls else ()


class AccountForm(forms.ModelForm):
    """Settings plus the credential inputs of each provider kind, grouped by kind (a new
    account shows the chosen kind's group; an existing one only its own kind's).

    Credentials are write-only: the inputs are never filled back, and a blank one keeps
    the stored value.
    """

    kind = forms.ChoiceField(choices=kind_choices)

    class Meta:
        model = ProviderAccount
        fields = [
            "kind",
            "name",
            "base_url",
            "default_region",
            "calls_per_second",
            "requests_per_minute",
            "concurrency_limit",
            "low_credit_threshold",
            "webhook_signature_header",
            "webhook_signature_required",
            "enabled",
        ]
        labels = {"base_url": "API base URL", "concurrency_limit": "Concurrent calls"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = bool(self.instance.pk)
        if editing:
            self.fields["kind"].disabled = True
        self.kinds = [self.instance.kind] if editing else list(PROVIDERS)
        for kind in self.kinds:
            cls = PROVIDERS.get(kind)
            for name in _kind_names(kind):
                self.fields[f"cred_{kind}_{name}"] = _credential_field(
                    kind, name, required=name in cls.credential_fields, editing=editing
                )

    webhook_secret = forms.CharField(
        label="Webhook signing secret",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Only where the provider shows you its own secret (e.g. OutboundCalls.ai "
        "Settings > Webhooks). Leave blank to keep the current one.",
    )

    def setting_fields(self) -> list:
        return [f for f in self.visible_fields() if not f.name.startswith("cred_")]

    def credential_groups(self) -> list[dict]:
        """One group per kind, its label and its bound credential fields, for the template."""
        return [
            {
                "kind": kind,
                "label": PROVIDERS[kind].label if kind in PROVIDERS else kind,
                "fields": [self[f"cred_{kind}_{name}"] for name in _kind_names(kind)],
            }
            for kind in self.kinds
        ]

    def clean_calls_per_second(self) -> float:
        return _positive(self.cleaned_data["calls_per_second"], "Calls per second")

    def clean_requests_per_minute(self) -> int:
        return _positive(self.cleaned_data["requests_per_minute"], "Requests per minute")

    def clean_concurrency_limit(self) -> int:
        return _positive(self.cleaned_data["concurrency_limit"], "Concurrent calls")

    def clean_low_credit_threshold(self):
        value = self.cleaned_data.get("low_credit_threshold")
        if value is not None and value < 0:
            raise forms.ValidationError("A credit threshold cannot be negative.")
        return value

    def clean_base_url(self) -> str:
        value = self.cleaned_data.get("base_url", "").strip()
        if value:
            problem = base_url_problem(value)
            if problem:
                raise forms.ValidationError(problem)
        return value

    def clean_webhook_signature_header(self) -> str:
        value = self.cleaned_data["webhook_signature_header"].strip().lower()
        if value and not all(c.isalnum() or c == "-" for c in value):
            raise forms.ValidationError("A header name has only letters, digits and dashes.")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        cls = PROVIDERS.get(kind)
        if cls and not self.instance.pk:
            for name in cls.credential_fields:
                if not data.get(f"cred_{kind}_{name}"):
                    label = _doc_name(kind, name, plain=name.replace("_", " "))[0]
                    self.add_error(f"cred_{kind}_{name}", f"{cls.label} needs its {label}.")
        return data

    def credentials(self) -> dict:
        """The chosen kind's credentials only: what was typed for another kind is ignored."""
        kind = self.cleaned_data.get("kind") or self.instance.kind
        return {
            name: self.cleaned_data.get(f"cred_{kind}_{name}", "").strip()
            for name in _kind_names(kind)
        }


def credential_field_names() -> list[str]:
    return sorted({name for kind in PROVIDERS for name in _kind_names(kind)})


# Names that always mean this machine or its local network.
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a provider's API base, or None. Our credentials go there, so
    only a canonical http(s) URL on a public address; loopback, private and link-local
    addresses (cloud metadata at 169.254.169.254) only where
    PROVIDER_ALLOW_PRIVATE_URLS is set (the development fakes on 127.0.0.1)."""
    origin = canonical_origin(url)
    if origin is None:
        return (
            "Give the provider's http(s) API address, such as https://api.example.com/v1 "
            "(no user name, spaces, backslashes or other schemes such as ftp://)."
        )
    if settings.PROVIDER_ALLOW_PRIVATE_URLS:
        return None
    host = origin.host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(_LOCAL_NAMES):
            return f"{host} is this machine or its local network, not a provider."
        return None
    if not address.is_global or address.is_multicast:
        return (
            f"{host} is a loopback, private or link-local address, not a provider's "
            "(set PROVIDER_ALLOW_PRIVATE_URLS=True for a local test provider)."
        )
    return None


def _positive(value, label: str):
    """A limit of 0 or less would stop every request to the provider (or, negative, be
    read as no limit): refused with a message rather than stored."""
    if value is not None and value <= 0:
        raise forms.ValidationError(f"{label} must be more than 0 (got {value}).")
    return value
