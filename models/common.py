"""Column helpers shared by the tables: UTC timestamps, money and short enum columns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Stable constraint names on every engine, so Alembic can alter them later (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def created_at_field(**kwargs: Any) -> Any:
    return Field(default_factory=utc_now, nullable=False, **kwargs)


def money_field(**kwargs: Any) -> Any:
    """A ``Numeric(12, 2)`` column holding yuan as ``Decimal``."""
    kwargs.setdefault("default", Decimal("0.00"))
    return Field(max_digits=12, decimal_places=2, **kwargs)


def enum_field(default: Any = ..., **kwargs: Any) -> Any:
    """A short string column for a ``StrEnum``; plain strings keep migrations free of database enum types."""
    return Field(default=default, sa_type=sa.String(24), **kwargs)
