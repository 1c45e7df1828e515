from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, money_field


class Part(SQLModel, table=True):
    """A catalogue entry: what the shop can fit or sell, with its tax-inclusive sale price and cost. A retired part
    (``is_active`` false) keeps its history but can't be ordered or picked."""

    __table_args__ = (UniqueConstraint("branch_id", "code", name="uq_part_branch_code"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=80)
    brand: str = Field(default="", max_length=40)
    spec: str = Field(default="", max_length=80)  # 规格型号
    category: str = Field(default="", max_length=40, index=True)
    oe_number: str = Field(default="", max_length=40, index=True)  # 原厂编号
    unit: str = Field(default="个", max_length=8)
    sale_price: Decimal = money_field()
    cost: Decimal = money_field()
    default_warehouse_id: int | None = Field(default=None, foreign_key="warehouse.id")
    shelf: str = Field(default="", max_length=20)  # 库位 in the default warehouse
    is_active: bool = True
    created_at: datetime = created_at_field()


class PartBarcode(SQLModel, table=True):
    """A barcode printed on a part's packaging; a part may have several, a barcode finds one part per branch."""

    __tablename__ = "part_barcode"
    __table_args__ = (UniqueConstraint("branch_id", "barcode", name="uq_part_barcode"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    barcode: str = Field(max_length=40)
