"""Opening a work order at intake (R3) and reading a vehicle's earlier orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import WORK_ORDER_PREFIX, next_number
from lantong_pwa.services.platform.parsing import parse_decimal, parse_int, parse_local_datetime, to_fen, to_hundredths
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.timezone import local_day, local_input_to_utc
from models import FUEL_LEVEL_LABELS, JobLine, Part, PartLine, User, Vehicle, WorkOrder, WorkOrderStatus
from models.common import utc_now

OPEN_STATUSES = (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.COMPLETED)


@dataclass(frozen=True)
class JobLineInput:
    name: str
    hours: str = ""
    rate: str = ""
    fixed_price: str = ""


@dataclass(frozen=True)
class PartLineInput:
    part_id: int
    quantity: str = "1"
    unit_price: str = ""  # empty: the catalogue's sale price


@dataclass
class OrderForm:
    vehicle_id: int
    mileage_in: str
    fuel_level: int | str
    complaint: str
    promised_at: str = ""  # shop wall-clock time from a datetime-local input
    job_lines: list[JobLineInput] = field(default_factory=list)
    part_lines: list[PartLineInput] = field(default_factory=list)
    request_key: str | None = None


@dataclass(frozen=True)
class OrderDetail:
    order: WorkOrder
    job_lines: list[JobLine]
    part_lines: list[PartLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in [*self.job_lines, *self.part_lines]), Decimal("0.00"))


def job_line_amount(hours: Decimal, rate: Decimal | None, fixed_price: Decimal | None) -> Decimal:
    """A labour line is billed at its fixed price when it has one, otherwise hours × rate, rounded to the fen."""
    if fixed_price is not None:
        return to_fen(fixed_price)
    return to_fen(hours * (rate or Decimal("0")))


def priced_job_line(line: JobLineInput) -> dict:
    """A labour line's stored values, or ``DomainError`` naming what is wrong with it."""
    name = (line.name or "").strip()
    if not name:
        raise DomainError("维修项目缺少名称", field="job_line")
    try:
        hours = to_hundredths(parse_decimal(line.hours, "job_line", "工时", required=False, maximum=Decimal("999")))
        rate = to_hundredths(parse_decimal(line.rate, "job_line", "工时单价", required=False))
        fixed = to_hundredths(parse_decimal(line.fixed_price, "job_line", "一口价", required=False))
    except DomainError as error:
        raise DomainError(f"维修项目“{name}”：{error.message}", field="job_line") from None
    if fixed is None and (rate is None or not hours):
        raise DomainError(f"维修项目“{name}”：请填写工时和单价，或填写一口价", field="job_line")
    hours = hours or Decimal("0.00")
    return dict(name=name[:80], hours=hours, rate=rate, fixed_price=fixed, amount=job_line_amount(hours, rate, fixed))


def priced_part_line(session: Session, branch_id: int, line: PartLineInput) -> dict:
    """A parts line's stored values (name and price copied from the catalogue), or ``DomainError``."""
    part = session.get(Part, line.part_id)
    if part is None or part.branch_id != branch_id or not part.is_active:
        raise DomainError("该配件不在配件目录中", field="part_line")
    try:
        quantity = to_hundredths(parse_decimal(line.quantity, "part_line", "数量", maximum=Decimal("99999")))
        price = to_hundredths(parse_decimal(line.unit_price, "part_line", "单价", required=False))
    except DomainError as error:
        raise DomainError(f"配件“{part.name}”：{error.message}", field="part_line") from None
    if quantity <= 0:
        raise DomainError(f"配件“{part.name}”：数量应大于0", field="part_line")
    unit_price = part.sale_price if price is None else price
    return dict(part_id=part.id, part_code=part.code, part_name=part.name, unit=part.unit,
                quantity=quantity, unit_price=unit_price, amount=to_fen(quantity * unit_price))


