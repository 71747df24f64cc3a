"""Robotalker's endpoints: every path this adapter uses, under BASE_URL.

The doc prints all six paths; the bodies of campaigns, SMS and contacts are our guess.
"""

from __future__ import annotations

from telephony.providers.kit.routes import routes

BASE_URL = "https://api.robotalker.com"  # guess: the doc gives paths but no host

# name -> (method, path under BASE_URL, "doc" | "guess")
PATHS = routes(
    {
        "create_call": ("POST", "/api/v1/calls", "doc"),
        "call_details": ("GET", "/api/v1/calls/{id}", "doc"),
        "create_campaign": ("POST", "/api/v1/campaigns", "doc"),
        "campaign_details": ("GET", "/api/v1/campaigns/{id}", "doc"),
        "send_sms": ("POST", "/api/v1/sms", "doc"),
        "save_contact": ("POST", "/api/v1/contacts", "doc"),
        "list_contacts": ("GET", "/api/v1/contacts", "doc"),
    }
)
