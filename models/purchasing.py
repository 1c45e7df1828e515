"""Buying parts (配件采购, P1–P4): suppliers and what they offer, purchase orders, goods received against them (or
over the counter) and goods sent back.

Quantities are ``Numeric(12, 2)``, prices money, unit costs ``Numeric(14, 4)`` like the stock ledger's. A receipt
line and a return line each point at the one ``StockMove`` they posted; what the shop owes for them is an
``OpenItem`` (models/open_item.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field

ZERO_QTY = Decimal("0.00")


def quantity_field(**kwargs) -> Decimal:
    kwargs.setdefault("default", ZERO_QTY)
    return Field(max_digits=12, decimal_places=2, **kwargs)


def unit_cost_field(**kwargs) -> Decimal:
    kwargs.setdefault("default", Decimal("0.0000"))
    return Field(max_digits=14, decimal_places=4, **kwargs)


class PaymentTerms(StrEnum):
    """When what is owed falls due: 现结 (on the day), 月结 N天 (N days after the end of the month), or N天."""

    CASH = "cash"
    MONTHLY = "monthly"
    DAYS = "days"

    @property
    def label(self) -> str:
        return {"cash": "现结", "monthly": "月结", "days": "账期"}[self.value]


class Supplier(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "code", name="uq_supplier_branch_code"),
                      CheckConstraint("terms_days >= 0 AND terms_days <= 365", name="terms_days_in_range"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=80)
    contact: str = Field(default="", max_length=32)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)
    tax_id: str = Field(default="", max_length=20)
    bank_account: str = Field(default="", max_length=100)
    terms: PaymentTerms = enum_field(default=PaymentTerms.CASH)
    terms_days: int = 0  # 月结: days after the month's end; 账期: days after the document
    is_active: bool = True
    created_at: datetime = created_at_field()


class SupplierPart(SQLModel, table=True):
    """What a supplier offers: a part at a price, with a minimum order quantity and a quoted lead time."""

    __tablename__ = "supplier_part"
    __table_args__ = (UniqueConstraint("supplier_id", "part_id", name="uq_supplier_part"),
                      CheckConstraint("price >= 0 AND min_quantity >= 0 AND lead_days >= 0",
                                      name="offer_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    price: Decimal = money_field()
    min_quantity: Decimal = quantity_field()
    lead_days: int = 0
    updated_at: datetime = created_at_field()


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    ORDERED = "ordered"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "approved": "已审核", "ordered": "已下单", "partly_received": "部分到货",
                "received": "已到货", "closed": "已关闭", "cancelled": "已作废"}[self.value]


# Ordered with the supplier and not yet all in: what counts as in transit (在途).
IN_TRANSIT_STATUSES = (PurchaseOrderStatus.ORDERED, PurchaseOrderStatus.PARTLY_RECEIVED)


class PurchaseOrder(SQLModel, table=True):
    """进货单. ``status`` moves by compare-and-set; ``total`` is the lines' ordered value."""

    __tablename__ = "purchase_order"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_purchase_order_number"),
                      UniqueConstraint("share_token", name="uq_purchase_order_share_token"),
                      UniqueConstraint("branch_id", "request_key", name="uq_purchase_order_request_key"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id")  # where the goods are expected
    status: PurchaseOrderStatus = enum_field(default=PurchaseOrderStatus.DRAFT, index=True)
    expected_on: date | None = None
    note: str = Field(default="", max_length=200)
    total: Decimal = money_field()
    share_token: str = Field(max_length=32)  # the supplier's link
    created_by_id: int = Field(foreign_key="user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: datetime | None = None
    ordered_at: datetime | None = None
    finished_at: datetime | None = None  # received in full, closed or cancelled
    request_key: str | None = Field(default=None, max_length=36)
    created_at: datetime = created_at_field(index=True)
    updated_at: datetime = created_at_field()


class PurchaseOrderLine(SQLModel, table=True):
    """One part on an order. In transit = quantity − received − cancelled while the order is ordered."""

    __tablename__ = "purchase_order_line"
    __table_args__ = (CheckConstraint("quantity > 0 AND unit_price >= 0", name="quantity_and_price"),
                      CheckConstraint("received_quantity >= 0 AND cancelled_quantity >= 0 "
                                      "AND cancelled_quantity <= quantity", name="received_and_cancelled"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    purchase_order_id: int = Field(foreign_key="purchase_order.id", index=True)
    position: int = 0
    part_id: int = Field(foreign_key="part.id", index=True)
    quantity: Decimal = quantity_field()
    unit_price: Decimal = money_field()
    received_quantity: Decimal = quantity_field()
    cancelled_quantity: Decimal = quantity_field()


class GoodsReceipt(SQLModel, table=True):
    """入库单: goods in from a supplier, against a purchase order or over the counter (no order)."""

    __tablename__ = "goods_receipt"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_goods_receipt_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_goods_receipt_request_key"),
                      CheckConstraint("freight >= 0", name="freight_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    purchase_order_id: int | None = Field(default=None, foreign_key="purchase_order.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id")
    freight: Decimal = money_field()  # 运费, spread over the lines by value
    total: Decimal = money_field()  # goods + freight: what is owed for it
    note: str = Field(default="", max_length=200)
    user_id: int = Field(foreign_key="user.id")
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field(index=True)


class GoodsReceiptLine(SQLModel, table=True):
    """One part received: ``unit_cost`` = (price × quantity + freight share) ÷ quantity is what it entered stock at,
    and what a return of it leaves at."""

    __tablename__ = "goods_receipt_line"
    __table_args__ = (CheckConstraint("quantity > 0 AND unit_price >= 0 AND freight_share >= 0",
                                      name="quantity_price_freight"),
                      CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity",
                                      name="returned_within_received"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    goods_receipt_id: int = Field(foreign_key="goods_receipt.id", index=True)
    purchase_order_line_id: int | None = Field(default=None, foreign_key="purchase_order_line.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    quantity: Decimal = quantity_field()
    unit_price: Decimal = money_field()
    price_reason: str = Field(default="", max_length=100)  # why a price is 0 or differs from the order
    freight_share: Decimal = money_field()
    unit_cost: Decimal = unit_cost_field()
    returned_quantity: Decimal = quantity_field()
    stock_move_id: int = Field(foreign_key="stock_move.id", unique=True)


class PurchaseReturn(SQLModel, table=True):
    """采退单: goods sent back to the supplier from one receipt, at that receipt's cost."""

    __tablename__ = "purchase_return"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_purchase_return_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_purchase_return_request_key"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    goods_receipt_id: int = Field(foreign_key="goods_receipt.id", index=True)
    reason: str = Field(default="", max_length=200)
    total: Decimal = money_field()
    user_id: int = Field(foreign_key="user.id")
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field(index=True)


class PurchaseReturnLine(SQLModel, table=True):
    __tablename__ = "purchase_return_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    purchase_return_id: int = Field(foreign_key="purchase_return.id", index=True)
    goods_receipt_line_id: int = Field(foreign_key="goods_receipt_line.id", index=True)
    part_id: int = Field(foreign_key="part.id")
    quantity: Decimal = quantity_field()
    unit_cost: Decimal = unit_cost_field()  # the receipt line's, not the average
    stock_move_id: int = Field(foreign_key="stock_move.id", unique=True)
