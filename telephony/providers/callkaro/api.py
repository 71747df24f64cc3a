"""CallKaro's endpoints: every path this adapter uses, under BASE_URL."""

from __future__ import annotations

from telephony.providers.kit.routes import routes

BASE_URL = "https://api.callkaro.ai"

# name -> (method, path under BASE_URL, "doc" | "guess")
PATHS = routes(
    {
        "outbound_call": ("POST", "/call/outbound", "doc"),
        "create_campaign": ("POST", "/call/campaign", "doc"),
    }
)
