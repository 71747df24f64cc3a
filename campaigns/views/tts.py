"""TTS template pages: list, create/edit with a live preview from a sample contact."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import STAFF, role_required
from callcenter.web.kit import HtmxHttpRequest
from campaigns.models import TTSTemplate
from campaigns.services.tts_templates import (
    template_check,
    template_render,
    tts_template_refresh,
    tts_template_save,
)
from contacts.models import Contact
from telephony.models import ProviderAccount
from telephony.providers.base import Capability
from telephony.services.accounts import provider_for

# No provider doc states a limit; 1,000 characters is about 90 seconds of speech, past
# which a message is no longer a call script (and a pasted document is refused, not sent).
TTS_TEXT_MAX = 1000


class TTSTemplateForm(forms.ModelForm):
    class Meta:
        model = TTSTemplate
        fields = ["name", "text", "language", "account"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        labels = {"account": "Provider account"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = ProviderAccount.objects.filter(enabled=True)
        self.fields["account"].required = False
        self.fields["text"].help_text = (
            f"Up to {TTS_TEXT_MAX:,} characters (about 90 seconds of speech). "
            "Use {variables} from the contact, e.g. {name}."
        )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if len(text) > TTS_TEXT_MAX:
            raise forms.ValidationError(
                f"{len(text):,} characters is too long for a spoken message: keep it under "
                f"{TTS_TEXT_MAX:,} (about 90 seconds)."
            )
        return text


def _sample_contact(request: HtmxHttpRequest) -> Contact | None:
    pk = request.GET.get("sample") or request.POST.get("sample")
    qs = Contact.objects.order_by("-id")
    if pk and pk.isdigit():
        return qs.filter(pk=int(pk)).first() or qs.first()
    return qs.first()


def _preview_context(text: str, sample: Contact | None) -> dict:
    return {
        "preview": template_render(text, sample),
        "unknown": template_check(text),
        "sample": sample,
    }


@role_required(*STAFF)
def tts_list(request: HtmxHttpRequest) -> HttpResponse:
    templates = list(TTSTemplate.objects.select_related("account").order_by("name")[:500])
    return render(request, "campaigns/tts_list.html", {"templates": templates})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def tts_edit(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(TTSTemplate, pk=pk) if pk else TTSTemplate()
    form = TTSTemplateForm(request.POST or None, instance=template)
    sample = _sample_contact(request)
    if request.method == "POST" and form.is_valid():
        try:
            saved = tts_template_save(
                actor=request.user, template=form.save(commit=False), ip=client_ip(request)
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Saved {saved.name} ({saved.get_status_display()}).")
            return redirect("tts:list")
    text = form["text"].value() or ""
    context = {
        "form": form,
        "template": template,
        "samples": list(Contact.objects.order_by("-id").only("id", "name", "phone")[:20]),
        "missing_reason": _missing_reason(template),
        **_preview_context(text, sample),
    }
    return render(request, "campaigns/tts_form.html", context)


def _missing_reason(template: TTSTemplate) -> str:
    if template.account is None:
        return ""
    provider = provider_for(template.account)
    if provider.supports(Capability.TTS_TEMPLATES):
        return ""
    return provider.missing_reason(Capability.TTS_TEMPLATES)


@role_required(*STAFF)
def tts_preview(request: HtmxHttpRequest) -> HttpResponse:
    """The live preview (GET, reads only): the text filled from the sample contact."""
    context = _preview_context(request.GET.get("text", ""), _sample_contact(request))
    return render(request, "campaigns/tts_form.html#preview", context)


@role_required(*STAFF)
@require_POST
def tts_refresh(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(TTSTemplate.objects.select_related("account"), pk=pk)
    try:
        tts_template_refresh(actor=request.user, template=template, ip=client_ip(request))
        messages.success(request, f"{template.name}: {template.get_status_display()}.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("tts:list")
