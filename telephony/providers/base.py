"""The provider contract: one interface every telephony provider implements.

Adapters are plain Python. They take an `AccountConfig`, speak HTTP (or simulate, for the
sandbox), and return the dataclasses below. They import no models, services or views, so
they can be tested alone against the HTTP fakes in `tests/fakes/`.

A provider declares its `capabilities`; a method whose capability is missing raises
`CapabilityMissing` with the reason kept in `missing`, which the UI shows as-is. An
operation it does not offer within a capability it has is declared in `not_offered`, with
its reason, instead of being overridden just to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import ClassVar

from telephony.providers.errors import (  # noqa: F401 - re-exported: the contract's one import
    AmbiguousOutcome,
    AuthenticationFailed,
    CapabilityMissing,
    InvalidRequest,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    WebhookRejected,
)
from telephony.providers.kit.signatures import verify_signature
from telephony.providers.types import *  # noqa: F403 - re-exported: the contract's one import
from telephony.providers.types import (
    AccountConfig,
    AddNumbersResult,
    AgentInfo,
    AgentSpec,
    BotInfo,
    CallPlaced,
    CallUpdate,
    CampaignNumber,
    Capability,
    ClickToCallRequest,
    ContactOptOut,
    CreditsInfo,
    DIDInfo,
    DispositionInfo,
    FlowInfo,
    HostedCampaignSpec,
    HostedCampaignStatus,
    MaskedCallRequest,
    OutboundCallRequest,
    Recording,
    TemplateInfo,
)

#: Every operation of the contract -> the capability it belongs to. A provider lacking the
#: capability refuses the operation with its `missing` reason; one that has the capability
#: but not this operation (CallKaro's campaigns cannot be paused) says why in `not_offered`.
OPERATIONS: dict[str, Capability] = {
    "test_connection": Capability.CALL_LOGS,  # every adapter has one; a fallback only
    "click_to_call": Capability.CLICK_TO_CALL,
    "masked_call": Capability.MASKED_CALL,
    "cancel_masked_call": Capability.MASKED_CALL,
    "tts_call": Capability.TTS_CALL,
    "flow_call": Capability.FLOW_CALL,
    "voicebot_call": Capability.VOICEBOT_CALL,
    "call_details": Capability.CALL_DETAILS,
    "call_logs": Capability.CALL_LOGS,
    "fetch_recording": Capability.RECORDINGS,
    "list_dispositions": Capability.DISPOSITION_PUSH,
    "push_disposition": Capability.DISPOSITION_PUSH,
    "dids_search": Capability.DIDS,
    "did_buy": Capability.DIDS,
    "dids_owned": Capability.DIDS,
    "did_regions": Capability.DIDS,
    "list_flows": Capability.FLOW_CALL,
    "list_voicebots": Capability.VOICEBOT_CALL,
    "agent_create": Capability.AGENTS,
    "agents_list": Capability.AGENTS,
    "agent_update": Capability.AGENTS,
    "agent_delete": Capability.AGENTS,
    "extension_set_enabled": Capability.EXTENSIONS,
    "extension_set_expiry": Capability.EXTENSIONS,
    "extension_assign_did": Capability.EXTENSIONS,
    "tts_template_create": Capability.TTS_TEMPLATES,
    "tts_template_status": Capability.TTS_TEMPLATES,
    "tts_templates_list": Capability.TTS_TEMPLATES,
    "campaign_create": Capability.HOSTED_CAMPAIGN,
    "campaign_add_numbers": Capability.HOSTED_CAMPAIGN,
    "campaign_start": Capability.HOSTED_CAMPAIGN,
    "campaign_pause": Capability.HOSTED_CAMPAIGN,
    "campaign_resume": Capability.HOSTED_CAMPAIGN,
    "campaign_stop": Capability.HOSTED_CAMPAIGN,
    "campaign_status": Capability.HOSTED_CAMPAIGN,
    "campaign_results": Capability.HOSTED_CAMPAIGN,
    "sms_send": Capability.SMS,
    "sms_send_bulk": Capability.SMS,
    "contact_optout_status": Capability.CONTACTS_OPTOUT,
    "credits": Capability.CREDITS,
    "webhook_register": Capability.WEBHOOKS,
    "parse_webhook": Capability.WEBHOOKS,
}


# --- the interface -------------------------------------------------------------------------
class Provider:
    """Base class. Subclasses set `kind`, `label`, `capabilities`, `missing` and
    `not_offered`, and implement the operations of the capabilities they declare."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: capability -> why this provider lacks it (shown in the UI)
    missing: ClassVar[Mapping[Capability, str]] = {}
    #: operation (an OPERATIONS name) -> why this provider does not offer it although it
    #: has the capability; the base class refuses it with this reason, no override needed
    not_offered: ClassVar[Mapping[str, str]] = {}
    #: the credential fields the account form asks for (stored encrypted)
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)
    #: further settings kept with the credentials but not required (e.g. a voicebot's WSS URL)
    optional_credential_fields: ClassVar[tuple[str, ...]] = ()
    #: credential field -> (what the provider's doc calls it, where the doc says to find it),
    #: shown on the account form; a field not listed shows its own name
    credential_labels: ClassVar[Mapping[str, tuple[str, str]]] = {}
    #: hosts recordings may be fetched from (SSRF guard); empty = the API host only
    recording_hosts: ClassVar[tuple[str, ...]] = ()
    #: header names this provider may sign webhooks under (our guesses where the doc names
    #: none); the account's own setting is tried first, common names last
    signature_headers: ClassVar[tuple[str, ...]] = ()
    timestamp_headers: ClassVar[tuple[str, ...]] = ()
    #: True when the provider notes a call by the record id its logs and webhooks give,
    #: which need not equal the id its placing answer gave (IVR Solutions' recordid vs
    #: logid): a disposition push then waits until that record id is known.
    disposition_needs_record_id: ClassVar[bool] = False
    #: True when the provider's API creates a campaign only together with its list, so
    #: `campaign_create` needs `spec.numbers` (Robotalker, OutboundCalls.ai)
    campaign_numbers_at_create: ClassVar[bool] = False

    def __init__(self, config: AccountConfig):
        self.config = config

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A declared refusal must be the one that runs: a name that is no operation, or an
        # operation the class also implements, is a mistake caught at import.
        for name in cls.not_offered:
            if name not in OPERATIONS:
                raise TypeError(f"{cls.__name__}.not_offered: {name!r} is not an operation")
            if getattr(cls, name) is not getattr(Provider, name):
                raise TypeError(f"{cls.__name__} implements {name!r} and declares it not offered")

    @classmethod
    def supports(cls, capability: Capability) -> bool:
        return capability in cls.capabilities

    @classmethod
    def missing_reason(cls, capability: Capability) -> str:
        return cls.missing.get(
            capability, f"{cls.label} does not offer {capability.value.replace('_', ' ')}."
        )

    @classmethod
    def refusal(cls, operation: str) -> str:
        """Why `operation` is refused: its own reason, else its capability's."""
        if operation in cls.not_offered:
            return cls.not_offered[operation]
        return cls.missing_reason(OPERATIONS[operation])

    def _refused(self, operation: str) -> CapabilityMissing:
        return CapabilityMissing(self.refusal(operation))

    # connection
    def test_connection(self) -> str:
        """Make one cheap authenticated request; return a line describing the account."""
        raise self._refused("test_connection")

    # calls
    def click_to_call(self, request: ClickToCallRequest) -> CallPlaced:
        raise self._refused("click_to_call")

    def masked_call(self, request: MaskedCallRequest) -> CallPlaced:
        raise self._refused("masked_call")

    def cancel_masked_call(self, *, did_number: str, party_a: str) -> None:
        raise self._refused("cancel_masked_call")

    def tts_call(self, request: OutboundCallRequest) -> CallPlaced:
        raise self._refused("tts_call")

    def flow_call(self, request: OutboundCallRequest) -> CallPlaced:
        raise self._refused("flow_call")

    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        raise self._refused("voicebot_call")

    # reads
    def call_details(self, provider_call_id: str) -> CallUpdate:
        raise self._refused("call_details")

    def call_logs(self, *, since: datetime, until: datetime) -> Iterable[CallUpdate]:
        raise self._refused("call_logs")

    def fetch_recording(self, url: str) -> Recording:
        raise self._refused("fetch_recording")

    # dispositions
    def list_dispositions(self) -> list[DispositionInfo]:
        raise self._refused("list_dispositions")

    def push_disposition(
        self, *, provider_call_id: str, disposition: str, note: str, call_type: str = ""
    ) -> None:
        """`provider_call_id` is the record id where `disposition_needs_record_id`;
        `call_type` is our kind of call, for providers that file notes by it."""
        raise self._refused("push_disposition")

    @staticmethod
    def record_id_of(payload: Mapping) -> str:
        """The record id a webhook or log payload carries ("" when none); see
        `disposition_needs_record_id`."""
        return ""

    # numbers
    def dids_search(self, *, region: str = "", pattern: str = "") -> list[DIDInfo]:
        raise self._refused("dids_search")

    def did_buy(self, number: str) -> DIDInfo:
        raise self._refused("did_buy")

    def dids_owned(self) -> list[DIDInfo]:
        raise self._refused("dids_owned")

    def did_regions(self) -> list[str]:
        raise self._refused("did_regions")

    # flows and bots
    def list_flows(self) -> list[FlowInfo]:
        raise self._refused("list_flows")

    def list_voicebots(self) -> list[BotInfo]:
        raise self._refused("list_voicebots")

    # agents and extensions
    def agent_create(self, spec: AgentSpec) -> AgentInfo:
        raise self._refused("agent_create")

    def agents_list(self) -> list[AgentInfo]:
        raise self._refused("agents_list")

    def agent_update(self, provider_id: str, spec: AgentSpec) -> AgentInfo:
        raise self._refused("agent_update")

    def agent_delete(self, provider_id: str) -> None:
        raise self._refused("agent_delete")

    def extension_set_enabled(self, *, extension: str, enabled: bool) -> None:
        raise self._refused("extension_set_enabled")

    def extension_set_expiry(self, *, extension: str, expires_on: date) -> None:
        raise self._refused("extension_set_expiry")

    def extension_assign_did(self, *, extension: str, did_number: str) -> None:
        raise self._refused("extension_assign_did")

    # TTS templates
    def tts_template_create(self, *, name: str, text: str, language: str) -> TemplateInfo:
        raise self._refused("tts_template_create")

    def tts_template_status(self, provider_id: str) -> TemplateInfo:
        raise self._refused("tts_template_status")

    def tts_templates_list(self) -> list[TemplateInfo]:
        raise self._refused("tts_templates_list")

    # hosted campaigns (the provider dials the list)
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        raise self._refused("campaign_create")

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        """Push numbers; adapters chunk to the provider's documented batch limit."""
        raise self._refused("campaign_add_numbers")

    def campaign_start(self, provider_id: str) -> None:
        raise self._refused("campaign_start")

    def campaign_pause(self, provider_id: str) -> None:
        raise self._refused("campaign_pause")

    def campaign_resume(self, provider_id: str) -> None:
        raise self._refused("campaign_resume")

    def campaign_stop(self, provider_id: str) -> None:
        raise self._refused("campaign_stop")

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        raise self._refused("campaign_status")

    def campaign_results(self, provider_id: str) -> Iterable[CallUpdate]:
        """Per-number outcomes; `CallUpdate.reference` carries our CampaignEntry id."""
        raise self._refused("campaign_results")

    # SMS, contacts, credits
    def sms_send(self, *, to_number: str, text: str, sender: str = "") -> str:
        raise self._refused("sms_send")

    def sms_send_bulk(self, *, to_numbers: Sequence[str], text: str, sender: str = "") -> list[str]:
        raise self._refused("sms_send_bulk")

    def contact_optout_status(self, number: str) -> ContactOptOut:
        raise self._refused("contact_optout_status")

    def credits(self) -> CreditsInfo:
        raise self._refused("credits")

    # webhooks
    def webhook_register(self, *, url: str, secret: str) -> None:
        """Tell the provider where to send events (where its API allows it)."""
        raise self._refused("webhook_register")

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> None:
        """Raise `WebhookRejected` unless the body is genuinely from the provider.

        The URL token has already been checked by the inbox. No provider doc we integrate
        names its signature scheme, so a signature is checked when present, in the common
        forms, and required when the account says so (`signatures.verify_signature`).
        """
        verify_signature(
            body=body,
            headers=headers,
            secrets=self.config.webhook_secrets,
            header_names=(self.config.webhook_signature_header, *self.signature_headers),
            timestamp_names=self.timestamp_headers,
            required=self.config.webhook_signature_required,
            now=now,
            tolerance=self.config.webhook_tolerance,
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        raise self._refused("parse_webhook")
