"""Stock (R7): warehouses, the append-only stock ledger, goods-in, and picks and returns against work orders.

Every movement is one ``StockMove`` row; the part's ``StockBalance`` (on hand, moving weighted average cost) and the
parts line's picked/returned quantities change in the same transaction. The rules:

- Stock never goes negative. A pick takes stock with one conditional ``UPDATE … SET on_hand = on_hand - q WHERE
  on_hand >= q``: the database decides, so two clerks picking the last units at once cannot both succeed (PostgreSQL
  re-checks the condition after the row lock; SQLite serialises writers).
- A parts line may be picked up to its planned quantity, net of returns (picked − returned ≤ quantity). Picking more
  than planned is refused: the advisor raises the line's quantity first. The same conditional-UPDATE guard applies.
- A pick leaves at the current average cost. A return comes back at the cost it left at (the quantity-weighted mean
  cost of that line's picks), and that cost enters the moving average like a receipt; at most picked − returned.
- Receipts and opening stock move the average: new = (on_hand × avg + qty × cost) / (on_hand + qty), 4 decimals.
- A balance is worth round(on hand × average cost, 2). Each move records ``value_change``, what it changed that worth
  by (as ERPNext's stock_value_difference), so the opening value plus the moves' value changes is the balance's worth
  to the fen, whatever the 4-decimal average rounded away.
- A resent request (same ``request_key``) returns the move the first one made and moves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.parts import pick_requests
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.workshop.order_status import WORKABLE, guard_workable
from lantong_pwa.services.platform.parsing import parse_decimal, to_hundredths
from lantong_pwa.services.platform.permissions import (
    Permission,
    require,
    require_branch,
    row_in_branch,
)
from models import (
    Part,
    PartLine,
    Payer,
    PickRequest,
    PickRequestStatus,
    StockBalance,
    StockMove,
    StockMoveKind,
    User,
    Vehicle,
    Warehouse,
    WorkOrder,
)
from models.common import utc_now

COST_PLACES = Decimal("0.0001")
FEN = Decimal("0.01")
MAX_QUANTITY = Decimal(99999)
RECEIPT_KINDS = (StockMoveKind.RECEIPT, StockMoveKind.OPENING)
# Issued to a work order's parts line: a pick, or a 三包 part (a line the manufacturer pays) picked.
ISSUED_TO_ORDERS = (StockMoveKind.PICK, StockMoveKind.WARRANTY)
ZERO = Decimal("0.00")
WORK_ORDER = "work_order"  # the document of picks and returns


def qty_text(value: Decimal) -> str:
    """A quantity as a person writes it: ``2``, ``1.5``."""
    return f"{value.normalize():f}"


def moving_average(on_hand: Decimal, average: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    """The average cost after ``quantity`` came in at ``cost``; the one formula receipts, returns and rebuilds use."""
    total = on_hand + quantity
    if total <= 0:
        return cost.quantize(COST_PLACES, rounding=ROUND_HALF_UP)
    return ((on_hand * average + quantity * cost) / total).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def average_after_return(on_hand: Decimal, average: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    """The average cost after ``quantity`` left at ``cost`` rather than at the average (a purchase return leaves at
    its receipt's cost): the value left ÷ the quantity left, never below zero; unchanged when nothing is left."""
    left = on_hand - quantity
    if left <= 0:
        return average
    value = on_hand * average - quantity * cost
    return max((value / left).quantize(COST_PLACES, rounding=ROUND_HALF_UP), Decimal("0.0000"))


def stock_value(on_hand: Decimal, average: Decimal) -> Decimal:
    """What a balance is worth, to the fen."""
    return (on_hand * average).quantize(FEN, rounding=ROUND_HALF_UP)


def value_change(before: tuple[Decimal, Decimal], after: tuple[Decimal, Decimal]) -> Decimal:
    """A move's ``value_change``: the balance's worth after it minus before it, each (on hand, average cost)."""
    return stock_value(*after) - stock_value(*before)


def remaining_to_pick(line: PartLine) -> Decimal:
    return line.quantity - (line.picked_quantity - line.returned_quantity)


# --- warehouses -------------------------------------------------------------------------------------------------


def list_warehouses(session: Session, actor: User) -> list[Warehouse]:
    """The active warehouses of the actor's branch, in the order they were set up (the first is the main one)."""
    require(actor, Permission.VIEW_PARTS)
    return list(session.exec(select(Warehouse).where(Warehouse.branch_id == actor.branch_id, Warehouse.is_active)
                             .order_by(Warehouse.id)).all())


def create_warehouse(session: Session, actor: User, code: str, name: str) -> Warehouse:
    require(actor, Permission.MOVE_STOCK)
    code = (code or "").strip().upper()
    name = (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = "请输入仓库编码"
    elif len(code) > 16:
        errors["code"] = "仓库编码不能超过16个字符"
    elif session.exec(select(Warehouse.id).where(Warehouse.branch_id == actor.branch_id,
                                                 Warehouse.code == code)).first() is not None:
        errors["code"] = f"仓库编码{code}已存在"
    if not name:
        errors["name"] = "请输入仓库名称"
    elif len(name) > 32:
        errors["name"] = "仓库名称不能超过32个字"
    if errors:
        raise FormErrors(errors)
    warehouse = Warehouse(branch_id=actor.branch_id, code=code, name=name)
    session.add(warehouse)
    session.flush()
    audit.record(session, actor, "warehouse.create", "warehouse", warehouse.id, branch_id=warehouse.branch_id,
                 code=code, name=name)
    session.flush()
    return warehouse


def _warehouse(session: Session, actor: User, warehouse_id, branch_id: int) -> Warehouse:
    try:
        warehouse_id = int(warehouse_id)
    except (TypeError, ValueError):
        raise DomainError("请选择仓库", field="warehouse_id") from None
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None or warehouse.branch_id != branch_id or not warehouse.is_active:
        raise DomainError("请选择本店的仓库", field="warehouse_id")
    require_branch(actor, warehouse.branch_id)
    return warehouse


# --- parsing ----------------------------------------------------------------------------------------------------


def parse_quantity(text) -> Decimal:
    quantity = to_hundredths(parse_decimal(text, "quantity", "数量", maximum=MAX_QUANTITY))
    if quantity <= 0:
        raise DomainError("数量应大于0", field="quantity")
    return quantity


def parse_cost(text) -> Decimal:
    cost = parse_decimal(text, "unit_cost", "单位成本", maximum=Decimal(9999999999))
    return cost.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


# --- the ledger's building blocks -------------------------------------------------------------------------------


def _earlier_move(session: Session, branch_id: int, request_key: str | None) -> StockMove | None:
    if not request_key:
        return None
    return session.exec(select(StockMove).where(StockMove.branch_id == branch_id,
                                                StockMove.request_key == request_key)).first()


def _balance_id(session: Session, branch_id: int, part_id: int, warehouse_id: int, create: bool) -> int | None:
    """The balance row of a part in a warehouse; created (race-free: insert-or-ignore) when ``create``."""
    where = (StockBalance.part_id == part_id, StockBalance.warehouse_id == warehouse_id)
    found = session.exec(select(StockBalance.id).where(*where)).first()
    if found is not None or not create:
        return found
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(StockBalance.__table__)
                    .values(branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, on_hand=ZERO,
                            average_cost=Decimal("0.0000"))
                    .on_conflict_do_nothing(index_elements=["part_id", "warehouse_id"]))
    return session.exec(select(StockBalance.id).where(*where)).one()


def _stock_in(session: Session, balance: StockBalance, quantity: Decimal, cost: Decimal) -> Decimal:
    """Add stock at ``cost`` to a balance read under its write lock (``locked``), so the average uses the latest
    on hand; returns the move's value change."""
    before = (balance.on_hand, balance.average_cost)
    balance.average_cost = moving_average(balance.on_hand, balance.average_cost, quantity, cost)
    balance.on_hand = balance.on_hand + quantity
    session.add(balance)
    session.flush()
    return value_change(before, (balance.on_hand, balance.average_cost))


def _record_move(session: Session, move: StockMove) -> StockMove:
    """Add the ledger row. A resent request cannot get here twice: each mover looks for the earlier move again
    once it holds the write lock that the first request held until it committed."""
    session.add(move)
    session.flush()
    return move


# --- receipts ---------------------------------------------------------------------------------------------------


def receive_stock(session: Session, actor: User, warehouse_id, part_id, quantity, unit_cost,
                  kind: StockMoveKind | str = StockMoveKind.RECEIPT, note: str = "",
                  request_key: str | None = None) -> StockMove:
    """Goods in (入库) or opening stock (期初): stock goes up, the average cost moves."""
    require(actor, Permission.MOVE_STOCK)
    earlier = _earlier_move(session, actor.branch_id, request_key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    warehouse = part = qty = cost = None
    try:
        kind = StockMoveKind(kind)
        if kind not in RECEIPT_KINDS:
            raise ValueError
    except ValueError:
        errors["kind"] = "请选择入库类型"
    try:
        warehouse = _warehouse(session, actor, warehouse_id, actor.branch_id)
    except DomainError as error:
        errors["warehouse_id"] = error.message
    try:
        part = session.get(Part, int(part_id))
    except (TypeError, ValueError):
        part = None
    if part is None or part.branch_id != actor.branch_id or not part.is_active:
        errors["part_id"] = "请选择配件目录中的配件"
    for key, parse in (("quantity", parse_quantity), ("unit_cost", parse_cost)):
        try:
            value = parse(quantity if key == "quantity" else unit_cost)
        except DomainError as error:
            errors[key] = error.message
            continue
        if key == "quantity":
            qty = value
        else:
            cost = value
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过200字"
    if errors:
        raise FormErrors(errors)

    balance = locked(session, StockBalance,
                     _balance_id(session, warehouse.branch_id, part.id, warehouse.id, create=True))
    earlier = _earlier_move(session, actor.branch_id, request_key)
    if earlier is not None:  # the same request finished while this one waited for the lock
        return earlier
    change = _stock_in(session, balance, qty, cost)
    move = _record_move(session, StockMove(
        branch_id=warehouse.branch_id, part_id=part.id, warehouse_id=warehouse.id, kind=kind, quantity=qty,
        unit_cost=cost, value_change=change, note=note, user_id=actor.id, request_key=request_key or None))
    audit.record(session, actor, f"stock.{kind.value}", "stock_move", move.id, branch_id=move.branch_id,
                 part_id=part.id, warehouse_id=warehouse.id, quantity=qty, unit_cost=cost)
    session.flush()
    return move


def post_in(session: Session, actor: User, *, branch_id: int, warehouse_id: int, part_id: int, quantity: Decimal,
            unit_cost: Decimal, document: tuple[str, int], kind: StockMoveKind = StockMoveKind.RECEIPT,
            note: str = "") -> StockMove:
    """One ledger move into stock at ``unit_cost`` for a document that checked its own input (a goods receipt
    line, a transfer's arrival, a count's surplus): the balance is locked, the average moves, the move is recorded
    against ``document`` (its type and id)."""
    balance = locked(session, StockBalance, _balance_id(session, branch_id, part_id, warehouse_id, create=True))
    change = _stock_in(session, balance, quantity, unit_cost)
    return _record_move(session, StockMove(
        branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, kind=kind, quantity=quantity,
        unit_cost=unit_cost, value_change=change, document_type=document[0], document_id=document[1], note=note[:200], user_id=actor.id))


def _shortage(session: Session, warehouse_id: int, have: Decimal, quantity: Decimal, what: str, doing: str) -> str:
    warehouse = session.get(Warehouse, warehouse_id)
    return f"{what}库存不足：{warehouse.name}现有{qty_text(have)}，本次要{doing}{qty_text(quantity)}"


def post_out(session: Session, actor: User, *, branch_id: int, warehouse_id: int, part_id: int, quantity: Decimal,
             kind: StockMoveKind, document: tuple[str, int], what: str, doing: str = "出库",
             note: str = "") -> StockMove:
    """One ledger move out of stock at the current average cost for a document that checked its own input (a
    transfer out, internal use, a gift, a warranty part, a count's shortfall). Never below zero: refused naming
    ``what``, where it is short, on hand and the quantity asked (``doing`` says what the person tried: 调出, 领用…)."""
    balance_id = _balance_id(session, branch_id, part_id, warehouse_id, create=False)
    balance = locked(session, StockBalance, balance_id) if balance_id is not None else None
    if balance is None or balance.on_hand < quantity:
        raise DomainError(_shortage(session, warehouse_id, ZERO if balance is None else balance.on_hand, quantity,
                                    what, doing), field="quantity")
    before = (balance.on_hand, balance.average_cost)
    balance.on_hand = balance.on_hand - quantity
    session.add(balance)
    session.flush()
    return _record_move(session, StockMove(
        branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, kind=kind, quantity=-quantity,
        unit_cost=balance.average_cost, value_change=value_change(before, (balance.on_hand, balance.average_cost)),
        document_type=document[0], document_id=document[1], note=note[:200],
        user_id=actor.id))


def post_out_at_cost(session: Session, actor: User, *, branch_id: int, warehouse_id: int, part_id: int,
                     quantity: Decimal, unit_cost: Decimal, what: str, document: tuple[str, int],
                     kind: StockMoveKind = StockMoveKind.PURCHASE_RETURN, note: str = "") -> StockMove:
    """One ledger move out of stock at ``unit_cost`` (not the average: a purchase return leaves at what its receipt
    cost), the average recomputed from the value left. Never below zero: refused naming ``what``, on hand and the
    quantity asked."""
    balance_id = _balance_id(session, branch_id, part_id, warehouse_id, create=False)
    balance = locked(session, StockBalance, balance_id) if balance_id is not None else None
    if balance is None or balance.on_hand < quantity:
        raise DomainError(_shortage(session, warehouse_id, ZERO if balance is None else balance.on_hand, quantity,
                                    what, "退"), field="quantity")
    before = (balance.on_hand, balance.average_cost)
    balance.average_cost = average_after_return(balance.on_hand, balance.average_cost, quantity, unit_cost)
    balance.on_hand = balance.on_hand - quantity
    session.add(balance)
    session.flush()
    return _record_move(session, StockMove(
        branch_id=branch_id, part_id=part_id, warehouse_id=warehouse_id, kind=kind, quantity=-quantity,
        unit_cost=unit_cost, value_change=value_change(before, (balance.on_hand, balance.average_cost)),
        document_type=document[0], document_id=document[1], note=note[:200], user_id=actor.id))


def part_lines(session: Session, actor: User, lines, errors: dict[str, str], part_field: str
               ) -> list[tuple[Part, Decimal]]:
    """The parts and quantities of a document's lines (each with ``part_id`` and ``quantity``): the actor's own
    active parts, each once. What is wrong goes into ``errors`` by ``<part_field>.N`` and ``quantity.N``."""
    parsed: list[tuple[Part, Decimal]] = []
    seen: set[int] = set()
    for index, line in enumerate(lines):
        try:
            part = session.get(Part, int(line.part_id))
        except (TypeError, ValueError):
            part = None
        if part is None or part.branch_id != actor.branch_id or not part.is_active:
            errors[f"{part_field}.{index}"] = "请选择本店配件目录中的配件"
            continue
        if part.id in seen:
            errors[f"{part_field}.{index}"] = f"{part.name}已在单上，请合并数量"
            continue
        seen.add(part.id)
        try:
            parsed.append((part, parse_quantity(line.quantity)))
        except DomainError as error:
            errors[f"quantity.{index}"] = error.message
    return parsed


@dataclass(frozen=True)
class BatchLine:
    """One line of a batched post: ``quantity`` signed (in > 0, out < 0); a line in comes at ``unit_cost``, a line
    out leaves at the average. ``what`` names the part in a shortage message."""

    part_id: int
    quantity: Decimal
    unit_cost: Decimal
    what: str


BATCH_CHUNK = 500  # rows per statement: well inside SQLite's and PostgreSQL's limits on bound parameters


def post_batch(session: Session, actor: User, *, branch_id: int, warehouse_id: int, lines: list[BatchLine],
               kind: StockMoveKind, document: tuple[str, int], doing: str, note: str = "") -> list[StockMove]:
    """Many ledger moves of one document in one warehouse at once (a count sheet's variances): the same rules as
    ``post_in``/``post_out`` line by line, in a handful of statements instead of several per line. Every balance
    is locked and read once, each line's new on hand, average and value change worked out in order, then the
    balances updated and the moves inserted in bulk. A shortage refuses the whole batch, naming the first part
    short; the ``on_hand >= 0`` constraint stands behind it. At most one line per part."""
    if not lines:
        return []
    part_ids = [line.part_id for line in lines]
    if len(set(part_ids)) != len(part_ids):
        raise ValueError("post_batch takes one line per part")
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = StockBalance.__table__
    for start in range(0, len(lines), BATCH_CHUNK):
        chunk = part_ids[start:start + BATCH_CHUNK]
        session.execute(dialect.insert(table)
                        .values([{"branch_id": branch_id, "part_id": part_id, "warehouse_id": warehouse_id,
                                  "on_hand": ZERO, "average_cost": Decimal("0.0000")} for part_id in chunk])
                        .on_conflict_do_nothing(index_elements=["part_id", "warehouse_id"]))
        # The write lock on every balance of the batch, as ``locked`` takes it on one
        session.execute(update(StockBalance).where(StockBalance.warehouse_id == warehouse_id,
                                                   col(StockBalance.part_id).in_(chunk))
                        .values(id=StockBalance.id).execution_options(synchronize_session=False))
    balances: dict[int, tuple[int, Decimal, Decimal]] = {}
    for start in range(0, len(lines), BATCH_CHUNK):
        chunk = part_ids[start:start + BATCH_CHUNK]
        for balance_id, part_id, quantity, average in session.execute(
                select(StockBalance.id, StockBalance.part_id, StockBalance.on_hand, StockBalance.average_cost)
                .where(StockBalance.warehouse_id == warehouse_id, col(StockBalance.part_id).in_(chunk))):
            balances[part_id] = (balance_id, Decimal(str(quantity)), Decimal(str(average)))

    updates, moves, now = [], [], utc_now()
    for line in lines:
        balance_id, have, average = balances[line.part_id]
        before = (have, average)
        if line.quantity > 0:
            after = (have + line.quantity, moving_average(have, average, line.quantity, line.unit_cost))
            cost = line.unit_cost
        else:
            if have < -line.quantity:
                raise DomainError(_shortage(session, warehouse_id, have, -line.quantity, line.what, doing),
                                  field="quantity")
            after = (have + line.quantity, average)
            cost = average
        updates.append({"id": balance_id, "on_hand": after[0], "average_cost": after[1]})
        moves.append({"branch_id": branch_id, "part_id": line.part_id, "warehouse_id": warehouse_id, "kind": kind,
                      "quantity": line.quantity, "unit_cost": cost, "value_change": value_change(before, after),
                      "document_type": document[0], "document_id": document[1], "note": note[:200],
                      "user_id": actor.id, "created_at": now})
    session.execute(update(StockBalance), updates)  # bulk UPDATE by primary key
    posted = []
    for start in range(0, len(moves), BATCH_CHUNK):
        posted += session.scalars(insert(StockMove).returning(StockMove), moves[start:start + BATCH_CHUNK]).all()
    return posted


# --- picks and returns ------------------------------------------------------------------------------------------


def _line(session: Session, actor: User, part_line_id) -> PartLine:
    try:
        part_line_id = int(part_line_id)
    except (TypeError, ValueError):
        raise DomainError("配件行不存在") from None
    return row_in_branch(session, actor, PartLine, part_line_id, "配件行不存在")


def _line_move(session: Session, actor: User, part_line_id, warehouse_id, quantity, request_key: str | None,
               doing: str) -> StockMove | tuple[WorkOrder, PartLine, Warehouse, Decimal]:
    """What a pick or a return against a parts line starts with: the earlier move of a resent request, or the
    order (locked and still workable), the line (locked), the warehouse and the parsed quantity."""
    require(actor, Permission.MOVE_STOCK)
    line = _line(session, actor, part_line_id)
    earlier = _earlier_move(session, line.branch_id, request_key)
    if earlier is not None:
        return earlier
    # The order is held workable for the rest of the request: a settlement either waits for this move or has
    # already made the order unworkable.
    order = guard_workable(session, session.get(WorkOrder, line.work_order_id), doing)
    earlier = _earlier_move(session, line.branch_id, request_key)
    if earlier is not None:  # the same request finished while this one waited for the order
        return earlier
    line = locked(session, PartLine, line.id)
    return order, line, _warehouse(session, actor, warehouse_id, line.branch_id), parse_quantity(quantity)


def elsewhere(session: Session, line: PartLine, short_warehouse_id: int) -> str:
    """Where else in the branch the line's part is, most first, for a shortage message: ``；主仓库有6套``."""
    rows = session.execute(select(Warehouse.name, StockBalance.on_hand)
                           .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
                           .where(StockBalance.part_id == line.part_id, StockBalance.branch_id == line.branch_id,
                                  StockBalance.warehouse_id != short_warehouse_id, StockBalance.on_hand > 0,
                                  Warehouse.is_active)
                           .order_by(StockBalance.on_hand.desc(), Warehouse.id)).all()
    if not rows:
        return "；其他仓库也没有"
    return "；" + "、".join(f"{name}有{qty_text(Decimal(on_hand))}{line.unit}" for name, on_hand in rows)


def pick(session: Session, actor: User, part_line_id, warehouse_id, quantity,
         request_key: str | None = None) -> StockMove:
    """Take parts out of a warehouse for an order's parts line (partial picks allowed) at the current average cost."""
    prepared = _line_move(session, actor, part_line_id, warehouse_id, quantity, request_key, "领料")
    if isinstance(prepared, StockMove):
        return prepared  # a resent request: the move it already made
    order, line, warehouse, qty = prepared
    part = session.get(Part, line.part_id)
    if part is None or not part.is_active:
        raise DomainError(f"{line.part_name}（{line.part_code}）已停用，不能领料；请在配件档案中启用或换用其他配件",
                          field="quantity")
    over = (f"{line.part_name}计划{qty_text(line.quantity)}{line.unit}，已领{qty_text(line.picked_quantity)}、"
            f"已退{qty_text(line.returned_quantity)}，本次最多还能领{qty_text(max(remaining_to_pick(line), ZERO))}"
            f"{line.unit}；要多领请先让服务顾问改数量")
    if qty > remaining_to_pick(line):
        raise DomainError(over, field="quantity")

    # Both guards are single conditional UPDATEs: the database refuses, not a value read earlier.
    net_after = func.round(PartLine.picked_quantity - PartLine.returned_quantity + qty, 2)
    planned = session.execute(update(PartLine).where(PartLine.id == line.id, net_after <= PartLine.quantity)
                              .values(picked_quantity=func.round(PartLine.picked_quantity + qty, 2))
                              .execution_options(synchronize_session=False))
    if planned.rowcount != 1:
        raise DomainError(over, field="quantity")
    balance_id = _balance_id(session, line.branch_id, line.part_id, warehouse.id, create=False)
    taken = 0
    if balance_id is not None:
        taken = session.execute(update(StockBalance)
                                .where(StockBalance.id == balance_id, StockBalance.on_hand >= qty)
                                .values(on_hand=func.round(StockBalance.on_hand - qty, 2))
                                .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        on_hand = ZERO if balance_id is None else Decimal(session.execute(
            select(StockBalance.on_hand).where(StockBalance.id == balance_id)).scalar_one())
        raise DomainError(f"{line.part_name}（{line.part_code}）库存不足：{warehouse.name}现有"
                          f"{qty_text(on_hand)}{line.unit}，本次要领{qty_text(qty)}{line.unit}"
                          f"{elsewhere(session, line, warehouse.id)}", field="quantity")
    left, cost = (Decimal(str(v)) for v in session.execute(
        select(StockBalance.on_hand, StockBalance.average_cost).where(StockBalance.id == balance_id)).one())
    kind = StockMoveKind.WARRANTY if line.payer == Payer.WARRANTY else StockMoveKind.PICK  # 三包出库
    move = _record_move(session, StockMove(
        branch_id=line.branch_id, part_id=line.part_id, warehouse_id=warehouse.id, kind=kind,
        quantity=-qty, unit_cost=cost, value_change=value_change((left + qty, cost), (left, cost)),
        work_order_id=order.id, part_line_id=line.id,
        document_type=WORK_ORDER, document_id=order.id, user_id=actor.id, request_key=request_key or None))
    session.refresh(line)
    pick_requests.close_when_picked(session, actor, line)
    audit.record(session, actor, "stock.pick", "stock_move", move.id, branch_id=move.branch_id,
                 work_order_id=order.id, part_line_id=line.id, warehouse_id=warehouse.id, quantity=qty,
                 unit_cost=cost)
    session.flush()
    return move


def picked_cost(session: Session, part_line_id: int) -> Decimal:
    """The quantity-weighted mean cost the line's parts left the warehouses at."""
    row = session.execute(select(func.sum(-StockMove.quantity), func.sum(-StockMove.quantity * StockMove.unit_cost))
                          .where(StockMove.part_line_id == part_line_id,
                                 col(StockMove.kind).in_(ISSUED_TO_ORDERS))).one()
    quantity, value = (Decimal(str(v)) if v is not None else None for v in row)
    if not quantity:
        return Decimal("0.0000")
    return (value / quantity).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def return_part(session: Session, actor: User, part_line_id, warehouse_id, quantity,
                request_key: str | None = None) -> StockMove:
    """Take picked parts back into a warehouse (退料) at the cost they left at; at most picked − returned."""
    prepared = _line_move(session, actor, part_line_id, warehouse_id, quantity, request_key, "退料")
    if isinstance(prepared, StockMove):
        return prepared  # a resent request: the move it already made
    order, line, warehouse, qty = prepared
    out = line.picked_quantity - line.returned_quantity
    over = (f"{line.part_name}已领{qty_text(line.picked_quantity)}、已退{qty_text(line.returned_quantity)}，"
            f"最多还能退{qty_text(max(out, ZERO))}{line.unit}")
    if qty > out:
        raise DomainError(over, field="quantity")
    returned_after = func.round(PartLine.returned_quantity + qty, 2)
    done = session.execute(update(PartLine).where(PartLine.id == line.id, returned_after <= PartLine.picked_quantity)
                           .values(returned_quantity=returned_after)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(over, field="quantity")
    cost = picked_cost(session, line.id)
    balance_id = _balance_id(session, line.branch_id, line.part_id, warehouse.id, create=True)
    change = _stock_in(session, locked(session, StockBalance, balance_id), qty, cost)
    move = _record_move(session, StockMove(
        branch_id=line.branch_id, part_id=line.part_id, warehouse_id=warehouse.id, kind=StockMoveKind.RETURN,
        quantity=qty, unit_cost=cost, value_change=change, work_order_id=order.id, part_line_id=line.id,
        document_type=WORK_ORDER, document_id=order.id, user_id=actor.id, request_key=request_key or None))
    audit.record(session, actor, "stock.return", "stock_move", move.id, branch_id=move.branch_id,
                 work_order_id=order.id, part_line_id=line.id, warehouse_id=warehouse.id, quantity=qty,
                 unit_cost=cost)
    session.flush()
    session.refresh(line)
    return move


# --- what the clerk sees ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnHand:
    part: Part
    warehouse: Warehouse
    on_hand: Decimal
    average_cost: Decimal


def on_hand(session: Session, actor: User, part_id: int | None = None, warehouse_id: int | None = None,
            part_ids: list[int] | None = None) -> list[OnHand]:
    """Balances of the actor's branch (optionally one part, some parts, one warehouse), by part code and warehouse."""
    require(actor, Permission.VIEW_PARTS)
    statement = (select(StockBalance, Part, Warehouse)
                 .join(Part, Part.id == StockBalance.part_id)
                 .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
                 .where(StockBalance.branch_id == actor.branch_id)
                 .order_by(Part.code, Warehouse.code))
    if part_id is not None:
        statement = statement.where(StockBalance.part_id == part_id)
    if part_ids is not None:
        statement = statement.where(col(StockBalance.part_id).in_(part_ids or [-1]))
    if warehouse_id is not None:
        statement = statement.where(StockBalance.warehouse_id == warehouse_id)
    return [OnHand(part=p, warehouse=w, on_hand=b.on_hand, average_cost=b.average_cost)
            for b, p, w in session.exec(statement).all()]


@dataclass(frozen=True)
class PendingOrder:
    order: WorkOrder
    vehicle: Vehicle
    lines: list[PartLine]  # the lines still to pick
    requests: list[PickRequest]  # open pick requests from the workshop


def pending_work(session: Session, actor: User) -> list[PendingOrder]:
    """Workable orders with parts lines still to pick: those with open pick requests first (oldest first), then by
    promised time."""
    require(actor, Permission.MOVE_STOCK)
    rows = session.exec(
        select(PartLine, WorkOrder, Vehicle)
        .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
        .join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .where(PartLine.branch_id == actor.branch_id, col(WorkOrder.status).in_(WORKABLE))
        .order_by(WorkOrder.id, PartLine.position, PartLine.id)
    ).all()
    orders: dict[int, tuple[WorkOrder, Vehicle]] = {}
    lines: dict[int, list[PartLine]] = defaultdict(list)
    for line, order, vehicle in rows:
        if remaining_to_pick(line) > 0:
            orders[order.id] = (order, vehicle)
            lines[order.id].append(line)
    requests: dict[int, list[PickRequest]] = defaultdict(list)
    for request in pick_requests.open_requests(session, actor):
        requests[request.work_order_id].append(request)
    pending = [PendingOrder(order=o, vehicle=v, lines=lines[o.id], requests=requests[o.id])
               for o, v in orders.values()]

    def priority(item: PendingOrder):
        first_request = min((r.created_at for r in item.requests), default=None)
        return (first_request is None, first_request or item.order.created_at,
                item.order.promised_at is None, item.order.promised_at or item.order.created_at)

    return sorted(pending, key=priority)


@dataclass(frozen=True)
class PickList:
    order: WorkOrder
    vehicle: Vehicle
    lines: list[PartLine]
    requested_line_ids: set[int]
    stock: dict[tuple[int, int], Decimal]  # (part_id, warehouse_id) → on hand
    warehouses: list[Warehouse]  # the branch's active warehouses, the choice for every line
    default_warehouse: dict[int, int]  # line id → the warehouse it picks from unless the clerk chooses another


def default_pick_warehouse(home_id: int | None, needed: Decimal, on_hand: dict[int, Decimal],
                           warehouse_ids: list[int]) -> int | None:
    """Where a line picks from: the part's home warehouse when it holds what is still needed, else the warehouse
    holding the most (the home one, then the first set up, on a tie); the home one (or the first) when none has any."""
    if not warehouse_ids:
        return None
    home = home_id if home_id in warehouse_ids else None
    if home is not None and on_hand.get(home, ZERO) >= needed:
        return home
    order = ([home] if home is not None else []) + [w for w in warehouse_ids if w != home]
    best = max(order, key=lambda w: (on_hand.get(w, ZERO), -order.index(w)))
    return best if on_hand.get(best, ZERO) > 0 else (home or warehouse_ids[0])


def pick_list(session: Session, actor: User, order_id) -> PickList:
    """An order's parts lines with what is planned, picked and returned, and the on hand of each part."""
    require(actor, Permission.MOVE_STOCK)
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise DomainError("工单不存在") from None
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    vehicle = session.get(Vehicle, order.vehicle_id)
    lines = list(session.exec(select(PartLine).where(PartLine.work_order_id == order.id)
                              .order_by(PartLine.position, PartLine.id)).all())
    requested = set(session.exec(select(PickRequest.part_line_id).where(
        PickRequest.work_order_id == order.id, PickRequest.status == PickRequestStatus.OPEN)).all())
    warehouses = list_warehouses(session, actor)
    balances = session.exec(select(StockBalance).where(
        col(StockBalance.part_id).in_([line.part_id for line in lines] or [-1]))).all()
    on_hand = {(b.part_id, b.warehouse_id): b.on_hand for b in balances}
    homes = dict(session.exec(select(Part.id, Part.default_warehouse_id)
                              .where(col(Part.id).in_([line.part_id for line in lines] or [-1]))).all())
    ids = [w.id for w in warehouses]
    defaults = {line.id: default_pick_warehouse(
        homes.get(line.part_id), max(remaining_to_pick(line), ZERO),
        {w: on_hand.get((line.part_id, w), ZERO) for w in ids}, ids) for line in lines}
    return PickList(order=order, vehicle=vehicle, lines=lines, requested_line_ids={i for i in requested if i},
                    stock=on_hand, warehouses=warehouses, default_warehouse=defaults)


def find_pick_line(session: Session, actor: User, order_id, code: str) -> PartLine:
    """The order's parts line for a typed or scanned part code (one still to pick, if several carry the code)."""
    require(actor, Permission.MOVE_STOCK)
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise DomainError("工单不存在") from None
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    code = (code or "").strip().upper()
    if not code:
        raise DomainError("请输入或扫描配件编码", field="code")
    lines = [line for line in session.exec(select(PartLine).where(PartLine.work_order_id == order.id)
                                           .order_by(PartLine.position, PartLine.id)).all()
             if line.part_code.upper() == code]
    if not lines:
        raise DomainError(f"工单{order.number}没有编码为{code}的配件", field="code")
    return next((line for line in lines if remaining_to_pick(line) > 0), lines[0])


# --- the ledger is the truth ------------------------------------------------------------------------------------


def ledger_balances(session: Session, branch_id: int) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """(part, warehouse) → (on hand, average cost), replayed from the ledger in the order the moves happened."""
    state: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    for move in session.exec(select(StockMove).where(StockMove.branch_id == branch_id).order_by(StockMove.id)):
        key = (move.part_id, move.warehouse_id)
        quantity_now, average = state.get(key, (ZERO, Decimal("0.0000")))
        if move.quantity > 0:
            average = moving_average(quantity_now, average, move.quantity, move.unit_cost)
        elif move.kind == StockMoveKind.PURCHASE_RETURN:
            average = average_after_return(quantity_now, average, -move.quantity, move.unit_cost)
        state[key] = (quantity_now + move.quantity, average)
    return state


def rebuild_balances(session: Session, branch_id: int) -> list[tuple[int, int, Decimal, Decimal]]:
    """Recompute every balance of the branch from the ledger; returns (part, warehouse, on hand before, after) of
    the balances that were wrong."""
    expected = ledger_balances(session, branch_id)
    existing = {(b.part_id, b.warehouse_id): b for b in
                session.exec(select(StockBalance).where(StockBalance.branch_id == branch_id)
                             .execution_options(populate_existing=True)).all()}
    changes = []
    for key in sorted(set(expected) | set(existing)):
        on_hand_now, average = expected.get(key, (ZERO, Decimal("0.0000")))
        balance = existing.get(key)
        if balance is None:
            balance = StockBalance(branch_id=branch_id, part_id=key[0], warehouse_id=key[1])
        before = balance.on_hand if balance.id else None
        if balance.id is None or balance.on_hand != on_hand_now or balance.average_cost != average:
            changes.append((key[0], key[1], before, on_hand_now))
            balance.on_hand = on_hand_now
            balance.average_cost = average
            session.add(balance)
    if changes:
        audit.record(session, None, "stock.rebuild", "stock_balance", None, branch_id=branch_id,
                     changed=[list(c) for c in changes])
    session.flush()
    return changes
