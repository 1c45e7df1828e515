from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, text
from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field
from models.payer import Payer


class FeeType(SQLModel, table=True):
    """An "other fee" the branch charges (外加工, 材料费, 管理费 …), with a default amount."""

    __tablename__ = "fee_type"
    __table_args__ = (UniqueConstraint("branch_id", "name", name="uq_fee_type_branch_name"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=32)
    default_amount: Decimal = money_field()
    is_active: bool = True


class OrderFee(SQLModel, table=True):
    __tablename__ = "order_fee"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    fee_type_id: int | None = Field(default=None, foreign_key="fee_type.id")
    name: str = Field(max_length=32)
    amount: Decimal = money_field()
    payer: Payer = enum_field(default=Payer.CUSTOMER)
    payer_party: str = Field(default="", max_length=48)
    discount: Decimal = money_field()
    created_at: datetime = created_at_field()


class SettlementStatus(StrEnum):
    ACTIVE = "active"
    REOPENED = "reopened"  # superseded: a manager reopened the order


ACTIVE_ONLY = text("status = 'active'")


class Settlement(SQLModel, table=True):
    """A snapshot of what an order costs and who pays what (结算单). Later price edits never change it.

    The database holds the money rules too: one active settlement per order; ``paid_amount`` (the payments' sum,
    kept in step by the payment in its own transaction) never above the customer amount, and nothing paid on a
    settlement that is not active — so a paid settlement cannot be reopened."""

    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_settlement_branch_number"),
                      Index("ix_settlement_branch_created", "branch_id", "created_at"),  # a branch's day
                      Index("uq_settlement_one_active_per_order", "work_order_id", unique=True,
                            sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY),
                      UniqueConstraint("id", "status", name="uq_settlement_id_status"),  # payments point at both
                      CheckConstraint("paid_amount >= 0 AND paid_amount <= customer_amount",
                                      name="paid_within_customer_amount"),
                      CheckConstraint("status = 'active' OR paid_amount = 0", name="paid_only_while_active"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    number: str = Field(max_length=20)
    status: SettlementStatus = enum_field(default=SettlementStatus.ACTIVE, index=True)
    labor_total: Decimal = money_field()  # after line discounts, all payers
    parts_total: Decimal = money_field()
    other_total: Decimal = money_field()
    gross: Decimal = money_field()  # labor + parts + other, after line discounts, before the order discount
    order_discount: Decimal = money_field()
    customer_amount: Decimal = money_field()  # what the customer pays (order discount taken off)
    paid_amount: Decimal = money_field()  # what the customer has paid so far: the sum of the payments
    warranty_amount: Decimal = money_field()
    insurance_amount: Decimal = money_field()
    internal_amount: Decimal = money_field()
    vat_rate: Decimal = Field(max_digits=5, decimal_places=2)
    vat_amount: Decimal = money_field()  # the VAT inside the customer amount (prices include tax)
    parts_cost: Decimal = money_field()
    billed_hours: Decimal = Field(default=Decimal("0.00"), max_digits=8, decimal_places=2)
    # Printed on the sheet as they were when it was made: the branch's 维修质保期 and the next service entered
    # (empty on settlements made before the sheet printed them)
    warranty_days: int | None = None
    warranty_km: int | None = None
    next_service_date: date | None = None
    next_service_mileage: int | None = None
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field(index=True)
    reopened_by_id: int | None = Field(default=None, foreign_key="user.id")
    reopened_at: datetime | None = None
    reopen_reason: str = Field(default="", max_length=200)


class SettlementLineKind(StrEnum):
    LABOR = "labor"
    PART = "part"
    FEE = "fee"


class SettlementLine(SQLModel, table=True):
    __tablename__ = "settlement_line"

    id: int | None = Field(default=None, primary_key=True)
    settlement_id: int = Field(foreign_key="settlement.id", index=True)
    kind: SettlementLineKind = enum_field()
    description: str = Field(max_length=120)
    quantity: Decimal = Field(max_digits=10, decimal_places=2)
    unit_price: Decimal = money_field()
    amount: Decimal = money_field()  # quantity × unit price (or the fixed price)
    discount: Decimal = money_field()
    net: Decimal = money_field()  # amount − discount
    payer: Payer = enum_field()
    payer_party: str = Field(default="", max_length=48)
    # The insurer or manufacturer that ``payer_party`` names (保险 and 三包 lines): the party of its open item.
    counterparty_id: int | None = Field(default=None, foreign_key="counterparty.id", index=True)
    cost: Decimal = money_field()  # parts: cost of what was used; 0 otherwise
    hours: Decimal = Field(default=Decimal("0.00"), max_digits=6, decimal_places=2)


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "bank_card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    MEMBER_CARD = "member_card"
    ON_ACCOUNT = "on_account"

    @property
    def label(self) -> str:
        return {"cash": "现金", "bank_card": "银行卡", "wechat": "微信", "alipay": "支付宝", "member_card": "会员卡",
                "on_account": "挂账"}[self.value]


class Payment(SQLModel, table=True):
    """Money received against a settlement (several partial payments allowed). It points at the settlement and
    its status together, and that status must be active: the database refuses a payment on a reopened settlement,
    and refuses to reopen a settlement that has payments."""

    __table_args__ = (UniqueConstraint("branch_id", "request_key", name="uq_payment_request_key"),
                      UniqueConstraint("branch_id", "number", name="uq_payment_branch_number"),
                      Index("ix_payment_branch_created", "branch_id", "created_at"),  # a branch's day
                      Index("ix_payment_cashier_created", "created_by_id", "created_at"),  # a cashier's shift
                      ForeignKeyConstraint(["settlement_id", "settlement_status"], ["settlement.id", "settlement.status"],
                                           name="fk_payment_settlement_id_settlement"),
                      CheckConstraint("settlement_status = 'active'", name="against_active_settlement"),
                      CheckConstraint("amount > 0", name="amount_positive"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    settlement_id: int = Field(index=True)
    settlement_status: SettlementStatus = enum_field(default=SettlementStatus.ACTIVE)
    number: str = Field(max_length=20)
    method: PaymentMethod = enum_field()
    amount: Decimal = money_field()
    tendered: Decimal | None = money_field(default=None)  # cash handed over
    change: Decimal = money_field()
    request_key: str = Field(max_length=36)  # a double tap or a resent request finds this row
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field(index=True)


class MemberCard(SQLModel, table=True):
    __tablename__ = "member_card"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_member_card_branch_number"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    number: str = Field(max_length=20)
    balance: Decimal = money_field()
    is_active: bool = True
    created_at: datetime = created_at_field()


class CardTransaction(SQLModel, table=True):
    """The card's balance history: top-ups (+) and payments (−)."""

    __tablename__ = "card_transaction"

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="member_card.id", index=True)
    amount: Decimal = money_field()
    balance_after: Decimal = money_field()
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    note: str = Field(default="", max_length=100)
    request_key: str | None = Field(default=None, max_length=36, unique=True)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
