"""The audit trail: one row for every change a person makes to money, stock, users or a document's status."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

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
