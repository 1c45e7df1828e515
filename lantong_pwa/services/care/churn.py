"""Churn analysis (C2, 客户流失率分析): every customer with settled orders scored by recency, frequency and spending
(RFM), put in one of eight segments, and the list of those at risk of not coming back.

Definitions:

- A visit is an order of the customer with a standing (ACTIVE) settlement, dated by the shop day it was opened, up
  to ``today``. Spending (M) is the customer's own share of those settlements (``customer_amount``).
- Recency (R): days from the last visit to ``today``. Frequency (F): visits in the last 365 days.
- Scores are high or low against three thresholds:
  R high: last visit at most ``RECENT_DAYS`` (180) days ago; F high: at least ``FREQUENT_VISITS`` (2) visits in the
  last year; M high: spending at least the average spending of the customers analysed (the branch's mean).
- The eight segments (the usual Chinese RFM model):

  ====== ====== ====== =================
  R      F      M      segment
  ====== ====== ====== =================
  high   high   high   重要价值客户
  high   low    high   重要发展客户
  low    high   high   重要保持客户
  low    low    high   重要挽留客户
  high   high   low    一般价值客户
  high   low    low    一般发展客户
  low    high   low    一般保持客户
  low    low    low    一般挽留客户
  ====== ====== ====== =================

- The usual interval: (last visit − first visit) ÷ (visits − 1) days, at least ``MIN_INTERVAL_DAYS`` (30); a
  customer with one visit gets ``DEFAULT_INTERVAL_DAYS`` (180).
- At risk (流失风险): days since the last visit more than ``AT_RISK_MARGIN`` (1.5) × the usual interval, and no
  order of theirs in the workshop right now. The list is sorted by spending, the most valuable first.

One GROUP BY query gives every customer's figures (however many orders there are); names and plates are one query
each. Scoped like the daily figures: a manager's own branch; the admin one branch or all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lantong_pwa.services.platform.figures import ZERO, scope_branches
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import Permission, require, sees_all_branches
from lantong_pwa.services.workshop.work_orders import OPEN_STATUSES
from lantong_pwa.timezone import local_day, local_day_bounds
from models import Customer, Settlement, SettlementStatus, User, Vehicle, WorkOrder

RECENT_DAYS = 180
FREQUENT_VISITS = 2
DEFAULT_INTERVAL_DAYS = 180
MIN_INTERVAL_DAYS = 30
AT_RISK_MARGIN = Decimal("1.5")

# (key, label, R high, F high, M high), in the order the screen lists them.
SEGMENTS = (
    ("important_value", "重要价值客户", True, True, True),
    ("important_develop", "重要发展客户", True, False, True),
    ("important_keep", "重要保持客户", False, True, True),
    ("important_retain", "重要挽留客户", False, False, True),
    ("general_value", "一般价值客户", True, True, False),
    ("general_develop", "一般发展客户", True, False, False),
    ("general_keep", "一般保持客户", False, True, False),
    ("general_retain", "一般挽留客户", False, False, False),
)
SEGMENT_LABELS = {key: label for key, label, *_scores in SEGMENTS}
_SEGMENT_BY_SCORES = {(recent, frequent, valuable): key for key, _label, recent, frequent, valuable in SEGMENTS}


@dataclass(frozen=True)
class CustomerScore:
    customer_id: int
    name: str
    mobile: str
    plates: tuple[str, ...]
    visits: int
    visits_last_year: int
    first_visit: date
    last_visit: date
    days_since: int
    spending: Decimal
    usual_interval: Decimal  # days
    segment: str  # a SEGMENTS key
    at_risk: bool

    @property
    def segment_label(self) -> str:
        return SEGMENT_LABELS[self.segment]

    @property
    def overdue_days(self) -> int:
        """Days past the usual interval (negative: not yet due)."""
        return self.days_since - int(self.usual_interval)


@dataclass(frozen=True)
class ChurnAnalysis:
    today: date
    customers: list[CustomerScore]  # the most valuable first
    segment_counts: list[tuple[str, str, int]]  # (key, label, customers), every segment, SEGMENTS order
    at_risk: list[CustomerScore]  # the most valuable first
    monetary_threshold: Decimal  # the mean spending: at or above it is "high"


def _usual_interval(visits: int, first: date, last: date) -> Decimal:
    if visits < 2:
        return Decimal(DEFAULT_INTERVAL_DAYS)
    return max(Decimal((last - first).days) / (visits - 1), Decimal(MIN_INTERVAL_DAYS)).quantize(Decimal("0.1"))


def churn_analysis(session: Session, actor: User, today: date, branch_id: int | None = None) -> ChurnAnalysis:
    """Score every customer of the branch (``None``: the actor's own; for the admin, every branch) as of ``today``."""
    require(actor, Permission.VIEW_CARE_FIGURES)
    if branch_id is None and not sees_all_branches(actor):
        branch_id = actor.branch_id
    branches = scope_branches(session, actor, branch_id)
    until = local_day_bounds(today)[1]
    year_ago = local_day_bounds(today - timedelta(days=365))[0]
    # Plain column rows over the connection: the ORM's per-row bookkeeping was a third of the time on 15,000 customers.
    rows = session.connection().execute(
        select(WorkOrder.customer_id, Customer.name, Customer.mobile, sa.func.count(),
               sa.func.sum(sa.case((WorkOrder.created_at >= year_ago, 1), else_=0)),
               sa.func.min(WorkOrder.created_at), sa.func.max(WorkOrder.created_at),
               sa.func.sum(Settlement.customer_amount))
        .select_from(Settlement)
        .join(WorkOrder, WorkOrder.id == Settlement.work_order_id)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .where(col(Settlement.branch_id).in_(branches), Settlement.status == SettlementStatus.ACTIVE,
               WorkOrder.created_at < until)
        .group_by(WorkOrder.customer_id, Customer.name, Customer.mobile)
    ).all()
    in_workshop = set(session.exec(select(WorkOrder.customer_id).distinct().where(
        col(WorkOrder.branch_id).in_(branches), col(WorkOrder.status).in_(OPEN_STATUSES))).all())
    plates: dict[int, list[str]] = {}
    for owner_id, plate in session.exec(select(Vehicle.customer_id, Vehicle.plate)
                                        .where(col(Vehicle.branch_id).in_(branches))
                                        .order_by(Vehicle.plate)).all():
        plates.setdefault(owner_id, []).append(plate)

    spent = {row[0]: to_fen(Decimal(str(row[7] or 0))) for row in rows}
    threshold = to_fen(sum(spent.values(), ZERO) / len(spent)) if spent else ZERO
    customers = []
    for customer_id, name, mobile, visits, last_year, first_at, last_at, _total in rows:
        first, last = local_day(first_at), local_day(last_at)
        days_since = (today - last).days
        interval = _usual_interval(int(visits), first, last)
        scores = (days_since <= RECENT_DAYS, int(last_year or 0) >= FREQUENT_VISITS,
                  spent[customer_id] >= threshold)
        customers.append(CustomerScore(
            customer_id=customer_id, name=name, mobile=mobile, plates=tuple(plates.get(customer_id, ())),
            visits=int(visits), visits_last_year=int(last_year or 0), first_visit=first, last_visit=last,
            days_since=days_since, spending=spent[customer_id], usual_interval=interval,
            segment=_SEGMENT_BY_SCORES[scores],
            at_risk=days_since > AT_RISK_MARGIN * interval and customer_id not in in_workshop))
    customers.sort(key=lambda c: (-c.spending, -c.days_since, c.customer_id))
    counts = {key: 0 for key, *_rest in SEGMENTS}
    for customer in customers:
        counts[customer.segment] += 1
    return ChurnAnalysis(today=today, customers=customers,
                         segment_counts=[(key, label, counts[key]) for key, label, *_scores in SEGMENTS],
                         at_risk=[c for c in customers if c.at_risk], monetary_threshold=threshold)


CHURN_HEADERS = ("客户", "手机号", "车牌", "首次到店", "最近到店", "距今天数", "累计到店", "近一年到店",
                 "平均间隔（天）", "累计消费（元）", "客户分群", "流失风险")


def churn_table(analysis: ChurnAnalysis) -> list[list]:
    """The export's rows: those at risk first, then everyone else; the most valuable first within each."""
    ordered = analysis.at_risk + [c for c in analysis.customers if not c.at_risk]
    return [[c.name, c.mobile, "、".join(c.plates), c.first_visit.isoformat(), c.last_visit.isoformat(),
             c.days_since, c.visits, c.visits_last_year, c.usual_interval, c.spending, c.segment_label,
             "是" if c.at_risk else "否"] for c in ordered]
