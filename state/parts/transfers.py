"""Transfers on a phone (调拨, P11): the lists and the new-transfer and request forms (``/parts/transfers``), one
transfer with the actions it allows (``/parts/transfers/<id>``) and its printable slip (``…/print``).

``/parts/transfers?tab=request&part=<code>&quantity=<n>&from=<branch id>`` opens the 调拨申请 form filled in
(``transfers.request_url`` builds it; safety stock links its "从有余量的门店调拨" suggestions here).

Every handler checks the person on the server through its service; each form carries a request key (a hidden
input) so a double tap or a resend acts once.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal

import reflex as rx
from sqlmodel import col, select

from lantong_pwa.services.parts import parts, transfers
from lantong_pwa.services.parts.transfers import Action, LineInput
from lantong_pwa.services.platform.permissions import Permission, allows, require
from lantong_pwa.timezone import format_local
from models import Branch, Part, StockBalance, Transfer, TransferLine, TransferStatus, User, Warehouse
from state.platform.printable import load_sheet
from state.platform.session import SessionState, new_request_key
from state.platform.views import Letterhead, letterhead, money, quantity

TRANSFER_ARG = "transfer_id"
TABS = ("pending", "transit", "done", "new")
STATUS_COLOURS = {"requested": "orange", "in_transit": "blue", "partly_received": "amber", "received": "green",
                  "cancelled": "gray"}
STEP_LABELS = {"ship": "调出", "receive": "收货", "write_off": "报损", "cancel": "取消"}


@dataclasses.dataclass
class Choice:
    id: str = ""
    label: str = ""


@dataclasses.dataclass
class FormLine:
    part_id: str = ""
    label: str = ""
    quantity: str = "1"


@dataclasses.dataclass
class TransferRow:
    id: int = 0
    number: str = ""
    route: str = ""  # "A店 主仓库 → B店 主仓"
    status: str = ""
    status_value: str = ""
    summary: str = ""  # "前刹车片 ×5 等2种"
    created: str = ""
    url: str = ""


def _places(db, transfers_: list[Transfer]) -> tuple[dict[int, str], dict[int, str]]:
    branch_ids = {t.from_branch_id for t in transfers_} | {t.to_branch_id for t in transfers_}
    warehouse_ids = {t.from_warehouse_id for t in transfers_ if t.from_warehouse_id} | {t.to_warehouse_id
                                                                                       for t in transfers_}
    branches = dict(db.exec(select(Branch.id, Branch.name).where(col(Branch.id).in_(branch_ids or {-1}))).all())
    warehouses = dict(db.exec(select(Warehouse.id, Warehouse.name)
                              .where(col(Warehouse.id).in_(warehouse_ids or {-1}))).all())
    return branches, warehouses


def _route(transfer: Transfer, branches: dict[int, str], warehouses: dict[int, str]) -> str:
    source = branches[transfer.from_branch_id] + (f" {warehouses[transfer.from_warehouse_id]}"
                                                  if transfer.from_warehouse_id else "")
    return f"{source} → {branches[transfer.to_branch_id]} {warehouses[transfer.to_warehouse_id]}"


def _rows(db, found: list[Transfer]) -> list[TransferRow]:
    branches, warehouses = _places(db, found)
    lines = defaultdict(list)
    for line in db.exec(select(TransferLine).where(
            col(TransferLine.transfer_id).in_([t.id for t in found] or [-1]))
            .order_by(TransferLine.position)):
        lines[line.transfer_id].append(line)
    names = dict(db.exec(select(Part.id, Part.name).where(col(Part.id).in_(
        {line.from_part_id or line.to_part_id for group in lines.values() for line in group} - {None} or {-1}))).all())
    rows = []
    for t in found:
        first = lines[t.id][0] if lines[t.id] else None
        summary = ""
        if first is not None:
            name = names.get(first.from_part_id or first.to_part_id, first.part_code)
            summary = f"{name} ×{quantity(first.shipped or first.requested)}"
            if len(lines[t.id]) > 1:
                summary += f" 等{len(lines[t.id])}种"
        status = TransferStatus(t.status)
        rows.append(TransferRow(id=t.id, number=t.number, route=_route(t, branches, warehouses), status=status.label,
                                status_value=status.value, summary=summary,
                                created=format_local(t.created_at, "%m-%d %H:%M"),
                                url=transfers.document_url(t.id)))
    return rows


def _own_part_lines(db, actor: User, found: list[Part]) -> list[Choice]:
    """Parts found, each labelled with what the actor's branch holds of it in all its warehouses."""
    held: dict[int, Decimal] = defaultdict(Decimal)
    for part_id, on_hand in db.exec(select(StockBalance.part_id, StockBalance.on_hand).where(
            StockBalance.branch_id == actor.branch_id, col(StockBalance.part_id).in_([p.id for p in found] or [-1]))):
        held[part_id] += on_hand
    return [Choice(id=str(p.id), label=f"{p.name}（{p.code}）· 本店库存 {quantity(held[p.id])}{p.unit}")
            for p in found]


