"""Take a row's write lock before reading what a decision depends on (money, balances, document status).

A no-op ``UPDATE`` of the row is the one statement that waits for other writers on both engines: PostgreSQL locks
the row until the transaction ends, and SQLite takes its database write lock (the session's earlier reads ran
outside a transaction, so nothing stale is held). The row is then read again, so the caller decides on the
latest committed values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import update
from sqlmodel import Session, select

T = TypeVar("T")
R = TypeVar("R")


def locked(session: Session, model: type[T], row_id: int) -> T:
    session.execute(update(model).where(model.id == row_id).values(id=model.id))
    return session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).one()


def all_or_nothing(fn: Callable[..., R]) -> Callable[..., R]:
    """A service whose refusal leaves nothing behind: any error rolls the session back (releasing the locks taken),
    so a caller that commits afterwards commits nothing of the refused request. The session is the first argument."""

    @functools.wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        try:
            return fn(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return wrapper
