"""An agent's Call whose answer could not be read may be ringing the customer: a second
click must not ring them twice. Over real HTTP against the IVR Solutions fake."""

import pytest

from callcenter.services.errors import ServiceError
from telephony.models import Agent, Call, Extension
from telephony.services import call_click_to_call
from telephony.services.accounts import account_create
from tests import factories
from tests.fakes.ivrsolutions import IVRSolutionsFake

pytestmark = pytest.mark.django_db

DID = "+911143104567"  # owned by the fake's account
CUSTOMER = "+919876543210"


@pytest.fixture
def fake():
    server = IVRSolutionsFake(api_token="t", seed=5).start()
    yield server
    server.stop()


@pytest.fixture
def ivr_agent(fake):
    account = account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": "t"},
        base_url=fake.url,
    )
    agent = factories.make_agent(account, did=factories.make_did(account, DID))
    Extension.objects.filter(agent=agent).update(number="2101")  # an extension the fake has
    return agent


def test_a_second_click_is_refused_while_the_first_call_is_in_doubt(fake, ivr_agent):
    contact = factories.make_contact(CUSTOMER)
    fake.inject("acted_garbage", path_contains="c2c_post")
    first = call_click_to_call(user=ivr_agent.user, contact=contact)
    first.refresh_from_db()
    assert first.status == "unknown"
    Agent.objects.filter(pk=ivr_agent.pk).update(state=Agent.State.READY)
    with pytest.raises(ServiceError, match="unknown outcome"):
        call_click_to_call(user=ivr_agent.user, contact=contact)
    assert len(fake.requests_to("c2c_post")) == 1
    assert Call.objects.count() == 1


def test_once_the_doubt_is_settled_the_number_can_be_called_again(fake, ivr_agent):
    contact = factories.make_contact(CUSTOMER)
    fake.inject("acted_garbage", path_contains="c2c_post")
    first = call_click_to_call(user=ivr_agent.user, contact=contact)
    Call.objects.filter(pk=first.pk).update(status="completed")  # what the reconciler does
    Agent.objects.filter(pk=ivr_agent.pk).update(state=Agent.State.READY)
    second = call_click_to_call(user=ivr_agent.user, contact=contact)
    assert second.provider_call_id and len(fake.requests_to("c2c_post")) == 2