class TransfersState(SessionState):
    """``/parts/transfers``: 待调出, 在途, 已完成, and 新建 (调出 to a warehouse of this or another branch, or 申请
    from a branch with a surplus)."""

    tab: str = "transit"
    mode: str = "ship"  # 新建: "ship" (调出) or "request" (调拨申请)
    error: str = ""
    can_move: bool = False
    pending: list[TransferRow] = []
    transit: list[TransferRow] = []
    done: list[TransferRow] = []
    own_warehouses: list[Choice] = []
    targets: list[Choice] = []  # every warehouse of an open branch: "B店 · 主仓"
    sources: list[Choice] = []  # the other open branches
    source_id: str = ""  # the request's branch, as the link prefilled it
    choices: list[Choice] = []
    lines: list[FormLine] = []
    errors: dict[str, str] = {}
    form_key: str = ""

    def _load(self, db, actor: User) -> None:
        self.pending, self.transit, self.done = (_rows(db, transfers.list_transfers(db, actor, tab))
                                                 for tab in ("pending", "transit", "done"))
        self.can_move = allows(actor, Permission.MOVE_STOCK)
        branches = {b.id: b for b in transfers.open_branches(db, actor)}
        self.own_warehouses = [Choice(id=str(w.id), label=w.name)
                               for w in transfers.branch_warehouses(db, actor, actor.branch_id)]
        self.targets = [Choice(id=str(w.id), label=f"{'本店' if w.branch_id == actor.branch_id else b.name} · {w.name}")
                        for b in branches.values() for w in transfers.branch_warehouses(db, actor, b.id)]
        self.sources = [Choice(id=str(b.id), label=b.name) for b in branches.values() if b.id != actor.branch_id]

    def _prefill(self, db, actor: User) -> None:
        """The 调拨申请 link's part, quantity and branch (a part this branch lacks leaves the form empty)."""
        query = self.router.url.query_parameters
        self._load(db, actor)
        part = transfers.part_for_request(db, actor, query.get("part", ""))
        self.source_id = query.get("from", "")
        if part is not None:
            chosen = _own_part_lines(db, actor, [part])[0]
            self.lines = [FormLine(part_id=chosen.id, label=chosen.label, quantity=query.get("quantity", "1"))]
        elif query.get("part"):
            self.errors = {"part_query": f"本店配件目录中没有编码为{query.get('part')}的配件"}

    @rx.event
    async def load(self):
        self.error = ""
        self.errors = {}
        self.choices = []
        self.lines = []
        self.source_id = ""
        self.form_key = new_request_key()
        wanted = self.router.url.query_parameters.get("tab", "")
        shown = await self._in_read(self._prefill if wanted == "request" else self._load,
                                    page=Permission.VIEW_STOCK_REPORTS)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
            return None
        if wanted == "request" and self.can_move:
            self.tab, self.mode = "new", "request"
        else:
            self.tab = wanted if wanted in TABS else ("pending" if self.pending else "transit")
            self.mode = "ship"
        return None

    @rx.event
    def set_tab(self, tab: str):
        if tab in TABS:
            self.tab = tab

    @rx.event
    def set_mode(self, mode: str):
        """调出 or 申请: the lines chosen are parts of this branch either way, so they stay."""
        if mode in ("ship", "request"):
            self.mode = mode
            self.errors = {}

    async def _find(self, code: str) -> None:
        found = await self._in_read(lambda db, actor: _own_part_lines(
            db, actor, parts.search_parts(db, require(actor, Permission.MOVE_STOCK), code)))
        if not found.ok:
            self.choices, self.errors = [], {"part_query": found.error.message}
            return
        self.choices = found.value
        self.errors = {} if found.value else {"part_query": "没有找到匹配的配件"}

    @rx.event
    async def search_parts(self, form: dict):
        await self._find(form.get("part_query", ""))

    @rx.event
    async def scanned(self, code: str):
        """A scanned barcode or code: the one part it finds goes straight onto the form (one more if already on)."""
        await self._find(code)
        if len(self.choices) == 1:
            self._add(self.choices[0].id)

    @rx.event
    def add_part(self, part_id: str):
        """Take a part from the search results on screen (the service checks it again)."""
        self._add(part_id)

    def _add(self, part_id: str) -> None:
        chosen = next((c for c in self.choices if c.id == part_id), None)
        if chosen is None:
            return
        if any(line.part_id == part_id for line in self.lines):
            self.lines = [dataclasses.replace(line, quantity=_one_more(line.quantity)) if line.part_id == part_id
                          else line for line in self.lines]
        else:
            self.lines = [*self.lines, FormLine(part_id=chosen.id, label=chosen.label)]
        self.choices = []

    @rx.event
    def remove_part(self, part_id: str):
        self.lines = [line for line in self.lines if line.part_id != part_id]

    @rx.event
    async def submit(self, form: dict):
        """调出 (made and shipped at once) or 提交申请, with the quantities typed per part."""
        self.errors = {}
        key = form.get("request_key") or self.form_key
        if key != self.form_key:
            return None  # the second tap of a double tap: the first made the transfer
        entries = [LineInput(part_id=line.part_id, quantity=form.get(f"quantity.{line.part_id}", line.quantity))
                   for line in self.lines]
        ids = [line.part_id for line in self.lines]
        note = form.get("note", "")
        if self.mode == "request":
            made = await self._in_unit(lambda db, actor: transfers.request_transfer(
                db, actor, form.get("from_branch_id", ""), form.get("to_warehouse_id", ""), entries, note,
                request_key=key))
        else:
            made = await self._in_unit(lambda db, actor: transfers.create_transfer(
                db, actor, form.get("from_warehouse_id", ""), form.get("to_warehouse_id", ""), entries, note,
                request_key=key))
        if not made.ok:
            self.errors = _by_part(made.field_errors, ids)
            return rx.toast.error(made.error.message)
        transfer = made.value
        self.form_key = new_request_key()
        self.lines = []
        done = {"requested": "已提交申请", "in_transit": "已调出，在途", "received": "已调拨完成"}
        return [rx.toast.success(f"{done.get(transfer.status, '已保存')}：{transfer.number}"),
                rx.redirect(transfers.document_url(transfer.id))]


