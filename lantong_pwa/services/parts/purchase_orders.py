"""Purchase orders (进货单, P2): their lines, their life, what is in transit, and the supplier's read-only link.

    draft ──(submit, total ≤ the branch's approval amount)──▶ approved
    draft ──(a manager approves, total above it: a clerk's order by a manager, a manager's by themselves)──▶ approved
    approved ──(place with the supplier)──▶ ordered ──(receipts)──▶ partly_received ──▶ received
    approved / ordered (nothing received) ──(back to draft, to edit)──▶ draft
    ordered / partly_received ──(close: what is still out is cancelled)──▶ closed
    draft / approved / ordered (nothing received) ──(cancel)──▶ cancelled

Lines change only in 草稿. Every status change, and every line edit, is one conditional ``UPDATE … WHERE id = :id AND
status IN (:expected)`` with its row count checked (as services/workshop/order_status.py does for work orders): zero
rows means someone else moved the order first, and the request is refused with ``STALE`` and changes nothing.

In transit (在途) = ordered − received − cancelled, over the lines of orders that are ordered or partly received.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.parts import catalogue, suppliers
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_date, parse_decimal, to_fen, to_hundredths
from lantong_pwa.services.platform.permissions import Permission, allows, require, require_branch, row_in_branch
from lantong_pwa.timezone import local_day
from models import (
    IN_TRANSIT_STATUSES,
    Branch,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Supplier,
    SupplierPart,
    User,
    Warehouse,
)
from models.common import utc_now

S = PurchaseOrderStatus
PREFIX = "CG"
STALE = "单据状态已变化，请刷新后重试"
ZERO = Decimal("0.00")
MAX_QUANTITY = Decimal(99999)
MAX_PRICE = Decimal("9999999.99")
# Orders that still stand for goods to come: what the purchase plan nets out (drafts too, so a shortfall turned into
# an order is never suggested again while the order is being written).
OPEN_STATUSES = (S.DRAFT, S.APPROVED, S.ORDERED, S.PARTLY_RECEIVED)
RECEIVABLE = IN_TRANSIT_STATUSES
FINISHED = (S.RECEIVED, S.CLOSED, S.CANCELLED)


class Action(StrEnum):
    EDIT = "edit"  # change lines, supplier, warehouse, date, note
    SUBMIT = "submit"  # 提交: approved at once up to the branch's amount
    APPROVE = "approve"  # 审核通过 (a manager, above the amount)
    BACK_TO_DRAFT = "back_to_draft"  # 退回草稿
    PLACE = "place"  # 下单
    RECEIVE = "receive"  # 收货
    CLOSE = "close"  # 关闭 (the rest is cancelled)
    CANCEL = "cancel"  # 作废
    PRINT = "print"
    SHARE = "share"  # the supplier's link

    @property
    def label(self) -> str:
        return {"edit": "编辑", "submit": "提交", "approve": "审核通过", "back_to_draft": "退回草稿",
                "place": "确认下单", "receive": "收货", "close": "关闭", "cancel": "作废", "print": "打印",
                "share": "供应商链接"}[self.value]


# --- reading ----------------------------------------------------------------------------------------------------


def get_order(session: Session, actor: User, order_id) -> PurchaseOrder:
    return by_id(session, actor, PurchaseOrder, order_id, "采购单不存在")


def order_lines(session: Session, order_id: int) -> list[PurchaseOrderLine]:
    return list(session.exec(select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == order_id)
                             .order_by(PurchaseOrderLine.position, PurchaseOrderLine.id)
                             .execution_options(populate_existing=True)).all())


def outstanding(line: PurchaseOrderLine) -> Decimal:
    """What is still to come on a line: ordered − received − cancelled, never below zero."""
    return max(line.quantity - line.received_quantity - line.cancelled_quantity, ZERO)


def needs_approval(session: Session, order: PurchaseOrder) -> bool:
    branch = session.get(Branch, order.branch_id)
    return order.total > branch.purchase_approval_amount


def list_orders(session: Session, actor: User, status: str = "", supplier_id: int | None = None,
                limit: int = 100) -> list[tuple[PurchaseOrder, Supplier]]:
    require(actor, Permission.PURCHASE)
    statement = (select(PurchaseOrder, Supplier).join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
                 .where(PurchaseOrder.branch_id == actor.branch_id)
                 .order_by(col(PurchaseOrder.created_at).desc(), col(PurchaseOrder.id).desc()).limit(limit))
    if status == "open":
        statement = statement.where(col(PurchaseOrder.status).in_(OPEN_STATUSES))
    elif status:
        try:
            statement = statement.where(PurchaseOrder.status == S(status))
        except ValueError:
            pass
    if supplier_id:
        statement = statement.where(PurchaseOrder.supplier_id == supplier_id)
    return list(session.exec(statement).all())


# --- in transit -------------------------------------------------------------------------------------------------


def _quantities(session: Session, branch_id: int, part_ids: Iterable[int] | None, statuses) -> dict:
    remaining = PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity \
        - PurchaseOrderLine.cancelled_quantity
    statement = (select(PurchaseOrderLine.part_id, PurchaseOrder.warehouse_id, func.sum(remaining))
                 .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                 .where(PurchaseOrder.branch_id == branch_id, col(PurchaseOrder.status).in_(list(statuses)),
                        remaining > 0)
                 .group_by(PurchaseOrderLine.part_id, PurchaseOrder.warehouse_id))
    if part_ids is not None:
        statement = statement.where(col(PurchaseOrderLine.part_id).in_(list(part_ids) or [-1]))
    found: dict[tuple[int, int], Decimal] = {}
    for part_id, warehouse_id, quantity in session.execute(statement).all():
        found[(part_id, warehouse_id)] = to_hundredths(Decimal(str(quantity)))
    return found


def in_transit_by_warehouse(session: Session, branch_id: int,
                            part_ids: Iterable[int] | None = None) -> dict[tuple[int, int], Decimal]:
    """(part, warehouse the order expects it in) → in transit (在途)."""
    return _quantities(session, branch_id, part_ids, IN_TRANSIT_STATUSES)


def in_transit(session: Session, branch_id: int, part_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """part → in transit (在途): ordered − received − cancelled over orders ordered or partly received. Parts with
    nothing in transit are left out."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (part_id, _warehouse), quantity in in_transit_by_warehouse(session, branch_id, part_ids).items():
        totals[part_id] += quantity
    return dict(totals)


