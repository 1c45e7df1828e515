from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, money_field


class Part(SQLModel, table=True):
    """A catalogue entry: what the shop can fit or sell, with its tax-inclusive sale price and cost."""

    __table_args__ = (UniqueConstraint("branch_id", "code", name="uq_part_branch_code"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=80)
    brand: str = Field(default="", max_length=40)
    unit: str = Field(default="个", max_length=8)
    sale_price: Decimal = money_field()
    cost: Decimal = money_field()
    is_active: bool = True
    created_at: datetime = created_at_field()
