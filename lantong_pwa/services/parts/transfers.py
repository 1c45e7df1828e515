"""Transfers (调拨, P11): goods between two warehouses of one branch, or between branches.

    (a request, 调拨申请, raised by the receiving branch) requested ──(调出 by the sending branch)──▶ in_transit
    (a transfer raised by the sending branch: shipped as it is made)                            ──▶ in_transit
    in_transit ──(收货, partial receipts allowed; 报损 of what was lost)──▶ partly_received ──▶ received
    requested ──(取消)──▶ cancelled (only before shipping)
    within one branch: out of one warehouse and into the other in one step ──▶ received

The goods leave the sending warehouse at its average cost (``stock.post_out``, TRANSFER_OUT) and that cost travels
with them: each receipt enters the receiving warehouse at the cost they left at (``stock.post_in``, TRANSFER_IN).
On every line, shipped = received + in transit + written off: a receipt or a write-off raises its quantity with one
conditional UPDATE that keeps received + written off ≤ shipped (the database checks it too). Each step first moves
the transfer's status by compare-and-set, which also holds the transfer for the rest of the transaction, so two
clerks receiving the last units at once cannot both take them. A write-off (报损, a manager) moves no warehouse
stock: the goods never arrived; it is recorded on the line and audited.

Parts are per branch and matched by code. When the receiving branch has no part with the code, the first receipt
creates it in that branch's catalogue from the sender's entry (a chain shares one catalogue: refusing would leave
goods on the shelf that the ledger can't hold), audited.

A clerk sees the transfers from or to their branch; head office (admin) sees all. A resent form (same request key)
finds what the first one did and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlencode

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.parts import catalogue, stock
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import Permission, allows, require, sees_all_branches
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    BranchStatus,
    Part,
    PartBarcode,
    StockMoveKind,
    Transfer,
    TransferLine,
    TransferStatus,
    TransferStep,
    User,
    Warehouse,
)
from models.common import utc_now

S = TransferStatus
PREFIX = "DB"
DOCUMENT = "transfer"  # the stock moves' document type
STALE = "调拨单状态已变化，请刷新后重试"
ZERO = Decimal("0.00")
MAX_LINES = 50
OPEN = (S.IN_TRANSIT, S.PARTLY_RECEIVED)  # shipped and not all in: 在途
TABS = {"pending": (S.REQUESTED,), "transit": OPEN, "done": (S.RECEIVED, S.CANCELLED)}


class Action(StrEnum):
    SHIP = "ship"  # 调出 (a request, by the sending branch)
    RECEIVE = "receive"  # 收货 (the receiving branch)
    WRITE_OFF = "write_off"  # 报损 in transit (a manager)
    CANCEL = "cancel"  # 取消 (before shipping)
    PRINT = "print"

    @property
    def label(self) -> str:
        return {"ship": "调出", "receive": "收货", "write_off": "报损", "cancel": "取消",
                "print": "打印"}[self.value]


@dataclass
class LineInput:
    part_id: int | str  # the actor's own part
    quantity: str | Decimal


def in_transit(line: TransferLine) -> Decimal:
    """What is on the road: shipped − received − written off."""
    return line.shipped - line.received - line.written_off


def document_url(transfer_id: int) -> str:
    return f"/parts/transfers/{transfer_id}"


def part_for_request(session: Session, actor: User, code: str) -> Part | None:
    """The actor's own active part with that code (a 调拨申请 link names the part by code)."""
    require(actor, Permission.VIEW_STOCK_REPORTS)
    return session.exec(select(Part).where(Part.branch_id == actor.branch_id, Part.code == (code or "").strip().upper(),
                                           Part.is_active)).first()


def request_url(part_code: str, quantity, from_branch_id: int) -> str:
    """The 调拨申请 form filled in for a part, a quantity and the branch with a surplus (safety stock links here)."""
    return "/parts/transfers?" + urlencode({"tab": "request", "part": part_code, "quantity": str(quantity),
                                             "from": str(from_branch_id)})


