import ipaddress

from django import forms
from django.conf import settings

from telephony.models import ProviderAccount
from telephony.providers.registry import PROVIDERS, kind_choices
from telephony.providers.urlcheck import canonical_origin


class AccountForm(forms.ModelForm):
    """Settings plus one password-style input per credential field of any provider kind.

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

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["kind"].disabled = True
        for name in credential_field_names():
            self.fields[f"cred_{name}"] = forms.CharField(
                label=name.replace("_", " ").capitalize(),
                required=False,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text="Leave blank to keep the stored value." if self.instance.pk else "",
            )

    webhook_secret = forms.CharField(
        label="Webhook signing secret",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Only where the provider shows you its own secret (e.g. OutboundCalls.ai "
        "Settings > Webhooks). Leave blank to keep the current one.",
    )

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
                if not data.get(f"cred_{name}"):
                    self.add_error(
                        f"cred_{name}", f"{cls.label} needs its {name.replace('_', ' ')}."
                    )
        return data

    def credentials(self) -> dict:
        cls = PROVIDERS.get(self.cleaned_data.get("kind") or self.instance.kind)
        names = (*cls.credential_fields, *cls.optional_credential_fields) if cls else ()
        return {name: self.cleaned_data.get(f"cred_{name}", "") for name in names}


def credential_field_names() -> list[str]:
    return sorted(
        {
            name
            for cls in PROVIDERS.values()
            for name in (*cls.credential_fields, *cls.optional_credential_fields)
        }
    )


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
