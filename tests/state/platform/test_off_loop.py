"""State handlers do their database work off the event loop: only ``state/platform/off_loop.py`` opens units of
work for the State layer, and it runs each one in a worker thread."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

from state.platform.off_loop import run_in_read, run_in_unit

REPO = Path(__file__).parents[3]


def test_no_state_or_page_module_opens_the_database_but_off_loop():
    opens_db = re.compile(r"^\s*(from lantong_pwa\.db import|from lantong_pwa import db\b|import lantong_pwa\.db)",
                          re.MULTILINE)
    offenders = [str(path.relative_to(REPO)) for folder in ("state", "pages") for path in (REPO / folder).rglob("*.py")
                 if path.name != "off_loop.py" and opens_db.search(path.read_text(encoding="utf-8"))]
    assert offenders == [], "open units through SessionState._in_unit/_in_read (state/platform/off_loop.py)"


def test_units_and_reads_run_in_a_worker_thread_while_the_loop_goes_on(app_engine):
    """While a unit of work waits, the event loop runs other tasks; the work ran on another thread."""
    release = threading.Event()
    threads: dict[str, int] = {}

    def slow_work(_db):
        threads["work"] = threading.get_ident()
        release.wait(timeout=30)
        return "done"

    async def meanwhile():
        threads["loop"] = threading.get_ident()
        release.set()  # runs only if the loop is free while the unit waits
        return "loop was free"

    async def scenario():
        return await asyncio.gather(run_in_unit(slow_work), meanwhile(),
                                    run_in_read(lambda _db: threading.get_ident()))

    unit_result, loop_result, read_thread = asyncio.run(scenario())
    assert (unit_result, loop_result) == ("done", "loop was free")
    assert threads["work"] != threads["loop"] and read_thread != threads["loop"]
