"""What the Callmatic fake (tests/fakes/callmatic.py) says and records on an answered call:
a short bot/human transcript with its summary, and a tiny WAV recording."""

from __future__ import annotations

import io
import math
import wave
from typing import Any

_BOT_LINES = (
    "नमस्ते {name} जी, मैं राधा बोल रही हूँ, {campaign} से...",
    "क्या अभी आपसे दो मिनट बात हो सकती है?",
    "आपका भुगतान बकाया है, क्या आप इसे इस हफ़्ते कर पाएँगे?",
    "धन्यवाद, आपका दिन शुभ हो।",
)
_HUMAN_LINES = (
    (" Yes.", " हाँ, बोलिए।"),
    (" ठीक है।", " Okay."),
    (" हाँ, शुक्रवार तक कर दूँगा।", " अगले हफ़्ते कर दूँगा।"),
    (" धन्यवाद।", " Bye."),
)


def conversation(call: Any, campaign: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    """A short bot/human transcript spread over the talk time, and its one-line summary."""
    assert call.start_time is not None
    name = str(call.variables.get("name") or "ग्राहक")
    start = call.start_time.timestamp()
    turns: list[dict[str, Any]] = []
    replies: list[str] = []
    step = call.talk_seconds / (2 * len(_BOT_LINES) + 1)
    for index, bot_line in enumerate(_BOT_LINES):
        reply = call.rng.choice(_HUMAN_LINES[index])
        replies.append(reply.strip())
        offset = step * (2 * index + 1)
        bot_text = bot_line.format(name=name, campaign=campaign["name"])
        turns.append({"sender": "bot", "timestamp": round(start + offset, 4), "text": bot_text})
        turns.append(
            {"sender": "human", "timestamp": round(start + offset + step, 4), "text": reply}
        )
    summary = f"{name} जी से बात हुई; भुगतान के बारे में उन्होंने कहा: “{replies[2]}”"
    return turns, summary


def wav(seq: int) -> bytes:
    """A quarter second of an 8 kHz mono 8-bit tone: small, valid, distinct per call."""
    rate = 8000
    pitch = 300 + 20 * (seq % 20)
    frames = bytes(
        128 + int(60 * math.sin(2 * math.pi * pitch * i / rate)) for i in range(rate // 4)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()
