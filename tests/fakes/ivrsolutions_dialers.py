"""The call-placing endpoints of the IVR Solutions fake (`ivrsolutions.py`): calls by flow,
by text and by voice bot, and the dialers. `OutboundEndpoints` is a mixin of
`IVRSolutionsFake`; it places calls through the fake's `state` on the fake's clock."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.base import BadRequest
from tests.fakes.ivrsolutions_state import (
    CALL_FLOWS,
    VOICEBOTS,
    Dialer,
    DialerEntry,
    as_int,
    data_reply,
    flag,
    national_phone,
    ok_reply,
    parse_hhmm,
    parse_schedule,
    present,
)


class OutboundEndpoints:
    # -- outbound calls and dialers ------------------------------------------------------
    def _flow(self, value: Any, field_name: str) -> int:
        flow_id = as_int(value, field_name)
        if flow_id not in {f["id"] for f in CALL_FLOWS}:
            raise BadRequest(f"{field_name} is not a call flow on your account")
        return flow_id

    def _flow_call(self, did: Any, flow: Any, phone: Any, p: dict, keys: tuple) -> dict:
        s = self.state
        call = s.place_call(
            "flow",
            did_no=s.owned_did(did, keys[0]),
            client_no=national_phone(phone, keys[2]),
            start_at=parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock),
            with_dtmf=True,
            meta={"flow_id": self._flow(flow, keys[1]), "body": p.get("body") or ""},
        )
        return {"status": 200, "message": "Call initiated successfully", "logid": call.logid}

    def ep_dial_by_flow(self, p: dict) -> dict:
        keys = ("did_no", "flow_id", "customer_no")
        return self._flow_call(p["did_no"], p["flow_id"], p["customer_no"], p, keys)

    def ep_call_by_flow(self, p: dict) -> dict:
        return self._flow_call(p["did"], p["flow"], p["phone"], p, ("did", "flow", "phone"))

    def ep_dial_by_text(self, p: dict) -> dict:
        s = self.state
        template = self.state.approved_template(name=str(p["template_name"]))
        variables = [v.strip() for v in str(p.get("Variable") or "").split(",") if v.strip()]
        call = s.place_call(
            "text",
            did_no=s.owned_did(p["did_no"], "did_no"),
            client_no=national_phone(p["customer_no"], "customer_no"),
            start_at=parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock),
            text_id=True,  # the doc's answer here is a string call_id, not a numeric logid
            with_dtmf=True,
            meta={"template": template.name, "variables": variables, "flow_id": p.get("flow_id")},
        )
        return {"status": 200, "message": "Call initiated successfully", "call_id": call.logid}

    def ep_get_dialers(self, p: dict) -> dict:
        return data_reply([d.row() for d in self.state.dialers.values()])

    def _dialer(self, value: Any, field_name: str = "dialerid") -> Dialer:
        dialer = self.state.dialers.get(as_int(value, field_name))
        if dialer is None:
            raise BadRequest(f"{field_name} is not a dialer on your account")
        return dialer

    def _entry(self, item: Any, where: str) -> DialerEntry:
        if isinstance(item, str | int):
            return DialerEntry(national_phone(item, where))
        if not isinstance(item, dict) or not present(item, "number"):
            raise BadRequest(f"{where}.number is required")
        return DialerEntry(
            national_phone(item["number"], f"{where}.number"),
            str(item.get("name") or ""),
            str(item.get("order_id") or ""),
        )

    def _enqueue(self, dialer: Dialer, entries: list[DialerEntry]) -> None:
        dialer.entries.extend(entries)
        if dialer.status == "on":
            self.state.at(self.clock, lambda t: self.state.dial_next(dialer, t))
            self.state.play_until(self.clock)

    def ep_add_to_ivrdialer(self, p: dict) -> dict:
        dialer = self._dialer(p["dialerid"])
        entry = DialerEntry(
            national_phone(p["number"], "number"),
            str(p.get("name") or ""),
            str(p.get("order_id") or ""),
        )
        self._enqueue(dialer, [entry])
        return ok_reply("Number added to dialer successfully")

    def _records(self, value: Any, field_name: str) -> list:
        if isinstance(value, str):  # a form post carries the array as JSON text
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise BadRequest(f"{field_name} must be an array") from exc
        if not isinstance(value, list):
            raise BadRequest(f"{field_name} must be an array")
        return value

    def ep_add_to_ivrdialerbulk(self, p: dict) -> dict:
        dialer = self._dialer(p["dialerid"])
        numbers = self._records(p["numbers"], "numbers")
        if len(numbers) > 100:
            raise BadRequest("numbers accepts at most 100 entries per request")
        entries = [self._entry(item, f"numbers[{i}]") for i, item in enumerate(numbers)]
        self._enqueue(dialer, entries)
        return ok_reply(f"{len(entries)} numbers added to dialer successfully")

    def ep_change_dialer_status(self, p: dict) -> dict:
        dialer = self._dialer(p["dialerid"])
        status = str(p["status"]).lower()
        if status not in ("on", "off"):  # the doc's list shows only these two states
            raise BadRequest("status must be on or off")
        dialer.status = status
        if status == "on":
            self._enqueue(dialer, [])
        return ok_reply(f"Dialer status changed to {status}")

    def _dialer_fields(self, p: dict) -> dict:
        """Validated dialer settings; a null/absent field leaves an edited dialer unchanged."""
        out: dict[str, Any] = {}
        if present(p, "name"):
            out["name"] = str(p["name"])
        if present(p, "did_no"):
            out["did_no"] = self.state.owned_did(p["did_no"], "did_no")
        if present(p, "no_of_call"):
            out["no_of_call"] = as_int(p["no_of_call"], "no_of_call")
            if out["no_of_call"] < 1:
                raise BadRequest("no_of_call must be at least 1")
        for key in ("start_time", "end_time"):
            if present(p, key):
                out[key] = parse_hhmm(p[key], key)
        if present(p, "text_template_id"):
            template_id = as_int(p["text_template_id"], "text_template_id")
            out["text_template_id"] = self.state.approved_template(template_id=template_id).id
        if present(p, "send_call_flow_id"):
            out["send_call_flow_id"] = as_int(p["send_call_flow_id"], "send_call_flow_id")
        return out

    def ep_create_text_dialer(self, p: dict) -> dict:
        dialer = Dialer(id=self.state.next_id("dialer"), **self._dialer_fields(p))
        self.state.dialers[dialer.id] = dialer
        return ok_reply("Text dialer created successfully", dialer_id=dialer.id)

    def ep_edit_text_dialer(self, p: dict) -> dict:
        dialer = self._dialer(p["id"], "id")
        for key, value in self._dialer_fields(p).items():
            setattr(dialer, key, value)
        return ok_reply("Dialer updated successfully")

    def ep_add_dialer_records(self, p: dict) -> dict:
        records = self._records(p.get("recordList") or [], "recordList")
        entries = [self._entry(item, f"recordList[{i}]") for i, item in enumerate(records)]
        # The doc shows no dialer id for this endpoint; an optional `dialerid` routes the
        # records to a dialer, otherwise they wait on the account like an upload.
        if present(p, "dialerid"):
            self._enqueue(self._dialer(p["dialerid"]), entries)
        else:
            self.state.unassigned_records.extend(vars(e) for e in entries)
        return ok_reply(f"{len(entries)} records added successfully")

    # -- AI voice bots -------------------------------------------------------------------
    def _bot(self, value: Any) -> int:
        bot_id = as_int(value, "Voicechat_id")
        if bot_id not in {b["id"] for b in VOICEBOTS}:
            raise BadRequest("Voicechat_id is not a voice bot on your account")
        return bot_id

    def _bot_call(self, p: dict, did_key: str | None, meta: dict) -> dict:
        s = self.state
        did = s.owned_did(p[did_key], did_key) if did_key and present(p, did_key) else None
        call = s.place_call(
            "voicebot",
            did_no=did or next(iter(s.owned)),
            client_no=national_phone(p["customer_no"], "customer_no"),
            start_at=parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock),
            with_dtmf=True,
            meta=meta,
        )
        return {"status": 200, "message": "Call initiated successfully", "logid": call.logid}

    def ep_dial_by_aivoicebot(self, p: dict) -> dict:
        meta: dict[str, Any] = {"text": p.get("text"), "system_msg": p.get("system_msg")}
        if present(p, "Voicechat_id"):
            meta["voicebot_id"] = self._bot(p["Voicechat_id"])
        elif not present(p, "wss_url"):
            raise BadRequest("wss_url is required")  # without a bot id the call needs a bridge
        if present(p, "wss_url"):
            if not str(p["wss_url"]).startswith(("wss://", "ws://")):
                raise BadRequest("wss_url must be a wss:// URL")
            meta["wss_url"] = str(p["wss_url"])
        if present(p, "connect_ws_after_answer"):
            flag(p["connect_ws_after_answer"], "connect_ws_after_answer")
        if present(p, "ai_agent_ext"):
            meta["ai_agent_ext"] = self.state.agent(p["ai_agent_ext"], "ai_agent_ext").ext_no
        return self._bot_call(p, None, meta)

    def ep_dial_by_voicebot(self, p: dict) -> dict:
        meta: dict[str, Any] = {"text": p.get("text"), "system_msg": p.get("system_msg")}
        if present(p, "Voicechat_id"):
            meta["voicebot_id"] = self._bot(p["Voicechat_id"])
        return self._bot_call(p, "did_num", meta)
