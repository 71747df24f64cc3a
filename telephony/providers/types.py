"""Enums and plain dataclasses of the provider contract (see base.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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
    # The account's signature settings (telephony.providers.kit.signatures): the header to
    # read first ("" = the provider's guesses, then common names), and whether an event
    # without a valid signature is refused even though its URL token is right.
    webhook_signature_header: str = ""
    webhook_signature_required: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    # Rate limiter, concurrency cap and circuit breaker shared across processes
    # (telephony.services.guard.AccountGuard); None in unit tests that exercise an adapter alone.
    guard: Any = field(default=None, compare=False, repr=False)


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
    # The provider's own campaign id, where its single-call API needs one (Callmatic).
    campaign_ref: str = ""
    # Our label for the attempt ("campaign:entry:attempt"), for logs and provider metadata.
    tag: str = ""
    # Scheduling the provider applies itself (CallKaro); providers without it ignore these.
    # Window times are "HH:MM" in the provider's own clock (see each adapter).
    schedule_at: datetime | None = None
    window_start: str = ""
    window_end: str = ""
    carry_over: bool = False
    retries: int = 0
    retry_gaps_minutes: Sequence[int] = ()
    priority: int = 0


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


@dataclass(frozen=True)
class FlowInfo:
    provider_id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class BotInfo:
    provider_id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class AgentSpec:
    name: str
    extension: str = ""
    phone: str = ""  # E.164
    email: str = ""
    password: str = ""  # only for providers that keep agent logins (policy checked first)
    did_number: str = ""


@dataclass(frozen=True)
class AgentInfo:
    provider_id: str
    name: str
    extension: str = ""
    phone: str = ""
    enabled: bool = True
    did_number: str = ""
    expires_on: str = ""  # ISO date


@dataclass(frozen=True)
class TemplateInfo:
    provider_id: str
    name: str
    status: str  # draft | pending | approved | rejected
    text: str = ""


@dataclass(frozen=True)
class CampaignNumber:
    """One number pushed to a hosted campaign; `reference` is our CampaignEntry id."""

    number: str
    reference: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    # The campaign it joins: providers whose numbers carry the campaign's schedule,
    # window and retries one by one (CallKaro) read them here.
    campaign: HostedCampaignSpec | None = None


@dataclass(frozen=True)
class HostedCampaignSpec:
    name: str
    did_number: str = ""
    template_name: str = ""
    text: str = ""
    flow_id: str = ""
    bot_id: str = ""
    window_start: str = ""  # "HH:MM"
    window_end: str = ""
    time_zone: str = ""
    concurrency: int = 1
    retries: int = 0
    retry_gaps_minutes: Sequence[int] = ()
    priority: int = 0
    schedule_at: datetime | None = None
    carry_over: bool = False  # a number not reached today is tried in the next window
    # The first numbers, for providers whose API has no empty campaign (see
    # Provider.campaign_numbers_at_create); the others take numbers only through
    # campaign_add_numbers and ignore this.
    numbers: Sequence[CampaignNumber] = ()


@dataclass(frozen=True)
class AddNumbersResult:
    accepted: int
    duplicates: int = 0
    rejected: Sequence[tuple[str, str]] = ()  # (number, reason)
    provider_ids: Mapping[str, str] = field(default_factory=dict)  # reference -> call id


@dataclass(frozen=True)
class HostedCampaignStatus:
    provider_id: str
    status: str  # running | paused | stopped | completed | scheduled | draft
    total: int | None = None
    completed: int | None = None
    pending: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CreditsInfo:
    balance: str
    currency: str = ""
    used_this_period: str | None = None


@dataclass(frozen=True)
class ContactOptOut:
    number: str
    opted_out: bool
