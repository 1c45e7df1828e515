"""Supplier choice (供应商比价, P4): for a part, what each supplier actually charged, how long its goods took to come,
and how much of them went back; and the supplier to buy it from next, with the reason.

Figures per part and supplier, from the branch's goods receipts of that part in the last year (``HISTORY``: what a
supplier charged or how it delivered longer ago says little about buying from it now, and a plan asks about
thousands of parts):
- **最近价格**: the unit prices of the latest receipts (newest first); a supplier never received from counts with the
  price it offers (``SupplierPart``), marked 报价.
- **平均到货天数**: receipt time − its order's ``ordered_at``, averaged over receipts made against an order.
- **退货率**: quantity returned ÷ quantity received.

The suggestion (one rule, shown with its reason):
1. Candidates are the active suppliers with a price (last received price, else their offer).
2. A supplier whose return rate is above 10% is passed over while another candidate is at or below it.
3. The lowest price wins (最近价格最低, or 报价最低 for an offer). On a tie, the faster average delivery (价格相同，到货最快), then the lower
   return rate, then the supplier received from most recently.
   When rule 2 passed over a cheaper supplier, the reason says so (退货率低).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from lantong_pwa.errors import NotFound
from lantong_pwa.services.platform.permissions import Permission, require, require_branch
from lantong_pwa.services.platform.sql_time import seconds_between
from lantong_pwa.timezone import local_day
from models import GoodsReceipt, GoodsReceiptLine, Part, PurchaseOrder, Supplier, SupplierPart, User
from models.common import utc_now

RECENT_PRICES = 3
HISTORY = timedelta(days=365)
HIGH_RETURN_RATE = Decimal("0.10")
_BATCH = 500  # parts per query when the plan asks for many


@dataclass
class PricePoint:
    received_at: datetime  # as stored (UTC)
    unit_price: Decimal
    quantity: Decimal

    @property
    def day(self) -> date:
        """The shop day it came in (worked out only for the screen: a plan asks about many parts at once)."""
        return local_day(self.received_at)


@dataclass
class SupplierRecord:
    supplier_id: int
    name: str = ""
    is_active: bool = True
    last_prices: list[PricePoint] = field(default_factory=list)  # newest first, at most RECENT_PRICES
    offer_price: Decimal | None = None
    offer_lead_days: int | None = None
    received: Decimal = Decimal("0")
    returned: Decimal = Decimal("0")
    receipts: int = 0
    last_received: datetime | None = None
    _lead_total: float = 0.0
    _lead_count: int = 0

    @property
    def price(self) -> Decimal | None:
        """What buying from it costs now: the last received price, else its offer."""
        return self.last_prices[0].unit_price if self.last_prices else self.offer_price

    @property
    def price_is_offer(self) -> bool:
        return not self.last_prices and self.offer_price is not None

    @property
    def lead_days(self) -> float | None:
        """Average days from ordering to receiving, as seen; ``None`` without receipts against an order."""
        return round(self._lead_total / self._lead_count, 1) if self._lead_count else None

    @property
    def return_rate(self) -> Decimal | None:
        return (self.returned / self.received).quantize(Decimal("0.0001")) if self.received else None

    @property
    def returns_often(self) -> bool:
        """More than ``HIGH_RETURN_RATE`` of what it delivered went back (compared without dividing: a plan asks
        this of every candidate)."""
        return self.returned > self.received * HIGH_RETURN_RATE


def _records(session: Session, branch_id: int, part_ids: list[int]) -> dict[int, dict[int, SupplierRecord]]:
    """part id → supplier id → its record, for ``part_ids`` of the branch (receipts of the last ``HISTORY``)."""
    since = utc_now() - HISTORY
    found: dict[int, dict[int, SupplierRecord]] = {part_id: {} for part_id in part_ids}
    connection = session.connection()  # plain rows: a plan asks for thousands, and ORM rows cost more than the query
    lead_days = seconds_between(session, GoodsReceipt.created_at, PurchaseOrder.ordered_at) / 86400
    for start in range(0, len(part_ids), _BATCH):
        chunk = part_ids[start:start + _BATCH]
        lines = connection.execute(
            select(GoodsReceiptLine.part_id, GoodsReceipt.supplier_id, GoodsReceiptLine.quantity,
                   GoodsReceiptLine.returned_quantity, GoodsReceiptLine.unit_price, GoodsReceipt.created_at,
                   lead_days)
            .join(GoodsReceipt, GoodsReceipt.id == GoodsReceiptLine.goods_receipt_id)
            .outerjoin(PurchaseOrder, PurchaseOrder.id == GoodsReceipt.purchase_order_id)
            .where(col(GoodsReceiptLine.part_id).in_(chunk), GoodsReceiptLine.branch_id == branch_id,
                   GoodsReceipt.created_at >= since)
            .order_by(col(GoodsReceipt.created_at).desc(), col(GoodsReceiptLine.id).desc()))
        for part_id, supplier_id, quantity, returned, unit_price, received_at, days in lines:
            record = found[part_id].get(supplier_id)
            if record is None:
                record = found[part_id][supplier_id] = SupplierRecord(supplier_id=supplier_id,
                                                                      last_received=received_at)
            record.received += quantity
            record.returned += returned
            record.receipts += 1
            if len(record.last_prices) < RECENT_PRICES:
                record.last_prices.append(PricePoint(received_at=received_at, unit_price=unit_price,
                                                     quantity=quantity))
            if days is not None:  # received against an order
                record._lead_total += max(float(days), 0.0)
                record._lead_count += 1
        offers = connection.execute(select(SupplierPart.part_id, SupplierPart.supplier_id, SupplierPart.price,
                                           SupplierPart.lead_days)
                                    .where(col(SupplierPart.part_id).in_(chunk), SupplierPart.branch_id == branch_id))
        for part_id, supplier_id, price, lead_days_offered in offers:
            record = found[part_id].setdefault(supplier_id, SupplierRecord(supplier_id=supplier_id))
            record.offer_price, record.offer_lead_days = price, lead_days_offered
    supplier_ids = {s for per_part in found.values() for s in per_part}
    suppliers = {}
    for start in range(0, len(supplier_ids), _BATCH):
        chunk = sorted(supplier_ids)[start:start + _BATCH]
        suppliers.update({sid: (name, active) for sid, name, active in connection.execute(
            select(Supplier.id, Supplier.name, Supplier.is_active).where(col(Supplier.id).in_(chunk)))})
    for per_part in found.values():
        for record in per_part.values():
            record.name, record.is_active = suppliers.get(record.supplier_id, ("", False))
    return found


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.1')).normalize():f}%"


def choose(records: Iterable[SupplierRecord]) -> tuple[int, str] | None:
    """The module docstring's rule: (supplier id, reason), or ``None`` without a candidate."""
    candidates = [r for r in records if r.is_active and r.price is not None]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].supplier_id, "唯一有价格的供应商"

    kept = [r for r in candidates if not r.returns_often] or candidates
    cheapest = min(r.price for r in kept)
    tied = [r for r in kept if r.price == cheapest]
    tied.sort(key=lambda r: (r.lead_days if r.lead_days is not None else float("inf"),
                             r.return_rate if r.return_rate is not None else Decimal("1"),
                             -(r.last_received.timestamp() if r.last_received else 0), r.supplier_id))
    best = tied[0]
    price = f"¥{best.price}"
    if min(r.price for r in candidates) < cheapest:
        rate = _percent(best.return_rate) if best.return_rate is not None else "无退货记录"
        return best.supplier_id, f"退货率低（{rate}），价格{price}；更便宜的供应商退货率超过10%"
    if len(tied) > 1 and best.lead_days is not None and best.lead_days != tied[1].lead_days:
        return best.supplier_id, f"价格同为最低（{price}），到货最快（平均{best.lead_days:g}天）"
    return best.supplier_id, f"{'报价' if best.price_is_offer else '最近价格'}最低（{price}）"


