"""Messages to customers through the notification gateway, and every delivery attempt made for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from models.common import created_at_field, enum_field


class Channel(StrEnum):
    SMS = "sms"  # an HTTP SMS provider
    WEBHOOK = "webhook"  # a generic JSON webhook (e.g. a WeChat bridge)
    LOG = "log"  # written to the delivery log only (the default until a provider is configured)

    @property
    def label(self) -> str:
        return {"sms": "短信", "webhook": "Webhook", "log": "仅记录"}[self.value]


class NotificationStatus(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt (or for quiet hours to end)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry, or the provider refused it for good
    SKIPPED = "skipped"  # never sent: no consent for the channel, no address

    @property
    def label(self) -> str:
        return {"queued": "待发送", "sent": "已发送", "failed": "发送失败", "skipped": "未发送"}[self.value]


class Notification(SQLModel, table=True):
    """One message to one customer on one channel, rendered from a Chinese template when it was queued."""

    __table_args__ = (
        UniqueConstraint("branch_id", "request_key", name="uq_notification_branch_request_key"),
        Index("ix_notification_status_next", "status", "next_attempt_at"),
        Index("ix_notification_branch_created", "branch_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    reminder_id: int | None = Field(default=None, foreign_key="care_reminder.id", index=True)
    follow_up_id: int | None = Field(default=None, foreign_key="follow_up.id", index=True)
    message_type: str = Field(max_length=32)  # the template's name: inspection, follow_up …
    channel: Channel = enum_field()
    recipient: str = Field(max_length=255)  # the customer's mobile (every channel addresses them by it)
    body: str = Field(max_length=1000)
    # The fields the body was rendered from (plate, date, link …): SMS providers with their own templates and webhooks
    # receive them as parameters.
    template_fields: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    status: NotificationStatus = enum_field(default=NotificationStatus.QUEUED)
    skip_reason: str = Field(default="", max_length=100)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str = Field(default="", max_length=300)
    request_key: str | None = Field(default=None, max_length=64)  # a resent "send" finds this row
    created_by_id: int | None = Field(default=None, foreign_key="user.id")  # empty: the scheduler
    created_at: datetime = created_at_field()


class DeliveryAttempt(SQLModel, table=True):
    """One try at handing a notification to its channel: kept for every try, success or not (发送日志)."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    attempt_no: int
    ok: bool
    http_status: int | None = None
    error: str = Field(default="", max_length=300)
    duration_ms: int = 0
    created_at: datetime = created_at_field()
