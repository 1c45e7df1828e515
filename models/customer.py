from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field


class CustomerKind(StrEnum):
    INDIVIDUAL = "individual"
    COMPANY = "company"
    FLEET = "fleet"

    @property
    def label(self) -> str:
        return {"individual": "个人", "company": "单位", "fleet": "车队"}[self.value]


class Customer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "mobile", name="uq_customer_branch_mobile"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=64)
    mobile: str = Field(max_length=11, index=True)
    kind: CustomerKind = enum_field(default=CustomerKind.INDIVIDUAL)
    birthday: date | None = None
    notes: str = Field(default="", max_length=500)
    credit_limit: Decimal = money_field()  # how much may be put on account (挂账); 0: none
    # What the customer agreed to be contacted by (reminders, follow-up links); the log channel needs none.
    sms_consent: bool = False
    webhook_consent: bool = False
    created_at: datetime = created_at_field()
