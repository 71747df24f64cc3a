"""The provider contract: one interface every telephony provider implements.

Adapters are plain Python. They take an `AccountConfig`, speak HTTP (or simulate, for the
sandbox), and return the dataclasses below. They import no models, services or views, so
they can be tested alone against the HTTP fakes in `tests/fakes/`.

A provider declares its `capabilities`; a method whose capability is missing raises
`CapabilityMissing` with the reason kept in `missing`, which the UI shows as-is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar


class Capability(StrEnum):
    CLICK_TO_CALL = "click_to_call"
    MASKED_CALL = "masked_call"
    TTS_CALL = "tts_call"
    FLOW_CALL = "flow_call"
    VOICEBOT_CALL = "voicebot_call"
    HOSTED_CAMPAIGN = "hosted_campaign"
    CALL_DETAILS = "call_details"
    CALL_LOGS = "call_logs"
    RECORDINGS = "recordings"
    DISPOSITION_PUSH = "disposition_push"
    DIDS = "dids"
    AGENTS = "agents"
    EXTENSIONS = "extensions"
    TTS_TEMPLATES = "tts_templates"
    SMS = "sms"
    CONTACTS_OPTOUT = "contacts_optout"
    CREDITS = "credits"
    WEBHOOKS = "webhooks"


class CallStatus(StrEnum):
    """The one vocabulary every provider's status words map into."""

    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    VOICEMAIL = "voicemail"
    CANCELED = "canceled"
    UNKNOWN = "unknown"


FINAL_STATUSES = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.NO_ANSWER,
        CallStatus.BUSY,
        CallStatus.FAILED,
        CallStatus.VOICEMAIL,
        CallStatus.CANCELED,
    }
)
ACTIVE_STATUSES = frozenset({CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS})

# Events may arrive late or out of order: a status only ever moves to a higher rank.
# `unknown` ranks lowest so any real word from the provider replaces it.
STATUS_RANK: dict[str, int] = {
    CallStatus.UNKNOWN: 0,
    CallStatus.QUEUED: 1,
    CallStatus.RINGING: 2,
    CallStatus.IN_PROGRESS: 3,
    **dict.fromkeys(FINAL_STATUSES, 4),
}


def map_status(table: Mapping[str, CallStatus], word: str | None) -> CallStatus:
    """Map a provider's status word through its table; unknown words map to UNKNOWN.

    The caller keeps the raw word beside the mapped one, so nothing is lost.
    """
    if not word:
        return CallStatus.UNKNOWN
    return table.get(word.strip().lower(), CallStatus.UNKNOWN)


# --- errors ----------------------------------------------------------------------------------
class ProviderError(Exception):
    """A provider request failed. `permanent` means retrying can never succeed."""

    permanent = False

    def __init__(self, message: str, *, permanent: bool | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        if permanent is not None:
            self.permanent = permanent


class AuthenticationFailed(ProviderError):
    permanent = True


class InvalidRequest(ProviderError):
    """We would send, or sent, something the provider refuses (bad number, limit exceeded)."""

    permanent = True


class CapabilityMissing(ProviderError):
    permanent = True


class RateLimited(ProviderError):
    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The circuit breaker is open, or the provider keeps failing."""


class AmbiguousOutcome(ProviderError):
    """A call-placing request whose result is unknown (timeout, dropped connection).

    The call may or may not exist at the provider: it is marked `unknown` and only the
    reconciler, asking the provider's details or logs, decides. Never redial on this.
    """


class WebhookRejected(Exception):
    """An inbound webhook failed verification or parsing. `status` is the HTTP answer."""

    def __init__(self, reason: str, *, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


# --- configuration and messages ---------------------------------------------------------------
@dataclass(frozen=True)
class AccountConfig:
    account_id: int
    kind: str
    name: str
    credentials: Mapping[str, str]
    base_url: str = ""
    default_region: str = "IN"
    webhook_url: str = ""
    webhook_secrets: Sequence[str] = ()  # first signs (sandbox); all verify (rotation)
    seed: int = 0
    speed: float = 1.0
    webhook_tolerance: int = 300  # seconds a signed timestamp may differ from our clock
    connect_timeout: float = 5.0
    read_timeout: float = 15.0


@dataclass(frozen=True)
class ClickToCallRequest:
    agent_extension: str
    agent_number: str  # E.164 of the agent's phone/forwarding, when the provider needs it
    customer_number: str  # E.164
    did_number: str  # E.164
    reference: str  # our Call id, echoed where the provider allows it


@dataclass(frozen=True)
class MaskedCallRequest:
    party_a: str
    party_b: str
    did_number: str
    reference: str


@dataclass(frozen=True)
class OutboundCallRequest:
    """A TTS, flow or voicebot call to one number."""

    to_number: str
    did_number: str
    reference: str
    text: str = ""
    template_name: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)
    flow_id: str = ""
    bot_id: str = ""
    campaign_ref: str = ""


@dataclass(frozen=True)
class SimulatedEvent:
    """Sandbox only: an event the provider will deliver `after` seconds from now."""

    after: float
    body: bytes


@dataclass(frozen=True)
class CallPlaced:
    provider_call_id: str
    status: CallStatus = CallStatus.QUEUED
    raw: Mapping[str, Any] = field(default_factory=dict)
    simulated_events: Sequence[SimulatedEvent] = ()


@dataclass
class CallUpdate:
    """What a webhook, a details fetch or a log row says about one call."""

    provider_call_id: str
    status: CallStatus
    provider_status: str = ""
    dedupe_key: str = ""
    event_type: str = ""
    occurred_at: datetime | None = None
    direction: str = ""
    from_number: str = ""
    to_number: str = ""
    did_number: str = ""
    duration_seconds: int | None = None
    dtmf: str = ""
    amd_result: str = ""
    recording_url: str = ""
    transcript: list[dict[str, str]] | None = None
    summary: str = ""
    cost: str | None = None
    reference: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recording:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class DIDInfo:
    number: str
    region: str = ""
    kind: str = "local"
    monthly_cost: str | None = None
    provider_id: str = ""


@dataclass(frozen=True)
class DispositionInfo:
    code: str
    label: str


# --- the interface -------------------------------------------------------------------------
class Provider:
    """Base class. Subclasses set `kind`, `label`, `capabilities` and `missing`."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: capability -> why this provider lacks it (shown in the UI)
    missing: ClassVar[Mapping[Capability, str]] = {}
    #: hosts recordings may be fetched from (SSRF guard); empty = the API host only
    recording_hosts: ClassVar[tuple[str, ...]] = ()

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

    def push_disposition(self, *, provider_call_id: str, disposition: str, note: str) -> None:
        raise self._missing(Capability.DISPOSITION_PUSH)

    # numbers
    def dids_search(self, *, region: str = "", pattern: str = "") -> list[DIDInfo]:
        raise self._missing(Capability.DIDS)

    def did_buy(self, number: str) -> DIDInfo:
        raise self._missing(Capability.DIDS)

    # webhooks
    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> None:
        """Raise `WebhookRejected` unless the body is genuinely from the provider.

        The URL token has already been checked by the inbox; providers that sign their
        payloads check the signature here.
        """

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        raise self._missing(Capability.WEBHOOKS)
