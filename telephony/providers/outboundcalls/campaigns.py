"""OutboundCalls.ai hosted campaigns: contact-list imports and the campaign lifecycle.

A mixin of `OutboundCallsProvider` (adapter.py), which keeps the status
tables and the request helpers (`_get`, `_once`, `_pages`) this part uses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from telephony.providers.base import (
    AddNumbersResult,
    CallUpdate,
    CampaignNumber,
    HostedCampaignSpec,
    HostedCampaignStatus,
    InvalidRequest,
)
from telephony.providers.kit import http, parsing
from telephony.providers.outboundcalls import payloads

logger = logging.getLogger(__name__)

IMPORT_CHUNK = 500  # guess: the doc gives no import limit; keeps each body small
# guess: the words of a campaign that has read its list (the fake's rule: at start).
STARTED = frozenset({"running", "paused", "completed"})
# The doc names a campaign's list `contact_list_id` (campaign body); the import answer
# is not shown, so whichever of these carries it is read.
LIST_KEYS = ("list_id", "contact_list_id", "id")


class CampaignsMixin:
    #: OutboundCalls.ai's campaign status words -> ours (set by the provider class)
    campaign_status_table: Mapping[str, str] = {}

    # -- hosted campaigns ----------------------------------------------------------------------
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        """Import the first numbers into a new list, then create a draft campaign on it."""
        payloads.campaign_body(spec, list_id="")  # refuse a bad spec before importing
        list_id, result = self._import(spec.numbers, None)
        if result.rejected:
            shown = "; ".join(f"{n}: {why}" for n, why in result.rejected[:5])
            raise InvalidRequest(f"Numbers OutboundCalls.ai cannot call: {shown}")
        if not list_id:
            raise InvalidRequest(
                "OutboundCalls.ai creates a campaign on a contact list: give it at least one "
                "number."
            )
        body = payloads.campaign_body(spec, list_id=list_id)
        what = "creating the campaign"
        data = self._once("create_campaign", what, json=body)
        # doc: the answer's `id` ("camp_def456"); `campaign_id` accepted too.
        return self.http.confirmed_id(data, ("id", "campaign_id"), what=what)

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        campaign = self._campaign(provider_id)
        if campaign.get("status") in STARTED:
            # guess (the fake's rule): the list is read when the campaign starts.
            raise InvalidRequest(
                "OutboundCalls.ai reads a campaign's list when it starts; numbers added now "
                "would not be called. Create another campaign for them."
            )
        list_id = _list_id(campaign)
        if not list_id:
            raise self.http.bad_response("answered a campaign without its contact_list_id")
        return self._import(numbers, list_id)[1]

    def campaign_start(self, provider_id: str) -> None:
        self._change(provider_id, "start_campaign", "running")

    def campaign_pause(self, provider_id: str) -> None:
        self._change(provider_id, "pause_campaign", "paused")

    def campaign_resume(self, provider_id: str) -> None:
        self._change(provider_id, "resume_campaign", "running")

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        data = self._campaign(provider_id)
        word = str(data.get("status") or "")
        status = self.campaign_status_table.get(word)
        if status is None:
            logger.warning("OutboundCalls.ai campaign status %r is not in the table", word)
            status = word
        stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
        done = [parsing.count(stats.get(k)) for k in ("contacts_done", "contacts_skipped")]
        return HostedCampaignStatus(
            provider_id=provider_id,
            status=status,
            total=parsing.count(stats.get("total_contacts")),
            completed=None if None in done else sum(done),
            pending=parsing.count(stats.get("contacts_remaining")),
            raw=data,
        )

    def campaign_results(self, provider_id: str) -> Iterable[CallUpdate]:
        """Every call of the campaign, each with our entry id from its contact."""
        list_id = _list_id(self._campaign(provider_id))
        references = {
            http.first_id(c, "id", "contact_id"): _reference(c)
            for c in self._pages("list_contacts", {"list_id": list_id})
        }
        updates = []
        for call in self._pages("list_calls", {"campaign_id": provider_id}):
            call_id = http.first_id(call, "id", "call_id")
            if not call_id:
                continue  # a row we cannot name is no result; the call's webhook still is
            update = self._update(call, "campaign", call_id)
            update.reference = references.get(http.first_id(call, "contact_id"), "")
            updates.append(update)
        return updates

    def _import(
        self, numbers: Sequence[CampaignNumber], list_id: str | None
    ) -> tuple[str | None, AddNumbersResult]:
        """POST /contacts/import in chunks. Bad numbers are refused here, one by one, and a
        number twice in one push goes once. Re-importing a number updates it in its list,
        so pushing the same numbers again is safe."""
        rows, rejected, seen, repeats = [], [], set(), 0
        for number in numbers:
            try:
                e164 = self._e164(number.number)
            except InvalidRequest as exc:
                rejected.append((number.number, exc.message))
                continue
            if e164 in seen:
                repeats += 1
                continue
            seen.add(e164)
            rows.append(payloads.contact_row(number, e164))
        accepted, duplicates, what = 0, repeats, "importing the contacts"
        for start in range(0, len(rows), IMPORT_CHUNK):
            chunk = rows[start : start + IMPORT_CHUNK]
            body: dict[str, Any] = {"contacts": chunk}
            if list_id:
                body["list_id"] = list_id
            data = self._once("import_contacts", what, json=body)
            # Only a new list's id is needed (for the campaign); adding to a list we know,
            # an answer without one is a plain success.
            list_id = list_id or self.http.confirmed_id(data, LIST_KEYS, what=what)
            imported, updated = (parsing.count(data.get(k)) for k in ("imported", "updated"))
            # Counts the doc does not promise: without them every row counts as taken.
            updated = updated or 0
            accepted += imported if imported is not None else max(len(chunk) - updated, 0)
            duplicates += updated
        return list_id, AddNumbersResult(accepted, duplicates, tuple(rejected))

    def _campaign(self, provider_id: str) -> dict[str, Any]:
        try:
            return self._get("campaign_details", provider_id)
        except InvalidRequest as exc:
            if exc.status == 404:
                raise InvalidRequest(
                    f"OutboundCalls.ai does not know campaign {provider_id}.", status=404
                ) from exc
            raise

    def _change(self, provider_id: str, name: str, target: str) -> None:
        """start/pause/resume, sent once. Any readable 2xx is success: we know which
        campaign it is, so no id is needed back (an unreadable one is AmbiguousOutcome).
        A 409 (wrong state) is fine when the campaign is already where we wanted it: a
        task that runs twice must not fail the second time."""
        try:
            self._once(name, f"moving campaign {provider_id} to {target}", provider_id=provider_id)
        except InvalidRequest as exc:
            if exc.status != 409 or self._campaign(provider_id).get("status") != target:
                raise


def _list_id(campaign: Mapping[str, Any]) -> str:
    return http.first_id(campaign, "contact_list_id", "list_id") or ""


def _reference(contact: Mapping[str, Any]) -> str:
    """Our entry id, which rides in the contact's custom fields (see contact_row)."""
    custom = contact.get("custom_fields")
    return str(custom.get("reference") or "") if isinstance(custom, dict) else ""
