"""What is happening in the workshop: a technician's own task list (我的任务) and the progress board (R5).

Both read the same facts per job line: who is on it, the clocked minutes (every time entry, a running one counted
up to ``now``), whose clock runs, and whether it waits for a part (an open pick request from the line). ``now`` is a
parameter so the figures can be checked at a fixed moment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from lantong_pwa.services.workshop.dispatch import line_assignments
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.services.workshop.work_orders import OPEN_STATUSES
from models import (
    JobAssignment,
    JobLine,
    JobLineStatus,
    PickRequest,
    PickRequestStatus,
    TimeEntry,
    User,
    Vehicle,
    WorkOrder,
    WorkOrderStatus,
)
from models.common import utc_now

# Orders a technician still works on (a completed order waits for settlement, not for them).
IN_WORKSHOP = (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS)


@dataclass(frozen=True)
class LineFacts:
    minutes: int = 0  # everyone's clocked time on the line
    seconds_by_person: dict[int, int] = field(default_factory=dict)
    running: frozenset[int] = frozenset()  # who has a clock running on it
    waiting_parts: bool = False


def _seconds(started_at: datetime, ended_at: datetime | None, now: datetime) -> int:
    return max(0, int(((ended_at or now) - started_at).total_seconds()))


def line_facts(session: Session, line_ids: list[int], now: datetime) -> dict[int, LineFacts]:
    """Clocked time, running clocks and waiting-for-parts of each line, in two queries."""
    seconds: dict[int, dict[int, int]] = {i: defaultdict(int) for i in line_ids}
    running: dict[int, set[int]] = {i: set() for i in line_ids}
    waiting: set[int] = set()
    if line_ids:
        # Plain columns, not TimeEntry objects: a busy line gathers many entries and the board reads them all.
        for line_id, technician_id, started_at, ended_at in session.exec(
                select(TimeEntry.job_line_id, TimeEntry.technician_id, TimeEntry.started_at, TimeEntry.ended_at)
                .where(col(TimeEntry.job_line_id).in_(line_ids))):
            seconds[line_id][technician_id] += _seconds(started_at, ended_at, now)
            if ended_at is None:
                running[line_id].add(technician_id)
        waiting = set(session.exec(select(PickRequest.job_line_id).where(
            col(PickRequest.job_line_id).in_(line_ids), PickRequest.status == PickRequestStatus.OPEN)).all())
    return {i: LineFacts(minutes=sum(seconds[i].values()) // 60, seconds_by_person=dict(seconds[i]),
                         running=frozenset(running[i]), waiting_parts=i in waiting) for i in line_ids}


# --- my tasks ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskLine:
    line: JobLine
    share: str  # the technician's share of the line, e.g. "50.00"
    minutes: int  # everyone's clocked time on the line
    my_minutes: int
    mine_running: bool
    others: list[str]  # the other technicians on the line
    waiting_parts: bool


@dataclass(frozen=True)
class VehicleTasks:
    vehicle: Vehicle
    order: WorkOrder
    lines: list[TaskLine]


def my_tasks(session: Session, actor: User, now: datetime | None = None,
             vehicle_id: int | None = None) -> list[VehicleTasks]:
    """The job lines assigned to the actor in orders still in the workshop, grouped by vehicle (one group per
    order), the earliest promise first; only ``vehicle_id``'s when given."""
    require(actor, Permission.CLOCK_JOBS)
    now = now or utc_now()
    statement = (
        select(JobLine, JobAssignment, WorkOrder, Vehicle)
        .join(JobAssignment, JobAssignment.job_line_id == JobLine.id)
        .join(WorkOrder, WorkOrder.id == JobLine.work_order_id)
        .join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .where(JobAssignment.technician_id == actor.id, WorkOrder.branch_id == actor.branch_id,
               col(WorkOrder.status).in_(IN_WORKSHOP))
    )
    if vehicle_id is not None:
        statement = statement.where(WorkOrder.vehicle_id == vehicle_id)
    rows = session.exec(statement.order_by(col(WorkOrder.promised_at).is_(None), WorkOrder.promised_at,
                                           WorkOrder.id, JobLine.position, JobLine.id)).all()
    line_ids = [line.id for line, *_ in rows]
    facts = line_facts(session, line_ids, now)
    people = line_assignments(session, line_ids)
    groups: dict[int, VehicleTasks] = {}
    for line, assignment, order, vehicle in rows:
        fact = facts[line.id]
        group = groups.setdefault(order.id, VehicleTasks(vehicle=vehicle, order=order, lines=[]))
        group.lines.append(TaskLine(
            line=line, share=str(assignment.share_percent), minutes=fact.minutes,
            my_minutes=fact.seconds_by_person.get(actor.id, 0) // 60, mine_running=actor.id in fact.running,
            others=[user.display_name for _a, user in people[line.id] if user.id != actor.id],
            waiting_parts=fact.waiting_parts))
    return list(groups.values())


# --- the progress board -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardLine:
    line: JobLine
    technicians: list[tuple[str, str]]  # (name, share percent)
    minutes: int
    running: bool
    waiting_parts: bool


@dataclass(frozen=True)
class BoardOrder:
    order: WorkOrder
    vehicle: Vehicle
    lines: list[BoardLine]
    minutes: int  # clocked on the whole order
    minutes_left: int | None  # to the promised time; negative once it has passed; None without a promise or once
    # the order is completed
    late: bool  # promised time passed and the work is not complete
    waiting_parts: bool
    finished_lines: int


def board(session: Session, actor: User, now: datetime | None = None) -> list[BoardOrder]:
    """The branch's orders in the workshop (open, in progress, completed awaiting settlement), the earliest promise
    first, with every line's status, technicians, clocked time and whether it waits for parts."""
    require(actor, Permission.VIEW_VEHICLES)
    now = now or utc_now()
    orders = session.exec(
        select(WorkOrder, Vehicle).join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .where(col(WorkOrder.status).in_(OPEN_STATUSES), WorkOrder.branch_id == actor.branch_id)
        .order_by(col(WorkOrder.promised_at).is_(None), WorkOrder.promised_at, WorkOrder.created_at, WorkOrder.id)
    ).all()
    lines_by_order: dict[int, list[JobLine]] = {order.id: [] for order, _v in orders}
    if orders:
        for line in session.exec(select(JobLine).where(col(JobLine.work_order_id).in_(list(lines_by_order)))
                                 .order_by(JobLine.position, JobLine.id)):
            lines_by_order[line.work_order_id].append(line)
    line_ids = [line.id for lines in lines_by_order.values() for line in lines]
    facts = line_facts(session, line_ids, now)
    people = line_assignments(session, line_ids)
    result = []
    for order, vehicle in orders:
        lines = [BoardLine(line=line, minutes=facts[line.id].minutes, running=bool(facts[line.id].running),
                           waiting_parts=facts[line.id].waiting_parts,
                           technicians=[(user.display_name, str(a.share_percent)) for a, user in people[line.id]])
                 for line in lines_by_order[order.id]]
        # A completed order is no longer racing its promise: no time left to show, never late.
        left = None if order.promised_at is None or WorkOrderStatus(order.status) == WorkOrderStatus.COMPLETED \
            else int((order.promised_at - now).total_seconds() // 60)
        result.append(BoardOrder(
            order=order, vehicle=vehicle, lines=lines, minutes=sum(line.minutes for line in lines),
            minutes_left=left,
            late=left is not None and left < 0,
            waiting_parts=any(line.waiting_parts for line in lines),
            finished_lines=sum(1 for line in lines if JobLineStatus(line.line.status) == JobLineStatus.FINISHED)))
    return result
