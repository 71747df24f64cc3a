"""IVR Solutions: call details, call logs, recordings and dispositions (a mixin).

Log rows carry `recordid`; the call-placing answers carry a `logid` (equal for
click-to-call in every example, "call_txt_..." for text calls). Details and webhooks
speak the placing id; log rows are keyed by their record id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from telephony.providers.errors import InvalidRequest
from telephony.providers.http import HttpClient
from telephony.providers.ivrsolutions_api import IVRApi
from telephony.providers.ivrsolutions_format import (
    LABEL,
    parse_provider_time,
    provider_date,
    row_update,
)
from telephony.providers.types import AccountConfig, CallUpdate, DispositionInfo, Recording

logger = logging.getLogger(__name__)

#: sync_call_logs keeps one "last id" per log family.
SYNC_FAMILIES = {
    "c2c_logs": ("last_c2c_log_id", "recordid"),
    "call_logs": ("last_call_log_id", "recordid"),
    "dialer_logs": ("last_dialer_log_id", "id"),
}


@dataclass
class LogSync:
    """One incremental sync: the new rows, and the cursor to pass next time."""

    updates: list[CallUpdate]
    cursor: dict[str, str] = field(default_factory=dict)


class LogsMixin:
    api: IVRApi
    http: HttpClient
    config: AccountConfig
    recording_hosts: tuple[str, ...]

    def call_details(self, provider_call_id: str) -> CallUpdate:
        what = f"the status of call {provider_call_id}"
        body = self.api.read("get_call_status", what, {"logid": provider_call_id})
        row = body.get("data")
        if not isinstance(row, dict):
            raise self.http.bad_response(f"answered {what} without the call's row")
        return row_update(row, call_id=provider_call_id, region=self.config.default_region)

    def call_logs(self, *, since: datetime, until: datetime) -> Iterator[CallUpdate]:
        """call_logs takes whole days (IST); rows outside [since, until] are dropped."""
        data = {"from_date": provider_date(since), "to_date": provider_date(until)}
        body = self.api.read("call_logs", "the call logs", data)
        for row in self.api.rows(body, "the call logs"):
            at = parse_provider_time(row.get("call_time"))
            if at is not None and not since <= at <= until:
                continue
            yield self._log_update(row, "recordid", "call_logs")

    def sync_call_logs(self, cursor: Mapping[str, str] | None = None) -> LogSync:
        """Rows newer than the cursor's last ids, across click-to-call, call and dialer logs."""
        cursor = dict(cursor or {})
        sent = {key: str(cursor.get(key) or "0") for key, _ in SYNC_FAMILIES.values()}
        body = self.api.read("sync_call_logs", "the log sync", sent)
        data = body.get("data")
        if not isinstance(data, dict):
            raise self.http.bad_response("answered the log sync without its three log lists")
        updates: list[CallUpdate] = []
        for family, (key, id_field) in SYNC_FAMILIES.items():
            rows = self.api.rows(data, "the log sync", key=family)
            updates += [self._log_update(row, id_field, family) for row in rows]
            ids = [int(row[id_field]) for row in rows if str(row.get(id_field)).isdigit()]
            cursor[key] = str(max([int(sent[key]), *ids]))
        return LogSync(updates=updates, cursor=cursor)

    def _log_update(self, row: Mapping, id_field: str, family: str) -> CallUpdate:
        if row.get(id_field) in (None, ""):
            raise self.http.bad_response(f"answered {family} with a row without `{id_field}`")
        if family == "c2c_logs":
            row = {**row, "call_type": row.get("call_type") or "c2c"}
        elif family == "dialer_logs":
            row = {**row, "call_type": row.get("call_type") or "dialer"}
        call_id = str(row[id_field])
        return row_update(
            row,
            call_id=call_id,
            region=self.config.default_region,
            dedupe_key=f"{family}-{call_id}",
        )

    def fetch_recording(self, url: str) -> Recording:
        """The caller has checked the host; checked again so the token never goes elsewhere."""
        host = (urlsplit(url).hostname or "").lower()
        allowed = {*self.recording_hosts, urlsplit(self.http.base_url).hostname or ""}
        if host not in allowed:
            raise InvalidRequest(f"{url} is not on an {LABEL} host; not fetched.")
        response = self.http.read("GET", url)
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if not response.content or content_type in ("application/json", "text/html"):
            raise self.http.bad_response(
                f"answered the recording with {content_type or 'nothing'} instead of audio"
            )
        return Recording(content=response.content, content_type=content_type or "audio/mpeg")

    # -- dispositions ----------------------------------------------------------------------
    def list_dispositions(self) -> list[DispositionInfo]:
        """get_call_status without a logid lists the status IDs update_call_note takes."""
        body = self.api.read("get_call_status", "the call status list")
        return [
            DispositionInfo(code=str(row.get("id")), label=str(row.get("name") or row.get("id")))
            for row in self.api.rows(body, "the call status list")
        ]

    def push_disposition(self, *, provider_call_id: str, disposition: str, note: str) -> None:
        """update_call_note wants the record id and call type: read from the call's status."""
        if not disposition.isdigit():
            raise InvalidRequest(
                f"{LABEL} takes a status ID from its call status list; {disposition!r} is "
                "not one (sync the dispositions first)."
            )
        what = f"the status of call {provider_call_id}"
        body = self.api.read("get_call_status", what, {"logid": provider_call_id})
        row = body.get("data") if isinstance(body.get("data"), dict) else {}
        record = self.api.field(row, "recordid", what)
        call_type = str(row.get("call_type") or "outgoing")
        data = {
            "record_id": str(record),
            "call_status": int(disposition),
            "call_type": {"inbound": "incoming", "outbound": "outgoing"}.get(call_type, call_type),
            "call_remark": note,
        }
        self.api.read("update_call_note", f"the note of call {provider_call_id}", data)
