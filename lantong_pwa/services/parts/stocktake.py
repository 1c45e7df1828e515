"""Stocktaking (盘点, P10): count sheets, blind counts on several phones at once, recounts, and posting the variances.

    draft ──(start)──▶ counting ──(a manager posts)──▶ posted
    draft / counting ──(cancel)──▶ cancelled

- A sheet covers one warehouse: all of it, some shelves (``Part.shelf``), some categories, or A/B/C classes
  (``abc_classes``). A part can be on one open sheet of a warehouse only (a partial unique index backs it).
- Counting is blind: nothing here that a counting screen reads carries on hand (``counting_view``); the manager's
  ``review`` does.
- Each count entry records the ledger position (the highest stock move id) when it was made. Posting takes as
  expected the on hand at that position: current on hand − the part's moves in the warehouse after it. A pick made
  while the shelf was being counted therefore never shows up as a variance.
- A count whose variance is worth more than the sheet's threshold (|variance| × average cost) is flagged 需复盘. The
  next count of that part, by anyone, is the recount and stands; or a manager confirms the variance. A sheet with
  flags still open can't be posted.
- Posting is one compare-and-set counting → posted; each non-zero variance becomes one STOCKTAKE move dated now
  (gains at the average cost read with on hand, or the catalogue cost where the warehouse never held the part; losses at the
  average via ``stock.post_out``), with the sheet as its document. Parts never counted (未盘) move nothing.
- Count entries, like stock moves, carry the form's request key: a resend or a double tap counts once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sqlalchemy import and_, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.parts import catalogue, purchase_orders, stock
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, require_branch, row_in_branch
from lantong_pwa.timezone import local_day
from models import (
    CountEntry,
    CountLine,
    CountScope,
    CountSheet,
    CountSheetStatus,
    Part,
    RecountState,
    StockBalance,
    StockMove,
    StockMoveKind,
    User,
    Warehouse,
)
from models.common import utc_now

S = CountSheetStatus
PREFIX = "PD"
DOCUMENT = "count_sheet"  # the stock moves' document type
STALE = "单据状态已变化，请刷新后重试"
DEFAULT_RECOUNT_THRESHOLD = Decimal("200.00")  # 元: above this a variance asks for a recount
MAX_COUNT = Decimal(99999)
ABC_DAYS = 90
ABC_SHARES = (("A", Decimal("0.80")), ("B", Decimal("0.95")))  # cumulative share of consumption value; C the rest
ZERO = Decimal("0.00")
OPEN = (S.DRAFT, S.COUNTING)


class Action(StrEnum):
    START = "start"  # 开始盘点
    COUNT = "count"  # 录入盘点数
    CONFIRM = "confirm"  # 店长确认差异 (instead of a recount)
    REVIEW = "review"  # 差异审核: sees on hand and variances
    POST = "post"  # 过账
    CANCEL = "cancel"  # 作废
    PRINT = "print"  # 打印盘点表

    @property
    def label(self) -> str:
        return {"start": "开始盘点", "count": "盘点录入", "confirm": "确认差异", "review": "差异审核",
                "post": "过账", "cancel": "作废", "print": "打印盘点表"}[self.value]


RECOUNT_LABELS = {RecountState.NONE: "", RecountState.NEEDED: "需复盘", RecountState.RECOUNTED: "已复盘",
                  RecountState.CONFIRMED: "店长已确认"}


# --- reading ----------------------------------------------------------------------------------------------------


def get_sheet(session: Session, actor: User, sheet_id) -> CountSheet:
    try:
        sheet_id = int(sheet_id)
    except (TypeError, ValueError):
        raise NotFound("盘点单不存在") from None
    return row_in_branch(session, actor, CountSheet, sheet_id, "盘点单不存在")


def sheet_lines(session: Session, sheet_id: int) -> list[tuple[CountLine, Part]]:
    """The sheet's lines with their parts, by shelf and part code."""
    return list(session.exec(select(CountLine, Part).join(Part, Part.id == CountLine.part_id)
                             .where(CountLine.sheet_id == sheet_id).order_by(CountLine.shelf, Part.code)
                             .execution_options(populate_existing=True)).all())


