"""The provider kit's shared pieces: route tables, JSON-object answers, not-offered operations."""

import pytest
import requests

from telephony.providers.base import (
    OPERATIONS,
    AmbiguousOutcome,
    Capability,
    CapabilityMissing,
    Provider,
    ProviderError,
)
from telephony.providers.kit.http import HttpClient
from telephony.providers.kit.routes import Route, routes
from telephony.providers.registry import PROVIDERS
from tests.contract.harness import config


# -- routes ----------------------------------------------------------------------------------
def test_a_route_fills_its_parameters_as_one_quoted_segment():
    route = Route("GET", "/calls/{id}/recording")
    assert route.fill(id="a/b?c") == "/calls/a%2Fb%3Fc/recording"
    assert route.target(id="7") == ("GET", "/calls/7/recording")
    assert route.url("https://api.example.com/v1/", id="7") == (
        "https://api.example.com/v1/calls/7/recording"
    )


def test_a_table_of_routes_equals_the_same_table_of_tuples():
    # The fakes keep their tables as plain tuples; the adapters' must compare equal.
    table = {"call": ("POST", "/calls", "doc"), "one": ("GET", "/calls/{id}", "guess")}
    built = routes(table)
    assert built == table
    assert built["one"].source == "guess" and built["call"].method == "POST"


# -- JSON objects ----------------------------------------------------------------------------
def _answer(body: bytes, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    return response


@pytest.fixture
def client():
    return HttpClient(config("sandbox"), label="Acme", base_url="https://api.example.com")


def test_a_read_answer_must_be_an_object(client):
    assert client.json_object(_answer(b'{"a": 1}')) == {"a": 1}
    with pytest.raises(ProviderError, match="Acme returned JSON that is not an object"):
        client.json_object(_answer(b"[1]"))
    with pytest.raises(ProviderError, match="answered the list with JSON that is not an"):
        client.json_object(_answer(b"3"), what="the list")
    with pytest.raises(ProviderError, match="not JSON"):
        client.json_object(_answer(b"<html>"))


@pytest.mark.parametrize("body", [b"<html>", b"[]", b'"ok"', b""])
def test_an_unreadable_side_effect_answer_is_ambiguous_never_a_refusal(client, body):
    with pytest.raises(AmbiguousOutcome, match="may have acted on the request"):
        client.once_object(_answer(body), what="placing the call")


def test_an_empty_side_effect_answer_is_no_fields_where_allowed(client):
    assert client.once_object(_answer(b"  "), what="starting", empty_ok=True) == {}
    assert client.once_object(_answer(b'{"id": 1}'), what="starting") == {"id": 1}


# -- not offered operations ------------------------------------------------------------------
def test_every_operation_of_the_contract_has_a_capability():
    public = {n for n, v in vars(Provider).items() if callable(v) and not n.startswith("_")}
    # What every provider has: a payload's record id and the shared signature check.
    assert set(OPERATIONS) == public - {"record_id_of", "verify_webhook"}
    assert set(OPERATIONS.values()) == set(Capability)


def test_an_operation_declared_not_offered_refuses_with_its_own_reason():
    class Partial(Provider):
        label = "Acme"
        capabilities = frozenset({Capability.HOSTED_CAMPAIGN})
        not_offered = {"campaign_stop": "Acme campaigns run to the end."}

    provider = Partial(config("sandbox"))
    with pytest.raises(CapabilityMissing) as caught:
        provider.campaign_stop("c1")
    assert caught.value.message == "Acme campaigns run to the end."
    # The rest of the capability falls back to the capability's reason.
    with pytest.raises(CapabilityMissing, match="Acme does not offer hosted campaign"):
        provider.campaign_pause("c1")


def test_a_declaration_that_would_never_run_is_refused_at_import():
    with pytest.raises(TypeError, match="not an operation"):
        type("Typo", (Provider,), {"not_offered": {"campaign_stpo": "x"}})
    with pytest.raises(TypeError, match="implements 'campaign_stop'"):
        type(
            "Both",
            (Provider,),
            {"not_offered": {"campaign_stop": "x"}, "campaign_stop": lambda self, pid: None},
        )


@pytest.mark.parametrize("kind", sorted(PROVIDERS))
def test_each_providers_declared_refusals_name_the_provider(kind):
    cls = PROVIDERS[kind]
    for operation, reason in cls.not_offered.items():
        assert cls.supports(OPERATIONS[operation]), (kind, operation)  # else `missing` says it
        assert cls.label.split()[0].split(".")[0].lower() in reason.lower(), reason