def on_order(session: Session, branch_id: int, part_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """part → what open orders (drafts and approved ones too) will still bring: the purchase plan nets this out."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (part_id, _warehouse), quantity in _quantities(session, branch_id, part_ids, OPEN_STATUSES).items():
        totals[part_id] += quantity
    return dict(totals)


# --- what a person may do ---------------------------------------------------------------------------------------


def allowed_actions(session: Session, actor: User | None, order: PurchaseOrder) -> list[Action]:
    """The buttons to offer ``actor`` on ``order`` now; every service below refuses the rest."""
    if actor is None or not allows(actor, Permission.VIEW_PARTS):
        return []
    try:
        require_branch(actor, order.branch_id)
    except NotFound:
        return []
    status = S(order.status)
    purchase = allows(actor, Permission.PURCHASE)
    actions: list[Action] = [Action.PRINT]
    received = any(line.received_quantity > 0 for line in order_lines(session, order.id))
    if status == S.DRAFT:
        if purchase:
            actions.append(Action.EDIT)
            if not needs_approval(session, order):
                actions.append(Action.SUBMIT)
        if needs_approval(session, order) and _may_approve(actor, order):
            actions.append(Action.APPROVE)
    if purchase and status == S.APPROVED:
        actions.append(Action.PLACE)
    if purchase and (status == S.APPROVED or (status == S.ORDERED and not received)):
        actions.append(Action.BACK_TO_DRAFT)
    if status in RECEIVABLE and allows(actor, Permission.MOVE_STOCK):
        actions.append(Action.RECEIVE)
    if purchase and status in RECEIVABLE:
        actions.append(Action.CLOSE)
    if purchase and (status in (S.DRAFT, S.APPROVED) or (status == S.ORDERED and not received)):
        actions.append(Action.CANCEL)
    if purchase and status not in (S.DRAFT, S.CANCELLED):
        actions.append(Action.SHARE)
    return actions


def _may_approve(actor: User, _order: PurchaseOrder) -> bool:
    """The approval amount puts a manager's eyes on an order: a manager's own order has them already (a branch
    often has one manager), so only clerks' orders wait for someone else."""
    return allows(actor, Permission.APPROVE_PURCHASES)


# --- compare-and-set --------------------------------------------------------------------------------------------


def _compare_and_set(session: Session, order: PurchaseOrder, expected: Iterable[S], **values) -> PurchaseOrder:
    """One conditional UPDATE of the order while its status is one of ``expected``; the order read again after it.
    Zero rows: ``DomainError(STALE)``."""
    done = session.execute(update(PurchaseOrder)
                           .where(PurchaseOrder.id == order.id,
                                  col(PurchaseOrder.status).in_([S(s) for s in expected]))
                           .values(updated_at=utc_now(), **values)
                           .execution_options(synchronize_session=False))
    fresh = session.exec(select(PurchaseOrder).where(PurchaseOrder.id == order.id)
                         .execution_options(populate_existing=True)).one()
    if done.rowcount != 1:
        raise DomainError(STALE)
    return fresh


def guard(session: Session, order: PurchaseOrder, allowed: Iterable[S], doing: str) -> PurchaseOrder:
    """Refuse (naming ``doing``) unless the order is in one of ``allowed``, then hold it there for the rest of the
    transaction. Call it before changing anything else."""
    allowed = tuple(allowed)
    if S(order.status) not in allowed:
        raise DomainError(f"采购单{order.number}{S(order.status).label}，不能{doing}")
    return _compare_and_set(session, order, allowed)


def _move(session: Session, actor: User | None, order: PurchaseOrder, expected: Iterable[S], to: S, doing: str,
          **values) -> PurchaseOrder:
    expected = tuple(expected)
    before = S(order.status)
    if before not in expected:
        raise DomainError(f"采购单{order.number}{before.label}，不能{doing}")
    fresh = _compare_and_set(session, order, [before], status=to, **values)
    audit.record(session, actor, "purchase_order.status", "purchase_order", fresh.id, branch_id=fresh.branch_id,
                 before=before.value, after=to.value)
    session.flush()
    return fresh


# --- input ------------------------------------------------------------------------------------------------------


@dataclass
class LineInput:
    part_id: int | str
    quantity: str | Decimal
    unit_price: str | Decimal | None = None  # None: the supplier's offer, else the part's cost


def parse_quantity(text, field: str = "quantity") -> Decimal:
    quantity = to_hundredths(parse_decimal(text, field, "数量", maximum=MAX_QUANTITY))
    if quantity <= 0:
        raise DomainError("数量应大于0", field=field)
    return quantity


def parse_price(text, field: str = "unit_price") -> Decimal:
    return to_fen(parse_decimal(text, field, "单价", maximum=MAX_PRICE))


def _own(session: Session, actor: User, model, row_id):
    """The row of the actor's branch with that id (as typed or forged), or None."""
    try:
        row = session.get(model, int(row_id))
    except (TypeError, ValueError):
        return None
    return row if row is not None and row.branch_id == actor.branch_id else None


def by_id(session: Session, actor: User, model, row_id, missing: str):
    """A document by its id (as typed or forged) in a branch the actor may see; ``NotFound(missing)`` otherwise."""
    require(actor, Permission.VIEW_PARTS)
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        raise NotFound(missing) from None
    return row_in_branch(session, actor, model, row_id, missing)


def supplier_in_branch(session: Session, actor: User, supplier_id, field: str = "supplier_id") -> Supplier:
    supplier = _own(session, actor, Supplier, supplier_id)
    if supplier is None:
        raise DomainError("请选择供应商", field=field)
    if not suppliers.is_usable(supplier):
        raise DomainError(f"供应商{supplier.name}已停用", field=field)
    return supplier


def warehouse_in_branch(session: Session, actor: User, warehouse_id, field: str = "warehouse_id") -> Warehouse:
    warehouse = _own(session, actor, Warehouse, warehouse_id)
    if warehouse is None or not warehouse.is_active:
        raise DomainError("请选择本店的仓库", field=field)
    return warehouse


def orderable_part(session: Session, actor: User, part_id, field: str = "part_id") -> Part:
    part = _own(session, actor, Part, part_id)
    if part is None:
        raise DomainError("请选择配件目录中的配件", field=field)
    if not catalogue.is_orderable(part):
        raise DomainError(f"{part.name}（{part.code}）已停用，不能采购", field=field)
    return part


def offer_price(session: Session, supplier_id: int, part: Part) -> Decimal:
    offer = session.exec(select(SupplierPart).where(SupplierPart.supplier_id == supplier_id,
                                                    SupplierPart.part_id == part.id)).first()
    return offer.price if offer is not None else part.cost


def _parse_lines(session: Session, actor: User, supplier: Supplier | None,
                 lines: list[LineInput]) -> list[tuple[Part, Decimal, Decimal]]:
    errors: dict[str, str] = {}
    parsed = []
    if not lines:
        raise DomainError("请至少添加一种配件", field="lines")
    seen: set[int] = set()
    for index, line in enumerate(lines):
        try:
            part = orderable_part(session, actor, line.part_id, f"part_id.{index}")
            if part.id in seen:
                raise DomainError(f"{part.name}重复，请合并为一行", field=f"part_id.{index}")
            seen.add(part.id)
        except DomainError as error:
            errors[error.field] = error.message
            continue
        try:
            quantity = parse_quantity(line.quantity, f"quantity.{index}")
        except DomainError as error:
            errors[error.field] = error.message
            continue
        try:
            if line.unit_price is None or str(line.unit_price).strip() == "":
                price = offer_price(session, supplier.id, part) if supplier is not None else part.cost
            else:
                price = parse_price(line.unit_price, f"unit_price.{index}")
        except DomainError as error:
            errors[error.field] = error.message
            continue
        parsed.append((part, quantity, price))
    if errors:
        raise FormErrors(errors)
    return parsed


def _write_lines(session: Session, order: PurchaseOrder, parsed: list[tuple[Part, Decimal, Decimal]]) -> Decimal:
    for old in order_lines(session, order.id):
        session.delete(old)
    session.flush()
    total = ZERO
    for position, (part, quantity, price) in enumerate(parsed):
        session.add(PurchaseOrderLine(branch_id=order.branch_id, purchase_order_id=order.id, position=position,
                                      part_id=part.id, quantity=quantity, unit_price=price))
        total += to_fen(quantity * price)
    session.flush()
    return total


def _expected_on(text) -> date | None:
    if text is None or text == "":
        return None
    return parse_date(text, "expected_on", "预计到货日期")


def _note(text) -> str:
    note = (text or "").strip()
    if len(note) > 200:
        raise DomainError("备注不能超过200字", field="note")
    return note


def _read_form(session: Session, actor: User, supplier_id, warehouse_id, lines: list[LineInput], expected_on,
               note) -> tuple[Supplier, Warehouse, date | None, str, list[tuple[Part, Decimal, Decimal]]]:
    """An order's form read whole: every wrong field at once (``FormErrors``), or its values."""
    errors: dict[str, str] = {}
    supplier = warehouse = expected = None
    try:
        supplier = supplier_in_branch(session, actor, supplier_id)
    except DomainError as error:
        errors["supplier_id"] = error.message
    try:
        warehouse = warehouse_in_branch(session, actor, warehouse_id)
    except DomainError as error:
        errors["warehouse_id"] = error.message
    try:
        expected = expected_on if isinstance(expected_on, date) else _expected_on(expected_on)
        note = _note(note)
    except DomainError as error:
        errors[error.field] = error.message
    try:
        parsed = _parse_lines(session, actor, supplier, lines)
    except FormErrors as error:
        errors.update(error.errors)
    except DomainError as error:
        errors[error.field or "lines"] = error.message
    if errors:
        raise FormErrors(errors)
    return supplier, warehouse, expected, note, parsed


def new_share_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, unguessable


# --- writing ----------------------------------------------------------------------------------------------------


def create_order(session: Session, actor: User, supplier_id, warehouse_id, lines: list[LineInput],
                 expected_on=None, note: str = "", request_key: str | None = None) -> PurchaseOrder:
    """A new order in 草稿. A resent request (same ``request_key``) returns the order the first one made."""
    require(actor, Permission.PURCHASE)
    earlier = _earlier(session, actor.branch_id, request_key)
    if earlier is not None:
        return earlier
    supplier, warehouse, expected, note, parsed = _read_form(session, actor, supplier_id, warehouse_id, lines,
                                                             expected_on, note)
    now = utc_now()
    order = PurchaseOrder(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX,
                                                                        local_day(now)),
                          supplier_id=supplier.id, warehouse_id=warehouse.id, expected_on=expected, note=note,
                          share_token=new_share_token(), created_by_id=actor.id, request_key=request_key or None)
    session.add(order)
    session.flush()
    order.total = _write_lines(session, order, parsed)
    session.add(order)
    audit.record(session, actor, "purchase_order.create", "purchase_order", order.id, branch_id=order.branch_id,
                 number=order.number, supplier_id=supplier.id, total=order.total)
    session.flush()
    return order


