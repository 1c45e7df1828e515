"""Stocktaking screens: the sheets and a new sheet (``/parts/stocktake``), counting on a phone and the manager's
review (``/parts/stocktake/<id>``), and the printed count list (``/parts/stocktake/<id>/print``).

The count is blind: ``CountSheetState`` (what every counting phone holds) has no field for on hand, expected
quantity or variance; they live in ``CountReviewState``, which loads only for a person allowed to review (a manager).
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import select

from lantong_pwa.errors import form_errors
from lantong_pwa.services.parts import stock, stocktake
from lantong_pwa.services.parts.stocktake import Action
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local
from models import Branch, CountScope, CountSheetStatus, RecountState, StockMoveKind, User
from state.platform.printable import load_sheet
from state.platform.session import SessionState, new_request_key
from state.platform.views import Letterhead, letterhead, money, quantity

SHEET_ARG = "sheet_id"
STATUS_COLOURS = {"draft": "gray", "counting": "orange", "posted": "green", "cancelled": "red"}
SCOPES = [[s.value, s.label] for s in CountScope]
DEFAULT_THRESHOLD = f"{stocktake.DEFAULT_RECOUNT_THRESHOLD}"


@dataclasses.dataclass
class Choice:
    id: str = ""
    label: str = ""


@dataclasses.dataclass
class SheetRow:
    id: int = 0
    number: str = ""
    warehouse: str = ""
    scope: str = ""
    status: str = ""
    status_value: str = ""
    progress: str = ""  # "已盘 3/120"
    created: str = ""
    url: str = ""


def _sheet_url(sheet_id: int) -> str:
    return f"/parts/stocktake/{sheet_id}"


def _scope_text(sheet) -> str:
    label = CountScope(sheet.scope).label
    return f"{label}：{sheet.scope_values}" if sheet.scope_values else label


class StocktakeState(SessionState):
    """``/parts/stocktake``: the branch's sheets and the form for a new one."""

    sheets: list[SheetRow] = []
    warehouses: list[Choice] = []
    warehouse_id: str = ""
    scope: str = CountScope.WAREHOUSE.value
    shelves: list[str] = []
    categories: list[str] = []
    errors: dict[str, str] = {}
    error: str = ""
    new_key: str = ""
    loaded: bool = False

    def _load(self, db, actor: User) -> None:
        self.sheets = [SheetRow(id=s.id, number=s.number, warehouse=w.name, scope=_scope_text(s),
                                status=CountSheetStatus(s.status).label, status_value=s.status,
                                progress=f"已盘 {counted}/{lines}", created=format_local(s.created_at, "%m-%d %H:%M"),
                                url=_sheet_url(s.id))
                       for s, w, lines, counted in stocktake.list_sheets(db, actor)]
        self.warehouses = [Choice(id=str(w.id), label=w.name) for w in stock.list_warehouses(db, actor)]
        if self.warehouse_id not in {w.id for w in self.warehouses}:
            self.warehouse_id = self.warehouses[0].id if self.warehouses else ""
        self._choices(db, actor)
        self.loaded = True

    def _choices(self, db, actor: User) -> None:
        self.shelves, self.categories = (stocktake.scope_choices(db, actor, self.warehouse_id)
                                         if self.warehouse_id else ([], []))

    @rx.event
    async def load(self):
        self.errors = {}
        self.error = ""
        self.loaded = False
        self.new_key = new_request_key()
        shown = await self._in_read(self._load, page=Permission.COUNT_STOCK)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
        return None

    @rx.event
    async def choose_warehouse(self, warehouse_id: str):
        self.warehouse_id = warehouse_id
        shown = await self._in_read(self._choices)
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    def choose_scope(self, scope: str):
        self.scope = scope
        self.errors = {}

    @rx.event
    async def create(self, form: dict):
        self.errors = {}
        values = [key.split(".", 1)[1] for key, on in form.items() if key.startswith("value.") and on]
        created = await self._in_unit(lambda db, actor: stocktake.create_sheet(
            db, actor, form.get("warehouse_id", ""), form.get("scope", ""), values,
            form.get("recount_threshold", ""), note=form.get("note", ""),
            request_key=form.get("request_key") or self.new_key))
        if not created.ok:
            self.errors = form_errors(created.error)
            return None
        self.new_key = new_request_key()
        return rx.redirect(_sheet_url(created.value.id))


@dataclasses.dataclass
class CountRow:
    """A line on a counting phone: what to count and the latest count, never what the books say."""
    id: int = 0
    code: str = ""
    name: str = ""
    spec: str = ""
    unit: str = ""
    shelf: str = ""
    counted: str = ""  # "" while 未盘
    counted_by: str = ""  # "张库管 10:32"
    recount: str = ""  # 需复盘 / 已复盘 / 店长已确认


def _count_row(line: stocktake.CountingLine) -> CountRow:
    who = f"{line.counted_by} {format_local(line.counted_at, '%H:%M')}" if line.counted_at else ""
    return CountRow(id=line.id, code=line.code, name=line.name, spec=line.spec, unit=line.unit,
                    shelf=line.shelf or "未设库位", counted="" if line.counted is None else quantity(line.counted),
                    counted_by=who, recount=stocktake.RECOUNT_LABELS[line.recount])


