from telephony.providers.base import OutboundCallRequest
from telephony.providers.callmatic.adapter import CallmaticProvider
from tests.contract.harness import Harness, WebhookCatcher, config, register
from tests.fakes.callmatic import SEEDED_CAMPAIGNS, CallmaticFake

CAMPAIGN_ID = next(iter(SEEDED_CAMPAIGNS))
CUSTOMER = "+917760524807"  # the doc's example number


@register("callmatic")
def callmatic_harness():
    fake = CallmaticFake().start()
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    fake.force_outcome(CUSTOMER[3:], "completed")  # keyed by the digits as sent
    provider = CallmaticProvider(
        config(
            "callmatic",
            # The host alone, as an admin may type it: the adapter appends the doc's /v1.
            base_url=fake.url,
            credentials={"api_key": fake.api_key, "campaign_id": CAMPAIGN_ID},
        )
    )

    def place_for_details() -> str:
        request = OutboundCallRequest(to_number=CUSTOMER, did_number="", reference="103")
        return provider.voicebot_call(request).provider_call_id

    try:
        yield Harness(
            kind="callmatic",
            provider=provider,
            did_number="",  # Callmatic dials from its campaign's own numbers
            extension="",
            customer_number=CUSTOMER,
            advance=fake.advance,
            webhooks=lambda: list(catcher.received),
            extras={
                "signs_webhooks": False,
                "place_for_details": place_for_details,
                "bot_id": CAMPAIGN_ID,
            },
        )
    finally:
        catcher.stop()
        fake.stop()
