"""调价单: a sale-price change for a selection of parts. Prepared (its lines are the preview: old → new price per
part), then applied once — dated when applied — or cancelled. ``PriceChange`` rows are each part's price history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field


class PriceRule(StrEnum):
    PERCENT = "percent"  # ± % on the current sale price
    MARGIN = "margin"  # cost × (1 + %): a markup over cost

    @property
    def label(self) -> str:
        return {"percent": "按售价调整", "margin": "按成本加成"}[self.value]


class PriceAdjustmentStatus(StrEnum):
    DRAFT = "draft"
    APPLIED = "applied"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"draft": "待执行", "applied": "已执行", "cancelled": "已作废"}[self.value]


class PriceAdjustment(SQLModel, table=True):
    __tablename__ = "price_adjustment"
    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_price_adjustment_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_price_adjustment_request_key"),
                      CheckConstraint("status <> 'applied' OR (applied_at IS NOT NULL AND applied_by_id IS NOT NULL)",
                                      name="applied_has_when_and_who"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    selection: str = Field(default="", max_length=200)  # what was chosen, as a person reads it
    rule: PriceRule = enum_field()
    percent: Decimal = Field(max_digits=7, decimal_places=2)
    rounding: Decimal = Field(max_digits=4, decimal_places=2)  # 0.10 or 1.00 yuan
    status: PriceAdjustmentStatus = enum_field(default=PriceAdjustmentStatus.DRAFT, index=True)
    created_by_id: int = Field(foreign_key="user.id")
    applied_by_id: int | None = Field(default=None, foreign_key="user.id")
    applied_at: datetime | None = None
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field(index=True)


class PriceChange(SQLModel, table=True):
    """One part's line on an adjustment: its price before and after (``cost`` is the basis a margin rule used)."""

    __tablename__ = "price_change"
    __table_args__ = (UniqueConstraint("price_adjustment_id", "part_id", name="uq_price_change_part"),
                      CheckConstraint("old_price >= 0 AND new_price >= 0", name="prices_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    price_adjustment_id: int = Field(foreign_key="price_adjustment.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    old_price: Decimal = money_field()
    new_price: Decimal = money_field()
    cost: Decimal = Field(default=Decimal("0.0000"), max_digits=14, decimal_places=4)
