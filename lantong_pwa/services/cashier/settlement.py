"""Settlement (R8): what a completed order costs and who pays what, frozen into a settlement snapshot (结算单).

Money rules, in the order they apply:

* A line's amount is rounded to the fen once: labour at its stored amount (hours × rate, or the fixed price), a
  parts line at (picked − returned) × its unit price, a fee at its amount. Line net = amount − line discount
  (both in fen, so exact).
* Per payer, the nets add up: customer (自费), warranty (三包), insurance (保险), internal (内部).
  gross = the sum of all nets. The order discount comes off the customer's share only, and may not exceed it.
* customer + warranty + insurance + internal + order discount = gross, with nothing negative.
* Prices include VAT: vat = customer amount × rate / (100 + rate), rounded to the fen once.

The snapshot copies every line, so later price edits do not change a settlement. Its insurers' and manufacturers'
shares become their receivable open items in the same transaction (finance/receivables.py). A manager may reopen one
(audited) while no payment has been taken against it and none of its shares was collected; its items are then taken
back by reversal items; once money has been received it stays as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.care import follow_ups, reminders
from lantong_pwa.services.finance import allocation, invoices, receivables
from lantong_pwa.services.parts.stock import ISSUED_TO_ORDERS
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop import order_actions, order_status
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, require_branch, row_in_branch
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    Customer,
    Direction,
    FeeType,
    FollowUp,
    JobLine,
    OrderFee,
    PartLine,
    Payer,
    Payment,
    Settlement,
    SettlementLine,
    SettlementLineKind,
    SettlementStatus,
    StockMove,
    StockMoveKind,
    User,
    Vehicle,
    WorkOrder,
    WorkOrderStatus,
)
from models.common import utc_now

SETTLEMENT_PREFIX = "JS"
ZERO = Decimal("0.00")
DEFAULT_VAT_RATE = Decimal("13.00")
PARTY_MAX = 48
REASON_MAX = 200
Kind = SettlementLineKind
# The kinds of line a person edits terms on, as the screens name them.
LINE_MODELS = {"job": JobLine, "part": PartLine, "fee": OrderFee}


# --- the arithmetic (pure: the property tests drive it directly) ------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """One billable line before it is frozen: what it is, what it costs, who pays."""

    kind: SettlementLineKind
    description: str
    amount: Decimal  # in fen
    discount: Decimal = ZERO
    payer: Payer = Payer.CUSTOMER
    payer_party: str = ""
    quantity: Decimal = Decimal("1.00")
    unit_price: Decimal = ZERO
    cost: Decimal = ZERO
    hours: Decimal = ZERO
    source: str = ""  # "job:12", "part:3", "fee:5": the line it came from, for the screens

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount


@dataclass(frozen=True)
class Figures:
    charges: tuple[Charge, ...]
    labor_total: Decimal
    parts_total: Decimal
    other_total: Decimal
    gross: Decimal
    by_payer: dict[Payer, Decimal]  # nets per payer, before the order discount
    order_discount: Decimal
    customer_amount: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    parts_cost: Decimal
    billed_hours: Decimal
    problems: tuple[str, ...] = field(default=())  # why it cannot be settled as it stands

    @property
    def warranty_amount(self) -> Decimal:
        return self.by_payer[Payer.WARRANTY]

    @property
    def insurance_amount(self) -> Decimal:
        return self.by_payer[Payer.INSURANCE]

    @property
    def internal_amount(self) -> Decimal:
        return self.by_payer[Payer.INTERNAL]


def charge_problem(charge: Charge) -> str | None:
    """What is wrong with one line's terms, or ``None``."""
    payer = Payer(charge.payer)
    if charge.amount < 0 or charge.discount < 0:
        return f"“{charge.description}”：金额和折扣不能为负数"
    if charge.discount > charge.amount:
        return f"“{charge.description}”：折扣{charge.discount}元不能超过金额{charge.amount}元"
    if payer in (Payer.WARRANTY, Payer.INSURANCE) and not charge.payer_party.strip():
        who = "厂家" if payer == Payer.WARRANTY else "保险公司"
        return f"“{charge.description}”：{payer.label}项目须填写{who}名称"
    return None


