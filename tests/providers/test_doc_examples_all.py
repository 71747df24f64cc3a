"""The docs' own examples are fixtures: every provider's fixture folder is fed through its
adapter by `test_<provider>_doc_examples.py`, whose CASES table names every file."""

import importlib
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROVIDERS = ("ivrsolutions", "callkaro", "callmatic", "robotalker", "outboundcalls")


def _files(kind: str) -> set[str]:
    return {p.name for p in (FIXTURES / kind).iterdir() if p.is_file()}


@pytest.mark.parametrize("kind", PROVIDERS)
def test_each_provider_has_its_doc_examples_and_a_case_for_every_one(kind):
    module = importlib.import_module(f"tests.providers.test_{kind}_doc_examples")
    assert _files(kind), f"no doc examples copied for {kind}"
    assert set(module.CASES) == _files(kind)


def test_at_least_forty_doc_examples_across_the_five_providers():
    assert sum(len(_files(kind)) for kind in PROVIDERS) >= 40