def _earlier(session: Session, branch_id: int, request_key: str | None) -> PurchaseOrder | None:
    if not request_key:
        return None
    return session.exec(select(PurchaseOrder).where(PurchaseOrder.branch_id == branch_id,
                                                    PurchaseOrder.request_key == request_key)).first()


def update_order(session: Session, actor: User, order_id, lines: list[LineInput], supplier_id=None,
                 warehouse_id=None, expected_on=None, note: str | None = None) -> PurchaseOrder:
    """Rewrite a 草稿's lines (and supplier, warehouse, expected date, note). Refused once approved: go back to 草稿
    first."""
    require(actor, Permission.PURCHASE)
    order = guard(session, get_order(session, actor, order_id), [S.DRAFT], "修改（已审核的单据请先退回草稿）")
    supplier, warehouse, expected, note, parsed = _read_form(
        session, actor, order.supplier_id if supplier_id in (None, "") else supplier_id,
        order.warehouse_id if warehouse_id in (None, "") else warehouse_id, lines,
        order.expected_on if expected_on is None else expected_on, order.note if note is None else note)
    order.supplier_id = supplier.id
    order.warehouse_id = warehouse.id
    order.expected_on = expected
    order.note = note
    order.total = _write_lines(session, order, parsed)
    session.add(order)
    audit.record(session, actor, "purchase_order.edit", "purchase_order", order.id, branch_id=order.branch_id,
                 supplier_id=order.supplier_id, total=order.total, lines=len(parsed))
    session.flush()
    return order