def _one_more(text: str) -> str:
    try:
        return quantity(Decimal(text) + 1)
    except ArithmeticError:
        return "1"


def _by_part(errors: dict[str, str], ids: list[str]) -> dict[str, str]:
    """A service's messages keyed by the position of the lines sent (``quantity.0``), re-keyed by part id."""
    found = {}
    for name, message in errors.items():
        field, _, index = name.partition(".")
        found[f"{field}.{ids[int(index)]}" if index.isdigit() and int(index) < len(ids) else name] = message
    return found


# --- one transfer -----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class SheetLine:
    id: int = 0
    position: str = ""
    code: str = ""
    name: str = ""
    spec: str = ""
    unit: str = ""
    requested: str = ""
    shipped: str = ""
    received: str = ""
    written_off: str = ""
    in_transit: str = ""
    unit_cost: str = ""
    amount: str = ""  # shipped × unit cost
    open: bool = False  # something is still on the road


@dataclasses.dataclass
class TransferSheet:
    number: str = ""
    status: str = ""
    status_value: str = ""
    source: str = ""  # "A店 · 主仓库"
    target: str = ""
    note: str = ""
    created: str = ""
    shipped: str = ""  # "李四 12-05 10:30"
    total: str = ""  # the value shipped
    lines: list[SheetLine] = dataclasses.field(default_factory=list)
    steps: list[str] = dataclasses.field(default_factory=list)  # "12-05 10:30 调出 李四：前刹车片 ×5"


