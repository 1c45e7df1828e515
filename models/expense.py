"""Expense categories (费用类别): what money or stock spent for the shop itself is booked to — shop consumables, the
wash bay, promotion gifts. The storeroom's internal use and gifts name one; finance books expenses to them too."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field


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