def list_sheets(session: Session, actor: User, limit: int = 50) -> list[tuple[CountSheet, Warehouse, int, int]]:
    """The branch's newest sheets with their warehouse, number of lines and number counted."""
    require(actor, Permission.COUNT_STOCK)
    counts = (select(CountLine.sheet_id, func.count(CountLine.id).label("lines"),
                     func.count(CountLine.counted_quantity).label("counted"))
              .group_by(CountLine.sheet_id).subquery())
    rows = session.exec(select(CountSheet, Warehouse, counts.c.lines, counts.c.counted)
                        .join(Warehouse, Warehouse.id == CountSheet.warehouse_id)
                        .outerjoin(counts, counts.c.sheet_id == CountSheet.id)
                        .where(CountSheet.branch_id == actor.branch_id)
                        .order_by(col(CountSheet.id).desc()).limit(limit)).all()
    return [(sheet, warehouse, lines or 0, counted or 0) for sheet, warehouse, lines, counted in rows]


def scope_choices(session: Session, actor: User, warehouse_id) -> tuple[list[str], list[str]]:
    """The shelves and categories of the parts a new sheet for the warehouse could cover."""
    require(actor, Permission.COUNT_STOCK)
    warehouse = purchase_orders.warehouse_in_branch(session, actor, warehouse_id)
    parts = session.exec(select(Part.shelf, Part.category).where(col(Part.id).in_(_candidates(session, warehouse)))
                         ).all()
    return sorted({s for s, _ in parts if s}), sorted({c for _, c in parts if c})


# --- what a person may do ---------------------------------------------------------------------------------------


def allowed_actions(session: Session, actor: User | None, sheet: CountSheet) -> list[Action]:
    """The buttons to offer ``actor`` on ``sheet`` now; every service below refuses the rest."""
    if actor is None:
        return []
    try:
        require_branch(actor, sheet.branch_id)
    except NotFound:
        return []
    count = allows(actor, Permission.COUNT_STOCK)
    manage = allows(actor, Permission.POST_STOCKTAKE)
    status = S(sheet.status)
    actions: list[Action] = [Action.PRINT] if count or manage else []
    if status == S.DRAFT and count:
        actions += [Action.START, Action.CANCEL]
    if status == S.COUNTING:
        if count:
            actions.append(Action.COUNT)
        if manage:
            actions.append(Action.REVIEW)
            flagged, counted = _flags(session, sheet.id)
            if flagged:
                actions.append(Action.CONFIRM)
            elif counted:
                actions.append(Action.POST)
            actions.append(Action.CANCEL)
    if status == S.POSTED and manage:
        actions.append(Action.REVIEW)
    return actions


def _flags(session: Session, sheet_id: int) -> tuple[int, int]:
    """(lines still asking for a recount, lines counted)."""
    flagged, counted = session.execute(
        select(func.count(CountLine.id).filter(CountLine.recount == RecountState.NEEDED),
               func.count(CountLine.counted_quantity)).where(CountLine.sheet_id == sheet_id)).one()
    return flagged or 0, counted or 0


# --- compare-and-set --------------------------------------------------------------------------------------------


def _compare_and_set(session: Session, sheet: CountSheet, expected: tuple[S, ...], doing: str,
                     **values) -> CountSheet:
    """One conditional UPDATE of the sheet while its status is one of ``expected`` (which also holds it there for
    the rest of the transaction); refused naming ``doing`` otherwise."""
    if S(sheet.status) not in expected:
        raise DomainError(f"盘点单{sheet.number}{S(sheet.status).label}，不能{doing}")
    done = session.execute(update(CountSheet).where(CountSheet.id == sheet.id, col(CountSheet.status).in_(expected))
                           .values(updated_at=utc_now(), **values).execution_options(synchronize_session=False))
    fresh = session.exec(select(CountSheet).where(CountSheet.id == sheet.id)
                         .execution_options(populate_existing=True)).one()
    if done.rowcount != 1:
        if S(fresh.status) != S(sheet.status):
            raise DomainError(f"盘点单{fresh.number}{S(fresh.status).label}，不能{doing}")
        raise DomainError(STALE)
    return fresh


