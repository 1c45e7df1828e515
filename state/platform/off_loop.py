"""Running a request's database work off Reflex's event loop.

Reflex serves every browser of a worker on one event loop, and calls a synchronous handler inline on it: while one
handler waits on the database, hashes a password or builds a report, every other phone on that worker waits too.
So each State handler is ``async`` and hands its unit of work to a thread with these two functions; the loop
serves everyone else meanwhile. The handler's own state stays locked by Reflex until it returns, so the work may
read and set that state's fields from the thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from lantong_pwa.db import read_scope, unit_of_work

T = TypeVar("T")


def _in_unit(work: Callable[[Session], T]) -> T:
    with unit_of_work() as db:
        return work(db)


def _in_read(work: Callable[[Session], T]) -> T:
    with read_scope() as db:
        return work(db)


async def run_in_unit(work: Callable[[Session], T]) -> T:
    """``work(db)`` as one transaction (``unit_of_work``: committed once, rolled back whole if it raises), in a
    worker thread."""
    return await asyncio.to_thread(_in_unit, work)


async def run_in_read(work: Callable[[Session], T]) -> T:
    """``work(db)`` in a ``read_scope`` (nothing is committed, a write raises), in a worker thread."""
    return await asyncio.to_thread(_in_read, work)
