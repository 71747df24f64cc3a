"""The agent and contact routes of the OutboundCalls.ai fake (tests/fakes/outboundcalls.py):
a mixin of `OutboundCallsFake`, whose state (`agents`, `contacts`, `lists`, `shapes`,
`clock`) and lookups (`_agent`, `_contact`, `_new_id`) it uses."""

from __future__ import annotations

from typing import Any

from tests.fakes import outboundcalls_fields as fields
from tests.fakes.base import BadRequest, FakeRequest, FakeResponse
from tests.fakes.outboundcalls_shapes import LIST_ID_KEYS


class ContactRoutes:
    # agents
    def _create_agent(self, request: FakeRequest) -> FakeResponse:
        # guess: the doc shows no agent body; these are the fields a voice agent needs.
        body = fields.json_object(request, fields.AGENT_FIELDS)
        agent: dict[str, Any] = {"id": self._new_id("agent"), "name": fields.text(body, "name")}
        agent.update({key: fields.optional_text(body, key) for key in fields.AGENT_FIELDS[1:]})
        agent["created_at"] = agent["updated_at"] = fields.iso(self.clock)
        self.agents[agent["id"]] = agent
        answer = dict(agent)
        # guess: the doc shows no agent answer; its id comes as `id` or `agent_id`.
        answer[self.shapes.pick("agent:key", ("id", "agent_id"))] = answer.pop("id")
        return FakeResponse(201, answer)

    def _list_agents(self, request: FakeRequest) -> dict[str, Any]:
        return fields.page(list(self.agents.values()), request)

    def _agent_details(self, request: FakeRequest) -> dict[str, Any]:
        return dict(self._agent(request.path_params["id"]))

    def _update_agent(self, request: FakeRequest) -> dict[str, Any]:
        agent = self._agent(request.path_params["id"])
        body = fields.json_object(request, fields.AGENT_FIELDS)
        if not body:
            raise BadRequest("Nothing to update")
        changes = {key: fields.optional_text(body, key) for key in body}
        if "name" in body:
            changes["name"] = fields.text(body, "name")
        agent.update(changes, updated_at=fields.iso(self.clock))
        return dict(agent)

    def _delete_agent(self, request: FakeRequest) -> dict[str, Any]:
        agent = self._agent(request.path_params["id"])
        for campaign in self.campaigns.values():
            if campaign.agent_id == agent["id"] and campaign.status != "completed":
                # guess: an agent a live campaign still dials with cannot go away
                raise BadRequest(f"Agent is used by campaign {campaign.id}", status=409)
        del self.agents[agent["id"]]
        return {"id": agent["id"], "deleted": True}  # guess

    # contacts
    def _create_contact(self, request: FakeRequest) -> FakeResponse:
        # guess: the doc shows no contact body. A contact belongs to at most one list; lists
        # have no endpoint of their own, so a list exists once a contact names it.
        body = fields.json_object(request, fields.CONTACT_FIELDS)
        values = fields.contact_fields(body, "")
        contact, created = self._save_contact(values, values.pop("list_id", None))
        return FakeResponse(201 if created else 200, dict(contact))

    def _import_contacts(self, request: FakeRequest) -> FakeResponse:
        # guess: `{"list_id"?, "contacts": [...]}`; without a list id a new list is made, and
        # its id (the campaign's `contact_list_id`) is in the answer.
        body = fields.json_object(request, ("list_id", "contact_list_id", "contacts"))
        if "contact_list_id" in body:  # the campaign body's name for a list (doc)
            body["list_id"] = body.pop("contact_list_id")
        rows = body.get("contacts")
        if rows is None:
            raise BadRequest("Missing required field: contacts")
        if not isinstance(rows, list) or not rows:
            raise BadRequest("contacts must be a non-empty array")
        allowed = tuple(f for f in fields.CONTACT_FIELDS if f != "list_id")
        # Every row is checked before any is saved: one bad row rejects the whole import.
        values = [
            fields.contact_fields(row, f"contacts[{i}].", allowed) for i, row in enumerate(rows)
        ]
        list_id = fields.optional_text(body, "list_id") or self._new_id("list")
        created = sum(self._save_contact(row, list_id)[1] for row in values)
        counts = {
            "imported": self.shapes.count("import", created),
            "updated": self.shapes.count("import", len(values) - created),
            "total_contacts": len(self.lists[list_id]),
        }
        answer = {k: v for k, v in counts.items() if v is not None}
        # guess: the doc shows no import answer; the list's id comes under one of these.
        key = self.shapes.pick("import:list_key", LIST_ID_KEYS)
        if key == "data":
            return FakeResponse(201, {"data": {"list_id": list_id, **answer}})
        return FakeResponse(201, {key: list_id, **answer})

    def _list_contacts(self, request: FakeRequest) -> dict[str, Any]:
        contacts = list(self.contacts.values())
        for key in ("list_id", "status", "phone_number"):
            if key in request.query:
                contacts = [c for c in contacts if c[key] == request.query[key]]
        return fields.page(contacts, request)

    def _update_contact(self, request: FakeRequest) -> dict[str, Any]:
        contact = self._contact(request.path_params["id"])
        allowed = tuple(f for f in fields.CONTACT_FIELDS if f != "list_id") + ("status",)
        body = fields.json_object(request, allowed)
        if not body:
            raise BadRequest("Nothing to update")
        status = body.pop("status", None)
        if status is not None and status not in ("new", "do_not_call"):
            # guess: a client may block a contact or clear it; the rest follow from calls
            raise BadRequest("status can be set to 'new' or 'do_not_call' only")
        changes = fields.contact_fields(body, "", allowed, partial_update=True)
        if status is not None:
            changes["status"] = status
        contact.update(changes, updated_at=fields.iso(self.clock))
        return dict(contact)

    def _delete_contact(self, request: FakeRequest) -> dict[str, Any]:
        contact = self._contact(request.path_params["id"])
        del self.contacts[contact["id"]]
        if contact["list_id"] is not None:
            self.lists[contact["list_id"]].remove(contact["id"])
        return {"id": contact["id"], "deleted": True}  # guess

    def _save_contact(
        self, values: dict[str, Any], list_id: str | None
    ) -> tuple[dict[str, Any], bool]:
        """Create a contact, or update the one with the same number in the same list."""
        members = self.lists.setdefault(list_id, []) if list_id is not None else []
        for contact_id in members:
            contact = self.contacts[contact_id]
            if contact["phone_number"] == values["phone_number"]:
                contact.update(values, updated_at=fields.iso(self.clock))
                return contact, False
        contact = {
            "id": self._new_id("contact"),
            "phone_number": values["phone_number"],
            "first_name": None,
            "last_name": None,
            "email": None,
            "timezone": None,
            "list_id": list_id,
            "custom_fields": {},
            "status": "new",
        }
        contact.update(values)
        contact["created_at"] = contact["updated_at"] = fields.iso(self.clock)
        self.contacts[contact["id"]] = contact
        members.append(contact["id"])
        return contact, True
