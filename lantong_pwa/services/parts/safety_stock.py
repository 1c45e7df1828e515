"""Safety stock (安全库存, P13): minimum and maximum per part and warehouse, suggested from real consumption, and the
parts below their minimum.

The suggestion for a part in a warehouse, from the ledger over a chosen period (default the last 90 days; any date
range, e.g. the same months last year for a seasonal part):

    use       = picks + warranty + internal use out − returns in that warehouse over the period (never below 0)
    daily use = use ÷ days in the period
    minimum   = ⌈daily use × (lead time + safety days)⌉
    maximum   = minimum + ⌈daily use × cover days⌉

Lead time: the ``lead_days`` of the part's cheapest active supplier offer (the purchase plan's fallback choice);
without an offer quoting one, ``DEFAULT_LEAD_DAYS`` (shown on screen). Only parts used in the period get a
suggestion: a part unused in the period keeps whatever limits it has.

Applying writes ``StockLimit`` rows for the chosen (part, warehouse) pairs, recomputed on the server from the same
settings, in one transaction with one audit row. Below the minimum, the purchase plan orders up to the maximum.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.parts.stock import ZERO
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.parsing import parse_date
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.timezone import local_day, local_day_bounds
from models import (
    Branch,
    BranchStatus,
    Part,
    StockBalance,
    StockLimit,
    StockMove,
    StockMoveKind,
    Supplier,
    SupplierPart,
    User,
    Warehouse,
)
from models.common import utc_now

USE_KINDS = (StockMoveKind.PICK, StockMoveKind.WARRANTY, StockMoveKind.INTERNAL_USE, StockMoveKind.RETURN)
DEFAULT_PERIOD_DAYS = 90
DEFAULT_LEAD_DAYS = 3
DEFAULT_SAFETY_DAYS = 3
DEFAULT_COVER_DAYS = 14
MAX_DAYS = 366  # for safety, cover and lead days
MAX_PERIOD_DAYS = 3 * 366
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Settings:
    start: date  # first day of the period (shop days, inclusive)
    end: date  # last day
    safety_days: int
    cover_days: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(slots=True)  # thousands at a time: plain slots are the cheapest to make
class Suggestion:
    part_id: int
    code: str
    name: str
    unit: str
    warehouse_id: int
    warehouse: str
    used: Decimal  # net use in the period
    days: int  # of the period
    lead_days: int
    lead_is_default: bool
    on_hand: Decimal
    minimum: Decimal | None  # the limit set now, None without one
    maximum: Decimal | None
    suggested_minimum: Decimal
    suggested_maximum: Decimal

    @property
    def daily(self) -> Decimal:
        """Average daily use."""
        return self.used / self.days

    @property
    def changes(self) -> bool:
        return (self.minimum, self.maximum) != (self.suggested_minimum, self.suggested_maximum)


def today() -> date:
    return local_day(utc_now())


def default_settings(on: date | None = None) -> Settings:
    end = on or today()
    return Settings(start=end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=end, safety_days=DEFAULT_SAFETY_DAYS,
                    cover_days=DEFAULT_COVER_DAYS)


def _days(text, field: str, label: str, errors: dict[str, str]) -> int:
    raw = str(text if text is not None else "").strip()
    if not raw.isdigit():
        errors[field] = f"{label}应为不小于0的整数"
        return 0
    if int(raw) > MAX_DAYS:
        errors[field] = f"{label}不能超过{MAX_DAYS}天"
    return int(raw)


def parse_settings(start, end, safety_days, cover_days, on: date | None = None) -> Settings:
    """The screen's settings, checked: a period of whole shop days not in the future, and whole numbers of days."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for key, label, text in (("start", "开始日期", start), ("end", "结束日期", end)):
        try:
            days[key] = parse_date(text, key, label)
            if days[key] is None:
                errors[key] = f"请选择{label}"
        except DomainError as error:
            errors[key] = error.message
    safety = _days(safety_days, "safety_days", "安全天数", errors)
    cover = _days(cover_days, "cover_days", "备货天数", errors)
    first, last = days.get("start"), days.get("end")
    if first and last:
        if last > (on or today()):
            errors["end"] = "结束日期不能晚于今天"
        elif first > last:
            errors["start"] = "开始日期不能晚于结束日期"
        elif (last - first).days + 1 > MAX_PERIOD_DAYS:
            errors["start"] = "统计期间不能超过3年"
    if errors:
        raise FormErrors(errors)
    return Settings(start=first, end=last, safety_days=safety, cover_days=cover)


