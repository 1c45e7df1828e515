"""进销存 (``/parts/ledger``): the summary for shop days and a warehouse, a page at a time, with its Excel download;
and one part's moves (``/parts/ledger/<part id>``) with the documents behind them (services/parts/stock_report.py).

The filters travel in the address (``from``, ``to``, ``warehouse``, ``q``), so a part's detail links back to the
same summary and the download runs the same query with the signed-in person's rights."""

from __future__ import annotations

import dataclasses
from calendar import monthrange
from datetime import date, timedelta
from urllib.parse import urlencode

import reflex as rx

from lantong_pwa.services.parts import stock, stock_report
from lantong_pwa.services.parts.stock_report import Amount
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local, local_day
from models.common import utc_now
from state.platform.session import SessionState
from state.platform.views import money, quantity

PAGE_SIZE = 50
DETAIL_ROUTE_ARG = "ledger_part"


@dataclasses.dataclass
class FigureView:
    label: str = ""
    quantity: str = ""
    value: str = ""


@dataclasses.dataclass
class LedgerRowView:
    part_id: int = 0
    code: str = ""
    name: str = ""
    opening: str = ""  # "10 · ¥203.33"
    total_in: str = ""
    total_out: str = ""
    closing: str = ""
    url: str = ""


@dataclasses.dataclass
class MoveView:
    when: str = ""
    kind: str = ""
    warehouse: str = ""
    document: str = ""  # "工单 WX20261205-0003"
    url: str = ""
    quantity_in: str = ""
    quantity_out: str = ""
    value: str = ""
    running: str = ""


def _figure(amount: Amount) -> str:
    return f"{quantity(amount.quantity)} · {money(amount.value)}"


def _by_kind(figures: dict, direction: str) -> list[FigureView]:
    """The kinds that moved, labelled (a count's variance says 盘盈 or 盘亏)."""
    return [FigureView(label=stock_report.kind_label(kind, direction), quantity=quantity(amount.quantity),
                       value=money(amount.value))
            for kind, amount in figures.items() if amount != stock_report.NONE]


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """今天, 本月 (so far) and 上月 as shop days."""
    if preset == "today":
        return today, today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last.replace(day=monthrange(last.year, last.month)[1])
    return today.replace(day=1), today


