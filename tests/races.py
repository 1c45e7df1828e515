"""Racing requests in tests: each call is a request of its own — its own thread, session and unit of work on the
app's engine (point it at the test database with the ``app_engine`` fixture) — and all are released at once."""

from __future__ import annotations

import threading

from lantong_pwa.db import unit_of_work
from lantong_pwa.errors import DomainError


def race(calls) -> list:
    """Run every call (``call(session)``) in its own unit of work on its own thread, all released together;
    return what each returned, or the ``DomainError`` it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            with unit_of_work() as own:
                results[index] = call(own)
        except Exception as error:  # noqa: BLE001 - a refusal is an outcome; anything else fails the test below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert not unexpected, unexpected
    return results
