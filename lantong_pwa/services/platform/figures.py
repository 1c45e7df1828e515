"""The manager's daily figures (X6): one business day of a branch (or of every branch, for the admin), each figure
beside the same weekday a week earlier.

Every figure is aggregated in SQL (a handful of GROUP BY queries per day, however many orders there are).
Definitions (see features.md):

- Sales come from ACTIVE settlements created on the day (a reopened settlement no longer counts; its replacement
  counts on the day it is made). ``labor/parts/other`` are the settlements' gross per category after line discounts,
  all payers together; ``total_sales`` takes the order discounts off, so it equals customer + warranty + insurance +
  internal. The customer's share (``customer_sales``) is shown beside it.
- Car count 进厂台次: distinct vehicles with an order opened on the day (cancelled ones left out) or settled on it.
- ARO 单车产值 = total sales ÷ orders settled. Effective labor rate = labor sales ÷ billed hours, where billed hours
  are the hours of the settlements' labor lines. Parts gross margin = (parts sales − parts cost) ÷ parts sales.
- Collections: payments taken on the day by method; on-account payments (挂账) are not money in but new receivables.
- Technician efficiency = billed ÷ clocked hours. A technician's billed hours are the settled orders' job lines'
  hours × the technician's share (``JobAssignment.share_percent``), read from the job lines and assignments of the
  orders settled that day (the settlement's own lines carry no link back to the job line, and matching by name or
  position would break when names repeat). Clocked hours are the job clocks' time entries clipped to the day;
  a running clock counts up to now. Clock stretches are looked for among those started in the
  ``CLOCK_LOOKBACK`` before the day, so a clock forgotten for longer than that is not counted.
- Open orders (still in the workshop: open, in progress or completed, not yet settled) and the late ones among
  them (promised time passed) are counted as of now for today, as of the day's end for a past day.
- The money position (issue 17) is as of now, whatever the day: what is open of the receivable and payable items
  (the sum of ``open_amount`` by direction, advances included, read through the open items' partial index), the
  receivable items past their due date, and the money accounts' balances (active accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.parts import safety_stock
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import Permission, require, sees_all_branches
from lantong_pwa.services.platform.sql_time import earlier_of, later_of, seconds_between
from lantong_pwa.services.workshop.work_orders import OPEN_STATUSES
from lantong_pwa.timezone import local_day, local_day_bounds
from models import (
    AccountKind,
    Branch,
    Direction,
    JobAssignment,
    MoneyAccount,
    JobLine,
    OpenItem,
    Payment,
    PaymentMethod,
    Settlement,
    SettlementLine,
    SettlementLineKind,
    SettlementStatus,
    TimeEntry,
    User,
    WorkOrder,
    WorkOrderStatus,
)
from models.common import utc_now

ZERO = Decimal("0.00")
HOUR = Decimal(3600)
CLOCK_LOOKBACK = timedelta(days=14)
# Payment methods that bring money in, in the order the screen lists them; on account (挂账) is a receivable.
COLLECTION_METHODS = tuple(m for m in PaymentMethod if m is not PaymentMethod.ON_ACCOUNT)


@dataclass(frozen=True)
class TechnicianFigure:
    technician_id: int
    name: str
    billed_hours: Decimal
    clocked_hours: Decimal

    @property
    def efficiency(self) -> Decimal | None:
        """Billed ÷ clocked hours, in percent; ``None`` when nothing was clocked."""
        return _percent(self.billed_hours, self.clocked_hours)


@dataclass(frozen=True)
class DayFigures:
    day: date
    car_count: int = 0
    orders_opened: int = 0
    orders_completed: int = 0
    orders_settled: int = 0
    labor_sales: Decimal = ZERO
    parts_sales: Decimal = ZERO
    other_sales: Decimal = ZERO
    order_discounts: Decimal = ZERO
    customer_sales: Decimal = ZERO
    warranty_sales: Decimal = ZERO
    insurance_sales: Decimal = ZERO
    internal_sales: Decimal = ZERO
    parts_cost: Decimal = ZERO
    billed_hours: Decimal = ZERO
    collections: dict[PaymentMethod, Decimal] = field(default_factory=dict)  # every COLLECTION_METHODS key
    new_receivables: Decimal = ZERO
    technicians: list[TechnicianFigure] = field(default_factory=list)
    open_orders: int = 0
    late_orders: int = 0
    as_of: datetime | None = None  # the moment open and late orders were counted at

    @property
    def gross_sales(self) -> Decimal:
        return self.labor_sales + self.parts_sales + self.other_sales

    @property
    def total_sales(self) -> Decimal:
        """What the day's settlements bill, all payers, after order discounts."""
        return self.gross_sales - self.order_discounts

    @property
    def collections_total(self) -> Decimal:
        return sum(self.collections.values(), ZERO)

    @property
    def aro(self) -> Decimal | None:
        return to_fen(self.total_sales / self.orders_settled) if self.orders_settled else None

    @property
    def effective_labor_rate(self) -> Decimal | None:
        return to_fen(self.labor_sales / self.billed_hours) if self.billed_hours else None

    @property
    def parts_margin(self) -> Decimal | None:
        """Parts gross margin in percent."""
        return _percent(self.parts_sales - self.parts_cost, self.parts_sales)

    @property
    def technician_efficiency(self) -> Decimal | None:
        """The whole workshop's billed ÷ clocked hours (of the technicians listed), in percent."""
        return _percent(sum((t.billed_hours for t in self.technicians), ZERO),
                        sum((t.clocked_hours for t in self.technicians), ZERO))


