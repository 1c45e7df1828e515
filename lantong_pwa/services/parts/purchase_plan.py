"""The purchase plan (采购计划, P1): what to buy, built from what is needed, and turned into purchase orders.

One suggestion per part, from its projected stock across the branch's warehouses:

    projected = on hand + on order (open orders: 草稿, 已审核, 已下单, 部分到货 — what they still bring)
                − what open work orders plan and have not picked yet

- below zero, or below the part's minimum (the sum of its per-warehouse 安全库存 minimums): short;
- the suggestion brings it up to the maximum (the sum of the maximums), or to zero when the part has no limits;
- rounded up to the suggested supplier's minimum order quantity.

Drafts count as on order, so a shortfall turned into an order is never suggested again, however often the plan is
built. Turning a plan into orders (one draft per supplier) takes the branch's purchasing lock (its row) and builds
the plan again under it: a part that is no longer short (another clerk ordered it a moment ago) refuses the whole
request with a message, so two clerks turning the same plan into orders at once make one set of orders.

Supplier choice: P4's services/parts/supplier_choice.py (price history, lead time seen, return rate), with its
reason; the cheapest offer when it has nothing to go on.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.parts import purchase_orders, stock, supplier_choice
from lantong_pwa.services.parts.purchase_orders import LineInput
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.parsing import to_hundredths
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.services.workshop.order_status import WORKABLE
from models import (
    Branch,
    Part,
    PartLine,
    PurchaseOrder,
    StockBalance,
    StockLimit,
    Supplier,
    SupplierPart,
    User,
    Warehouse,
    WorkOrder,
)

ZERO = Decimal("0.00")


@dataclass
class Offer:
    supplier_id: int
    supplier_name: str
    price: Decimal
    min_quantity: Decimal
    lead_days: int


@dataclass
class Shortfall:
    part: Part
    warehouse_id: int
    on_hand: Decimal
    on_order: Decimal  # open orders, drafts included
    in_transit: Decimal  # ordered with the supplier, not yet in
    demand: Decimal  # planned on open work orders, not picked
    minimum: Decimal
    maximum: Decimal
    quantity: Decimal  # suggested
    reasons: list[str]
    offers: list[Offer] = field(default_factory=list)
    supplier_id: int | None = None  # suggested
    supplier_reason: str = ""
    unit_price: Decimal = ZERO


def suggest_supplier(part: Part, offers: list[Offer], chosen: tuple[int, str] | None) -> tuple[Offer | None, str]:
    """The supplier to suggest for ``part`` and why: P4's choice (supplier_choice.py: price history, lead time,
    return rate) when it has one, else the cheapest offer (then the shortest lead time)."""
    if chosen is not None:
        supplier_id, reason = chosen
        offer = next((o for o in offers if o.supplier_id == supplier_id), None)
        return offer or Offer(supplier_id=supplier_id, supplier_name="", price=part.cost, min_quantity=ZERO,
                              lead_days=0), reason
    if not offers:
        return None, "暂无供应商报价"
    best = min(offers, key=lambda o: (o.price, o.lead_days, o.supplier_id))
    return best, f"报价最低（¥{best.price}，{best.lead_days}天到货）"


def round_up(quantity: Decimal, minimum: Decimal) -> Decimal:
    """Whole units, and at least the offer's minimum order quantity."""
    return to_hundredths(max(quantity.quantize(Decimal(1), rounding=ROUND_CEILING), minimum))


def _sum_by_part(rows) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for part_id, value in rows:
        totals[part_id] += Decimal(str(value or 0))
    return totals


def build(session: Session, actor: User) -> list[Shortfall]:
    """The plan for the actor's branch, by part code. Only reads."""
    require(actor, Permission.PURCHASE)
    return _build(session, actor.branch_id)


