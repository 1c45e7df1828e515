"""The parts clerk's workbench on a phone: pending picks, goods-in, on hand, warehouses (``/parts``), and one
order's pick list (``/parts/orders/<id>``) with picks, returns and a scanned-code pick.

Stock moves carry a request key from the form (a hidden input), captured when the button is pressed: a double tap
sends the same key twice and the ledger moves once; after a move the key is renewed for the next one.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx
from sqlmodel import select

from lantong_pwa.errors import form_errors
from lantong_pwa.services.parts import parts, purchase_orders, safety_stock, stock, transfers
from lantong_pwa.services.workshop import order_actions
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local
from models import StockMoveKind, User, WorkOrderStatus
from state.platform.session import SessionState, new_request_key
from state.platform.views import money, quantity

PICK_ROUTE_ARG = "pick_order"
LOW_STOCK_SHOWN = 10


@dataclasses.dataclass
class WarehouseView:
    id: str = ""
    code: str = ""
    name: str = ""


@dataclasses.dataclass
class PendingView:
    order_id: int = 0
    number: str = ""
    plate: str = ""
    title: str = ""
    status: str = ""
    to_pick: str = ""  # "待领 2 项：前刹车片、机油滤清器"
    requests: list[str] = dataclasses.field(default_factory=list)  # "前刹车片 ×2 · 张师傅 10:32"
    url: str = ""


@dataclasses.dataclass
class ReceiptChoice:
    id: int = 0
    label: str = ""
    cost: str = ""


@dataclasses.dataclass
class WarehouseChoice:
    id: str = ""
    label: str = ""  # "主仓库 · 现有6"


@dataclasses.dataclass
class PickLineView:
    id: int = 0
    code: str = ""
    name: str = ""
    unit: str = ""
    planned: str = ""
    picked: str = ""
    returned: str = ""
    remaining: str = ""  # still to pick, the quantity input's default
    out: str = ""  # picked − returned: at most this comes back
    done: bool = False
    can_return: bool = False
    requested: bool = False
    part_id: int = 0
    warehouse_id: str = ""  # where this line picks from and returns to: the default, or the clerk's choice
    choices: list[WarehouseChoice] = dataclasses.field(default_factory=list)  # the branch's, with on hand
    on_hand: str = ""  # in the chosen warehouse
    in_transit: str = ""  # 在途: ordered from suppliers and not yet in (all warehouses), "" when nothing


@dataclasses.dataclass
class LowStockView:
    part: str = ""  # "刹车片（BP-01）"
    warehouse: str = ""
    figures: str = ""  # "现有1套，最低3套，最高8套"
    # [text, link]: "二店有余量8" and the 调拨申请 filled in for what brings this warehouse up to its maximum
    surplus: list[list[str]] = dataclasses.field(default_factory=list)


def _low_stock_view(row: safety_stock.LowStock) -> LowStockView:
    return LowStockView(part=f"{row.name}（{row.code}）", warehouse=row.warehouse,
                        figures=f"现有{quantity(row.on_hand)}{row.unit}，最低{quantity(row.minimum)}{row.unit}，"
                                f"最高{quantity(row.maximum)}{row.unit}",
                        surplus=[[f"{extra.branch}有余量{quantity(extra.quantity)}",
                                  transfers.request_url(row.code, quantity(min(extra.quantity,
                                                                               row.maximum - row.on_hand)),
                                                        extra.branch_id)]
                                 for extra in row.surplus])


def _warehouse_views(warehouses) -> list[WarehouseView]:
    return [WarehouseView(id=str(w.id), code=w.code, name=w.name) for w in warehouses]


def _names(users: dict[int, str], user_id: int) -> str:
    return users.get(user_id, "")


class StockState(SessionState):
    """``/parts``: the clerk's 待领料 / 入库 / 库存 / 仓库 tabs (others with parts access see 库存 only)."""

    tab: str = "stock"
    loaded: bool = False  # nothing but a spinner until the server has said which tabs this person gets
    can_move_stock: bool = False
    error: str = ""
    pending: list[PendingView] = []
    warehouses: list[WarehouseView] = []
    low_stock: list[LowStockView] = []  # below the minimum, most short first: for those who see stock reports
    low_stock_count: int = 0  # all of them (the list shows the first LOW_STOCK_SHOWN)
    can_set_limits: bool = False  # 安全库存 screen

    receipt_choices: list[ReceiptChoice] = []
    receipt_part_id: int = 0
    receipt_part_label: str = ""
    receipt_cost: str = ""
    receipt_errors: dict[str, str] = {}
    receipt_key: str = ""
    recent_receipts: list[str] = []

    warehouse_errors: dict[str, str] = {}
    created_code: str = ""

    @rx.var
    def first_warehouse(self) -> str:
        return self.warehouses[0].id if self.warehouses else ""

    def _load(self, db, actor: User) -> None:
        self.warehouses = _warehouse_views(stock.list_warehouses(db, actor))
        self.can_move_stock = allows(actor, Permission.MOVE_STOCK)
        self.pending = self._pending(db, actor) if self.can_move_stock else []
        self.can_set_limits = allows(actor, Permission.MANAGE_CATALOGUE)
        sees = allows(actor, Permission.VIEW_STOCK_REPORTS)
        self.low_stock = [_low_stock_view(row) for row in safety_stock.low_stock(db, actor, LOW_STOCK_SHOWN)] \
            if sees else []
        self.low_stock_count = safety_stock.low_stock_count(db, [actor.branch_id]) if sees else 0

    @staticmethod
    def _pending(db, actor: User) -> list[PendingView]:
        pending = stock.pending_work(db, actor)  # checks the permission first
        users = dict(db.exec(select(User.id, User.display_name).where(User.branch_id == actor.branch_id)).all())
        views = []
        for item in pending:
            names = "、".join(line.part_name for line in item.lines)
            views.append(PendingView(
                order_id=item.order.id, number=item.order.number, plate=item.vehicle.plate,
                title=" ".join(p for p in (item.vehicle.make, item.vehicle.model) if p),
                status=WorkOrderStatus(item.order.status).label,
                to_pick=f"待领 {len(item.lines)} 项：{names}",
                requests=[f"{line_name(item.lines, r.part_line_id)} ×{quantity(r.quantity)} · "
                          f"{_names(users, r.requested_by_id)} {format_local(r.created_at, '%H:%M')}"
                          for r in item.requests],
                url=f"/parts/orders/{item.order.id}"))
        return views

    @rx.event
    async def load(self):
        self.error = ""
        self.receipt_errors = {}
        self.warehouse_errors = {}
        self.receipt_key = new_request_key()
        shown = await self._in_read(self._load, page=Permission.VIEW_PARTS)
        if shown.redirect is not None:
            return shown.redirect
        self.loaded = True
        if not shown.ok:
            self.error = shown.error.message
            return None
        self.tab = "pending" if self.can_move_stock else "stock"
        return None

    @rx.event
    def set_tab(self, tab: str):
        if tab in ("pending", "receive", "stock", "warehouses"):
            self.tab = tab

    @rx.event
    async def refresh(self):
        shown = await self._in_read(self._pending)
        if shown.ok:
            self.pending = shown.value
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    async def search_receipt_parts(self, form: dict):
        self.receipt_errors = {}
        searched = await self._in_read(lambda db, actor: parts.search_parts(db, actor, form.get("part_query", "")))
        if not searched.ok:
            self.receipt_errors = {"part_id": searched.error.message}
            return
        found = searched.value
        self.receipt_choices = [ReceiptChoice(id=p.id, label=f"{p.name}（{p.code}）", cost=str(p.cost))
                                for p in found]
        if not found:
            self.receipt_errors = {"part_id": "没有找到匹配的配件"}

    @rx.event
    def choose_receipt_part(self, part_id: int):
        """Take a part from the search results already on screen (the receipt itself re-checks it)."""
        for choice in self.receipt_choices:
            if choice.id == part_id:
                self.receipt_part_id = choice.id
                self.receipt_part_label = choice.label
                self.receipt_cost = choice.cost
                self.receipt_choices = []
                self.receipt_errors = {}

    @rx.event
    async def receive(self, form: dict):
        self.receipt_errors = {}
        key = form.get("request_key") or self.receipt_key
        received = await self._in_unit(lambda db, actor: stock.receive_stock(
            db, actor, form.get("warehouse_id", ""), self.receipt_part_id, form.get("quantity", ""),
            form.get("unit_cost", ""), kind=form.get("kind", "receipt"), note=form.get("note", ""), request_key=key))
        if not received.ok:
            self.receipt_errors = form_errors(received.error)
            return None
        move = received.value
        warehouse = next((w.name for w in self.warehouses if w.id == str(move.warehouse_id)), "")
        line = (f"{StockMoveKind(move.kind).label} · {warehouse} · {self.receipt_part_label} "
                f"+{quantity(move.quantity)} @ {money(move.unit_cost.quantize(Decimal('0.01')))}")
        if key == self.receipt_key:  # a resent submit finds the same move: keep the list and key as they are
            self.recent_receipts = [line, *self.recent_receipts][:10]
            self.receipt_key = new_request_key()
            self.receipt_part_id = 0
            self.receipt_part_label = ""
            self.receipt_cost = ""
        return rx.toast.success(f"已入库：{self.receipt_part_label or line}")

    @rx.event
    async def create_warehouse(self, form: dict):
        self.warehouse_errors = {}
        code = (form.get("code") or "").strip().upper()
        if code and code == self.created_code:
            return None  # the second tap of a double tap: already made
        created = await self._in_unit(lambda db, actor: stock.create_warehouse(db, actor, form.get("code", ""),
                                                                          form.get("name", "")))
        if not created.ok:
            self.warehouse_errors = form_errors(created.error)
            return None
        warehouse = created.value
        self.created_code = warehouse.code
        listed = await self._in_read(stock.list_warehouses)
        if listed.ok:
            self.warehouses = _warehouse_views(listed.value)
        return rx.toast.success(f"已新建仓库 {warehouse.name}")


