from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field


class Warehouse(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "code", name="uq_warehouse_branch_code"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    code: str = Field(max_length=16)
    name: str = Field(max_length=32)
    is_active: bool = True
    created_at: datetime = created_at_field()


class StockMoveKind(StrEnum):
    OPENING = "opening"  # 期初
    RECEIPT = "receipt"  # 入库
    PICK = "pick"  # 维修领料
    RETURN = "return"  # 维修退料
    PURCHASE_RETURN = "purchase_return"  # 采购退货

    @property
    def label(self) -> str:
        return {"opening": "期初入库", "receipt": "入库", "pick": "维修领料", "return": "维修退料",
                "purchase_return": "采购退货"}[self.value]


class StockLimit(SQLModel, table=True):
    """安全库存: the minimum and maximum a warehouse should hold of a part. Below the minimum, the purchase plan
    suggests ordering up to the maximum."""

    __tablename__ = "stock_limit"
    __table_args__ = (UniqueConstraint("part_id", "warehouse_id", name="uq_stock_limit"),
                      CheckConstraint("minimum >= 0 AND maximum >= minimum", name="minimum_within_maximum"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    minimum: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)
    maximum: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)


class StockMove(SQLModel, table=True):
    """The stock ledger: append-only. ``quantity`` is signed (in +, out −); ``unit_cost`` is the cost it moved at.
    Nothing updates or deletes these rows; balances are rebuilt from them."""

    __tablename__ = "stock_move"
    __table_args__ = (UniqueConstraint("branch_id", "request_key", name="uq_stock_move_request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    kind: StockMoveKind = enum_field()
    quantity: Decimal = Field(max_digits=12, decimal_places=2)
    unit_cost: Decimal = Field(max_digits=14, decimal_places=4)
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    part_line_id: int | None = Field(default=None, foreign_key="part_line.id", index=True)
    note: str = Field(default="", max_length=200)
    user_id: int = Field(foreign_key="user.id")
    # The client's id for the form that moved the stock: a resent submit finds this row instead of moving again.
    request_key: str | None = Field(default=None, max_length=36)
    created_at: datetime = created_at_field(index=True)


class StockBalance(SQLModel, table=True):
    """On hand and moving weighted average cost per part and warehouse, kept in step with the ledger."""

    __tablename__ = "stock_balance"
    __table_args__ = (UniqueConstraint("part_id", "warehouse_id", name="uq_stock_balance"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    on_hand: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)
    average_cost: Decimal = Field(default=Decimal("0.0000"), max_digits=14, decimal_places=4)


class PickRequestStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class PickRequest(SQLModel, table=True):
    """A technician asks the parts clerk for a part from a job line; picking it closes the request."""

    __tablename__ = "pick_request"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    job_line_id: int | None = Field(default=None, foreign_key="job_line.id")
    part_line_id: int | None = Field(default=None, foreign_key="part_line.id")
    part_id: int = Field(foreign_key="part.id")
    quantity: Decimal = Field(max_digits=10, decimal_places=2)
    note: str = Field(default="", max_length=200)
    status: PickRequestStatus = enum_field(default=PickRequestStatus.OPEN, index=True)
    requested_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
