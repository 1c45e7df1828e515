"""Queries and statistics (R14): find work orders, a technician performance report, and Excel exports of both.

The screens and the export routes call the same functions, so a download holds exactly what the screen shows.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform.figures import (
    ZERO,
    billed_by_technician,
    clocked_hours,
    scope_branches,
    technician_names,
)
from lantong_pwa.services.platform.parsing import parse_date, parse_int, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, sees_all_branches
from lantong_pwa.services.platform.validation import contains, plate_query, search_text
from lantong_pwa.timezone import format_local, local_day_bounds
from models import (
    Customer,
    JobAssignment,
    JobLine,
    PartLine,
    Role,
    Settlement,
    SettlementStatus,
    User,
    Vehicle,
    WorkOrder,
    WorkOrderStatus,
)

SEARCH_LIMIT = 50
EXPORT_LIMIT = 5000
MAX_REPORT_DAYS = 366


@dataclass(frozen=True)
class OrderHit:
    order: WorkOrder
    plate: str
    vehicle_title: str
    customer_name: str
    amount: Decimal  # the active settlement's total (all payers, after discounts), or the planned lines' total
    settled: bool


@dataclass(frozen=True)
class TechnicianRow:
    technician_id: int
    name: str
    lines: int
    billed_hours: Decimal
    clocked_hours: Decimal
    labor_revenue: Decimal

    @property
    def efficiency(self) -> Decimal | None:
        return (self.billed_hours * 100 / self.clocked_hours).quantize(Decimal("0.1")) if self.clocked_hours else None


def date_range(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """Shop days ``date_from``..``date_to`` (both included) as a UTC range; a missing end leaves that side open."""
    if date_from and date_to and date_from > date_to:
        raise DomainError("开始日期不能晚于结束日期", field="date_from")
    return (local_day_bounds(date_from)[0] if date_from else None,
            local_day_bounds(date_to)[1] if date_to else None)


def report_range(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    """A report's period: both days needed, at most ``MAX_REPORT_DAYS`` long."""
    if date_from is None or date_to is None:
        raise DomainError("请选择开始和结束日期", field="date_from" if date_from is None else "date_to")
    if (date_to - date_from).days >= MAX_REPORT_DAYS:
        raise DomainError(f"统计区间不能超过{MAX_REPORT_DAYS}天", field="date_to")
    start, end = date_range(date_from, date_to)
    return start, end


def order_filters(params: Mapping[str, str]) -> dict:
    """``search_orders`` keyword arguments from a form or a query string (``number``, ``plate``, ``from``, ``to``,
    ``status``, ``technician``, ``part``); ``DomainError`` for a malformed date or technician."""
    return dict(number=params.get("number") or "", plate_fragment=params.get("plate") or "",
                date_from=parse_date(params.get("from"), "date_from", "开始日期"),
                date_to=parse_date(params.get("to"), "date_to", "结束日期"),
                status=params.get("status") or "",
                technician_id=parse_int(params.get("technician") or None, "technician", "技师", required=False),
                part_code_or_name=params.get("part") or "")


def report_dates(params: Mapping[str, str]) -> tuple[date | None, date | None]:
    """The technician report's ``from``/``to`` shop days from a form or a query string."""
    return (parse_date(params.get("from"), "date_from", "开始日期"),
            parse_date(params.get("to"), "date_to", "结束日期"))


def search_orders(session: Session, actor: User, *, number: str = "", plate_fragment: str = "",
                  date_from: date | None = None, date_to: date | None = None, status: str = "",
                  technician_id: int | None = None, part_code_or_name: str = "",
                  limit: int = SEARCH_LIMIT) -> list[OrderHit]:
    """Work orders matching every filter given, newest first; the actor's branch (the admin: every branch).

    ``number`` and ``plate_fragment`` match anywhere in the number / plate (the last 3–4 plate characters are
    enough); ``date_from``/``date_to`` are shop days of opening; ``technician_id`` finds orders with a line assigned
    to that technician; ``part_code_or_name`` finds orders with a parts line whose code or name contains it.
    """
    require(actor, Permission.VIEW_REPORTS)
    statement = (
        select(WorkOrder, Vehicle.plate, Vehicle.make, Vehicle.model, Customer.name)
        .join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .join(Customer, Customer.id == WorkOrder.customer_id)
    )
    plate = plate_query(search_text(plate_fragment, "plate"))
    if plate:
        # Orders are in their vehicle's branch; scoping by the vehicle lets the few vehicles whose plate matches
        # lead to their orders, instead of every order of the branch being walked.
        statement = statement.where(contains(Vehicle.plate, plate))
        if not sees_all_branches(actor):
            statement = statement.where(Vehicle.branch_id == actor.branch_id)
    elif not sees_all_branches(actor):
        statement = statement.where(WorkOrder.branch_id == actor.branch_id)
    if number := search_text(number, "number").upper():
        statement = statement.where(contains(WorkOrder.number, number))
    opened_from, opened_until = date_range(date_from, date_to)
    if opened_from is not None:
        statement = statement.where(WorkOrder.created_at >= opened_from)
    if opened_until is not None:
        statement = statement.where(WorkOrder.created_at < opened_until)
    if status:
        try:
            statement = statement.where(WorkOrder.status == WorkOrderStatus(status))
        except ValueError:
            raise DomainError("工单状态不正确", field="status") from None
    if technician_id:
        assigned = (select(JobLine.work_order_id).join(JobAssignment, JobAssignment.job_line_id == JobLine.id)
                    .where(JobAssignment.technician_id == technician_id))
        statement = statement.where(col(WorkOrder.id).in_(assigned))
    if part := search_text(part_code_or_name, "part"):
        with_part = select(PartLine.work_order_id).where(sa.or_(contains(PartLine.part_code, part.upper()),
                                                                contains(PartLine.part_name, part)))
        statement = statement.where(col(WorkOrder.id).in_(with_part))
    limit = max(1, min(int(limit), EXPORT_LIMIT))
    rows = session.exec(statement.order_by(col(WorkOrder.created_at).desc(), col(WorkOrder.id).desc())
                        .limit(limit)).all()
    return _with_amounts(session, rows)