def vat_inside(amount: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in a tax-inclusive amount, to the fen."""
    return to_fen(amount * rate / (Decimal(100) + rate))


def compute(charges: Iterable[Charge], order_discount: Decimal, vat_rate: Decimal) -> Figures:
    charges = tuple(charges)
    problems = [p for p in (charge_problem(c) for c in charges) if p]
    by_payer = {payer: ZERO for payer in Payer}
    totals = {kind: ZERO for kind in SettlementLineKind}
    for charge in charges:
        by_payer[Payer(charge.payer)] += charge.net
        totals[SettlementLineKind(charge.kind)] += charge.net
    gross = sum(totals.values(), ZERO)
    order_discount = to_fen(order_discount)
    if order_discount < 0:
        problems.append("整单优惠不能为负数")
    elif order_discount > by_payer[Payer.CUSTOMER]:
        problems.append(f"整单优惠{order_discount}元不能超过自费部分{by_payer[Payer.CUSTOMER]}元")
    customer_amount = by_payer[Payer.CUSTOMER] - order_discount
    return Figures(
        charges=charges,
        labor_total=totals[Kind.LABOR],
        parts_total=totals[Kind.PART],
        other_total=totals[Kind.FEE],
        gross=gross,
        by_payer=by_payer,
        order_discount=order_discount,
        customer_amount=customer_amount,
        vat_rate=vat_rate,
        vat_amount=vat_inside(max(customer_amount, ZERO), vat_rate),
        parts_cost=sum((c.cost for c in charges if c.kind == Kind.PART), ZERO),
        billed_hours=sum((c.hours for c in charges if c.kind == Kind.LABOR), ZERO),
        problems=tuple(problems),
    )


# --- reading an order's lines as charges ------------------------------------------------------------------------


def used_quantity(line: PartLine) -> Decimal:
    return (line.picked_quantity or ZERO) - (line.returned_quantity or ZERO)


def part_amount(line: PartLine) -> Decimal:
    return to_fen(used_quantity(line) * line.unit_price)


def _parts_costs(session: Session, part_line_ids: Sequence[int]) -> dict[int, Decimal]:
    """Cost of what each parts line used, from its picks and returns on the stock ledger."""
    if not part_line_ids:
        return {}
    rows = session.exec(
        select(StockMove.part_line_id, StockMove.quantity, StockMove.unit_cost)
        .where(col(StockMove.part_line_id).in_(part_line_ids),
               col(StockMove.kind).in_([*ISSUED_TO_ORDERS, StockMoveKind.RETURN]))
    ).all()
    costs: dict[int, Decimal] = {}
    for line_id, quantity, unit_cost in rows:
        costs[line_id] = costs.get(line_id, Decimal(0)) - Decimal(quantity) * Decimal(unit_cost)
    return {line_id: to_fen(cost) for line_id, cost in costs.items()}


@dataclass(frozen=True)
class OrderLines:
    jobs: list[JobLine]
    parts: list[PartLine]
    fees: list[OrderFee]


def order_lines(session: Session, order_id: int) -> OrderLines:
    return OrderLines(
        jobs=list(session.exec(select(JobLine).where(JobLine.work_order_id == order_id)
                               .order_by(JobLine.position, JobLine.id)).all()),
        parts=list(session.exec(select(PartLine).where(PartLine.work_order_id == order_id)
                                .order_by(PartLine.position, PartLine.id)).all()),
        fees=list(session.exec(select(OrderFee).where(OrderFee.work_order_id == order_id)
                               .order_by(OrderFee.id)).all()),
    )


def charges_of(session: Session, lines: OrderLines) -> list[Charge]:
    """The order's billable lines. Parts lines with nothing used and no discount are left out (not fitted)."""
    costs = _parts_costs(session, [line.id for line in lines.parts])
    charges = []
    for line in lines.jobs:
        fixed = line.fixed_price is not None
        charges.append(Charge(
            kind=Kind.LABOR, description=line.name, amount=to_fen(line.amount), discount=line.discount,
            payer=Payer(line.payer), payer_party=line.payer_party,
            quantity=Decimal("1.00") if fixed else line.hours,
            unit_price=line.fixed_price if fixed else (line.rate or ZERO), hours=line.hours, source=f"job:{line.id}"))
    for line in lines.parts:
        used = used_quantity(line)
        if used == 0 and not line.discount:
            continue
        charges.append(Charge(
            kind=Kind.PART, description=f"{line.part_name}（{line.part_code}）", amount=part_amount(line),
            discount=line.discount, payer=Payer(line.payer), payer_party=line.payer_party, quantity=used,
            unit_price=line.unit_price, cost=costs.get(line.id, ZERO), source=f"part:{line.id}"))
    for fee in lines.fees:
        charges.append(Charge(
            kind=Kind.FEE, description=fee.name, amount=fee.amount, discount=fee.discount, payer=Payer(fee.payer),
            payer_party=fee.payer_party, unit_price=fee.amount, source=f"fee:{fee.id}"))
    return charges


def branch_vat_rate(session: Session, branch_id: int) -> Decimal:
    branch = session.get(Branch, branch_id)
    return branch.vat_rate if branch is not None and branch.vat_rate is not None else DEFAULT_VAT_RATE


def order_figures(session: Session, order: WorkOrder) -> Figures:
    charges = charges_of(session, order_lines(session, order.id))
    return compute(charges, order.discount or ZERO, branch_vat_rate(session, order.branch_id))


def preview(session: Session, actor: User, order_id: int, terms: Terms | None = None) -> Figures:
    """The totals the order would settle at now, or with the ``terms`` on the screen (the live preview)."""
    require(actor, Permission.SETTLE)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    figures = order_figures(session, order)
    return figures if terms is None else _with_terms(figures, terms, figures.vat_rate)


# --- terms set before settling ----------------------------------------------------------------------------------


def _editable_order(session: Session, actor: User, order_id: int) -> WorkOrder:
    """The order, held workable for the rest of the request (a settlement cannot freeze it mid-edit)."""
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    order_actions.require_action(session, actor, order, Action.EDIT_TERMS)
    return order_status.guard_workable(session, order, "修改结算信息")


def _parse_money(text, field_name: str, label: str) -> Decimal:
    return to_fen(parse_decimal(text, field_name, label, required=False) or ZERO)


@dataclass(frozen=True)
class LineTerms:
    """Who pays one job, parts or fee line, the manufacturer or insurer named, and its discount, as typed."""

    kind: str  # "job", "part", "fee"
    line_id: int
    payer: str
    payer_party: str = ""
    discount: str = "0"

    @property
    def source(self) -> str:
        return f"{self.kind}:{self.line_id}"


@dataclass(frozen=True)
class Terms:
    """Everything the settle page lets a person set before 结算: each line's terms and the order discount
    (``None``: leave it as stored). 结算 sends them all, so nothing set on the screen is left behind."""

    lines: tuple[LineTerms, ...] = ()
    order_discount: str | None = None


def _typed(terms: LineTerms, charge: Charge) -> tuple[Charge, list[str]]:
    """``charge`` with the typed terms; what cannot be read is left as it was and named."""
    problems = []
    try:
        payer = Payer(terms.payer)
    except ValueError:
        problems.append(f"“{charge.description}”：请选择付款方")
        payer = Payer(charge.payer)
    party = (terms.payer_party or "").strip() if payer in (Payer.WARRANTY, Payer.INSURANCE) else ""
    if len(party) > PARTY_MAX:
        problems.append(f"“{charge.description}”：厂家或保险公司名称不能超过{PARTY_MAX}字")
    try:
        discount = _parse_money(terms.discount, terms.source, f"“{charge.description}”的折扣")
    except DomainError as error:
        problems.append(error.message)
        discount = charge.discount
    return dataclasses.replace(charge, payer=payer, payer_party=party, discount=discount), problems


def _checked(terms: LineTerms, description: str, amount: Decimal) -> Charge:
    """The line's terms as a charge, refused with the reason when they break a rule."""
    charge, problems = _typed(terms, Charge(kind=Kind.LABOR, description=description, amount=amount,
                                            source=terms.source))
    problem = problems[0] if problems else charge_problem(charge)
    if problem:
        raise DomainError(problem, field=terms.source)
    return charge


def _set_line_terms(session: Session, actor: User, line: JobLine | PartLine | OrderFee, terms: LineTerms) -> None:
    amount = part_amount(line) if isinstance(line, PartLine) else to_fen(line.amount)
    description = line.part_name if isinstance(line, PartLine) else line.name
    charge = _checked(terms, description, amount)
    before = dict(payer=Payer(line.payer).value, payer_party=line.payer_party, discount=str(line.discount))
    after = dict(payer=Payer(charge.payer).value, payer_party=charge.payer_party, discount=str(charge.discount))
    if before == after:
        return
    line.payer, line.payer_party, line.discount = charge.payer, charge.payer_party, charge.discount
    session.add(line)
    audit.record(session, actor, "settlement.line_terms", type(line).__tablename__, line.id,
                 branch_id=line.branch_id, before=before, after=after)


def _set_order_discount(session: Session, actor: User, order: WorkOrder, discount: str) -> None:
    value = _parse_money(discount, "order_discount", "整单优惠")
    customer_share = compute(charges_of(session, order_lines(session, order.id)), value,
                             DEFAULT_VAT_RATE).by_payer[Payer.CUSTOMER]
    if value > customer_share:
        raise DomainError(f"整单优惠不能超过自费部分{customer_share}元", field="order_discount")
    if value == order.discount:
        return
    before = order.discount
    order.discount = value
    session.add(order)
    audit.record(session, actor, "settlement.order_discount", "work_order", order.id, branch_id=order.branch_id,
                 before=str(before), after=str(value))


def _line_of(session: Session, actor: User, kind: str, line_id: int) -> JobLine | PartLine | OrderFee:
    model = LINE_MODELS.get(kind)
    if model is None:
        raise NotFound("项目不存在")
    return row_in_branch(session, actor, model, line_id, "项目不存在")


def _apply_terms(session: Session, actor: User, order: WorkOrder, terms: Terms) -> None:
    """Every line's terms, then the order discount (checked against the customer share they leave)."""
    for line_terms in terms.lines:
        line = _line_of(session, actor, line_terms.kind, line_terms.line_id)
        if line.work_order_id != order.id:
            raise NotFound("项目不存在")
        _set_line_terms(session, actor, line, line_terms)
    if terms.order_discount is not None:
        session.flush()
        _set_order_discount(session, actor, order, terms.order_discount)


def save_terms(session: Session, actor: User, order_id: int, terms: Terms) -> WorkOrder:
    """Keep the terms set on the settle page of an order not ready to settle yet (all of them, or none)."""
    require(actor, Permission.SETTLE)
    order = _editable_order(session, actor, order_id)
    _apply_terms(session, actor, order, terms)
    session.flush()
    return order


def _with_terms(figures: Figures, terms: Terms, vat_rate: Decimal) -> Figures:
    """The figures as they would be with ``terms`` (nothing is written); a term that breaks a rule is named among
    the problems."""
    chosen = {t.source: t for t in terms.lines}
    charges, problems = [], []
    for charge in figures.charges:
        typed = chosen.get(charge.source)
        if typed is not None:
            charge, unread = _typed(typed, charge)
            problems.extend(unread)
        charges.append(charge)
    discount = figures.order_discount
    if terms.order_discount is not None:
        try:
            discount = _parse_money(terms.order_discount, "order_discount", "整单优惠")
        except DomainError as error:
            problems.append(error.message)
    shown = compute(charges, discount, vat_rate)
    return dataclasses.replace(shown, problems=(*problems, *shown.problems))


def fee_types(session: Session, actor: User) -> list[FeeType]:
    """The branch's active kinds of other fee (外加工, 材料费, 管理费 …)."""
    require(actor, Permission.SETTLE)
    return list(session.exec(select(FeeType).where(FeeType.branch_id == actor.branch_id, FeeType.is_active)
                             .order_by(FeeType.id)).all())


def add_fee(session: Session, actor: User, order_id: int, fee_type_id: int, amount: str = "") -> OrderFee:
    """Add an other fee to the order; an empty amount takes the fee type's default."""
    require(actor, Permission.SETTLE)
    order = _editable_order(session, actor, order_id)
    fee_type = session.get(FeeType, fee_type_id)
    if fee_type is None or fee_type.branch_id != order.branch_id or not fee_type.is_active:
        raise DomainError("请选择费用类型", field="fee_type")
    value = parse_decimal(amount, "fee_amount", "费用金额", required=False)
    value = fee_type.default_amount if value is None else to_fen(value)
    if value <= 0:
        raise DomainError("费用金额应大于0", field="fee_amount")
    fee = OrderFee(branch_id=order.branch_id, work_order_id=order.id, fee_type_id=fee_type.id, name=fee_type.name,
                   amount=value)
    session.add(fee)
    session.flush()
    audit.record(session, actor, "settlement.fee_add", "order_fee", fee.id, branch_id=order.branch_id,
                 work_order_id=order.id, name=fee.name, amount=str(value))
    session.flush()
    return fee


def remove_fee(session: Session, actor: User, fee_id: int) -> None:
    require(actor, Permission.SETTLE)
    fee = row_in_branch(session, actor, OrderFee, fee_id, "费用不存在")
    order = _editable_order(session, actor, fee.work_order_id)
    audit.record(session, actor, "settlement.fee_remove", "order_fee", fee.id, branch_id=order.branch_id,
                 work_order_id=order.id, name=fee.name, amount=str(fee.amount))
    session.delete(fee)
    session.flush()


# --- settling and reopening -------------------------------------------------------------------------------------


def active_settlement(session: Session, order_id: int) -> Settlement | None:
    return session.exec(select(Settlement).where(Settlement.work_order_id == order_id,
                                                 Settlement.status == SettlementStatus.ACTIVE)).first()


def paid_total(session: Session, settlement_id: int) -> Decimal:
    total = session.exec(select(func.sum(Payment.amount)).where(Payment.settlement_id == settlement_id)).one()
    return to_fen(Decimal(total or 0))


def settle(session: Session, actor: User, order_id: int, *, terms: Terms | None = None,
           next_service_date: str | date | None = None, next_service_mileage: str | int | None = None) -> Settlement:
    """Freeze a completed order's charges into a settlement, with the ``terms`` set on the screen applied first in
    the same transaction; the order becomes settled (or closed at once when the customer owes nothing, e.g. an
    all-warranty job). The next maintenance (date and/or mileage, optional) is stored on the vehicle for the
    reminder centre; a wrong one refuses the whole step (``FormErrors``)."""
    require(actor, Permission.SETTLE)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    order_actions.require_action(session, actor, order, Action.SETTLE)
    # 已完工 → 已结算 first: a second tab, a pick or a job reopen racing this one finds the order moved.
    order = order_status.move(order, WorkOrderStatus.SETTLED, actor, session)
    if terms is not None:
        _apply_terms(session, actor, order, terms)
        session.flush()
    figures = order_figures(session, order)
    if figures.problems:
        raise DomainError(figures.problems[0])
    if not figures.charges:
        raise DomainError("没有可结算的项目")
    now = utc_now()
    vehicle = session.get(Vehicle, order.vehicle_id)
    reminders.set_next_service(session, actor, vehicle, next_date=next_service_date,
                               next_mileage=next_service_mileage, today=local_day(now),
                               current_mileage=order.mileage_in)
    branch = session.get(Branch, order.branch_id)
    settlement = Settlement(
        branch_id=order.branch_id, work_order_id=order.id,
        number=next_number(session, order.branch_id, SETTLEMENT_PREFIX, local_day(now)),
        labor_total=figures.labor_total, parts_total=figures.parts_total, other_total=figures.other_total,
        gross=figures.gross, order_discount=figures.order_discount, customer_amount=figures.customer_amount,
        warranty_amount=figures.warranty_amount, insurance_amount=figures.insurance_amount,
        internal_amount=figures.internal_amount, vat_rate=figures.vat_rate, vat_amount=figures.vat_amount,
        parts_cost=figures.parts_cost, billed_hours=figures.billed_hours, warranty_days=branch.warranty_days,
        warranty_km=branch.warranty_km, next_service_date=vehicle.next_service_date,
        next_service_mileage=vehicle.next_service_mileage, created_by_id=actor.id, created_at=now)
    session.add(settlement)
    session.flush()
    parties: dict[tuple[Payer, str], int] = {}  # each insurer and manufacturer named, resolved once
    lines = []
    for charge in figures.charges:
        payer = Payer(charge.payer)
        party_id = None
        if payer in receivables.PARTY_OF_PAYER:
            key = (payer, charge.payer_party.strip())
            if key not in parties:
                parties[key] = receivables.counterparty_for(session, actor, order.branch_id, payer, key[1]).id
            party_id = parties[key]
        line = SettlementLine(
            settlement_id=settlement.id, kind=charge.kind, description=charge.description[:120],
            quantity=charge.quantity, unit_price=charge.unit_price, amount=charge.amount, discount=charge.discount,
            net=charge.net, payer=charge.payer, payer_party=charge.payer_party, counterparty_id=party_id,
            cost=charge.cost, hours=charge.hours)
        session.add(line)
        lines.append(line)
    session.flush()
    # The insurers' and manufacturers' shares become what they owe, in this transaction.
    shares = receivables.post_settlement_shares(session, settlement, lines, local_day(now))
    for kind, party_id in sorted({(item.party_kind, item.party_id) for item in shares}):
        # An insurer's or manufacturer's advance (预收) pays its new share at once.
        allocation.apply_credits(session, actor, kind, party_id, Direction.RECEIVABLE, branch_id=order.branch_id)
    order.settled_at = now
    audit.record(session, actor, "settlement.create", "settlement", settlement.id, branch_id=order.branch_id,
                 number=settlement.number, work_order_id=order.id, gross=str(settlement.gross),
                 customer=str(settlement.customer_amount), warranty=str(settlement.warranty_amount),
                 insurance=str(settlement.insurance_amount), internal=str(settlement.internal_amount))
    session.add(order)
    # The sheet prints the customer's follow-up link from now on, and printing it only reads: made here.
    follow_ups.ensure_follow_up(session, order, now)
    if settlement.customer_amount == 0:
        order_status.close_order(order, actor, session, now)
    session.flush()
    return settlement


def reopen(session: Session, actor: User, settlement_id: int, reason: str) -> Settlement:
    """A manager withdraws a settlement (with a reason) so the order can be corrected and settled again.
    Refused once any payment has been taken against it, or while an invoice stands on it (红冲 it first)."""
    require(actor, Permission.REOPEN_SETTLEMENT)
    settlement = row_in_branch(session, actor, Settlement, settlement_id, "结算单不存在")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤销结算的原因", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因不能超过{REASON_MAX}字", field="reason")
    if SettlementStatus(settlement.status) != SettlementStatus.ACTIVE:
        raise DomainError(f"结算单{settlement.number}已撤销")
    order = row_in_branch(session, actor, WorkOrder, settlement.work_order_id, "工单不存在")
    order = order_status.reopen_settled(order, actor, session)  # payments hold the order too: none can slip in now
    session.refresh(settlement)
    if SettlementStatus(settlement.status) != SettlementStatus.ACTIVE:
        raise DomainError(f"结算单{settlement.number}已撤销")
    if paid_total(session, settlement.id) > 0:
        raise DomainError(f"结算单{settlement.number}已收款，不能撤销")
    settlement = locked(session, Settlement, settlement.id)  # an invoice being issued for it finishes first
    if invoices.invoiced_total(session, settlement.id) > 0:
        raise DomainError(f"结算单{settlement.number}已开票，请先红冲发票再撤销")
    now = utc_now()
    # What the insurers and manufacturers were to pay is taken back (refused once any of it was collected).
    reversals = receivables.reverse_settlement(session, actor, settlement, local_day(now))
    order.settled_at = None
    session.add(order)
    settlement.status = SettlementStatus.REOPENED
    settlement.reopened_by_id = actor.id
    settlement.reopened_at = now
    settlement.reopen_reason = reason
    session.add(settlement)
    audit.record(session, actor, "settlement.reopen", "settlement", settlement.id, branch_id=settlement.branch_id,
                 number=settlement.number, reason=reason, reversed_items=[item.source_id for item in reversals])
    session.flush()
    return settlement