def suggest_suppliers(session: Session, branch_id: int, part_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """The suggestion for each of ``part_ids`` that has one (a purchase plan asks for all its parts at once)."""
    ids = sorted(set(part_ids))
    suggestions = {}
    for part_id, per_supplier in _records(session, branch_id, ids).items():
        chosen = choose(per_supplier.values())
        if chosen is not None:
            suggestions[part_id] = chosen
    return suggestions


def suggest_supplier(session: Session, branch_id: int, part_id: int) -> tuple[int, str] | None:
    """The supplier to buy ``part_id`` from next and why, or ``None`` when no supplier has a price for it."""
    return suggest_suppliers(session, branch_id, [part_id]).get(part_id)


@dataclass
class PriceHistory:
    part: Part
    suppliers: list[SupplierRecord]  # the suggested one first, then by price
    suggested_id: int | None
    reason: str


def price_history(session: Session, actor: User, part_id: int) -> PriceHistory:
    """供应商比价 for one part: every supplier that delivered or offers it, with the suggestion."""
    require(actor, Permission.PURCHASE)
    part = session.get(Part, part_id)
    if part is None:
        raise NotFound("配件不存在")
    require_branch(actor, part.branch_id)
    records = list(_records(session, part.branch_id, [part.id])[part.id].values())
    chosen = choose(records)
    suggested_id, reason = chosen if chosen else (None, "")
    records.sort(key=lambda r: (r.supplier_id != suggested_id, not r.is_active, r.price is None,
                                r.price or Decimal("0"), r.name))
    return PriceHistory(part=part, suppliers=records, suggested_id=suggested_id, reason=reason)