def _close_lines(session: Session, sheet_id: int) -> None:
    session.execute(update(CountLine).where(CountLine.sheet_id == sheet_id).values(is_open=False)
                    .execution_options(synchronize_session=False))


# --- a new sheet ------------------------------------------------------------------------------------------------


def abc_classes(session: Session, warehouse_id: int, part_ids: list[int], now=None) -> dict[int, str]:
    """A/B/C by the value of the parts picked from the warehouse over the last 90 days (quantity × the cost they
    left at): ranked by value, the parts making up the first 80% of it are A, the next 15% B, the rest (and parts
    not picked at all) C."""
    since = (now or utc_now()) - timedelta(days=ABC_DAYS)
    values = dict(session.execute(
        select(StockMove.part_id, func.sum(-StockMove.quantity * StockMove.unit_cost))
        .where(StockMove.warehouse_id == warehouse_id, StockMove.kind == StockMoveKind.PICK,
               StockMove.created_at >= since, col(StockMove.part_id).in_(part_ids))
        .group_by(StockMove.part_id)).all())
    total = sum((Decimal(str(v)) for v in values.values()), ZERO)
    classes = dict.fromkeys(part_ids, "C")
    running = ZERO
    for part_id, value in sorted(values.items(), key=lambda item: (-Decimal(str(item[1])), item[0])):
        value = Decimal(str(value))
        if value <= 0:
            break
        share_before = running / total
        classes[part_id] = next((name for name, upto in ABC_SHARES if share_before < upto), "C")
        running += value
    return classes


def _candidates(session: Session, warehouse: Warehouse) -> list[int]:
    """The parts a warehouse holds: active parts whose home it is, and any part with stock there."""
    homed = select(Part.id).where(Part.branch_id == warehouse.branch_id, Part.is_active,
                                  Part.default_warehouse_id == warehouse.id)
    stocked = select(StockBalance.part_id).where(StockBalance.warehouse_id == warehouse.id,
                                                 StockBalance.on_hand != 0)
    return sorted(set(session.exec(homed).all()) | set(session.exec(stocked).all()))


def _split(text) -> list[str]:
    if isinstance(text, (list, tuple)):
        items = text
    else:
        items = str(text or "").replace("，", ",").replace("、", ",").split(",")
    return sorted({str(item).strip() for item in items if str(item).strip()})


def _scoped_parts(session: Session, warehouse: Warehouse, scope: CountScope, values: list[str]) -> list:
    """(id, shelf) of the parts in scope, as plain rows: a sheet may have thousands."""
    ids = _candidates(session, warehouse)
    if scope == CountScope.ABC:
        classes = abc_classes(session, warehouse.id, ids)
        ids = [i for i in ids if classes[i] in values]
    statement = select(Part.id, Part.shelf).where(col(Part.id).in_(ids or [-1]))
    if scope == CountScope.SHELVES:
        statement = statement.where(col(Part.shelf).in_(values))
    elif scope == CountScope.CATEGORIES:
        statement = statement.where(col(Part.category).in_(values))
    return list(session.execute(statement).all())


def parse_threshold(text) -> Decimal:
    if text is None or str(text).strip() == "":
        return DEFAULT_RECOUNT_THRESHOLD
    return to_fen(parse_decimal(text, "recount_threshold", "复盘金额", maximum=Decimal("9999999.99")))


