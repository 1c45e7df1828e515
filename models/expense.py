"""Expense categories (费用类别): what money or stock spent for the shop itself is booked to — shop consumables, the
wash bay, promotion gifts. The storeroom's internal use and gifts name one; finance books expenses to them too."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field


class ExpenseKind(StrEnum):
    INTERNAL_USE = "internal_use"  # 内部耗用: consumables, tools, the wash bay
    PROMOTION = "promotion"  # 促销: gifts to customers
    OTHER = "other"

    @property
    def label(self) -> str:
        return EXPENSE_KIND_LABELS[self]


EXPENSE_KIND_LABELS = {ExpenseKind.INTERNAL_USE: "内部耗用", ExpenseKind.PROMOTION: "促销", ExpenseKind.OTHER: "其他"}


class ExpenseCategory(SQLModel, table=True):
    __tablename__ = "expense_category"
    __table_args__ = (UniqueConstraint("branch_id", "name", name="uq_expense_category_name"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=32)
    kind: ExpenseKind = enum_field(default=ExpenseKind.INTERNAL_USE)
    is_active: bool = True
    created_at: datetime = created_at_field()


class ExpenseStatus(StrEnum):
    PENDING = "pending"  # 待审批: waiting for the first (manager's) approval
    PENDING_SECOND = "pending_second"  # 待复核: above the branch's amount, waiting for head office's approval
    APPROVED = "approved"  # 已批准: waiting to be paid
    PAID = "paid"  # 已支付: paid from a money account, in its journal
    REJECTED = "rejected"  # 已驳回
    WITHDRAWN = "withdrawn"  # 已撤回 by the person who asked

    @property
    def label(self) -> str:
        return EXPENSE_STATUS_LABELS[self]


EXPENSE_STATUS_LABELS = {ExpenseStatus.PENDING: "待审批", ExpenseStatus.PENDING_SECOND: "待复核",
                         ExpenseStatus.APPROVED: "已批准", ExpenseStatus.PAID: "已支付",
                         ExpenseStatus.REJECTED: "已驳回", ExpenseStatus.WITHDRAWN: "已撤回"}


class Expense(SQLModel, table=True):
    """费用报销/支出: money the shop spends for itself, asked for by one person, approved by one or two others
    (``approvals_needed``, fixed when asked from the branch's amount), then paid from a money account, whose journal
    entry names this expense. Status moves only forward by compare-and-set; the database refuses an approver who
    is the requester, a paid expense without its account, and an approved one without its approvals."""

    __tablename__ = "expense"
    __table_args__ = (
        UniqueConstraint("branch_id", "number", name="uq_expense_number"),
        UniqueConstraint("branch_id", "request_key", name="uq_expense_request_key"),
        Index("ix_expense_branch_status", "branch_id", "status"),
        Index("ix_expense_branch_paid", "branch_id", "paid_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("approvals_needed IN (1, 2)", name="approvals_needed_one_or_two"),
        CheckConstraint("first_approver_id IS NULL OR first_approver_id <> requested_by_id",
                        name="first_approver_not_requester"),
        CheckConstraint("second_approver_id IS NULL OR (second_approver_id <> requested_by_id "
                        "AND second_approver_id <> first_approver_id)", name="second_approver_distinct"),
        CheckConstraint("status NOT IN ('approved', 'paid') OR (first_approver_id IS NOT NULL AND "
                        "(approvals_needed = 1 OR second_approver_id IS NOT NULL))", name="approved_by_enough"),
        CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL AND account_id IS NOT NULL)",
                        name="paid_with_account"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)  # BX20261205-0001
    category_id: int = Field(foreign_key="expense_category.id", index=True)
    amount: Decimal = money_field()
    payee: str = Field(max_length=48)  # 收款人/单位
    note: str = Field(default="", max_length=200)
    status: ExpenseStatus = enum_field(default=ExpenseStatus.PENDING)
    approvals_needed: int = 1
    request_key: str = Field(max_length=36)
    requested_by_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field(index=True)
    first_approver_id: int | None = Field(default=None, foreign_key="user.id")
    first_approved_at: datetime | None = None
    second_approver_id: int | None = Field(default=None, foreign_key="user.id")
    second_approved_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")  # who rejected it
    decided_at: datetime | None = None  # rejected or withdrawn at
    reason: str = Field(default="", max_length=200)  # why it was rejected
    account_id: int | None = Field(default=None, foreign_key="money_account.id")
    paid_by_id: int | None = Field(default=None, foreign_key="user.id")
    paid_at: datetime | None = None
    pay_key: str = Field(default="", max_length=36)  # the payment's request key: a resent payment finds it
