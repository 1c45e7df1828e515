"""The scheduler: one worker holds the lease and runs the jobs; the clock is passed in (nothing sleeps).
Both engines; the CLI's ``care-daily`` against a throwaway SQLite file."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

import models
from lantong_pwa import scheduler
from lantong_pwa.__main__ import main
from lantong_pwa.db import make_engine
from lantong_pwa.scheduler import LEASE_SECONDS, JobRunner, acquire_lease, release_lease
from lantong_pwa.services.care import messaging
from lantong_pwa.timezone import SHOP_TZ
from models import CareReminder, NotificationStatus, SchedulerLease
from tests.factories import add_vehicle
from tests.test_cli import cli_db  # noqa: F401 - the fixture

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in the shop


def seconds(n: int) -> datetime:
    return NOW + timedelta(seconds=n)


def reminder_count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(CareReminder)).one()


# --- the lease --------------------------------------------------------------------------------------------------


def test_one_holder_until_the_lease_lapses(session):
    assert acquire_lease(session, "worker-a", NOW)
    assert not acquire_lease(session, "worker-b", NOW)
    assert acquire_lease(session, "worker-a", seconds(30)), "the holder renews"
    assert not acquire_lease(session, "worker-b", seconds(30 + LEASE_SECONDS - 1)), "renewed: not lapsed yet"
    assert acquire_lease(session, "worker-b", seconds(30 + LEASE_SECONDS)), "lapsed: another worker takes it"
    assert not acquire_lease(session, "worker-a", seconds(30 + LEASE_SECONDS + 1))
    lease = session.exec(select(SchedulerLease)).one()
    assert lease.holder == "worker-b"
    assert lease.expires_at == seconds(30 + 2 * LEASE_SECONDS)


def test_a_released_lease_is_taken_at_once(session):
    assert acquire_lease(session, "worker-a", NOW)
    release_lease(session, "worker-b")  # not the holder: nothing happens
    assert not acquire_lease(session, "worker-b", seconds(1))
    release_lease(session, "worker-a")
    assert acquire_lease(session, "worker-b", seconds(1))


def test_two_contenders_at_once_one_holder(engine, session):
    """Workers in separate connections (their own engines, as separate processes would have) race for the lease."""
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    results: dict[str, bool] = {}
    errors: list[Exception] = []

    def contend(index: int, own_engine) -> None:
        try:
            with Session(own_engine) as own, own.begin():  # a renewal is a unit of its own
                barrier.wait()
                results[f"worker-{index}"] = acquire_lease(own, f"worker-{index}", NOW)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=contend, args=(i, e)) for i, e in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own_engine in engines:
        own_engine.dispose()
    assert errors == []
    winners = [holder for holder, won in results.items() if won]
    assert len(results) == 4 and len(winners) == 1
    assert session.exec(select(SchedulerLease.holder)).one() == winners[0]


# --- the jobs ---------------------------------------------------------------------------------------------------


@pytest.fixture
def due_vehicle(app_engine, shop, session):
    """An inspection due in five days, in a database the runners reach through the app's engine."""
    return add_vehicle(session, shop.branch.id, next_inspection_date=date(2026, 12, 6))


def test_only_the_holder_runs_the_jobs_and_twice_adds_nothing(session, due_vehicle):
    first = JobRunner("worker-a", clock=lambda: NOW)
    second = JobRunner("worker-b", clock=lambda: NOW)

    assert first.renew() is True
    assert reminder_count(session) == 1, "taking the lease builds the list at once"
    assert second.build_reminders() is None and second.deliver() is None
    assert first.build_reminders() == 0, "the same day again: nothing new"
    assert first.build_reminders() == 0
    assert reminder_count(session) == 1

    first.release()
    assert second.renew() is True and second.build_reminders() == 0
    assert first.build_reminders() is None and first.holding is False


def test_the_lease_passes_on_when_its_holder_stops_renewing(session, due_vehicle):
    clock = {"now": NOW}
    first = JobRunner("worker-a", clock=lambda: clock["now"])
    second = JobRunner("worker-b", clock=lambda: clock["now"])
    assert first.renew() and not second.renew()
    clock["now"] = seconds(LEASE_SECONDS)
    assert second.renew() and second.holding
    assert first.renew() is False and first.holding is False


def test_the_holder_delivers_queued_messages(session, due_vehicle):
    customer = session.get(models.Customer, due_vehicle.customer_id)
    messaging.queue_message(session, customer=customer, message_type="inspection",
                            fields={"plate": due_vehicle.plate, "date": "2026-12-06"}, actor=None, now=NOW)
    session.commit()
    runner = JobRunner("worker-a", clock=lambda: NOW)
    assert runner.deliver() == 1
    session.expire_all()
    assert session.exec(select(models.Notification.status)).one() == NotificationStatus.SENT


def test_the_jobs_run_on_shop_time():
    runner = JobRunner("worker-a", clock=lambda: NOW)
    jobs = {job.id: job for job in scheduler.make_scheduler(runner).get_jobs()}
    assert set(jobs) == {"lease", "reminders", "deliver", "backup"}
    fire = jobs["reminders"].trigger.get_next_fire_time(None, datetime(2026, 12, 1, 7, 0, tzinfo=SHOP_TZ))
    assert fire == datetime(2026, 12, 2, 6, 30, tzinfo=SHOP_TZ)
    fire = jobs["backup"].trigger.get_next_fire_time(None, datetime(2026, 12, 1, 7, 0, tzinfo=SHOP_TZ))
    assert fire == datetime(2026, 12, 2, 2, 30, tzinfo=SHOP_TZ)
    assert jobs["lease"].trigger.interval == timedelta(seconds=scheduler.RENEW_SECONDS)
    assert jobs["deliver"].trigger.interval == timedelta(minutes=1)


def test_switched_off_it_starts_nothing(monkeypatch, session):
    monkeypatch.setenv("LANTONG_SCHEDULER", "off")
    assert scheduler.enabled() is False

    async def lifespan() -> None:
        async with scheduler.scheduler_lifespan():
            assert not [t for t in threading.enumerate() if t.name == "APScheduler"]

    asyncio.run(lifespan())
    assert session.exec(select(SchedulerLease)).all() == []
    monkeypatch.setenv("LANTONG_SCHEDULER", "on")
    assert scheduler.enabled() is True


def test_the_app_starts_the_scheduler_in_its_lifespan():
    from lantong_pwa.lantong_pwa import app

    assert scheduler.scheduler_lifespan in app.get_lifespan_tasks()


# --- the command line -------------------------------------------------------------------------------------------


def test_care_daily_builds_once_for_the_given_day(cli_db, capsys):  # noqa: F811 - the fixture
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    assert main(["care-daily", "--date", "2026-12-01"]) == 0
    assert "客户关怀提醒已更新（2026-12-01）" in capsys.readouterr().out
    assert main(["care-daily", "--date", "2026-12-01"]) == 0
    assert "新增0条" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["care-daily", "--date", "12/01/2026"])
    assert "日期格式应为 YYYY-MM-DD" in capsys.readouterr().err