def _read_new_sheet(session: Session, actor: User, warehouse_id, scope, values,
                    threshold) -> tuple[Warehouse, CountScope, list[str], Decimal]:
    errors: dict[str, str] = {}
    warehouse = parsed_scope = amount = None
    try:
        warehouse = purchase_orders.warehouse_in_branch(session, actor, warehouse_id)
    except DomainError as error:
        errors["warehouse_id"] = error.message
    try:
        parsed_scope = CountScope(scope or CountScope.WAREHOUSE)
    except ValueError:
        errors["scope"] = "请选择盘点范围"
    chosen = _split(values) if parsed_scope not in (None, CountScope.WAREHOUSE) else []
    if parsed_scope == CountScope.ABC:
        chosen = [c.upper() for c in chosen]
        if not chosen or not set(chosen) <= {"A", "B", "C"}:
            errors["scope_values"] = "请选择A、B、C类中的一类或几类"
    elif parsed_scope in (CountScope.SHELVES, CountScope.CATEGORIES) and not chosen:
        errors["scope_values"] = "请选择要盘点的库位" if parsed_scope == CountScope.SHELVES else "请选择要盘点的分类"
    if len("、".join(chosen)) > 400:
        errors["scope_values"] = "所选库位或分类太多，请分成几张盘点单"
    try:
        amount = parse_threshold(threshold)
    except DomainError as error:
        errors["recount_threshold"] = error.message
    if errors:
        raise FormErrors(errors)
    return warehouse, parsed_scope, chosen, amount


def create_sheet(session: Session, actor: User, warehouse_id, scope, values=(), threshold=None, note: str = "",
                 request_key: str | None = None) -> CountSheet:
    """A draft sheet with one line per part in scope. Refused if any of them is on another open sheet of the
    warehouse."""
    require(actor, Permission.COUNT_STOCK)
    earlier = _earlier_sheet(session, actor.branch_id, request_key)
    if earlier is not None:
        return earlier
    warehouse, scope, values, threshold = _read_new_sheet(session, actor, warehouse_id, scope, values, threshold)
    note = (note or "").strip()
    if len(note) > 200:
        raise FormErrors({"note": "备注不能超过200字"})
    parts = _scoped_parts(session, warehouse, scope, values)
    if not parts:
        raise FormErrors({"scope_values" if scope != CountScope.WAREHOUSE else "scope": "所选范围内没有配件"})
    _refuse_open(session, warehouse, [p.id for p in parts])
    now = utc_now()
    sheet = CountSheet(branch_id=warehouse.branch_id, number=next_number(session, warehouse.branch_id, PREFIX,
                                                                          local_day(now)),
                       warehouse_id=warehouse.id, scope=scope, scope_values="、".join(values),
                       recount_threshold=threshold, note=note, created_by_id=actor.id, created_at=now,
                       updated_at=now, request_key=request_key or None)
    session.add(sheet)
    session.flush()
    try:
        with session.begin_nested():
            session.execute(insert(CountLine.__table__), [
                {"branch_id": sheet.branch_id, "sheet_id": sheet.id, "warehouse_id": warehouse.id, "part_id": p.id,
                 "shelf": p.shelf, "is_open": True, "entry_count": 0, "recount": RecountState.NONE, "note": ""}
                for p in parts])
    except IntegrityError:  # another sheet took some of these parts since the check above
        _refuse_open(session, warehouse, [p.id for p in parts])
        raise DomainError(STALE) from None
    audit.record(session, actor, "count_sheet.create", DOCUMENT, sheet.id, branch_id=sheet.branch_id,
                 number=sheet.number, warehouse_id=warehouse.id, scope=scope.value, scope_values=sheet.scope_values,
                 lines=len(parts), recount_threshold=threshold)
    session.flush()
    return sheet


def _earlier_sheet(session: Session, branch_id: int, request_key: str | None) -> CountSheet | None:
    if not request_key:
        return None
    return session.exec(select(CountSheet).where(CountSheet.branch_id == branch_id,
                                                 CountSheet.request_key == request_key)).first()


