from datetime import UTC, datetime, timedelta

from telephony.providers.base import ClickToCallRequest
from telephony.providers.ivrsolutions.adapter import IVRSolutionsProvider
from telephony.providers.ivrsolutions.format import PROVIDER_TZ
from tests.contract.harness import Harness, WebhookCatcher, config, register
from tests.fakes.ivrsolutions import IVRSolutionsFake

TOKEN = "contract-ivr-token"
SECRET = "contract-ivr-secret"
DID = "+911143104567"  # seeded as owned by the fake (the doc's example DID)


@register("ivrsolutions")
def ivrsolutions_harness():
    # The suite names a call by one id: the one its placing answer gave is the one its log
    # row carries and its note takes. IVR Solutions' doc never says its logid and recordid
    # are equal, so the fake keeps them apart unless told; here they are equal, and the
    # apart case is held by tests/providers/test_ivrsolutions_ids.py and the sync tests.
    fake = IVRSolutionsFake(api_token=TOKEN, seed=11, shared_ids=True).start()
    # The fake's events carry its own clock as their signed timestamp; the suite verifies
    # them against the real clock, so start the fake a little in the past (a call's life
    # is under five minutes, inside the default 300 s tolerance either side).
    fake.clock = datetime.now(UTC) - timedelta(seconds=120)
    catcher = WebhookCatcher()
    provider = IVRSolutionsProvider(
        config(
            "ivrsolutions",
            base_url=fake.url,
            credentials={"api_token": TOKEN, "wss_url": "wss://bot.example.test/voice"},
            webhook_secrets=(SECRET,),
        )
    )
    provider.webhook_register(url=catcher.url, secret=SECRET)
    local = fake.clock.astimezone(PROVIDER_TZ)

    def place_for_details() -> str:
        request = ClickToCallRequest("2101", "", "+919876543210", DID, "103")
        return provider.click_to_call(request).provider_call_id

    try:
        yield Harness(
            kind="ivrsolutions",
            provider=provider,
            did_number=DID,
            extension="2101",  # seeded agent John Doe
            customer_number="+919876543210",
            advance=fake.advance,
            webhooks=lambda: list(catcher.received),
            webhook_secret=SECRET,
            extras={
                "template_name": "api_order_confirm",  # seeded and approved
                "did_region": "Delhi",
                "bot_id": "4821",
                "place_for_details": place_for_details,
                # A dialer window around the fake's time of day (it dials in IST).
                "campaign_window": (
                    (local - timedelta(hours=1)).strftime("%H:%M"),
                    (local + timedelta(hours=3)).strftime("%H:%M"),
                ),
                "campaign_time_zone": "Asia/Kolkata",
                "campaign_numbers": ["+919876543210", "+919876543211", "+919876543212"],
                "fake": fake,
            },
        )
    finally:
        catcher.stop()
        fake.stop()