def _with_amounts(session: Session, rows) -> list[OrderHit]:
    ids = [order.id for order, *_ in rows]
    settled: dict[int, Decimal] = {}
    planned: dict[int, Decimal] = {}
    if ids:
        # The status is checked here rather than in SQL, so the lookup goes by order id (not by status).
        settled = {order_id: gross - discount for order_id, status, gross, discount in session.exec(
            select(Settlement.work_order_id, Settlement.status, Settlement.gross, Settlement.order_discount)
            .where(col(Settlement.work_order_id).in_(ids))).all() if status == SettlementStatus.ACTIVE}
        for model in (JobLine, PartLine):
            for order_id, amount in session.exec(
                    select(model.work_order_id, sa.func.sum(model.amount))
                    .where(col(model.work_order_id).in_(ids)).group_by(model.work_order_id)).all():
                planned[order_id] = planned.get(order_id, ZERO) + to_fen(Decimal(str(amount or 0)))
    return [
        OrderHit(order=order, plate=plate, vehicle_title=" ".join(p for p in (make, model) if p),
                 customer_name=customer, amount=to_fen(settled.get(order.id, planned.get(order.id, ZERO))),
                 settled=order.id in settled)
        for order, plate, make, model, customer in rows
    ]


def technician_performance(session: Session, actor: User, date_from: date | None, date_to: date | None,
                           branch_id: int | None = None, now: datetime | None = None) -> list[TechnicianRow]:
    """Per technician over shop days ``date_from``..``date_to``: job lines and billed hours of the orders settled
    then (share-weighted), hours clocked then, and the share-weighted labor revenue (after line discounts).
    Scoped like the daily figures: a manager's own branch; the admin one branch or (``None``) all. ``now`` (for
    tests) is where running clocks stop."""
    require(actor, Permission.VIEW_FIGURES)
    start, end = report_range(date_from, date_to)
    if branch_id is None and not sees_all_branches(actor):
        branch_id = actor.branch_id
    branches = scope_branches(session, actor, branch_id)
    billed = billed_by_technician(session, branches, start, end)
    clocked = clocked_hours(session, branches, start, end, now)
    names = technician_names(session, billed.keys() | clocked.keys())
    rows = [
        TechnicianRow(technician_id=tid, name=names.get(tid, ""), lines=billed.get(tid, (0, ZERO, ZERO))[0],
                      billed_hours=billed.get(tid, (0, ZERO, ZERO))[1], clocked_hours=clocked.get(tid, ZERO),
                      labor_revenue=billed.get(tid, (0, ZERO, ZERO))[2])
        for tid in billed.keys() | clocked.keys()
    ]
    return sorted(rows, key=lambda row: (-row.labor_revenue, -row.billed_hours, row.name, row.technician_id))


def technicians(session: Session, actor: User) -> list[tuple[int, str]]:
    """The technicians the order search can filter by (the actor's branch; the admin: all)."""
    require(actor, Permission.VIEW_REPORTS)
    statement = select(User.id, User.display_name).where(User.role == Role.TECHNICIAN).order_by(User.display_name)
    if not sees_all_branches(actor):
        statement = statement.where(User.branch_id == actor.branch_id)
    return [(user_id, name) for user_id, name in session.exec(statement).all()]


# --- tables for the screen and the export ----------------------------------------------------------------------

ORDER_HEADERS = ("工单号", "开单时间", "车牌", "车型", "客户", "状态", "金额（元）", "已结算")
TECHNICIAN_HEADERS = ("技师", "项目数", "结算工时", "打卡工时", "效率（%）", "工时产值（元）")


def order_table(hits: list[OrderHit]) -> list[list]:
    return [[hit.order.number, format_local(hit.order.created_at), hit.plate, hit.vehicle_title, hit.customer_name,
             WorkOrderStatus(hit.order.status).label, hit.amount, "是" if hit.settled else "否"] for hit in hits]


def technician_table(rows: list[TechnicianRow]) -> list[list]:
    return [[row.name, row.lines, row.billed_hours, row.clocked_hours,
             row.efficiency if row.efficiency is not None else "", row.labor_revenue] for row in rows]


def export_xlsx(rows: list[list], headers: tuple[str, ...] | list[str], title: str) -> bytes:
    """One worksheet named ``title``: a bold header row, then ``rows``; numbers stay numbers (money with two
    decimals), so the spreadsheet can sum them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(len(str(h)) * 2, 8) for h in headers]
    for row in rows:
        sheet.append(list(row))
        for index, value in enumerate(row):
            widths[index] = min(max(widths[index], len(str(value)) + 2), 40)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = "0.00"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def default_report_range(today: date) -> tuple[date, date]:
    """This month so far: the report screen's starting range."""
    return today.replace(day=1), today