class CountSheetState(SessionState):
    """``/parts/stocktake/<id>``: one sheet; the clerks' counting (by shelf, typed or scanned)."""

    found: bool = False
    sheet_id: int = 0
    number: str = ""
    warehouse: str = ""
    scope: str = ""
    status: str = ""
    status_value: str = ""
    threshold: str = ""
    shelves: list[str] = []
    shelf: str = ""  # the shelf being counted on this phone; "" for all
    lines: list[CountRow] = []
    progress: str = ""
    can_start: bool = False
    can_count: bool = False
    can_cancel: bool = False
    can_review: bool = False
    count_key: str = ""
    count_errors: dict[str, str] = {}
    error_line: int = 0  # the line whose form the errors belong to (0: the scan form)
    last_counted: int = 0
    error: str = ""

    def _load(self, db, actor: User) -> None:
        view = stocktake.counting_view(db, actor, self.sheet_id)
        sheet = view.sheet
        self.found = True
        self.number = sheet.number
        self.warehouse = view.warehouse.name
        self.scope = _scope_text(sheet)
        status = CountSheetStatus(sheet.status)
        self.status, self.status_value = status.label, status.value
        self.threshold = money(sheet.recount_threshold)
        self.shelves = [s or "未设库位" for s in view.shelves]
        if self.shelf not in self.shelves:
            self.shelf = ""
        rows = [_count_row(line) for line in view.lines]
        self.progress = f"已盘 {sum(1 for r in rows if r.counted)}/{len(rows)}"
        self.lines = [r for r in rows if not self.shelf or r.shelf == self.shelf]
        self.can_start = Action.START in view.actions
        self.can_count = Action.COUNT in view.actions
        self.can_cancel = Action.CANCEL in view.actions
        self.can_review = Action.REVIEW in view.actions

    async def _reload(self) -> None:
        shown = await self._in_read(self._load)
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    async def load(self):
        self.found = False
        self.lines = []
        self.error = ""
        self.count_errors = {}
        self.last_counted = 0
        self.count_key = new_request_key()
        try:
            self.sheet_id = int(self.router.page.params.get(SHEET_ARG, "0"))
        except ValueError:
            self.sheet_id = 0
        shown = await self._in_read(self._load, page=Permission.COUNT_STOCK)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.found = False
            self.error = shown.error.message
        return None

    @rx.event
    async def choose_shelf(self, shelf: str):
        self.shelf = "" if shelf == "全部" else shelf
        await self._reload()

    @rx.event
    async def refresh(self):
        await self._reload()

    @rx.event
    async def count(self, form: dict):
        """A typed count for a line (``line_id``) or a typed or scanned code (``code``)."""
        self.count_errors = {}
        line_id = form.get("line_id", "")
        self.error_line = int(line_id) if str(line_id).isdigit() else 0
        key = form.get("request_key") or self.count_key
        counted = await self._in_unit(lambda db, actor: stocktake.count(
            db, actor, self.sheet_id, form.get("quantity", ""), line_id=line_id or None, code=form.get("code"),
            request_key=key))
        if not counted.ok:
            self.count_errors = form_errors(counted.error)
            return None
        entry = counted.value
        self.count_key = new_request_key()
        self.last_counted = entry.line_id
        await self._reload()
        row = next((r for r in self.lines if r.id == entry.line_id), None)
        done = f"已记录 {row.name if row else ''} {quantity(entry.quantity)}"
        flagged = row is not None and row.recount == stocktake.RECOUNT_LABELS[RecountState.NEEDED]
        events = [rx.toast.warning(f"{done}：差异较大，需复盘") if flagged else rx.toast.success(done)]
        if not line_id:
            events += [rx.set_value("count-code", ""), rx.set_value("count-quantity", ""),
                       rx.call_script("document.getElementById('count-code').focus()")]
        return events

    async def _act(self, work, done: str):
        acted = await self._in_unit(lambda db, actor: work(db, actor, self.sheet_id))
        if not acted.ok:
            return rx.toast.error(acted.error.message)
        await self._reload()
        return [rx.toast.success(done), CountReviewState.load]

    @rx.event
    async def start(self):
        return await self._act(stocktake.start, "已开始盘点")

    @rx.event
    async def cancel(self):
        return await self._act(stocktake.cancel, "盘点单已作废")


@dataclasses.dataclass
class ReviewRow:
    line_id: int = 0
    code: str = ""
    name: str = ""
    shelf: str = ""
    unit: str = ""
    expected: str = ""  # on hand at the count's ledger position
    counted: str = ""
    variance: str = ""  # signed, "+3" / "-2" / "0"
    value: str = ""
    counted_by: str = ""
    recount: str = ""
    needs_recount: bool = False


@dataclasses.dataclass
class MoveRow:
    code: str = ""
    name: str = ""
    kind: str = ""
    quantity: str = ""
    unit_cost: str = ""
    value: str = ""


def _signed(value) -> str:
    return f"+{quantity(value)}" if value > 0 else quantity(value)


