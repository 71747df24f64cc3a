"""The sandbox provider: simulated calls, no network, every call life seeded.

Each placed call gets a timeline (ringing, answered, hangup) drawn from a random generator
seeded with the account seed and our call reference, so the same call always lives the
same life. The timeline is returned as `SimulatedEvent`s carrying webhook bodies; the
runtime (`telephony.services.sandbox_runtime`) stores them and, when due, signs and posts them into
the same inbox real providers' webhooks use.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import random
import struct
import time
import wave
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.base import (
    AgentInfo,
    AgentSpec,
    CallPlaced,
    CallStatus,
    CallUpdate,
    Capability,
    ClickToCallRequest,
    DIDInfo,
    DispositionInfo,
    InvalidRequest,
    MaskedCallRequest,
    OutboundCallRequest,
    Provider,
    Recording,
    SimulatedEvent,
    TemplateInfo,
    WebhookRejected,
    map_status,
)
from telephony.providers.kit import parsing
from telephony.providers.sandbox.hosted import SandboxHostedMixin

SIGNATURE_HEADER = "x-sandbox-signature"
TIMESTAMP_HEADER = "x-sandbox-timestamp"
RECORDING_PREFIX = "https://sandbox.invalid/recordings/"

STATUS_TABLE: dict[str, CallStatus] = {
    "queued": CallStatus.QUEUED,
    "ringing": CallStatus.RINGING,
    "answered": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "no-answer": CallStatus.NO_ANSWER,
    "busy": CallStatus.BUSY,
    "failed": CallStatus.FAILED,
    "voicemail": CallStatus.VOICEMAIL,
    "canceled": CallStatus.CANCELED,
}

# Like a carrier sandbox's test numbers: a callee number ending in one of these always
# gets that outcome, so demos and browser tests can show a chosen journey.
MAGIC_SUFFIXES = {
    "0001": "completed",
    "0002": "busy",
    "0003": "no-answer",
    "0004": "failed",
    "0005": "voicemail",
}

# (outcome word, weight): roughly what an outbound team sees on a cold list.
OUTCOMES = (("completed", 55), ("no-answer", 20), ("busy", 10), ("voicemail", 8), ("failed", 7))

TRANSCRIPT_LINES = (
    ("agent", "Hello, this is the support team calling about your recent order."),
    ("customer", "Oh yes, I was expecting your call."),
    ("agent", "Is this a good time to confirm the delivery address?"),
    ("customer", "Sure, go ahead."),
    ("customer", "Could you call me back tomorrow instead?"),
    ("customer", "Please don't call me again."),
)

DISPOSITIONS = (
    ("interested", "Interested"),
    ("not-interested", "Not interested"),
    ("callback", "Call back later"),
    ("wrong-number", "Wrong number"),
    ("dnd", "Do not call"),
)


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """HMAC-SHA256 over `timestamp.body`, so a replayed body with a new time fails."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def timeline(
    *, seed: int, reference: str, kind: str, to_number: str = "", speed: float = 1.0
) -> list[tuple]:
    """The call's life as (seconds after placing, event word, extra fields)."""
    rng = random.Random(f"{seed}:{reference}")
    outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
    outcome = MAGIC_SUFFIXES.get(to_number[-4:], outcome)
    t = rng.uniform(0.8, 2.0) * speed
    events: list[tuple] = [(t, "ringing", {})]
    if outcome == "failed":
        events.append((t + rng.uniform(0.5, 2) * speed, "failed", {"reason": "network"}))
        return events
    ring = rng.uniform(2, 6) * speed
    if outcome in ("no-answer", "busy"):
        events.append((t + (ring * 4 if outcome == "no-answer" else ring / 2), outcome, {}))
        return events
    t += ring
    events.append((t, "answered", {"amd": "machine" if outcome == "voicemail" else "human"}))
    talk = rng.uniform(8, 40) if outcome == "completed" else rng.uniform(5, 15)
    extra: dict = {"duration": int(talk), "recording": True}
    if outcome == "completed":
        lines = list(TRANSCRIPT_LINES[:4])
        lines.append(rng.choice(TRANSCRIPT_LINES[4:] + (TRANSCRIPT_LINES[3],)))
        extra["transcript"] = [{"speaker": s, "text": x} for s, x in lines]
        extra["summary"] = "Customer confirmed the delivery details."
        if kind in ("tts", "flow", "voicebot"):
            extra["dtmf"] = rng.choice(["1", "1", "2", "9"])
    events.append((t + talk * speed, outcome, extra))
    return events


