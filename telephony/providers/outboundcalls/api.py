"""OutboundCalls.ai's endpoints: every path this adapter uses, under BASE_URL.

The doc prints them as `/v1/...` under a base URL that already ends in `/v1`.
"""

from __future__ import annotations

from telephony.providers.kit.routes import routes

BASE_URL = "https://api.outboundcalls.ai/v1"  # doc

# name -> (method, path under BASE_URL, "doc" | "guess")
PATHS = routes(
    {
        "create_agent": ("POST", "/agents", "doc"),
        "list_agents": ("GET", "/agents", "doc"),
        "update_agent": ("PATCH", "/agents/{id}", "doc"),
        "delete_agent": ("DELETE", "/agents/{id}", "doc"),
        "import_contacts": ("POST", "/contacts/import", "doc"),
        "list_contacts": ("GET", "/contacts", "doc"),
        "create_campaign": ("POST", "/campaigns", "doc"),
        "campaign_details": ("GET", "/campaigns/{id}", "doc"),
        "start_campaign": ("POST", "/campaigns/{id}/start", "doc"),
        "pause_campaign": ("POST", "/campaigns/{id}/pause", "doc"),
        "resume_campaign": ("POST", "/campaigns/{id}/resume", "doc"),
        "list_calls": ("GET", "/calls", "doc"),
        "call_details": ("GET", "/calls/{id}", "doc"),
        "call_recording": ("GET", "/calls/{id}/recording", "doc"),
        "call_transcript": ("GET", "/calls/{id}/transcript", "doc"),
        "credit_balance": ("GET", "/credits/balance", "doc"),
        "credit_usage": ("GET", "/credits/usage", "doc"),
    }
)