def _refuse_open(session: Session, warehouse: Warehouse, part_ids: list[int]) -> None:
    taken = session.exec(select(Part, CountSheet).join(CountLine, CountLine.part_id == Part.id)
                         .join(CountSheet, CountSheet.id == CountLine.sheet_id)
                         .where(CountLine.warehouse_id == warehouse.id, CountLine.is_open,
                                col(CountLine.part_id).in_(part_ids))
                         .order_by(Part.code)).all()
    if taken:
        names = "、".join(f"{p.name}（{p.code}）" for p, _ in taken[:3]) + ("等" if len(taken) > 3 else "")
        numbers = "、".join(sorted({s.number for _, s in taken}))
        raise FormErrors({"scope": f"{names}已在未过账的盘点单{numbers}中，同一仓库的配件不能同时在两张盘点单上；"
                                   f"请先过账或作废{numbers}"})


def start(session: Session, actor: User, sheet_id) -> CountSheet:
    require(actor, Permission.COUNT_STOCK)
    sheet = get_sheet(session, actor, sheet_id)
    if S(sheet.status) == S.COUNTING:
        return sheet  # a double tap
    sheet = _compare_and_set(session, sheet, (S.DRAFT,), "开始盘点", status=S.COUNTING, started_at=utc_now())
    audit.record(session, actor, "count_sheet.start", DOCUMENT, sheet.id, branch_id=sheet.branch_id)
    session.flush()
    return sheet


def cancel(session: Session, actor: User, sheet_id) -> CountSheet:
    """A draft is cancelled by whoever may count; a sheet being counted only by a manager (counts are lost)."""
    require(actor, Permission.COUNT_STOCK)
    sheet = get_sheet(session, actor, sheet_id)
    if S(sheet.status) != S.DRAFT:
        require(actor, Permission.POST_STOCKTAKE)
    sheet = _compare_and_set(session, sheet, OPEN, "作废", status=S.CANCELLED, cancelled_at=utc_now())
    _close_lines(session, sheet.id)
    audit.record(session, actor, "count_sheet.cancel", DOCUMENT, sheet.id, branch_id=sheet.branch_id)
    session.flush()
    return sheet


# --- counting ---------------------------------------------------------------------------------------------------


def parse_count(text) -> Decimal:
    """What a clerk counted: a number from 0 to 99999 with at most two decimals."""
    value = parse_decimal(text, "quantity", "盘点数量", maximum=MAX_COUNT)
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("盘点数量最多两位小数", field="quantity")
    return value.quantize(Decimal("0.01"))


def ledger_position(session: Session) -> int:
    """The highest stock move id: every move up to it is in the on hand a count is compared with."""
    return session.execute(select(func.max(StockMove.id))).scalar_one() or 0


def _line_for(session: Session, actor: User, sheet: CountSheet, line_id, code) -> CountLine:
    if line_id not in (None, "", 0, "0"):
        try:
            line = session.get(CountLine, int(line_id))
        except (TypeError, ValueError):
            line = None
        if line is None or line.sheet_id != sheet.id:
            raise DomainError("本盘点单没有这一行", field="quantity")
        return line
    text = (code or "").strip()
    if not text:
        raise DomainError("请输入或扫描配件编码", field="code")
    part = catalogue.part_by_barcode(session, actor, text)
    line = None if part is None else session.exec(
        select(CountLine).where(CountLine.sheet_id == sheet.id, CountLine.part_id == part.id)).first()
    if line is None:
        raise DomainError(f"本盘点单没有编码或条码为{text}的配件", field="code")
    return line


def _variance_value(session: Session, line: CountLine, counted: Decimal, position: int) -> Decimal:
    expected, cost = _expected_one(session, line, position)
    return to_fen(abs(counted - expected) * cost)


