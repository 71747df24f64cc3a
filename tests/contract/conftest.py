import importlib
import pkgutil

import pytest

import tests.contract as contract_pkg
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
