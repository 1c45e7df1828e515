"""One slow request stalls nobody else: the production server keeps answering other phones and ``/ping`` while a
request waits on the database.

The slow request is made slow on purpose and for as long as the test needs: the test holds SQLite's write lock, so
the manager's change of a branch setting waits in its unit of work until the test lets go. Had that wait run on the
event loop, as a synchronous handler's does, every other phone on the server would wait with it (and this test
fails so).

What tells the two apart is the size of the stall, not a few milliseconds: a wait on the event loop holds every
other phone for as long as the database waits (here, until the test lets go or the 30 s busy timeout ends). So each
of the other phone's events and ``/ping``s must finish within a second while the lock is still held. A tighter
bound would measure the machine's scheduling noise instead (a CI run on a busy machine once saw one 100 ms event).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest

from lantong_pwa.socket_phone import SocketPhone
from state.platform.settings import SettingsState
from state.workshop.board import BoardState
from tests.e2e.conftest import DEMO_PASSWORD, run_async

pytestmark = pytest.mark.e2e

SAMPLES = 15
LIMIT_S = 1.0  # far above scheduling noise, far below a database wait that blocks the loop
FOLLOW_UP_DAYS = "SELECT follow_up_days FROM branch WHERE id = (SELECT branch_id FROM user WHERE username = 'manager')"


async def _meanwhile(server, other: SocketPhone, slow: asyncio.Task) -> tuple[list[float], list[float]]:
    """The other phone's board refreshes and ``/ping``s, one after another, while ``slow`` waits."""
    events, pings = [], []
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        for _ in range(SAMPLES):
            assert not slow.done(), "the slow request finished while the test still held the lock"
            events.append((await other.send(BoardState, "refresh", path="/orders")).seconds)
            sent = time.perf_counter()
            assert (await http.get("/ping")).status_code == 200
            pings.append(time.perf_counter() - sent)
    return events, pings


async def _save_follow_up_days(phone: SocketPhone, days: int):
    return await phone.send(SettingsState, "save_follow_up_days", {"form": {"follow_up_days": str(days)}},
                            path="/settings")


async def _scenario(server) -> None:
    before = server.scalar(FOLLOW_UP_DAYS)
    lock = sqlite3.connect(server.db_path, timeout=30, isolation_level=None)
    slow_phone, other = SocketPhone(server.url), SocketPhone(server.url)
    await slow_phone.connect()
    await other.connect()
    try:
        await slow_phone.sign_in("manager", DEMO_PASSWORD)
        await other.sign_in("advisor", DEMO_PASSWORD)
        lock.execute("BEGIN IMMEDIATE")  # the write lock: every writer now waits until the test commits
        slow = asyncio.create_task(_save_follow_up_days(slow_phone, before + 2))
        try:
            events, pings = await _meanwhile(server, other, slow)
            assert not slow.done()
        finally:
            lock.execute("COMMIT")
        await slow  # once the lock is free, the slow request goes through
        assert server.scalar(FOLLOW_UP_DAYS) == before + 2
        await _save_follow_up_days(slow_phone, before)  # as the other browser tests expect it
    finally:
        lock.close()
        await slow_phone.close()
        await other.close()
    slowest_event, slowest_ping = max(events), max(pings)
    assert slowest_event < LIMIT_S, f"another phone's event took {slowest_event * 1000:.0f} ms: {events}"
    assert slowest_ping < LIMIT_S, f"/ping took {slowest_ping * 1000:.0f} ms: {pings}"


def test_a_request_waiting_on_the_database_stalls_no_other_phone(server):
    run_async(_scenario(server))
