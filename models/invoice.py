"""Invoices (发票, F2): issued to customers, insurers and manufacturers (开票) against settlements, and received from
suppliers (收票) against goods receipts.

- ``InvoiceSubject`` is one invoiceable amount of one document: a settlement's customer share, or its insurer's or
  manufacturer's share (one per party named on the lines), or a supplier's goods receipt. ``invoiced_amount`` is the
  sum of the invoice lines pointing at it, kept in step by the invoice in its own transaction (like
  ``Settlement.paid_amount``); the database refuses it above ``amount``, so nothing is ever invoiced twice.
- ``Invoice`` is one 数电票 with its 20-digit number. A 红冲 (red-letter reversal) is a new invoice with a negative
  amount pointing at the one it reverses (``reverses_id``); the original's ``reversed_amount`` never goes above its
  amount. Invoices are only ever added.
- ``InvoiceLine`` says how much of an invoice went to which subject (an issued invoice has one line; a received one
  one per goods receipt it covers), signed like the invoice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field


class InvoiceDirection(StrEnum):
    ISSUED = "issued"  # 开票: the shop invoices a customer, insurer or manufacturer
    RECEIVED = "received"  # 收票: a supplier invoices the shop

    @property
    def label(self) -> str:
        return {"issued": "开票", "received": "收票"}[self.value]


class InvoiceKind(StrEnum):
    SPECIAL = "special"  # 增值税专用发票: the buyer deducts the input tax; needs its tax ID
    NORMAL = "normal"  # 普通发票

    @property
    def label(self) -> str:
        return {"special": "专票", "normal": "普票"}[self.value]


class InvoiceShare(StrEnum):
    """Whose part of a document a subject is."""

    CUSTOMER = "customer"  # the settlement's customer amount
    INSURANCE = "insurance"  # the insurer's share (保险 lines)
    WARRANTY = "warranty"  # the manufacturer's share (三包 lines)
    SUPPLIER = "supplier"  # a goods receipt's value

    @property
    def label(self) -> str:
        return {"customer": "客户", "insurance": "保险公司", "warranty": "厂家", "supplier": "供应商"}[self.value]


class InvoiceSource(StrEnum):
    SETTLEMENT = "settlement"
    GOODS_RECEIPT = "goods_receipt"


class InvoiceSubject(SQLModel, table=True):
    __tablename__ = "invoice_subject"
    __table_args__ = (UniqueConstraint("source", "source_id", "share", "party_name", name="uq_invoice_subject_share"),
                      CheckConstraint("amount >= 0 AND invoiced_amount >= 0 AND invoiced_amount <= amount",
                                      name="invoiced_within_amount"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    direction: InvoiceDirection = enum_field()
    source: InvoiceSource = enum_field()
    source_id: int
    share: InvoiceShare = enum_field()
    party_name: str = Field(default="", max_length=80)  # the insurer/manufacturer as the lines name it; "" otherwise
    number: str = Field(max_length=20)  # the document's number
    amount: Decimal = money_field()  # what may be invoiced (tax included)
    invoiced_amount: Decimal = money_field()
    document_date: date
    created_at: datetime = created_at_field()


class Invoice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("branch_id", "direction", "number", name="uq_invoice_branch_direction_number"),
        UniqueConstraint("branch_id", "request_key", name="uq_invoice_request_key"),
        CheckConstraint("length(number) = 20", name="number_20_digits"),
        CheckConstraint("(reverses_id IS NULL AND amount > 0) OR (reverses_id IS NOT NULL AND amount < 0)",
                        name="red_points_at_original"),
        CheckConstraint("reversed_amount >= 0 AND (amount < 0 OR reversed_amount <= amount) "
                        "AND (amount > 0 OR reversed_amount = 0)", name="reversed_within_amount"),
        CheckConstraint("kind <> 'special' OR length(tax_id) = 18", name="special_has_tax_id"),
        Index("ix_invoice_branch_direction_created", "branch_id", "direction", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    direction: InvoiceDirection = enum_field()
    number: str = Field(max_length=20)  # 数电票号码, 20 digits
    kind: InvoiceKind = enum_field()
    title: str = Field(max_length=100)  # issued: the buyer's name (抬头); received: the seller's
    tax_id: str = Field(default="", max_length=20)  # 统一社会信用代码 of the buyer (issued) or seller (received)
    amount: Decimal = money_field()  # tax included; negative for a 红冲
    tax: Decimal = money_field()
    tax_rate: Decimal | None = Field(default=None, max_digits=5, decimal_places=2)  # percent
    reverses_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    reversed_amount: Decimal = money_field()  # how much of it later 红冲 took back (positive)
    supplier_id: int | None = Field(default=None, foreign_key="supplier.id", index=True)  # received
    expected_amount: Decimal | None = money_field(default=None)  # received: the receipts' value it was matched to
    order_amount: Decimal | None = money_field(default=None)  # received: those goods at the purchase orders' prices
    difference_reason: str = Field(default="", max_length=200)  # received beyond the tolerance; a 红冲's reason
    request_key: str = Field(max_length=36)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field(index=True)


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    subject_id: int = Field(foreign_key="invoice_subject.id", index=True)
    amount: Decimal = money_field()  # signed like the invoice
