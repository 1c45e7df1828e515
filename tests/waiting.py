"""Waiting in the browser tests for a state no page shows: a row reaching the database, a connection between
nginx and an app process, a key leaving Redis. Playwright waits for what a page shows; these are polled until they
hold, and a test fails naming what never happened once the deadline passes (generous: CI shares 2 cores)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
POLL_S = 0.2
DEADLINE_S = 60  # a reconnect or a drop on a loaded 2-core machine


def wait_until(condition: Callable[[], T], what: str, timeout: float = DEADLINE_S) -> T:
    """Poll ``condition`` until it returns something true, and return that; fail naming ``what`` after ``timeout``
    seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"never happened within {timeout:.0f}s: {what}"
        time.sleep(POLL_S)
    return result
