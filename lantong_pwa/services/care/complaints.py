"""Complaints (投诉, C1): raised by a customer's low rating, during a phone follow-up, or by staff at the counter;
handled by an assignee from open to closed.

    open ──▶ processing ──(resolution required)──▶ resolved ──▶ closed
                  ▲                                    │
                  └──────────(reopened)────────────────┘

Handlers (HANDLE_COMPLAINTS) assign and make every move; the assignee may start processing and resolve their own
complaint. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.permissions import (
    Permission,
    allows,
    require,
    require_branch,
    role_allows,
    row_in_branch,
    sees_all_branches,
)
from lantong_pwa.services.platform.validation import normalize_plate
from lantong_pwa.timezone import local_day
from models import (
    AuditEvent,
    Complaint,
    ComplaintSource,
    ComplaintStatus,
    Customer,
    FollowUp,
    User,
    Vehicle,
    WorkOrder,
)
from models.common import utc_now

COMPLAINT_PREFIX = "TS"
SUMMARY_MAX = 500
RESOLUTION_MAX = 1000
S = ComplaintStatus
ALLOWED_MOVES: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.OPEN: frozenset({S.PROCESSING}),
    S.PROCESSING: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.PROCESSING}),
    S.CLOSED: frozenset(),
}
ASSIGNEE_MOVES = frozenset({S.PROCESSING, S.RESOLVED})  # what an assignee may do to their own complaint
LIST_LIMIT = 200


def _summary(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def complaint_of_follow_up(session: Session, follow_up_id: int) -> Complaint | None:
    return session.exec(select(Complaint).where(Complaint.follow_up_id == follow_up_id)).first()


def raise_complaint(session: Session, follow_up: FollowUp, source: ComplaintSource, summary: str,
                    actor: User | None, now: datetime | None = None) -> Complaint:
    """The complaint a follow-up raised (one per follow-up: a second reason finds the first complaint).
    Flushes, never commits; the follow-up's service decides."""
    earlier = complaint_of_follow_up(session, follow_up.id)
    if earlier is not None:
        return earlier
    now = now or utc_now()
    complaint = Complaint(
        branch_id=follow_up.branch_id, number=next_number(session, follow_up.branch_id, COMPLAINT_PREFIX,
                                                          local_day(now)),
        customer_id=follow_up.customer_id, vehicle_id=follow_up.vehicle_id, work_order_id=follow_up.work_order_id,
        follow_up_id=follow_up.id, source=source, summary=_summary(summary),
        created_by_id=actor.id if actor else None, created_at=now, updated_at=now)
    session.add(complaint)
    session.flush()
    audit.record(session, actor, "complaint.create", "complaint", complaint.id, branch_id=complaint.branch_id,
                 number=complaint.number, source=source.value, follow_up_id=follow_up.id)
    return complaint


@dataclass(frozen=True)
class ComplaintForm:
    """Whose complaint: ``customer_id`` (with an optional vehicle and order), or just the car's ``plate``."""

    summary: str
    request_key: str
    customer_id: int | None = None
    vehicle_id: int | None = None
    work_order_id: int | None = None
    plate: str = ""


def _by_plate(session: Session, actor: User, plate_text: str) -> Vehicle:
    plate = normalize_plate(plate_text)
    vehicle = session.exec(select(Vehicle).where(Vehicle.branch_id == actor.branch_id, Vehicle.plate == plate)).first()
    if vehicle is None:
        raise DomainError(f"本店没有车牌为{plate}的车辆", field="plate")
    return vehicle