def submit(session: Session, actor: User, order_id) -> PurchaseOrder:
    """提交: up to the branch's approval amount the order is approved at once; above it a manager approves."""
    require(actor, Permission.PURCHASE)
    order = get_order(session, actor, order_id)
    if S(order.status) == S.DRAFT and needs_approval(session, order):
        amount = session.get(Branch, order.branch_id).purchase_approval_amount
        raise DomainError(f"采购单{order.number}金额¥{order.total}超过审批额度¥{amount}，需店长审核")
    if not order_lines(session, order.id):
        raise DomainError("采购单没有配件，不能提交")
    return _move(session, actor, order, [S.DRAFT], S.APPROVED, "提交", approved_at=utc_now(),
                 approved_by_id=None)


def approve(session: Session, actor: User, order_id) -> PurchaseOrder:
    """审核通过 by a manager (APPROVE_PURCHASES; see ``_may_approve``)."""
    require(actor, Permission.APPROVE_PURCHASES)
    order = get_order(session, actor, order_id)
    if not order_lines(session, order.id):
        raise DomainError("采购单没有配件，不能审核")
    return _move(session, actor, order, [S.DRAFT], S.APPROVED, "审核", approved_at=utc_now(),
                 approved_by_id=actor.id)


def place(session: Session, actor: User, order_id) -> PurchaseOrder:
    """确认下单: sent to the supplier; from now on it is in transit."""
    require(actor, Permission.PURCHASE)
    order = get_order(session, actor, order_id)
    return _move(session, actor, order, [S.APPROVED], S.ORDERED, "下单（请先提交审核）", ordered_at=utc_now())