def quote_job_line(actor: User, line: JobLineInput) -> dict:
    """Price one labour line for the intake screen, by the same rule the order uses."""
    require(actor, Permission.INTAKE)
    return priced_job_line(line)


def quote_part_line(session: Session, actor: User, line: PartLineInput) -> dict:
    """Price one parts line from the actor's branch catalogue for the intake screen."""
    require(actor, Permission.INTAKE)
    return priced_part_line(session, actor.branch_id, line)


def _order_of_request(session: Session, branch_id: int, request_key: str | None) -> WorkOrder | None:
    if not request_key:
        return None
    return session.exec(
        select(WorkOrder).where(WorkOrder.branch_id == branch_id, WorkOrder.request_key == request_key)).first()


def order_of_request(session: Session, actor: User, vehicle_id: int, request_key: str) -> WorkOrder | None:
    """The order of ``vehicle_id`` a submit with ``request_key`` already opened, if any: a draft the browser kept
    after the submit's answer was lost has been submitted, and must not pass for unsent."""
    require(actor, Permission.INTAKE)
    vehicle = row_in_branch(session, actor, Vehicle, vehicle_id, "车辆不存在")
    earlier = _order_of_request(session, vehicle.branch_id, request_key)
    return earlier if earlier is not None and earlier.vehicle_id == vehicle.id else None


@dataclass(frozen=True)
class QuotedLines:
    job_lines: list[dict]
    part_lines: list[dict]
    problems: list[str]  # one message per line left out


def quote_draft_lines(session: Session, actor: User, job_lines: list[JobLineInput],
                      part_lines: list[PartLineInput]) -> QuotedLines:
    """Price the lines of a draft the browser kept, again, by today's rules and catalogue. A line that no longer
    prices (a part withdrawn since, or an altered draft) is left out with its message; the rest come back."""
    require(actor, Permission.INTAKE)
    jobs, parts, problems = [], [], []
    for line in job_lines:
        try:
            jobs.append(priced_job_line(line))
        except DomainError as error:
            problems.append(f"草稿中的一行未恢复：{error.message}")
    for line in part_lines:
        try:
            parts.append(priced_part_line(session, actor.branch_id, line))
        except DomainError as error:
            problems.append(f"草稿中的一行未恢复：{error.message}")
    return QuotedLines(job_lines=jobs, part_lines=parts, problems=problems)


def _priced_lines(price, inputs: list, key: str, number_label: str, errors: dict[str, str]) -> list[dict]:
    lines = []
    for index, line in enumerate(inputs):
        try:
            lines.append(price(line))
        except DomainError as error:
            errors[f"{key}.{index}"] = f"第{index + 1}{number_label}：{error.message}"
    return lines


