"""The campaign routes of the OutboundCalls.ai fake (tests/fakes/outboundcalls.py): a mixin
of `OutboundCallsFake`, whose state (`campaigns`, `lists`, `calls`, `agents`, `shapes`,
`clock`) and lookups (`_campaign`, `_new_id`) it uses."""

from __future__ import annotations

from typing import Any

from tests.fakes import outboundcalls_fields as fields
from tests.fakes.base import BadRequest, FakeRequest, FakeResponse
from tests.fakes.outboundcalls_calls import TERMINAL_STATUSES, CampaignEntry, OutboundCampaign
from tests.fakes.outboundcalls_shapes import CHANGE_ANSWERS


class CampaignRoutes:
    # campaigns
    def _create_campaign(self, request: FakeRequest) -> FakeResponse:
        body = fields.json_object(request, fields.CAMPAIGN_FIELDS)  # every field: doc
        name = fields.text(body, "name")
        agent_id = fields.text(body, "agent_id")
        list_id = fields.text(body, "contact_list_id")
        schedule = fields.schedule(body.get("schedule"))
        retry_rules = fields.retry_rules(body.get("retry_rules"))
        concurrent = fields.integer(body.get("concurrent_calls"), "concurrent_calls", 1, 1, 1000)
        if agent_id not in self.agents:
            raise BadRequest(f"agent_id: no agent {agent_id}")
        if list_id not in self.lists:
            raise BadRequest(f"contact_list_id: no contact list {list_id}")
        campaign = OutboundCampaign(
            id=self._new_id("camp"),
            name=name,
            agent_id=agent_id,
            contact_list_id=list_id,
            schedule=schedule,
            retry_rules=retry_rules,
            # guess: more than the tier allows is accepted and dialed at the tier's limit
            concurrent_calls=concurrent,
            created_at=self.clock,
        )
        self.campaigns[campaign.id] = campaign
        return FakeResponse(201, self._campaign_json(campaign))

    def _list_campaigns(self, request: FakeRequest) -> dict[str, Any]:
        campaigns = list(self.campaigns.values())
        if "status" in request.query:
            campaigns = [c for c in campaigns if c.status == request.query["status"]]
        return fields.page([self._campaign_json(c) for c in campaigns], request)

    def _campaign_details(self, request: FakeRequest) -> dict[str, Any]:
        return self._campaign_json(self._campaign(request.path_params["id"]))

    def _change_campaign(self, before: str, after: str, request: FakeRequest) -> FakeResponse:
        """start (draft -> running), pause (running -> paused), resume (paused -> running)."""
        campaign = self._campaign(request.path_params["id"])
        if campaign.status != before:
            raise BadRequest(f"Campaign is {campaign.status}, not {before}", status=409)
        if before == "draft":
            # The list is read when the campaign starts: contacts added later are not in it.
            members = self.lists[campaign.contact_list_id]
            if not members:
                raise BadRequest("The contact list is empty")
            campaign.entries = {cid: CampaignEntry(cid) for cid in members}
            campaign.started_at = self.clock
        # Pausing stops new dials only; calls already placed run to their end.
        campaign.status = after
        # guess: the doc shows no answer; none of these is needed (we know the campaign).
        answer = self.shapes.pick("change:answer", CHANGE_ANSWERS)
        if answer == "empty":
            return FakeResponse(204, None)
        if answer == "success":
            return FakeResponse(200, {"success": True})
        if answer == "status":
            return FakeResponse(200, {"status": after})
        return FakeResponse(200, self._campaign_json(campaign))

    def _campaign_json(self, campaign: OutboundCampaign) -> dict[str, Any]:
        calls = [self.calls[call_id] for call_id in campaign.call_ids]
        states = [entry.state for entry in campaign.entries.values()]
        # guess: the doc shows no stats; contacts by progress, calls by final status.
        stats = {
            "total_contacts": len(campaign.entries),
            "contacts_remaining": states.count("pending") + states.count("dialing"),
            "contacts_done": states.count("done"),
            "contacts_skipped": states.count("skipped"),
            "calls_placed": len(calls),
            "calls_active": campaign.active,
            **dict.fromkeys(sorted(TERMINAL_STATUSES), 0),
            "credits_used": sum(call.credits_used for call in calls),
        }
        for call in calls:
            if call.status in TERMINAL_STATUSES:
                stats[call.status] += 1
        return {
            "id": campaign.id,
            "name": campaign.name,
            "agent_id": campaign.agent_id,
            "contact_list_id": campaign.contact_list_id,
            "status": campaign.status,
            "schedule": campaign.schedule,
            "retry_rules": campaign.retry_rules,
            "concurrent_calls": campaign.concurrent_calls,
            "stats": stats,
            "created_at": fields.iso(campaign.created_at),
            "started_at": fields.iso(campaign.started_at),
            "completed_at": fields.iso(campaign.completed_at),
        }
