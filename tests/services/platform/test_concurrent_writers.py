"""Handlers run their units of work in threads, so on the embedded default (SQLite) writers meet. None of them may
ever fail with "database is locked": WAL lets readers go on beside the one writer, the driver opens a unit's
transaction at its first write, and the busy timeout (``lantong_pwa/db.py``) makes a second writer wait for the
first one's commit instead of failing. Units are short, so the wait is too. (With no busy timeout this test fails
with "database is locked".)"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import func, select

from lantong_pwa.db import unit_of_work
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from models import AuditEvent, DocumentSequence

WRITERS = 8
UNITS_EACH = 25


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_concurrent_read_then_write_units_never_meet_a_locked_database(app_engine, shop):
    """Eight threads at once, each unit reading first (as every service does: the actor, the document) and then
    writing (a document number and an audit row): every unit commits, and the numbers are all different."""
    branch_id = shop.branch.id
    start = threading.Barrier(WRITERS)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def writer() -> None:
        start.wait()
        for _ in range(UNITS_EACH):
            try:
                with unit_of_work() as db:
                    db.exec(select(func.count()).select_from(AuditEvent)).one()  # the read that opens a snapshot
                    number = next_number(db, branch_id, "TS", date(2026, 12, 3))
                    audit.record(db, None, "test.write", "document", None, branch_id=branch_id, number=number)
                numbers.append(number)
            except BaseException as error:  # noqa: BLE001 - every failure is reported below
                failures.append(error)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert len(numbers) == len(set(numbers)) == WRITERS * UNITS_EACH
    with unit_of_work() as db:
        counter = db.exec(select(DocumentSequence.last_value).where(DocumentSequence.prefix == "TS")).one()
        written = db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.write")).one()
    assert counter == written == WRITERS * UNITS_EACH
