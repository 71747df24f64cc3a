"""The log, status and note endpoints of the IVR Solutions fake (`ivrsolutions.py`):
`LogEndpoints`, a mixin of `IVRSolutionsFake`, reading the calls of its `state`."""

from __future__ import annotations

from typing import Any

from tests.fakes.base import BadRequest
from tests.fakes.ivrsolutions_state import (
    DISPOSITIONS,
    IST,
    NOTE_CALL_TYPES,
    Call,
    as_int,
    data_reply,
    national_phone,
    ok_reply,
    parse_date,
    present,
)


class LogEndpoints:
    # -- logs, status and notes ----------------------------------------------------------
    def _in_range(self, p: dict, calls: list[Call]) -> list[Call]:
        lo = parse_date(p["from_date"], "from_date") if present(p, "from_date") else None
        hi = parse_date(p["to_date"], "to_date") if present(p, "to_date") else None
        if lo and hi and lo > hi:
            raise BadRequest("from_date must not be after to_date")
        return [
            c
            for c in calls
            if (lo is None or lo <= c.start_at.astimezone(IST).date())
            and (hi is None or c.start_at.astimezone(IST).date() <= hi)
        ]

    def ep_call_logs(self, p: dict) -> dict:
        # The doc documents no pagination for call_logs: the whole range comes back at
        # once. It holds "click-to-call, dialer and inbound" calls: masked sessions are in
        # click_connect_logs.
        ended = [c for c in self.state.ended_calls() if c.kind != "click_connect"]
        calls = self._in_range(p, ended)
        return data_reply([self.state.call_log_row(c) for c in calls])

    def _by_number(self, p: dict, calls: list[Call]) -> list[Call]:
        phone = national_phone(p["phone"], "phone")
        return [c for c in calls if phone in (c.client_no, c.first_no, c.agent_no)]

    def ep_call_logs_by_number(self, p: dict) -> dict:
        calls = self._by_number(p, self.state.ended_calls())
        return data_reply([self.state.call_log_row(c) for c in calls])

    def ep_c2c_logs(self, p: dict) -> dict:
        calls = self.state.ended_calls("c2c", "c2c_two_leg")
        return data_reply([self.state.c2c_log_row(c) for c in calls])

    def ep_c2c_logs_by_number(self, p: dict) -> dict:
        calls = self._by_number(p, self.state.ended_calls("c2c", "c2c_two_leg"))
        return data_reply([self.state.c2c_log_row(c) for c in calls])

    def ep_dialer_logs(self, p: dict) -> dict:
        calls = self.state.ended_calls("dialer")
        if present(p, "dialerid"):
            dialer_id = as_int(p["dialerid"], "dialerid")
            calls = [c for c in calls if c.dialer_id == dialer_id]
        return data_reply([self.state.dialer_log_row(c) for c in calls])

    def ep_get_call_status(self, p: dict) -> dict:
        # The doc's reference: "the list of call status values you can filter by or set on
        # records", its parameters none and its answer that list. (Its journey line "get_call
        # _status using the logid" gives neither a parameter nor an answer.) So: the list,
        # whatever is sent; a call cannot be looked up here.
        return data_reply(DISPOSITIONS, True)

    def _call_by_record(self, value: Any, field_name: str) -> Call:
        # "Record ID from call_log API or webhook": the recordid, never the placing logid.
        call = self.state.find_record(value)
        if call is None:
            raise BadRequest(f"{field_name} is not a call record on your account")
        return call

    def ep_update_call_note(self, p: dict) -> dict:
        call = self._call_by_record(p["record_id"], "record_id")
        status_id = as_int(p["call_status"], "call_status")
        if status_id not in {d["id"] for d in DISPOSITIONS}:
            raise BadRequest("call_status is not a status ID from get_call_status")
        if str(p["call_type"]) not in NOTE_CALL_TYPES:
            raise BadRequest("call_type must be one of " + ", ".join(NOTE_CALL_TYPES))
        call.disposition_id = status_id
        call.note = str(p.get("call_remark") or "")
        return ok_reply("Call note updated successfully")

    def ep_sync_call_logs(self, p: dict) -> dict:
        # The three ids name three log families; each call sits in exactly one of them so
        # a sync never returns the same call twice.
        last = {k: as_int(p.get(k) or 0, k) for k in ("last_c2c_log_id", "last_call_log_id")}
        last_dialer = as_int(p.get("last_dialer_log_id") or 0, "last_dialer_log_id")
        s = self.state
        c2c = s.ended_calls("c2c", "c2c_two_leg")
        dialer = s.ended_calls("dialer")
        other = [c for c in s.ended_calls() if c not in c2c and c not in dialer]
        return data_reply(
            {
                "c2c_logs": [s.c2c_log_row(c) for c in c2c if c.recordid > last["last_c2c_log_id"]],
                "call_logs": [
                    s.call_log_row(c) for c in other if c.recordid > last["last_call_log_id"]
                ],
                "dialer_logs": [s.dialer_log_row(c) for c in dialer if c.recordid > last_dialer],
            }
        )

    def ep_add_call_note(self, p: dict) -> dict:
        sip = str(p["sip_call_id"])
        call = next((c for c in self.state.calls.values() if c.sip_call_id == sip), None)
        if call is None:
            raise BadRequest("sip_call_id is not a call on your account")
        if present(p, "call_type") and p["call_type"] not in NOTE_CALL_TYPES:
            raise BadRequest("call_type must be one of " + ", ".join(NOTE_CALL_TYPES))
        call.note = str(p["note"])
        self.state.call_notes.append({"sip_call_id": sip, "note": call.note, **p})
        return ok_reply("Call note added successfully")
