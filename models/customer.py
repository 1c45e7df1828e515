from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field
from models.purchasing import PaymentTerms


class CustomerKind(StrEnum):
    INDIVIDUAL = "individual"
    COMPANY = "company"
    FLEET = "fleet"

    @property
    def label(self) -> str:
        return {"individual": "个人", "company": "单位", "fleet": "车队"}[self.value]


class Customer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "mobile", name="uq_customer_branch_mobile"),
                      CheckConstraint("terms_days >= 0 AND terms_days <= 365", name="terms_days_in_range"))

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=64)
    mobile: str = Field(max_length=11, index=True)
    kind: CustomerKind = enum_field(default=CustomerKind.INDIVIDUAL)
    birthday: date | None = None
    notes: str = Field(default="", max_length=500)
    credit_limit: Decimal = money_field()  # how much may be put on account (挂账); 0: none
    # When a 挂账 falls due (its open item's due date): 现结 the same day (individuals), 月结 N天 or N天.
    terms: PaymentTerms = enum_field(default=PaymentTerms.CASH)
    terms_days: int = 0
    # What the customer agreed to be contacted by (reminders, follow-up links); the log channel needs none.
    sms_consent: bool = False
    webhook_consent: bool = False
    created_at: datetime = created_at_field()
