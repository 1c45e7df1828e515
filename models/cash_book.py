"""Cash and bank (资金, F3): the branch's money accounts — the cash drawer, bank accounts, the WeChat and Alipay
merchant accounts — and their journal (现金日记账, 银行日记账).

Every receipt and payment of money posts one ``JournalEntry`` to the account its method maps to, in the same
transaction as the document; the account's ``balance`` moves with it and each entry keeps the balance after it (the
running balance a journal prints). Entries are only ever added: a correction is a new entry. So the sum of an
account's entries is always its balance (``python -m lantong_pwa check`` looks).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field


class AccountKind(StrEnum):
    CASH = "cash"
    BANK = "bank"
    WECHAT = "wechat"
    ALIPAY = "alipay"

    @property
    def label(self) -> str:
        return {"cash": "现金", "bank": "银行", "wechat": "微信商户", "alipay": "支付宝商户"}[self.value]


class MoneyAccount(SQLModel, table=True):
    __tablename__ = "money_account"
    __table_args__ = (UniqueConstraint("branch_id", "name", name="uq_money_account_name"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    kind: AccountKind = enum_field()
    name: str = Field(max_length=32)
    account_number: str = Field(default="", max_length=40)  # 开户行及账号, or the merchant number
    balance: Decimal = money_field()
    is_active: bool = True
    created_at: datetime = created_at_field()


class MethodAccount(SQLModel, table=True):
    """Which account a payment method's money goes to (现金 → the drawer, 银行卡 → the bank account …). A method
    with no row (会员卡, 挂账) moves no money."""

    __tablename__ = "method_account"
    __table_args__ = (UniqueConstraint("branch_id", "method", name="uq_method_account_method"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    method: str = Field(max_length=24)  # a PaymentMethod or PartyPaymentMethod value
    account_id: int = Field(foreign_key="money_account.id")


class JournalEntry(SQLModel, table=True):
    """One movement of money in or out of an account (signed ``amount``), with the balance after it and the
    document it belongs to (a customer payment, a supplier payment, a transfer, a top-up …)."""

    __tablename__ = "journal_entry"
    __table_args__ = (Index("ix_journal_entry_account", "account_id", "id"),
                      Index("ix_journal_entry_document", "document_type", "document_id"),
                      CheckConstraint("amount <> 0", name="amount_not_zero"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    account_id: int = Field(foreign_key="money_account.id")
    amount: Decimal = money_field()
    balance_after: Decimal = money_field()
    document_type: str = Field(max_length=24)
    document_id: int | None = None
    summary: str = Field(default="", max_length=120)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field(index=True)


class AccountTransfer(SQLModel, table=True):
    """Money moved between two accounts of the branch (cash banked, a merchant account paid out to the bank)."""

    __tablename__ = "account_transfer"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_account_transfer_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_account_transfer_request_key"),
                      CheckConstraint("amount > 0", name="amount_positive"),
                      CheckConstraint("from_account_id <> to_account_id", name="between_two_accounts"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    from_account_id: int = Field(foreign_key="money_account.id")
    to_account_id: int = Field(foreign_key="money_account.id")
    amount: Decimal = money_field()
    note: str = Field(default="", max_length=120)
    request_key: str = Field(max_length=36)
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()


class CashCloseStatus(StrEnum):
    COUNTED = "counted"  # counted blind; the difference still needs its reason
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"counted": "待说明差异", "closed": "已交班"}[self.value]


class CashClose(SQLModel, table=True):
    """日结/交班: a cashier's shift closed by counting the cash taken blind. The shift runs from the cashier's previous
    close (``shift_start``) to ``created_at``; ``expected`` is the cash the journal has from that cashier in between,
    ``counted`` what they counted without seeing it. A difference needs a reason and is posted to the cash account
    (长款/短款) when the close is explained, so the journal stays what the drawer holds."""

    __tablename__ = "cash_close"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_cash_close_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_cash_close_request_key"),
                      Index("ix_cash_close_cashier", "cashier_id", "id"),
                      CheckConstraint("counted >= 0", name="counted_not_negative"),
                      CheckConstraint("status = 'counted' OR counted = expected OR reason <> ''",
                                      name="difference_has_reason"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    cashier_id: int = Field(foreign_key="user.id")
    account_id: int = Field(foreign_key="money_account.id")  # the cash account counted
    shift_start: datetime | None = None  # the cashier's previous close; None: their first
    expected: Decimal = money_field()
    counted: Decimal = money_field()
    reason: str = Field(default="", max_length=200)
    status: CashCloseStatus = enum_field(default=CashCloseStatus.COUNTED)
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field()
    closed_at: datetime | None = None
