"""The work order's life: which status may follow which, and the compare-and-set every writer of an order goes
through.

    open ──(first clock start)──▶ in_progress ──(all lines finished, complete)──▶ completed
    completed ──(settle)──▶ settled ──(fully paid)──▶ closed
    in_progress/completed ──(new or reopened line, failed 质检)──▶ in_progress
    open ──(cancel)──▶ cancelled
    settled ──(a manager reopens the settlement, nothing paid)──▶ completed   (``reopen_settled`` only)

Every write to an order is one conditional ``UPDATE … WHERE id = :id AND status IN (:expected)`` with its row
count checked: a status move expects the status it read, and a writer that only depends on the status (a clock,
dispatch, a pick, a settlement edit, a payment) expects the statuses its action allows and touches ``updated_at``.
Zero rows means someone else moved the order first: the request is refused (单据状态已变化，请刷新后重试) and
changes nothing. A row that was updated stays locked by the transaction until it ends (PostgreSQL's row lock,
SQLite's database write lock), so the order cannot move under the rest of the request; the order is then read
again, so the request decides on the latest committed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.platform import audit
from models import User, WorkOrder, WorkOrderStatus
from models.common import utc_now

S = WorkOrderStatus
STALE = "单据状态已变化，请刷新后重试"
ALLOWED_MOVES: dict[WorkOrderStatus, frozenset[WorkOrderStatus]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset({S.SETTLED, S.IN_PROGRESS}),
    S.SETTLED: frozenset({S.CLOSED}),  # and back to completed by ``reopen_settled`` alone
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Orders whose lines and parts may still change (dispatch, clocks, picking, returns, settlement terms).
WORKABLE = frozenset({S.OPEN, S.IN_PROGRESS, S.COMPLETED})


def _compare_and_set(session: Session, order: WorkOrder, expected: Iterable[WorkOrderStatus],
                     **values) -> WorkOrder:
    """One conditional UPDATE of the order while its status is one of ``expected``; the order read again after it.
    Zero rows: ``DomainError(STALE)``, with the order refreshed to what the database holds."""
    done = session.execute(update(WorkOrder)
                           .where(WorkOrder.id == order.id, col(WorkOrder.status).in_([S(s) for s in expected]))
                           .values(updated_at=utc_now(), **values)
                           .execution_options(synchronize_session=False))
    fresh = session.exec(select(WorkOrder).where(WorkOrder.id == order.id)
                         .execution_options(populate_existing=True)).one()
    if done.rowcount != 1:
        raise DomainError(STALE)
    return fresh


def guard(session: Session, order: WorkOrder, allowed: Iterable[WorkOrderStatus], doing: str) -> WorkOrder:
    """For a writer that depends on the order's status without changing it: refuse (naming ``doing``) unless the
    order is in one of ``allowed``, then hold it there for the rest of the transaction (compare-and-set on
    ``updated_at``). Returns the order as the database now holds it. Call it before changing anything else."""
    allowed = frozenset(allowed)
    if WorkOrderStatus(order.status) not in allowed:
        raise DomainError(f"工单{order.number}{WorkOrderStatus(order.status).label}，不能{doing}")
    return _compare_and_set(session, order, allowed)


def guard_workable(session: Session, order: WorkOrder, doing: str) -> WorkOrder:
    """``guard`` for work on the order's lines and parts (open, in progress or completed)."""
    return guard(session, order, WORKABLE, doing)


def _move(order: WorkOrder, to: WorkOrderStatus, actor: User | None, session: Session) -> WorkOrder:
    current = WorkOrderStatus(order.status)
    fresh = _compare_and_set(session, order, [current], status=to)
    audit.record(session, actor, "work_order.status", "work_order", fresh.id, branch_id=fresh.branch_id,
                 before=current.value, after=to.value)
    return fresh


def move(order: WorkOrder, to: WorkOrderStatus, actor: User | None, session: Session) -> WorkOrder:
    """Move the order from the status it was read with to ``to`` (audited), if the move is allowed; a forbidden
    move or a lost race raises ``DomainError``. Returns the order read again; set other fields on that one."""
    current = WorkOrderStatus(order.status)
    if to not in ALLOWED_MOVES[current]:
        raise DomainError(f"工单{order.number}当前为“{current.label}”，不能改为“{to.label}”")
    return _move(order, to, actor, session)


def reopen_settled(order: WorkOrder, actor: User, session: Session) -> WorkOrder:
    """The one way out of 已结算 other than being paid: the settlement service's reopen (a manager, a reason, nothing
    paid — it checks those) returns the order to 已完工."""
    if WorkOrderStatus(order.status) != S.SETTLED:
        raise DomainError(f"工单{order.number}当前为“{WorkOrderStatus(order.status).label}”，没有可撤销的结算")
    return _move(order, S.COMPLETED, actor, session)


def close_order(order: WorkOrder, actor: User | None, session: Session, closed_at: datetime) -> WorkOrder:
    """The order is paid in full (or the customer owes nothing): close it, and its follow-up falls due."""
    order = move(order, WorkOrderStatus.CLOSED, actor, session)
    order.closed_at = closed_at
    session.add(order)
    follow_ups.schedule_on_close(session, order, closed_at)
    return order
