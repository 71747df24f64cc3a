from telephony.providers.callkaro.adapter import CallKaroProvider
from tests.contract.harness import Harness, WebhookCatcher, config, register
from tests.fakes.callkaro import SEEDED_AGENTS, CallKaroFake

AGENT_ID = list(SEEDED_AGENTS)[1]
CUSTOMER = "+919876543210"  # the doc's example number


@register("callkaro")
def callkaro_harness():
    fake = CallKaroFake().start()
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    fake.force_outcome(CUSTOMER, "completed")
    provider = CallKaroProvider(
        config(
            "callkaro",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key, "agent_id": AGENT_ID},
        )
    )
    try:
        yield Harness(
            kind="callkaro",
            provider=provider,
            did_number="",  # CallKaro dials from its agent's own numbers
            extension="",
            customer_number=CUSTOMER,
            advance=fake.advance,
            webhooks=lambda: list(catcher.received),
            extras={"signs_webhooks": False, "bot_id": AGENT_ID},
        )
    finally:
        catcher.stop()
        fake.stop()
