from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field, utc_now
from models.payer import Payer


class WorkOrderStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SETTLED = "settled"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return WORK_ORDER_STATUS_LABELS[self]


WORK_ORDER_STATUS_LABELS = {
    WorkOrderStatus.OPEN: "已开单",
    WorkOrderStatus.IN_PROGRESS: "维修中",
    WorkOrderStatus.COMPLETED: "已完工",
    WorkOrderStatus.SETTLED: "已结算",
    WorkOrderStatus.CLOSED: "已结清",
    WorkOrderStatus.CANCELLED: "已作废",
}

# Fuel gauge as the advisor reads it at intake, in quarters of a tank.
FUEL_LEVEL_LABELS = {0: "空", 1: "1/4", 2: "1/2", 3: "3/4", 4: "满"}


class WorkOrder(SQLModel, table=True):
    """A repair order (委托维修单), numbered per branch and day, e.g. ``WX20261126-0007``."""

    __tablename__ = "work_order"
    __table_args__ = (
        UniqueConstraint("branch_id", "number", name="uq_work_order_branch_number"),
        UniqueConstraint("branch_id", "request_key", name="uq_work_order_branch_request_key"),
        # The daily figures and order queries pick a branch's orders by day and status.
        Index("ix_work_order_branch_created", "branch_id", "created_at"),
        Index("ix_work_order_branch_completed", "branch_id", "completed_at"),
        Index("ix_work_order_branch_settled", "branch_id", "settled_at"),
        Index("ix_work_order_branch_status", "branch_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    status: WorkOrderStatus = enum_field(default=WorkOrderStatus.OPEN, index=True)
    vehicle_id: int = Field(foreign_key="vehicle.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    advisor_id: int = Field(foreign_key="user.id")
    mileage_in: int
    fuel_level: int = Field(ge=0, le=4)
    complaint: str = Field(max_length=1000)
    promised_at: datetime | None = None
    # The client's id for the intake form: a resent submit returns the order it already made.
    request_key: str | None = Field(default=None, max_length=36)
    discount: Decimal = money_field()  # an order-level discount off the customer's share, before VAT
    team_id: int | None = Field(default=None, foreign_key="team.id")  # set when the whole order went to a team
    completed_at: datetime | None = None
    qc_passed: bool | None = None  # None: no quality check recorded
    qc_by_id: int | None = Field(default=None, foreign_key="user.id")
    qc_at: datetime | None = None
    qc_note: str = Field(default="", max_length=200)
    # Why it was completed with parts planned or asked for but not picked (empty when nothing was missing).
    unpicked_parts_reason: str = Field(default="", max_length=200)
    settled_at: datetime | None = None
    closed_at: datetime | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utc_now)


class JobLineStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return {"pending": "待开工", "in_progress": "施工中", "paused": "已暂停", "finished": "已完工"}[self.value]


class JobLine(SQLModel, table=True):
    """A labour item: billed as hours × rate, or at a fixed price when one is given."""

    __tablename__ = "job_line"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    position: int = 0
    name: str = Field(max_length=80)
    hours: Decimal = Field(default=Decimal("0.00"), max_digits=6, decimal_places=2)
    rate: Decimal | None = money_field(default=None)
    fixed_price: Decimal | None = money_field(default=None)
    amount: Decimal = money_field()
    status: JobLineStatus = enum_field(default=JobLineStatus.PENDING)
    payer: Payer = enum_field(default=Payer.CUSTOMER)
    payer_party: str = Field(default="", max_length=48)  # the manufacturer (三包) or insurer (保险)
    discount: Decimal = money_field()
    note: str = Field(default="", max_length=500)
    finished_at: datetime | None = None
    created_at: datetime = created_at_field()


class PartLine(SQLModel, table=True):
    """A part planned for the order; code, name and unit are copied so history survives catalogue edits."""

    __tablename__ = "part_line"
    __table_args__ = (CheckConstraint("returned_quantity >= 0 AND picked_quantity - returned_quantity >= 0",
                                      name="returned_within_picked"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    position: int = 0
    part_code: str = Field(max_length=40)
    part_name: str = Field(max_length=80)
    unit: str = Field(max_length=8)
    quantity: Decimal = Field(max_digits=10, decimal_places=2)
    unit_price: Decimal = money_field()
    amount: Decimal = money_field()
    # Kept in step with the stock ledger's picks and returns against this line, in the same transaction.
    picked_quantity: Decimal = Field(default=Decimal("0.00"), max_digits=10, decimal_places=2)
    returned_quantity: Decimal = Field(default=Decimal("0.00"), max_digits=10, decimal_places=2)
    payer: Payer = enum_field(default=Payer.CUSTOMER)
    payer_party: str = Field(default="", max_length=48)
    discount: Decimal = money_field()
    created_at: datetime = created_at_field()
