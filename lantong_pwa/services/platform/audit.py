"""The audit trail: one row for every change a person makes to money, stock, users or a document's status, and every
sign-in; the admin reads the newest (审计日志)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from lantong_pwa.services.platform.permissions import Permission, require
from models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    branch_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        branch_id=branch_id if branch_id is not None else (actor.branch_id if actor else None),
        user_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
    )
    session.add(event)
    return event


SIGN_IN_ACTIONS = ("sign_in", "sign_in.refused")
# Why a sign-in was refused, for the admin's eyes only (the person signing in is told none of it).
REFUSAL_REASONS = {
    "unknown_user": "无此用户",
    "wrong_password": "密码错误",
    "disabled": "账号已停用",
    "branch_closed": "门店已停业",
    "throttled": "尝试过多，稍后再试",
}
RECENT_LIMIT = 200


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    action: str
    who: str  # the person who did it ("" when nobody was signed in)
    detail: dict[str, Any]


def recent(session: Session, actor: User | None, *, sign_ins_only: bool = False,
           limit: int = RECENT_LIMIT) -> list[AuditLine]:
    """The newest ``limit`` audit rows, newest first, with the name of who did each (admin only: every branch)."""
    require(actor, Permission.VIEW_AUDIT)
    query = (select(AuditEvent, User.display_name).join(User, col(User.id) == AuditEvent.user_id, isouter=True)
             .order_by(col(AuditEvent.id).desc()).limit(limit))
    if sign_ins_only:
        query = query.where(col(AuditEvent.action).in_(SIGN_IN_ACTIONS))
    return [AuditLine(at=event.created_at, action=event.action, who=name or "", detail=_detail(event.detail))
            for event, name in session.exec(query).all()]


def _detail(text: str) -> dict[str, Any]:
    try:
        detail = json.loads(text or "{}")
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def record_saved(session: Session, actor: User | None, entity: str, row: Any, before: dict[str, Any] | None,
                 fields: tuple[str, ...], **detail: Any) -> AuditEvent | None:
    """Audit a form's save: ``<entity>.create`` with every field when ``before`` is None, else ``<entity>.update``
    with each changed field's [old, new]; nothing when an edit changed nothing."""
    if before is None:
        return record(session, actor, f"{entity}.create", entity, row.id, branch_id=row.branch_id, **detail,
                      fields={key: str(getattr(row, key)) for key in fields})
    changed = {key: [str(before[key]), str(getattr(row, key))] for key in fields if before[key] != getattr(row, key)}
    changed.update(detail.pop("changed", {}))
    if not changed:
        return None
    return record(session, actor, f"{entity}.update", entity, row.id, branch_id=row.branch_id, **detail,
                  changed=changed)


def record_active(session: Session, actor: User | None, entity: str, row: Any, active: bool, *, on: str,
                  off: str) -> bool:
    """Switch a row's ``is_active`` and audit it as ``<entity>.<on>`` or ``<entity>.<off>``; False when it already
    was so (nothing recorded)."""
    if bool(row.is_active) == bool(active):
        return False
    row.is_active = bool(active)
    session.add(row)
    session.flush()
    record(session, actor, f"{entity}.{on if active else off}", entity, row.id, branch_id=row.branch_id,
           code=getattr(row, "code", None))
    session.flush()
    return True
