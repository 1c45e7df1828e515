"""The database engine and sessions, shared by the app, the CLI and the scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from lantong_pwa.errors import DomainError
from lantong_pwa.settings import get_settings


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout so concurrent writers wait."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - exercised on every connect
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


def _text_fits_its_column(session: Session, _flush_context, _instances) -> None:
    """The length cap every text field shares: a value longer than its column is refused with a message before it
    is written (PostgreSQL would refuse it with an error, SQLite would keep it). Services check their fields with
    their own words first; this is the floor under every one of them."""
    for row in (*session.new, *session.dirty):
        state = inspect(row)
        for attribute in state.mapper.column_attrs:
            length = getattr(attribute.columns[0].type, "length", None)
            value = state.dict.get(attribute.key)
            if length and isinstance(value, str) and len(value) > length:
                raise DomainError(f"输入内容过长（不能超过{length}字）", field=attribute.key)


event.listen(Session, "before_flush", _text_fits_its_column)


class ReadOnlySessionError(RuntimeError):
    """A read scope tried to write: reads never write (open a ``unit_of_work`` for a change)."""


def _refuse_writes(session: Session, _flush_context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError("a read scope tried to write: "
                                   f"{[*session.new, *session.dirty, *session.deleted][:3]}")


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One request's transaction, opened at the boundary (a State handler, an API route, a scheduled job, a CLI
    command). Services only flush; this commits once when the block ends normally and rolls all of it back when
    anything is raised (a ``DomainError`` included), so a refused request leaves nothing behind."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope() -> Iterator[Session]:
    """A session for a request that only reads (a page load, a search, a report). It never commits, and a flush
    with pending changes raises ``ReadOnlySessionError``, so a read cannot write by accident."""
    with Session(get_engine(), expire_on_commit=False) as session:
        event.listen(session, "before_flush", _refuse_writes)
        # Closing ends the transaction without committing. A rollback would too, but it expires every row read,
        # and the rows a read returns must stay readable after the block.
        yield session

