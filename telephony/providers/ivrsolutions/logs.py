"""IVR Solutions: call logs, recordings and dispositions (a mixin of the adapter).

Log rows are keyed by their `recordid`; a placed call by the `logid` its placing answer
gave. The doc never says the two are equal (its examples differ: logid 123456, recordid
12345), so a log row's CallUpdate carries the recordid and services match it to the call
we placed (telephony.services.sync_match). update_call_note wants the recordid too:
`record_id_of` reads it from a webhook or log payload, and the disposition push waits
until one is known (`disposition_needs_record_id`).

The doc has no per-call lookup: get_call_status is the list of status labels for notes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from telephony.providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    ProviderError,
    RateLimited,
)
from telephony.providers.ivrsolutions.api import IVRApi
from telephony.providers.ivrsolutions.format import (
    LABEL,
    from_provider_number,
    parse_provider_time,
    provider_date,
    row_update,
)
from telephony.providers.kit.http import HttpClient, first_id
from telephony.providers.types import AccountConfig, CallUpdate, DispositionInfo, Recording

logger = logging.getLogger(__name__)

#: A log row's id: `recordid` in every doc example; the rest is our liberal guess.
RECORD_IDS = ("recordid", "record_id")
#: click_connect_logs: the doc shows the request only, so its rows' shape is our guess.
MASKED_IDS = (*RECORD_IDS, "logid", "id")
#: update_call_note's `call_type` for our kinds of call: the doc's example says "incoming";
#: add_call_note lists incoming | outgoing | c2c | dialer, the words used here.
NOTE_CALL_TYPES = {
    "inbound": "incoming",
    "click_to_call": "c2c",
    "masked": "c2c",
    "dialer": "dialer",
}


class LogsMixin:
    api: IVRApi
    http: HttpClient
    config: AccountConfig
    recording_hosts: tuple[str, ...]

    #: update_call_note keys a call by its record id (from call_log or a webhook), not by
    #: the logid it was placed under: the disposition push waits until one is known.
    disposition_needs_record_id: ClassVar[bool] = True

    @staticmethod
    def record_id_of(payload: Mapping[str, Any]) -> str:
        """The record id in a webhook or log payload, as text ("" when it has none)."""
        return first_id(payload, *RECORD_IDS) or ""

    def call_logs(self, *, since: datetime, until: datetime) -> Iterator[CallUpdate]:
        """call_logs, then click_connect_logs (masked sessions), for whole days (IST); rows
        outside [since, until] are dropped."""
        data = {"from_date": provider_date(since), "to_date": provider_date(until)}
        body = self.api.read("call_logs", "the call logs", data)
        for row in self.api.rows(body, "the call logs"):
            if _inside(row, since, until):
                update = self._log_update(row, RECORD_IDS, "call_logs")
                if update is not None:
                    yield update
        yield from self._masked_logs(data, since, until)

    def _masked_logs(self, data: dict, since: datetime, until: datetime) -> Iterator[CallUpdate]:
        """The doc lists click_connect_logs "for reconciling marketplace calls" but shows no
        answer: a failure here is logged and the call logs above still count."""
        try:
            body = self.api.read("click_connect_logs", "the masked call logs", data)
            rows = self.api.rows(body, "the masked call logs")
        except (AuthenticationFailed, RateLimited):
            raise
        except ProviderError as exc:
            logger.warning("%s masked call logs skipped: %s", LABEL, exc.message)
            return
        for row in rows:
            if not _inside(row, since, until):
                continue
            first = row.get("first_number") or row.get("first_phone")
            second = row.get("second_number") or row.get("second_phone") or row.get("client_no")
            update = self._log_update(
                {**row, "client_no": second, "call_type": row.get("call_type") or "c2c"},
                MASKED_IDS,
                "click_connect_logs",
            )
            if update is not None:
                update.from_number = from_provider_number(first, region=self.config.default_region)
                yield update

    def _log_update(self, row: Mapping, keys: tuple[str, ...], family: str) -> CallUpdate | None:
        call_id = first_id(row, *keys)
        if call_id is None:
            # One odd row must not stop a sync; the guard counts it for the account page.
            self.http.bad_response(f"answered {family} with a row without `{keys[0]}`")
            return None
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
        """get_call_status: the status IDs update_call_note takes."""
        body = self.api.read("get_call_status", "the call status list")
        return [
            DispositionInfo(code=str(row.get("id")), label=str(row.get("name") or row.get("id")))
            for row in self.api.rows(body, "the call status list")
        ]

    def push_disposition(
        self, *, provider_call_id: str, disposition: str, note: str, call_type: str = ""
    ) -> None:
        """update_call_note. `provider_call_id` is the call's RECORD id (from its log row
        or a webhook: `record_id_of`), `call_type` our kind of call (NOTE_CALL_TYPES).

        Writing the same note twice leaves one note, so this is an idempotent read-style
        request (retried on 5xx), not a side effect sent once.
        """
        if not disposition.isdigit():
            raise InvalidRequest(
                f"{LABEL} takes a status ID from its call status list; {disposition!r} is "
                "not one (sync the dispositions first)."
            )
        if not provider_call_id:
            raise InvalidRequest(f"{LABEL} notes a call by its record id, not known yet.")
        data = {
            "record_id": provider_call_id,
            "call_status": int(disposition),
            "call_type": NOTE_CALL_TYPES.get(call_type, "outgoing"),
            "call_remark": note,
        }
        self.api.read("update_call_note", f"the note of record {provider_call_id}", data)


def _inside(row: Mapping, since: datetime, until: datetime) -> bool:
    at = parse_provider_time(row.get("call_time"))
    return at is None or since <= at <= until
