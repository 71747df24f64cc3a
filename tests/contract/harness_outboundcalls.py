from datetime import UTC, datetime

from telephony.providers.base import AgentSpec, CampaignNumber, HostedCampaignSpec
from telephony.providers.outboundcalls.adapter import OutboundCallsProvider
from tests.contract.harness import Harness, WebhookCatcher, config, register
from tests.fakes.outboundcalls import OutboundCallsFake

CUSTOMER = "+14155550100"


@register("outboundcalls")
def outboundcalls_harness():
    fake = OutboundCallsFake(seed=1).start()
    # The fake's clock starts in January 2026; bring it to now so call-log ranges and
    # webhook timestamps line up with ours.
    fake.advance((datetime.now(UTC) - fake.clock).total_seconds())
    fake.force_outcome(CUSTOMER, "completed")
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url  # the provider's "Settings > Webhooks"
    provider = OutboundCallsProvider(
        config(
            "outboundcalls",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key},
            webhook_secrets=(fake.webhook_secret,),
            default_region="US",
        )
    )
    agent = provider.agent_create(AgentSpec(name="Contract agent"))

    def place_for_details() -> str:
        # Calls exist only inside campaigns: run a one-number campaign until it dials.
        spec = HostedCampaignSpec(
            name="Details",
            bot_id=agent.provider_id,
            numbers=[CampaignNumber(CUSTOMER, reference="103")],
        )
        campaign_id = provider.campaign_create(spec)
        provider.campaign_start(campaign_id)
        fake.advance(5)
        return next(iter(provider.campaign_results(campaign_id))).provider_call_id

    try:
        yield Harness(
            kind="outboundcalls",
            provider=provider,
            did_number="",  # its agents call from the provider's own numbers
            extension="",
            customer_number=CUSTOMER,
            advance=fake.advance,
            webhooks=lambda: list(catcher.received),
            webhook_secret=fake.webhook_secret,
            extras={"place_for_details": place_for_details, "bot_id": agent.provider_id},
        )
    finally:
        catcher.stop()
        fake.stop()
