"""IVR Solutions' own doc examples, verbatim (fixtures/ivrsolutions/, one file per example,
named after its endpoint; `.request.json` for a request body the doc shows).

- An answer is served byte for byte by the fake (`fake.canned`) and read by the adapter
  over real HTTP: the CASES entry asserts what it maps to. Answers of endpoints the
  adapter never calls are checked against the fake instead (it must answer alike).
- A request the adapter sends is compared with what it sends for the same call: the
  same field names, and the same values where the doc's example fixes them.
- A request of an endpoint the adapter never calls is sent to the fake as written: the
  CASES entry says whether it takes it, or why not (the doc's placeholder token, ids of
  things the example assumes exist).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.providers.ivrsolutions_doc_answers import ANSWERS
from tests.providers.ivrsolutions_doc_requests import REQUESTS
from tests.providers.ivrsolutions_support import fake_fixture as fake_fixture

FIXTURES = Path(__file__).parent / "fixtures" / "ivrsolutions"
CASES = {**ANSWERS, **REQUESTS}


def test_every_example_of_the_doc_has_a_case():
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_doc_example_maps_as_the_doc_says(fake, name):
    CASES[name](fake, (FIXTURES / name).read_bytes())
