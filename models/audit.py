from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import created_at_field


class AuditEvent(SQLModel, table=True):
    """Who changed what, when. Append-only: nothing updates or deletes these rows."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=48)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    detail: str = Field(default="{}")
    created_at: datetime = created_at_field()