def count(session: Session, actor: User, sheet_id, quantity, *, line_id=None, code=None, note: str = "",
          request_key: str | None = None) -> CountEntry:
    """Enter a count for a line (by its id, or a typed or scanned part code or barcode). The latest entry stands;
    the entry right after a 需复盘 flag is the recount."""
    require(actor, Permission.COUNT_STOCK)
    sheet = get_sheet(session, actor, sheet_id)
    earlier = _earlier_entry(session, sheet.branch_id, request_key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    line = counted = None
    try:
        line = _line_for(session, actor, sheet, line_id, code)
    except DomainError as error:
        errors[error.field or "code"] = error.message
    try:
        counted = parse_count(quantity)
    except DomainError as error:
        errors.setdefault("quantity", error.message)
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过200字"
    if errors:
        raise FormErrors(errors)
    # Holds the sheet in counting: posting waits for this entry, or has already closed the sheet.
    sheet = _compare_and_set(session, sheet, (S.COUNTING,), "录入盘点数")
    earlier = _earlier_entry(session, sheet.branch_id, request_key)
    if earlier is not None:  # the same request finished while this one waited for the sheet
        return earlier
    line = session.exec(select(CountLine).where(CountLine.id == line.id)
                        .execution_options(populate_existing=True)).one()
    position = ledger_position(session)
    state = RecountState(line.recount)
    is_recount = state == RecountState.NEEDED
    if is_recount:
        state = RecountState.RECOUNTED
    elif state == RecountState.NONE and _variance_value(session, line, counted, position) > sheet.recount_threshold:
        state = RecountState.NEEDED
    now = utc_now()
    entry = CountEntry(branch_id=sheet.branch_id, sheet_id=sheet.id, line_id=line.id, quantity=counted,
                       ledger_position=position, is_recount=is_recount, note=note, counted_by_id=actor.id,
                       counted_at=now, request_key=request_key or None)
    session.add(entry)
    line.counted_quantity = counted
    line.counted_by_id = actor.id
    line.counted_at = now
    line.ledger_position = position
    line.entry_count += 1
    line.recount = state
    if note:
        line.note = note
    session.add(line)
    session.flush()
    audit.record(session, actor, "count_sheet.count", DOCUMENT, sheet.id, branch_id=sheet.branch_id,
                 line_id=line.id, part_id=line.part_id, quantity=counted, ledger_position=position,
                 recount=state.value)
    session.flush()
    return entry


def _earlier_entry(session: Session, branch_id: int, request_key: str | None) -> CountEntry | None:
    if not request_key:
        return None
    return session.exec(select(CountEntry).where(CountEntry.branch_id == branch_id,
                                                 CountEntry.request_key == request_key)).first()


def confirm(session: Session, actor: User, sheet_id, line_id) -> CountLine:
    """The manager accepts a flagged variance without a recount."""
    require(actor, Permission.POST_STOCKTAKE)
    sheet = _compare_and_set(session, get_sheet(session, actor, sheet_id), (S.COUNTING,), "确认差异")
    line = _line_for(session, actor, sheet, line_id, None)
    line = session.exec(select(CountLine).where(CountLine.id == line.id)
                        .execution_options(populate_existing=True)).one()
    if RecountState(line.recount) != RecountState.NEEDED:
        return line  # already recounted or confirmed
    line.recount = RecountState.CONFIRMED
    session.add(line)
    audit.record(session, actor, "count_sheet.confirm", DOCUMENT, sheet.id, branch_id=sheet.branch_id,
                 line_id=line.id, part_id=line.part_id, quantity=line.counted_quantity)
    session.flush()
    return line


# --- expected quantities and variances --------------------------------------------------------------------------


def _expected_one(session: Session, line: CountLine, position: int) -> tuple[Decimal, Decimal]:
    """(on hand at ``position``, average cost now) of a line's part in its warehouse."""
    balance = session.exec(select(StockBalance).where(StockBalance.part_id == line.part_id,
                                                      StockBalance.warehouse_id == line.warehouse_id)).first()
    later = session.execute(select(func.coalesce(func.sum(StockMove.quantity), 0)).where(
        StockMove.part_id == line.part_id, StockMove.warehouse_id == line.warehouse_id,
        StockMove.id > position)).scalar_one()
    on_hand = balance.on_hand if balance is not None else ZERO
    cost = balance.average_cost if balance is not None else Decimal("0.0000")
    return on_hand - Decimal(str(later)), cost


@dataclass(frozen=True)
class Variance:
    line: CountLine
    part: Part
    expected: Decimal | None  # on hand at the count's ledger position; None for a line not counted
    on_hand: Decimal  # now
    average_cost: Decimal
    variance: Decimal  # counted − expected; 0 for a line not counted

    @property
    def gain_cost(self) -> Decimal:
        """What a surplus comes in at: the average cost read with on hand, or the catalogue cost where the
        warehouse holds none of the part at a cost."""
        if self.average_cost > 0:
            return self.average_cost
        return self.part.cost.quantize(stock.COST_PLACES, rounding=ROUND_HALF_UP)

    @property
    def value(self) -> Decimal:
        return to_fen(self.variance * (self.gain_cost if self.variance > 0 else self.average_cost))


def variances(session: Session, sheet: CountSheet) -> list[Variance]:
    """Every line with its expected quantity and variance, in one query: on hand now minus the moves of the part
    in the warehouse after the line's ledger position."""
    later = (select(CountLine.id.label("line_id"), func.sum(StockMove.quantity).label("later"))
             .join(StockMove, and_(StockMove.part_id == CountLine.part_id,
                                   StockMove.warehouse_id == CountLine.warehouse_id,
                                   StockMove.id > CountLine.ledger_position))
             .where(CountLine.sheet_id == sheet.id, col(CountLine.counted_quantity).is_not(None))
             .group_by(CountLine.id).subquery())
    rows = session.execute(
        select(CountLine, Part, StockBalance.on_hand, StockBalance.average_cost, later.c.later)
        .join(Part, Part.id == CountLine.part_id)
        .outerjoin(StockBalance, and_(StockBalance.part_id == CountLine.part_id,
                                      StockBalance.warehouse_id == CountLine.warehouse_id))
        .outerjoin(later, later.c.line_id == CountLine.id)
        .where(CountLine.sheet_id == sheet.id).order_by(CountLine.shelf, Part.code)
        .execution_options(populate_existing=True)).all()
    result = []
    for line, part, on_hand, cost, moved in rows:
        on_hand = Decimal(str(on_hand)) if on_hand is not None else ZERO
        cost = Decimal(str(cost)) if cost is not None else Decimal("0.0000")
        if line.counted_quantity is None:
            result.append(Variance(line, part, None, on_hand, cost, ZERO))
            continue
        expected = on_hand - Decimal(str(moved or 0))
        result.append(Variance(line, part, expected, on_hand, cost, line.counted_quantity - expected))
    return result


@dataclass(frozen=True)
class Review:
    sheet: CountSheet
    warehouse: Warehouse
    lines: list[Variance]
    moves: list[StockMove]  # once posted

    @property
    def uncounted(self) -> list[Variance]:
        return [v for v in self.lines if v.expected is None]

    @property
    def flagged(self) -> list[Variance]:
        return [v for v in self.lines if RecountState(v.line.recount) == RecountState.NEEDED]


def review(session: Session, actor: User, sheet_id) -> Review:
    """The manager's view: expected, counted and variance per line (never offered to a counting screen)."""
    require(actor, Permission.POST_STOCKTAKE)
    sheet = get_sheet(session, actor, sheet_id)
    moves = list(session.exec(select(StockMove).where(StockMove.document_type == DOCUMENT,
                                                      StockMove.document_id == sheet.id).order_by(StockMove.id)))
    return Review(sheet, session.get(Warehouse, sheet.warehouse_id), variances(session, sheet), moves)


# --- posting ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    sheet: CountSheet
    moves: list[StockMove]
    uncounted: int


def post(session: Session, actor: User, sheet_id) -> Posted:
    """过账: counting → posted once (a second manager posting at the same moment is refused), every non-zero
    variance one STOCKTAKE move dated now with the sheet as its document."""
    require(actor, Permission.POST_STOCKTAKE)
    sheet = get_sheet(session, actor, sheet_id)
    if S(sheet.status) == S.POSTED:
        raise DomainError(f"盘点单{sheet.number}已过账，不能重复过账")
    now = utc_now()
    sheet = _compare_and_set(session, sheet, (S.COUNTING,), "过账", status=S.POSTED, posted_by_id=actor.id,
                             posted_at=now)
    flagged, counted = _flags(session, sheet.id)  # read under the sheet's lock: no count can slip in now
    if flagged:
        raise DomainError(f"还有{flagged}个配件需复盘：请复盘，或由店长确认差异后再过账")
    if not counted:
        raise DomainError("还没有盘点任何配件，不能过账")
    lines = variances(session, sheet)
    moves = stock.post_batch(
        session, actor, branch_id=sheet.branch_id, warehouse_id=sheet.warehouse_id, kind=StockMoveKind.STOCKTAKE,
        document=(DOCUMENT, sheet.id), doing="盘亏", note=f"盘点单{sheet.number}",
        lines=[stock.BatchLine(part_id=item.part.id, quantity=item.variance,
                               unit_cost=item.gain_cost if item.variance > 0 else ZERO,
                               what=f"{item.part.name}（{item.part.code}）")
               for item in lines if item.expected is not None and item.variance != 0])
    _close_lines(session, sheet.id)
    gain = sum((to_fen(m.quantity * m.unit_cost) for m in moves if m.quantity > 0), ZERO)
    loss = sum((to_fen(-m.quantity * m.unit_cost) for m in moves if m.quantity < 0), ZERO)
    uncounted = sum(1 for item in lines if item.expected is None)
    audit.record(session, actor, "count_sheet.post", DOCUMENT, sheet.id, branch_id=sheet.branch_id,
                 moves=[[m.id, m.part_id, m.quantity, m.unit_cost] for m in moves], gain=gain, loss=loss,
                 uncounted=uncounted)
    session.flush()
    return Posted(sheet, moves, uncounted)


# --- the counting screen and the printed list (blind: nothing here carries on hand) ------------------------------


@dataclass(frozen=True)
class CountingLine:
    id: int
    code: str
    name: str
    spec: str
    unit: str
    shelf: str
    counted: Decimal | None
    counted_by: str
    counted_at: object
    recount: RecountState


@dataclass(frozen=True)
class CountingView:
    sheet: CountSheet
    warehouse: Warehouse
    shelves: list[str]
    lines: list[CountingLine]
    actions: list[Action]


def counting_view(session: Session, actor: User, sheet_id, shelf: str | None = None) -> CountingView:
    """What a counting phone or the printed list shows: the sheet's parts by shelf, their latest counts, and no on
    hand (the count is blind)."""
    require(actor, Permission.COUNT_STOCK)
    sheet = get_sheet(session, actor, sheet_id)
    rows = sheet_lines(session, sheet.id)
    names = dict(session.exec(select(User.id, User.display_name).where(
        col(User.id).in_({line.counted_by_id for line, _ in rows if line.counted_by_id} or {-1}))).all())
    shelves = sorted({line.shelf for line, _ in rows})
    lines = [CountingLine(line.id, part.code, part.name, part.spec, part.unit, line.shelf, line.counted_quantity,
                          names.get(line.counted_by_id, ""), line.counted_at, RecountState(line.recount))
             for line, part in rows if shelf is None or line.shelf == shelf]
    return CountingView(sheet, session.get(Warehouse, sheet.warehouse_id), shelves, lines,
                        allowed_actions(session, actor, sheet))


def by_shelf(lines: list[CountingLine]) -> dict[str, list[CountingLine]]:
    grouped: dict[str, list[CountingLine]] = defaultdict(list)
    for line in lines:
        grouped[line.shelf].append(line)
    return dict(grouped)
