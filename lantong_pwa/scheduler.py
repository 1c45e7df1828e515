"""Scheduled jobs (APScheduler, Asia/Shanghai): the reminder centre is rebuilt every morning, queued messages
are delivered every minute, and a backup is made every night (keeping the last ``LANTONG_BACKUP_KEEP_DAYS`` days;
``lantong_pwa/backup.py``).

Reflex starts lifespan tasks in every backend worker, so every worker starts a scheduler, but only one of them runs
the jobs: the holder of the ``scheduler_lease`` row. Each worker tries to take or renew the lease every
``RENEW_SECONDS`` with one conditional upsert, which succeeds only for the current holder or once the lease has
lapsed (``LEASE_SECONDS`` after its last renewal); each job checks the lease again before it runs. A worker that
stops gives the lease back, so another takes over within ``RENEW_SECONDS``; one that dies is replaced once its lease
lapses. The worker that takes the lease rebuilds the reminders at once (the build is idempotent), so a restart after
the morning run misses nothing.

``LANTONG_SCHEDULER=off`` starts no scheduler (tests, or when the jobs run elsewhere, e.g. from cron with
``python -m lantong_pwa care-daily``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from lantong_pwa import backup as backups
from lantong_pwa.db import unit_of_work
from lantong_pwa.services.care import messaging, reminders
from lantong_pwa.timezone import SHOP_TZ, local_day
from models import SchedulerLease
from models.common import utc_now

log = logging.getLogger("lantong.scheduler")

LEASE_NAME = "jobs"
LEASE_SECONDS = 90
RENEW_SECONDS = 30
DAILY_AT = (6, 30)  # the reminder build, shop time
DELIVER_EVERY_SECONDS = 60
BACKUP_AT = (2, 30)  # the nightly backup, shop time: the workshop is closed


def enabled() -> bool:
    return os.environ.get("LANTONG_SCHEDULER", "on").strip().lower() not in {"off", "0", "false", "no"}


def new_holder_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


# --- the lease --------------------------------------------------------------------------------------------------


def acquire_lease(session: Session, holder: str, now: datetime, *, name: str = LEASE_NAME,
                  seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + seconds``, in one statement: it inserts the
    row, or updates it only when ``holder`` holds it already or it has lapsed. Returns whether ``holder`` holds it
    (once the caller's unit of work commits)."""
    table = SchedulerLease.__table__
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(name=name, holder=holder, expires_at=now + timedelta(seconds=seconds))
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=or_(table.c.holder == holder, table.c.expires_at <= now),
    ).returning(table.c.holder)
    return session.execute(statement).scalar_one_or_none() == holder


def release_lease(session: Session, holder: str, *, name: str = LEASE_NAME) -> None:
    """Give the lease back (if ``holder`` has it), so another worker takes over at its next renewal."""
    table = SchedulerLease.__table__
    session.execute(delete(table).where(table.c.name == name, table.c.holder == holder))


# --- the jobs ---------------------------------------------------------------------------------------------------


class JobRunner:
    """The jobs of one worker, each run only while this worker holds the lease. ``clock`` gives the time (tests
    pass a fixed one). Each run is one unit of work (the lease renewal is another, committed before the job starts);
    delivering opens one per message (``messaging.deliver_due``)."""

    def __init__(self, holder: str | None = None, clock: Callable[[], datetime] = utc_now):
        self.holder = holder or new_holder_id()
        self.clock = clock
        self.holding = False
        self._lock = threading.Lock()

    def renew(self) -> bool:
        """Take or renew the lease; on taking it, rebuild the reminders (a restart may have missed the morning)."""
        with self._lock:
            try:
                with unit_of_work() as session:
                    held = acquire_lease(session, self.holder, self.clock())
            except Exception:  # the database is away: hold nothing until it is back
                log.exception("scheduler lease: renewal failed")
                held = False
            taken, self.holding = held and not self.holding, held
        if taken:
            log.info("scheduler lease taken by %s", self.holder)
            self._build()
        return held

    def build_reminders(self) -> int | None:
        """The morning job: ``None`` when another worker holds the lease."""
        return self._build() if self.renew() else None

    def deliver(self) -> int | None:
        """The every-minute job: send the queued messages that are due."""
        if not self.renew():
            return None
        return messaging.deliver_due(unit_of_work, self.clock())

    def backup(self) -> tuple[Path, list[Path]] | None:
        """The nightly job: a backup, and the ones beyond the kept days removed; ``None`` when another worker holds
        the lease."""
        if not self.renew():
            return None
        made, removed = backups.nightly(self.clock())
        log.info("backup written to %s; %d old backups removed", made, len(removed))
        return made, removed

    def release(self) -> None:
        with self._lock:
            with unit_of_work() as session:
                release_lease(session, self.holder)
            self.holding = False

    def _build(self) -> int:
        today = local_day(self.clock())
        with unit_of_work() as session:
            added = reminders.build_reminders(session, today)
        log.info("reminders for %s: %d added", today, added)
        return added


def make_scheduler(runner: JobRunner) -> BackgroundScheduler:
    """The jobs on a clock in Asia/Shanghai; a late or overlapping run is folded into one."""
    scheduler = BackgroundScheduler(timezone=SHOP_TZ, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(runner.renew, "interval", seconds=RENEW_SECONDS, id="lease",
                      next_run_time=datetime.now(SHOP_TZ))
    scheduler.add_job(runner.build_reminders, CronTrigger(hour=DAILY_AT[0], minute=DAILY_AT[1], timezone=SHOP_TZ),
                      id="reminders", misfire_grace_time=3600)
    scheduler.add_job(runner.deliver, "interval", seconds=DELIVER_EVERY_SECONDS, id="deliver",
                      misfire_grace_time=DELIVER_EVERY_SECONDS)
    if backups.keep_days() > 0:
        scheduler.add_job(runner.backup, CronTrigger(hour=BACKUP_AT[0], minute=BACKUP_AT[1], timezone=SHOP_TZ),
                          id="backup", misfire_grace_time=3 * 3600)
    return scheduler


@contextlib.asynccontextmanager
async def scheduler_lifespan() -> AsyncIterator[None]:
    """The app's lifespan task (``app.register_lifespan_task``): the scheduler runs while the backend does."""
    if not enabled():
        log.info("scheduler off (LANTONG_SCHEDULER)")
        yield
        return
    runner = JobRunner()
    scheduler = make_scheduler(runner)
    scheduler.start()
    try:
        yield
    finally:
        await asyncio.to_thread(scheduler.shutdown, wait=True)
        await asyncio.to_thread(runner.release)
