"""The satisfaction rate (C3, 客户满意率) of a period, by advisor and by technician, with complaints beside it.

Definitions (the ones every screen uses):

- A follow-up counts in the period of its answer (``FollowUp.answered_at``, shop days in Asia/Shanghai) when it
  carries an overall rating; link and phone answers alike.
- Satisfied: overall rating 4 or 5. Satisfaction rate = satisfied ÷ answered.
- Aspect averages (quality, speed, attitude, price, environment) are over the answers that rated that aspect.
- Complaints: those opened in the period (``Complaint.created_at``), and how many of them are still open
  (待处理 or 处理中).
- By advisor: the advisor of the follow-up's order. By technician: every technician assigned to a job line of the
  order; a follow-up counts once for each technician involved, however many of the order's lines they had.
  Complaints are attributed the same way, through their order.
- The trend: the rate of each of the last ``TREND_MONTHS`` calendar months up to the period's last day.

Everything is aggregated in SQL (a few GROUP BY queries), scoped like the daily figures: a manager's own branch,
the admin one branch or all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lantong_pwa.services.platform.figures import scope_branches, technician_names
from lantong_pwa.services.platform.permissions import Permission, require, sees_all_branches
from lantong_pwa.services.workshop.reports import report_range
from lantong_pwa.timezone import local_day, local_day_bounds
from models import Complaint, ComplaintStatus, FollowUp, JobAssignment, JobLine, User, WorkOrder

SATISFIED_AT = 4
ASPECTS = (("quality", "维修质量"), ("speed", "维修速度"), ("attitude", "服务态度"), ("price", "价格"),
           ("environment", "环境"))
TREND_MONTHS = 6
STILL_OPEN = (ComplaintStatus.OPEN, ComplaintStatus.PROCESSING)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _average(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Tally:
    """Follow-ups answered and satisfied, the average overall rating, and complaints, of one person or the shop."""

    answered: int = 0
    satisfied: int = 0
    average_overall: Decimal | None = None
    complaints: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Satisfied ÷ answered, in percent (one decimal); ``None`` with no answers."""
        return _rate(self.satisfied, self.answered)


@dataclass(frozen=True)
class PersonTally:
    user_id: int
    name: str
    tally: Tally


@dataclass(frozen=True)
class MonthRate:
    month: str  # "2026-11"
    answered: int
    satisfied: int

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.answered)


@dataclass(frozen=True)
class SatisfactionReport:
    date_from: date
    date_to: date
    overall: Tally
    aspects: dict[str, Decimal | None]  # ASPECTS key -> average rating
    complaints_opened: int
    complaints_open: int  # of those opened in the period, still 待处理 or 处理中
    advisors: list[PersonTally] = field(default_factory=list)
    technicians: list[PersonTally] = field(default_factory=list)
    trend: list[MonthRate] = field(default_factory=list)


def _answered(branches: list[int], start: datetime, end: datetime):
    return (col(FollowUp.branch_id).in_(branches), FollowUp.answered_at >= start, FollowUp.answered_at < end,
            col(FollowUp.overall).is_not(None))


def _satisfied_count():
    return sa.func.sum(sa.case((FollowUp.overall >= SATISFIED_AT, 1), else_=0))


def _people(session: Session, answers: dict[int, tuple], complaints: dict[int, int]) -> list[PersonTally]:
    names = technician_names(session, answers.keys() | complaints.keys())
    rows = [PersonTally(user_id=uid, name=names.get(uid, ""),
                        tally=Tally(answered=int(answers.get(uid, (0, 0, None))[0]),
                                    satisfied=int(answers.get(uid, (0, 0, None))[1] or 0),
                                    average_overall=_average(answers.get(uid, (0, 0, None))[2]),
                                    complaints=complaints.get(uid, 0)))
            for uid in answers.keys() | complaints.keys()]
    return sorted(rows, key=lambda p: (-p.tally.answered, p.name, p.user_id))


def _by_advisor(session: Session, branches: list[int], start: datetime, end: datetime) -> list[PersonTally]:
    answers = {advisor: (count, satisfied, average) for advisor, count, satisfied, average in session.exec(
        select(WorkOrder.advisor_id, sa.func.count(), _satisfied_count(), sa.func.avg(FollowUp.overall))
        .select_from(FollowUp).join(WorkOrder, WorkOrder.id == FollowUp.work_order_id)
        .where(*_answered(branches, start, end)).group_by(WorkOrder.advisor_id)).all()}
    complaints = dict(session.exec(
        select(WorkOrder.advisor_id, sa.func.count()).select_from(Complaint)
        .join(WorkOrder, WorkOrder.id == Complaint.work_order_id)
        .where(col(Complaint.branch_id).in_(branches), Complaint.created_at >= start, Complaint.created_at < end)
        .group_by(WorkOrder.advisor_id)).all())
    return _people(session, answers, complaints)