def create_complaint(session: Session, actor: User, form: ComplaintForm) -> Complaint:
    """A complaint staff take at the counter or on the phone (到店/来电); a resent key returns the earlier row."""
    require(actor, Permission.CUSTOMER_CARE)
    key = (form.request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    form_vehicle_id = form.vehicle_id
    if not form.customer_id:
        vehicle = _by_plate(session, actor, form.plate)
        form_vehicle_id = vehicle.id
        customer = session.get(Customer, vehicle.customer_id)
    else:
        customer = row_in_branch(session, actor, Customer, form.customer_id, "客户不存在")
    earlier = session.exec(select(Complaint).where(Complaint.branch_id == customer.branch_id,
                                                   Complaint.request_key == key)).first()
    if earlier is not None:
        return earlier
    summary = (form.summary or "").strip()
    if not summary:
        raise DomainError("请填写投诉内容", field="summary")
    if len(summary) > SUMMARY_MAX:
        raise DomainError(f"投诉内容不能超过{SUMMARY_MAX}字", field="summary")
    vehicle_id = order_id = None
    if form_vehicle_id:
        vehicle = row_in_branch(session, actor, Vehicle, form_vehicle_id, "车辆不存在")
        if vehicle.customer_id != customer.id:
            raise DomainError("该车辆不属于此客户", field="vehicle")
        vehicle_id = vehicle.id
    if form.work_order_id:
        order = row_in_branch(session, actor, WorkOrder, form.work_order_id, "工单不存在")
        if order.customer_id != customer.id:
            raise DomainError("该工单不属于此客户", field="work_order")
        order_id, vehicle_id = order.id, vehicle_id or order.vehicle_id
    now = utc_now()
    complaint = Complaint(
        branch_id=customer.branch_id, number=next_number(session, customer.branch_id, COMPLAINT_PREFIX,
                                                         local_day(now)),
        customer_id=customer.id, vehicle_id=vehicle_id, work_order_id=order_id, source=ComplaintSource.WALK_IN,
        summary=summary, created_by_id=actor.id, request_key=key, created_at=now, updated_at=now)
    session.add(complaint)
    session.flush()
    audit.record(session, actor, "complaint.create", "complaint", complaint.id, branch_id=complaint.branch_id,
                 number=complaint.number, source=ComplaintSource.WALK_IN.value)
    session.flush()
    return complaint


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    customer: Customer
    vehicle: Vehicle | None
    assignee: User | None


@dataclass(frozen=True)
class ComplaintDetail(ComplaintRow):
    order: WorkOrder | None
    follow_up: FollowUp | None
    created_by: User | None
    history: list[tuple[AuditEvent, User | None]]
    assignable: list[User]


def list_complaints(session: Session, actor: User, *, status: str = "", assignee_id: int | None = None,
                    limit: int = LIST_LIMIT) -> list[ComplaintRow]:
    """Complaints of the actor's branch (admins: all), newest first, filtered by status and assignee."""
    require(actor, Permission.CUSTOMER_CARE)
    query = (select(Complaint, Customer, Vehicle, User)
             .join(Customer, Customer.id == Complaint.customer_id)
             .join(Vehicle, Vehicle.id == Complaint.vehicle_id, isouter=True)
             .join(User, User.id == Complaint.assignee_id, isouter=True))
    if not sees_all_branches(actor):
        query = query.where(Complaint.branch_id == actor.branch_id)
    if status:
        try:
            query = query.where(Complaint.status == ComplaintStatus(status))
        except ValueError:
            raise DomainError("状态无效", field="status") from None
    if assignee_id is not None:
        query = query.where(Complaint.assignee_id == assignee_id)
    query = query.order_by(col(Complaint.created_at).desc(), col(Complaint.id).desc()).limit(limit)
    return [ComplaintRow(complaint, customer, vehicle, assignee)
            for complaint, customer, vehicle, assignee in session.exec(query).all()]


def assignable_users(session: Session, branch_id: int) -> list[User]:
    """Active users of the branch who work with customers (may be given a complaint)."""
    users = session.exec(select(User).where(User.branch_id == branch_id, User.is_active == True)  # noqa: E712
                         .order_by(User.display_name, User.id)).all()
    return [user for user in users if role_allows(user.role, Permission.CUSTOMER_CARE)]


def complaint_detail(session: Session, actor: User, complaint_id: int) -> ComplaintDetail:
    require(actor, Permission.CUSTOMER_CARE)
    complaint = row_in_branch(session, actor, Complaint, complaint_id, "投诉不存在")

    def user(user_id: int | None) -> User | None:
        return session.get(User, user_id) if user_id else None

    events = session.exec(select(AuditEvent, User).join(User, User.id == AuditEvent.user_id, isouter=True)
                          .where(AuditEvent.entity == "complaint", AuditEvent.entity_id == complaint.id)
                          .order_by(col(AuditEvent.created_at), col(AuditEvent.id))).all()
    return ComplaintDetail(
        complaint=complaint, customer=session.get(Customer, complaint.customer_id),
        vehicle=session.get(Vehicle, complaint.vehicle_id) if complaint.vehicle_id else None,
        assignee=user(complaint.assignee_id),
        order=session.get(WorkOrder, complaint.work_order_id) if complaint.work_order_id else None,
        follow_up=session.get(FollowUp, complaint.follow_up_id) if complaint.follow_up_id else None,
        created_by=user(complaint.created_by_id), history=[(event, who) for event, who in events],
        assignable=assignable_users(session, complaint.branch_id))


# --- handling ---------------------------------------------------------------------------------------------------


def _locked_complaint(session: Session, actor: User, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("投诉不存在")
    require_branch(actor, complaint.branch_id)
    return locked(session, Complaint, complaint.id)


def assign(session: Session, actor: User, complaint_id: int, assignee_id: int) -> Complaint:
    """Give the complaint to a person of its branch who works with customers."""
    require(actor, Permission.HANDLE_COMPLAINTS)
    complaint = _locked_complaint(session, actor, complaint_id)
    if ComplaintStatus(complaint.status) == ComplaintStatus.CLOSED:
        raise DomainError(f"投诉{complaint.number}已关闭")
    assignee = session.get(User, assignee_id) if assignee_id else None
    if assignee is None or assignee.id not in {user.id for user in assignable_users(session, complaint.branch_id)}:
        raise DomainError("请选择本店的客服、顾问或店长", field="assignee")
    if complaint.assignee_id != assignee.id:
        audit.record(session, actor, "complaint.assign", "complaint", complaint.id, branch_id=complaint.branch_id,
                     before=complaint.assignee_id, after=assignee.id, assignee=assignee.display_name)
        complaint.assignee_id = assignee.id
        complaint.updated_at = utc_now()
        session.add(complaint)
        session.flush()
    return complaint


def may_move(actor: User, complaint: Complaint, to: ComplaintStatus) -> bool:
    """Handlers make every move; the assignee starts processing and resolves their own complaint."""
    return allows(actor, Permission.HANDLE_COMPLAINTS) or (
        to in ASSIGNEE_MOVES and complaint.assignee_id == actor.id and allows(actor, Permission.CUSTOMER_CARE))


def change_status(session: Session, actor: User, complaint_id: int, to: str, resolution: str = "") -> Complaint:
    """Move the complaint on; resolving needs the resolution (处理结果) written down."""
    require(actor, Permission.CUSTOMER_CARE)
    try:
        target = ComplaintStatus(to)
    except ValueError:
        raise DomainError("状态无效", field="status") from None
    complaint = _locked_complaint(session, actor, complaint_id)
    if not may_move(actor, complaint, target):
        raise PermissionDenied()
    current = ComplaintStatus(complaint.status)
    if target not in ALLOWED_MOVES[current]:
        raise DomainError(f"投诉{complaint.number}当前为“{current.label}”，不能改为“{target.label}”", field="status")
    resolution = (resolution or "").strip()
    if len(resolution) > RESOLUTION_MAX:
        raise DomainError(f"处理结果不能超过{RESOLUTION_MAX}字", field="resolution")
    now = utc_now()
    if target == ComplaintStatus.RESOLVED:
        if not resolution:
            raise DomainError("请填写处理结果", field="resolution")
        complaint.resolution = resolution
        complaint.resolved_at = now
    elif target == ComplaintStatus.PROCESSING and current == ComplaintStatus.RESOLVED:
        complaint.resolved_at = None  # reopened; the earlier resolution stays visible until a new one replaces it
    complaint.status = target
    complaint.updated_at = now
    session.add(complaint)
    audit.record(session, actor, "complaint.status", "complaint", complaint.id, branch_id=complaint.branch_id,
                 before=current.value, after=target.value, resolution=resolution)
    session.flush()
    return complaint
