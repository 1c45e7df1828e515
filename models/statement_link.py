"""A customer's monthly statement sent as a signed link (对账确认): one per party and month. The customer opens the
link on their phone without an account and confirms the statement or disputes it with a note, once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, money_field
from models.open_item import PartyKind


class StatementLinkStatus(StrEnum):
    SENT = "sent"  # waiting for the customer
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return {"sent": "待确认", "confirmed": "已确认", "disputed": "有异议"}[self.value]


class StatementLink(SQLModel, table=True):
    __tablename__ = "statement_link"
    __table_args__ = (
        UniqueConstraint("branch_id", "party_kind", "party_id", "month", name="uq_statement_link_month"),
        CheckConstraint("status IN ('sent', 'confirmed', 'disputed')", name="status_known"),
        # An answer is recorded with its time and the balance the customer saw, and only with them.
        CheckConstraint("(status = 'sent') = (answered_at IS NULL)", name="answered_with_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    party_kind: PartyKind = enum_field()
    party_id: int = Field(index=True)
    month: date  # the first day of the statement's month
    link_nonce: str = Field(max_length=32)  # random, in the signed token
    link_expires_at: datetime
    status: StatementLinkStatus = enum_field(default=StatementLinkStatus.SENT)
    closing: Decimal = money_field()  # the month's closing balance when the link was last sent
    answered_at: datetime | None = None
    answered_closing: Decimal | None = money_field(default=None)  # the closing balance the customer answered on
    note: str = Field(default="", max_length=500)  # the customer's reason for a dispute
    sent_by: int = Field(foreign_key="user.id")
    sent_at: datetime = created_at_field()
    created_at: datetime = created_at_field()
