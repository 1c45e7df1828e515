"""Ageing (账龄) of every party the shop owes or that owes the shop: open debits by days past their due date —
未到期, 1–30, 31–60, 61–90, 90天以上 — and open credits (advances, returns not yet applied) apart, per party and in
total, for any party kinds and directions.

One grouped query over the open part of the items (the partial index ``ix_open_item_open``), then one name look-up
per party kind. Seeing payables needs VIEW_PAYABLES, receivables VIEW_RECEIVABLES; with no direction given, the
ones the actor may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import NotFound, PermissionDenied
from lantong_pwa.services.finance.allocation import PARTY_MODELS
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, sees_all_branches
from models import Direction, OpenItem, PartyKind, User

ZERO = Decimal("0.00")
AGE_BUCKETS = ("未到期", "逾期1–30天", "逾期31–60天", "逾期61–90天", "逾期90天以上")
VIEW = {Direction.PAYABLE: Permission.VIEW_PAYABLES, Direction.RECEIVABLE: Permission.VIEW_RECEIVABLES}


@dataclass
class AgeingRow:
    party_id: int
    name: str
    party_kind: PartyKind | None = None
    direction: Direction | None = None
    buckets: list[Decimal] = field(default_factory=lambda: [ZERO] * len(AGE_BUCKETS))
    credits: Decimal = ZERO  # open credits (advances, returns not yet applied), negative
    balance: Decimal = ZERO  # what is owed: the debits' open amounts plus the credits

    @property
    def overdue(self) -> Decimal:
        return sum(self.buckets[1:], ZERO)


def branch_of(actor: User, branch_id: int | None) -> int:
    """The branch a read covers: the actor's own, or any for those who see all branches."""
    if branch_id is None or branch_id == actor.branch_id:
        return actor.branch_id
    if not sees_all_branches(actor):
        raise NotFound("记录不存在或无权查看")
    return branch_id


def visible_directions(actor: User, direction: Direction | str | None) -> tuple[Direction, ...]:
    """The directions asked for that the actor may see; ``PermissionDenied`` when none."""
    asked = (Direction(direction),) if direction else tuple(Direction)
    if direction:
        require(actor, VIEW[asked[0]])
    seen = tuple(d for d in asked if allows(actor, VIEW[d]))
    if not seen:
        raise PermissionDenied()
    return seen


def _age_query(branch_id: int, kinds: Iterable[PartyKind], directions: Iterable[Direction], today: date,
               party_id: int | None):
    cutoffs = [today, today - timedelta(days=30), today - timedelta(days=60), today - timedelta(days=90)]
    debit = OpenItem.open_amount > 0

    def bucket(index: int):
        conditions = [debit]
        if index < len(cutoffs):
            conditions.append(OpenItem.due_on >= cutoffs[index])
        if index > 0:
            conditions.append(OpenItem.due_on < cutoffs[index - 1])
        return func.coalesce(func.sum(case((and_(*conditions), OpenItem.open_amount), else_=0)), 0)

    columns = [bucket(i) for i in range(len(AGE_BUCKETS))]
    credits = func.coalesce(func.sum(case((OpenItem.open_amount < 0, OpenItem.open_amount), else_=0)), 0)
    kinds, directions = list(kinds), list(directions)
    query = (select(OpenItem.party_kind, OpenItem.direction, OpenItem.party_id, *columns, credits)
             .where(OpenItem.branch_id == branch_id, OpenItem.open_amount != 0)
             .group_by(OpenItem.party_kind, OpenItem.direction, OpenItem.party_id))
    # One value is said as ``=`` so that the index's leading columns serve it.
    query = query.where(OpenItem.party_kind == kinds[0]) if len(kinds) == 1 else \
        query.where(col(OpenItem.party_kind).in_(kinds))
    query = query.where(OpenItem.direction == directions[0]) if len(directions) == 1 else \
        query.where(col(OpenItem.direction).in_(directions))
    if party_id is not None:
        query = query.where(OpenItem.party_id == party_id)
    return query


def ageing_rows(session: Session, branch_id: int, kinds: Iterable[PartyKind], directions: Iterable[Direction],
                today: date, party_id: int | None = None) -> list[AgeingRow]:
    """The parties with something open, by bucket, unnamed and unsorted (the caller checked the rights)."""
    rows = []
    for kind, direction, party, *amounts in session.exec(_age_query(branch_id, kinds, directions, today,
                                                                     party_id)).all():
        money = [to_fen(Decimal(a or 0)) for a in amounts]
        row = AgeingRow(party_id=party, name="", party_kind=PartyKind(kind), direction=Direction(direction),
                        buckets=money[:-1], credits=money[-1])
        row.balance = sum(row.buckets, ZERO) + row.credits
        rows.append(row)
    return rows


def _name(rows: list[AgeingRow], session: Session) -> None:
    by_model: dict[type, set[int]] = {}
    for row in rows:
        by_model.setdefault(PARTY_MODELS[row.party_kind], set()).add(row.party_id)
    names: dict[tuple[type, int], str] = {}
    for model, ids in by_model.items():
        for party_id, name in session.exec(select(model.id, model.name).where(col(model.id).in_(ids))).all():
            names[(model, party_id)] = name
    for row in rows:
        row.name = names.get((PARTY_MODELS[row.party_kind], row.party_id), "")


def total_of(rows: list[AgeingRow]) -> AgeingRow:
    total = AgeingRow(party_id=0, name="合计")
    for row in rows:
        total.buckets = [a + b for a, b in zip(total.buckets, row.buckets, strict=True)]
        total.credits += row.credits
        total.balance += row.balance
    return total


def ageing(session: Session, actor: User, today: date, *, party_kind: PartyKind | str | None = None,
           direction: Direction | str | None = None, branch_id: int | None = None
           ) -> tuple[list[AgeingRow], AgeingRow]:
    """Every party of the branch with something open (of ``party_kind`` and ``direction`` when given), by ageing
    bucket, most overdue first, and the total. A total over both directions nets what is owed against what is
    owed to the shop, so the screens ask for one direction."""
    directions = visible_directions(actor, direction)
    branch_id = branch_of(actor, branch_id)
    kinds = (PartyKind(party_kind),) if party_kind else tuple(PartyKind)
    rows = ageing_rows(session, branch_id, kinds, directions, today)
    _name(rows, session)
    rows.sort(key=lambda r: (-r.buckets[4], -r.overdue, -r.balance, r.name, r.party_id))
    return rows, total_of(rows)


def party_ageing(session: Session, branch_id: int, party, party_kind: PartyKind, direction: Direction,
                 today: date) -> AgeingRow:
    """One party's ageing (zeros when nothing is open); the caller found ``party`` with the actor's rights."""
    rows = ageing_rows(session, branch_id, (party_kind,), (direction,), today, party.id)
    row = rows[0] if rows else AgeingRow(party_id=party.id, name="", party_kind=party_kind, direction=direction)
    row.name = party.name
    return row


AGEING_HEADERS = ("往来单位", "类型", "方向", *AGE_BUCKETS, "未核销预收付/退货", "余额")


def ageing_table(rows: list[AgeingRow], total: AgeingRow, *, kinds: bool = True) -> list[list]:
    """The ageing as spreadsheet rows, the total last; ``kinds``: with each party's kind and direction."""
    def described(row: AgeingRow) -> list:
        return [row.party_kind.label if row.party_kind else "", row.direction.label if row.direction else ""] \
            if kinds else []

    return [[row.name, *described(row), *row.buckets, row.credits, row.balance] for row in [*rows, total]]
