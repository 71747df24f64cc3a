"""The provider contract: one interface every telephony provider implements.

Adapters are plain Python. They take an `AccountConfig`, speak HTTP (or simulate, for the
sandbox), and return the dataclasses below. They import no models, services or views, so
they can be tested alone against the HTTP fakes in `tests/fakes/`.

A provider declares its `capabilities`; a method whose capability is missing raises
`CapabilityMissing` with the reason kept in `missing`, which the UI shows as-is.
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


# --- the interface -------------------------------------------------------------------------
class Provider:
    """Base class. Subclasses set `kind`, `label`, `capabilities` and `missing`."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: capability -> why this provider lacks it (shown in the UI)
    missing: ClassVar[Mapping[Capability, str]] = {}
    #: the credential fields the account form asks for (stored encrypted)
    credential_fields: ClassVar[tuple[str, ...]] = ("api_key",)
    #: further settings kept with the credentials but not required (e.g. a voicebot's WSS URL)
    optional_credential_fields: ClassVar[tuple[str, ...]] = ()
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

    @classmethod
    def supports(cls, capability: Capability) -> bool:
        return capability in cls.capabilities

    @classmethod
    def missing_reason(cls, capability: Capability) -> str:
        return cls.missing.get(
            capability, f"{cls.label} does not offer {capability.value.replace('_', ' ')}."
        )

    def _missing(self, capability: Capability) -> CapabilityMissing:
        return CapabilityMissing(self.missing_reason(capability))

    # connection
    def test_connection(self) -> str:
        """Make one cheap authenticated request; return a line describing the account."""
        raise self._missing(Capability.CALL_LOGS)

    # calls
    def click_to_call(self, request: ClickToCallRequest) -> CallPlaced:
        raise self._missing(Capability.CLICK_TO_CALL)

    def masked_call(self, request: MaskedCallRequest) -> CallPlaced:
        raise self._missing(Capability.MASKED_CALL)

    def cancel_masked_call(self, *, did_number: str, party_a: str) -> None:
        raise self._missing(Capability.MASKED_CALL)

    def tts_call(self, request: OutboundCallRequest) -> CallPlaced:
        raise self._missing(Capability.TTS_CALL)

    def flow_call(self, request: OutboundCallRequest) -> CallPlaced:
        raise self._missing(Capability.FLOW_CALL)

    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        raise self._missing(Capability.VOICEBOT_CALL)

    # reads
    def call_details(self, provider_call_id: str) -> CallUpdate:
        raise self._missing(Capability.CALL_DETAILS)

    def call_logs(self, *, since: datetime, until: datetime) -> Iterable[CallUpdate]:
        raise self._missing(Capability.CALL_LOGS)

    def fetch_recording(self, url: str) -> Recording:
        raise self._missing(Capability.RECORDINGS)

    # dispositions
    def list_dispositions(self) -> list[DispositionInfo]:
        raise self._missing(Capability.DISPOSITION_PUSH)

    def push_disposition(
        self, *, provider_call_id: str, disposition: str, note: str, call_type: str = ""
    ) -> None:
        """`provider_call_id` is the record id where `disposition_needs_record_id`;
        `call_type` is our kind of call, for providers that file notes by it."""
        raise self._missing(Capability.DISPOSITION_PUSH)

    @staticmethod
    def record_id_of(payload: Mapping) -> str:
        """The record id a webhook or log payload carries ("" when none); see
        `disposition_needs_record_id`."""
        return ""

    # numbers
    def dids_search(self, *, region: str = "", pattern: str = "") -> list[DIDInfo]:
        raise self._missing(Capability.DIDS)

    def did_buy(self, number: str) -> DIDInfo:
        raise self._missing(Capability.DIDS)

    def dids_owned(self) -> list[DIDInfo]:
        raise self._missing(Capability.DIDS)

    def did_regions(self) -> list[str]:
        raise self._missing(Capability.DIDS)

    # flows and bots
    def list_flows(self) -> list[FlowInfo]:
        raise self._missing(Capability.FLOW_CALL)

    def list_voicebots(self) -> list[BotInfo]:
        raise self._missing(Capability.VOICEBOT_CALL)

    # agents and extensions
    def agent_create(self, spec: AgentSpec) -> AgentInfo:
        raise self._missing(Capability.AGENTS)

    def agents_list(self) -> list[AgentInfo]:
        raise self._missing(Capability.AGENTS)

    def agent_update(self, provider_id: str, spec: AgentSpec) -> AgentInfo:
        raise self._missing(Capability.AGENTS)

    def agent_delete(self, provider_id: str) -> None:
        raise self._missing(Capability.AGENTS)

    def extension_set_enabled(self, *, extension: str, enabled: bool) -> None:
        raise self._missing(Capability.EXTENSIONS)

    def extension_set_expiry(self, *, extension: str, expires_on: date) -> None:
        raise self._missing(Capability.EXTENSIONS)

    def extension_assign_did(self, *, extension: str, did_number: str) -> None:
        raise self._missing(Capability.EXTENSIONS)

    # TTS templates
    def tts_template_create(self, *, name: str, text: str, language: str) -> TemplateInfo:
        raise self._missing(Capability.TTS_TEMPLATES)

    def tts_template_status(self, provider_id: str) -> TemplateInfo:
        raise self._missing(Capability.TTS_TEMPLATES)

    def tts_templates_list(self) -> list[TemplateInfo]:
        raise self._missing(Capability.TTS_TEMPLATES)

    # hosted campaigns (the provider dials the list)
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        """Push numbers; adapters chunk to the provider's documented batch limit."""
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_start(self, provider_id: str) -> None:
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_pause(self, provider_id: str) -> None:
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_resume(self, provider_id: str) -> None:
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_stop(self, provider_id: str) -> None:
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    def campaign_results(self, provider_id: str) -> Iterable[CallUpdate]:
        """Per-number outcomes; `CallUpdate.reference` carries our CampaignEntry id."""
        raise self._missing(Capability.HOSTED_CAMPAIGN)

    # SMS, contacts, credits
    def sms_send(self, *, to_number: str, text: str, sender: str = "") -> str:
        raise self._missing(Capability.SMS)

    def sms_send_bulk(self, *, to_numbers: Sequence[str], text: str, sender: str = "") -> list[str]:
        raise self._missing(Capability.SMS)

    def contact_optout_status(self, number: str) -> ContactOptOut:
        raise self._missing(Capability.CONTACTS_OPTOUT)

    def credits(self) -> CreditsInfo:
        raise self._missing(Capability.CREDITS)

    # webhooks
    def webhook_register(self, *, url: str, secret: str) -> None:
        """Tell the provider where to send events (where its API allows it)."""
        raise self._missing(Capability.WEBHOOKS)

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
        raise self._missing(Capability.WEBHOOKS)