def _build(session: Session, branch_id: int) -> list[Shortfall]:
    rows = session.connection()  # plain rows for the branch-wide reads: ORM rows by the ten thousand cost more
    on_hand = _sum_by_part(rows.execute(
        select(StockBalance.part_id, func.sum(StockBalance.on_hand)).where(StockBalance.branch_id == branch_id)
        .group_by(StockBalance.part_id)).all())
    remaining = PartLine.quantity - (PartLine.picked_quantity - PartLine.returned_quantity)
    demand = _sum_by_part(rows.execute(
        select(PartLine.part_id, func.sum(remaining)).join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
        .where(PartLine.branch_id == branch_id, col(WorkOrder.status).in_(list(WORKABLE)), remaining > 0)
        .group_by(PartLine.part_id)).all())
    limits: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)  # part → (warehouse, min, max)
    for part_id, warehouse_id, minimum, maximum in rows.execute(
            select(StockLimit.part_id, StockLimit.warehouse_id, StockLimit.minimum, StockLimit.maximum)
            .where(StockLimit.branch_id == branch_id)).all():
        limits[part_id].append((warehouse_id, Decimal(str(minimum)), Decimal(str(maximum))))
    candidates = set(demand) | set(limits)
    if not candidates:
        return []
    # The branch's whole on-order figures in one grouped read each (cheaper than naming thousands of parts).
    on_order = purchase_orders.on_order(session, branch_id)
    short: dict[int, tuple] = {}
    for part_id in candidates:
        part_limits = limits.get(part_id, [])
        minimum = sum((m for _w, m, _x in part_limits), ZERO)
        maximum = sum((x for _w, _m, x in part_limits), ZERO)
        have, ordered, needed = on_hand.get(part_id, ZERO), on_order.get(part_id, ZERO), demand.get(part_id, ZERO)
        projected = have + ordered - needed
        if projected >= 0 and (not part_limits or projected >= minimum):
            continue
        short[part_id] = (part_limits, minimum, maximum, have, ordered, needed, projected)
    # Only the parts that are short are read in full, with their offers and P4's choice.
    parts = {p.id: p for p in session.exec(select(Part).where(col(Part.id).in_(list(short) or [-1]),
                                                              Part.is_active)).all()}
    if not parts:
        return []
    in_transit = purchase_orders.in_transit(session, branch_id, list(parts))
    first_warehouse = session.exec(select(Warehouse.id).where(Warehouse.branch_id == branch_id, Warehouse.is_active)
                                   .order_by(Warehouse.id)).first()
    offers: dict[int, list[Offer]] = defaultdict(list)
    for part_id, supplier_id, name, price, min_quantity, lead_days in rows.execute(
            select(SupplierPart.part_id, Supplier.id, Supplier.name, SupplierPart.price, SupplierPart.min_quantity,
                   SupplierPart.lead_days).join(Supplier, Supplier.id == SupplierPart.supplier_id)
            .where(SupplierPart.branch_id == branch_id, col(SupplierPart.part_id).in_(list(parts)),
                   Supplier.is_active)).all():
        offers[part_id].append(Offer(supplier_id=supplier_id, supplier_name=name, price=Decimal(str(price)),
                                     min_quantity=Decimal(str(min_quantity)), lead_days=lead_days))
    chosen = supplier_choice.suggest_suppliers(session, branch_id, list(parts))
    plan = []
    for part_id, part in parts.items():
        part_limits, minimum, maximum, have, ordered, needed, projected = short[part_id]
        target = maximum if part_limits else ZERO
        reasons = []
        if needed > 0 and have + ordered < needed:
            reasons.append(f"工单待领{stock.qty_text(needed)}，库存{stock.qty_text(have)}不够")
        if part_limits and projected < minimum:
            reasons.append(f"低于安全库存（最低{stock.qty_text(minimum)}，补到{stock.qty_text(maximum)}）")
        if ordered > 0:
            reasons.append(f"已在采购{stock.qty_text(ordered)}")
        warehouse_id = part.default_warehouse_id or (part_limits[0][0] if part_limits else first_warehouse)
        best, why = suggest_supplier(part, offers.get(part_id, []), chosen.get(part_id))
        quantity = round_up(target - projected, best.min_quantity if best else ZERO)
        plan.append(Shortfall(
            part=part, warehouse_id=warehouse_id, on_hand=have, on_order=ordered,
            in_transit=in_transit.get(part_id, ZERO), demand=needed, minimum=minimum, maximum=maximum,
            quantity=quantity,
            reasons=reasons, offers=sorted(offers.get(part_id, []), key=lambda o: (o.price, o.supplier_id)),
            supplier_id=best.supplier_id if best else None, supplier_reason=why,
            unit_price=best.price if best else part.cost))
    return sorted(plan, key=lambda s: s.part.code)


