"""Receiving (入库): goods in from a supplier against a purchase order, or over the counter without one.

One receipt, in one transaction:
- each line is one stock ledger move into the receipt's warehouse at its unit cost, and the average moves
  (services/parts/stock.py ``post_in``);
- freight (运费) is spread over the lines by value, fen-exact: the shares add up to the freight (the largest
  remainders get the odd fen); a receipt whose lines are all free spreads it by quantity;
- unit cost = (price × quantity + freight share) ÷ quantity, to four decimals;
- against an order: each order line's received quantity rises with one conditional UPDATE that also holds the
  over-receipt tolerance (received ≤ ordered × (1 + the branch's percentage)), and the order moves to 部分到货 or
  已到货; a closed, cancelled or not yet placed order is refused;
- what the shop owes for it (goods + freight) is a positive payable open item for the supplier, due by its terms;
- a price of 0 needs a reason; a price other than the order's is flagged (the reason, if given, is kept);
- a resent request (same ``request_key``) returns the receipt the first one made and posts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.finance import open_items, payables
from lantong_pwa.services.parts import purchase_orders, stock
from lantong_pwa.services.parts.purchase_orders import S
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    Direction,
    GoodsReceipt,
    GoodsReceiptLine,
    OpenItemSource,
    Part,
    PartBarcode,
    PartyKind,
    PurchaseOrder,
    PurchaseOrderLine,
    StockMoveKind,
    Supplier,
    User,
)
from models.common import utc_now

PREFIX = "RK"
COST_PLACES = Decimal("0.0001")
FEN = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class ReceiptLineInput:
    quantity: str | Decimal
    order_line_id: int | str | None = None  # against an order
    part_id: int | str | None = None  # over the counter
    unit_price: str | Decimal | None = None  # None/"": the order line's price
    price_reason: str = ""


@dataclass
class ReceiptForm:
    lines: list[ReceiptLineInput]
    warehouse_id: int | str | None = None  # None: the order's
    purchase_order_id: int | str | None = None
    supplier_id: int | str | None = None  # required without an order
    freight: str | Decimal = "0"
    note: str = ""
    request_key: str = ""


@dataclass
class ReceiptResult:
    receipt: GoodsReceipt
    lines: list[GoodsReceiptLine]
    price_flags: list[str] = field(default_factory=list)  # "前刹车片：到货价¥45.00，订单价¥42.00"
    resent: bool = False


def spread_by_value(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` (yuan) split in proportion to ``weights``, in whole fen that add up to ``total`` exactly: each gets
    its share rounded down, and the fen left over go one each to the largest remainders (earlier lines first on a
    tie). All-zero weights split it evenly."""
    if not weights:
        return []
    fen_total = int((total / FEN).to_integral_value())
    if sum(weights) <= 0:
        weights = [Decimal(1)] * len(weights)
    weight_sum = sum(weights)
    exact = [Decimal(fen_total) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]  # weights are never negative
    left = fen_total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) * FEN for f in floors]


def _earlier(session: Session, branch_id: int, request_key: str) -> GoodsReceipt | None:
    if not request_key:
        return None
    return session.exec(select(GoodsReceipt).where(GoodsReceipt.branch_id == branch_id,
                                                   GoodsReceipt.request_key == request_key)).first()


def receipt_lines(session: Session, receipt_id: int) -> list[GoodsReceiptLine]:
    return list(session.exec(select(GoodsReceiptLine).where(GoodsReceiptLine.goods_receipt_id == receipt_id)
                             .order_by(GoodsReceiptLine.id).execution_options(populate_existing=True)).all())


def _resent(session: Session, receipt: GoodsReceipt) -> ReceiptResult:
    return ReceiptResult(receipt=receipt, lines=receipt_lines(session, receipt.id), resent=True)


def _qty(text, index: int) -> Decimal:
    key = f"quantity.{index}"
    quantity = to_fen(parse_decimal(text, key, "数量", maximum=stock.MAX_QUANTITY))
    if quantity <= 0:
        raise DomainError("数量应大于0", field=key)
    return quantity


