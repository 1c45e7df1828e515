"""Transfers (调拨, P11): goods moved between two warehouses of one branch (one step) or between branches (调出, in
transit, 调入), and a receiving branch's request (调拨申请) that the sending branch ships against.

A line's quantities keep ``shipped = received + in transit + written off``: received + written off never exceeds
shipped (a check constraint; the services raise them with conditional UPDATEs). ``unit_cost`` is the average cost
the goods left the sending warehouse at; they enter the receiving warehouse at that cost.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field
from models.purchasing import quantity_field, unit_cost_field


class TransferStatus(StrEnum):
    REQUESTED = "requested"  # 待调出: raised (a request, 调拨申请) and not yet shipped
    IN_TRANSIT = "in_transit"  # 在途: shipped by the sending branch, nothing received yet
    PARTLY_RECEIVED = "partly_received"  # 部分收货
    RECEIVED = "received"  # 已完成: everything shipped is received or written off
    CANCELLED = "cancelled"  # 已取消 (only before shipping)

    @property
    def label(self) -> str:
        return {"requested": "待调出", "in_transit": "在途", "partly_received": "部分收货",
                "received": "已完成", "cancelled": "已取消"}[self.value]


class Transfer(SQLModel, table=True):
    """调拨单. ``branch_id`` is the branch that raised it (its number's sequence); the sending and receiving
    branches both see it. ``from_warehouse_id`` is chosen when a request is shipped."""

    __table_args__ = (UniqueConstraint("branch_id", "number", name="uq_transfer_number"),
                      UniqueConstraint("branch_id", "request_key", name="uq_transfer_request_key"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    from_branch_id: int = Field(foreign_key="branch.id", index=True)
    from_warehouse_id: int | None = Field(default=None, foreign_key="warehouse.id")
    to_branch_id: int = Field(foreign_key="branch.id", index=True)
    to_warehouse_id: int = Field(foreign_key="warehouse.id")
    status: TransferStatus = enum_field(default=TransferStatus.REQUESTED, index=True)
    note: str = Field(default="", max_length=200)
    created_by_id: int = Field(foreign_key="user.id")
    shipped_by_id: int | None = Field(default=None, foreign_key="user.id")
    shipped_at: datetime | None = None
    finished_at: datetime | None = None  # all received or written off, or cancelled (who: TransferStep)
    request_key: str | None = Field(default=None, max_length=36)
    created_at: datetime = created_at_field(index=True)
    updated_at: datetime = created_at_field()


class TransferLine(SQLModel, table=True):
    """One part on a transfer. ``from_part_id`` is set when shipped, ``to_part_id`` at the first receipt (the
    receiving branch's own catalogue entry with the same code). ``requested`` is what a request asked for."""

    __tablename__ = "transfer_line"
    __table_args__ = (CheckConstraint("requested >= 0 AND shipped >= 0 AND received >= 0 AND written_off >= 0",
                                      name="quantities_not_negative"),
                      CheckConstraint("received + written_off <= shipped", name="received_within_shipped"))

    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(foreign_key="transfer.id", index=True)
    position: int = 0
    part_code: str = Field(max_length=40)
    from_part_id: int | None = Field(default=None, foreign_key="part.id", index=True)
    to_part_id: int | None = Field(default=None, foreign_key="part.id", index=True)
    requested: Decimal = quantity_field()
    shipped: Decimal = quantity_field()
    received: Decimal = quantity_field()
    written_off: Decimal = quantity_field()
    unit_cost: Decimal = unit_cost_field()  # the average cost it left the sending warehouse at


class TransferStep(SQLModel, table=True):
    """Who did what to a transfer and when (调出, 收货, 报损, 取消), with the request key of the form that did it: a
    resent form finds its step and changes nothing."""

    __tablename__ = "transfer_step"
    __table_args__ = (UniqueConstraint("transfer_id", "request_key", name="uq_transfer_step_request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(foreign_key="transfer.id", index=True)
    kind: str = Field(max_length=16)  # ship, receive, write_off, cancel
    user_id: int = Field(foreign_key="user.id")
    summary: str = Field(default="", max_length=200)  # "前刹车片 ×2"
    value: Decimal = money_field()  # 报损: what was lost, at the cost it left at (the sending branch's loss); else 0
    request_key: str = Field(max_length=36)
    created_at: datetime = created_at_field()
