"""Writes for the telephony app. Views, tasks, admin and commands call these."""

from telephony.services.accounts import provider_for
from telephony.services.calls import (
    call_click_to_call,
    call_set_disposition,
)
from telephony.services.inbox import inbox_receive

__all__ = [
    "call_click_to_call",
    "call_set_disposition",
    "inbox_receive",
    "provider_for",
]
