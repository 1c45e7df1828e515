"""Rows that coordinate processes: the scheduler's lease and the public forms' rate-limit hits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Index, SQLModel

from models.common import created_at_field


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduled jobs: one backend worker holds the lease and renews it; the others wait for it to
    lapse. A row per job group (``name``)."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    expires_at: datetime


class RateLimitHit(SQLModel, table=True):
    """One request counted against a limit (``bucket``, ``key``: e.g. a follow-up form and the client address)."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_bucket_key_at", "bucket", "key", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=32)
    key: str = Field(max_length=64)
    created_at: datetime = created_at_field()
