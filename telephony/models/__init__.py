from telephony.models.accounts import (
    DID,
    Agent,
    AgentGroup,
    CallFlow,
    Disposition,
    Extension,
    ProviderAccount,
    VoiceBot,
)
from telephony.models.callbacks import Callback
from telephony.models.calls import Call, CallEvent, MaskedSession, Recording
from telephony.models.inbox import SandboxEvent, WebhookEvent

__all__ = [
    "DID",
    "Agent",
    "AgentGroup",
    "Call",
    "Callback",
    "CallEvent",
    "CallFlow",
    "Disposition",
    "Extension",
    "MaskedSession",
    "ProviderAccount",
    "Recording",
    "SandboxEvent",
    "VoiceBot",
    "WebhookEvent",
]
