"""Writes for campaigns. Views, tasks, admin and the engine call these."""

from campaigns.services.dnc import campaign_dnc_add, campaign_dnc_remove
from campaigns.services.lifecycle import (
    campaign_pause,
    campaign_resume,
    campaign_save,
    campaign_start,
    campaign_stop,
)
from campaigns.services.outcomes import entry_record_outcome

__all__ = [
    "campaign_dnc_add",
    "campaign_dnc_remove",
    "campaign_pause",
    "campaign_resume",
    "campaign_save",
    "campaign_start",
    "campaign_stop",
    "entry_record_outcome",
]
