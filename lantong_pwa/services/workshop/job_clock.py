"""The job clock (R5): a technician starts, pauses, resumes and finishes a job line; each stretch of work is a
``TimeEntry`` of that technician on that line (``ended_at`` empty while it runs).

Rules:
- Only a technician assigned to the line clocks it, or a lead: a role with ``LEAD_WORKSHOP`` or the leader of the
  team the order went to. Clock entries are always the tapping person's own.
- A person has at most one running clock. Starting a line while another runs pauses the other one first (the
  technician walked to another car; making them go back and tap 暂停 there would only lose time).
- Starting the first line moves the order from 已开单 to 维修中. Finishing stops every clock on the line.
- A finished line is reopened only by a lead; a completed order goes back to 维修中.
- Repeated taps are harmless: starting a running line, pausing a stopped one or finishing a finished one change
  nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop import order_status, photos
from lantong_pwa.services.parts.parts import catalogue_matches
from lantong_pwa.services.platform.permissions import Permission, allows, require, row_in_branch
from models import JobAssignment, JobLine, JobLineStatus, Part, Photo, Team, TimeEntry, User, WorkOrder
from models import WorkOrderStatus as S
from models.common import utc_now


def is_lead(session: Session, actor: User, order: WorkOrder) -> bool:
    """A workshop lead for this order: a role that leads the workshop, or the leader of the order's team."""
    if allows(actor, Permission.LEAD_WORKSHOP):
        return True
    if order.team_id:
        team = session.get(Team, order.team_id)
        return team is not None and team.leader_id == actor.id
    return False


def is_assigned(session: Session, user_id: int, line_id: int) -> bool:
    return session.exec(select(JobAssignment.id).where(JobAssignment.job_line_id == line_id,
                                                       JobAssignment.technician_id == user_id)).first() is not None


def workable_line(session: Session, actor: User, job_line_id: int, doing: str) -> tuple[JobLine, WorkOrder]:
    """The line and its order, if the actor may clock it and the order still takes work (held for the rest of the
    request); raises otherwise."""
    require(actor, Permission.CLOCK_JOBS)
    line = row_in_branch(session, actor, JobLine, job_line_id, "维修项目不存在")
    order = session.get(WorkOrder, line.work_order_id)
    if not is_assigned(session, actor.id, line.id) and not is_lead(session, actor, order):
        raise PermissionDenied("只能操作派给自己的维修项目")
    order = order_status.guard_workable(session, order, doing)
    session.refresh(line)  # as it is now that the order is held
    return line, order


def _open_entries(session: Session, *, line_id: int | None = None, user_id: int | None = None) -> list[TimeEntry]:
    statement = select(TimeEntry).where(col(TimeEntry.ended_at).is_(None))
    if line_id is not None:
        statement = statement.where(TimeEntry.job_line_id == line_id)
    if user_id is not None:
        statement = statement.where(TimeEntry.technician_id == user_id)
    return list(session.exec(statement).all())


def _stop(session: Session, entries: list[TimeEntry], now: datetime) -> None:
    for entry in entries:
        entry.ended_at = max(now, entry.started_at)
        session.add(entry)
    session.flush()


def _set_status(session: Session, actor: User, line: JobLine, status: JobLineStatus, **detail) -> None:
    before = JobLineStatus(line.status)
    if before == status:
        return
    line.status = status
    session.add(line)
    audit.record(session, actor, "job_line.status", "job_line", line.id, branch_id=line.branch_id,
                 work_order_id=line.work_order_id, before=before.value, after=status.value, **detail)


def _paused_if_idle(session: Session, actor: User, line: JobLine, **detail) -> None:
    if JobLineStatus(line.status) == JobLineStatus.IN_PROGRESS and not _open_entries(session, line_id=line.id):
        _set_status(session, actor, line, JobLineStatus.PAUSED, **detail)


def stop_others(session: Session, actor: User, line: JobLine, kept_ids: set[int], now: datetime) -> None:
    """Stop the running clocks on ``line`` of everyone not in ``kept_ids`` (taken off the line by dispatch); the
    line is paused, audited, once no clock runs on it."""
    _stop(session, [e for e in _open_entries(session, line_id=line.id) if e.technician_id not in kept_ids], now)
    _paused_if_idle(session, actor, line, reason="reassigned")


def _lock_person(session: Session, user_id: int) -> None:
    """Serialise one person's clock taps (PostgreSQL row lock; SQLite serialises writers anyway)."""
    session.exec(select(User.id).where(User.id == user_id).with_for_update()).first()


