"""TTS templates, campaigns, their entries, attempts and campaign DNC lists."""

# The migrations name these defaults by their old path, campaigns.models.<name>.
from campaigns.models.campaigns import (
    OPEN_STATES,
    Campaign,
    CampaignAttempt,
    CampaignDNCEntry,
    CampaignEntry,
    TTSTemplate,
    _default_retry_statuses,
    _default_weekdays,
    _default_window_end,
    _default_window_start,
)

__all__ = [
    "_default_retry_statuses",
    "_default_weekdays",
    "_default_window_end",
    "_default_window_start",
    "OPEN_STATES",
    "Campaign",
    "CampaignAttempt",
    "CampaignDNCEntry",
    "CampaignEntry",
    "TTSTemplate",
]
