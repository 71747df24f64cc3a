"""The account bookkeeping endpoints of the IVR Solutions fake (agents, extensions, DIDs,
voice bots, templates, contacts): `AccountEndpoints`, a mixin of `IVRState`, whose
inventory, lookups and agenda it uses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.fakes.base import BadRequest
from tests.fakes.ivrsolutions_fields import (
    CALL_FLOWS,
    CALL_VARIABLES,
    REGIONS,
    TEMPLATE_APPROVAL_SECONDS,
    VOICEBOTS,
    as_int,
    data_reply,
    e164,
    flag,
    ist_text,
    national_phone,
    ok_reply,
    parse_date,
    present,
)
from tests.fakes.ivrsolutions_records import (
    Agent,
    Template,
)

_PASSWORD_RULES = (
    (str.isupper, "an uppercase letter"),
    (str.islower, "a lowercase letter"),
    (str.isdigit, "a number"),
    (lambda ch: not ch.isalnum(), "a special character"),
)


class AccountEndpoints:
    # Bookkeeping endpoints that need neither webhooks nor faults; the fake routes
    # `ep_<name>` here when it has no handler of its own. `p` is the merged query and body,
    # already checked for the fields PATHS marks required.
    def ep_get_call_flows(self, p: dict) -> dict:
        return data_reply(CALL_FLOWS)

    def approved_template(self, name: Any = None, template_id: Any = None) -> Template:
        found = [
            t
            for t in self.templates.values()
            if t.name == name or (template_id is not None and t.id == template_id)
        ]
        field_name = "template_name" if name is not None else "text_template_id"
        if not found:
            raise BadRequest(f"{field_name} is not a template on your account")
        if found[0].status != "approved":
            raise BadRequest(f"Template {found[0].name} is not approved yet")
        return found[0]

    def ep_get_customer_lists(self, p: dict) -> dict:
        return data_reply(self.customer_lists)

    def ep_create_customer_list(self, p: dict) -> dict:
        list_id = self.next_id("list")
        self.customer_lists.append(
            {
                "id": list_id,
                "name": str(p["listname"]),
                "count": 0,
                "created_at": ist_text(self.now),
            }
        )
        return ok_reply("Customer list created successfully", list_id=list_id)

    # -- agents and extensions -----------------------------------------------------------
    def ep_change_agent_status(self, p: dict) -> dict:
        agent = self.agent(p["ext_no"])
        agent.enabled = flag(p["status"], "status") == "1"
        return ok_reply("Agent status updated successfully")

    def ep_add_agent(self, p: dict) -> dict:
        email = str(p["email"]).strip()
        if "@" not in email or "." not in email.rpartition("@")[2]:
            raise BadRequest("email is not a valid email address")
        if any(a.email.lower() == email.lower() for a in self.agents.values()):
            raise BadRequest("email is already used by another agent")
        phonenumber = str(p["phonenumber"]).strip()
        if not (phonenumber.isdigit() and len(phonenumber) == 10):
            raise BadRequest("phonenumber must be 10 digits")
        password = str(p["password"])
        missing = [label for test, label in _PASSWORD_RULES if not any(map(test, password))]
        if missing:
            raise BadRequest("password must contain " + ", ".join(missing))
        agent_id, ext_no = self.next_id("agent"), self.free_ext()
        agent = Agent(agent_id, ext_no, str(p["name"]), email, phonenumber, password)
        self.agents[agent.ext_no] = agent
        data = {"agent_id": agent.agent_id, "ext_no": agent.ext_no, "name": agent.name}
        return ok_reply("Agent added successfully", data={**data, "email": agent.email})

    def ep_update_agent_did(self, p: dict) -> dict:
        agent = self.agent(p["agent_ext"], "agent_ext")
        agent.did_no = self.owned_did(p["did_num"], "did_num")
        return ok_reply("Agent DID updated successfully")

    def ep_get_agents(self, p: dict) -> dict:
        today = self.today
        rows = [a.row(today) for a in self.agents.values() if a.kind == "agent"]
        return data_reply(rows, True)

    def ep_get_extensions(self, p: dict) -> dict:
        return data_reply([a.row(self.today) for a in self.agents.values()], True)

    def ep_get_extension(self, p: dict) -> dict:
        agent = self.agents.get(str(p["ext_no"]))
        if agent is None:
            raise BadRequest("Extension not found", 404)
        return data_reply({**agent.row(self.today), "settings": agent.settings}, True)

    def ep_deactivate_extension(self, p: dict) -> dict:
        self.agent(p["ext_no"]).enabled = False
        return ok_reply("Extension user deactivated")

    def ep_set_extension_expiry(self, p: dict) -> dict:
        agent = self.agent(p["ext_no"])
        agent.expiry_date = parse_date(p["expiry_date"], "expiry_date")
        return ok_reply("Extension expiry updated")

    def ep_create_group_extension(self, p: dict) -> dict:
        settings = {k: flag(p[k], k) for k in ("call_forwarding", "connection")}
        if present(p, "kyc_required"):
            settings["kyc_required"] = flag(p["kyc_required"], "kyc_required")
        settings["recording_id"] = str(p["recording_id"])
        ext_no = str(p.get("extn_no") or self.free_ext())
        if ext_no in self.agents:
            raise BadRequest("extn_no already exists")
        agent = Agent(
            self.next_id("agent"),
            ext_no,
            str(p.get("name") or f"Extension {ext_no}"),
            str(p.get("email") or ""),
            national_phone(p["phone"], "phone") if present(p, "phone") else "",
            str(p["password"]),
            kind="group",
            did_no=self.owned_did(p["did_no"], "did_no"),
            settings=settings,
        )
        if present(p, "expiry_date"):
            agent.expiry_date = parse_date(p["expiry_date"], "expiry_date")
        self.agents[ext_no] = agent
        return ok_reply("Group extension created successfully", data={"ext_no": ext_no})

    # -- DID numbers ---------------------------------------------------------------------
    def ep_get_did_list(self, p: dict) -> dict:
        return data_reply([d.row() for d in self.owned.values()], True)

    def ep_get_did_regions(self, p: dict) -> dict:
        return ok_reply("Region found successfully", data=REGIONS)

    def _found(self, numbers: list[str]) -> dict:
        if not numbers:
            return {"status": False, "message": "Numbers not found", "data": []}
        return ok_reply("Numbers found", cost="500", currency="INR", data=numbers)

    def ep_search_did(self, p: dict) -> dict:
        if str(p["country_code"]).upper() not in ("IN", "91", "+91"):
            return self._found([])  # the provider only sells Indian numbers
        region = self.region(p["region"], "region")
        pattern = str(p.get("pattern") or "")
        how = str(p.get("search_pattern") or "contains").lower()
        return self._found(self.search_dids(region, pattern, how, 20))

    def ep_buy_did(self, p: dict) -> dict:
        if str(p["country"]).upper() not in ("IN", "91", "+91"):
            raise BadRequest("country is not supported")
        number = e164(p["number"], "number")
        did = self.available.pop(number, None)
        if did is None:
            raise BadRequest("number is not available to buy")
        self.owned[number] = did
        return ok_reply("Did added to your account", data=number)

    def ep_did_list_v2(self, p: dict) -> dict:
        assigned = {a.did_no: a.ext_no for a in self.agents.values() if a.did_no}
        rows = [{**d.row(), "assigned_ext": assigned.get(d.number)} for d in self.owned.values()]
        return data_reply(rows, True)

    def ep_search_did_v2(self, p: dict) -> dict:
        region = self.region(p["did_region"], "did_region")
        size = as_int(p.get("size") or 20, "size")
        pattern = str(p.get("pattern_last_digits") or "")
        return self._found(self.search_dids(region, pattern, "end", size))

    def _did_config(self, p: dict, keys: tuple[str, ...]) -> dict:
        did = self.owned[self.owned_did(p["did_no"], "did_no")]
        config = {k: flag(p[k], k) for k in keys if present(p, k)}
        config["recording_id"] = str(p["recording_id"])
        for key in ("extn_no", "name", "email", "phone", "expiry_date"):
            if present(p, key):
                config[key] = str(p[key])
        if "expiry_date" in config:
            parse_date(config["expiry_date"], "expiry_date")
        did.config.update(config)
        return ok_reply("DID configured successfully", data={"did_no": did.number, **did.config})

    def ep_did_setup(self, p: dict) -> dict:
        return self._did_config(p, ("call_forwarding", "connection", "kyc_required"))

    ep_group_did_setup = ep_group_did_sip_setup = ep_did_setup

    def ep_did_live_status(self, p: dict) -> dict:
        rows = [{"did_number": n, "status": "live"} for n in self.owned]
        return data_reply(rows, True)

    def ep_agent_did_live_status(self, p: dict) -> dict:
        rows = [
            {"ext_no": a.ext_no, "did_number": a.did_no, "status": "live"}
            for a in self.agents.values()
            if a.did_no
        ]
        return data_reply(rows, True)

    # -- voice bots ----------------------------------------------------------------------
    def ep_get_voicebots(self, p: dict) -> dict:
        return data_reply(VOICEBOTS)

    ep_get_ai_bots = ep_get_voicebots

    def ep_get_voicebot(self, p: dict) -> dict:
        bot = next((b for b in VOICEBOTS if str(b["id"]) == str(p["voicebot_id"])), None)
        if bot is None:
            raise BadRequest("Voice bot not found", 404)
        data = dict(bot)
        if str(p.get("aitraingdata") or "0") == "1":
            data["training_data"] = [f"{bot['name']} answers in {bot['language']}."]
        return data_reply(data, True)

    # -- text-to-speech templates --------------------------------------------------------
    def ep_create_text_template(self, p: dict) -> dict:
        name = str(p["template_name"]).strip()
        if name in self.templates:
            raise BadRequest("template_name already exists")
        template = Template(self.next_id("template"), name, str(p["text_content"]), self.now)
        self.templates[name] = template

        def approve(_moment: Any) -> None:
            template.status = "approved"

        self.at(self.now + timedelta(seconds=TEMPLATE_APPROVAL_SECONDS), approve)
        return ok_reply(
            "Text template created successfully",
            data={"id": template.id, "template_name": name, "status": template.status},
        )

    def ep_text_template_status(self, p: dict) -> dict:
        template = self.templates.get(str(p["template_name"]))
        if template is None:
            raise BadRequest("Template not found", 404)
        return data_reply({"template_name": template.name, "status": template.status}, True)

    def ep_get_text_templates(self, p: dict) -> dict:
        return data_reply([t.row() for t in self.templates.values()], True)

    # -- contacts and variables ----------------------------------------------------------
    def ep_save_contact(self, p: dict) -> dict:
        number = national_phone(p["number"], "number")
        self.contacts[number] = {
            "name": str(p.get("name") or ""),
            "number": number,
            "country_code": str(p.get("country_code") or "+91"),
        }
        return ok_reply("Contact saved successfully")

    def ep_get_contact(self, p: dict) -> dict:
        contact = self.contacts.get(national_phone(p["phone"], "phone"))
        if contact is None:
            raise BadRequest("Contact not found", 404)
        return data_reply(contact, True)

    ep_agent_get_contact = ep_get_contact

    def ep_get_variables(self, p: dict) -> dict:
        return data_reply(CALL_VARIABLES, True)

    def ep_caller_details(self, p: dict) -> dict:
        number = national_phone(p["caller_number"], "caller_number")
        calls = [c for c in self.ended_calls() if number in (c.client_no, c.first_no)]
        return data_reply(
            {
                "contact": self.contacts.get(number),
                "calls": [self.call_log_row(c) for c in calls[-5:]],
            }
        )