def transfer_sheet(db, transfer: Transfer) -> TransferSheet:
    branches, warehouses = _places(db, [transfer])
    lines = transfers.transfer_lines(db, transfer.id)
    steps = transfers.transfer_steps(db, transfer.id)
    parts_ = {p.id: p for p in db.exec(select(Part).where(col(Part.id).in_(
        {line.from_part_id or line.to_part_id for line in lines} - {None} or {-1})))}
    names = dict(db.exec(select(User.id, User.display_name).where(col(User.id).in_(
        {s.user_id for s in steps} | {transfer.created_by_id}))).all())
    rows, total = [], Decimal("0.00")
    for index, line in enumerate(lines):
        part = parts_.get(line.from_part_id or line.to_part_id)
        value = (line.shipped * line.unit_cost).quantize(Decimal("0.01"))
        total += value
        rows.append(SheetLine(
            id=line.id, position=str(index + 1), code=line.part_code, name=part.name if part else line.part_code,
            spec=part.spec if part else "", unit=part.unit if part else "", requested=quantity(line.requested),
            shipped=quantity(line.shipped), received=quantity(line.received),
            written_off=quantity(line.written_off), in_transit=quantity(transfers.in_transit(line)),
            unit_cost=f"¥{line.unit_cost}", amount=money(value), open=transfers.in_transit(line) > 0))
    status = TransferStatus(transfer.status)
    source = branches[transfer.from_branch_id] + (f" · {warehouses[transfer.from_warehouse_id]}"
                                                  if transfer.from_warehouse_id else "")
    return TransferSheet(
        number=transfer.number,
        status=status.label, status_value=status.value, source=source,
        target=f"{branches[transfer.to_branch_id]} · {warehouses[transfer.to_warehouse_id]}", note=transfer.note,
        created=f"{names.get(transfer.created_by_id, '')} {format_local(transfer.created_at, '%Y-%m-%d %H:%M')}",
        shipped=(f"{names.get(transfer.shipped_by_id, '')} {format_local(transfer.shipped_at, '%Y-%m-%d %H:%M')}"
                 if transfer.shipped_at else ""),
        total=money(total), lines=rows,
        steps=[f"{format_local(s.created_at, '%m-%d %H:%M')} {STEP_LABELS.get(s.kind, s.kind)} "
               f"{names.get(s.user_id, '')}" + (f"：{s.summary}" if s.summary else "") for s in steps])


