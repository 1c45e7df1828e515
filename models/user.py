from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.common import created_at_field, enum_field


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    ADVISOR = "advisor"
    TECHNICIAN = "technician"
    PARTS_CLERK = "parts_clerk"
    CASHIER = "cashier"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "系统管理员",
    Role.MANAGER: "店长",
    Role.ADVISOR: "服务顾问",
    Role.TECHNICIAN: "维修技师",
    Role.PARTS_CLERK: "配件管理员",
    Role.CASHIER: "收银员",
}


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=32, unique=True)
    display_name: str = Field(max_length=32)
    password_hash: str = Field(max_length=255)
    role: Role = enum_field()
    branch_id: int = Field(foreign_key="branch.id", index=True)
    is_active: bool = True
    last_login_at: datetime | None = None
    created_at: datetime = created_at_field()


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only a keyed hash of the token is stored, so a database leak signs nobody in."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()
    # Its last use, at most ``auth.TOUCH_EVERY`` ago while in use: the idle timeout counts from here.
    last_seen_at: datetime = created_at_field()
    expires_at: datetime
