"""出库单 for the shop's own use: internal use (内部领料) to an expense category, and gifts (赠品出库) to promotion.

A slip is posted when it is made: each line is one ledger move out at the average cost (``unit_cost`` is the cost it
left at, ``value`` = quantity × cost to the fen); ``total`` is what the expense category is charged.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field


class StockIssueKind(StrEnum):
    INTERNAL_USE = "internal_use"
    GIFT = "gift"

    @property
    def label(self) -> str:
        return STOCK_ISSUE_KIND_LABELS[self]


STOCK_ISSUE_KIND_LABELS = {StockIssueKind.INTERNAL_USE: "内部领料", StockIssueKind.GIFT: "赠品出库"}


class StockIssue(SQLModel, table=True):
    __tablename__ = "stock_issue"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_stock_issue_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_stock_issue_request_key"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    kind: StockIssueKind = enum_field()
    warehouse_id: int = Field(foreign_key="warehouse.id")
    expense_category_id: int = Field(foreign_key="expense_category.id", index=True)
    recipient: str = Field(default="", max_length=60)  # who took it: 洗车房小王, a customer's name
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id")  # a gift with a repair
    note: str = Field(default="", max_length=200)
    total: Decimal = money_field()
    user_id: int = Field(foreign_key="user.id")
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field(index=True)


class StockIssueLine(SQLModel, table=True):
    __tablename__ = "stock_issue_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    stock_issue_id: int = Field(foreign_key="stock_issue.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    quantity: Decimal = Field(max_digits=12, decimal_places=2)
    unit_cost: Decimal = Field(max_digits=14, decimal_places=4)  # the average cost it left at
    value: Decimal = money_field()
    stock_move_id: int = Field(foreign_key="stock_move.id", unique=True)
