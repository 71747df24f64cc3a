"""Pause / resume / stop of a hosted campaign at its provider.

A leaf of its own (models, the provider layer, no other campaigns module) so the
lifecycle's transitions import it at the top without a circle through the hosted run.
"""

from __future__ import annotations

from callcenter.services.errors import ServiceError
from campaigns.models import Campaign
from telephony.providers.base import AmbiguousOutcome, ProviderError
from telephony.services.accounts import provider_for

STEER = {"running": "campaign_resume", "paused": "campaign_pause", "stopped": "campaign_stop"}


def hosted_steer(*, campaign: Campaign, action: str) -> None:
    """Pause / resume / stop at the provider; refuses (ServiceError) if it says no."""
    method = STEER.get(action)
    if method is None:
        return
    try:
        getattr(provider_for(campaign.account), method)(campaign.hosted_id)
    except AmbiguousOutcome as exc:
        raise ServiceError(
            f"The provider did not confirm the {action} ({exc.message}) Check the campaign "
            "there, or try again: it is safe to repeat."
        ) from exc
    except ProviderError as exc:
        raise ServiceError(f"The provider refused to {action} the campaign: {exc.message}") from exc
