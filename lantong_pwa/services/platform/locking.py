"""Take a row's write lock before reading what a decision depends on (money, balances, document status).

A no-op ``UPDATE`` of the row is the one statement that waits for other writers on both engines: PostgreSQL locks
the row until the transaction ends, and SQLite takes its database write lock (the session's earlier reads ran
outside a transaction, so nothing stale is held). The row is then read again, so the caller decides on the
latest committed values.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import update
from sqlmodel import Session, select

T = TypeVar("T")


def locked(session: Session, model: type[T], row_id: int) -> T:
    # Nothing in the session needs syncing (the row is read again below): without this, SQLAlchemy matches the
    # UPDATE against every object the session holds, which made posting a 5,000-line count sheet take seconds.
    session.execute(update(model).where(model.id == row_id).values(id=model.id)
                    .execution_options(synchronize_session=False))
    return session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).one()
