from django.contrib import admin

from callcenter.web.admin import AuditedAdmin
from campaigns.forms.campaigns import CampaignForm
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry, TTSTemplate


@admin.register(TTSTemplate)
class TTSTemplateAdmin(AuditedAdmin):
    list_display = ("name", "language", "status", "account", "updated_at")
    list_filter = ("status", "language")
    search_fields = ("name", "text")
    state_fields = ("status", "account", "provider_template_id")  # the provider approves


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ("name", "status", "account", "content", "priority", "no_of_call", "created_at")
    list_filter = ("status", "content", "execution", "account")
    search_fields = ("name",)
    filter_horizontal = ("lists",)
    raw_id_fields = ("did", "tts_template", "call_flow", "voicebot", "created_by")
    # The dashboard form's checks (window, concurrency, provider capability); the status
    # moves only through start/pause/resume/stop on the campaign page.
    form = CampaignForm
    state_fields = (
        "status",
        "hosted_id",
        "hosted_started",
        "hosted_doubt",
        "hosted_doubt_detail",
        "started_at",
        "completed_at",
        "health_code",
        "health_detail",
        "health_at",
    )


@admin.register(CampaignEntry)
class CampaignEntryAdmin(AuditedAdmin):
    list_display = ("campaign", "phone", "state", "attempts", "next_attempt_at", "outcome")
    list_filter = ("state", "campaign")
    search_fields = ("=phone",)
    raw_id_fields = ("campaign", "contact")
    show_full_result_count = False
    view_only = True  # the dialer's own state: claims, leases, attempts


@admin.register(CampaignAttempt)
class CampaignAttemptAdmin(AuditedAdmin):
    list_display = ("entry", "number", "call", "created_at")
    raw_id_fields = ("entry", "call")
    view_only = True
