import time

from telephony.providers.sandbox.adapter import SandboxProvider, sign
from tests.contract.harness import Harness, config, register


@register("sandbox")
def sandbox_harness():
    secret = "contract-secret"
    provider = SandboxProvider(config("sandbox", webhook_secrets=(secret,), seed=3, speed=0.0))
    sent: list[tuple[bytes, dict]] = []
    real_place = provider._place

    def _place(reference, kind, to_number):
        # Capture the simulated events as the signed webhooks the runtime would deliver.
        placed = real_place(reference, kind, to_number)
        for event in placed.simulated_events:
            ts = int(time.time())
            sent.append(
                (
                    event.body,
                    {
                        "x-sandbox-signature": sign(event.body, secret, ts),
                        "x-sandbox-timestamp": str(ts),
                    },
                )
            )
        return placed

    provider._place = _place
    yield Harness(
        kind="sandbox",
        provider=provider,
        did_number="+911143104567",
        extension="2101",
        customer_number="+919876500001",  # sandbox test number: always answered
        advance=lambda seconds: None,  # speed=0: every event is already due
        webhooks=lambda: list(sent),
        webhook_secret=secret,
    )
