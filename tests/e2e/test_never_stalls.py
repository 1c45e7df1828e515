"""One slow request stalls nobody else: the production server keeps answering other phones and ``/ping`` while a
request waits on the database.

The slow request is made slow on purpose and for as long as the test needs: the test holds SQLite's write lock, so
a phone's sign-in (it writes the new session) waits in its unit of work until the test lets go. Had that wait run
on the event loop, as a synchronous handler's does, every other phone on the server would wait with it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest

from lantong_pwa.socket_phone import SocketPhone
from state.workshop.board import BoardState
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

SAMPLES = 15
LIMIT_S = 0.100
SLOW_WINDOW_S = 1.5  # how long, at least, the other phone keeps measuring while the slow request waits


async def _meanwhile(server, other: SocketPhone, slow: asyncio.Task) -> tuple[list[float], list[float]]:
    """The other phone's board refreshes and ``/ping``s, one after another, while ``slow`` has not finished."""
    events, pings = [], []
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        while len(events) < SAMPLES or time.monotonic() - started < SLOW_WINDOW_S:
            assert not slow.done(), "the slow request finished while the test still held the lock"
            events.append((await other.send(BoardState, "refresh", path="/orders")).seconds)
            sent = time.perf_counter()
            assert (await http.get("/ping")).status_code == 200
            pings.append(time.perf_counter() - sent)
    return events, pings


async def _scenario(server) -> None:
    lock = sqlite3.connect(server.db_path, timeout=30, isolation_level=None)
    slow_phone, other = SocketPhone(server.url), SocketPhone(server.url)
    await slow_phone.connect()
    await other.connect()
    try:
        await other.sign_in("manager", DEMO_PASSWORD)
        lock.execute("BEGIN IMMEDIATE")  # the write lock: every writer now waits until the test commits
        slow = asyncio.create_task(slow_phone.sign_in("advisor", DEMO_PASSWORD))
        try:
            events, pings = await _meanwhile(server, other, slow)
            assert not slow.done()
        finally:
            lock.execute("COMMIT")
        signed_in = await slow  # and once the lock is free, the slow request goes through
        assert signed_in.redirects == ["/intake"]
    finally:
        lock.close()
        await slow_phone.close()
        await other.close()
    slowest_event, slowest_ping = max(events), max(pings)
    assert slowest_event < LIMIT_S, f"another phone's event took {slowest_event * 1000:.0f} ms: {events}"
    assert slowest_ping < LIMIT_S, f"/ping took {slowest_ping * 1000:.0f} ms: {pings}"


def test_a_request_waiting_on_the_database_stalls_no_other_phone(server):
    asyncio.run(_scenario(server))
