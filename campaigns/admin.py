from django.contrib import admin

from campaigns.models import Campaign, CampaignAttempt, CampaignEntry, TTSTemplate


@admin.register(TTSTemplate)
class TTSTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "status", "account", "updated_at")
    list_filter = ("status", "language")
    search_fields = ("name", "text")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "account", "content", "priority", "no_of_call", "created_at")
    list_filter = ("status", "content", "execution", "account")
    search_fields = ("name",)
    filter_horizontal = ("lists",)
    raw_id_fields = ("did", "tts_template", "call_flow", "voicebot", "created_by")


@admin.register(CampaignEntry)
class CampaignEntryAdmin(admin.ModelAdmin):
    list_display = ("campaign", "phone", "state", "attempts", "next_attempt_at", "outcome")
    list_filter = ("state", "campaign")
    search_fields = ("=phone",)
    raw_id_fields = ("campaign", "contact")
    show_full_result_count = False


@admin.register(CampaignAttempt)
class CampaignAttemptAdmin(admin.ModelAdmin):
    list_display = ("entry", "number", "call", "created_at")
    raw_id_fields = ("entry", "call")