# --- who sees what ----------------------------------------------------------------------------------------------


def _visible(actor: User, transfer: Transfer) -> bool:
    return sees_all_branches(actor) or actor.branch_id in (transfer.from_branch_id, transfer.to_branch_id)


def get_transfer(session: Session, actor: User, transfer_id) -> Transfer:
    """A transfer from or to the actor's branch (any, for head office); ``NotFound`` otherwise."""
    require(actor, Permission.VIEW_STOCK_REPORTS)
    try:
        transfer = session.get(Transfer, int(transfer_id))
    except (TypeError, ValueError):
        transfer = None
    if transfer is None or not _visible(actor, transfer):
        raise NotFound("调拨单不存在或无权查看")
    return transfer


def transfer_lines(session: Session, transfer_id: int) -> list[TransferLine]:
    return list(session.exec(select(TransferLine).where(TransferLine.transfer_id == transfer_id)
                             .order_by(TransferLine.position, TransferLine.id)
                             .execution_options(populate_existing=True)).all())


def transfer_steps(session: Session, transfer_id: int) -> list[TransferStep]:
    return list(session.exec(select(TransferStep).where(TransferStep.transfer_id == transfer_id)
                             .order_by(TransferStep.id)).all())


def list_transfers(session: Session, actor: User, tab: str = "transit", limit: int = 100) -> list[Transfer]:
    """待调出 (``pending``), 在途 (``transit``) or 已完成 (``done``: received or cancelled), newest first."""
    require(actor, Permission.VIEW_STOCK_REPORTS)
    statement = (select(Transfer).where(col(Transfer.status).in_(TABS.get(tab, OPEN)))
                 .order_by(col(Transfer.created_at).desc(), col(Transfer.id).desc()).limit(limit))
    if not sees_all_branches(actor):
        statement = statement.where(or_(Transfer.from_branch_id == actor.branch_id,
                                        Transfer.to_branch_id == actor.branch_id))
    return list(session.exec(statement).all())


def allowed_actions(session: Session, actor: User | None, transfer: Transfer) -> list[Action]:
    """The buttons to offer ``actor`` on ``transfer`` now; every service below refuses the rest."""
    if actor is None or not allows(actor, Permission.VIEW_STOCK_REPORTS) or not _visible(actor, transfer):
        return []
    status = S(transfer.status)
    clerk = allows(actor, Permission.MOVE_STOCK)
    actions = [Action.PRINT]
    if status == S.REQUESTED and clerk and actor.branch_id == transfer.from_branch_id:
        actions.append(Action.SHIP)
    if status in OPEN and clerk and actor.branch_id == transfer.to_branch_id:
        actions.append(Action.RECEIVE)
    if status in OPEN and _may_write_off(actor, transfer):
        actions.append(Action.WRITE_OFF)
    if status == S.REQUESTED and clerk:
        actions.append(Action.CANCEL)
    return actions


def _may_write_off(actor: User, transfer: Transfer) -> bool:
    """A manager of the receiving branch (where the shortfall shows), or head office."""
    return allows(actor, Permission.WRITE_OFF_TRANSIT) and (sees_all_branches(actor)
                                                           or actor.branch_id == transfer.to_branch_id)


# --- choices for the form ---------------------------------------------------------------------------------------


def open_branches(session: Session, actor: User) -> list[Branch]:
    require(actor, Permission.VIEW_STOCK_REPORTS)
    return list(session.exec(select(Branch).where(Branch.status == BranchStatus.OPEN).order_by(Branch.id)).all())


def branch_warehouses(session: Session, actor: User, branch_id: int) -> list[Warehouse]:
    """The active warehouses of a branch, for choosing where the goods go (or leave from)."""
    require(actor, Permission.VIEW_STOCK_REPORTS)
    return list(session.exec(select(Warehouse).where(Warehouse.branch_id == branch_id, Warehouse.is_active)
                             .order_by(Warehouse.id)).all())


# --- input ------------------------------------------------------------------------------------------------------


