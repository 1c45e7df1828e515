from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
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
    STOCKTAKE = "stocktake"  # 盘点盈亏: signed, at average cost
    TRANSFER_OUT = "transfer_out"  # 调拨出库
    TRANSFER_IN = "transfer_in"  # 调拨入库, at the cost it left at
    INTERNAL_USE = "internal_use"  # 内部领料, to an expense category
    GIFT = "gift"  # 赠品出库, to promotion expense
    WARRANTY = "warranty"  # 三包出库, for a warranty line

    @property
    def label(self) -> str:
        return MOVE_KIND_LABELS[self]


MOVE_KIND_LABELS = {
    StockMoveKind.OPENING: "期初入库", StockMoveKind.RECEIPT: "入库", StockMoveKind.PICK: "维修领料",
    StockMoveKind.RETURN: "维修退料", StockMoveKind.PURCHASE_RETURN: "采购退货", StockMoveKind.STOCKTAKE: "盘点盈亏",
    StockMoveKind.TRANSFER_OUT: "调拨出库", StockMoveKind.TRANSFER_IN: "调拨入库",
    StockMoveKind.INTERNAL_USE: "内部领料", StockMoveKind.GIFT: "赠品出库", StockMoveKind.WARRANTY: "三包出库",
}


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
    """The stock ledger: append-only. ``quantity`` is signed (in +, out −); ``unit_cost`` is the cost it moved at;
    ``value_change`` is what the move changed its balance's worth by (round(on hand × average, 2) after minus
    before), so the moves' value changes add up to the balances' worth to the fen. Nothing updates or deletes these
    rows; balances are rebuilt from them.

    ``document_type``/``document_id`` name the document the move belongs to (a work order, a goods receipt, a
    purchase return, a count sheet, a transfer, an internal-use or outbound slip), so a report can drill down from a
    figure to its documents."""

    __tablename__ = "stock_move"
    __table_args__ = (UniqueConstraint("branch_id", "request_key", name="uq_stock_move_request_key"),
                      Index("ix_stock_move_document", "document_type", "document_id"),
                      # By time, covering what the 进销存 report sums: a period's moves are read from the index alone.
                      Index("ix_stock_move_branch_created", "branch_id", "created_at", "part_id", "warehouse_id",
                            "kind", "quantity", "value_change"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    kind: StockMoveKind = enum_field()
    quantity: Decimal = Field(max_digits=12, decimal_places=2)
    unit_cost: Decimal = Field(max_digits=14, decimal_places=4)
    value_change: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    part_line_id: int | None = Field(default=None, foreign_key="part_line.id", index=True)
    document_type: str | None = Field(default=None, max_length=24)
    document_id: int | None = None
    note: str = Field(default="", max_length=200)
    user_id: int = Field(foreign_key="user.id")
    # The client's id for the form that moved the stock: a resent submit finds this row instead of moving again.
    request_key: str | None = Field(default=None, max_length=36)
    created_at: datetime = created_at_field(index=True)


class StockBalance(SQLModel, table=True):
    """On hand and moving weighted average cost per part and warehouse, kept in step with the ledger."""

    __tablename__ = "stock_balance"
    __table_args__ = (UniqueConstraint("part_id", "warehouse_id", name="uq_stock_balance"),
                      CheckConstraint("on_hand >= 0", name="on_hand_not_negative"))

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
