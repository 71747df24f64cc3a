from django.contrib import admin

from callcenter.web.admin import AuditedAdmin
from telephony import models as m


@admin.register(m.ProviderAccount)
class ProviderAccountAdmin(AuditedAdmin):
    # Credentials and webhook secrets are encrypted and never shown here; set them with
    # `manage.py provider_account` or the provider-account page.
    list_display = ("name", "kind", "enabled", "breaker_state", "webhooks_rejected", "last_sync_at")
    list_filter = ("kind", "enabled", "breaker_state")
    search_fields = ("name",)
    exclude = ("credentials_encrypted", "webhook_secrets_encrypted")

    def has_add_permission(self, request):
        return False  # an account needs its credentials: the provider-account page adds it

    # The base URL receives our credentials: it changes only on the provider-account page,
    # whose form checks it. Health and sync fields are written by the system.
    state_fields = (
        "kind",
        "base_url",
        "webhook_token",
        "breaker_state",
        "breaker_failures",
        "breaker_opened_at",
        "webhooks_rejected",
        "last_webhook_rejection",
        "last_rejected_headers",
        "errors_count",
        "last_error",
        "last_error_at",
        "last_sync_at",
        "sync_cursor",
        "last_test_at",
        "last_test_ok",
        "last_test_message",
        "rate_limit_remaining",
        "rate_limit_reset_at",
        "credits_balance",
        "credits_checked_at",
    )


@admin.register(m.DID)
class DIDAdmin(AuditedAdmin):
    list_display = ("number", "account", "region", "kind", "status", "monthly_cost")
    list_filter = ("account", "status", "kind")
    search_fields = ("number", "region")
    state_fields = (
        "account",
        "number",
        "status",
        "provider_id",
    )  # bought and released on the DIDs page


@admin.register(m.AgentGroup)
class AgentGroupAdmin(AuditedAdmin):
    # A team's wrap-up rule: past the limit the wallboard shows red, and with auto_ready
    # the agents sweep sets the agent Ready. Agents join a group on their admin page.
    list_display = ("name", "wrap_up_limit_seconds", "auto_ready")
    search_fields = ("name",)


@admin.register(m.Agent)
class AgentAdmin(AuditedAdmin):
    list_display = ("user", "state", "state_since", "group", "enabled", "phone")
    list_filter = ("state", "enabled", "group")
    search_fields = ("user__username", "user__first_name", "user__last_name", "phone")
    raw_id_fields = ("user",)
    # Enabling also (de)activates the user, and a state change is the agent's or a
    # supervisor's on the dashboard: not a bare column write.
    state_fields = ("state", "state_since", "enabled", "provider_agent_id")


@admin.register(m.Extension)
class ExtensionAdmin(AuditedAdmin):
    list_display = ("number", "account", "agent", "did", "enabled", "expires_on")
    list_filter = ("account", "enabled")
    search_fields = ("number", "agent__user__username")
    raw_id_fields = ("agent", "did")
    # Kept in step with the provider. `enabled` stays editable: switching an agent between
    # the sandbox and a real account's extension is done here (README), audited.
    state_fields = ("account", "provider_id")


class CallEventInline(admin.TabularInline):
    model = m.CallEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status", "provider_status", "source", "detail")

    def has_add_permission(self, request, obj=None):
        return False  # a call's history is what happened, written by the services

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Call)
class CallAdmin(AuditedAdmin):
    list_display = ("id", "created_at", "call_type", "to_number", "status", "agent", "account")
    list_filter = ("status", "call_type", "direction", "account")
    search_fields = ("=to_number", "=from_number", "=provider_call_id")
    raw_id_fields = ("agent", "contact", "did", "masked_session", "initiated_by", "disposition")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [CallEventInline]
    list_select_related = ("agent__user", "account")
    # Calls are the providers' record: read-only but for superusers, and even they cannot
    # edit what a sync sends our credentials to (the recording URL, the provider's ids).
    superuser_writes = True
    state_fields = (
        "account",
        "provider_call_id",
        "provider_record_id",
        "recording_url",
        "status",
        "provider_status",
        "error",
        "ringing_at",
        "answered_at",
        "ended_at",
        "details_fetched_at",
        "recording_attempts",
        "disposition_pushed_at",
        "disposition_push_attempts",
        "disposition_push_error",
        "last_payload",
    )


@admin.register(m.Recording)
class RecordingAdmin(AuditedAdmin):
    list_display = ("call", "content_type", "size_bytes", "fetched_at")
    raw_id_fields = ("call",)
    view_only = True  # fetched by the sync; erased by retention or a contact's erasure


@admin.register(m.MaskedSession)
class MaskedSessionAdmin(AuditedAdmin):
    list_display = ("id", "party_a", "party_b", "did", "status", "expires_at", "created_at")
    list_filter = ("status", "account")
    search_fields = ("=party_a", "=party_b")
    raw_id_fields = ("did", "created_by")
    state_fields = ("account", "status", "provider_session_id")


@admin.register(m.VoiceBot)
class VoiceBotAdmin(AuditedAdmin):
    list_display = ("name", "account", "stt_language", "enabled")
    list_filter = ("account", "enabled")
    search_fields = ("name",)


@admin.register(m.CallFlow)
class CallFlowAdmin(AuditedAdmin):
    list_display = ("name", "account", "provider_flow_id")
    list_filter = ("account",)
    search_fields = ("name",)


@admin.register(m.Disposition)
class DispositionAdmin(AuditedAdmin):
    list_display = ("label", "code", "adds_to_dnc", "schedules_callback", "active", "sort_order")
    list_filter = ("active",)
    search_fields = ("label", "code")


@admin.register(m.WebhookEvent)
class WebhookEventAdmin(AuditedAdmin):
    list_display = ("received_at", "account", "event_type", "provider_call_id", "state")
    list_filter = ("state", "account")
    search_fields = ("=provider_call_id", "=dedupe_key")
    show_full_result_count = False
    view_only = True  # what a provider sent, as it sent it


@admin.register(m.SandboxEvent)
class SandboxEventAdmin(AuditedAdmin):
    list_display = ("due_at", "account", "delivered_at")
    list_filter = ("account",)
    view_only = True


@admin.register(m.Callback)
class CallbackAdmin(AuditedAdmin):
    list_display = ("contact", "agent", "due_at", "status")
    list_filter = ("status",)
    raw_id_fields = ("contact", "call", "agent", "created_by")
    state_fields = ("status",)