def _warehouse(session: Session, warehouse_id, field: str, branch_id: int | None = None) -> Warehouse:
    try:
        warehouse = session.get(Warehouse, int(warehouse_id))
    except (TypeError, ValueError):
        warehouse = None
    if warehouse is None or not warehouse.is_active or (branch_id is not None and warehouse.branch_id != branch_id):
        raise DomainError("请选择本店的仓库" if branch_id is not None else "请选择仓库", field=field)
    branch = session.get(Branch, warehouse.branch_id)
    if branch.status != BranchStatus.OPEN:
        raise DomainError(f"{branch.name}已停业", field=field)
    return warehouse


def _note(note: str, errors: dict[str, str]) -> str:
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过200字"
    return note


def _parse_lines(session: Session, actor: User, lines: list[LineInput],
                 errors: dict[str, str]) -> list[tuple[Part, Decimal]]:
    """The actor's own active parts with their quantities; messages by ``part_id.N`` / ``quantity.N``."""
    if not lines:
        errors["lines"] = "请至少添加一种配件"
        return []
    if len(lines) > MAX_LINES:
        errors["lines"] = f"一张调拨单最多{MAX_LINES}种配件"
        return []
    return stock.part_lines(session, actor, lines, errors, "part_id")


def _earlier(session: Session, branch_id: int, request_key: str | None) -> Transfer | None:
    if not request_key:
        return None
    return session.exec(select(Transfer).where(Transfer.branch_id == branch_id,
                                               Transfer.request_key == request_key)).first()


def _new_transfer(session: Session, actor: User, **values) -> Transfer:
    transfer = Transfer(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX,
                                                                      local_day(utc_now())),
                        created_by_id=actor.id, **values)
    session.add(transfer)
    session.flush()
    return transfer


# --- making a transfer ------------------------------------------------------------------------------------------