# --- reading ----------------------------------------------------------------------------------------------------


def order_by_number(session: Session, actor: User, number: str) -> WorkOrder:
    """An order of the actor's branch by its number (numbers repeat across branches)."""
    require(actor, Permission.SETTLE)
    order = session.exec(select(WorkOrder).where(WorkOrder.branch_id == actor.branch_id,
                                                 WorkOrder.number == (number or "").strip())).first()
    if order is None:
        raise NotFound("工单不存在")
    return order


def settlement_by_number(session: Session, actor: User, number: str) -> Settlement:
    require(actor, Permission.SETTLE)
    settlement = session.exec(select(Settlement).where(Settlement.branch_id == actor.branch_id,
                                                       Settlement.number == (number or "").strip())).first()
    if settlement is None:
        raise NotFound("结算单不存在")
    require_branch(actor, settlement.branch_id)
    return settlement


def sheet_follow_up(session: Session, settlement: Settlement) -> FollowUp | None:
    """The follow-up whose link an active settlement's sheet prints (made when the order was settled); ``None``
    on a withdrawn sheet. Only reads."""
    if SettlementStatus(settlement.status) != SettlementStatus.ACTIVE:
        return None
    return session.exec(select(FollowUp).where(FollowUp.work_order_id == settlement.work_order_id)).first()


