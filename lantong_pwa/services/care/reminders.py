"""The reminder centre (客户关怀中心, R12/R13/R15): who to contact about what, and by when.

A daily job (``build_reminders``, run by the scheduler and by ``python -m lantong_pwa care-daily``) turns the
vehicles' and customers' dates into entries, one per thing due:

* annual inspection (``Vehicle.next_inspection_date``), compulsory and commercial policy end;
* maintenance by date or mileage, whichever comes first: the mileage is turned into a date from the vehicle's
  mileage history (its orders' mileage at intake over time, see ``estimate_date_for_mileage``);
* birthdays (this year's occurrence; next year's once this year's is past);
* the first service after purchase (``purchase_date`` + 6 months or 5,000 km), while the vehicle has no order yet;
* follow-ups (回访) still open on their due day.

An entry enters the list ``look_ahead_days`` before it is due and stays until it is handled or ``keep_overdue_days``
after its date (a week for birthdays). Its ``dedupe_key`` names the thing and its date, so the job adds each entry
once however often it runs, also in two processes at once. An entry whose date moved or that no longer applies
(policy renewed, vehicle serviced, follow-up answered) is dismissed; a new entry follows the new date.
"""

from __future__ import annotations

import calendar
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.care import follow_ups, messaging
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.parsing import parse_date, parse_int
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch, sees_all_branches
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    BranchStatus,
    CareReminder,
    Customer,
    FollowUp,
    FollowUpStatus,
    Notification,
    ReminderKind,
    ReminderStatus,
    User,
    Vehicle,
    WorkOrder,
)
from models.common import utc_now

RESULT_MAX = 200
SNOOZE_MAX_DAYS = 365


@dataclass(frozen=True)
class ReminderRules:
    """What enters the list and when; ``from_environment`` reads the shop's overrides."""

    look_ahead_days: int = 30
    keep_overdue_days: int = 60
    birthday_keep_days: int = 7
    first_service_months: int = 6
    first_service_km: int = 5000

    @classmethod
    def from_environment(cls) -> ReminderRules:
        """``LANTONG_CARE_LOOK_AHEAD_DAYS``, ``LANTONG_FIRST_SERVICE_MONTHS``, ``LANTONG_FIRST_SERVICE_KM``."""
        defaults = cls()
        read = lambda name, default: int(os.environ.get(name) or default)  # noqa: E731
        return cls(look_ahead_days=read("LANTONG_CARE_LOOK_AHEAD_DAYS", defaults.look_ahead_days),
                   first_service_months=read("LANTONG_FIRST_SERVICE_MONTHS", defaults.first_service_months),
                   first_service_km=read("LANTONG_FIRST_SERVICE_KM", defaults.first_service_km))


# --- urgency ----------------------------------------------------------------------------------------------------


class Band(StrEnum):
    """How soon an entry is due, most urgent first."""

    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    LATER = "later"

    @property
    def label(self) -> str:
        return {"overdue": "已逾期", "today": "今天", "week": "7天内", "month": "30天内", "later": "30天后"}[self.value]


def band_of(due_on: date, today: date) -> Band:
    """The urgency band of something due on ``due_on``, seen on ``today``."""
    days = (due_on - today).days
    if days < 0:
        return Band.OVERDUE
    if days == 0:
        return Band.TODAY
    if days <= 7:
        return Band.WEEK
    if days <= 30:
        return Band.MONTH
    return Band.LATER


def _band_condition(band: Band, today: date):
    due = col(CareReminder.due_on)
    return {
        Band.OVERDUE: due < today,
        Band.TODAY: due == today,
        Band.WEEK: and_(due > today, due <= today + timedelta(days=7)),
        Band.MONTH: and_(due > today + timedelta(days=7), due <= today + timedelta(days=30)),
        Band.LATER: due > today + timedelta(days=30),
    }[band]


# --- dates ------------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (Aug 31 + 6 → Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday_in(year: int, birthday: date) -> date:
    """The birthday's occurrence in ``year`` (29 February falls on the 28th in other years)."""
    return date(year, birthday.month, min(birthday.day, calendar.monthrange(year, birthday.month)[1]))