def line_name(lines, part_line_id: int | None) -> str:
    return next((line.part_name for line in lines if line.id == part_line_id), "配件")


class PickState(SessionState):
    """``/parts/orders/<id>``: pick and return an order's parts lines."""

    found: bool = False
    pick_id: int = 0
    number: str = ""
    plate: str = ""
    title: str = ""
    status: str = ""
    can_pick: bool = False  # the order still takes picks and returns (order_actions)
    lines: list[PickLineView] = []
    warehouses: list[WarehouseView] = []
    error: str = ""
    move_key: str = ""
    returning_id: int = 0
    highlight_id: int = 0
    # (part id, warehouse id) → on hand, kept on the server to redraw a line for another warehouse.
    _stock: dict[str, str] = {}
    # line id → the warehouse the clerk chose for it; kept across moves and reloads of the same order.
    _chosen: dict[str, str] = {}

    def _reset(self) -> None:
        self.found = False
        self.pick_id = 0
        self.number = self.plate = self.title = self.status = ""
        self.can_pick = False
        self.lines = []
        self.warehouses = []
        self.error = ""
        self.returning_id = 0
        self.highlight_id = 0
        self._stock = {}

    def _load(self, db, actor: User, order_id) -> None:
        listing = stock.pick_list(db, actor, order_id)
        order, vehicle = listing.order, listing.vehicle
        self.found = True
        self.pick_id = order.id
        self.number = order.number
        self.plate = vehicle.plate
        self.title = " ".join(p for p in (vehicle.make, vehicle.model) if p)
        self.status = WorkOrderStatus(order.status).label
        self.can_pick = Action.PICK in order_actions.allowed(db, actor, order)
        self.warehouses = _warehouse_views(listing.warehouses)
        self._stock = {f"{part}-{wh}": quantity(on_hand) for (part, wh), on_hand in listing.stock.items()}
        ids = {w.id for w in self.warehouses}
        self._chosen = {line: wh for line, wh in self._chosen.items() if wh in ids}
        coming = purchase_orders.in_transit(db, order.branch_id, [line.part_id for line in listing.lines])
        self.lines = [self._line_view(line, line.id in listing.requested_line_ids,
                                      self._chosen.get(str(line.id), str(listing.default_warehouse[line.id] or "")))
                      for line in listing.lines]
        for view in self.lines:
            view.in_transit = quantity(coming[view.part_id]) if view.part_id in coming else ""

    def _line_view(self, line, requested: bool, warehouse_id: str) -> PickLineView:
        remaining = stock.remaining_to_pick(line)
        out = line.picked_quantity - line.returned_quantity
        return PickLineView(
            id=line.id, code=line.part_code, name=line.part_name, unit=line.unit, planned=quantity(line.quantity),
            picked=quantity(line.picked_quantity), returned=quantity(line.returned_quantity),
            remaining=quantity(max(remaining, Decimal(0))), out=quantity(out), done=remaining <= 0,
            can_return=out > 0, requested=requested, part_id=line.part_id, warehouse_id=warehouse_id,
            choices=[WarehouseChoice(id=w.id, label=f"{w.name} · 现有{self._on_hand(line.part_id, w.id)}")
                     for w in self.warehouses],
            on_hand=self._on_hand(line.part_id, warehouse_id))

    def _on_hand(self, part_id: int, warehouse_id: str) -> str:
        return self._stock.get(f"{part_id}-{warehouse_id}", "0")

    def _warehouse_of(self, line_id) -> str:
        """The warehouse a line moves stock in: the clerk's choice, else the default shown on the line."""
        line_id = str(line_id)
        return self._chosen.get(line_id) or next((v.warehouse_id for v in self.lines if str(v.id) == line_id), "")

    @rx.event
    async def load(self):
        order_id = self.router.page.params.get(PICK_ROUTE_ARG, "")
        chosen = self._chosen if str(self.pick_id) == order_id else {}  # the same order again keeps the choices
        self._reset()
        self._chosen = chosen
        self.move_key = new_request_key()
        shown = await self._in_read(lambda db, actor: self._load(db, actor, order_id), page=Permission.MOVE_STOCK)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self._reset()
            self.error = shown.error.message
        return None

    @rx.event
    def choose_warehouse(self, line_id: int, warehouse_id: str):
        """Pick one line from another of the branch's warehouses (the move itself re-checks the warehouse)."""
        if warehouse_id not in {w.id for w in self.warehouses}:
            return
        for view in self.lines:
            if view.id == line_id:
                self._chosen = {**self._chosen, str(line_id): warehouse_id}
                view.warehouse_id = warehouse_id
                view.on_hand = self._on_hand(view.part_id, warehouse_id)
        self.lines = list(self.lines)

    @rx.event
    def open_return(self, line_id: int):
        self.returning_id = line_id
        self.error = ""

    @rx.event
    def close_return(self):
        self.returning_id = 0

    async def _move(self, do, form: dict, done: str):
        """Run one stock move, then reload the list with a fresh key; a refusal is told in a toast (on a phone the
        clerk is usually scrolled down to the line)."""
        self.error = ""
        key = form.get("request_key") or self.move_key
        moved = await self._in_unit(lambda db, actor: do(db, actor, key))
        if not moved.ok:
            return rx.toast.error(moved.error.message)
        move = moved.value
        shown = await self._in_read(lambda db, actor: self._load(db, actor, self.pick_id))
        if not shown.ok:
            self.error = shown.error.message
        self.move_key = new_request_key()
        self.returning_id = 0
        self.highlight_id = move.part_line_id or 0
        return rx.toast.success(done.format(quantity=quantity(abs(move.quantity))))

    @rx.event
    async def pick(self, form: dict):
        line_id = form.get("line_id", "")
        return await self._move(lambda db, actor, key: stock.pick(db, actor, line_id, self._warehouse_of(line_id),
                                                            form.get("quantity", ""), request_key=key),
                          form, "已领料 {quantity}")

    @rx.event
    async def return_part(self, form: dict):
        line_id = form.get("line_id", "")
        return await self._move(lambda db, actor, key: stock.return_part(db, actor, line_id,
                                                                   self._warehouse_of(line_id),
                                                                   form.get("quantity", ""), request_key=key),
                          form, "已退料 {quantity}")

    @rx.event
    async def scan(self, form: dict):
        """A typed or scanned part code picks that line (one unit unless another quantity is given)."""
        def do(db, actor, key):
            line = stock.find_pick_line(db, actor, self.pick_id, form.get("code", ""))
            return stock.pick(db, actor, line.id, self._warehouse_of(line.id), form.get("quantity") or "1",
                              request_key=key)

        key = self.move_key
        result = await self._move(do, form, "已领料 {quantity}")
        return [result, rx.set_value("scan-code", "")] if self.move_key != key else result

