import pytest


@pytest.fixture
def open_hours(settings):
    """Compliance window all day and no re-call gap: tests that are not about windows."""
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    settings.SANDBOX_SPEED = 0.01
    return settings