def create_transfer(session: Session, actor: User, from_warehouse_id, to_warehouse_id, lines: list[LineInput],
                    note: str = "", request_key: str | None = None) -> Transfer:
    """调拨 by the sending branch's clerk, shipped at once: within the branch the goods arrive in the same step
    (已完成); to another branch they are in transit (在途) until that branch receives them."""
    require(actor, Permission.MOVE_STOCK)
    earlier = _earlier(session, actor.branch_id, request_key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    source = target = None
    try:
        source = _warehouse(session, from_warehouse_id, "from_warehouse_id", actor.branch_id)
    except DomainError as error:
        errors[error.field] = error.message
    try:
        target = _warehouse(session, to_warehouse_id, "to_warehouse_id")
    except DomainError as error:
        errors[error.field] = error.message
    if source is not None and target is not None and source.id == target.id:
        errors["to_warehouse_id"] = "调出和调入不能是同一个仓库"
    note = _note(note, errors)
    parsed = _parse_lines(session, actor, lines, errors)
    if errors:
        raise FormErrors(errors)
    transfer = _new_transfer(session, actor, from_branch_id=source.branch_id, from_warehouse_id=source.id,
                             to_branch_id=target.branch_id, to_warehouse_id=target.id, note=note,
                             request_key=request_key or None)
    made = []
    for position, (part, quantity) in enumerate(parsed):
        line = TransferLine(transfer_id=transfer.id, position=position, part_code=part.code, requested=quantity)
        session.add(line)
        made.append((line, part, quantity))
    session.flush()
    audit.record(session, actor, "transfer.create", DOCUMENT, transfer.id, branch_id=actor.branch_id,
                 number=transfer.number, from_warehouse_id=source.id, to_warehouse_id=target.id, lines=len(made))
    _ship(session, actor, transfer, source, made, request_key or f"create-{transfer.id}")
    return transfer


def request_transfer(session: Session, actor: User, from_branch_id, to_warehouse_id, lines: list[LineInput],
                     note: str = "", request_key: str | None = None) -> Transfer:
    """调拨申请 by the receiving branch's clerk: parts and quantities asked of a branch with a surplus, which ships
    against it (待调出 on both sides until then)."""
    require(actor, Permission.MOVE_STOCK)
    earlier = _earlier(session, actor.branch_id, request_key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    try:
        source = session.get(Branch, int(from_branch_id))
    except (TypeError, ValueError):
        source = None
    if source is None or source.status != BranchStatus.OPEN:
        errors["from_branch_id"] = "请选择调出门店"
    elif source.id == actor.branch_id:
        errors["from_branch_id"] = "本店仓库之间直接调拨，无需申请"
    target = None
    try:
        target = _warehouse(session, to_warehouse_id, "to_warehouse_id", actor.branch_id)
    except DomainError as error:
        errors[error.field] = error.message
    note = _note(note, errors)
    parsed = _parse_lines(session, actor, lines, errors)
    if errors:
        raise FormErrors(errors)
    transfer = _new_transfer(session, actor, from_branch_id=source.id, to_branch_id=actor.branch_id,
                             to_warehouse_id=target.id, note=note, request_key=request_key or None)
    for position, (part, quantity) in enumerate(parsed):
        session.add(TransferLine(transfer_id=transfer.id, position=position, part_code=part.code,
                                 to_part_id=part.id, requested=quantity))
    session.flush()
    audit.record(session, actor, "transfer.request", DOCUMENT, transfer.id, branch_id=actor.branch_id,
                 number=transfer.number, from_branch_id=source.id, to_warehouse_id=target.id, lines=len(parsed))
    session.flush()
    return transfer


# --- the steps --------------------------------------------------------------------------------------------------


@dataclass
class StepResult:
    transfer: Transfer
    resent: bool = False


def _step_done(session: Session, transfer_id: int, request_key: str) -> bool:
    return session.exec(select(TransferStep.id).where(TransferStep.transfer_id == transfer_id,
                                                      TransferStep.request_key == request_key)).first() is not None


def _compare_and_set(session: Session, transfer: Transfer, expected, **values) -> Transfer:
    """One conditional UPDATE of the transfer while its status is one of ``expected`` (it holds the row for the
    rest of the transaction); the transfer read again. Zero rows: ``DomainError(STALE)``."""
    done = session.execute(update(Transfer).where(Transfer.id == transfer.id,
                                                  col(Transfer.status).in_([S(s) for s in expected]))
                           .values(updated_at=utc_now(), **values).execution_options(synchronize_session=False))
    fresh = session.exec(select(Transfer).where(Transfer.id == transfer.id)
                         .execution_options(populate_existing=True)).one()
    if done.rowcount != 1:
        raise DomainError(STALE)
    return fresh


def _begin_step(session: Session, actor: User, transfer_id, request_key: str, expected,
                doing: str) -> tuple[Transfer, bool]:
    """The transfer held in one of ``expected`` for this step, and whether this request was already done (a
    resend: the caller changes nothing)."""
    if not request_key:
        raise DomainError("请刷新页面后重试")
    transfer = get_transfer(session, actor, transfer_id)
    if _step_done(session, transfer.id, request_key):
        return transfer, True
    if S(transfer.status) not in expected:
        raise DomainError(f"调拨单{transfer.number}{S(transfer.status).label}，不能{doing}")
    transfer = _compare_and_set(session, transfer, expected)
    if _step_done(session, transfer.id, request_key):  # the same request finished while this one waited
        return transfer, True
    return transfer, False


def _record_step(session: Session, actor: User, transfer: Transfer, kind: str, request_key: str,
                 summary: str, value: Decimal = ZERO) -> None:
    session.add(TransferStep(transfer_id=transfer.id, kind=kind, user_id=actor.id, summary=summary[:200],
                             request_key=request_key, value=value))
    session.flush()


def _what(part: Part) -> str:
    return f"{part.name}（{part.code}）"


def _ship(session: Session, actor: User, transfer: Transfer, source: Warehouse,
          lines: list[tuple[TransferLine, Part, Decimal]], request_key: str) -> Transfer:
    """TRANSFER_OUT of each line at the average cost, remembered on the line; within one branch, TRANSFER_IN into
    the other warehouse at that cost at once."""
    document = (DOCUMENT, transfer.id)
    one_step = transfer.from_branch_id == transfer.to_branch_id
    for line, part, quantity in lines:
        move = stock.post_out(session, actor, branch_id=source.branch_id, warehouse_id=source.id, part_id=part.id,
                              quantity=quantity, kind=StockMoveKind.TRANSFER_OUT, document=document,
                              what=_what(part), doing="调出", note=transfer.number)
        line.from_part_id = part.id
        line.shipped = quantity
        line.unit_cost = move.unit_cost
        if one_step:
            stock.post_in(session, actor, branch_id=transfer.to_branch_id, warehouse_id=transfer.to_warehouse_id,
                          part_id=part.id, quantity=quantity, unit_cost=move.unit_cost, document=document,
                          kind=StockMoveKind.TRANSFER_IN, note=transfer.number)
            line.to_part_id = part.id
            line.received = quantity
        session.add(line)
    session.flush()
    now = utc_now()
    values = dict(status=S.RECEIVED if one_step else S.IN_TRANSIT, from_warehouse_id=source.id,
                  shipped_by_id=actor.id, shipped_at=now)
    if one_step:
        values["finished_at"] = now
    transfer = _compare_and_set(session, transfer, [S.REQUESTED], **values)
    summary = "、".join(f"{part.name} ×{stock.qty_text(q)}" for _line, part, q in lines)
    _record_step(session, actor, transfer, "ship", request_key, summary)
    audit.record(session, actor, "transfer.ship", DOCUMENT, transfer.id, branch_id=source.branch_id,
                 number=transfer.number, from_warehouse_id=source.id, to_warehouse_id=transfer.to_warehouse_id,
                 value=sum((q * line.unit_cost for line, _p, q in lines), ZERO).quantize(Decimal("0.01")))
    session.flush()
    return transfer


def _quantities(lines: list[TransferLine], entered: dict, label: str) -> tuple[list[tuple[TransferLine, Decimal]],
                                                                                 dict[str, str]]:
    """The quantities typed per line id (empty or 0: the line is left out), with messages by ``quantity.<id>``."""
    chosen, errors = [], {}
    for line in lines:
        text = str(entered.get(line.id, entered.get(str(line.id), "")) or "").strip()
        if text in ("", "0"):
            continue
        try:
            chosen.append((line, stock.parse_quantity(text)))
        except DomainError as error:
            errors[f"quantity.{line.id}"] = error.message
    if not chosen and not errors:
        errors["lines"] = f"请填写{label}数量"
    return chosen, errors


def ship(session: Session, actor: User, transfer_id, from_warehouse_id, quantities: dict,
         request_key: str = "") -> StepResult:
    """调出 a request: the sending branch's clerk ships the quantities typed per line (default: what was asked)
    from one of its warehouses. Lines left at 0 are not shipped."""
    require(actor, Permission.MOVE_STOCK)
    transfer, resent = _begin_step(session, actor, transfer_id, request_key, [S.REQUESTED], "调出")
    if resent:
        return StepResult(transfer, resent=True)
    if actor.branch_id != transfer.from_branch_id:
        raise DomainError("只有调出门店可以调出")
    errors: dict[str, str] = {}
    source = None
    try:
        source = _warehouse(session, from_warehouse_id, "from_warehouse_id", actor.branch_id)
    except DomainError as error:
        errors[error.field] = error.message
    chosen, more = _quantities(transfer_lines(session, transfer.id), quantities, "调出")
    errors.update(more)
    ready = []
    for line, quantity in chosen:
        part = session.exec(select(Part).where(Part.branch_id == actor.branch_id, Part.code == line.part_code)).first()
        if part is None or not part.is_active:
            errors[f"quantity.{line.id}"] = f"本店没有编码为{line.part_code}的在用配件"
        else:
            ready.append((line, part, quantity))
    if errors:
        raise FormErrors(errors)
    return StepResult(_ship(session, actor, transfer, source, ready, request_key))


def _receiving_part(session: Session, actor: User, transfer: Transfer, line: TransferLine) -> int:
    """The receiving branch's part for the line's code; created from the sender's entry when it has none."""
    if line.to_part_id is not None:
        return line.to_part_id
    where = (Part.branch_id == transfer.to_branch_id, Part.code == line.part_code)
    found = session.exec(select(Part.id).where(*where)).first()
    if found is None:
        sender = session.get(Part, line.from_part_id)
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(Part.__table__).values(
            branch_id=transfer.to_branch_id, code=sender.code, name=sender.name, brand=sender.brand, spec=sender.spec,
            category=sender.category, oe_number=sender.oe_number, unit=sender.unit, sale_price=sender.sale_price,
            cost=sender.cost, is_active=True, created_at=utc_now(),
        ).on_conflict_do_nothing(index_elements=["branch_id", "code"]))
        found = session.exec(select(Part.id).where(*where)).one()
        # The sender's barcodes come along, so the receiving clerk can scan the goods; one the receiving branch
        # already uses for another part stays that part's.
        codes = catalogue.barcodes_of(session, [sender.id]).get(sender.id, [])
        if codes:
            session.execute(dialect.insert(PartBarcode.__table__).values(
                [{"branch_id": transfer.to_branch_id, "part_id": found, "barcode": code} for code in codes],
            ).on_conflict_do_nothing(index_elements=["branch_id", "barcode"]))
        audit.record(session, actor, "part.create_from_transfer", "part", found, branch_id=transfer.to_branch_id,
                     code=sender.code, name=sender.name, transfer=transfer.number, from_part_id=sender.id)
    line.to_part_id = found
    session.add(line)
    session.flush()
    return found


def _raise(session: Session, line: TransferLine, column, quantity: Decimal, part_name: str, doing: str) -> None:
    """received or written off + ``quantity``, only while received + written off stays within shipped."""
    after = func.round(column + quantity, 2)
    other = TransferLine.written_off if column.key == "received" else TransferLine.received
    done = session.execute(update(TransferLine)
                           .where(TransferLine.id == line.id, after + other <= TransferLine.shipped)
                           .values({column.key: after}).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(f"{part_name}可{doing}数量已变化，请刷新后重试", field=f"quantity.{line.id}")


def _check_within(lines: list[tuple[TransferLine, Decimal]], names: dict[int, str], doing: str) -> None:
    errors = {}
    for line, quantity in lines:
        left = in_transit(line)
        if quantity > left:
            errors[f"quantity.{line.id}"] = (
                f"{names[line.id]}调出{stock.qty_text(line.shipped)}，已收{stock.qty_text(line.received)}，"
                f"已报损{stock.qty_text(line.written_off)}，最多还能{doing}{stock.qty_text(left)}")
    if errors:
        raise FormErrors(errors)


def _part_names(session: Session, lines: list[TransferLine]) -> dict[int, str]:
    parts = {p.id: p for p in session.exec(select(Part).where(col(Part.id).in_(
        [line.from_part_id for line in lines if line.from_part_id] or [-1]))).all()}
    return {line.id: parts[line.from_part_id].name if line.from_part_id in parts else line.part_code
            for line in lines}


def _settle_status(session: Session, transfer: Transfer) -> Transfer:
    """部分收货 while anything is on the road, 已完成 once nothing is."""
    done = all(in_transit(line) == 0 for line in transfer_lines(session, transfer.id))
    values = dict(status=S.RECEIVED, finished_at=utc_now()) if done else dict(status=S.PARTLY_RECEIVED)
    return _compare_and_set(session, transfer, OPEN, **values)


def receive(session: Session, actor: User, transfer_id, quantities: dict, request_key: str = "") -> StepResult:
    """收货 by the receiving branch's clerk: any part of what is in transit, per line, into the transfer's
    warehouse at the cost the goods left at."""
    require(actor, Permission.MOVE_STOCK)
    transfer, resent = _begin_step(session, actor, transfer_id, request_key, OPEN, "收货")
    if resent:
        return StepResult(transfer, resent=True)
    if actor.branch_id != transfer.to_branch_id:
        raise DomainError("只有调入门店可以收货")
    lines = transfer_lines(session, transfer.id)
    chosen, errors = _quantities(lines, quantities, "收货")
    if errors:
        raise FormErrors(errors)
    names = _part_names(session, lines)
    _check_within(chosen, names, "收")
    document = (DOCUMENT, transfer.id)
    for line, quantity in chosen:
        _raise(session, line, TransferLine.received, quantity, names[line.id], "收")
        part_id = _receiving_part(session, actor, transfer, line)
        stock.post_in(session, actor, branch_id=transfer.to_branch_id, warehouse_id=transfer.to_warehouse_id,
                      part_id=part_id, quantity=quantity, unit_cost=line.unit_cost, document=document,
                      kind=StockMoveKind.TRANSFER_IN, note=transfer.number)
    transfer = _settle_status(session, transfer)
    _record_step(session, actor, transfer, "receive", request_key,
                 "、".join(f"{names[line.id]} ×{stock.qty_text(q)}" for line, q in chosen))
    audit.record(session, actor, "transfer.receive", DOCUMENT, transfer.id, branch_id=transfer.to_branch_id,
                 number=transfer.number, lines={line.id: q for line, q in chosen}, status=transfer.status)
    session.flush()
    return StepResult(transfer)


def write_off(session: Session, actor: User, transfer_id, quantities: dict, reason: str = "",
              request_key: str = "") -> StepResult:
    """报损 what was lost in transit (a manager of the receiving branch, or head office): recorded on the line at
    the cost it left at; no warehouse stock moves (it never arrived)."""
    require(actor, Permission.WRITE_OFF_TRANSIT)
    transfer, resent = _begin_step(session, actor, transfer_id, request_key, OPEN, "报损")
    if resent:
        return StepResult(transfer, resent=True)
    if not _may_write_off(actor, transfer):
        raise DomainError("只有调入门店的店长可以报损")
    lines = transfer_lines(session, transfer.id)
    chosen, errors = _quantities(lines, quantities, "报损")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写报损原因"
    elif len(reason) > 200:
        errors["reason"] = "报损原因不能超过200字"
    if errors:
        raise FormErrors(errors)
    names = _part_names(session, lines)
    _check_within(chosen, names, "报损")
    for line, quantity in chosen:
        _raise(session, line, TransferLine.written_off, quantity, names[line.id], "报损")
    transfer = _settle_status(session, transfer)
    value = to_fen(sum((q * line.unit_cost for line, q in chosen), ZERO))
    _record_step(session, actor, transfer, "write_off", request_key,
                 "、".join(f"{names[line.id]} ×{stock.qty_text(q)}" for line, q in chosen) + f"（{reason}）", value)
    audit.record(session, actor, "transfer.write_off", DOCUMENT, transfer.id, branch_id=transfer.to_branch_id,
                 number=transfer.number, reason=reason, lines={line.id: q for line, q in chosen}, value=value)
    session.flush()
    return StepResult(transfer)


def cancel(session: Session, actor: User, transfer_id, request_key: str = "") -> StepResult:
    """取消 a transfer not yet shipped (a clerk of either branch)."""
    require(actor, Permission.MOVE_STOCK)
    transfer, resent = _begin_step(session, actor, transfer_id, request_key, [S.REQUESTED], "取消")
    if resent:
        return StepResult(transfer, resent=True)
    transfer = _compare_and_set(session, transfer, [S.REQUESTED], status=S.CANCELLED, finished_at=utc_now())
    _record_step(session, actor, transfer, "cancel", request_key, "")
    audit.record(session, actor, "transfer.cancel", DOCUMENT, transfer.id, branch_id=actor.branch_id,
                 number=transfer.number)
    session.flush()
    return StepResult(transfer)