def start(session: Session, actor: User, job_line_id: int, now: datetime | None = None) -> TimeEntry:
    """Start (or resume) the actor's clock on a line; a clock of theirs running elsewhere is paused first."""
    line, order = workable_line(session, actor, job_line_id, "开工")
    if JobLineStatus(line.status) == JobLineStatus.FINISHED:
        raise DomainError(f"“{line.name}”已完工；需要返工请组长重开")
    now = now or utc_now()
    _lock_person(session, actor.id)
    running = _open_entries(session, user_id=actor.id)
    for entry in running:
        if entry.job_line_id == line.id:
            return entry  # already running: a second tap changes nothing
    _stop(session, running, now)
    for entry in running:
        other = session.get(JobLine, entry.job_line_id)
        _paused_if_idle(session, actor, other, reason="started_another_line")
    entry = TimeEntry(branch_id=line.branch_id, job_line_id=line.id, technician_id=actor.id, started_at=now)
    session.add(entry)
    _set_status(session, actor, line, JobLineStatus.IN_PROGRESS)
    if S(order.status) in (S.OPEN, S.COMPLETED):
        order_status.move(order, S.IN_PROGRESS, actor, session)
    session.flush()
    return entry


def pause(session: Session, actor: User, job_line_id: int, now: datetime | None = None) -> JobLine:
    """Stop the actor's clock on the line. A lead with no clock of their own on it pauses everyone's."""
    line, order = workable_line(session, actor, job_line_id, "暂停")
    now = now or utc_now()
    _lock_person(session, actor.id)
    mine = _open_entries(session, line_id=line.id, user_id=actor.id)
    if not mine and is_lead(session, actor, order):
        mine = _open_entries(session, line_id=line.id)
    _stop(session, mine, now)
    _paused_if_idle(session, actor, line)
    session.flush()
    return line


def finish(session: Session, actor: User, job_line_id: int, now: datetime | None = None) -> JobLine:
    """Finish the line: every clock on it stops, the line is 已完工 with the time it was finished."""
    line, order = workable_line(session, actor, job_line_id, "完工")
    if JobLineStatus(line.status) == JobLineStatus.FINISHED:
        return line
    now = now or utc_now()
    _stop(session, _open_entries(session, line_id=line.id), now)
    _set_status(session, actor, line, JobLineStatus.FINISHED)
    line.finished_at = now
    session.add(line)
    if S(order.status) == S.OPEN:
        order_status.move(order, S.IN_PROGRESS, actor, session)
    session.flush()
    return line


def reopen(session: Session, actor: User, job_line_id: int) -> JobLine:
    """A lead reopens a finished line (rework); a completed order goes back to 维修中 and its quality check,
    which was of the earlier work, is cleared."""
    require(actor, Permission.CLOCK_JOBS)
    line = row_in_branch(session, actor, JobLine, job_line_id, "维修项目不存在")
    order = session.get(WorkOrder, line.work_order_id)
    if not is_lead(session, actor, order):
        raise PermissionDenied("只有组长或店长可以重开已完工的项目")
    order = order_status.guard_workable(session, order, "重开项目")
    session.refresh(line)
    if JobLineStatus(line.status) != JobLineStatus.FINISHED:
        return line
    clocked = session.exec(select(TimeEntry.id).where(TimeEntry.job_line_id == line.id)).first() is not None
    _set_status(session, actor, line, JobLineStatus.PAUSED if clocked else JobLineStatus.PENDING, reason="reopen")
    line.finished_at = None
    session.add(line)
    if S(order.status) == S.COMPLETED:
        order = order_status.move(order, S.IN_PROGRESS, actor, session)
        order.completed_at = None
        order.qc_passed = None
        order.qc_by_id = None
        order.qc_at = None
        session.add(order)
    session.flush()
    return line


def set_note(session: Session, actor: User, job_line_id: int, note: str) -> JobLine:
    """The technician's note on a line (what was found, what was done)."""
    line, _order = workable_line(session, actor, job_line_id, "填写备注")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("备注不能超过500字", field="note")
    line.note = note
    session.add(line)
    session.flush()
    return line


def add_line_photo(session: Session, actor: User, job_line_id: int, data: bytes, note: str = "", *,
                   client_key: str | None = None) -> Photo:
    """A photo taken at a line (e.g. a worn part), kept with the order; its note names the line."""
    line, order = workable_line(session, actor, job_line_id, "上传照片")
    note = (note or "").strip()
    label = f"{line.name}：{note}" if note else line.name
    if len(label) > 200:
        raise DomainError("照片备注过长", field="note")
    return photos.add_photo(session, actor, vehicle_id=order.vehicle_id, data=data, note=label,
                            work_order_id=order.id, job_line_id=line.id, client_key=client_key)


def parts_to_request(session: Session, actor: User, query: str) -> list[Part]:
    """Catalogue parts a person asking for a part may choose from (technicians cannot browse the catalogue)."""
    require(actor, Permission.REQUEST_PARTS)
    return catalogue_matches(session, actor.branch_id, query)
