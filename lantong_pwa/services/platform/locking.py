"""Take a row's write lock before reading what a decision depends on (money, balances, document status).

PostgreSQL locks the row (``SELECT … FOR NO KEY UPDATE``, the lock an UPDATE of its other columns takes) until the
transaction ends, and reads it in the same statement. SQLite has one write lock for the whole database: any write
statement takes it, even one that matches no row, so the lock is a no-op ``UPDATE`` that matches nothing (an
UPDATE that assigned the row's key would make SQLite check every table that references it, a scan of each) and
the row is read after it. Either way the session's earlier reads ran outside the lock, so the caller decides on
the latest committed values.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import false, update
from sqlmodel import Session, select

T = TypeVar("T")


def locked(session: Session, model: type[T], row_id: int) -> T:
    fresh = select(model).where(model.id == row_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        return session.exec(fresh.with_for_update(key_share=True)).one()
    # Nothing in the session needs syncing (no row matches): without this, SQLAlchemy matches the UPDATE against
    # every object the session holds, which made posting a 5,000-line count sheet take seconds.
    session.execute(update(model).where(model.id == row_id, false()).values(id=model.id)
                    .execution_options(synchronize_session=False))
    return session.exec(fresh).one()