class LedgerState(SessionState):
    """``/parts/ledger``: the summary."""

    date_from: str = ""
    date_to: str = ""
    preset: str = "month"  # today, month, last_month or custom
    warehouse: str = ""  # "" for all
    search: str = ""
    page: int = 0
    warehouses: list[list[str]] = []  # [[id, name]]
    rows: list[LedgerRowView] = []
    row_count: int = 0
    total: LedgerRowView = LedgerRowView()
    total_in: list[FigureView] = []
    total_out: list[FigureView] = []
    error: str = ""
    loaded: bool = False

    @rx.var
    def filters(self) -> str:
        given = {"from": self.date_from, "to": self.date_to, "warehouse": self.warehouse, "q": self.search}
        return urlencode({key: value for key, value in given.items() if value})

    @rx.var
    def export_url(self) -> str:
        return f"/api/parts/ledger.xlsx?{self.filters}" if self.loaded and not self.error else ""

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.row_count // PAGE_SIZE))

    @rx.var
    def page_label(self) -> str:
        return f"第{self.page + 1}/{self.pages}页，共{self.row_count}个配件"

    async def _run(self, page_permission: Permission | None = None):
        params = {"from": self.date_from, "to": self.date_to, "warehouse": self.warehouse, "q": self.search}
        shown = await self._in_read(lambda db, actor: (
            stock.list_warehouses(db, actor), stock_report.summary(db, actor, **stock_report.summary_filters(params))),
            page=page_permission)
        if shown.redirect is not None:
            return shown.redirect
        self.loaded = True
        if not shown.ok:
            self.error, self.rows, self.row_count, self.total_in, self.total_out = shown.error.message, [], 0, [], []
            self.total = LedgerRowView()
            return None
        warehouses, report = shown.value
        self.error = ""
        self.warehouses = [[str(w.id), w.name] for w in warehouses]
        self.row_count = len(report.rows)
        self.page = min(self.page, max(0, (self.row_count - 1) // PAGE_SIZE))
        shown_rows = report.rows[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]
        self.rows = [self._view(row) for row in shown_rows]
        self.total = self._view(report.total)
        self.total_in = _by_kind(report.total.ins, "in")
        self.total_out = _by_kind(report.total.outs, "out")
        return None

    def _view(self, row: stock_report.SummaryRow) -> LedgerRowView:
        return LedgerRowView(part_id=row.part_id or 0, code=row.code, name=row.name, opening=_figure(row.opening),
                             total_in=_figure(row.total_in), total_out=_figure(row.total_out),
                             closing=_figure(row.closing),
                             url=f"/parts/ledger/{row.part_id}?{self.filters}" if row.part_id else "")

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        today = local_day(utc_now())
        first, last = preset_range("month", today)
        self.date_from = str(params.get("from") or first.isoformat())
        self.date_to = str(params.get("to") or last.isoformat())
        self.preset = "month" if (self.date_from, self.date_to) == (first.isoformat(), last.isoformat()) \
            else "custom"
        self.warehouse = str(params.get("warehouse") or "")
        self.search = str(params.get("q") or "")
        self.page, self.loaded, self.rows = 0, False, []
        return await self._run(Permission.VIEW_STOCK_REPORTS)

    @rx.event
    async def choose_preset(self, preset: str):
        self.preset = preset
        if preset != "custom":
            first, last = preset_range(preset, local_day(utc_now()))
            self.date_from, self.date_to, self.page = first.isoformat(), last.isoformat(), 0
            return await self._run()
        return None

    @rx.event
    async def apply(self, form: dict):
        self.date_from = str(form.get("from") or self.date_from).strip()
        self.date_to = str(form.get("to") or self.date_to).strip()
        self.warehouse = str(form.get("warehouse") or "").replace("all", "")
        self.search = str(form.get("q") or "").strip()
        self.page = 0
        return await self._run()

    @rx.event
    async def turn(self, step: int):
        self.page = max(0, min(self.page + step, self.pages - 1))
        return await self._run()


class LedgerDetailState(SessionState):
    """``/parts/ledger/<part id>``: one part's moves in the period."""

    title: str = ""
    period: str = ""
    opening: str = ""
    closing: str = ""
    moves: list[MoveView] = []
    back_url: str = "/parts/ledger"
    error: str = ""

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        part_id = str(self.router.page.params.get(DETAIL_ROUTE_ARG, "") or "")
        filters = {key: str(params.get(key) or "") for key in ("from", "to", "warehouse", "q")}
        self.back_url = "/parts/ledger?" + urlencode({k: v for k, v in filters.items() if v})
        shown = await self._in_read(lambda db, actor: stock_report.detail(
            db, actor, part_id, filters["from"], filters["to"], filters["warehouse"] or None),
            page=Permission.VIEW_STOCK_REPORTS)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error, self.moves, self.title, self.opening, self.closing = shown.error.message, [], "", "", ""
            return None
        detail = shown.value
        self.error = ""
        self.title = f"{detail.part.code} {detail.part.name}"
        self.period = f"{detail.period.date_from.isoformat()} 至 {detail.period.date_to.isoformat()}"
        self.opening, self.closing = _figure(detail.opening), _figure(detail.closing)
        self.moves = [MoveView(
            when=format_local(line.created_at), kind=line.kind.label, warehouse=line.warehouse,
            document=f"{line.document.label} {line.document.number}" if line.document else "",
            url=line.document.url if line.document else "",
            quantity_in=quantity(line.quantity) if line.quantity > 0 else "",
            quantity_out=quantity(-line.quantity) if line.quantity < 0 else "",
            value=money(line.value), running=_figure(line.running)) for line in detail.lines]
        return None
