from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from models.common import created_at_field, enum_field


class BranchStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # 已停业: its history stays; nobody signs in to it

    @property
    def label(self) -> str:
        return {BranchStatus.OPEN: "营业中", BranchStatus.CLOSED: "已停业"}[self]


class Branch(SQLModel, table=True):
    """One shop of the chain; every business row belongs to one. A closed branch keeps its rows; its date of
    closing is set exactly while it is closed."""

    __table_args__ = (CheckConstraint("(status = 'open' AND closed_at IS NULL) OR "
                                      "(status = 'closed' AND closed_at IS NOT NULL)", name="status_and_closed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=64)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=32)
    tax_id: str = Field(default="", max_length=20)  # 税号 (统一社会信用代码), printed on the 结算单
    bank_account: str = Field(default="", max_length=100)  # 开户行及账号, printed on the 结算单
    header: str = Field(default="", max_length=64)  # 抬头 on the 结算单 and vehicle labels; empty: the name
    status: BranchStatus = enum_field(default=BranchStatus.OPEN)
    closed_at: datetime | None = None
    vat_rate: Decimal = Field(default=Decimal("13.00"), max_digits=5, decimal_places=2)  # percent, in prices
    follow_up_days: int = 3  # a closed order's follow-up falls due this many days later
    # 技师可见客户电话和价格: technicians see the owner's mobile and every price on vehicle cards (off: only the job)
    technicians_see_contact_and_prices: bool = False
    # 采购: purchase orders above this amount need a manager's approval; goods may arrive this much over the order
    purchase_approval_amount: Decimal = Field(default=Decimal("5000.00"), max_digits=12, decimal_places=2)
    over_receipt_percent: Decimal = Field(default=Decimal("10.00"), max_digits=5, decimal_places=2)
    # 维修质保期, printed on each 结算单: this many days or this many km (0: no km limit), whichever comes first
    warranty_days: int = 30
    warranty_km: int = 5000
    # 费用审批: an expense up to this amount needs one manager's approval; above it head office (an admin) approves too
    expense_approval_amount: Decimal = Field(default=Decimal("2000.00"), max_digits=12, decimal_places=2)
    created_at: datetime = created_at_field()