@dataclass
class PlanLine:
    part_id: int | str
    supplier_id: int | str | None
    quantity: str | Decimal
    unit_price: str | Decimal | None = None


def _key_for(request_key: str, supplier_id: int) -> str:
    return str(uuid.uuid5(uuid.UUID(request_key), f"supplier-{supplier_id}"))


def create_orders(session: Session, actor: User, lines: list[PlanLine], request_key: str) -> list[PurchaseOrder]:
    """Turn the (edited) plan into draft purchase orders, one per supplier, each into the main warehouse of its
    first part. Every part must still be short when the plan is built again under the branch's lock; a line with
    an empty quantity or 0 is left out. A resent request returns the orders the first one made."""
    require(actor, Permission.PURCHASE)
    try:
        uuid.UUID(request_key)
    except (TypeError, ValueError, AttributeError):
        raise DomainError("请刷新页面后重试") from None
    chosen = [line for line in lines if str(line.quantity).strip() not in ("", "0", "0.00")]
    if not chosen:
        raise DomainError("请至少保留一种配件", field="lines")
    errors: dict[str, str] = {}
    by_supplier: dict[int, list[tuple[int, PlanLine]]] = defaultdict(list)
    for index, line in enumerate(chosen):
        try:
            part_id = int(line.part_id)
        except (TypeError, ValueError):
            errors[f"part_id.{index}"] = "请选择配件"
            continue
        if line.supplier_id in (None, "", 0, "0"):
            errors[f"supplier_id.{part_id}"] = "请选择供应商"
            continue
        try:
            supplier = purchase_orders.supplier_in_branch(session, actor, line.supplier_id)
        except DomainError as error:
            errors[f"supplier_id.{part_id}"] = error.message
            continue
        try:
            purchase_orders.parse_quantity(line.quantity, f"quantity.{part_id}")
        except DomainError as error:
            errors[error.field] = error.message
            continue
        by_supplier[supplier.id].append((part_id, line))
    if errors:
        raise FormErrors(errors)

    # One plan at a time per branch: the second clerk waits here, then sees the first one's drafts as on order.
    locked(session, Branch, actor.branch_id)
    earlier = [purchase_orders._earlier(session, actor.branch_id, _key_for(request_key, s)) for s in by_supplier]
    if any(earlier):
        return [order for order in earlier if order is not None]
    short = {s.part.id: s for s in _build(session, actor.branch_id)}
    covered = [f"{session.get(Part, part_id).name}" for items in by_supplier.values() for part_id, _ in items
               if part_id not in short]
    if covered:
        raise DomainError(f"采购计划已变化：{'、'.join(covered)}已有采购单或不再缺货，请重新生成采购计划")
    made = []
    for supplier_id, items in by_supplier.items():
        warehouse_id = short[items[0][0]].warehouse_id
        made.append(purchase_orders.create_order(
            session, actor, supplier_id, warehouse_id,
            [LineInput(part_id=part_id, quantity=line.quantity, unit_price=line.unit_price) for part_id, line in items],
            note="由采购计划生成", request_key=_key_for(request_key, supplier_id)))
    return made
