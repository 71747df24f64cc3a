"""Callmatic's endpoints: every path this adapter uses, under BASE_URL."""

from __future__ import annotations

from telephony.providers.kit.routes import routes

BASE_URL = "https://api.callmatic.ai/v1"

# name -> (method, path under BASE_URL, "doc" | "guess")
PATHS = routes(
    {
        "trigger_call": ("POST", "/calls", "doc"),
        "trigger_batch": ("POST", "/calls/batch", "doc"),
        "call_details": ("GET", "/calls/{callId}", "doc"),
        "recording": ("GET", "/recordings/{callId}", "doc"),
    }
)
