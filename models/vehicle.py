from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field


class Vehicle(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("branch_id", "plate", name="uq_vehicle_branch_plate"),
        UniqueConstraint("branch_id", "request_key", name="uq_vehicle_branch_request_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    plate: str = Field(max_length=8, index=True)
    vin: str | None = Field(default=None, max_length=17, index=True)
    make: str = Field(default="", max_length=32)
    model: str = Field(default="", max_length=48)
    year: int | None = None
    colour: str = Field(default="", max_length=16)
    engine_no: str = Field(default="", max_length=32)
    mileage: int = 0
    next_inspection_date: date | None = None
    insurer: str = Field(default="", max_length=48)
    compulsory_policy_end: date | None = None
    commercial_policy_end: date | None = None
    purchase_date: date | None = None  # the first service after purchase (首保) is reminded from it
    # Set at settlement: the next maintenance is due on this date or at this mileage, whichever comes first.
    next_service_date: date | None = None
    next_service_mileage: int | None = None
    qr_token: str = Field(max_length=43, unique=True)
    # The client's id for the form that registered the vehicle: a resent submit finds this row instead of adding one.
    request_key: str | None = Field(default=None, max_length=36)
    created_at: datetime = created_at_field()
