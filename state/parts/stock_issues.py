"""内部领料 and 赠品出库 on a phone (``/parts/issues``): the slips made so far and a new slip — its kind, warehouse,
expense category, who took it, and parts found by search or scan; one slip's page (``/parts/issues/<id>``) and its
printed copy (``…/print``); and a work order's delivery notes, one per warehouse (``/parts/orders/<id>/delivery``).

The new slip's form carries a request key (a hidden input): a double tap or a resend posts the slip once.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.parts import delivery_notes, parts, stock, stock_issues
from lantong_pwa.services.parts.stock_issues import IssueForm, IssueLineInput
from lantong_pwa.services.platform.permissions import Permission, allows, require
from lantong_pwa.timezone import format_local
from models import StockIssueKind, User, WorkOrderStatus
from state.parts.purchasing import Choice, _by_line, _open_page
from state.parts.stock import PICK_ROUTE_ARG
from state.platform.session import SessionState, new_request_key
from state.platform.views import letterhead, money, quantity

ISSUE_ARG = "issue_id"


@dataclasses.dataclass
class IssueRow:
    id: int = 0
    number: str = ""
    kind: str = ""
    category: str = ""
    recipient: str = ""
    total: str = ""
    created: str = ""
    url: str = ""


@dataclasses.dataclass
class IssuePart:
    id: str = ""  # the part's id
    label: str = ""
    unit: str = ""
    on_hand: str = ""  # in the chosen warehouse when it was added


class IssuesState(SessionState):
    """``/parts/issues``: the slips and, for the parts clerk, a new internal-use or gift slip."""

    error: str = ""
    can_issue: bool = False
    kind: str = StockIssueKind.INTERNAL_USE.value
    warehouses: list[Choice] = []
    warehouse_id: str = ""
    categories: list[Choice] = []
    choices: list[Choice] = []
    lines: list[IssuePart] = []
    errors: dict[str, str] = {}
    key: str = ""
    issues: list[IssueRow] = []
    _found_parts: dict[str, IssuePart] = {}  # the search results on screen, by part id

    def _load(self, db, actor: User) -> None:
        self.issues = [IssueRow(id=i.id, number=i.number, kind=StockIssueKind(i.kind).label, category=c.name,
                                recipient=i.recipient, total=money(i.total),
                                created=format_local(i.created_at, "%m-%d %H:%M"), url=f"/parts/issues/{i.id}")
                       for i, c in stock_issues.recent_issues(db, actor)]
        self.can_issue = allows(actor, Permission.MOVE_STOCK)
        if self.can_issue:
            self.warehouses = [Choice(id=str(w.id), label=w.name) for w in stock.list_warehouses(db, actor)]
            if self.warehouse_id not in {w.id for w in self.warehouses}:
                self.warehouse_id = self.warehouses[0].id if self.warehouses else ""
            self.categories = [Choice(id=str(c.id), label=c.name)
                               for c in stock_issues.categories_for(db, actor, self.kind)]

    @rx.event
    async def load(self):
        self.error = ""
        self.errors = {}
        self.choices = []
        self.lines = []
        self.key = new_request_key()
        shown = await self._in_read(self._load, page=Permission.VIEW_STOCK_REPORTS)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
        return None

    @rx.event
    async def set_kind(self, kind: str | list[str]):
        if not isinstance(kind, str) or kind not in {k.value for k in StockIssueKind}:
            return
        self.kind = kind
        self.errors = {}
        shown = await self._in_read(self._load)
        if not shown.ok:
            self.error = shown.error.message

    @rx.event
    def set_warehouse(self, warehouse_id: str):
        self.warehouse_id = warehouse_id

    def _found(self, db, actor: User, text: str) -> list[tuple[Choice, IssuePart]]:
        found = parts.search_parts(db, require(actor, Permission.MOVE_STOCK), text)
        held = {row.part.id: row.on_hand for row in stock.on_hand(db, actor, part_ids=[p.id for p in found])
                if str(row.warehouse.id) == self.warehouse_id}
        return [(Choice(id=str(p.id), label=f"{p.name}（{p.code}）· 库存{quantity(held.get(p.id, 0))}"),
                 IssuePart(id=str(p.id), label=f"{p.name}（{p.code}）", unit=p.unit,
                           on_hand=quantity(held.get(p.id, 0)) if p.id in held else "0")) for p in found]

    @rx.event
    async def search(self, form: dict):
        self.errors = {}
        found = await self._in_read(lambda db, actor: self._found(db, actor, form.get("part_query", "")))
        if not found.ok:
            self.errors = {"part_query": found.error.message}
            return
        self._found_parts = {c.id: part for c, part in found.value}
        self.choices = [c for c, _ in found.value]
        if not self.choices:
            self.errors = {"part_query": "没有找到匹配的配件"}

    def _add(self, part: IssuePart) -> None:
        if all(line.id != part.id for line in self.lines):
            self.lines = [*self.lines, part]
        self.choices = []

    @rx.event
    def add_part(self, part_id: str):
        """Take a part from the search results on screen (the slip itself checks it again)."""
        if part_id in self._found_parts:
            self._add(self._found_parts[part_id])

    @rx.event
    async def scan(self, code: str):
        """A scanned barcode or code adds its part when it names exactly one."""
        self.errors = {}
        found = await self._in_read(lambda db, actor: self._found(db, actor, code))
        if not found.ok:
            self.errors = {"part_query": found.error.message}
            return
        if len(found.value) != 1:
            self.errors = {"part_query": f"没有找到条码或编码为{code}的配件" if not found.value
                           else "找到多个配件，请在搜索结果中选择"}
            self._found_parts = {c.id: part for c, part in found.value}
            self.choices = [c for c, _ in found.value]
            return
        self._add(found.value[0][1])

    @rx.event
    def remove_part(self, part_id: str):
        self.lines = [line for line in self.lines if line.id != part_id]

    @rx.event
    async def submit(self, form: dict):
        self.errors = {}
        key = form.get("request_key") or self.key
        if key != self.key:
            return None  # the second tap of a double tap: the slip was made and its page opened
        ids = [int(line.id) for line in self.lines]
        entry = IssueForm(kind=self.kind, warehouse_id=self.warehouse_id,
                          expense_category_id=form.get("expense_category_id", ""),
                          recipient=form.get("recipient", ""), work_order_number=form.get("work_order_number", ""),
                          note=form.get("note", ""), request_key=key,
                          lines=[IssueLineInput(part_id, form.get(f"quantity.{part_id}", "")) for part_id in ids])
        made = await self._in_unit(lambda db, actor: stock_issues.create_issue(db, actor, entry).issue.id)
        if not made.ok:
            self.errors = _by_line(made.field_errors, ids)
            return rx.toast.error(made.error.message)
        self.key = new_request_key()
        self.lines = []
        return rx.redirect(f"/parts/issues/{made.value}")


# --- one slip and its printed copy -------------------------------------------------------------------------------


@dataclasses.dataclass
class SheetLine:
    position: str = ""
    code: str = ""
    name: str = ""
    unit: str = ""
    quantity: str = ""
    unit_cost: str = ""
    value: str = ""


@dataclasses.dataclass
class IssueSheet:
    header: str = ""
    contact: str = ""
    id: int = 0
    number: str = ""
    kind: str = ""
    warehouse: str = ""
    category: str = ""
    recipient: str = ""
    order_number: str = ""
    note: str = ""
    clerk: str = ""
    created: str = ""
    total: str = ""
    lines: list[SheetLine] = dataclasses.field(default_factory=list)


def issue_sheet(shown: stock_issues.PrintableIssue) -> IssueSheet:
    issue, head = shown.issue, letterhead(shown.branch)
    return IssueSheet(
        header=head.header, contact=head.contact, id=issue.id, number=issue.number,
        kind=StockIssueKind(issue.kind).label, warehouse=shown.warehouse.name, category=shown.category.name,
        recipient=issue.recipient, order_number=shown.order_number, note=issue.note, clerk=shown.clerk,
        created=format_local(issue.created_at), total=money(issue.total),
        lines=[SheetLine(position=str(i + 1), code=part.code, name=part.name, unit=part.unit,
                         quantity=quantity(line.quantity), unit_cost=f"¥{line.unit_cost:,.2f}",
                         value=money(line.value)) for i, (line, part) in enumerate(shown.lines)])


class IssueSheetState(SessionState):
    """``/parts/issues/<id>`` and ``…/print``: one slip as it prints."""

    found: bool = False
    sheet: IssueSheet = IssueSheet()
    error: str = ""

    def _reset(self) -> None:
        self.found = False
        self.sheet = IssueSheet()

    def _load(self, db, actor: User, issue_id) -> None:
        self.sheet = issue_sheet(stock_issues.printable(db, actor, issue_id))
        self.found = True

    @rx.event
    async def load(self):
        self._reset()
        self.error = ""
        return await _open_page(self, ISSUE_ARG, Permission.VIEW_STOCK_REPORTS)


# --- a work order's delivery notes ---------------------------------------------------------------------------------


@dataclasses.dataclass
class NoteLineView:
    position: str = ""
    code: str = ""
    name: str = ""
    unit: str = ""
    quantity: str = ""
    payer: str = ""  # 三包 for a warranty part


@dataclasses.dataclass
class NoteView:
    warehouse: str = ""
    when: str = ""
    lines: list[NoteLineView] = dataclasses.field(default_factory=list)


class DeliveryNotesState(SessionState):
    """``/parts/orders/<id>/delivery``: what each warehouse handed over for an order, one printable note each."""

    found: bool = False
    order_id: int = 0
    header: str = ""
    number: str = ""
    plate: str = ""
    title: str = ""
    status: str = ""
    notes: list[NoteView] = []
    error: str = ""

    def _reset(self) -> None:
        self.found = False
        self.order_id = 0
        self.header = self.number = self.plate = self.title = self.status = ""
        self.notes = []

    def _load(self, db, actor: User, order_id) -> None:
        shown = delivery_notes.order_notes(db, actor, order_id)
        order, vehicle = shown.order, shown.vehicle
        self.order_id = order.id
        self.header = letterhead(shown.branch).header
        self.number = order.number
        self.plate = vehicle.plate
        self.title = " ".join(p for p in (vehicle.make, vehicle.model) if p)
        self.status = WorkOrderStatus(order.status).label
        self.notes = [NoteView(warehouse=note.warehouse.name, when=format_local(note.last_move_at),
                               lines=[NoteLineView(position=str(i + 1), code=e.line.part_code, name=e.line.part_name,
                                                   unit=e.line.unit, quantity=quantity(e.quantity),
                                                   payer="三包" if e.warranty else "")
                                      for i, e in enumerate(note.lines)])
                      for note in shown.notes]
        self.found = True

    @rx.event
    async def load(self):
        self._reset()
        self.error = ""
        return await _open_page(self, PICK_ROUTE_ARG, Permission.MOVE_STOCK)
