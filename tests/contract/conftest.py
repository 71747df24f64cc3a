import importlib
import pkgutil

import pytest

import tests.contract as contract_pkg
from telephony.providers.base import ClickToCallRequest, OutboundCallRequest
from tests.contract.harness import HARNESSES

# Every tests/contract/harness_<kind>.py registers its provider's harness on import.
for module in pkgutil.iter_modules(contract_pkg.__path__):
    if module.name.startswith("harness_"):
        importlib.import_module(f"tests.contract.{module.name}")


@pytest.fixture(params=sorted(HARNESSES))
def harness(request):
    factory = HARNESSES[request.param]
    gen = factory()
    h = next(gen)
    yield h
    gen.close()


def needs(harness, capability):
    if not harness.provider.supports(capability):
        pytest.skip(f"{harness.kind} does not declare {capability.value}")


def place_answered(harness, reference: str) -> str:
    """Place one call the harness's customer answers, by whatever means the provider has
    (its `place_for_details`, else a click-to-call); the provider's call id."""
    place = harness.extras.get("place_for_details")
    if place is not None:
        return place()
    return harness.provider.click_to_call(
        ClickToCallRequest(
            harness.extension, "", harness.customer_number, harness.did_number, reference
        )
    ).provider_call_id


def tts_request(harness, reference: str, text: str, **variables: str) -> OutboundCallRequest:
    """A TTS call to the harness's customer (its template where the provider needs one)."""
    return OutboundCallRequest(
        to_number=harness.customer_number,
        did_number=harness.did_number,
        reference=reference,
        text=text,
        template_name=harness.extras.get("template_name", "api_order_confirm"),
        variables=variables,
    )
