"""Dispatch (派工, R4): who works on each job line, with percentage shares for performance and commission.

A whole order goes to one technician (100 % of every line) or to a team (every member an equal share of every line,
rounded to 0.01 so the shares add up to exactly 100.00); one line can go to one or several technicians with typed
shares. Reassigning replaces the line's assignments; every change is audited with before and after. A technician
taken off a line has their running clock on it stopped at that moment, by the job clock (``job_clock.stop_others``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop import job_clock
from lantong_pwa.services.workshop.order_status import guard_workable
from lantong_pwa.services.platform.parsing import FEN, parse_decimal
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.services.workshop.teams import TeamInfo, active_technician, branch_technicians, list_teams, team_members
from models import JobAssignment, JobLine, User, Vehicle, WorkOrder
from models.common import utc_now

HUNDRED = Decimal("100.00")


def equal_shares(count: int) -> list[Decimal]:
    """``count`` shares of 100 to the hundredth that add up to exactly 100.00; the first ones get the odd fen."""
    if count < 1:
        raise ValueError("count must be positive")
    base = (HUNDRED / count).quantize(FEN, rounding=ROUND_DOWN)
    extra = int((HUNDRED - base * count) / FEN)
    return [base + FEN if index < extra else base for index in range(count)]


def parse_shares(session: Session, branch_id: int, typed: dict[int, str]) -> list[tuple[User, Decimal]]:
    """Typed shares per technician id (blank: not on the line) as (technician, share); ``DomainError`` unless each
    is above 0, they add up to 100 and every technician is an active technician of the branch."""
    shares: list[tuple[User, Decimal]] = []
    for technician_id, text in typed.items():
        if str(text or "").strip() == "":
            continue
        technician = active_technician(session, branch_id, int(technician_id))
        value = parse_decimal(text, "share", f"{technician.display_name}的分成比例", maximum=HUNDRED)
        if value != value.quantize(FEN):
            raise DomainError("分成比例最多保留两位小数", field="share")
        if value <= 0:
            raise DomainError(f"{technician.display_name}的分成比例应大于0", field="share")
        shares.append((technician, value.quantize(FEN)))
    if not shares:
        raise DomainError("请至少选择一名技师", field="share")
    total = sum((value for _tech, value in shares), Decimal("0"))
    if total != HUNDRED:
        raise DomainError(f"分成比例合计应为100%，现为{total.normalize():f}%", field="share")
    return shares


def _snapshot(assignments: list[JobAssignment]) -> list[dict]:
    return sorted(({"technician_id": a.technician_id, "share": str(a.share_percent)} for a in assignments),
                  key=lambda row: row["technician_id"])


def _replace(session: Session, actor: User, line: JobLine, shares: list[tuple[User, Decimal]],
             now: datetime) -> bool:
    """Make ``shares`` the line's assignments; return whether anything changed (unchanged: no audit row)."""
    existing = list(session.exec(select(JobAssignment).where(JobAssignment.job_line_id == line.id)).all())
    before = _snapshot(existing)
    after = sorted(({"technician_id": tech.id, "share": str(share)} for tech, share in shares),
                   key=lambda row: row["technician_id"])
    if before == after:
        return False
    for assignment in existing:
        session.delete(assignment)
    session.flush()  # the unique (line, technician) pair may come back in the same transaction
    for technician, share in shares:
        session.add(JobAssignment(branch_id=line.branch_id, job_line_id=line.id, technician_id=technician.id,
                                  share_percent=share, assigned_by_id=actor.id, assigned_at=now))
    job_clock.stop_others(session, actor, line, {tech.id for tech, _share in shares}, now)
    audit.record(session, actor, "job_line.assign", "job_line", line.id, branch_id=line.branch_id,
                 work_order_id=line.work_order_id, before=before, after=after)
    return True