def _signed_money(value) -> str:
    return f"-{money(-value)}" if value < 0 else money(value)


class CountReviewState(SessionState):
    """The manager's half of ``/parts/stocktake/<id>``: variances, recount flags, confirm and post."""

    can_review: bool = False
    can_post: bool = False
    can_confirm: bool = False
    rows: list[ReviewRow] = []
    uncounted: list[str] = []
    flagged: int = 0
    gain: str = ""
    loss: str = ""
    moves: list[MoveRow] = []
    error: str = ""

    def _load(self, db, actor: User, sheet_id: int) -> None:
        self.can_review = self.can_post = self.can_confirm = False
        self.rows, self.uncounted, self.moves = [], [], []
        if not allows(actor, Permission.POST_STOCKTAKE):
            return  # a clerk's phone never loads what the books say
        sheet = stocktake.get_sheet(db, actor, sheet_id)
        actions = stocktake.allowed_actions(db, actor, sheet)
        if Action.REVIEW not in actions:
            return
        review = stocktake.review(db, actor, sheet_id)
        names = dict(db.exec(select(User.id, User.display_name).where(User.branch_id == sheet.branch_id)).all())
        self.can_review = True
        self.can_post = Action.POST in actions
        self.can_confirm = Action.CONFIRM in actions
        counted = [v for v in review.lines if v.expected is not None]
        self.rows = [ReviewRow(
            line_id=v.line.id, code=v.part.code, name=v.part.name, shelf=v.line.shelf, unit=v.part.unit,
            expected=quantity(v.expected), counted=quantity(v.line.counted_quantity), variance=_signed(v.variance),
            value=_signed_money(v.value), counted_by=names.get(v.line.counted_by_id, ""),
            recount=stocktake.RECOUNT_LABELS[RecountState(v.line.recount)],
            needs_recount=RecountState(v.line.recount) == RecountState.NEEDED)
            for v in sorted(counted, key=lambda v: (v.variance == 0, v.line.shelf, v.part.code))]
        self.uncounted = [f"{v.part.name}（{v.part.code}）" for v in review.uncounted]
        self.flagged = len(review.flagged)
        self.gain = money(sum((v.value for v in counted if v.variance > 0), stocktake.ZERO))
        self.loss = money(-sum((v.value for v in counted if v.variance < 0), stocktake.ZERO))
        parts = {v.part.id: v.part for v in review.lines}
        self.moves = [MoveRow(code=parts[m.part_id].code, name=parts[m.part_id].name,
                              kind=StockMoveKind(m.kind).label, quantity=_signed(m.quantity),
                              unit_cost=money(m.unit_cost.quantize(stocktake.ZERO)),
                              value=_signed_money((m.quantity * m.unit_cost).quantize(stocktake.ZERO)))
                      for m in review.moves]

    @rx.event
    async def load(self):
        self.error = ""
        try:
            sheet_id = int(self.router.page.params.get(SHEET_ARG, "0"))
        except ValueError:
            sheet_id = 0
        shown = await self._in_read(lambda db, actor: self._load(db, actor, sheet_id))
        if not shown.ok:
            self.can_review = False
            self.error = shown.error.message

    async def _act(self, work, done: str):
        sheet_id = self.router.page.params.get(SHEET_ARG, "")
        acted = await self._in_unit(lambda db, actor: work(db, actor, sheet_id))
        if not acted.ok:
            return rx.toast.error(acted.error.message)
        return [rx.toast.success(done), CountReviewState.load, CountSheetState.refresh]

    @rx.event
    async def confirm(self, line_id: int):
        return await self._act(lambda db, actor, sheet_id: stocktake.confirm(db, actor, sheet_id, line_id),
                               "已确认差异")

    @rx.event
    async def post(self):
        return await self._act(stocktake.post, "已过账，盘点差异已记入库存")


@dataclasses.dataclass
class PrintShelf:
    shelf: str = ""
    lines: list[CountRow] = dataclasses.field(default_factory=list)


class CountPrintState(SessionState):
    """``/parts/stocktake/<id>/print``: the count list by shelf, with a blank for the count and no on hand."""

    found: bool = False
    error: str = ""
    shop: Letterhead = Letterhead()
    number: str = ""
    warehouse: str = ""
    scope: str = ""
    created: str = ""
    shelves: list[PrintShelf] = []

    @rx.event
    async def load(self):
        return await load_sheet(self, self._fill, Permission.COUNT_STOCK)

    def _fill(self, db, actor: User | None) -> None:
        view = stocktake.counting_view(db, actor, self.router.page.params.get(SHEET_ARG, ""))
        self.shop = letterhead(db.get(Branch, view.sheet.branch_id))
        self.number = view.sheet.number
        self.warehouse = view.warehouse.name
        self.scope = _scope_text(view.sheet)
        self.created = format_local(view.sheet.created_at, "%Y-%m-%d")
        self.shelves = [PrintShelf(shelf=shelf or "未设库位", lines=[_count_row(line) for line in lines])
                        for shelf, lines in stocktake.by_shelf(view.lines).items()]
