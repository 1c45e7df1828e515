"""Who owes what (应收应付): one open item per document that creates a debt between the shop and a party, and the
allocations (核销) that settle them against each other.

Every item belongs to a party of some kind (a supplier now; customers, insurers and manufacturers later) and faces
one way: ``payable`` (the shop owes the party) or ``receivable`` (the party owes the shop). Its ``amount`` is signed
in that direction: a supplier's goods receipt is a positive payable, a return to that supplier or a payment to it is
a negative one (a credit). An allocation takes an amount off one positive and one negative item of the same party
and direction at once, so the sum of a party's open amounts is always what is owed; a credit left open is an
advance. Items and allocations are only ever added; ``open_amount`` moves with each allocation, in the same
transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field
from models.purchasing import PaymentTerms


class PartyKind(StrEnum):
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    INSURER = "insurer"
    MANUFACTURER = "manufacturer"

    @property
    def label(self) -> str:
        return {"supplier": "供应商", "customer": "客户", "insurer": "保险公司", "manufacturer": "厂家"}[self.value]


class Direction(StrEnum):
    PAYABLE = "payable"  # 应付: the shop owes the party
    RECEIVABLE = "receivable"  # 应收: the party owes the shop

    @property
    def label(self) -> str:
        return {"payable": "应付", "receivable": "应收"}[self.value]


class OpenItemSource(StrEnum):
    """The document behind an item."""

    GOODS_RECEIPT = "goods_receipt"
    PURCHASE_RETURN = "purchase_return"
    PARTY_PAYMENT = "party_payment"  # money paid to a party (payable) or received from one (receivable: 收款)
    ON_ACCOUNT = "on_account"  # a customer's 挂账 payment on a settlement
    INSURANCE_SHARE = "insurance_share"  # the insurer's share of a settlement (保险)
    WARRANTY_SHARE = "warranty_share"  # the manufacturer's share of a settlement (三包)
    REVERSAL = "reversal"  # an item taken back when its settlement is reopened

    @property
    def label(self) -> str:
        return OPEN_ITEM_SOURCE_LABELS[self]


OPEN_ITEM_SOURCE_LABELS = {OpenItemSource.GOODS_RECEIPT: "进货入库", OpenItemSource.PURCHASE_RETURN: "采购退货",
                           OpenItemSource.PARTY_PAYMENT: "付款", OpenItemSource.ON_ACCOUNT: "挂账",
                           OpenItemSource.INSURANCE_SHARE: "保险理赔", OpenItemSource.WARRANTY_SHARE: "三包索赔",
                           OpenItemSource.REVERSAL: "冲销"}


class Counterparty(SQLModel, table=True):
    """An insurer (保险公司) or a manufacturer (厂家) that pays its share of settlements (保险 and 三包 lines): the
    party of their receivable open items. Kept per branch, like suppliers: a branch deals with the insurer's local
    office."""

    __table_args__ = (UniqueConstraint("branch_id", "kind", "name", name="uq_counterparty_branch_kind_name"),
                      CheckConstraint("kind IN ('insurer', 'manufacturer')", name="counterparty_kind"),
                      CheckConstraint("terms_days >= 0 AND terms_days <= 365", name="terms_days_in_range"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    kind: PartyKind = enum_field()
    name: str = Field(max_length=48)  # as a settlement line's payer_party names it
    contact: str = Field(default="", max_length=32)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)
    tax_id: str = Field(default="", max_length=20)
    terms: PaymentTerms = enum_field(default=PaymentTerms.CASH)
    terms_days: int = 0
    is_active: bool = True
    created_at: datetime = created_at_field()


class OpenItem(SQLModel, table=True):
    __tablename__ = "open_item"
    __table_args__ = (
        # One item per document and party: a settlement may owe two insurers (or manufacturers) their shares.
        UniqueConstraint("source", "source_id", "party_kind", "party_id", name="uq_open_item_source"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("(amount > 0 AND open_amount >= 0 AND open_amount <= amount) OR "
                        "(amount < 0 AND open_amount <= 0 AND open_amount >= amount)", name="open_within_amount"),
        # What is still open is a small part of all items: ageing, paying and allocating read only that part.
        Index("ix_open_item_open", "branch_id", "party_kind", "direction", "party_id", "due_on",
              sqlite_where=text("open_amount <> 0"), postgresql_where=text("open_amount <> 0")),
        # The figures' totals by direction (and overdue) read this index alone, never the rows.
        Index("ix_open_item_position", "branch_id", "direction", "due_on", "open_amount",
              sqlite_where=text("open_amount <> 0"), postgresql_where=text("open_amount <> 0")),
        # A party's documents by day: its statement (the opening balance and the period's lines).
        Index("ix_open_item_party_documents", "branch_id", "party_kind", "direction", "party_id", "document_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    party_kind: PartyKind = enum_field(index=True)
    party_id: int = Field(index=True)  # the supplier's (customer's…) id
    direction: Direction = enum_field()
    source: OpenItemSource = enum_field()
    source_id: int
    number: str = Field(max_length=20)  # the document's number, as statements print it
    amount: Decimal = money_field()
    open_amount: Decimal = money_field()
    document_date: date  # the shop day of the document
    due_on: date = Field(index=True)
    created_at: datetime = created_at_field()


class Allocation(SQLModel, table=True):
    """核销: ``amount`` settled between a positive item (``debit_item_id``) and a negative one of the same party."""

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    debit_item_id: int = Field(foreign_key="open_item.id", index=True)
    credit_item_id: int = Field(foreign_key="open_item.id", index=True)
    amount: Decimal = money_field()
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()


class PartyPaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    WECHAT = "wechat"  # the shop's WeChat and Alipay merchant accounts (a customer paying down 挂账)
    ALIPAY = "alipay"

    @property
    def label(self) -> str:
        return {"cash": "现金", "bank_transfer": "银行转账", "wechat": "微信", "alipay": "支付宝"}[self.value]


class PartyPayment(SQLModel, table=True):
    """Money paid to a party (付款) or received from one (收款); its open item is the credit that allocations use."""

    __tablename__ = "party_payment"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_party_payment_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_party_payment_request_key"),
                      CheckConstraint("amount > 0", name="amount_positive"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    party_kind: PartyKind = enum_field(index=True)
    party_id: int = Field(index=True)
    direction: Direction = enum_field()
    method: PartyPaymentMethod = enum_field()
    amount: Decimal = money_field()
    reference: str = Field(default="", max_length=64)  # bank slip or voucher number
    note: str = Field(default="", max_length=200)
    user_id: int = Field(foreign_key="user.id")
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field(index=True)
