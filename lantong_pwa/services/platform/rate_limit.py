"""Rate limits for the public forms and the sign-in throttle, kept in the database (``RateLimitHit``) so every backend
worker counts the same hits on SQLite and PostgreSQL alike.

A hit is counted against ``(bucket, key)``; keys are stored as SHA-256 hashes (client addresses and link tokens
never sit in the table in the clear). Hits older than the window are deleted as new ones come in. Two requests
racing on different workers may both be counted in as the last allowed one; a limit against abuse, not a quota.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, func, select

from lantong_pwa.errors import DomainError
from models import RateLimitHit
from models.common import utc_now


class RateLimited(DomainError):
    """Too many requests in the window; the message tells the person when to try again."""

    def __init__(self, window: timedelta):
        super().__init__(f"提交过于频繁，请{int(window.total_seconds() // 60)}分钟后再试")


def hashed(value: str) -> str:
    return hashlib.sha256((value or "").encode()).hexdigest()


def hit(session: Session, bucket: str, limits: dict[str, int], window: timedelta,
        now: datetime | None = None) -> None:
    """Count one request against every ``key -> allowed`` in ``limits`` (e.g. the client address and the link);
    raise ``RateLimited`` (counting nothing) when any key already used its allowance. Flushes, never commits.

    A hit must outlive the request it counts: a refused request is rolled back, and a hit rolled back with it limits
    nothing. So the boundary counts the hit in a short unit of work of its own, committed before the request's main
    unit opens (see ``follow_ups.count_submit``)."""
    now = now or utc_now()
    since = now - window
    session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.created_at < since))
    keys = {hashed(key): allowed for key, allowed in limits.items()}
    for key, allowed in keys.items():
        used = session.exec(select(func.count()).select_from(RateLimitHit).where(
            RateLimitHit.bucket == bucket, RateLimitHit.key == key, RateLimitHit.created_at >= since)).one()
        if used >= allowed:
            raise RateLimited(window)
    session.add_all(RateLimitHit(bucket=bucket, key=key, created_at=now) for key in keys)
    session.flush()


def wait_left(session: Session, bucket: str, key: str, *, free: int, first_delay: timedelta, max_delay: timedelta,
              window: timedelta, now: datetime | None = None) -> timedelta:
    """How long ``key`` must still wait before its next try: nothing while it has fewer than ``free`` hits in the
    ``window``; then ``first_delay`` after its last hit, doubling with each further hit, up to ``max_delay``."""
    now = now or utc_now()
    count, last = session.exec(select(func.count(), func.max(RateLimitHit.created_at)).where(
        RateLimitHit.bucket == bucket, RateLimitHit.key == hashed(key),
        RateLimitHit.created_at >= now - window)).one()
    if count < free or last is None:
        return timedelta(0)
    if last.tzinfo is None:  # SQLite hands an aggregate back without the column's type
        last = last.replace(tzinfo=now.tzinfo)
    delay = min(max_delay, first_delay * 2 ** min(count - free, 32))
    return max(timedelta(0), last + delay - now)


def add_hit(session: Session, bucket: str, key: str, *, window: timedelta, now: datetime | None = None) -> int:
    """Add one hit for ``key`` (dropping the bucket's hits older than ``window``); returns the hit's id, so the
    caller can take it back (``forget``). Flushes, never commits."""
    now = now or utc_now()
    session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.created_at < now - window))
    row = RateLimitHit(bucket=bucket, key=hashed(key), created_at=now)
    session.add(row)
    session.flush()
    return row.id


def forget(session: Session, bucket: str, *, key: str | None = None, ids: tuple[int, ...] = ()) -> None:
    """Take back every hit of ``key`` in ``bucket``, or the hits ``ids``. Flushes, never commits."""
    if key is not None:
        session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.key == hashed(key)))
    if ids:
        session.execute(delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.id.in_(ids)))
    session.flush()