def _by_technician(session: Session, branches: list[int], start: datetime, end: datetime) -> list[PersonTally]:
    # (follow-up, technician) pairs, each once however many of the order's lines the technician had.
    pairs = (select(FollowUp.id, FollowUp.overall, JobAssignment.technician_id).distinct()
             .select_from(FollowUp).join(JobLine, JobLine.work_order_id == FollowUp.work_order_id)
             .join(JobAssignment, JobAssignment.job_line_id == JobLine.id)
             .where(*_answered(branches, start, end))).subquery()
    answers = {tid: (count, satisfied, average) for tid, count, satisfied, average in session.exec(
        select(pairs.c.technician_id, sa.func.count(),
               sa.func.sum(sa.case((pairs.c.overall >= SATISFIED_AT, 1), else_=0)), sa.func.avg(pairs.c.overall))
        .group_by(pairs.c.technician_id)).all()}
    complaint_pairs = (select(Complaint.id, JobAssignment.technician_id).distinct()
                       .select_from(Complaint).join(JobLine, JobLine.work_order_id == Complaint.work_order_id)
                       .join(JobAssignment, JobAssignment.job_line_id == JobLine.id)
                       .where(col(Complaint.branch_id).in_(branches), Complaint.created_at >= start,
                              Complaint.created_at < end)).subquery()
    complaints = dict(session.exec(select(complaint_pairs.c.technician_id, sa.func.count())
                                   .group_by(complaint_pairs.c.technician_id)).all())
    return _people(session, answers, complaints)


def _months_back(last_day: date, months: int) -> list[date]:
    """The first days of the ``months`` calendar months ending with ``last_day``'s, oldest first."""
    firsts = []
    year, month = last_day.year, last_day.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def _trend(session: Session, branches: list[int], last_day: date, months: int) -> list[MonthRate]:
    """One query for the whole window; answers are put in their shop month here (time zones differ by engine)."""
    firsts = _months_back(last_day, months)
    start, end = local_day_bounds(firsts[0])[0], local_day_bounds(last_day)[1]
    counts = {first: [0, 0] for first in firsts}
    for answered_at, overall in session.exec(select(FollowUp.answered_at, FollowUp.overall)
                                             .where(*_answered(branches, start, end))).all():
        bucket = counts[local_day(answered_at).replace(day=1)]
        bucket[0] += 1
        bucket[1] += overall >= SATISFIED_AT
    return [MonthRate(month=f"{first:%Y-%m}", answered=a, satisfied=s) for first, (a, s) in counts.items()]


def satisfaction(session: Session, actor: User, date_from: date | None, date_to: date | None,
                 branch_id: int | None = None, trend_months: int = TREND_MONTHS) -> SatisfactionReport:
    """The satisfaction figures for shop days ``date_from``..``date_to`` (both needed, at most a year apart)."""
    require(actor, Permission.VIEW_CARE_FIGURES)
    start, end = report_range(date_from, date_to)
    if branch_id is None and not sees_all_branches(actor):
        branch_id = actor.branch_id
    branches = scope_branches(session, actor, branch_id)
    answered, satisfied, average, *aspects = session.exec(
        select(sa.func.count(), _satisfied_count(), sa.func.avg(FollowUp.overall),
               *(sa.func.avg(getattr(FollowUp, name)) for name, _label in ASPECTS))
        .where(*_answered(branches, start, end))).one()
    opened, still_open = session.exec(
        select(sa.func.count(), sa.func.sum(sa.case((col(Complaint.status).in_(STILL_OPEN), 1), else_=0)))
        .where(col(Complaint.branch_id).in_(branches), Complaint.created_at >= start, Complaint.created_at < end)
    ).one()
    return SatisfactionReport(
        date_from=date_from, date_to=date_to,
        overall=Tally(answered=int(answered), satisfied=int(satisfied or 0), average_overall=_average(average),
                      complaints=int(opened)),
        aspects={name: _average(value) for (name, _label), value in zip(ASPECTS, aspects, strict=True)},
        complaints_opened=int(opened), complaints_open=int(still_open or 0),
        advisors=_by_advisor(session, branches, start, end),
        technicians=_by_technician(session, branches, start, end),
        trend=_trend(session, branches, date_to, trend_months) if trend_months else [],
    )
