"""Time arithmetic inside SQL, the same on SQLite and PostgreSQL: SQLite stores timestamps as text and has no
interval type, so differences go through ``julianday``; PostgreSQL subtracts and takes the epoch."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session


def seconds_between(session: Session, later, earlier) -> sa.ColumnElement:
    """``later − earlier`` in seconds (a float on SQLite, a numeric on PostgreSQL), for use in a query."""
    if session.get_bind().dialect.name == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400
    return sa.extract("epoch", later - earlier)


def later_of(session: Session, *values) -> sa.ColumnElement:
    """The latest of ``values`` (SQLite's two-argument ``max``, PostgreSQL's ``greatest``)."""
    return (sa.func.max if session.get_bind().dialect.name == "sqlite" else sa.func.greatest)(*values)


def earlier_of(session: Session, *values) -> sa.ColumnElement:
    """The earliest of ``values`` (SQLite's two-argument ``min``, PostgreSQL's ``least``)."""
    return (sa.func.min if session.get_bind().dialect.name == "sqlite" else sa.func.least)(*values)
