"""Customer care (客户关怀): follow-ups after a car leaves, complaints, and the reminder centre's entries."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field, utc_now


class FollowUpStatus(StrEnum):
    OPEN = "open"  # waiting for the customer's answer or a call
    ANSWERED = "answered"
    CLOSED = "closed"  # given up on without an answer

    @property
    def label(self) -> str:
        return {"open": "待回访", "answered": "已回访", "closed": "已关闭"}[self.value]


class FollowUpChannel(StrEnum):
    LINK = "link"  # the customer answered the form behind the personal link
    PHONE = "phone"  # staff called and recorded the answer

    @property
    def label(self) -> str:
        return {"link": "客户自助", "phone": "电话回访"}[self.value]


class FollowUp(SQLModel, table=True):
    """The follow-up (回访) of one order: due some days after it closed, answered once, by link or by phone.

    The personal link carries this row's id, ``link_nonce`` and ``link_expires_at`` signed with the installation's
    secret; a link is good for this order only and takes one answer.
    """

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("work_order_id", name="uq_follow_up_work_order"),
        Index("ix_follow_up_branch_status_due", "branch_id", "status", "due_on"),
        Index("ix_follow_up_branch_answered", "branch_id", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    work_order_id: int = Field(foreign_key="work_order.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    vehicle_id: int = Field(foreign_key="vehicle.id", index=True)
    status: FollowUpStatus = enum_field(default=FollowUpStatus.OPEN)
    due_on: date | None = None  # set when the order closes (closed day + the branch's delay)
    link_nonce: str = Field(max_length=43, unique=True)
    link_expires_at: datetime
    link_sent_at: datetime | None = None
    answered_at: datetime | None = None
    answered_via: FollowUpChannel | None = enum_field(default=None, nullable=True)
    # Ratings 1–5; ``overall`` is what the satisfaction rate counts.
    overall: int | None = Field(default=None, ge=1, le=5)
    quality: int | None = Field(default=None, ge=1, le=5)
    speed: int | None = Field(default=None, ge=1, le=5)
    attitude: int | None = Field(default=None, ge=1, le=5)
    price: int | None = Field(default=None, ge=1, le=5)
    environment: int | None = Field(default=None, ge=1, le=5)
    comment: str = Field(default="", max_length=500)
    problem_unsolved: bool = False
    created_at: datetime = created_at_field()


class CallResult(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"

    @property
    def label(self) -> str:
        return {"reached": "已接通", "no_answer": "未接通", "refused": "拒绝回访", "wrong_number": "号码错误"}[self.value]


class FollowUpCall(SQLModel, table=True):
    """One phone call made for a follow-up: who called, how it went, what the customer said and what was done."""

    __tablename__ = "follow_up_call"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    follow_up_id: int = Field(foreign_key="follow_up.id", index=True)
    called_by_id: int = Field(foreign_key="user.id")
    result: CallResult = enum_field()
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    handling: str = Field(default="", max_length=500)
    request_key: str | None = Field(default=None, max_length=36, unique=True)
    created_at: datetime = created_at_field()


class ComplaintStatus(StrEnum):
    OPEN = "open"
    PROCESSING = "processing"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "待处理", "processing": "处理中", "resolved": "已解决", "closed": "已关闭"}[self.value]


class ComplaintSource(StrEnum):
    FOLLOW_UP = "follow_up"  # a low rating or "not solved" on the customer's form
    PHONE = "phone"  # raised during a phone follow-up
    WALK_IN = "walk_in"  # recorded by staff at the counter

    @property
    def label(self) -> str:
        return {"follow_up": "回访评价", "phone": "电话回访", "walk_in": "到店/来电"}[self.value]


class Complaint(SQLModel, table=True):
    """A complaint (投诉), numbered per branch and day (``TS20261201-0001``), handled by an assignee to a resolution."""

    __table_args__ = (
        UniqueConstraint("branch_id", "number", name="uq_complaint_branch_number"),
        UniqueConstraint("follow_up_id", name="uq_complaint_follow_up"),
        UniqueConstraint("branch_id", "request_key", name="uq_complaint_branch_request_key"),
        Index("ix_complaint_branch_status", "branch_id", "status"),
        Index("ix_complaint_branch_created", "branch_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: str = Field(max_length=20)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id")
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    follow_up_id: int | None = Field(default=None, foreign_key="follow_up.id")
    source: ComplaintSource = enum_field()
    summary: str = Field(max_length=500)
    status: ComplaintStatus = enum_field(default=ComplaintStatus.OPEN)
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    resolution: str = Field(default="", max_length=1000)
    resolved_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")  # empty: raised by the customer's form
    request_key: str | None = Field(default=None, max_length=36)  # a resent staff entry finds this row
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utc_now)


class ReminderKind(StrEnum):
    INSPECTION = "inspection"  # 年检
    COMPULSORY_INSURANCE = "compulsory_insurance"  # 交强险
    COMMERCIAL_INSURANCE = "commercial_insurance"  # 商业险
    MAINTENANCE = "maintenance"  # 保养 by date or mileage, whichever comes first
    BIRTHDAY = "birthday"
    FIRST_SERVICE = "first_service"  # 首保 after purchase
    FOLLOW_UP = "follow_up"  # 回访 of a closed order

    @property
    def label(self) -> str:
        return REMINDER_KIND_LABELS[self]


REMINDER_KIND_LABELS = {
    ReminderKind.INSPECTION: "年检到期",
    ReminderKind.COMPULSORY_INSURANCE: "交强险到期",
    ReminderKind.COMMERCIAL_INSURANCE: "商业险到期",
    ReminderKind.MAINTENANCE: "保养到期",
    ReminderKind.BIRTHDAY: "客户生日",
    ReminderKind.FIRST_SERVICE: "首次保养",
    ReminderKind.FOLLOW_UP: "售后回访",
}


class ReminderStatus(StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"
    CONTACTED = "contacted"
    DISMISSED = "dismissed"  # no longer applies (e.g. the vehicle's date moved on)

    @property
    def label(self) -> str:
        return {"open": "待联系", "snoozed": "已推迟", "contacted": "已联系", "dismissed": "已取消"}[self.value]


class CareReminder(SQLModel, table=True):
    """One customer to contact about one thing due on one date (客户关怀中心).

    ``dedupe_key`` names the thing (kind, vehicle or customer, due date), so the daily job can run any number of
    times and adds each entry once.
    """

    __tablename__ = "care_reminder"
    __table_args__ = (
        UniqueConstraint("branch_id", "dedupe_key", name="uq_care_reminder_branch_key"),
        Index("ix_care_reminder_branch_status_due", "branch_id", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    kind: ReminderKind = enum_field()
    dedupe_key: str = Field(max_length=80)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="vehicle.id", index=True)
    follow_up_id: int | None = Field(default=None, foreign_key="follow_up.id")
    due_on: date
    detail: str = Field(default="", max_length=120)  # e.g. "下次保养 50,000 公里 / 2027-03-01"
    status: ReminderStatus = enum_field(default=ReminderStatus.OPEN)
    snoozed_until: date | None = None
    contacted_at: datetime | None = None
    contacted_by_id: int | None = Field(default=None, foreign_key="user.id")
    result: str = Field(default="", max_length=200)
    created_at: datetime = created_at_field()