class SandboxProvider(SandboxHostedMixin, Provider):
    kind = "sandbox"
    label = "Sandbox (simulated)"
    capabilities = frozenset(
        {
            Capability.CLICK_TO_CALL,
            Capability.MASKED_CALL,
            Capability.TTS_CALL,
            Capability.FLOW_CALL,
            Capability.VOICEBOT_CALL,
            Capability.CALL_DETAILS,
            Capability.RECORDINGS,
            Capability.DISPOSITION_PUSH,
            Capability.DIDS,
            Capability.AGENTS,
            Capability.EXTENSIONS,
            Capability.TTS_TEMPLATES,
            Capability.WEBHOOKS,
            Capability.HOSTED_CAMPAIGN,
            Capability.SMS,
        }
    )
    recording_hosts = ("sandbox.invalid",)
    credential_fields = ()
    missing = {
        Capability.CALL_LOGS: "The sandbox keeps no call log of its own: the dashboard's "
        "calls are the log.",
        Capability.CONTACTS_OPTOUT: "The sandbox keeps no contacts: opt-outs live in the "
        "dashboard's own DNC list.",
        Capability.CREDITS: "Sandbox calls cost nothing, so there is no balance to show.",
    }

    # -- placing calls ---------------------------------------------------------------
    def click_to_call(self, request: ClickToCallRequest) -> CallPlaced:
        self._check_number(request.customer_number)
        return self._place(request.reference, "click_to_call", request.customer_number)

    def masked_call(self, request: MaskedCallRequest) -> CallPlaced:
        self._check_number(request.party_a)
        self._check_number(request.party_b)
        return self._place(request.reference, "masked", request.party_b)

    def cancel_masked_call(self, *, did_number: str, party_a: str) -> None:
        return None  # nothing is held at a simulated provider; the session row is enough

    def tts_call(self, request: OutboundCallRequest) -> CallPlaced:
        self._check_number(request.to_number)
        return self._place(request.reference, "tts", request.to_number)

    def flow_call(self, request: OutboundCallRequest) -> CallPlaced:
        self._check_number(request.to_number)
        return self._place(request.reference, "flow", request.to_number)

    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        self._check_number(request.to_number)
        return self._place(request.reference, "voicebot", request.to_number)

    def _check_number(self, number: str) -> None:
        try:
            normalize_phone(number, region=self.config.default_region)
        except InvalidPhoneNumber as exc:
            raise InvalidRequest(str(exc)) from exc

    def _place(self, reference: str, kind: str, to_number: str) -> CallPlaced:
        placed_at = datetime.now(UTC)
        # The id carries what call_details needs to re-derive the life without storage.
        stamp = int(placed_at.timestamp())
        call_id = f"sbx-{self.config.account_id}-{reference}-{stamp}-{to_number[-4:]}"
        events = []
        for seq, (after, word, extra) in enumerate(self._timeline(reference, kind, to_number)):
            body = self._event_body(call_id, seq, word, extra, placed_at + timedelta(seconds=after))
            events.append(SimulatedEvent(after=after, body=body))
        return CallPlaced(
            provider_call_id=call_id,
            status=CallStatus.QUEUED,
            raw={"call_id": call_id, "to": to_number},
            simulated_events=events,
        )

    def _timeline(self, reference: str, kind: str, to_number: str = "") -> list[tuple]:
        return timeline(
            seed=self.config.seed,
            reference=reference,
            kind=kind,
            to_number=to_number,
            speed=self.config.speed,
        )

    def _event_body(self, call_id: str, seq: int, word: str, extra: dict, at: datetime) -> bytes:
        payload = {
            "event_id": f"{call_id}:{seq}",
            "call_id": call_id,
            "event": word,
            "at": at.isoformat(),
        }
        for key in ("duration", "amd", "dtmf", "transcript", "summary", "reason"):
            if key in extra:
                payload[key] = extra[key]
        if extra.get("recording"):
            payload["recording_url"] = f"{RECORDING_PREFIX}{call_id}.wav"
        return json.dumps(payload, sort_keys=True).encode()

    # -- reads ---------------------------------------------------------------------------
    def call_details(self, provider_call_id: str) -> CallUpdate:
        """Derived from the call's timeline and the time it was placed (in its id)."""
        try:
            _, _, reference, placed, last4 = provider_call_id.split("-")
            placed_at = datetime.fromtimestamp(int(placed), UTC)
        except ValueError as exc:
            raise InvalidRequest(f"Unknown sandbox call id {provider_call_id!r}") from exc
        now = datetime.now(UTC)
        last = None
        for after, word, extra in self._timeline(reference, "click_to_call", last4):
            if placed_at + timedelta(seconds=after) <= now:
                last = (word, extra, placed_at + timedelta(seconds=after))
        if last is None:
            return CallUpdate(provider_call_id, CallStatus.QUEUED, provider_status="queued")
        word, extra, at = last
        body = self._event_body(provider_call_id, 99, word, extra, at)
        return self._update_from(json.loads(body), body)

    def sms_send(self, *, to_number: str, text: str, sender: str = "") -> str:
        """Accepted and dropped: nothing leaves this machine. A fresh id per message."""
        self._check_number(to_number)
        digest = hashlib.sha256(f"{to_number}|{text}|{time.time_ns()}".encode()).hexdigest()
        return f"sbx-sms-{digest[:16]}"

    def sms_send_bulk(self, *, to_numbers, text: str, sender: str = "") -> list[str]:
        return [self.sms_send(to_number=n, text=text, sender=sender) for n in to_numbers]

    def fetch_recording(self, url: str) -> Recording:
        if not url.startswith(RECORDING_PREFIX):
            raise InvalidRequest("Not a sandbox recording URL.")
        return Recording(content=_tone_wav(url), content_type="audio/wav")

    def list_dispositions(self) -> list[DispositionInfo]:
        return [DispositionInfo(code, label) for code, label in DISPOSITIONS]

    def push_disposition(
        self, *, provider_call_id: str, disposition: str, note: str, call_type: str = ""
    ) -> None:
        return None  # accepted; a simulated provider keeps nothing

    def test_connection(self) -> str:
        return "Sandbox ready: calls are simulated, nothing leaves this machine."

    def dids_search(self, *, region: str = "", pattern: str = "") -> list[DIDInfo]:
        rng = random.Random(f"{self.config.seed}:dids:{region}")
        numbers = [f"+9111{rng.randint(40000000, 49999999)}" for _ in range(12)]
        return [
            DIDInfo(number=n, region=region or "Delhi", monthly_cost="500.00")
            for n in numbers
            if pattern in n
        ]

    def did_buy(self, number: str) -> DIDInfo:
        return DIDInfo(number=number, region="Delhi", monthly_cost="500.00", provider_id=number)

    # -- agents, extensions, templates: accepted and echoed, nothing is held -------------
    def agent_create(self, spec: AgentSpec) -> AgentInfo:
        return AgentInfo(
            provider_id=f"sbx-agent-{spec.extension or spec.name}",
            name=spec.name,
            extension=spec.extension,
            phone=spec.phone,
            did_number=spec.did_number,
        )

    def extension_set_enabled(self, *, extension: str, enabled: bool) -> None:
        return None

    def extension_set_expiry(self, *, extension: str, expires_on: date) -> None:
        return None

    def extension_assign_did(self, *, extension: str, did_number: str) -> None:
        return None

    def tts_template_create(self, *, name: str, text: str, language: str) -> TemplateInfo:
        # A simulated provider approves at once; real ones answer "pending" for a while.
        return TemplateInfo(provider_id=f"sbx-tpl-{name}", name=name, status="approved", text=text)

    def tts_template_status(self, provider_id: str) -> TemplateInfo:
        name = provider_id.removeprefix("sbx-tpl-")
        return TemplateInfo(provider_id=provider_id, name=name, status="approved")

    # -- webhooks ----------------------------------------------------------------------
    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> None:
        signature = headers.get(SIGNATURE_HEADER, "")
        try:
            timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
        except ValueError as exc:
            raise WebhookRejected("missing or malformed timestamp", status=401) from exc
        if abs(now.timestamp() - timestamp) > self.config.webhook_tolerance:
            raise WebhookRejected("stale timestamp (possible replay)", status=401)
        secrets = [s for s in self.config.webhook_secrets if s]
        if not signature or not any(
            hmac.compare_digest(signature, sign(body, s, timestamp)) for s in secrets
        ):
            raise WebhookRejected("bad signature", status=401)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise WebhookRejected("malformed JSON") from exc
        if not isinstance(payload, dict) or not payload.get("call_id") or "event" not in payload:
            raise WebhookRejected("missing call_id or event")
        return [self._update_from(payload, body)]

    def _update_from(self, payload: dict, body: bytes) -> CallUpdate:
        word = str(payload["event"])
        occurred = payload.get("at")
        try:
            occurred_at = datetime.fromisoformat(occurred) if occurred else None
        except (ValueError, TypeError) as exc:
            raise WebhookRejected("malformed timestamp in event") from exc
        return CallUpdate(
            provider_call_id=str(payload["call_id"]),
            status=map_status(STATUS_TABLE, word),
            provider_status=word,
            dedupe_key=str(payload.get("event_id") or hashlib.sha256(body).hexdigest()),
            event_type=word,
            occurred_at=occurred_at,
            duration_seconds=parsing.whole_seconds(payload.get("duration")),
            dtmf=str(payload.get("dtmf") or ""),
            amd_result=str(payload.get("amd") or ""),
            recording_url=str(payload.get("recording_url") or ""),
            transcript=_lines(payload.get("transcript")),
            summary=str(payload.get("summary") or ""),
            raw=payload,
        )


def _lines(transcript: object) -> list | None:
    """Pages render a transcript as a list of lines; anything else is not one."""
    return transcript if isinstance(transcript, list) else None


def _tone_wav(seed_text: str, seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A short, valid WAV: two tones chosen from the URL, so each call sounds its own."""
    rng = random.Random(seed_text)
    f1, f2 = rng.choice([330, 392, 440]), rng.choice([494, 523, 587])
    frames = bytearray()
    for i in range(int(seconds * rate)):
        freq = f1 if i < rate * seconds / 2 else f2
        frames += struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return buffer.getvalue()