def _nothing_received(session: Session, order: PurchaseOrder, doing: str) -> None:
    if any(line.received_quantity > 0 for line in order_lines(session, order.id)):
        raise DomainError(f"采购单{order.number}已有到货，不能{doing}；可以关闭，未到的数量作废")


def back_to_draft(session: Session, actor: User, order_id) -> PurchaseOrder:
    """退回草稿 to edit an approved (or ordered, nothing received) order; it must be approved again."""
    require(actor, Permission.PURCHASE)
    order = get_order(session, actor, order_id)
    order = guard(session, order, [S.APPROVED, S.ORDERED], "退回草稿")
    _nothing_received(session, order, "退回草稿")
    return _move(session, actor, order, [S.APPROVED, S.ORDERED], S.DRAFT, "退回草稿", approved_at=None,
                 approved_by_id=None, ordered_at=None)


def cancel(session: Session, actor: User, order_id) -> PurchaseOrder:
    """作废, before anything is received."""
    require(actor, Permission.PURCHASE)
    order = get_order(session, actor, order_id)
    order = guard(session, order, [S.DRAFT, S.APPROVED, S.ORDERED], "作废")
    _nothing_received(session, order, "作废")
    return _move(session, actor, order, [S.DRAFT, S.APPROVED, S.ORDERED], S.CANCELLED, "作废",
                 finished_at=utc_now())


