from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from models.common import created_at_field


class Branch(SQLModel, table=True):
    """One shop of the chain; every business row belongs to one."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=64)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=32)
    vat_rate: Decimal = Field(default=Decimal("13.00"), max_digits=5, decimal_places=2)  # percent, in prices
    follow_up_days: int = 3  # a closed order's follow-up falls due this many days later
    # 技师可见客户电话和价格: technicians see the owner's mobile and every price on vehicle cards (off: only the job)
    technicians_see_contact_and_prices: bool = False
    created_at: datetime = created_at_field()
