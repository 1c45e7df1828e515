"""Buying parts on a phone (issue 15): the purchase plan and the order list (``/purchasing``), one purchase order
with the actions it allows (``/purchasing/orders/<id>``), receiving it by scanning (``…/receive``), a goods receipt
with its purchase returns (``/purchasing/receipts/<id>``), the printable order (``…/print``) and the supplier's
read-only link (``/po/<token>``, no account).

Each handler checks the person on the server through its service; the forms carry a request key (a hidden input) so
a double tap or a resend posts once.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx
from sqlmodel import col, select

from lantong_pwa.settings import get_settings
from lantong_pwa.errors import DomainError
from lantong_pwa.services.parts import parts, purchase_orders, purchase_plan, purchase_returns, receiving
from lantong_pwa.services.parts.purchase_orders import Action, LineInput
from lantong_pwa.services.parts.purchase_plan import PlanLine
from lantong_pwa.services.parts.purchase_returns import ReturnLineInput
from lantong_pwa.services.parts.receiving import ReceiptForm, ReceiptLineInput
from lantong_pwa.services.platform.permissions import Permission, allows, require
from lantong_pwa.timezone import format_local
from models import GoodsReceipt, Part, PurchaseOrderStatus, Supplier, User, Warehouse
from state.platform.off_loop import run_in_read
from state.platform.session import SessionState, new_request_key
from state.platform.views import letterhead, money, quantity

ORDER_ARG = "po_id"
RECEIPT_ARG = "receipt_id"
STATUS_COLOURS = {"draft": "gray", "approved": "blue", "ordered": "orange", "partly_received": "amber",
                  "received": "green", "closed": "gray", "cancelled": "red"}


@dataclasses.dataclass
class Choice:
    id: str = ""
    label: str = ""


@dataclasses.dataclass
class PlanRow:
    part_id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    figures: str = ""  # "库存 2 · 在途 3 · 工单待领 5"
    reasons: str = ""
    quantity: str = ""
    supplier_id: str = ""
    supplier_reason: str = ""
    suppliers: list[Choice] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class OrderRow:
    id: int = 0
    number: str = ""
    supplier: str = ""
    status: str = ""
    status_value: str = ""
    total: str = ""
    created: str = ""
    url: str = ""


@dataclasses.dataclass
class ReceiptRow:
    id: int = 0
    number: str = ""
    supplier: str = ""
    total: str = ""
    created: str = ""
    url: str = ""


def _order_rows(rows) -> list[OrderRow]:
    return [OrderRow(id=o.id, number=o.number, supplier=s.name, status=PurchaseOrderStatus(o.status).label,
                     status_value=PurchaseOrderStatus(o.status).value, total=money(o.total),
                     created=format_local(o.created_at, "%m-%d %H:%M"), url=f"/purchasing/orders/{o.id}")
            for o, s in rows]


async def _open_page(state, arg: str, permission: Permission):
    """A document page's load: the person checked and the document read in one read (``state._load``); a refusal
    sends them away, a missing document leaves the page empty with the message."""
    raw = state.router.page.params.get(arg, "")
    shown = await state._in_read(lambda db, actor: state._load(db, actor, raw), page=permission)
    if shown.redirect is not None:
        return shown.redirect
    if not shown.ok:
        state._reset()
        state.error = shown.error.message
    return None


async def _search_parts(state, form: dict) -> tuple[list[Choice], dict[str, str]]:
    """Parts to add (a purchaser's search by code, name or barcode): the choices, or the message for the box."""
    found = await state._in_read(lambda db, actor: [
        Choice(id=str(p.id), label=f"{p.name}（{p.code}）")
        for p in parts.search_parts(db, require(actor, Permission.PURCHASE), form.get("part_query", ""))])
    if not found.ok:
        return [], {"part_query": found.error.message}
    return found.value, {} if found.value else {"part_query": "没有找到匹配的配件"}


async def _reread(state, doc_id: int) -> None:
    """Read the page's document again after a change (a failure shows above the page)."""
    shown = await state._in_read(lambda db, actor: state._load(db, actor, doc_id))
    if not shown.ok:
        state.error = shown.error.message


def _by_line(errors: dict[str, str], ids: list[int]) -> dict[str, str]:
    """A service's messages keyed by the position of the lines sent (``quantity.0``), re-keyed by line id."""
    found = {}
    for name, message in errors.items():
        field, _, index = name.partition(".")
        found[f"{field}.{ids[int(index)]}" if index.isdigit() and int(index) < len(ids) else name] = message
    return found


def _supplier_choices(db, actor: User) -> list[Choice]:
    return [Choice(id=str(s.id), label=s.name) for s in db.exec(
        select(Supplier).where(Supplier.branch_id == actor.branch_id, Supplier.is_active).order_by(Supplier.code))]


class PurchasingState(SessionState):
    """``/purchasing``: 采购计划 (build, edit quantities and suppliers, turn into orders), 采购单, 入库单."""

    tab: str = "plan"
    error: str = ""
    plan: list[PlanRow] = []
    plan_built: bool = False
    plan_errors: dict[str, str] = {}
    plan_key: str = ""
    orders: list[OrderRow] = []
    status_filter: str = "open"
    receipts: list[ReceiptRow] = []
    # 无单入库 (a counter purchase): the parts clerk's receipt without an order, from a supplier.
    can_receive: bool = False
    suppliers: list[Choice] = []
    warehouses: list[Choice] = []
    counter_choices: list[Choice] = []
    counter_lines: list[Choice] = []  # the parts chosen (id = part id)
    counter_errors: dict[str, str] = {}
    counter_key: str = ""

    def _plan_rows(self, db, actor: User) -> list[PlanRow]:
        plan = purchase_plan.build(db, actor)  # checks the person first
        suppliers = _supplier_choices(db, actor)
        rows = []
        for s in plan:
            figures = [f"库存 {quantity(s.on_hand)}", f"在途 {quantity(s.in_transit)}"]
            if s.on_order > s.in_transit:
                figures.append(f"草稿/待下单 {quantity(s.on_order - s.in_transit)}")
            if s.demand:
                figures.append(f"工单待领 {quantity(s.demand)}")
            offered = {o.supplier_id: o for o in s.offers}
            choices = [Choice(id=c.id, label=c.label + (f" ¥{offered[int(c.id)].price}" if int(c.id) in offered
                                                        else "")) for c in suppliers]
            rows.append(PlanRow(part_id=s.part.id, code=s.part.code, name=s.part.name, unit=s.part.unit,
                                figures=" · ".join(figures), reasons="；".join(s.reasons),
                                quantity=quantity(s.quantity), supplier_id=str(s.supplier_id or ""),
                                supplier_reason=s.supplier_reason, suppliers=choices))
        return rows

    def _load(self, db, actor: User) -> None:
        self.plan = self._plan_rows(db, actor)
        self.plan_built = True
        self.orders = _order_rows(purchase_orders.list_orders(db, actor, self.status_filter))
        self.receipts = [ReceiptRow(id=r.id, number=r.number, supplier=s.name, total=money(r.total),
                                    created=format_local(r.created_at, "%m-%d %H:%M"),
                                    url=f"/purchasing/receipts/{r.id}")
                         for r, s in receiving.recent_receipts(db, actor)]
        self.can_receive = allows(actor, Permission.MOVE_STOCK)
        self.suppliers = _supplier_choices(db, actor)
        self.warehouses = [Choice(id=str(w.id), label=w.name) for w in db.exec(
            select(Warehouse).where(Warehouse.branch_id == actor.branch_id, Warehouse.is_active)
            .order_by(Warehouse.id))]

    @rx.event
    async def load(self):
        self.error = ""
        self.plan_errors = {}
        self.plan_key = new_request_key()
        self.counter_key = new_request_key()
        self.counter_errors = {}
        shown = await self._in_read(self._load, page=Permission.PURCHASE)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
        return None

    @rx.event
    def set_tab(self, tab: str):
        if tab in ("plan", "orders", "receipts"):
            self.tab = tab

    @rx.event
    async def build_plan(self):
        """采购计划 again (after someone ordered, received or picked)."""
        self.plan_errors = {}
        shown = await self._in_read(self._plan_rows)
        if not shown.ok:
            self.error = shown.error.message
            return
        self.error = ""
        self.plan = shown.value
        self.plan_built = True
        self.plan_key = new_request_key()

    @rx.event
    async def filter_orders(self, status: str):
        shown = await self._in_read(lambda db, actor: _order_rows(purchase_orders.list_orders(db, actor, status)))
        if not shown.ok:
            self.error = shown.error.message
            return
        self.status_filter = status
        self.orders = shown.value

    @rx.event
    async def create_orders(self, form: dict):
        """生成采购单: each kept line (quantity above 0) with its supplier, one draft per supplier."""
        self.plan_errors = {}
        key = form.get("request_key") or self.plan_key
        if key != self.plan_key:
            return None  # the second tap of a double tap: its orders were made and the plan shown again
        lines = [PlanLine(part_id=row.part_id, supplier_id=form.get(f"supplier_id.{row.part_id}", row.supplier_id),
                          quantity=form.get(f"quantity.{row.part_id}", row.quantity)) for row in self.plan]
        made = await self._in_unit(lambda db, actor: [
            (o.id, o.number) for o in purchase_plan.create_orders(db, actor, lines, key)])
        if not made.ok:
            self.plan_errors = made.field_errors
            return rx.toast.error(made.error.message)
        shown = await self._in_read(self._load)
        if shown.ok:
            self.plan_key = new_request_key()
        self.tab = "orders"
        return rx.toast.success("已生成采购单：" + "、".join(number for _id, number in made.value))


    @rx.event
    async def search_counter_parts(self, form: dict):
        self.counter_choices, self.counter_errors = await _search_parts(self, form)

    @rx.event
    def add_counter_part(self, part_id: str):
        """Take a part from the search results on screen (the receipt itself checks it again)."""
        chosen = next((c for c in self.counter_choices if c.id == part_id), None)
        if chosen is not None and all(line.id != part_id for line in self.counter_lines):
            self.counter_lines = [*self.counter_lines, chosen]
        self.counter_choices = []

    @rx.event
    def remove_counter_part(self, part_id: str):
        self.counter_lines = [line for line in self.counter_lines if line.id != part_id]

    @rx.event
    async def counter_receive(self, form: dict):
        """确认入库 without an order: supplier, warehouse, each part's quantity and price, freight."""
        self.counter_errors = {}
        key = form.get("request_key") or self.counter_key
        if key != self.counter_key:
            return None  # the second tap of a double tap: already received
        ids = [int(line.id) for line in self.counter_lines]
        entries = [ReceiptLineInput(part_id=part_id, quantity=form.get(f"quantity.{part_id}", ""),
                                    unit_price=form.get(f"unit_price.{part_id}", ""),
                                    price_reason=form.get(f"price_reason.{part_id}", "")) for part_id in ids]
        received = await self._in_unit(lambda db, actor: receiving.receive(db, actor, ReceiptForm(
            lines=entries, supplier_id=form.get("supplier_id", ""), warehouse_id=form.get("warehouse_id", ""),
            freight=form.get("freight", "0"), note=form.get("note", ""), request_key=key)))
        if not received.ok:
            self.counter_errors = _by_line(received.field_errors, ids)
            return rx.toast.error(received.error.message)
        receipt = received.value.receipt
        self.counter_lines = []
        self.counter_key = new_request_key()
        await self._in_read(self._load)
        return rx.toast.success(f"已入库：{receipt.number} · {money(receipt.total)}")


# --- one purchase order -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class OrderLineRow:
    id: int = 0
    part_id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    quantity: str = ""
    unit_price: str = ""  # as typed: 300.00
    amount: str = ""
    received: str = ""
    cancelled: str = ""
    outstanding: str = ""


@dataclasses.dataclass
class ActionButton:
    action: str = ""
    label: str = ""
    colour: str = "blue"


ACTION_COLOURS = {"cancel": "red", "close": "orange", "back_to_draft": "gray"}
# The buttons of the order page's action bar (print, share and receive have their own links).
BAR_ACTIONS = (Action.SUBMIT, Action.APPROVE, Action.PLACE, Action.BACK_TO_DRAFT, Action.CLOSE, Action.CANCEL)
MOVES = {Action.SUBMIT: purchase_orders.submit, Action.APPROVE: purchase_orders.approve,
         Action.PLACE: purchase_orders.place, Action.BACK_TO_DRAFT: purchase_orders.back_to_draft,
         Action.CLOSE: purchase_orders.close, Action.CANCEL: purchase_orders.cancel}
DONE = {Action.SUBMIT: "已提交", Action.APPROVE: "已审核", Action.PLACE: "已下单", Action.BACK_TO_DRAFT: "已退回草稿",
        Action.CLOSE: "已关闭", Action.CANCEL: "已作废"}


class PurchaseOrderState(SessionState):
    """``/purchasing/orders/<id>``: the order, its lines (editable in 草稿), and the actions it allows."""

    found: bool = False
    order_id: int = 0
    number: str = ""
    status: str = ""
    status_value: str = ""
    supplier: str = ""
    supplier_id: str = ""
    warehouse: str = ""
    total: str = ""
    note: str = ""
    people: str = ""  # "制单 张三 · 审核 李四"
    approval_note: str = ""
    lines: list[OrderLineRow] = []
    buttons: list[ActionButton] = []
    can_edit: bool = False
    can_receive: bool = False
    can_share: bool = False
    share_url: str = ""
    receipts: list[ReceiptRow] = []
    error: str = ""
    edit_errors: dict[str, str] = {}
    part_choices: list[Choice] = []
    version: int = 0  # bumps when the lines are read again, so the inputs show what was saved

    def _reset(self) -> None:
        self.found = False
        self.order_id = 0
        self.number = self.status = self.status_value = self.supplier = self.supplier_id = ""
        self.warehouse = self.total = self.note = self.people = self.approval_note = self.share_url = ""
        self.lines = []
        self.buttons = []
        self.receipts = []
        self.can_edit = self.can_receive = self.can_share = False
        self.part_choices = []

    def _load(self, db, actor: User, order_id) -> None:
        require(actor, Permission.PURCHASE)
        order = purchase_orders.get_order(db, actor, order_id)
        actions = purchase_orders.allowed_actions(db, actor, order)
        supplier = db.get(Supplier, order.supplier_id)
        names = dict(db.exec(select(User.id, User.display_name).where(
            col(User.id).in_([i for i in (order.created_by_id, order.approved_by_id) if i]))).all())
        self.found = True
        self.order_id = order.id
        self.number = order.number
        status = PurchaseOrderStatus(order.status)
        self.status, self.status_value = status.label, status.value
        self.supplier, self.supplier_id = supplier.name, str(supplier.id)
        self.warehouse = db.get(Warehouse, order.warehouse_id).name
        self.total = money(order.total)
        self.note = order.note
        people = [f"制单 {names.get(order.created_by_id, '')}"]
        if order.approved_by_id:
            people.append(f"审核 {names.get(order.approved_by_id, '')}")
        self.people = " · ".join(people)
        needs = purchase_orders.needs_approval(db, order)
        self.approval_note = "金额超过本店审批额度，需店长审核" if status == PurchaseOrderStatus.DRAFT and needs else ""
        part_rows = {p.id: p for p in db.exec(select(Part).where(col(Part.id).in_(
            [line.part_id for line in purchase_orders.order_lines(db, order.id)] or [-1])))}
        self.lines = []
        for line in purchase_orders.order_lines(db, order.id):
            part = part_rows[line.part_id]
            self.lines.append(OrderLineRow(
                id=line.id, part_id=part.id, code=part.code, name=part.name, unit=part.unit,
                quantity=quantity(line.quantity), unit_price=f"{line.unit_price}",
                amount=money((line.quantity * line.unit_price).quantize(Decimal("0.01"))),
                received=quantity(line.received_quantity), cancelled=quantity(line.cancelled_quantity),
                outstanding=quantity(purchase_orders.outstanding(line))))
        self.buttons = [ActionButton(action=a.value, label=a.label, colour=ACTION_COLOURS.get(a.value, "blue"))
                        for a in BAR_ACTIONS if a in actions]
        self.can_edit = Action.EDIT in actions
        self.can_receive = Action.RECEIVE in actions
        self.can_share = Action.SHARE in actions
        self.share_url = f"{get_settings().public_url}{purchase_orders.share_path(order)}" if self.can_share else ""
        self.receipts = [ReceiptRow(id=r.id, number=r.number, total=money(r.total),
                                    created=format_local(r.created_at, "%m-%d %H:%M"),
                                    url=f"/purchasing/receipts/{r.id}")
                         for r in receiving.receipts_of_order(db, actor, order.id)]
        self.version += 1

    async def _reload(self) -> None:
        await _reread(self, self.order_id)

    @rx.event
    async def load(self):
        self._reset()
        self.error = ""
        self.edit_errors = {}
        return await _open_page(self, ORDER_ARG, Permission.PURCHASE)

    @rx.event
    async def act(self, action: str):
        """One of the action bar's buttons; the service decides whether it is allowed now."""
        try:
            chosen = Action(action)
            move = MOVES[chosen]
        except (ValueError, KeyError):
            return rx.toast.error("无效操作")
        done = await self._in_unit(lambda db, actor: move(db, actor, self.order_id).number)
        if not done.ok:
            await self._reload()
            return rx.toast.error(done.error.message)
        await self._reload()
        return rx.toast.success(f"{DONE[chosen]}：{done.value}")

    def _inputs(self, form: dict, extra: list[LineInput] = ()) -> list[LineInput]:
        kept = []
        for index, line in enumerate(self.lines):
            qty = str(form.get(f"quantity.{index}", line.quantity)).strip()
            if qty in ("0", "0.00"):
                continue  # 0 takes the line off
            kept.append(LineInput(part_id=line.part_id, quantity=qty,
                                  unit_price=form.get(f"unit_price.{index}", line.unit_price)))
        return [*kept, *extra]

    @rx.event
    async def save_lines(self, form: dict):
        """保存 a draft's quantities and prices (0 takes a line off), its supplier and note."""
        self.edit_errors = {}
        lines = self._inputs(form)
        saved = await self._in_unit(lambda db, actor: purchase_orders.update_order(
            db, actor, self.order_id, lines, supplier_id=form.get("supplier_id") or None,
            note=form.get("note")).number)
        if not saved.ok:
            self.edit_errors = saved.field_errors
            return rx.toast.error(saved.error.message)
        await self._reload()
        return rx.toast.success("已保存")

    @rx.event
    async def search_parts(self, form: dict):
        self.part_choices, self.edit_errors = await _search_parts(self, form)

    @rx.event
    async def add_part(self, part_id: str):
        """Add a part to a draft (one unit at the supplier's price); the draft is saved with it."""
        lines = self._inputs({}, [LineInput(part_id=part_id, quantity="1")])
        saved = await self._in_unit(lambda db, actor: purchase_orders.update_order(db, actor, self.order_id, lines))
        if not saved.ok:
            self.edit_errors = saved.field_errors
            return rx.toast.error(saved.error.message)
        self.part_choices = []
        self.edit_errors = {}
        await self._reload()
        return None


# --- receiving on a phone ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class ReceiveLine:
    id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    ordered: str = ""
    received: str = ""
    outstanding: str = ""
    quantity: str = ""  # to receive now (scans add one)
    unit_price: str = ""


class ReceiveState(SessionState):
    """``/purchasing/orders/<id>/receive``: scan parts or type quantities, freight, and post the receipt."""

    found: bool = False
    order_id: int = 0
    number: str = ""
    supplier: str = ""
    status: str = ""
    can_receive: bool = False
    lines: list[ReceiveLine] = []
    errors: dict[str, str] = {}
    error: str = ""
    receive_key: str = ""
    highlight_id: int = 0
    last_receipt: str = ""  # "RK20261205-0001 · ¥1,234.00"
    flags: list[str] = []

    def _reset(self) -> None:
        self.found = False
        self.order_id = 0
        self.number = self.supplier = self.status = ""
        self.can_receive = False
        self.lines = []
        self.highlight_id = 0

    def _load(self, db, actor: User, order_id) -> None:
        order = purchase_orders.get_order(db, actor, order_id)
        require(actor, Permission.MOVE_STOCK)
        self.found = True
        self.order_id = order.id
        self.number = order.number
        self.supplier = db.get(Supplier, order.supplier_id).name
        self.status = PurchaseOrderStatus(order.status).label
        self.can_receive = Action.RECEIVE in purchase_orders.allowed_actions(db, actor, order)
        rows = []
        for line in purchase_orders.order_lines(db, order.id):
            part = db.get(Part, line.part_id)
            rows.append(ReceiveLine(id=line.id, code=part.code, name=part.name, unit=part.unit,
                                    ordered=quantity(line.quantity), received=quantity(line.received_quantity),
                                    outstanding=quantity(purchase_orders.outstanding(line)), quantity="",
                                    unit_price=f"{line.unit_price}"))
        self.lines = rows

    @rx.event
    async def load(self):
        self._reset()
        self.error = ""
        self.errors = {}
        self.flags = []
        self.last_receipt = ""
        self.receive_key = new_request_key()
        return await _open_page(self, ORDER_ARG, Permission.MOVE_STOCK)

    @rx.event
    async def scan(self, form: dict):
        """A scanned barcode (or typed part code) adds one to its line's quantity to receive."""
        code = form.get("code", "")
        found = await self._in_read(lambda db, actor: receiving.find_order_line(db, actor, self.order_id, code).id)
        if not found.ok:
            return [rx.toast.error(found.error.message), rx.set_value("receive-code", "")]
        for line in self.lines:
            if line.id == found.value:
                now = Decimal(line.quantity or "0") + 1
                line.quantity = quantity(now)
                self.highlight_id = line.id
                return [rx.toast.success(f"{line.name} 本次收 {line.quantity}"), rx.set_value("receive-code", "")]
        return rx.toast.error("请刷新页面后重试")

    @rx.event
    async def receive(self, form: dict):
        """确认收货: the quantities filled in (empty or 0 lines are not received), prices, reasons and freight."""
        self.errors = {}
        key = form.get("request_key") or self.receive_key
        entries, positions = [], []
        for line in self.lines:
            qty = str(form.get(f"quantity.{line.id}", line.quantity) or "").strip()
            if qty in ("", "0"):
                continue
            positions.append(line.id)
            entries.append(ReceiptLineInput(order_line_id=line.id, quantity=qty,
                                            unit_price=form.get(f"unit_price.{line.id}", line.unit_price),
                                            price_reason=form.get(f"price_reason.{line.id}", "")))
        if not entries:
            self.errors = {"form": "请填写本次到货数量，或扫码"}
            return None
        received = await self._in_unit(lambda db, actor: receiving.receive(db, actor, ReceiptForm(
            lines=entries, purchase_order_id=self.order_id, freight=form.get("freight", "0"),
            note=form.get("note", ""), request_key=key)))
        if not received.ok:
            self.errors = _by_line(received.field_errors, positions)
            return rx.toast.error(received.error.message)
        result = received.value
        self.last_receipt = f"{result.receipt.number} · {money(result.receipt.total)}"
        self.flags = result.price_flags
        await _reread(self, self.order_id)
        self.receive_key = new_request_key()
        return rx.toast.success(f"已入库：{result.receipt.number}")


# --- a receipt and its returns ----------------------------------------------------------------------------------


@dataclasses.dataclass
class ReceiptLineRow:
    id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    quantity: str = ""
    unit_price: str = ""
    freight_share: str = ""
    unit_cost: str = ""
    returned: str = ""
    returnable: str = ""
    can_return: bool = False
    price_reason: str = ""


class ReceiptState(SessionState):
    """``/purchasing/receipts/<id>``: what came in, at what cost, and 采退 from it."""

    found: bool = False
    receipt_id: int = 0
    number: str = ""
    supplier: str = ""
    order_number: str = ""
    order_url: str = ""
    warehouse: str = ""
    freight: str = ""
    total: str = ""
    created: str = ""
    lines: list[ReceiptLineRow] = []
    returns: list[str] = []
    can_return: bool = False
    return_errors: dict[str, str] = {}
    return_key: str = ""
    error: str = ""
    version: int = 0

    def _reset(self) -> None:
        self.found = False
        self.receipt_id = 0
        self.number = self.supplier = self.order_number = self.order_url = self.warehouse = ""
        self.freight = self.total = self.created = ""
        self.lines = []
        self.returns = []
        self.can_return = False

    def _load(self, db, actor: User, receipt_id) -> None:
        require(actor, Permission.PURCHASE)
        receipt: GoodsReceipt = receiving.get_receipt(db, actor, receipt_id)
        self.found = True
        self.receipt_id = receipt.id
        self.number = receipt.number
        self.supplier = db.get(Supplier, receipt.supplier_id).name
        if receipt.purchase_order_id:
            order = db.get(purchase_orders.PurchaseOrder, receipt.purchase_order_id)
            self.order_number, self.order_url = order.number, f"/purchasing/orders/{order.id}"
        self.warehouse = db.get(Warehouse, receipt.warehouse_id).name
        self.freight, self.total = money(receipt.freight), money(receipt.total)
        self.created = format_local(receipt.created_at)
        self.can_return = allows(actor, Permission.MOVE_STOCK)
        rows = []
        for line in receiving.receipt_lines(db, receipt.id):
            part = db.get(Part, line.part_id)
            left = line.quantity - line.returned_quantity
            rows.append(ReceiptLineRow(id=line.id, code=part.code, name=part.name, unit=part.unit,
                                       quantity=quantity(line.quantity), unit_price=money(line.unit_price),
                                       freight_share=money(line.freight_share), unit_cost=f"¥{line.unit_cost}",
                                       returned=quantity(line.returned_quantity), returnable=quantity(left),
                                       can_return=left > 0, price_reason=line.price_reason))
        self.lines = rows
        self.returns = [f"{r.number} · {money(r.total)} · {format_local(r.created_at, '%m-%d %H:%M')}"
                        + (f" · {r.reason}" if r.reason else "")
                        for r in purchase_returns.returns_of_receipt(db, actor, receipt.id)]
        self.version += 1

    @rx.event
    async def load(self):
        self._reset()
        self.error = ""
        self.return_errors = {}
        self.return_key = new_request_key()
        return await _open_page(self, RECEIPT_ARG, Permission.PURCHASE)

    @rx.event
    async def return_goods(self, form: dict):
        """采退: the quantities filled in per line, at each line's receipt cost."""
        self.return_errors = {}
        key = form.get("request_key") or self.return_key
        entries = [ReturnLineInput(receipt_line_id=line.id, quantity=str(form.get(f"quantity.{line.id}", "")))
                   for line in self.lines if str(form.get(f"quantity.{line.id}", "")).strip()]
        if not entries:
            self.return_errors = {"form": "请填写退货数量"}
            return None
        ids = [entry.receipt_line_id for entry in entries]
        done = await self._in_unit(lambda db, actor: purchase_returns.create_return(
            db, actor, self.receipt_id, entries, reason=form.get("reason", ""), request_key=key))
        if not done.ok:
            self.return_errors = _by_line(done.field_errors, ids)
            return rx.toast.error(done.error.message)
        made = done.value.purchase_return
        await _reread(self, self.receipt_id)
        self.return_key = new_request_key()
        return rx.toast.success(f"已退货：{made.number} · {money(made.total)}")


# --- the printed order and the supplier's link ------------------------------------------------------------------


@dataclasses.dataclass
class SheetLine:
    position: str = ""
    code: str = ""
    name: str = ""
    spec: str = ""
    unit: str = ""
    quantity: str = ""
    unit_price: str = ""
    amount: str = ""


@dataclasses.dataclass
class OrderSheet:
    header: str = ""
    contact: str = ""
    number: str = ""
    status: str = ""
    supplier: str = ""
    supplier_contact: str = ""
    warehouse: str = ""
    expected_on: str = ""
    note: str = ""
    total: str = ""
    created: str = ""
    lines: list[SheetLine] = dataclasses.field(default_factory=list)


def order_sheet(shown: purchase_orders.PublicOrder) -> OrderSheet:
    order, supplier, head = shown.order, shown.supplier, letterhead(shown.branch)
    return OrderSheet(
        header=head.header, contact=head.contact, number=order.number,
        status=PurchaseOrderStatus(order.status).label, supplier=supplier.name,
        supplier_contact=" · ".join(p for p in (supplier.contact, supplier.phone) if p),
        warehouse=shown.warehouse.name, expected_on=f"{order.expected_on:%Y-%m-%d}" if order.expected_on else "",
        note=order.note, total=money(order.total), created=format_local(order.created_at, "%Y-%m-%d"),
        lines=[SheetLine(position=str(i + 1), code=part.code, name=part.name, spec=part.spec, unit=part.unit,
                         quantity=quantity(line.quantity), unit_price=money(line.unit_price),
                         amount=money((line.quantity * line.unit_price).quantize(Decimal("0.01"))))
               for i, (line, part) in enumerate(shown.lines)])


class PurchaseOrderPrintState(SessionState):
    """``/purchasing/orders/<id>/print``: the order on A4."""

    found: bool = False
    sheet: OrderSheet = OrderSheet()
    error: str = ""

    @rx.event
    async def load(self):
        self.found = False
        self.sheet = OrderSheet()
        self.error = ""
        order_id = self.router.page.params.get(ORDER_ARG, "")
        shown = await self._in_read(lambda db, actor: order_sheet(purchase_orders.printable(db, actor, order_id)),
                                    page=Permission.PURCHASE)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
            return None
        self.sheet = shown.value
        self.found = True
        return None


class SupplierOrderState(rx.State):
    """``/po/<token>``: the supplier's read-only copy of an order, with no account (the unguessable token in the
    link is the key, as the follow-up link's is)."""

    found: bool = False
    sheet: OrderSheet = OrderSheet()
    error: str = ""

    @rx.event
    async def load(self):
        self.found = False
        self.sheet = OrderSheet()
        self.error = ""
        token = self.router.page.params.get("token", "")
        try:
            self.sheet = await run_in_read(lambda db: order_sheet(purchase_orders.public_order(db, token)))
        except DomainError as error:
            self.error = error.message
            return
        self.found = True
