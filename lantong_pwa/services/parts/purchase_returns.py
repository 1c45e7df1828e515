"""Purchase returns (采退, P3): goods sent back to the supplier from one goods receipt.

Each returned line leaves stock at its receipt line's unit cost, not at the average (stock.py ``post_out_at_cost``:
the average is recomputed from the value left), so receiving 10 at ¥10 and 10 at ¥20 and returning 1 of the second
takes ¥20 out and leaves 280 / 19 = ¥14.7368. A line's returned quantity rises with one conditional UPDATE (never
above what it received; the database checks it too), stock never goes negative, and what the shop owes the
supplier drops by the return's value: a negative payable open item, in the same transaction. A resent request (same
``request_key``) returns the return the first one made.
"""

from __future__ import annotations

from dataclasses import dataclass

from decimal import Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.finance import open_items, payables
from lantong_pwa.services.parts import purchase_orders, receiving, stock
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.timezone import local_day
from lantong_pwa.services.platform.locking import locked
from models import (
    Direction,
    GoodsReceipt,
    GoodsReceiptLine,
    OpenItemSource,
    Part,
    PartyKind,
    PurchaseReturn,
    PurchaseReturnLine,
    StockMoveKind,
    Supplier,
    User,
)
from models.common import utc_now

PREFIX = "CT"
ZERO = Decimal("0.00")


@dataclass
class ReturnLineInput:
    receipt_line_id: int | str
    quantity: str | Decimal


@dataclass
class ReturnResult:
    purchase_return: PurchaseReturn
    lines: list[PurchaseReturnLine]
    resent: bool = False


def return_lines(session: Session, return_id: int) -> list[PurchaseReturnLine]:
    return list(session.exec(select(PurchaseReturnLine).where(PurchaseReturnLine.purchase_return_id == return_id)
                             .order_by(PurchaseReturnLine.id)).all())


def _earlier(session: Session, branch_id: int, request_key: str) -> PurchaseReturn | None:
    return session.exec(select(PurchaseReturn).where(PurchaseReturn.branch_id == branch_id,
                                                     PurchaseReturn.request_key == request_key)).first()


def create_return(session: Session, actor: User, receipt_id, lines: list[ReturnLineInput], reason: str = "",
                  request_key: str = "") -> ReturnResult:
    require(actor, Permission.MOVE_STOCK)
    if not request_key:
        raise DomainError("请刷新页面后重试")
    earlier = _earlier(session, actor.branch_id, request_key)
    if earlier is not None:
        return ReturnResult(earlier, return_lines(session, earlier.id), resent=True)
    receipt = receiving.get_receipt(session, actor, receipt_id)
    # Returns from one receipt queue on its row: a resend that waited here finds the first request's return.
    receipt = locked(session, GoodsReceipt, receipt.id)
    earlier = _earlier(session, actor.branch_id, request_key)
    if earlier is not None:
        return ReturnResult(earlier, return_lines(session, earlier.id), resent=True)
    receipt_lines = {line.id: line for line in receiving.receipt_lines(session, receipt.id)}
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if len(reason) > 200:
        errors["reason"] = "原因不能超过200字"
    parsed: list[tuple[GoodsReceiptLine, Part, Decimal]] = []
    for index, entry in enumerate(lines):
        key = f"quantity.{index}"
        try:
            try:
                line = receipt_lines[int(entry.receipt_line_id)]
            except (KeyError, TypeError, ValueError):
                raise DomainError("不是这张入库单的配件", field=key) from None
            if str(entry.quantity).strip() in ("", "0"):
                continue  # a line left at nothing is not returned
            quantity = to_fen(parse_decimal(entry.quantity, key, "退货数量", maximum=stock.MAX_QUANTITY))
            if quantity <= 0:
                continue
            part = session.get(Part, line.part_id)
            left = line.quantity - line.returned_quantity
            if quantity > left:
                raise DomainError(f"{part.name}入库{stock.qty_text(line.quantity)}，已退"
                                  f"{stock.qty_text(line.returned_quantity)}，最多还能退{stock.qty_text(left)}",
                                  field=key)
            parsed.append((line, part, quantity))
        except DomainError as error:
            errors[error.field or key] = error.message
    if not parsed and not errors:
        errors["lines"] = "请填写要退的数量"
    if errors:
        raise FormErrors(errors)

    supplier = session.get(Supplier, receipt.supplier_id)
    now = utc_now()
    day = local_day(now)
    purchase_return = PurchaseReturn(branch_id=receipt.branch_id,
                                     number=next_number(session, receipt.branch_id, PREFIX, day),
                                     supplier_id=supplier.id, goods_receipt_id=receipt.id, reason=reason,
                                     user_id=actor.id, request_key=request_key)
    session.add(purchase_return)
    session.flush()
    made = []
    total = ZERO
    for line, part, quantity in parsed:
        after = func.round(GoodsReceiptLine.returned_quantity + quantity, 2)
        done = session.execute(update(GoodsReceiptLine)
                               .where(GoodsReceiptLine.id == line.id, after <= GoodsReceiptLine.quantity)
                               .values(returned_quantity=after).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise DomainError(f"{part.name}可退数量已变化，请刷新后重试", field="quantity")
        move = stock.post_out_at_cost(session, actor, branch_id=receipt.branch_id, warehouse_id=receipt.warehouse_id,
                                      part_id=part.id, quantity=quantity, unit_cost=line.unit_cost,
                                      what=f"{part.name}（{part.code}）", kind=StockMoveKind.PURCHASE_RETURN,
                                      document=("purchase_return", purchase_return.id),
                                      note=f"{purchase_return.number} {supplier.name}")
        row = PurchaseReturnLine(branch_id=receipt.branch_id, purchase_return_id=purchase_return.id,
                                 goods_receipt_line_id=line.id, part_id=part.id, quantity=quantity,
                                 unit_cost=line.unit_cost, stock_move_id=move.id)
        session.add(row)
        made.append(row)
        total += to_fen(quantity * line.unit_cost)
    purchase_return.total = total
    session.add(purchase_return)
    session.flush()
    if total != 0:
        open_items.add_item(session, branch_id=receipt.branch_id, party_kind=PartyKind.SUPPLIER,
                            party_id=supplier.id, direction=Direction.PAYABLE, source=OpenItemSource.PURCHASE_RETURN,
                            source_id=purchase_return.id, number=purchase_return.number, amount=-total,
                            document_date=day, due=open_items.due_on(supplier.terms, supplier.terms_days, day))
        # What is owed drops now: the credit settles its own receipt first (then older debits), not at the next payment.
        payables.apply_credits(session, actor, PartyKind.SUPPLIER, supplier.id, branch_id=receipt.branch_id)
    audit.record(session, actor, "purchase_return.create", "purchase_return", purchase_return.id,
                 branch_id=purchase_return.branch_id, number=purchase_return.number, goods_receipt_id=receipt.id,
                 total=total)
    session.flush()
    return ReturnResult(purchase_return, made)


def get_return(session: Session, actor: User, return_id) -> PurchaseReturn:
    return purchase_orders.by_id(session, actor, PurchaseReturn, return_id, "采退单不存在")


def returns_of_receipt(session: Session, actor: User, receipt_id: int) -> list[PurchaseReturn]:
    require(actor, Permission.VIEW_PARTS)
    return list(session.exec(select(PurchaseReturn).where(PurchaseReturn.branch_id == actor.branch_id,
                                                          PurchaseReturn.goods_receipt_id == receipt_id)
                             .order_by(col(PurchaseReturn.id))).all())
