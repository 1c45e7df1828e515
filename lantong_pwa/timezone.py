"""The shop's clock: UTC in the database, Asia/Shanghai on screen and for business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHOP_TZ = ZoneInfo("Asia/Shanghai")


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive UTC when read outside the ORM type
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHOP_TZ)


def local_day(moment: datetime) -> date:
    return to_local(moment).date()


def format_local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(moment).strftime(pattern) if moment else ""


def local_input_to_utc(value: datetime) -> datetime:
    """A wall-clock time typed in the shop (naive) as an aware UTC instant."""
    return value.replace(tzinfo=SHOP_TZ).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The shop's business day ``day`` (midnight to midnight, Asia/Shanghai) as a half-open UTC range."""
    start = datetime.combine(day, time(), tzinfo=SHOP_TZ).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=SHOP_TZ).astimezone(UTC)
    return start, end
