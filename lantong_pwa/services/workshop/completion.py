"""Completion (R6): an order is complete when every job line is finished; an optional quality check (质检) by
someone who did not work on it. A completed order is ready for settlement.

A failed quality check sends the whole order back to "in progress" (its lines stay as they are: the rework is
clocked on them again or on a new line), and it must be completed again before it can be settled.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop import order_status
from lantong_pwa.services.platform.locking import all_or_nothing
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from models import JobAssignment, JobLine, JobLineStatus, TimeEntry, User, WorkOrder, WorkOrderStatus
from models.common import utc_now

QC_NOTE_MAX = 200


@all_or_nothing
def complete_order(session: Session, actor: User, order_id: int) -> WorkOrder:
    """Mark the order completed; every job line must be finished."""
    require(actor, Permission.COMPLETE_ORDERS)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    if WorkOrderStatus(order.status) == WorkOrderStatus.COMPLETED:
        return order  # a second tap: already done
    order = order_status.move(order, WorkOrderStatus.COMPLETED, actor, session)  # only from 维修中
    lines = session.exec(select(JobLine).where(JobLine.work_order_id == order.id)
                         .order_by(JobLine.position)).all()
    if not lines:
        raise DomainError(f"工单{order.number}没有维修项目，不能完工")
    unfinished = [line.name for line in lines if JobLineStatus(line.status) != JobLineStatus.FINISHED]
    if unfinished:
        raise DomainError(f"还有未完工的维修项目：{'、'.join(unfinished)}")
    order.completed_at = utc_now()
    order.qc_passed = None
    order.qc_by_id = None
    order.qc_at = None
    order.qc_note = ""
    session.add(order)
    session.commit()
    return order


def worked_on(session: Session, user_id: int, order_id: int) -> bool:
    """Whether the person was assigned to, or clocked time on, any line of the order."""
    line_ids = select(JobLine.id).where(JobLine.work_order_id == order_id)
    assigned = session.exec(select(JobAssignment.id).where(col(JobAssignment.job_line_id).in_(line_ids),
                                                           JobAssignment.technician_id == user_id)).first()
    if assigned is not None:
        return True
    clocked = session.exec(select(TimeEntry.id).where(col(TimeEntry.job_line_id).in_(line_ids),
                                                      TimeEntry.technician_id == user_id)).first()
    return clocked is not None


@all_or_nothing
def record_quality_check(session: Session, actor: User, order_id: int, passed: bool, note: str = "") -> WorkOrder:
    """Record the quality check of a completed order. A fail needs a note and sends the order back to work."""
    require(actor, Permission.COMPLETE_ORDERS)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    if WorkOrderStatus(order.status) != WorkOrderStatus.COMPLETED:
        raise DomainError(f"工单{order.number}当前为“{WorkOrderStatus(order.status).label}”，只有已完工的工单可以质检")
    order = order_status.guard(session, order, {WorkOrderStatus.COMPLETED}, "质检")
    if worked_on(session, actor.id, order.id):
        raise DomainError("质检须由未参与该工单施工的人员进行")
    note = (note or "").strip()
    if len(note) > QC_NOTE_MAX:
        raise DomainError(f"质检说明不能超过{QC_NOTE_MAX}字", field="qc_note")
    if not passed and not note:
        raise DomainError("质检不合格时请写明原因", field="qc_note")
    order.qc_passed = bool(passed)
    order.qc_by_id = actor.id
    order.qc_at = utc_now()
    order.qc_note = note
    session.add(order)
    if not passed:
        order = order_status.move(order, WorkOrderStatus.IN_PROGRESS, actor, session)
        order.completed_at = None
    audit.record(session, actor, "work_order.quality_check", "work_order", order.id, branch_id=order.branch_id,
                 passed=bool(passed), note=note)
    session.commit()
    return order
