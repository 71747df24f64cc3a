"""The Callmatic fake, exercised over real HTTP with `requests` (no Django, no database): the
paths table, auth, single calls and batches. Calls on the clock, recordings, webhooks and
faults: test_callmatic_fake_clock.py."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fakes.callmatic import (
    MAX_BATCH,
    PATHS,
    STATUS_WORDS,
    TERMINAL_STATUSES,
    CallmaticFake,
    Fake,
)
from tests.fakes.callmatic_support import (
    CAMPAIGN,
    KEY,
    OTHER_CAMPAIGN,
    UUID_RE,
    get,
    numbers,
    place,
    play_out,
    post,
)
from tests.fakes.callmatic_support import fake_fixture as fake_fixture
from tests.fakes.callmatic_support import receiver_fixture as receiver_fixture


# -- the table adapters will import ---------------------------------------------------------
def test_paths_table_is_importable_and_marks_doc_or_guess() -> None:
    assert Fake is CallmaticFake
    assert PATHS["trigger_call"] == ("POST", "/calls", "doc")
    assert PATHS["trigger_batch"] == ("POST", "/calls/batch", "doc")
    assert PATHS["call_details"] == ("GET", "/calls/{callId}", "doc")
    assert PATHS["recording"] == ("GET", "/recordings/{callId}", "doc")
    assert all(source in ("doc", "guess") for _, _, source in PATHS.values())
    assert STATUS_WORDS["completed"] == "doc"
    assert set(STATUS_WORDS) >= TERMINAL_STATUSES


# -- auth -----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["wrong-key", "", None])
@pytest.mark.parametrize("name", sorted(PATHS))
def test_every_path_rejects_a_wrong_or_missing_key(
    fake: CallmaticFake, name: str, key: Any
) -> None:
    method, path, _ = PATHS[name]
    url = fake.base_url + path.replace("{callId}", "e08bad66-ee60-458d-958f-a02b1f12d355")
    headers = {"api-key": key} if key is not None else {}
    resp = requests.request(method, url, json={"campaignId": CAMPAIGN}, headers=headers, timeout=5)
    assert resp.status_code == 401
    assert resp.json() == {"success": False, "error": "Invalid API key"}
    assert fake.calls == {}


def test_another_accounts_key_is_rejected() -> None:
    server = CallmaticFake(api_key="account-b").start()
    try:
        resp = post(server, "/calls", {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"})
        assert resp.status_code == 401
        ok = post(
            server, "/calls", {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"}, "account-b"
        )
        assert ok.status_code == 200
    finally:
        server.stop()


def test_paths_are_served_under_v1_like_the_real_base_url(fake: CallmaticFake) -> None:
    without_v1 = fake.url + "/calls"
    resp = requests.post(without_v1, json={}, headers={"api-key": KEY}, timeout=5)
    assert resp.status_code == 404
    assert resp.json()["success"] is False


# -- single call ----------------------------------------------------------------------------
def test_single_call_answers_the_docs_shape(fake: CallmaticFake) -> None:
    body = {"campaignId": CAMPAIGN, "phoneNumber": "7760524807", "variables": {"name": "Shivank"}}
    resp = post(fake, "/calls", body)
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["success"] is True
    data = payload["data"]
    assert UUID_RE.match(data["callId"])
    assert {k: data[k] for k in ("callId", "phoneNumber", "variables", "campaignId")} == {
        "callId": data["callId"],
        "phoneNumber": "7760524807",
        "variables": {"name": "Shivank"},
        "campaignId": CAMPAIGN,
    }
    assert fake.calls[data["callId"]].status == "queued"


def test_answers_alternate_with_and_without_fields_the_doc_does_not_show(
    fake: CallmaticFake,
) -> None:
    body = {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"}
    answers = [post(fake, "/calls", body).json() for _ in range(2)]
    documented = {"callId", "phoneNumber", "variables", "campaignId"}
    assert sorted(set(a["data"]) == documented for a in answers) == [False, True]
    batches = [
        post(fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": [{"phoneNumber": n}]})
        for n in ("9000000101", "9000000102")
    ]
    calls = [b.json()["data"]["calls"][0] for b in batches]
    assert sorted("status" in c for c in calls) == [False, True]


def test_a_call_object_varies_what_the_truncated_example_leaves_open(
    fake: CallmaticFake,
) -> None:
    fake.force_outcome("9000000005", "busy")
    call_id = place(fake, "9000000005")
    play_out(fake, call_id)
    shapes = [get(fake, f"/calls/{call_id}").json()["data"] for _ in range(6)]
    assert {s["callId"] for s in shapes} == {call_id} and {s["status"] for s in shapes} == {"busy"}
    assert any("startTime" not in s and "transcript" not in s for s in shapes)
    assert any(s.get("startTime", 1) is None and s.get("transcript") == [] for s in shapes)
    assert any("agentName" in s for s in shapes)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"phoneNumber": "7760524807"}, "campaignId is required"),
        ({"campaignId": CAMPAIGN}, "phoneNumber is required"),
        ({"campaignId": CAMPAIGN, "phoneNumber": ""}, "phoneNumber is required"),
        (
            {"campaignId": CAMPAIGN, "phoneNumber": "77605"},
            "phoneNumber is not a valid phone number",
        ),
        (
            {"campaignId": CAMPAIGN, "phoneNumber": 7760524807},
            "phoneNumber is not a valid phone number",
        ),
        (
            {"campaignId": CAMPAIGN, "phoneNumber": "7760524807", "variables": ["Shivank"]},
            "variables must be an object",
        ),
        (["not", "an", "object"], "Request body must be a JSON object"),
    ],
)
def test_single_call_checks_required_fields(fake: CallmaticFake, body: Any, error: str) -> None:
    resp = post(fake, "/calls", body)
    assert resp.status_code == 400
    assert resp.json() == {"success": False, "error": error}
    assert fake.calls == {}


def test_malformed_json_is_a_400_in_the_docs_shape(fake: CallmaticFake) -> None:
    resp = requests.post(
        fake.base_url + "/calls",
        data=b"{not json",
        headers={"api-key": KEY, "Content-Type": "application/json"},
        timeout=5,
    )
    assert resp.status_code == 400
    assert resp.json()["success"] is False
    assert resp.json()["error"].startswith("malformed JSON")


def test_unknown_campaign_is_rejected(fake: CallmaticFake) -> None:
    resp = post(fake, "/calls", {"campaignId": "no-such-campaign", "phoneNumber": "7760524807"})
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "error": "Campaign not found"}
    batch = post(
        fake, "/calls/batch", {"campaignId": "nope", "to": [{"phoneNumber": "7760524807"}]}
    )
    assert batch.status_code == 404
    assert fake.calls == {}


def test_campaigns_added_by_a_test_can_be_dialed(fake: CallmaticFake) -> None:
    fake.add_campaign("c-added", "Added")
    resp = post(fake, "/calls", {"campaignId": "c-added", "phoneNumber": "7760524807"})
    assert resp.status_code == 200
    assert resp.json()["data"]["campaignId"] == "c-added"


# -- batches --------------------------------------------------------------------------------


def test_batch_of_201_is_rejected_whole(fake: CallmaticFake) -> None:
    to = [{"phoneNumber": n} for n in numbers(MAX_BATCH + 1)]
    resp = post(fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": to})
    assert resp.status_code == 400
    assert resp.json()["success"] is False
    assert "200" in resp.json()["error"]
    assert fake.calls == {}


def test_batch_of_200_is_accepted_with_duplicates_counted(fake: CallmaticFake) -> None:
    already_queued = place(fake, "9000000001")
    fresh = numbers(196)
    to = (
        [{"phoneNumber": n, "variables": {"name": f"C{i}"}} for i, n in enumerate(fresh)]
        + [{"phoneNumber": "9000000001"}]  # queued earlier in this campaign
        + [{"phoneNumber": fresh[0]}, {"phoneNumber": fresh[1]}, {"phoneNumber": "+" + fresh[2]}]
    )
    assert len(to) == MAX_BATCH
    resp = post(fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": to})
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["success"] is True
    assert payload["message"] == "Call triggered successfully"
    data = payload["data"]
    assert data["duplicates"] == 4
    assert data["enqued"] == 196
    assert data["status"] == "ACTIVE"
    assert data["triggered"] is False
    assert data["campaignId"] == CAMPAIGN
    assert [c["phoneNumber"] for c in data["calls"]] == fresh
    assert data["calls"][5]["variables"] == {"name": "C5"}
    ids = [c["callId"] for c in data["calls"]]
    assert len(set(ids)) == 196 and already_queued not in ids
    assert len(fake.calls) == 197


def test_batch_dedupes_only_within_the_campaign_and_only_calls_still_queued(
    fake: CallmaticFake,
) -> None:
    fake.force_outcome("9000000002", "completed")
    first = place(fake, "9000000002")
    other = post(
        fake, "/calls/batch", {"campaignId": OTHER_CAMPAIGN, "to": [{"phoneNumber": "9000000002"}]}
    )
    assert other.json()["data"]["duplicates"] == 0  # another campaign's queue
    assert other.json()["data"]["enqued"] == 1

    play_out(fake, first)
    again = post(
        fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": [{"phoneNumber": "9000000002"}]}
    )
    assert again.json()["data"]["duplicates"] == 0  # the earlier call is over, so redial
    assert again.json()["data"]["enqued"] == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"campaignId": CAMPAIGN}, "to is required"),
        ({"campaignId": CAMPAIGN, "to": []}, "to must be a non-empty array"),
        (
            {"campaignId": CAMPAIGN, "to": [{"phoneNumber": "7760524807"}, {}]},
            "to[1].phoneNumber is required",
        ),
        ({"campaignId": CAMPAIGN, "to": ["7760524807"]}, "to[0] must be an object"),
    ],
)
def test_batch_checks_required_fields_and_queues_nothing(
    fake: CallmaticFake, body: dict[str, Any], error: str
) -> None:
    resp = post(fake, "/calls/batch", body)
    assert resp.status_code == 400
    assert resp.json() == {"success": False, "error": error}
    assert fake.calls == {}