@dataclass(frozen=True)
class MoneyPosition:
    """应收、应付与资金 as of now."""
    receivable: Decimal = ZERO  # open receivable items, less the advances received
    overdue_receivable: Decimal = ZERO  # the receivable items past their due date
    payable: Decimal = ZERO  # open payable items, less the advances paid
    accounts: list[tuple[str, Decimal]] = field(default_factory=list)  # (account, or kind for several branches)

    @property
    def cash_total(self) -> Decimal:
        return sum((balance for _name, balance in self.accounts), ZERO)


@dataclass(frozen=True)
class DailyFigures:
    branch_id: int | None  # None: every branch
    branch_name: str
    current: DayFigures
    week_ago: DayFigures
    low_stock: int = 0  # parts (per warehouse) below their safety stock now
    position: MoneyPosition = field(default_factory=MoneyPosition)


def money_position(session: Session, branches: list[int], now: datetime) -> MoneyPosition:
    """Receivables, payables and the accounts' balances of ``branches`` now: two grouped queries."""
    today = local_day(now)
    receivable = OpenItem.direction == Direction.RECEIVABLE
    overdue = sa.case((receivable & (OpenItem.open_amount > 0) & (OpenItem.due_on < today), OpenItem.open_amount),
                      else_=0)
    open_by_direction = {direction: (total, late) for direction, total, late in session.exec(
        select(OpenItem.direction, sa.func.sum(OpenItem.open_amount), sa.func.sum(overdue))
        # ``open_amount <> 0`` as the index says it: the covering partial index ix_open_item_position answers the
        # read alone, which grows with what is open, not with the years of history.
        .where(col(OpenItem.branch_id).in_(branches), OpenItem.open_amount != 0)
        .group_by(OpenItem.direction)).all()}
    accounts = session.exec(select(MoneyAccount.name, MoneyAccount.kind, MoneyAccount.balance)
                            .where(col(MoneyAccount.branch_id).in_(branches), MoneyAccount.is_active)
                            .order_by(MoneyAccount.branch_id, MoneyAccount.id)).all()
    if len(branches) > 1:  # every branch: one line per kind of account
        by_kind: dict[str, Decimal] = {}
        for _name, kind, balance in accounts:
            by_kind[AccountKind(kind).label] = by_kind.get(AccountKind(kind).label, ZERO) + balance
        lines = list(by_kind.items())
    else:
        lines = [(name, balance) for name, _kind, balance in accounts]
    receivable_open = open_by_direction.get(Direction.RECEIVABLE.value, (0, 0))
    return MoneyPosition(receivable=_money(receivable_open[0]), overdue_receivable=_money(receivable_open[1]),
                         payable=_money(open_by_direction.get(Direction.PAYABLE.value, (0, 0))[0]),
                         accounts=[(name, _money(balance)) for name, balance in lines])


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _hours(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _money(value) -> Decimal:
    return to_fen(Decimal(str(value or 0)))


def scope_branches(session: Session, actor: User, branch_id: int | None) -> list[int]:
    """The branches the actor asked for and may see: a manager only their own; the admin one branch, or all of them
    when ``branch_id`` is None."""
    if sees_all_branches(actor):
        if branch_id is None:
            return list(session.exec(select(Branch.id).order_by(Branch.id)).all())
        if session.get(Branch, branch_id) is None:
            raise NotFound("门店不存在")
        return [branch_id]
    if branch_id is not None and branch_id != actor.branch_id:
        raise NotFound("记录不存在或无权查看")
    return [actor.branch_id]


def _active_settlements(branches: list[int], start: datetime, end: datetime):
    return (col(Settlement.branch_id).in_(branches), Settlement.status == SettlementStatus.ACTIVE,
            Settlement.created_at >= start, Settlement.created_at < end)


def clocked_hours(session: Session, branches: list[int], start: datetime, end: datetime,
                  now: datetime | None = None) -> dict[int, Decimal]:
    """Hours on the job clocks per technician within ``[start, end)``; a running clock counts up to ``now``.
    Each stretch is clipped to the period and summed in SQL."""
    now = now or utc_now()
    stamp = TimeEntry.__table__.c.started_at.type

    def moment(value: datetime):
        return sa.literal(value, type_=stamp)

    stop = earlier_of(session, sa.func.coalesce(TimeEntry.ended_at, moment(now)), moment(end))
    begin = later_of(session, TimeEntry.started_at, moment(start))
    seconds = seconds_between(session, stop, begin)
    rows = session.exec(
        select(TimeEntry.technician_id, sa.func.sum(seconds)).where(
            col(TimeEntry.branch_id).in_(branches),
            TimeEntry.started_at < end,
            TimeEntry.started_at < now,
            TimeEntry.started_at >= start - CLOCK_LOOKBACK,
            sa.or_(col(TimeEntry.ended_at).is_(None), col(TimeEntry.ended_at) > start),
        ).group_by(TimeEntry.technician_id)
    ).all()
    return {tid: (Decimal(round(float(total))) / HOUR).quantize(Decimal("0.01"))
            for tid, total in rows if total and total > 0}


def billed_by_technician(session: Session, branches: list[int], start: datetime,
                         end: datetime) -> dict[int, tuple[int, Decimal, Decimal]]:
    """Per technician, for the orders settled in ``[start, end)``: (job lines, billed hours, labor revenue), hours
    and revenue weighted by the technician's share of each line."""
    statement = (
        select(JobAssignment.technician_id, sa.func.count(),
               sa.func.sum(JobLine.hours * JobAssignment.share_percent),
               sa.func.sum((JobLine.amount - JobLine.discount) * JobAssignment.share_percent))
        .select_from(Settlement)
        .join(JobLine, JobLine.work_order_id == Settlement.work_order_id)
        .join(JobAssignment, JobAssignment.job_line_id == JobLine.id)
        .where(*_active_settlements(branches, start, end))
        .group_by(JobAssignment.technician_id)
    )
    return {tid: (int(lines), _hours(Decimal(str(hours or 0)) / 100), _money(Decimal(str(revenue or 0)) / 100))
            for tid, lines, hours, revenue in session.exec(statement).all()}


def technician_names(session: Session, ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all())


def _day_figures(session: Session, branches: list[int], day: date, now: datetime) -> DayFigures:
    start, end = local_day_bounds(day)
    if start > now:
        return DayFigures(day=day, collections={m: ZERO for m in COLLECTION_METHODS}, as_of=start)
    at = min(end, now)
    in_branches = col(WorkOrder.branch_id).in_(branches)

    opened_today = select(WorkOrder.vehicle_id).where(
        in_branches, WorkOrder.created_at >= start, WorkOrder.created_at < end,
        WorkOrder.status != WorkOrderStatus.CANCELLED)
    settled_today = (select(WorkOrder.vehicle_id).select_from(Settlement)
                     .join(WorkOrder, WorkOrder.id == Settlement.work_order_id)
                     .where(*_active_settlements(branches, start, end)))
    cars = sa.union(opened_today, settled_today).subquery()
    car_count = select(sa.func.count()).select_from(cars).scalar_subquery()
    opened = select(sa.func.count()).select_from(opened_today.subquery()).scalar_subquery()
    completed = select(sa.func.count()).select_from(WorkOrder).where(
        in_branches, WorkOrder.completed_at >= start, WorkOrder.completed_at < end).scalar_subquery()

    billed_hours = (select(sa.func.sum(SettlementLine.hours)).select_from(Settlement)
                    .join(SettlementLine, SettlementLine.settlement_id == Settlement.id)
                    .where(*_active_settlements(branches, start, end),
                           SettlementLine.kind == SettlementLineKind.LABOR).scalar_subquery())
    totals = session.exec(
        select(sa.func.count(), sa.func.sum(Settlement.labor_total), sa.func.sum(Settlement.parts_total),
               sa.func.sum(Settlement.other_total), sa.func.sum(Settlement.order_discount),
               sa.func.sum(Settlement.customer_amount), sa.func.sum(Settlement.warranty_amount),
               sa.func.sum(Settlement.insurance_amount), sa.func.sum(Settlement.internal_amount),
               sa.func.sum(Settlement.parts_cost), billed_hours)
        .where(*_active_settlements(branches, start, end))
    ).one()

    payments = dict(session.exec(
        select(Payment.method, sa.func.sum(Payment.amount))
        .where(col(Payment.branch_id).in_(branches), Payment.created_at >= start, Payment.created_at < end)
        .group_by(Payment.method)
    ).all())

    # Open at ``at``: still open now and opened before it, or settled (or closed) since. The opening time of the
    # still-open ones is tested in the count, not the WHERE, so their lookup goes by status (a few rows).
    still_open = select(WorkOrder.created_at, WorkOrder.promised_at).where(
        in_branches, col(WorkOrder.status).in_(OPEN_STATUSES))
    open_then = select(WorkOrder.created_at, WorkOrder.promised_at).where(
        in_branches, WorkOrder.settled_at >= at, WorkOrder.created_at < at,
        col(WorkOrder.status).in_((WorkOrderStatus.SETTLED, WorkOrderStatus.CLOSED)))
    waiting = sa.union_all(still_open, open_then).subquery()
    opened_before = waiting.c.created_at < at
    # The day's counts ride along with the open ones: one round trip for all of them.
    open_orders, late_orders, car_count, opened, completed = session.exec(
        select(sa.func.sum(sa.case((opened_before, 1), else_=0)),
               sa.func.sum(sa.case((opened_before & (waiting.c.promised_at < at), 1), else_=0)),
               car_count, opened, completed)
    ).one()

    billed = billed_by_technician(session, branches, start, end)
    clocked = clocked_hours(session, branches, start, end, now)
    names = technician_names(session, billed.keys() | clocked.keys())
    technicians = sorted(
        (TechnicianFigure(technician_id=tid, name=names.get(tid, ""),
                          billed_hours=billed.get(tid, (0, ZERO, ZERO))[1], clocked_hours=clocked.get(tid, ZERO))
         for tid in billed.keys() | clocked.keys()),
        key=lambda t: (-t.billed_hours, t.name, t.technician_id))

    count, labor, parts, other, discounts, customer, warranty, insurance, internal, parts_cost, billed_hours = totals
    return DayFigures(
        day=day, car_count=car_count, orders_opened=opened, orders_completed=completed, orders_settled=count,
        labor_sales=_money(labor), parts_sales=_money(parts), other_sales=_money(other),
        order_discounts=_money(discounts), customer_sales=_money(customer), warranty_sales=_money(warranty),
        insurance_sales=_money(insurance), internal_sales=_money(internal), parts_cost=_money(parts_cost),
        billed_hours=_hours(billed_hours),
        collections={method: _money(payments.get(method.value)) for method in COLLECTION_METHODS},
        new_receivables=_money(payments.get(PaymentMethod.ON_ACCOUNT.value)),
        technicians=technicians, open_orders=int(open_orders or 0), late_orders=int(late_orders or 0), as_of=at,
    )


def daily_figures(session: Session, actor: User, day: date, branch_id: int | None = None,
                  now: datetime | None = None) -> DailyFigures:
    """The day's figures for the branch (``None``: the actor's own; for the admin, every branch), with the same
    weekday a week earlier. ``now`` is for tests: when the running clocks stop and open orders are counted."""
    require(actor, Permission.VIEW_FIGURES)
    if not isinstance(day, date):
        raise DomainError("请选择日期", field="day")
    if branch_id is None and not sees_all_branches(actor):
        branch_id = actor.branch_id
    branches = scope_branches(session, actor, branch_id)
    now = (now or utc_now()).astimezone(UTC)
    branch_name = session.get(Branch, branch_id).name if branch_id is not None else "全部门店"
    return DailyFigures(branch_id=branch_id, branch_name=branch_name,
                        current=_day_figures(session, branches, day, now),
                        week_ago=_day_figures(session, branches, day - timedelta(days=7), now),
                        low_stock=safety_stock.low_stock_count(session, branches),
                        position=money_position(session, branches, now))


@dataclass(frozen=True)
class BranchDay:
    branch_id: int
    name: str
    is_open: bool
    figures: DayFigures


def branch_comparison(session: Session, actor: User, day: date, now: datetime | None = None) -> list[BranchDay]:
    """Each branch's figures for the day, side by side (the admin: every branch that was open on the day, closed
    ones included until the day they closed; others: their own). The same queries as one branch's figures."""
    require(actor, Permission.VIEW_FIGURES)
    if not isinstance(day, date):
        raise DomainError("请选择日期", field="day")
    now = (now or utc_now()).astimezone(UTC)
    start, _end = local_day_bounds(day)
    shown = select(Branch).where(col(Branch.id).in_(scope_branches(session, actor, None)),
                                 sa.or_(col(Branch.closed_at).is_(None), Branch.closed_at >= start))
    return [BranchDay(branch_id=branch.id, name=branch.name, is_open=branch.closed_at is None,
                      figures=_day_figures(session, [branch.id], day, now))
            for branch in session.exec(shown.order_by(Branch.id)).all()]


def branch_choices(session: Session, actor: User) -> list[tuple[int, str]]:
    """The branches the actor may pick on the figures screen (the admin: all; others: their own)."""
    require(actor, Permission.VIEW_FIGURES)
    statement = select(Branch.id, Branch.name).order_by(Branch.id)
    if not sees_all_branches(actor):
        statement = statement.where(Branch.id == actor.branch_id)
    return [(branch_id, name) for branch_id, name in session.exec(statement).all()]