def receive(session: Session, actor: User, form: ReceiptForm) -> ReceiptResult:
    require(actor, Permission.MOVE_STOCK)
    if not form.request_key:
        raise DomainError("请刷新页面后重试")
    earlier = _earlier(session, actor.branch_id, form.request_key)
    if earlier is not None:
        return _resent(session, earlier)

    order: PurchaseOrder | None = None
    if form.purchase_order_id not in (None, "", 0, "0"):
        order = purchase_orders.get_order(session, actor, form.purchase_order_id)
        if S(order.status) not in purchase_orders.RECEIVABLE:
            if S(order.status) in (S.DRAFT, S.APPROVED):
                raise DomainError(f"采购单{order.number}{S(order.status).label}，尚未下单，不能收货")
            raise DomainError(f"采购单{order.number}{S(order.status).label}，不能收货")
        # Held in a receivable status for the rest of the request: a close or cancel waits for this receipt.
        order = purchase_orders.guard(session, order, purchase_orders.RECEIVABLE, "收货")
        earlier = _earlier(session, actor.branch_id, form.request_key)
        if earlier is not None:  # the same request finished while this one waited for the order
            return _resent(session, earlier)
        supplier = session.get(Supplier, order.supplier_id)
    else:
        if form.supplier_id in (None, "", 0, "0"):
            raise DomainError("没有采购单的入库请选择供应商", field="supplier_id")
        supplier = purchase_orders.supplier_in_branch(session, actor, form.supplier_id)
        # Counter receipts of one supplier queue on its row: a resend that waited here finds the first receipt.
        supplier = locked(session, Supplier, supplier.id)
        earlier = _earlier(session, actor.branch_id, form.request_key)
        if earlier is not None:
            return _resent(session, earlier)

    errors: dict[str, str] = {}
    warehouse = None
    try:
        warehouse = purchase_orders.warehouse_in_branch(
            session, actor, form.warehouse_id if form.warehouse_id not in (None, "") else
            (order.warehouse_id if order is not None else None))
    except DomainError as error:
        errors["warehouse_id"] = error.message
    try:
        freight = to_fen(parse_decimal(form.freight if form.freight not in (None, "") else "0", "freight", "运费",
                                       maximum=Decimal("999999.99")))
    except DomainError as error:
        errors["freight"] = error.message
        freight = ZERO
    note = (form.note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过200字"

    order_lines = {line.id: line for line in purchase_orders.order_lines(session, order.id)} if order else {}
    branch = session.get(Branch, actor.branch_id)
    parsed: list[tuple[Part, PurchaseOrderLine | None, Decimal, Decimal, str]] = []
    flags: list[str] = []
    if not form.lines:
        errors["lines"] = "请至少收一种配件"
    for index, entry in enumerate(form.lines):
        try:
            quantity = _qty(entry.quantity, index)
            order_line = None
            if order is not None:
                try:
                    order_line = order_lines[int(entry.order_line_id)]
                except (KeyError, TypeError, ValueError):
                    raise DomainError("不是这张采购单的配件", field=f"line.{index}") from None
                part = session.get(Part, order_line.part_id)
            else:
                part = purchase_orders.orderable_part(session, actor, entry.part_id, f"line.{index}")
            price_text = entry.unit_price
            if price_text in (None, ""):
                if order_line is None:
                    raise DomainError("请输入单价", field=f"unit_price.{index}")
                price = order_line.unit_price
            else:
                price = purchase_orders.parse_price(price_text, f"unit_price.{index}")
            reason = (entry.price_reason or "").strip()
            if len(reason) > 100:
                raise DomainError("原因不能超过100字", field=f"price_reason.{index}")
            if price == 0 and not reason:
                raise DomainError(f"{part.name}单价为0，请填写原因（如赠品）", field=f"price_reason.{index}")
            if order_line is not None:
                limit = _receivable_limit(order_line, branch.over_receipt_percent)
                if order_line.received_quantity + quantity > limit:
                    raise DomainError(_over_message(part, order_line, limit), field=f"quantity.{index}")
                if price != order_line.unit_price:
                    flags.append(f"{part.name}：到货价¥{price}，订单价¥{order_line.unit_price}")
            parsed.append((part, order_line, quantity, price, reason))
        except DomainError as error:
            errors[error.field or f"line.{index}"] = error.message
    if order is not None:
        ids = [line.id for _part, line, *_ in parsed if line is not None]
        if len(ids) != len(set(ids)):
            errors["lines"] = "同一配件行重复，请合并数量"
    if errors:
        raise FormErrors(errors)

    values = [to_fen(quantity * price) for _part, _line, quantity, price, _reason in parsed]
    shares = spread_by_value(freight, values if sum(values) > 0 else [q for _p, _l, q, _pr, _r in parsed])
    now = utc_now()
    day = local_day(now)
    receipt = GoodsReceipt(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX, day),
                           supplier_id=supplier.id, purchase_order_id=order.id if order else None,
                           warehouse_id=warehouse.id, freight=freight, total=sum(values, ZERO) + freight, note=note,
                           user_id=actor.id, request_key=form.request_key)
    session.add(receipt)
    session.flush()
    lines = []
    for (part, order_line, quantity, price, reason), value, share in zip(parsed, values, shares, strict=True):
        if order_line is not None:
            limit = _receivable_limit(order_line, branch.over_receipt_percent)
            after = func.round(PurchaseOrderLine.received_quantity + quantity, 2)
            done = session.execute(update(PurchaseOrderLine)
                                   .where(PurchaseOrderLine.id == order_line.id, after <= limit)
                                   .values(received_quantity=after)
                                   .execution_options(synchronize_session=False))
            if done.rowcount != 1:
                raise DomainError(_over_message(part, order_line, limit), field="quantity")
        unit_cost = ((value + share) / quantity).quantize(COST_PLACES, rounding=ROUND_HALF_UP)
        move = stock.post_in(session, actor, branch_id=actor.branch_id, warehouse_id=warehouse.id, part_id=part.id,
                             quantity=quantity, unit_cost=unit_cost, kind=StockMoveKind.RECEIPT,
                             document=("goods_receipt", receipt.id), note=f"{receipt.number} {supplier.name}")
        line = GoodsReceiptLine(branch_id=actor.branch_id, goods_receipt_id=receipt.id,
                                purchase_order_line_id=order_line.id if order_line else None, part_id=part.id,
                                quantity=quantity, unit_price=price, price_reason=reason, freight_share=share,
                                unit_cost=unit_cost, stock_move_id=move.id)
        session.add(line)
        lines.append(line)
    session.flush()
    if order is not None:
        purchase_orders.after_receipt(session, actor, order)
    if receipt.total != 0:
        open_items.add_item(session, branch_id=receipt.branch_id, party_kind=PartyKind.SUPPLIER,
                            party_id=supplier.id, direction=Direction.PAYABLE, source=OpenItemSource.GOODS_RECEIPT,
                            source_id=receipt.id, number=receipt.number, amount=receipt.total, document_date=day,
                            due=open_items.due_on(supplier.terms, supplier.terms_days, day))
        payables.apply_credits(session, actor, PartyKind.SUPPLIER, supplier.id, branch_id=receipt.branch_id)  # an advance
    audit.record(session, actor, "goods_receipt.create", "goods_receipt", receipt.id, branch_id=receipt.branch_id,
                 number=receipt.number, purchase_order_id=receipt.purchase_order_id, supplier_id=supplier.id,
                 total=receipt.total, freight=freight, price_flags=flags)
    session.flush()
    return ReceiptResult(receipt=receipt, lines=lines, price_flags=flags)


