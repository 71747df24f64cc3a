from django.contrib import admin

from telephony import models as m


@admin.register(m.ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    # Credentials and webhook secrets are encrypted and never shown here; set them with
    # `manage.py provider_account` or the provider-account page.
    list_display = ("name", "kind", "enabled", "breaker_state", "webhooks_rejected", "last_sync_at")
    list_filter = ("kind", "enabled", "breaker_state")
    search_fields = ("name",)
    exclude = ("credentials_encrypted", "webhook_secrets_encrypted")
    readonly_fields = (
        "webhook_token",
        "breaker_failures",
        "breaker_opened_at",
        "webhooks_rejected",
    )


@admin.register(m.DID)
class DIDAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "region", "kind", "status", "monthly_cost")
    list_filter = ("account", "status", "kind")
    search_fields = ("number", "region")


@admin.register(m.Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "state_since", "enabled", "phone")
    list_filter = ("state", "enabled")
    search_fields = ("user__username", "user__first_name", "user__last_name", "phone")
    raw_id_fields = ("user",)


@admin.register(m.Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "agent", "did", "enabled", "expires_on")
    list_filter = ("account", "enabled")
    search_fields = ("number", "agent__user__username")
    raw_id_fields = ("agent", "did")


class CallEventInline(admin.TabularInline):
    model = m.CallEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status", "provider_status", "source", "detail")


@admin.register(m.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "call_type", "to_number", "status", "agent", "account")
    list_filter = ("status", "call_type", "direction", "account")
    search_fields = ("=to_number", "=from_number", "=provider_call_id")
    raw_id_fields = ("agent", "contact", "did", "masked_session", "initiated_by", "disposition")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [CallEventInline]
    list_select_related = ("agent__user", "account")


@admin.register(m.Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ("call", "content_type", "size_bytes", "fetched_at")
    raw_id_fields = ("call",)


@admin.register(m.MaskedSession)
class MaskedSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "party_a", "party_b", "did", "status", "expires_at", "created_at")
    list_filter = ("status", "account")
    search_fields = ("=party_a", "=party_b")
    raw_id_fields = ("did", "created_by")


@admin.register(m.VoiceBot)
class VoiceBotAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "stt_language", "enabled")
    list_filter = ("account", "enabled")
    search_fields = ("name",)


@admin.register(m.CallFlow)
class CallFlowAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "provider_flow_id")
    list_filter = ("account",)
    search_fields = ("name",)


@admin.register(m.Disposition)
class DispositionAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "adds_to_dnc", "schedules_callback", "active", "sort_order")
    list_filter = ("active",)
    search_fields = ("label", "code")


@admin.register(m.WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "account", "event_type", "provider_call_id", "state")
    list_filter = ("state", "account")
    search_fields = ("=provider_call_id", "=dedupe_key")
    show_full_result_count = False


@admin.register(m.SandboxEvent)
class SandboxEventAdmin(admin.ModelAdmin):
    list_display = ("due_at", "account", "delivered_at")
    list_filter = ("account",)


@admin.register(m.Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ("contact", "agent", "due_at", "status")
    list_filter = ("status",)
    raw_id_fields = ("contact", "call", "agent", "created_by")
