"""How the Robotalker fake (tests/fakes/robotalker.py) plays its world forward: each call's
life is planned from its seed when it is made, campaigns dial their numbers in turn, and
the webhooks go out once the server lock is released. `Dialer` is a mixin of
`RobotalkerFake`, whose state it uses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial
from heapq import heappop, heappush
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.fakes import robotalker_calls as calls
from tests.fakes import robotalker_fields as fields
from tests.fakes.robotalker_calls import (
    AMD_RESULTS,
    STATUS_EVENTS,
    TERMINAL_STATUSES,
    RobotalkerCall,
    RobotalkerCampaign,
)

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


class Dialer:
    def _new_call(
        self,
        to: str,
        sender: str,
        message: str,
        voice: str,
        dtmf: dict[str, dict[str, str]],
        webhook_url: str | None,
        at: datetime,
        campaign_id: str | None = None,
    ) -> RobotalkerCall:
        call = RobotalkerCall(
            call_id=self._new_id("cal"),
            seq=len(self.calls) + 1,
            to=to,
            sender=sender,
            message=message,
            voice=voice,
            dtmf=dtmf,
            webhook_url=webhook_url,
            created_at=at,
            campaign_id=campaign_id,
        )
        self.calls[call.call_id] = call
        self._last_webhook_url[to] = webhook_url
        self._plan(call)
        return call

    def _plan(self, call: RobotalkerCall) -> None:
        """Schedule the call's whole life now, from `random.Random(seed + n)` alone."""
        rng = random.Random(self.seed + call.seq)
        # Draw everything every time, in one order, so forcing an outcome never shifts the
        # numbers a call draws after it.
        roll = rng.uniform(0, 100)
        queued_for = rng.randint(1, 3)
        ring_for = rng.randint(3, 15)
        talk = rng.randint(10, 60)
        voicemail = rng.randint(15, 30)
        key = rng.choice([*sorted(call.dtmf), None]) if call.dtmf else None
        pressed_after = rng.randint(5, talk - 1)
        outcome = self._forced.get(call.to) or calls.pick(roll)

        if outcome == "failed":  # the carrier refuses it at once
            failed = call.created_at + timedelta(seconds=2)
            self._schedule(failed, partial(self._end, call, outcome))
            return
        ringing = call.created_at + timedelta(seconds=queued_for)
        self._schedule(ringing, partial(self._move, call, "ringing"))
        if outcome == "no_answer":
            # guess: about 30 seconds of ringing before the carrier gives up
            self._schedule(ringing + timedelta(seconds=30), partial(self._end, call, outcome))
            return
        answered = ringing + timedelta(seconds=ring_for)
        self._schedule(answered, partial(self._move, call, "in_progress"))
        if outcome == "voicemail":
            ended = answered + timedelta(seconds=voicemail)
        else:
            ended = answered + timedelta(seconds=talk)
            if key is not None:  # only a person presses keys
                pressed = answered + timedelta(seconds=pressed_after)
                self._schedule(pressed, partial(self._press, call, key))
        self._schedule(ended, partial(self._end, call, outcome))

    def _schedule(self, at: datetime, action: Any) -> None:
        heappush(self._queue, (at, next(self._order), action))

    # -- time --------------------------------------------------------------------------
    def on_tick(self) -> None:
        # Every due step of every call and campaign, in time order (ties in the order they
        # were planned), so webhooks leave in the order things happened. A campaign's dial
        # step adds its call's steps, which may be due in this same tick.
        while self._queue and self._queue[0][0] <= self.clock:
            at, _, action = heappop(self._queue)
            action(at)

    def advance(self, seconds: float) -> None:
        # `on_tick` runs under the server lock; webhooks go out after it is released so a
        # receiver that calls back into the fake (e.g. GET /api/v1/calls/{id}) cannot
        # deadlock.
        super().advance(seconds)
        self._deliver_webhooks()

    def _dial(self, campaign: RobotalkerCampaign, to: str, message: str, at: datetime) -> None:
        campaign.status = "running"
        campaign.dialed += 1
        # Opt-out is checked when the number's turn comes, not when the campaign is made: an
        # opt-out from an earlier call of the same campaign counts.
        if self.is_opted_out(to):
            campaign.opted_out.append(to)
        else:
            call = self._new_call(
                to,
                campaign.sender,
                message,
                campaign.voice,
                campaign.dtmf,
                campaign.webhook_url,
                at,
                campaign.campaign_id,
            )
            campaign.call_ids.append(call.call_id)
        self._check_campaign(campaign)

    def _move(self, call: RobotalkerCall, status: str, at: datetime) -> None:
        call.status = status
        if status == "in_progress":
            call.answered_at = at

    def _press(self, call: RobotalkerCall, key: str, at: datetime) -> None:
        call.dtmf_response = key
        action = call.dtmf[key]
        if action["action"] == "optout":
            self._opt_out(call.to, at, call=call)
            return
        # guess: the doc does not show what a DTMF "webhook" action posts; we send the keys
        # of its call payload that say who pressed what, to the URL given for that key.
        payload = {"call_id": call.call_id, "to": call.to, "dtmf_response": key}
        self._outbox.append((action["url"], {**payload, "timestamp": fields.iso(at)}))

    def _end(self, call: RobotalkerCall, status: str, at: datetime) -> None:
        call.status = status
        call.ended_at = at
        if call.answered_at is not None:
            call.duration_seconds = int((at - call.answered_at).total_seconds())
        call.amd_result = AMD_RESULTS.get(status)
        event = self.shapes.call_event(call.event(STATUS_EVENTS[status], at), status)
        self._outbox.append((call.webhook_url, event))
        if call.campaign_id:
            self._check_campaign(self.campaigns[call.campaign_id])

    def _check_campaign(self, campaign: RobotalkerCampaign) -> None:
        finished = all(self.calls[i].status in TERMINAL_STATUSES for i in campaign.call_ids)
        if campaign.dialed == len(campaign.recipients) and finished:
            campaign.status = "completed"

    def _opt_out(self, number: str, at: datetime, call: RobotalkerCall | None) -> None:
        contact = self._contact(number)
        if contact["opted_out"]:
            return  # one event per change of status, not per key press
        contact["opted_out"] = True
        contact["opted_out_at"] = fields.iso(at)
        # guess: the doc names contact.optout without its payload; ours uses only keys of the
        # call payload (call_id is null when the opt-out came by SMS reply). It goes to the
        # webhook of the call it came from, else of the number's last call.
        url = call.webhook_url if call else self._last_webhook_url.get(number)
        payload = {
            "event": "contact.optout",
            "call_id": call.call_id if call else None,
            "to": number,
            "timestamp": fields.iso(at),
        }
        self._outbox.append((url, self.shapes.optout_event(payload)))

    # -- webhooks ------------------------------------------------------------------------
    def _deliver_webhooks(self) -> None:
        with self._lock:
            pending, self._outbox = self._outbox, []
        for url, payload in pending:
            self._post(url or self.webhook_url, payload)

    def _post(self, url: str | None, payload: dict[str, Any]) -> None:
        # A call without its own webhook_url falls back to `webhook_url` on the fake (an
        # account-wide URL). Only loopback is ever contacted: a doc example URL such as
        # https://yourapp.com/call-status is recorded as not sent.
        if not url or urlsplit(url).hostname not in _LOOPBACK_HOSTS:
            self.webhooks_sent.append((payload, None))
            return
        try:
            # No signature header: the doc documents none (see the module docstring).
            response = requests.post(url, json=payload, timeout=5)
        except requests.RequestException as exc:
            # A receiver that is down must not stop the provider's clock; the failure is
            # kept for the test to inspect.
            self.webhook_failures.append((url, payload, repr(exc)))
            return
        self.webhooks_sent.append((payload, response))