def close(session: Session, actor: User, order_id) -> PurchaseOrder:
    """关闭: what has not come is cancelled (no longer in transit); what came stays."""
    require(actor, Permission.PURCHASE)
    order = get_order(session, actor, order_id)
    order = _move(session, actor, order, RECEIVABLE, S.CLOSED, "关闭", finished_at=utc_now())
    for line in order_lines(session, order.id):
        rest = outstanding(line)
        if rest > 0:
            line.cancelled_quantity = line.cancelled_quantity + rest
            session.add(line)
    audit.record(session, actor, "purchase_order.close", "purchase_order", order.id, branch_id=order.branch_id)
    session.flush()
    return order


def after_receipt(session: Session, actor: User, order: PurchaseOrder) -> PurchaseOrder:
    """The order's status after goods came in (the caller holds it with ``guard``): 已到货 once every line is in,
    else 部分到货."""
    lines = order_lines(session, order.id)
    done = all(line.received_quantity + line.cancelled_quantity >= line.quantity for line in lines)
    to = S.RECEIVED if done else S.PARTLY_RECEIVED
    if S(order.status) == to:
        return order
    return _move(session, actor, order, RECEIVABLE, to, "收货", **({"finished_at": utc_now()} if done else {}))


# --- the supplier's link ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicOrder:
    order: PurchaseOrder
    branch: Branch
    supplier: Supplier
    warehouse: Warehouse
    lines: list[tuple[PurchaseOrderLine, Part]]


def read_for_print(session: Session, order: PurchaseOrder) -> PublicOrder:
    lines = [(line, session.get(Part, line.part_id)) for line in order_lines(session, order.id)]
    return PublicOrder(order=order, branch=session.get(Branch, order.branch_id),
                       supplier=session.get(Supplier, order.supplier_id),
                       warehouse=session.get(Warehouse, order.warehouse_id), lines=lines)


def printable(session: Session, actor: User, order_id) -> PublicOrder:
    return read_for_print(session, get_order(session, actor, order_id))


def public_order(session: Session, token: str) -> PublicOrder:
    """What the supplier's link ``/po/<token>`` shows, with no account: the order once approved (a draft is not
    theirs to see yet)."""
    token = (token or "").strip()
    if not token or len(token) > 40:
        raise NotFound("链接无效")
    order = session.exec(select(PurchaseOrder).where(PurchaseOrder.share_token == token)).first()
    if order is None or S(order.status) == S.DRAFT:
        raise NotFound("链接无效或采购单尚未确认")
    return read_for_print(session, order)


def share_path(order: PurchaseOrder) -> str:
    return f"/po/{order.share_token}"
