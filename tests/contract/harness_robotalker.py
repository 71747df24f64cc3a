from datetime import UTC, datetime

from telephony.providers.base import OutboundCallRequest
from telephony.providers.robotalker.adapter import RobotalkerProvider
from tests.contract.harness import Harness, WebhookCatcher, config, register
from tests.fakes.robotalker import RobotalkerFake

CALLER_ID = "+18005550199"  # the doc's example caller id
CUSTOMER = "+12125550100"  # the doc's example number


@register("robotalker")
def robotalker_harness():
    fake = RobotalkerFake(seed=1).start()
    # The fake's clock starts in January 2026; bring it to now so time-ranged reads and
    # webhook timestamps line up with ours.
    fake.advance((datetime.now(UTC) - fake.clock).total_seconds())
    fake.force_outcome(CUSTOMER, "answered")
    catcher = WebhookCatcher()
    provider = RobotalkerProvider(
        config(
            "robotalker",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key},
            webhook_url=catcher.url,
            default_region="US",
        )
    )

    def place_for_details() -> str:
        request = OutboundCallRequest(
            to_number=CUSTOMER, did_number=CALLER_ID, reference="103", text="Hello there."
        )
        return provider.tts_call(request).provider_call_id

    try:
        yield Harness(
            kind="robotalker",
            provider=provider,
            did_number=CALLER_ID,
            extension="",  # Robotalker has no agents
            customer_number=CUSTOMER,
            advance=fake.advance,
            webhooks=lambda: list(catcher.received),
            extras={"signs_webhooks": False, "place_for_details": place_for_details},
        )
    finally:
        catcher.stop()
        fake.stop()
