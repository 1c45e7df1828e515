"""A part asked for from a job line (a technician found a worn part): it becomes a parts line on the order, at the
catalogue price, and an open pick request on the parts clerk's list until the part is picked."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop.order_status import guard_workable
from lantong_pwa.services.platform.permissions import Permission, allows, require, row_in_branch
from lantong_pwa.services.workshop.work_orders import PartLineInput, priced_part_line
from models import JobAssignment, JobLine, PartLine, PickRequest, PickRequestStatus, Role, User, WorkOrder


def request_part(session: Session, actor: User, job_line_id: int, part_id: int, quantity: str,
                 note: str = "") -> PickRequest:
    """Ask for a part for a job line. A technician may ask only for lines assigned to them."""
    require(actor, Permission.REQUEST_PARTS)
    line = row_in_branch(session, actor, JobLine, job_line_id, "维修项目不存在")
    order = guard_workable(session, session.get(WorkOrder, line.work_order_id), "申请领料")
    if Role(actor.role) == Role.TECHNICIAN and not allows(actor, Permission.LEAD_WORKSHOP):
        assigned = session.exec(select(JobAssignment.id).where(JobAssignment.job_line_id == line.id,
                                                              JobAssignment.technician_id == actor.id)).first()
        if assigned is None:
            raise PermissionDenied("只能为派给自己的维修项目申请配件")
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("备注不能超过200字", field="note")
    values = priced_part_line(session, order.branch_id, PartLineInput(part_id=part_id, quantity=quantity))
    position = session.exec(select(func.count()).select_from(PartLine)
                            .where(PartLine.work_order_id == order.id)).one()
    part_line = PartLine(branch_id=order.branch_id, work_order_id=order.id, position=position, **values)
    session.add(part_line)
    session.flush()
    request = PickRequest(branch_id=order.branch_id, work_order_id=order.id, job_line_id=line.id,
                          part_line_id=part_line.id, part_id=part_id, quantity=values["quantity"], note=note,
                          requested_by_id=actor.id)
    session.add(request)
    session.flush()
    audit.record(session, actor, "pick_request.create", "pick_request", request.id, branch_id=order.branch_id,
                 work_order_id=order.id, part_id=part_id, quantity=values["quantity"])
    session.flush()
    return request


def open_requests(session: Session, actor: User) -> list[PickRequest]:
    """The branch's pick requests still waiting for the parts clerk, oldest first."""
    require(actor, Permission.VIEW_VEHICLES)
    return list(session.exec(
        select(PickRequest).where(PickRequest.branch_id == actor.branch_id,
                                  PickRequest.status == PickRequestStatus.OPEN)
        .order_by(col(PickRequest.created_at), col(PickRequest.id))
    ).all())


def close_when_picked(session: Session, actor: User, line: PartLine) -> list[PickRequest]:
    """Mark the line's open requests done once its parts are fully picked (net of returns). Called by the pick, in
    its transaction; the caller commits."""
    if line.picked_quantity - line.returned_quantity < line.quantity:
        return []
    requests = list(session.exec(select(PickRequest).where(PickRequest.part_line_id == line.id,
                                                           PickRequest.status == PickRequestStatus.OPEN)).all())
    for request in requests:
        request.status = PickRequestStatus.DONE
        session.add(request)
        audit.record(session, actor, "pick_request.done", "pick_request", request.id, branch_id=request.branch_id,
                     work_order_id=request.work_order_id, part_line_id=line.id)
    return requests