def open_work_order(session: Session, actor: User, form: OrderForm) -> WorkOrder:
    """Open a work order for a vehicle with its job and parts lines; the vehicle's mileage moves up to the reading.

    A repeated submit with the same ``request_key`` returns the order the first one created.
    """
    require(actor, Permission.INTAKE)
    vehicle = row_in_branch(session, actor, Vehicle, form.vehicle_id, "车辆不存在")
    earlier = _order_of_request(session, vehicle.branch_id, form.request_key)
    if earlier is not None:
        return earlier

    errors: dict[str, str] = {}
    mileage = None
    try:
        mileage = parse_int(form.mileage_in, "mileage_in", "进厂里程", maximum=3_000_000)
        if mileage < vehicle.mileage:
            errors["mileage_in"] = f"进厂里程不能小于上次记录的{vehicle.mileage}公里"
    except DomainError as error:
        errors["mileage_in"] = error.message
    try:
        fuel = parse_int(form.fuel_level, "fuel_level", "油量", maximum=max(FUEL_LEVEL_LABELS))
    except DomainError:
        errors["fuel_level"] = "请选择油量"
    complaint = (form.complaint or "").strip()
    if not complaint:
        errors["complaint"] = "请填写故障描述"
    elif len(complaint) > 1000:
        errors["complaint"] = "故障描述不能超过1000字"
    promised_at = None
    try:
        promised_local = parse_local_datetime(form.promised_at, "promised_at", "预计交车时间")
        if promised_local is not None:
            promised_at = local_input_to_utc(promised_local)
            if promised_at < utc_now():
                errors["promised_at"] = "预计交车时间不能早于现在"
    except DomainError as error:
        errors["promised_at"] = error.message
    job_lines = _priced_lines(priced_job_line, form.job_lines, "job_lines", "个维修项目", errors)
    part_lines = _priced_lines(lambda line: priced_part_line(session, vehicle.branch_id, line), form.part_lines,
                               "part_lines", "个配件", errors)
    if errors:
        raise FormErrors(errors)

    now = utc_now()
    order = WorkOrder(
        branch_id=vehicle.branch_id,
        number=next_number(session, vehicle.branch_id, WORK_ORDER_PREFIX, local_day(now)),
        vehicle_id=vehicle.id,
        customer_id=vehicle.customer_id,
        advisor_id=actor.id,
        mileage_in=mileage,
        fuel_level=fuel,
        complaint=complaint,
        promised_at=promised_at,
        request_key=form.request_key,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    for position, values in enumerate(job_lines):
        session.add(JobLine(branch_id=order.branch_id, work_order_id=order.id, position=position, **values))
    for position, values in enumerate(part_lines):
        session.add(PartLine(branch_id=order.branch_id, work_order_id=order.id, position=position, **values))
    vehicle.mileage = mileage
    session.add(vehicle)
    audit.record(session, actor, "work_order.open", "work_order", order.id, branch_id=order.branch_id,
                 number=order.number)
    session.flush()
    return order


def _details(session: Session, orders: list[WorkOrder]) -> list[OrderDetail]:
    """Orders with their lines, in three queries however many orders there are."""
    ids = [order.id for order in orders]
    jobs: dict[int, list[JobLine]] = {i: [] for i in ids}
    parts: dict[int, list[PartLine]] = {i: [] for i in ids}
    if ids:
        for line in session.exec(select(JobLine).where(col(JobLine.work_order_id).in_(ids)).order_by(JobLine.position)):
            jobs[line.work_order_id].append(line)
        for line in session.exec(select(PartLine).where(col(PartLine.work_order_id).in_(ids)).order_by(PartLine.position)):
            parts[line.work_order_id].append(line)
    return [OrderDetail(order=o, job_lines=jobs[o.id], part_lines=parts[o.id]) for o in orders]


def vehicle_orders(session: Session, actor: User, vehicle_id: int) -> list[OrderDetail]:
    """Every work order of the vehicle, newest first, with its job and parts lines."""
    require(actor, Permission.VIEW_VEHICLES)
    row_in_branch(session, actor, Vehicle, vehicle_id, "车辆不存在")
    orders = session.exec(
        select(WorkOrder).where(WorkOrder.vehicle_id == vehicle_id).order_by(col(WorkOrder.created_at).desc(),
                                                                             col(WorkOrder.id).desc())
    ).all()
    return _details(session, list(orders))


def open_orders(session: Session, actor: User) -> list[tuple[WorkOrder, Vehicle]]:
    """The branch's orders still in the workshop, the longest-waiting promise first."""
    require(actor, Permission.VIEW_VEHICLES)
    statement = (
        select(WorkOrder, Vehicle)
        .join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .where(col(WorkOrder.status).in_(OPEN_STATUSES), WorkOrder.branch_id == actor.branch_id)
        .order_by(col(WorkOrder.promised_at).is_(None), WorkOrder.promised_at, WorkOrder.created_at)
    )
    return list(session.exec(statement).all())


def get_order(session: Session, actor: User, order_id: int) -> OrderDetail:
    require(actor, Permission.VIEW_VEHICLES)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    return _details(session, [order])[0]