def _receivable_limit(line: PurchaseOrderLine, percent: Decimal) -> Decimal:
    """The most a line may have received: what is ordered and not cancelled, plus the tolerance on it."""
    ordered = line.quantity - line.cancelled_quantity
    return to_fen(ordered * (1 + percent / 100))


def _over_message(part: Part, line: PurchaseOrderLine, limit: Decimal) -> str:
    left = max(limit - line.received_quantity, ZERO)
    return (f"{part.name}订购{stock.qty_text(line.quantity)}，已到{stock.qty_text(line.received_quantity)}，"
            f"含超收允许本次最多收{stock.qty_text(left)}")


# --- scanning and reading ---------------------------------------------------------------------------------------


def find_order_line(session: Session, actor: User, order_id, code: str) -> PurchaseOrderLine:
    """The order's line for a scanned barcode or a typed part code (one still outstanding, if several)."""
    require(actor, Permission.MOVE_STOCK)
    order = purchase_orders.get_order(session, actor, order_id)
    code = (code or "").strip()
    if not code:
        raise DomainError("请输入或扫描条码", field="code")
    if len(code) > 40:
        raise DomainError("条码过长", field="code")
    part_ids = set(session.exec(select(PartBarcode.part_id).where(PartBarcode.branch_id == order.branch_id,
                                                                   PartBarcode.barcode == code)).all())
    part_ids |= set(session.exec(select(Part.id).where(Part.branch_id == order.branch_id,
                                                       func.upper(Part.code) == code.upper())).all())
    lines = [line for line in purchase_orders.order_lines(session, order.id) if line.part_id in part_ids]
    if not lines:
        raise DomainError(f"采购单{order.number}没有条码或编码为{code}的配件", field="code")
    return next((line for line in lines if purchase_orders.outstanding(line) > 0), lines[0])


def get_receipt(session: Session, actor: User, receipt_id) -> GoodsReceipt:
    return purchase_orders.by_id(session, actor, GoodsReceipt, receipt_id, "入库单不存在")


def receipts_of_order(session: Session, actor: User, order_id: int) -> list[GoodsReceipt]:
    require(actor, Permission.VIEW_PARTS)
    return list(session.exec(select(GoodsReceipt).where(GoodsReceipt.branch_id == actor.branch_id,
                                                        GoodsReceipt.purchase_order_id == order_id)
                             .order_by(GoodsReceipt.id)).all())


def recent_receipts(session: Session, actor: User, limit: int = 30) -> list[tuple[GoodsReceipt, Supplier]]:
    require(actor, Permission.VIEW_PARTS)
    return list(session.exec(select(GoodsReceipt, Supplier).join(Supplier, Supplier.id == GoodsReceipt.supplier_id)
                             .where(GoodsReceipt.branch_id == actor.branch_id)
                             .order_by(col(GoodsReceipt.id).desc()).limit(limit)).all())
