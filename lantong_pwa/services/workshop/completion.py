"""Completion (R6): an order is complete when every job line is finished; an optional quality check (质检) by
someone who did not work on it. A completed order is ready for settlement.

Parts and completion agree: a planned part never picked, or one a technician asked for that is still waiting,
stops completion until someone decides (``PartsUndecided``): the parts clerk picks it, the line is removed
(``drop_unpicked_part``), or the order is completed anyway with a reason kept on the order (its open requests are
cancelled). Only what was picked is billed.

A failed quality check sends the whole order back to "in progress" (its lines stay as they are: the rework is
clocked on them again or on a new line), and it must be completed again before it can be settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop import order_actions, order_status
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from models import (
    PartLine,
    PickRequest,
    PickRequestStatus,
    User,
    WorkOrder,
    WorkOrderStatus,
)
from models.common import utc_now

QC_NOTE_MAX = 200
PARTS_REASON_MAX = 200
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class UnpickedPart:
    """A parts line not (fully) on the car: planned and never picked, or asked for and still waiting."""

    line_id: int
    description: str  # 机油滤清器（JL-001）
    unit: str
    planned: Decimal
    used: Decimal  # picked − returned
    requested: bool  # a technician's pick request for it is still open

    @property
    def text(self) -> str:
        asked = "，技师申请的领料还未处理" if self.requested else ""
        return f"{self.description}：计划{self.planned.normalize():f}{self.unit}，已领用{self.used.normalize():f}{self.unit}{asked}"


class PartsUndecided(DomainError):
    """Completing needs a decision on parts that were planned or asked for but never picked."""

    def __init__(self, parts: list[UnpickedPart]):
        super().__init__("以下配件还没有领料，请先领料、删除该配件，或填写原因后仍然完工：" +
                         "；".join(part.text for part in parts), field="parts_reason")
        self.parts = parts


def _open_requests(session: Session, order_id: int) -> list[PickRequest]:
    return list(session.exec(select(PickRequest).where(PickRequest.work_order_id == order_id,
                                                       PickRequest.status == PickRequestStatus.OPEN)
                             .order_by(PickRequest.id)).all())


def unpicked_parts(session: Session, order_id: int) -> list[UnpickedPart]:
    """The order's parts lines with nothing used, or with a technician's request still open."""
    requested = {r.part_line_id for r in _open_requests(session, order_id)}
    found = []
    for line in session.exec(select(PartLine).where(PartLine.work_order_id == order_id)
                             .order_by(PartLine.position, PartLine.id)).all():
        used = (line.picked_quantity or ZERO) - (line.returned_quantity or ZERO)
        if (used <= 0 and line.quantity > 0) or line.id in requested:
            found.append(UnpickedPart(line_id=line.id, description=f"{line.part_name}（{line.part_code}）",
                                      unit=line.unit, planned=line.quantity, used=used,
                                      requested=line.id in requested))
    return found


def complete_order(session: Session, actor: User, order_id: int, parts_reason: str = "") -> WorkOrder:
    """Mark the order completed; every job line must be finished. Parts planned or asked for but not picked stop
    it (``PartsUndecided``) unless ``parts_reason`` says why it is complete without them."""
    require(actor, Permission.COMPLETE_ORDERS)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    if WorkOrderStatus(order.status) == WorkOrderStatus.COMPLETED:
        return order  # a second tap: already done
    order = order_status.guard(session, order, {WorkOrderStatus.IN_PROGRESS}, "确认完工")  # held in 维修中 from here
    order_actions.require_action(session, actor, order, Action.COMPLETE)  # its lines as they are now
    undecided = unpicked_parts(session, order.id)
    reason = (parts_reason or "").strip()
    if undecided and not reason:
        raise PartsUndecided(undecided)
    if len(reason) > PARTS_REASON_MAX:
        raise DomainError(f"原因不能超过{PARTS_REASON_MAX}字", field="parts_reason")
    if undecided:
        for request in _open_requests(session, order.id):
            request.status = PickRequestStatus.CANCELLED
            session.add(request)
            audit.record(session, actor, "pick_request.cancel", "pick_request", request.id,
                         branch_id=request.branch_id, work_order_id=order.id, reason=reason)
        audit.record(session, actor, "work_order.complete_without_parts", "work_order", order.id,
                     branch_id=order.branch_id, reason=reason, part_lines=[part.line_id for part in undecided])
    order = order_status.move(order, WorkOrderStatus.COMPLETED, actor, session)
    order.unpicked_parts_reason = reason if undecided else ""
    order.completed_at = utc_now()
    order.qc_passed = None
    order.qc_by_id = None
    order.qc_at = None
    order.qc_note = ""
    session.add(order)
    session.flush()
    return order


def record_quality_check(session: Session, actor: User, order_id: int, passed: bool, note: str = "") -> WorkOrder:
    """Record the quality check of a completed order. A fail needs a note and sends the order back to work."""
    require(actor, Permission.COMPLETE_ORDERS)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    order_actions.require_action(session, actor, order, Action.QUALITY_CHECK)
    order = order_status.guard(session, order, {WorkOrderStatus.COMPLETED}, "质检")
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
    session.flush()
    return order


def drop_unpicked_part(session: Session, actor: User, part_line_id: int) -> PartLine:
    """Take a parts line that was never picked off the order (the part is not needed after all); its open requests
    are cancelled. A line with parts picked stays: return them first."""
    require(actor, Permission.COMPLETE_ORDERS)
    line = row_in_branch(session, actor, PartLine, part_line_id, "配件行不存在")
    order = order_status.guard_workable(session, row_in_branch(session, actor, WorkOrder, line.work_order_id,
                                                               "工单不存在"), "删除配件")
    session.refresh(line)  # as it is now that the order is held
    if line.picked_quantity:
        raise DomainError(f"{line.part_name}已领料，不能删除；请先退料")
    for request in session.exec(select(PickRequest).where(PickRequest.part_line_id == line.id)).all():
        if PickRequestStatus(request.status) == PickRequestStatus.OPEN:
            request.status = PickRequestStatus.CANCELLED
            audit.record(session, actor, "pick_request.cancel", "pick_request", request.id,
                         branch_id=request.branch_id, work_order_id=order.id, reason="删除配件")
        request.part_line_id = None
        session.add(request)
    audit.record(session, actor, "part_line.remove", "part_line", line.id, branch_id=line.branch_id,
                 work_order_id=order.id, part_id=line.part_id, part=line.part_name, quantity=str(line.quantity))
    session.delete(line)
    session.flush()
    return line
