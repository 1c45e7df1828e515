"""The work order's life: which status may follow which, and the one function every service moves it with.

    open ──(first clock start)──▶ in_progress ──(all lines finished, complete)──▶ completed
    completed ──(settle)──▶ settled ──(fully paid)──▶ closed
    settled ──(manager reopens)──▶ completed          in_progress/completed ──(new or reopened line)──▶ in_progress
    open ──(cancel)──▶ cancelled
"""

from __future__ import annotations

from datetime import datetime

from lantong_pwa.errors import DomainError
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.platform import audit
from models import User, WorkOrder, WorkOrderStatus
from models.common import utc_now

S = WorkOrderStatus
ALLOWED_MOVES: dict[WorkOrderStatus, frozenset[WorkOrderStatus]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset({S.SETTLED, S.IN_PROGRESS}),
    S.SETTLED: frozenset({S.CLOSED, S.COMPLETED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Orders whose lines and parts may still change (dispatch, clocks, picking, returns).
WORKABLE = frozenset({S.OPEN, S.IN_PROGRESS, S.COMPLETED})


def ensure_workable(order: WorkOrder, doing: str) -> None:
    """Refuse work on an order that is settled, closed or cancelled, naming what was tried (e.g. "领料")."""
    if WorkOrderStatus(order.status) not in WORKABLE:
        raise DomainError(f"工单{order.number}{WorkOrderStatus(order.status).label}，不能{doing}")


def move(order: WorkOrder, to: WorkOrderStatus, actor: User | None, session) -> None:
    """Change the order's status if the move is allowed (audited); a forbidden move raises ``DomainError``."""
    current = WorkOrderStatus(order.status)
    if current == to:
        return
    if to not in ALLOWED_MOVES[current]:
        raise DomainError(f"工单{order.number}当前为“{current.label}”，不能改为“{to.label}”")
    order.status = to
    order.updated_at = utc_now()
    session.add(order)
    audit.record(session, actor, "work_order.status", "work_order", order.id, branch_id=order.branch_id,
                 before=current.value, after=to.value)


def close_order(order: WorkOrder, actor: User | None, session, closed_at: datetime) -> None:
    """The order is paid in full (or the customer owes nothing): close it, and its follow-up falls due."""
    move(order, WorkOrderStatus.CLOSED, actor, session)
    order.closed_at = closed_at
    session.add(order)
    follow_ups.schedule_on_close(session, order, closed_at)
