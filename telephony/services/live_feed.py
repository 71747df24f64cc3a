"""Server-sent events for the live screens: a push when what a screen shows has moved.

Each web process keeps one feed. Open screens subscribe with the stamps they were drawn
from (`telephony.services.live`); one thread per process reads the stamps of every
subscribed workspace in one query, and the wallboard's once, every `INTERVAL` seconds,
and wakes only the screens whose stamp moved. The screen then fetches its fragment with
its ordinary htmx request. So an idle screen costs no request at all, however many are
open: 500 workspaces cost four small queries a second per process instead of 500
requests, and a change shows within `INTERVAL` plus one fetch.

The broadcast goes through the database (the stamps are read from the rows), so it needs
no Redis and reaches screens on every process and machine; a stream is a plain WSGI
response held by a thread (gunicorn's gthread worker, the dev server's threads).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError, close_old_connections

from telephony.services.live import callbacks_marks, wallboard_stamp, workspace_stamps_many

logger = logging.getLogger(__name__)

INTERVAL = 0.25  # seconds between two reads of the stamps
HEARTBEAT = 15.0  # a comment line this often keeps proxies from closing an idle stream
WALLBOARD = "wallboard"


@dataclass(eq=False)
class Subscription:
    """One open screen: a workspace (`key` = its user id) or a wallboard."""

    key: int | str
    seen: object
    moved: threading.Event = field(default_factory=threading.Event)


class Feed:
    def __init__(self, interval: float = INTERVAL, *, autostart: bool = True) -> None:
        # autostart=False: nothing reads the stamps but explicit tick() calls (tests).
        self.interval, self.autostart = interval, autostart
        self.lock = threading.Lock()
        self.subscriptions: set[Subscription] = set()
        self.thread: threading.Thread | None = None

    def subscribe(self, key: int | str, seen: object) -> Subscription:
        subscription = Subscription(key, seen)
        with self.lock:
            self.subscriptions.add(subscription)
            if self.autostart and (self.thread is None or not self.thread.is_alive()):
                self.thread = threading.Thread(target=self._run, name="live-feed", daemon=True)
                self.thread.start()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self.lock:
            self.subscriptions.discard(subscription)

    def forget_all(self) -> None:
        """Drop every subscription (a server stopping); the thread ends at its next turn."""
        with self.lock:
            self.subscriptions.clear()

    def tick(self) -> int:
        """Read the stamps once and wake every screen whose stamp moved; how many woke."""
        with self.lock:
            subscriptions = list(self.subscriptions)
        if not subscriptions:
            return 0
        users = {s.key for s in subscriptions if s.key != WALLBOARD}
        current: dict = {}
        if users:
            callbacks = callbacks_marks(users)
            for user_id, stamps in workspace_stamps_many(users).items():
                current[user_id] = (*stamps, callbacks[user_id])
        if any(s.key == WALLBOARD for s in subscriptions):
            current[WALLBOARD] = wallboard_stamp()
        woken = 0
        for subscription in subscriptions:
            subscription.seen, moved = _moved(subscription.seen, current.get(subscription.key))
            if moved:
                subscription.moved.set()
                woken += 1
        return woken

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.interval):
            with self.lock:
                if not self.subscriptions:
                    self.thread = None
                    break
            try:
                self.tick()
            except DatabaseError:
                # A restarting database: screens keep their last state and their fallback
                # poll; the next tick tries again on a fresh connection.
                logger.warning("live feed: reading the stamps failed", exc_info=True)
                close_old_connections()
            except Exception:
                # Anything else is a bug, but the thread serves every open screen of this
                # process: log it and keep ticking rather than leave them all unwoken.
                logger.exception("live feed: a tick failed")


def _moved(seen: object, now: object) -> tuple[object, bool]:
    """What the screen shows now, and whether that differs from what it was drawn from.

    A workspace is (status, call card, callbacks). One whose card is not live sent no card
    stamp, so its card is not compared. The page carries no callbacks mark (its card's
    stamp is of another shape): the first read learns it without a push.
    """
    if not (isinstance(now, tuple) and isinstance(seen, tuple)):
        return now, now != seen
    status, card, callbacks = now
    current = (status, card if seen[1] is not None else None, callbacks)
    if seen[2] is None:
        return current, current[:2] != seen[:2]
    return current, current != seen


FEED = Feed()


def stream(subscription: Subscription, *, seconds: float, feed: Feed = FEED) -> Iterator[str]:
    """The text/event-stream of one screen: `moved` on a change, a comment as a heartbeat.

    It ends after `seconds`: the browser's EventSource reconnects by itself (after the
    `retry` delay), and the reconnection is a new request, so a session that ended or an
    agent disabled meanwhile is refused then.
    """
    deadline = time.monotonic() + seconds
    try:
        yield "retry: 1000\n\n"
        while (left := deadline - time.monotonic()) > 0:
            if subscription.moved.wait(min(HEARTBEAT, left)):
                subscription.moved.clear()
                yield "event: moved\ndata: {}\n\n"
            elif deadline > time.monotonic():
                yield ": still here\n\n"
    finally:
        feed.unsubscribe(subscription)