def estimate_date_for_mileage(readings: Iterable[tuple[date, int]], target: int) -> date | None:
    """When the odometer reaches ``target``, from dated readings: the day of the first reading at or past it, or
    the last reading's day plus the distance left at the average daily distance between the first and the last
    reading. ``None`` when the readings give no pace (fewer than two days, or no distance driven)."""
    points = sorted(readings)
    if not points:
        return None
    reached = [day for day, km in points if km >= target]
    if reached:
        return reached[0]
    (first_day, first_km), (last_day, last_km) = points[0], max(points, key=lambda p: (p[1], p[0]))
    days, driven = (last_day - first_day).days, last_km - first_km
    if days <= 0 or driven <= 0:
        return None
    return last_day + timedelta(days=math.ceil((target - last_km) * days / driven))


def mileage_readings(vehicle: Vehicle, order_readings: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """The vehicle's odometer over time: each order's mileage at intake on its day; with no order, the mileage
    recorded when it was registered; and the purchase day at 0 km when that is all there is to go on."""
    readings = list(order_readings)
    if not readings and vehicle.mileage > 0 and vehicle.created_at is not None:
        readings = [(local_day(vehicle.created_at), vehicle.mileage)]
    if vehicle.purchase_date and len({day for day, _ in readings}) < 2 and \
            all(vehicle.purchase_date < day for day, _ in readings):
        readings.insert(0, (vehicle.purchase_date, 0))
    return readings


def _km(value: int) -> str:
    return f"{value:,} 公里"


# --- building the list ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    branch_id: int
    kind: ReminderKind
    customer_id: int
    due_on: date
    detail: str
    vehicle_id: int | None = None
    follow_up_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        subject = f"f{self.follow_up_id}" if self.follow_up_id else \
            (f"v{self.vehicle_id}" if self.vehicle_id else f"c{self.customer_id}")
        return f"{self.kind.value}:{subject}:{self.due_on.isoformat()}"


def _in_window(due_on: date, today: date, rules: ReminderRules, keep: int | None = None) -> bool:
    keep = rules.keep_overdue_days if keep is None else keep
    return today - timedelta(days=keep) <= due_on <= today + timedelta(days=rules.look_ahead_days)


def _maintenance_due(readings: list[tuple[date, int]], target_km: int | None,
                     target_date: date | None) -> tuple[date, str] | None:
    """The earlier of the date and the day the mileage will be reached, and the detail saying which."""
    estimate = estimate_date_for_mileage(readings, target_km) if target_km else None
    if target_date is None and estimate is None:
        return None
    if estimate is not None and (target_date is None or estimate < target_date):
        return estimate, f"按里程预计{estimate}达到{_km(target_km)}"
    return target_date, ""


def candidates(session: Session, today: date, rules: ReminderRules = ReminderRules()) -> list[Candidate]:
    """Every entry that belongs on the list on ``today``, in all branches."""
    low, high = today - timedelta(days=rules.keep_overdue_days), today + timedelta(days=rules.look_ahead_days)
    found: list[Candidate] = []
    dated = (
        (ReminderKind.INSPECTION, Vehicle.next_inspection_date, "下次年检日期 {day}"),
        (ReminderKind.COMPULSORY_INSURANCE, Vehicle.compulsory_policy_end, "{insurer}交强险 {day} 到期"),
        (ReminderKind.COMMERCIAL_INSURANCE, Vehicle.commercial_policy_end, "{insurer}商业险 {day} 到期"),
    )
    for kind, column, text in dated:
        for vehicle in session.exec(select(Vehicle).where(col(column).between(low, high))).all():
            day = getattr(vehicle, column.key)
            found.append(Candidate(vehicle.branch_id, kind, vehicle.customer_id, day,
                                   text.format(day=day, insurer=f"{vehicle.insurer} " if vehicle.insurer else ""),
                                   vehicle_id=vehicle.id))

    serviced = list(session.exec(select(Vehicle).where(or_(
        col(Vehicle.next_service_date).is_not(None), col(Vehicle.next_service_mileage).is_not(None),
        col(Vehicle.purchase_date).is_not(None)))).all())
    history: dict[int, list[tuple[date, int]]] = {}
    for start in range(0, len(serviced), 500):
        ids = [v.id for v in serviced[start:start + 500]]
        for vehicle_id, created_at, mileage in session.exec(
                select(WorkOrder.vehicle_id, WorkOrder.created_at, WorkOrder.mileage_in)
                .where(col(WorkOrder.vehicle_id).in_(ids))).all():
            history.setdefault(vehicle_id, []).append((local_day(created_at), mileage))
    for vehicle in serviced:
        orders = history.get(vehicle.id, [])
        readings = mileage_readings(vehicle, orders)
        if vehicle.next_service_date or vehicle.next_service_mileage:
            due = _maintenance_due(readings, vehicle.next_service_mileage, vehicle.next_service_date)
            if due and _in_window(due[0], today, rules):
                plan = " / ".join(p for p in (str(vehicle.next_service_date or ""),
                                              _km(vehicle.next_service_mileage) if vehicle.next_service_mileage
                                              else "") if p)
                detail = f"下次保养 {plan}" + (f"，以先到者为准；{due[1]}" if due[1] else "")
                found.append(Candidate(vehicle.branch_id, ReminderKind.MAINTENANCE, vehicle.customer_id, due[0],
                                       detail[:120], vehicle_id=vehicle.id))
        if vehicle.purchase_date and not orders:
            by_date = add_months(vehicle.purchase_date, rules.first_service_months)
            due = _maintenance_due(readings, rules.first_service_km, by_date)
            if due and _in_window(due[0], today, rules):
                detail = f"购车 {vehicle.purchase_date}，首保 {rules.first_service_months}个月或" \
                         f"{_km(rules.first_service_km)}" + (f"；{due[1]}" if due[1] else "")
                found.append(Candidate(vehicle.branch_id, ReminderKind.FIRST_SERVICE, vehicle.customer_id, due[0],
                                       detail[:120], vehicle_id=vehicle.id))

    for customer in session.exec(select(Customer).where(col(Customer.birthday).is_not(None))).all():
        day = birthday_in(today.year, customer.birthday)
        if day < today - timedelta(days=rules.birthday_keep_days):
            day = birthday_in(today.year + 1, customer.birthday)
        if _in_window(day, today, rules, keep=rules.birthday_keep_days):
            found.append(Candidate(customer.branch_id, ReminderKind.BIRTHDAY, customer.id, day,
                                   f"生日 {day.month}月{day.day}日"))

    for follow_up, number in session.exec(
            select(FollowUp, WorkOrder.number).join(WorkOrder, WorkOrder.id == FollowUp.work_order_id)
            .where(FollowUp.status == FollowUpStatus.OPEN, col(FollowUp.due_on).between(low, high))).all():
        found.append(Candidate(follow_up.branch_id, ReminderKind.FOLLOW_UP, follow_up.customer_id,
                               follow_up.due_on, f"工单 {number} 售后回访", vehicle_id=follow_up.vehicle_id,
                               follow_up_id=follow_up.id))
    return found


def build_reminders(session: Session, today: date, rules: ReminderRules | None = None) -> int:
    """Bring the reminder centre up to date for ``today`` in every open branch; return how many entries were added.
    A closed branch has nobody to make the calls: its open entries are dismissed, and come back if it reopens.

    Adds each new entry once (a row whose key another run added meanwhile is skipped inside its own savepoint),
    brings snoozed entries back when their day has come, dismisses open entries that no longer apply and opens a
    dismissed one again if its thing is due once more. Flushes; the job's unit of work commits."""
    rules = rules or ReminderRules.from_environment()
    closed = set(session.exec(select(Branch.id).where(Branch.status == BranchStatus.CLOSED)).all())
    wanted = {(c.branch_id, c.dedupe_key): c for c in candidates(session, today, rules) if c.branch_id not in closed}
    rows = list(session.exec(select(CareReminder).where(
        col(CareReminder.status).in_([ReminderStatus.OPEN, ReminderStatus.SNOOZED]))).all())
    keys = sorted({key for _branch, key in wanted})
    for start in range(0, len(keys), 500):  # entries already handled (contacted, dismissed) keep their rows
        rows += session.exec(select(CareReminder)
                             .where(col(CareReminder.dedupe_key).in_(keys[start:start + 500]))).all()
    existing = {(r.branch_id, r.dedupe_key): r for r in rows}
    for key, row in existing.items():
        status = ReminderStatus(row.status)
        if key not in wanted and status in (ReminderStatus.OPEN, ReminderStatus.SNOOZED):
            row.status = ReminderStatus.DISMISSED
            session.add(row)
        elif key in wanted and status == ReminderStatus.DISMISSED:
            row.status = ReminderStatus.OPEN
            session.add(row)
        elif status == ReminderStatus.SNOOZED and row.snoozed_until and row.snoozed_until <= today:
            row.status = ReminderStatus.OPEN
            row.snoozed_until = None
            session.add(row)
    session.flush()
    added = 0
    for key in sorted(set(wanted) - set(existing)):  # one order everywhere: concurrent runs never deadlock
        c = wanted[key]
        try:
            with session.begin_nested():
                session.add(CareReminder(branch_id=c.branch_id, kind=c.kind, dedupe_key=c.dedupe_key,
                                         customer_id=c.customer_id, vehicle_id=c.vehicle_id,
                                         follow_up_id=c.follow_up_id, due_on=c.due_on, detail=c.detail))
            added += 1
        except IntegrityError:
            continue  # another run added this entry first
    session.flush()
    return added


# --- the screen's list ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderEntry:
    reminder: CareReminder
    customer: Customer
    vehicle: Vehicle | None
    band: Band
    notification: Notification | None  # the last message sent for it


def _open_on(today: date):
    """Open entries, and snoozed ones whose day has come (before the daily job reopens them); a follow-up answered
    or called since the morning's build is done with already."""
    still_due = select(FollowUp.id).where(FollowUp.id == CareReminder.follow_up_id,
                                          FollowUp.status == FollowUpStatus.OPEN).exists()
    return and_(or_(CareReminder.status == ReminderStatus.OPEN,
                    and_(CareReminder.status == ReminderStatus.SNOOZED, col(CareReminder.snoozed_until) <= today)),
                or_(col(CareReminder.follow_up_id).is_(None), still_due))


def _status_condition(status: ReminderStatus | None, today: date):
    if status is None:
        return True
    if status == ReminderStatus.OPEN:
        return _open_on(today)
    if status == ReminderStatus.SNOOZED:
        return and_(CareReminder.status == ReminderStatus.SNOOZED, col(CareReminder.snoozed_until) > today)
    return CareReminder.status == status


def _scoped(statement, actor: User):
    return statement if sees_all_branches(actor) else statement.where(CareReminder.branch_id == actor.branch_id)


def list_reminders(session: Session, actor: User, *, today: date, band: Band | str | None = None,
                   kind: ReminderKind | str | None = None, status: ReminderStatus | None = ReminderStatus.OPEN,
                   limit: int = 200) -> list[ReminderEntry]:
    """The actor's branch's entries, most urgent first (earliest due date), with customer, vehicle and the last
    message sent. ``band`` and ``kind`` narrow the list; an unknown value is refused."""
    require(actor, Permission.CUSTOMER_CARE)
    statement = (select(CareReminder, Customer, Vehicle)
                 .join(Customer, Customer.id == CareReminder.customer_id)
                 .join(Vehicle, Vehicle.id == CareReminder.vehicle_id, isouter=True)
                 .where(_status_condition(status, today)))
    if band:
        try:
            statement = statement.where(_band_condition(Band(band), today))
        except ValueError:
            raise DomainError("紧急程度无效", field="band") from None
    if kind:
        try:
            statement = statement.where(CareReminder.kind == ReminderKind(kind))
        except ValueError:
            raise DomainError("提醒类型无效", field="kind") from None
    rows = session.exec(_scoped(statement, actor).order_by(CareReminder.due_on, CareReminder.id).limit(limit)).all()
    ids = [r.id for r, _c, _v in rows]
    last: dict[int, Notification] = {}
    if ids:
        for note in session.exec(select(Notification).where(col(Notification.reminder_id).in_(ids))
                                 .order_by(Notification.id)).all():
            last[note.reminder_id] = note
    return [ReminderEntry(reminder=r, customer=c, vehicle=v, band=band_of(r.due_on, today),
                          notification=last.get(r.id)) for r, c, v in rows]


def band_counts(session: Session, actor: User, *, today: date) -> dict[Band, int]:
    """How many open entries fall in each band (the screen's counters)."""
    require(actor, Permission.CUSTOMER_CARE)
    counts = {band: 0 for band in Band}
    for due_on in session.exec(_scoped(select(CareReminder.due_on).where(_open_on(today)), actor)).all():
        counts[band_of(due_on, today)] += 1
    return counts


# --- handling an entry ------------------------------------------------------------------------------------------


def _actionable(session: Session, actor: User, reminder_id: int) -> CareReminder:
    require(actor, Permission.CUSTOMER_CARE)
    row_in_branch(session, actor, CareReminder, reminder_id, "提醒不存在")
    return locked(session, CareReminder, reminder_id)


def mark_contacted(session: Session, actor: User, reminder_id: int, result: str) -> CareReminder:
    """Record that the customer was contacted and what came of it. A second tap finds it done and changes nothing."""
    reminder = _actionable(session, actor, reminder_id)
    if ReminderStatus(reminder.status) == ReminderStatus.CONTACTED:
        return reminder  # nothing changes
    text = (result or "").strip()
    if not text:
        raise DomainError("请填写联系结果", field="result")
    if len(text) > RESULT_MAX:
        raise DomainError(f"联系结果不能超过{RESULT_MAX}字", field="result")
    if ReminderStatus(reminder.status) == ReminderStatus.DISMISSED:
        raise DomainError("该提醒已取消，无需联系")
    before = ReminderStatus(reminder.status).value
    reminder.status = ReminderStatus.CONTACTED
    reminder.result = text
    reminder.contacted_at = utc_now()
    reminder.contacted_by_id = actor.id
    reminder.snoozed_until = None
    session.add(reminder)
    audit.record(session, actor, "care_reminder.contacted", "care_reminder", reminder.id,
                 branch_id=reminder.branch_id, kind=ReminderKind(reminder.kind).value, before=before, result=text)
    session.flush()
    return reminder


def snooze(session: Session, actor: User, reminder_id: int, *, today: date, days: int | str | None = None,
           until: date | str | None = None) -> CareReminder:
    """Put an entry aside until a later day (``until``, or ``days`` from ``today``); it comes back on that day."""
    reminder = _actionable(session, actor, reminder_id)
    if ReminderStatus(reminder.status) not in (ReminderStatus.OPEN, ReminderStatus.SNOOZED):
        raise DomainError(f"该提醒{ReminderStatus(reminder.status).label}，不能推迟")
    if until is not None and until != "":
        day = parse_date(until, "until", "推迟到")
    else:
        day = today + timedelta(days=parse_int(days, "days", "推迟天数", minimum=1, maximum=SNOOZE_MAX_DAYS))
    if day <= today:
        raise DomainError("推迟日期应晚于今天", field="until")
    if day > today + timedelta(days=SNOOZE_MAX_DAYS):
        raise DomainError(f"最多推迟{SNOOZE_MAX_DAYS}天", field="until")
    before = (ReminderStatus(reminder.status).value, str(reminder.snoozed_until or ""))
    reminder.status = ReminderStatus.SNOOZED
    reminder.snoozed_until = day
    session.add(reminder)
    audit.record(session, actor, "care_reminder.snooze", "care_reminder", reminder.id, branch_id=reminder.branch_id,
                 before=before, until=str(day))
    session.flush()
    return reminder


def message_fields(session: Session, reminder: CareReminder) -> dict[str, str]:
    """The template fields of an entry's message (the gateway adds the shop's and the customer's name): the plate,
    the date, and for maintenance the mileage target."""
    vehicle = session.get(Vehicle, reminder.vehicle_id) if reminder.vehicle_id else None
    fields = {"date": reminder.due_on.isoformat(), "plate": vehicle.plate if vehicle else ""}
    if vehicle is not None and ReminderKind(reminder.kind) == ReminderKind.MAINTENANCE:
        fields["date"] = (vehicle.next_service_date or reminder.due_on).isoformat()
        fields["mileage"] = f"{vehicle.next_service_mileage:,}" if vehicle.next_service_mileage else ""
    return fields


def send_reminder(session: Session, actor: User, reminder_id: int, request_key: str) -> Notification:
    """Send the customer the message for this entry through the gateway (the follow-up link for a follow-up);
    both record who sent what. A resend with the same ``request_key`` returns the first message."""
    require(actor, Permission.CUSTOMER_CARE)
    reminder = row_in_branch(session, actor, CareReminder, reminder_id, "提醒不存在")
    if ReminderStatus(reminder.status) == ReminderStatus.DISMISSED:
        raise DomainError("该提醒已取消，无需发送")
    if ReminderKind(reminder.kind) == ReminderKind.FOLLOW_UP:
        return follow_ups.send_link(session, actor, reminder.follow_up_id, request_key)
    if not (request_key or "").strip():
        raise DomainError("请求无效，请刷新页面后重试")
    notification = messaging.queue_message(
        session, customer=session.get(Customer, reminder.customer_id), message_type=ReminderKind(reminder.kind).value,
        fields=message_fields(session, reminder), actor=actor, reminder_id=reminder.id, request_key=request_key)
    return notification


# --- set at settlement ------------------------------------------------------------------------------------------


def set_next_service(session: Session, actor: User, vehicle: Vehicle, *, next_date: str | date | None,
                     next_mileage: str | int | None, today: date, current_mileage: int = 0) -> dict:
    """Store when the vehicle's next maintenance is due (date and/or mileage, both optional; either replaces the
    whole earlier plan): the date must be after ``today``, the mileage above the vehicle's current mileage.
    Raises ``FormErrors`` naming the field; audits what changed and returns it. Does not commit (it is part of the
    caller's step)."""
    errors: dict[str, str] = {}
    values: dict = {}
    current = max(vehicle.mileage, current_mileage)
    try:
        values["next_service_date"] = parse_date(next_date, "next_service_date", "下次保养日期")
        if values["next_service_date"] is not None and values["next_service_date"] <= today:
            errors["next_service_date"] = "下次保养日期应晚于今天"
        elif values["next_service_date"] is not None and values["next_service_date"] > add_months(today, 60):
            errors["next_service_date"] = "下次保养日期不能超过5年后"
    except DomainError as error:
        errors["next_service_date"] = error.message
    try:
        values["next_service_mileage"] = parse_int(next_mileage, "next_service_mileage", "下次保养里程",
                                                   maximum=3_000_000, required=False)
        if values["next_service_mileage"] is not None and values["next_service_mileage"] <= current:
            errors["next_service_mileage"] = f"下次保养里程应大于当前里程{current:,}公里"
    except DomainError as error:
        errors["next_service_mileage"] = error.message
    if errors:
        raise FormErrors(errors)
    if all(value is None for value in values.values()):
        return {}  # nothing planned: the earlier plan stands
    changed = {}
    for field, value in values.items():  # a new plan replaces both targets of the old one
        if getattr(vehicle, field) != value:
            changed[field] = [getattr(vehicle, field), value]
            setattr(vehicle, field, value)
    if changed:
        session.add(vehicle)
        audit.record(session, actor, "vehicle.next_service", "vehicle", vehicle.id, branch_id=vehicle.branch_id,
                     changes=changed)
    return changed

