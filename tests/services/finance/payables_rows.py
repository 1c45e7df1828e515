"""Rows for the payables and supplier-choice tests: suppliers, goods receipts and purchase returns written directly
with their open items (as the receiving and return services post them), skipping those services' rules."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from lantong_pwa.services.finance import open_items
from models import (
    Direction,
    GoodsReceipt,
    GoodsReceiptLine,
    OpenItem,
    OpenItemSource,
    PartyKind,
    PaymentTerms,
    PurchaseOrder,
    PurchaseOrderStatus,
    PurchaseReturn,
    StockMove,
    StockMoveKind,
    Supplier,
    Warehouse,
)

_numbers = iter(range(1, 10**6))


def add_supplier(session: Session, branch_id: int, name: str = "华南汽配", *, terms: PaymentTerms = PaymentTerms.DAYS,
                 terms_days: int = 30, **fields) -> Supplier:
    supplier = Supplier(branch_id=branch_id, code=f"S{next(_numbers):04d}", name=name, terms=terms,
                        terms_days=terms_days, **fields)
    session.add(supplier)
    session.commit()
    return supplier


def warehouse_of(session: Session, branch_id: int) -> Warehouse:
    found = session.exec(select(Warehouse).where(Warehouse.branch_id == branch_id)).first()
    if found is None:
        found = Warehouse(branch_id=branch_id, code="MAIN", name="主仓")
        session.add(found)
        session.flush()
    return found


def noon(day: date) -> datetime:
    return datetime.combine(day, time(4, 0), tzinfo=UTC)  # 12:00 in the shop


def add_receipt(session: Session, user, supplier: Supplier, day: date, lines: list[tuple[int, str, str]] = (),
                *, amount: str | None = None, ordered_days_before: int | None = None) -> tuple[GoodsReceipt, OpenItem]:
    """A receipt of ``lines`` [(part id, quantity, unit price)] from ``supplier`` on ``day`` and its open item (due by
    the supplier's terms); ``amount`` alone makes a receipt without lines. ``ordered_days_before``: against an
    order placed that many days earlier."""
    warehouse = warehouse_of(session, supplier.branch_id)
    order = None
    if ordered_days_before is not None:
        order = PurchaseOrder(branch_id=supplier.branch_id, number=f"CG{next(_numbers):08d}", supplier_id=supplier.id,
                              warehouse_id=warehouse.id, status=PurchaseOrderStatus.RECEIVED,
                              share_token=uuid.uuid4().hex, created_by_id=user.id,
                              ordered_at=noon(day) - timedelta(days=ordered_days_before))
        session.add(order)
        session.flush()
    total = Decimal(amount) if amount is not None else sum((Decimal(q) * Decimal(p) for _, q, p in lines), Decimal(0))
    receipt = GoodsReceipt(branch_id=supplier.branch_id, number=f"RK{next(_numbers):08d}", supplier_id=supplier.id,
                           purchase_order_id=order.id if order else None, warehouse_id=warehouse.id, total=total,
                           user_id=user.id, request_key=str(uuid.uuid4()), created_at=noon(day))
    session.add(receipt)
    session.flush()
    for part_id, quantity, price in lines:
        move = StockMove(branch_id=supplier.branch_id, part_id=part_id, warehouse_id=warehouse.id,
                         kind=StockMoveKind.RECEIPT, quantity=Decimal(quantity), unit_cost=Decimal(price),
                         user_id=user.id, created_at=noon(day))
        session.add(move)
        session.flush()
        session.add(GoodsReceiptLine(branch_id=supplier.branch_id, goods_receipt_id=receipt.id, part_id=part_id,
                                     quantity=Decimal(quantity), unit_price=Decimal(price), unit_cost=Decimal(price),
                                     stock_move_id=move.id))
    item = open_items.add_item(session, branch_id=supplier.branch_id, party_kind=PartyKind.SUPPLIER,
                               party_id=supplier.id, direction=Direction.PAYABLE, source=OpenItemSource.GOODS_RECEIPT,
                               source_id=receipt.id, number=receipt.number, amount=total, document_date=day,
                               due=open_items.due_on(supplier.terms, supplier.terms_days, day))
    session.commit()
    return receipt, item


def add_return(session: Session, user, receipt: GoodsReceipt, day: date, amount: str) -> tuple[PurchaseReturn, OpenItem]:
    """A return of ``amount`` from ``receipt`` and its credit (no lines: the payables side only)."""
    back = PurchaseReturn(branch_id=receipt.branch_id, number=f"CT{next(_numbers):08d}", supplier_id=receipt.supplier_id,
                          goods_receipt_id=receipt.id, total=Decimal(amount), user_id=user.id,
                          request_key=str(uuid.uuid4()), created_at=noon(day))
    session.add(back)
    session.flush()
    item = open_items.add_item(session, branch_id=receipt.branch_id, party_kind=PartyKind.SUPPLIER,
                               party_id=receipt.supplier_id, direction=Direction.PAYABLE,
                               source=OpenItemSource.PURCHASE_RETURN, source_id=back.id, number=back.number,
                               amount=-Decimal(amount), document_date=day, due=day)
    session.commit()
    return back, item