def _order_lines(session: Session, order: WorkOrder) -> list[JobLine]:
    return list(session.exec(select(JobLine).where(JobLine.work_order_id == order.id)
                             .order_by(JobLine.position, JobLine.id)).all())


def assign_order(session: Session, actor: User, order_id: int, *, technician_id: int | None = None,
                 team_id: int | None = None, now: datetime | None = None) -> WorkOrder:
    """Send every job line of the order to one technician, or to a team whose members share each line equally."""
    require(actor, Permission.DISPATCH)
    order = guard_workable(session, row_in_branch(session, actor, WorkOrder, order_id, "工单不存在"), "派工")
    if bool(technician_id) == bool(team_id):
        raise DomainError("请选择一名技师或一个班组", field="technician")
    now = now or utc_now()
    if team_id:
        team, members = team_members(session, actor, team_id)
        if team.branch_id != order.branch_id:
            raise DomainError("班组不存在", field="technician")
        shares = list(zip(members, equal_shares(len(members)), strict=True))
    else:
        team = None
        shares = [(active_technician(session, order.branch_id, technician_id), HUNDRED)]
    lines = _order_lines(session, order)
    if not lines:
        raise DomainError(f"工单{order.number}还没有维修项目，无法派工")
    for line in lines:
        _replace(session, actor, line, shares, now)
    before_team = order.team_id
    order.team_id = team.id if team else None
    order.updated_at = now
    session.add(order)
    audit.record(session, actor, "work_order.dispatch", "work_order", order.id, branch_id=order.branch_id,
                 before_team_id=before_team, team_id=order.team_id,
                 technicians=[tech.id for tech, _share in shares])
    session.flush()
    return order


def assign_line(session: Session, actor: User, job_line_id: int, typed_shares: dict[int, str],
                now: datetime | None = None) -> list[JobAssignment]:
    """Send one job line to one or several technicians with typed percentage shares (adding up to 100)."""
    require(actor, Permission.DISPATCH)
    line = row_in_branch(session, actor, JobLine, job_line_id, "维修项目不存在")
    guard_workable(session, session.get(WorkOrder, line.work_order_id), "派工")
    shares = parse_shares(session, line.branch_id, typed_shares)
    _replace(session, actor, line, shares, now or utc_now())
    session.flush()
    return list(session.exec(select(JobAssignment).where(JobAssignment.job_line_id == line.id)).all())


def line_assignments(session: Session, line_ids: list[int]) -> dict[int, list[tuple[JobAssignment, User]]]:
    """Each line's assignments with the technician, largest share first (no permission check: a building block)."""
    found: dict[int, list[tuple[JobAssignment, User]]] = {line_id: [] for line_id in line_ids}
    if line_ids:
        rows = session.exec(select(JobAssignment, User).join(User, User.id == JobAssignment.technician_id)
                            .where(col(JobAssignment.job_line_id).in_(line_ids))).all()
        # Sorted here, not in SQL: collations order Chinese names differently on each engine.
        for assignment, user in sorted(rows, key=lambda row: (-row[0].share_percent, row[1].display_name, row[1].id)):
            found[assignment.job_line_id].append((assignment, user))
    return found


@dataclass(frozen=True)
class DispatchSheet:
    """What the dispatch screen shows for one order: its lines with their technicians, and who work can go to."""

    order: WorkOrder
    vehicle: Vehicle
    lines: list[tuple[JobLine, list[tuple[JobAssignment, User]]]]
    technicians: list[User]
    teams: list[TeamInfo]


def dispatch_sheet(session: Session, actor: User, order_id: int) -> DispatchSheet:
    require(actor, Permission.DISPATCH)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    lines = _order_lines(session, order)
    people = line_assignments(session, [line.id for line in lines])
    return DispatchSheet(order=order, vehicle=session.get(Vehicle, order.vehicle_id),
                         lines=[(line, people[line.id]) for line in lines],
                         technicians=branch_technicians(session, actor, order.branch_id),
                         teams=list_teams(session, actor, order.branch_id))