def settlement_lines(session: Session, settlement_id: int) -> list[SettlementLine]:
    return list(session.exec(select(SettlementLine).where(SettlementLine.settlement_id == settlement_id)
                             .order_by(SettlementLine.id)).all())


@dataclass(frozen=True)
class QueueEntry:
    order: WorkOrder
    vehicle: Vehicle
    customer: Customer
    settlement: Settlement | None  # the active one, once settled
    paid: Decimal


def cashier_queue(session: Session, actor: User) -> list[QueueEntry]:
    """Completed orders waiting to be settled, then settled ones waiting for payment (with what is paid so far),
    in three queries however long the queue."""
    require(actor, Permission.SETTLE)
    rows = session.exec(
        select(WorkOrder, Vehicle, Customer)
        .join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .where(WorkOrder.branch_id == actor.branch_id,
               col(WorkOrder.status).in_([WorkOrderStatus.COMPLETED, WorkOrderStatus.SETTLED]))
        .order_by(WorkOrder.status, col(WorkOrder.completed_at), WorkOrder.id)
    ).all()
    settled_ids = [o.id for o, _v, _c in rows if WorkOrderStatus(o.status) == WorkOrderStatus.SETTLED]
    settlements = {s.work_order_id: s for s in session.exec(
        select(Settlement).where(col(Settlement.work_order_id).in_(settled_ids),
                                 Settlement.status == SettlementStatus.ACTIVE)).all()} if settled_ids else {}
    paid: dict[int, Decimal] = {}
    if settlements:
        for settlement_id, total in session.exec(
                select(Payment.settlement_id, func.sum(Payment.amount))
                .where(col(Payment.settlement_id).in_([s.id for s in settlements.values()]))
                .group_by(Payment.settlement_id)).all():
            paid[settlement_id] = to_fen(Decimal(total or 0))
    entries = []
    for order, vehicle, customer in rows:
        active = settlements.get(order.id)
        entries.append(QueueEntry(order=order, vehicle=vehicle, customer=customer, settlement=active,
                                  paid=paid.get(active.id, ZERO) if active else ZERO))
    return entries