def suggest_limits(used: Decimal, days: int, lead_days: int, safety_days: int, cover_days: int
                   ) -> tuple[Decimal, Decimal]:
    """(minimum, maximum) for ``used`` units over ``days`` days: the module docstring's arithmetic, exact in whole
    hundredths (quantities have two places), each part rounded up."""
    hundredths = max(int(used * 100), 0)
    per_day = days * 100
    minimum = -(-hundredths * (lead_days + safety_days) // per_day)
    return Decimal(minimum), Decimal(minimum - (-hundredths * cover_days // per_day))


def _lead_days(session: Session, branch_id: int) -> dict[int, int]:
    """part id → the lead time quoted by its cheapest active offer (then the shortest), where one is quoted."""
    best: dict[int, tuple[Decimal, int]] = {}
    for part_id, price, lead in session.connection().execute(
            select(SupplierPart.part_id, SupplierPart.price, SupplierPart.lead_days)
            .join(Supplier, Supplier.id == SupplierPart.supplier_id)
            .where(SupplierPart.branch_id == branch_id, Supplier.is_active)).all():
        key = (price, lead)
        if part_id not in best or key < best[part_id]:
            best[part_id] = key
    return {part_id: lead for part_id, (_, lead) in best.items() if lead > 0}


def suggestions(session: Session, actor: User, settings: Settings) -> list[Suggestion]:
    """Every part used in the period, per warehouse of the actor's branch, by part code and warehouse."""
    require(actor, Permission.MANAGE_CATALOGUE)
    return _suggestions(session, actor.branch_id, settings)


def _suggestions(session: Session, branch_id: int, settings: Settings) -> list[Suggestion]:
    start, _ = local_day_bounds(settings.start)
    _, end = local_day_bounds(settings.end)
    use = (select(StockMove.part_id, StockMove.warehouse_id, func.sum(-StockMove.quantity).label("used"))
           .where(StockMove.branch_id == branch_id, StockMove.created_at >= start, StockMove.created_at < end,
                  col(StockMove.kind).in_([k.value for k in USE_KINDS]))
           .group_by(StockMove.part_id, StockMove.warehouse_id).subquery())
    # One query: the aggregate over the ledger, with each pair's part, warehouse, on hand and limit joined on
    # (a retired part or a closed warehouse keeps nothing in stock). Plain rows: thousands of them.
    rows = session.connection().execute(
        select(use.c.part_id, Part.code, Part.name, Part.unit, use.c.warehouse_id, Warehouse.name, use.c.used,
               StockBalance.on_hand, StockLimit.minimum, StockLimit.maximum)
        .join(Part, Part.id == use.c.part_id)
        .join(Warehouse, Warehouse.id == use.c.warehouse_id)
        .outerjoin(StockBalance, (StockBalance.part_id == use.c.part_id)
                   & (StockBalance.warehouse_id == use.c.warehouse_id))
        .outerjoin(StockLimit, (StockLimit.part_id == use.c.part_id) & (StockLimit.warehouse_id == use.c.warehouse_id))
        .where(Part.is_active, Warehouse.is_active, use.c.used > 0)
        .order_by(Part.code, use.c.warehouse_id)).all()
    if not rows:
        return []
    leads = _lead_days(session, branch_id)
    days, safety, cover = settings.days, settings.safety_days, settings.cover_days
    found = []
    for part_id, code, name, unit, warehouse_id, warehouse, used, on_hand, minimum, maximum in rows:
        used = Decimal(used).quantize(HUNDREDTH)  # a sum of floats on SQLite
        lead = leads.get(part_id, DEFAULT_LEAD_DAYS)
        low, high = suggest_limits(used, days, lead, safety, cover)
        found.append(Suggestion(
            part_id, code, name, unit, warehouse_id, warehouse, used, days, lead, part_id not in leads,
            ZERO if on_hand is None else on_hand, minimum, maximum, low, high))
    return found


_APPLY_CHUNK = 500


def apply(session: Session, actor: User, settings: Settings, chosen: list[tuple[int, int]] | None = None) -> int:
    """Write the suggested limits of the chosen (part, warehouse) pairs, or of all suggestions when ``chosen`` is
    None; returns how many limits changed. Recomputed here, so what is written is what the settings give."""
    require(actor, Permission.MANAGE_CATALOGUE)
    rows = _suggestions(session, actor.branch_id, settings)
    if chosen is not None:
        wanted = set(chosen)
        rows = [r for r in rows if (r.part_id, r.warehouse_id) in wanted]
    rows = [r for r in rows if r.changes]
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for first in range(0, len(rows), _APPLY_CHUNK):
        statement = dialect.insert(StockLimit.__table__).values([
            dict(branch_id=actor.branch_id, part_id=r.part_id, warehouse_id=r.warehouse_id,
                 minimum=r.suggested_minimum, maximum=r.suggested_maximum) for r in rows[first:first + _APPLY_CHUNK]])
        # An upsert: a limit set meanwhile by someone else is overwritten, never duplicated.
        session.execute(statement.on_conflict_do_update(
            index_elements=["part_id", "warehouse_id"],
            set_={"minimum": statement.excluded.minimum, "maximum": statement.excluded.maximum}))
    audit.record(session, actor, "stock_limit.apply", "stock_limit", None, branch_id=actor.branch_id,
                 period=[settings.start.isoformat(), settings.end.isoformat()], safety_days=settings.safety_days,
                 cover_days=settings.cover_days,
                 changed=[[r.code, r.warehouse_id, str(r.minimum) if r.minimum is not None else None,
                           str(r.maximum) if r.maximum is not None else None, str(r.suggested_minimum),
                           str(r.suggested_maximum)] for r in rows])
    session.flush()
    return len(rows)


# --- below the minimum --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Surplus:
    branch_id: int
    branch: str
    quantity: Decimal  # on hand above its maximum, summed over its warehouses


@dataclass(frozen=True)
class LowStock:
    part_id: int
    code: str
    name: str
    unit: str
    warehouse: str
    on_hand: Decimal
    minimum: Decimal
    maximum: Decimal
    surplus: list[Surplus]  # the chain's other branches holding the same part code above their maximum


def _below_minimum():
    on_hand = func.coalesce(StockBalance.on_hand, 0)
    return (select(StockLimit.part_id, StockLimit.warehouse_id, on_hand, StockLimit.minimum, StockLimit.maximum)
            .join(Part, Part.id == StockLimit.part_id)
            .outerjoin(StockBalance, (StockBalance.part_id == StockLimit.part_id)
                       & (StockBalance.warehouse_id == StockLimit.warehouse_id))
            .where(Part.is_active, StockLimit.minimum > 0, on_hand < StockLimit.minimum))


def low_stock_count(session: Session, branch_ids: list[int]) -> int:
    """How many (part, warehouse) pairs of the branches are below their minimum: the manager's figure, one query."""
    subquery = _below_minimum().where(col(StockLimit.branch_id).in_(branch_ids or [-1])).subquery()
    return session.execute(select(func.count()).select_from(subquery)).scalar_one()


def low_stock(session: Session, actor: User, limit: int = 50) -> list[LowStock]:
    """The actor's branch's parts below their minimum (most short first), each with the other branches that hold
    the same part code above their maximum."""
    require(actor, Permission.VIEW_STOCK_REPORTS)
    rows = session.execute(_below_minimum().where(StockLimit.branch_id == actor.branch_id)).all()
    if not rows:
        return []
    parts = {p.id: p for p in session.exec(select(Part).where(col(Part.id).in_([r[0] for r in rows]))).all()}
    warehouses = dict(session.exec(select(Warehouse.id, Warehouse.name)
                                   .where(Warehouse.branch_id == actor.branch_id)).all())
    surplus = _surplus(session, actor.branch_id, {p.code for p in parts.values()})
    found = [LowStock(part_id=part_id, code=parts[part_id].code, name=parts[part_id].name, unit=parts[part_id].unit,
                      warehouse=warehouses.get(warehouse_id, ""), on_hand=Decimal(str(have)),
                      minimum=Decimal(str(low)), maximum=Decimal(str(high)),
                      surplus=surplus.get(parts[part_id].code, []))
             for part_id, warehouse_id, have, low, high in rows]
    found.sort(key=lambda r: (r.on_hand - r.minimum, r.code))
    return found[:limit]


def _surplus(session: Session, branch_id: int, codes: set[str]) -> dict[str, list[Surplus]]:
    """code → the chain's other open branches holding that part code above their maximum (per warehouse with a
    limit, summed), in branch order."""
    rows = session.execute(
        select(Part.code, Branch.id, Branch.name, func.sum(StockBalance.on_hand - StockLimit.maximum))
        .join(StockBalance, StockBalance.part_id == Part.id)
        .join(StockLimit, (StockLimit.part_id == StockBalance.part_id)
              & (StockLimit.warehouse_id == StockBalance.warehouse_id))
        .join(Branch, Branch.id == Part.branch_id)
        .where(col(Part.code).in_(sorted(codes) or [""]), Part.branch_id != branch_id, Part.is_active,
               Branch.status == BranchStatus.OPEN, StockBalance.on_hand > StockLimit.maximum)
        .group_by(Part.code, Branch.id, Branch.name).order_by(Branch.id)).all()
    found: dict[str, list[Surplus]] = defaultdict(list)
    for code, other_id, name, quantity in rows:
        found[code].append(Surplus(branch_id=other_id, branch=name,
                                   quantity=Decimal(str(quantity)).quantize(Decimal("0.01"))))
    return found