class TransferState(SessionState):
    """``/parts/transfers/<id>``: the transfer, its lines and steps, and 调出 / 收货 / 报损 / 取消 as allowed."""

    found: bool = False
    transfer_id: int = 0
    sheet: TransferSheet = TransferSheet()
    can_ship: bool = False
    can_receive: bool = False
    can_write_off: bool = False
    can_cancel: bool = False
    warehouses: list[Choice] = []  # the sender's, to ship a request from
    error: str = ""
    errors: dict[str, str] = {}  # 调出 / 收货
    write_off_errors: dict[str, str] = {}
    action_key: str = ""

    def _load(self, db, actor: User, transfer_id) -> None:
        transfer = transfers.get_transfer(db, actor, transfer_id)
        actions = transfers.allowed_actions(db, actor, transfer)
        self.found = True
        self.transfer_id = transfer.id
        self.sheet = transfer_sheet(db, transfer)
        self.can_ship = Action.SHIP in actions
        self.can_receive = Action.RECEIVE in actions
        self.can_write_off = Action.WRITE_OFF in actions
        self.can_cancel = Action.CANCEL in actions
        self.warehouses = ([Choice(id=str(w.id), label=w.name)
                            for w in transfers.branch_warehouses(db, actor, actor.branch_id)]
                           if self.can_ship else [])

    async def _reload(self) -> None:
        self.action_key = new_request_key()
        shown = await self._in_read(lambda db, actor: self._load(db, actor, self.transfer_id))
        if not shown.ok:
            self.error = shown.error.message

    @rx.event
    async def load(self):
        self.found = False
        self.sheet = TransferSheet()
        self.error = ""
        self.errors = {}
        self.write_off_errors = {}
        self.action_key = new_request_key()
        raw = self.router.page.params.get(TRANSFER_ARG, "")
        shown = await self._in_read(lambda db, actor: self._load(db, actor, raw), page=Permission.VIEW_STOCK_REPORTS)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
        return None

    async def _step(self, form: dict, work, done: str, errors: str = "errors"):
        setattr(self, errors, {})
        key = form.get("request_key") or self.action_key
        if key != self.action_key:
            return None  # the second tap of a double tap
        quantities = {line.id: form.get(f"quantity.{line.id}", "") for line in self.sheet.lines}
        result = await self._in_unit(lambda db, actor: work(db, actor, quantities, key))
        if not result.ok:
            setattr(self, errors, result.field_errors)
            return rx.toast.error(result.error.message)
        await self._reload()
        return rx.toast.success(f"{done}：{self.sheet.number}")

    @rx.event
    async def ship(self, form: dict):
        return await self._step(form, lambda db, actor, q, key: transfers.ship(
            db, actor, self.transfer_id, form.get("from_warehouse_id", ""), q, request_key=key), "已调出")

    @rx.event
    async def receive(self, form: dict):
        return await self._step(form, lambda db, actor, q, key: transfers.receive(
            db, actor, self.transfer_id, q, request_key=key), "已收货")

    @rx.event
    async def write_off(self, form: dict):
        return await self._step(form, lambda db, actor, q, key: transfers.write_off(
            db, actor, self.transfer_id, q, form.get("reason", ""), request_key=key), "已报损", "write_off_errors")

    @rx.event
    async def cancel(self):
        return await self._step({}, lambda db, actor, _q, key: transfers.cancel(
            db, actor, self.transfer_id, request_key=key), "已取消")


class TransferPrintState(SessionState):
    """``/parts/transfers/<id>/print``: the transfer slip on A4, under the sending shop's letterhead, signed by who
    sends and who receives."""

    found: bool = False
    error: str = ""
    shop: Letterhead = Letterhead()
    sheet: TransferSheet = TransferSheet()

    @rx.event
    async def load(self):
        return await load_sheet(self, self._fill, Permission.VIEW_STOCK_REPORTS)

    def _fill(self, db, actor: User | None) -> None:
        transfer = transfers.get_transfer(db, actor, self.router.page.params.get(TRANSFER_ARG, ""))
        self.shop = letterhead(db.get(Branch, transfer.from_branch_id))
        self.sheet = transfer_sheet(db, transfer)
