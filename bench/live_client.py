"""The simulated browser of bench_live.py: one keep-alive HTTP/1.1 connection per tab on
asyncio streams (a thread per tab would cost the load generator more than the server), and
what htmx sends at each poll: the stamps the last render carried."""

from __future__ import annotations

import asyncio
import json
import re
import time

VALS = re.compile(r"""hx-vals='(\{[^']*\})'""")
CURRENT_V = re.compile(r'id="ws-current-v" name="c" value="([0-9a-f]+)"')


class Browser:
    """One tab: a keep-alive connection its polls share, as htmx's requests would."""

    def __init__(self, port: int, session: str | None, stats: dict) -> None:
        # No session: the probe's fetch (credentials "omit"), on a connection of its own.
        self.cookie = f"Cookie: sessionid={session}\r\n" if session else ""
        self.port, self.stats = port, stats
        self.lock = asyncio.Lock()
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, str]:
        async with self.lock:
            for attempt in (1, 2):  # a keep-alive the server closed: reconnect once
                try:
                    return await self._get(path)
                except (ConnectionError, asyncio.IncompleteReadError):
                    self.reader = None
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    async def _get(self, path: str) -> tuple[int, str]:
        if self.reader is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        started = time.perf_counter()
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.cookie}"
            "HX-Request: true\r\nConnection: keep-alive\r\n\r\n".encode()
        )
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = re.search(r"(?i)content-length: *(\d+)", head)
        body = await self.reader.readexactly(int(length.group(1))) if length else b""
        self.stats["latency"].append(time.perf_counter() - started)
        self.stats["codes"][status] = self.stats["codes"].get(status, 0) + 1
        self.stats["bytes"] += len(body)
        return status, body.decode()


def query(path: str, vals: dict) -> str:
    from urllib.parse import urlencode

    return f"{path}?{urlencode(vals)}" if vals else path


def element_vals(body: str, stamped: bool) -> dict:
    """The hx-vals of the first element in `body`; today's design sends no stamp."""
    match = VALS.search(body)
    vals = json.loads(match.group(1)) if match else {}
    return vals if stamped else {k: v for k, v in vals.items() if k != "v"}


def status_vals(body: str, vals: dict) -> dict:
    """What the stamped status poll sends next: its hx-vals and the live call card's stamp
    (hx-include of #ws-current-v), dropped once the card stops being live."""
    fresh = element_vals(body, True)
    current = CURRENT_V.search(body)
    if current:
        fresh["c"] = current.group(1)
    elif 'id="ws-current"' not in body and "c" in vals:
        fresh["c"] = vals["c"]
    return fresh


async def every(period: float, until: float, step) -> None:
    """Run `step()` every `period` seconds until `until`, the first time one period from now
    (as htmx's `every Ns` and setInterval do)."""
    tick = time.monotonic() + period
    while tick < until:
        await asyncio.sleep(max(0.0, tick - time.monotonic()))
        await step()
        tick += period


async def poll(browser: Browser, path: str, period: float, until: float, vals: dict, update):
    """htmx's poll of one element; `update(body, vals)` answers what the new render sends
    at its next poll."""
    state = {"vals": vals}

    async def step() -> None:
        status, body = await browser.get(query(path, state["vals"]))
        if status == 200:
            state["vals"] = update(body, state["vals"])

    await every(period, until, step)


async def events(port: int, session: str, path: str, until: float, on_moved) -> None:
    """An EventSource: one held connection reading text/event-stream (chunked, as gunicorn
    sends a streaming response); `await on_moved()` for each `moved` event, as
    static/js/dashboard.js fires htmx's fetch. Reconnects when the server ends the stream."""
    while time.monotonic() < until:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        try:
            await reader.readuntil(b"\r\n\r\n")
            await asyncio.wait_for(_read_events(reader, on_moved), until - time.monotonic())
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # the run ended, or the server closed the stream: open it again
        finally:
            writer.close()


async def _read_events(reader: asyncio.StreamReader, on_moved) -> None:
    buffer = ""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip() or b"0", 16)
        if size == 0:
            return  # the stream ended (LIVE_STREAM_SECONDS): the browser reconnects
        buffer += (await reader.readexactly(size + 2))[:-2].decode()
        while "\n\n" in buffer:
            event, buffer = buffer.split("\n\n", 1)
            if event.startswith("event: moved"):
                await on_moved()
