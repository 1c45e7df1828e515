"""What a person may do with an order right now: the one answer every screen offers and every service checks.

The answer comes from the order's status, its job lines, its active settlement and the money taken against it,
and the person's role, branch and part in the work (a quality check is by someone who did not work on it). Pages
show exactly the actions listed here; the services refuse the rest with the reason ``refusal`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import union
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform.permissions import Permission, role_allows, sees_all_branches
from lantong_pwa.services.workshop.order_status import WORKABLE
from models import (
    JobAssignment,
    JobLine,
    JobLineStatus,
    Payment,
    Settlement,
    SettlementStatus,
    TimeEntry,
    User,
    WorkOrder,
    WorkOrderStatus,
)

S = WorkOrderStatus
ZERO = Decimal("0.00")


class Action(StrEnum):
    COMPLETE = "complete"  # 确认完工
    QUALITY_CHECK = "quality_check"  # 质检
    EDIT_TERMS = "edit_terms"  # payers, discounts and fees before settling
    SETTLE = "settle"  # 结算
    TAKE_PAYMENT = "take_payment"  # 收款
    REOPEN_SETTLEMENT = "reopen_settlement"  # 撤销结算 (a manager, before any money is taken)
    DISPATCH = "dispatch"  # 派工
    PICK = "pick"  # 领料 / 退料
    CLOCK = "clock"  # 开工 / 暂停 / 完工 of a job line
    REQUEST_PARTS = "request_parts"  # 申请配件 from a job line
    # Intake photos and their damage notes (a job line's note and photos go with CLOCK: its technician or a lead).
    PHOTOS = "photos"


PERMISSION = {
    Action.COMPLETE: Permission.COMPLETE_ORDERS,
    Action.QUALITY_CHECK: Permission.COMPLETE_ORDERS,
    Action.EDIT_TERMS: Permission.SETTLE,
    Action.SETTLE: Permission.SETTLE,
    Action.TAKE_PAYMENT: Permission.TAKE_PAYMENTS,
    Action.REOPEN_SETTLEMENT: Permission.REOPEN_SETTLEMENT,
    Action.DISPATCH: Permission.DISPATCH,
    Action.PICK: Permission.MOVE_STOCK,
    Action.CLOCK: Permission.CLOCK_JOBS,
    Action.REQUEST_PARTS: Permission.REQUEST_PARTS,
    Action.PHOTOS: Permission.INTAKE,
}


@dataclass(frozen=True)
class OrderFacts:
    """What the answer depends on, read once per order."""

    number: str
    status: WorkOrderStatus
    job_lines: int = 0
    unfinished: tuple[str, ...] = ()  # names of the job lines not finished yet
    settled: bool = False  # an active settlement exists
    customer_amount: Decimal = ZERO  # of the active settlement
    paid: Decimal = ZERO  # taken against the active settlement
    worked_on: bool = False  # the person was assigned to, or clocked on, one of its lines
    in_branch: bool = True  # the person may see the order's branch


def refusal(role: str, facts: OrderFacts, action: Action) -> str | None:
    """Why ``action`` is not open to a person of ``role`` on an order with ``facts``, or ``None`` when it is."""
    if not facts.in_branch:
        return "记录不存在或无权查看"
    if not role_allows(role, PERMISSION[action]):
        return "您没有权限执行此操作"
    status, number = facts.status, facts.number
    now = f"工单{number}当前为“{status.label}”"
    if action == Action.COMPLETE:
        if status != S.IN_PROGRESS:
            return f"{now}，不能确认完工"
        if not facts.job_lines:
            return f"工单{number}没有维修项目，不能完工"
        if facts.unfinished:
            return f"还有未完工的维修项目：{'、'.join(facts.unfinished)}"
        return None
    if action == Action.QUALITY_CHECK:
        if status != S.COMPLETED:
            return f"{now}，只有已完工的工单可以质检"
        return "质检须由未参与该工单施工的人员进行" if facts.worked_on else None
    if action == Action.SETTLE:
        if facts.settled or status in (S.SETTLED, S.CLOSED):
            return f"工单{number}已结算"
        return None if status == S.COMPLETED else f"{now}，完工后才能结算"
    if action == Action.TAKE_PAYMENT:
        if status != S.SETTLED or not facts.settled:
            return f"{now}，结算后才能收款" if status != S.CLOSED else f"工单{number}已结清"
        return None if facts.paid < facts.customer_amount else f"工单{number}已结清"
    if action == Action.REOPEN_SETTLEMENT:
        if status != S.SETTLED or not facts.settled:
            return f"{now}，没有可撤销的结算单"
        return None if facts.paid == 0 else f"工单{number}已收款，不能撤销结算"
    # The actions on the work itself: while the order still takes work.
    doing = {Action.EDIT_TERMS: "修改结算信息", Action.DISPATCH: "派工", Action.PICK: "领料", Action.CLOCK: "开工",
             Action.REQUEST_PARTS: "申请领料", Action.PHOTOS: "添加或修改照片"}[action]
    return None if status in WORKABLE else f"工单{number}{status.label}，不能{doing}"


def actions_for(role: str, facts: OrderFacts) -> frozenset[Action]:
    """Every action open to a person of ``role`` on an order with ``facts``."""
    return frozenset(action for action in Action if refusal(role, facts, action) is None)


def facts_of(session: Session, actor: User, orders: Sequence[WorkOrder]) -> dict[int, OrderFacts]:
    """The facts of each order for ``actor``, in three queries however many orders."""
    ids = [order.id for order in orders]
    if not ids:
        return {}
    unfinished: dict[int, list[str]] = {i: [] for i in ids}
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for order_id, name, status in session.exec(
            select(JobLine.work_order_id, JobLine.name, JobLine.status).where(col(JobLine.work_order_id).in_(ids))
            .order_by(JobLine.position, JobLine.id)).all():
        counts[order_id] += 1
        if JobLineStatus(status) != JobLineStatus.FINISHED:
            unfinished[order_id].append(name)
    settlements, paid = {}, {}
    for active, paid_so_far in session.exec(
            select(Settlement, func.coalesce(func.sum(Payment.amount), 0))
            .outerjoin(Payment, Payment.settlement_id == Settlement.id)
            .where(col(Settlement.work_order_id).in_(ids), Settlement.status == SettlementStatus.ACTIVE)
            .group_by(Settlement.id)).all():
        settlements[active.work_order_id], paid[active.id] = active, paid_so_far
    line_ids = select(JobLine.id).where(col(JobLine.work_order_id).in_(ids))
    assigned = select(JobLine.work_order_id).join(JobAssignment, JobAssignment.job_line_id == JobLine.id).where(
        col(JobLine.id).in_(line_ids), JobAssignment.technician_id == actor.id)
    clocked = select(JobLine.work_order_id).join(TimeEntry, TimeEntry.job_line_id == JobLine.id).where(
        col(JobLine.id).in_(line_ids), TimeEntry.technician_id == actor.id)
    worked = set(session.exec(union(assigned, clocked)).scalars().all())
    facts = {}
    for order in orders:
        active = settlements.get(order.id)
        facts[order.id] = OrderFacts(
            number=order.number, status=WorkOrderStatus(order.status), job_lines=counts[order.id],
            unfinished=tuple(unfinished[order.id]), settled=active is not None,
            customer_amount=active.customer_amount if active else ZERO,
            paid=Decimal(paid.get(active.id) or 0) if active else ZERO, worked_on=order.id in worked,
            in_branch=sees_all_branches(actor) or actor.branch_id == order.branch_id)
    return facts


def allowed(session: Session, actor: User | None, order: WorkOrder) -> frozenset[Action]:
    """What ``actor`` may do with ``order`` now (nothing for nobody)."""
    if actor is None or not actor.is_active:
        return frozenset()
    return actions_for(actor.role, facts_of(session, actor, [order])[order.id])


def allowed_each(session: Session, actor: User | None, orders: Sequence[WorkOrder]) -> dict[int, frozenset[Action]]:
    """``allowed`` for many orders at once (the progress board)."""
    if actor is None or not actor.is_active:
        return {order.id: frozenset() for order in orders}
    return {order_id: actions_for(actor.role, facts) for order_id, facts in facts_of(session, actor, orders).items()}


def require_action(session: Session, actor: User, order: WorkOrder, action: Action) -> None:
    """Refuse ``action`` on ``order`` with the reason, unless it is open to ``actor`` now."""
    reason = refusal(actor.role, facts_of(session, actor, [order])[order.id], action)
    if reason is not None:
        raise DomainError(reason)


def names(actions: frozenset[Action]) -> list[str]:
    """The actions as the States hand them to the pages, in a stable order."""
    return [action.value for action in Action if action in actions]
