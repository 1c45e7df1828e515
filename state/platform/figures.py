"""The manager's daily figures (``/figures``, X6): one day of the branch beside the same weekday a week earlier."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import reflex as rx

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import figures
from lantong_pwa.services.platform.figures import DailyFigures, DayFigures
from lantong_pwa.services.platform.parsing import parse_date, parse_int
from lantong_pwa.services.platform.permissions import Permission, sees_all_branches
from lantong_pwa.timezone import format_local, local_day
from models import PaymentMethod
from models.common import utc_now
from state.platform.session import SessionState
from state.platform.views import money

ALL_BRANCHES = "all"
WEEKDAYS = "一二三四五六日"


@dataclasses.dataclass
class FigureCard:
    key: str = ""
    label: str = ""
    value: str = ""
    week_ago: str = ""
    change: str = ""  # "▲ 12.5%", "▼ 3 个百分点", "持平", "—"
    tone: str = "gray"  # green: better, red: worse, gray: no change or no comparison


@dataclasses.dataclass
class TechnicianFigureRow:
    name: str = ""
    billed: str = ""
    clocked: str = ""
    efficiency: str = ""
    low: bool = False  # below 80%: worth a word with the technician


@dataclasses.dataclass
class BranchFigureRow:
    """One branch's day in the admin's side-by-side comparison: whole yuan, to fit a phone's width."""
    name: str = ""
    closed: bool = False
    cars: str = ""
    sales: str = ""
    aro: str = ""
    collections: str = ""


def yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"¥{amount.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"


def branch_figure_row(name: str, day: DayFigures, closed: bool = False) -> BranchFigureRow:
    return BranchFigureRow(name=name, closed=closed, cars=str(day.car_count), sales=yuan(day.total_sales),
                           aro=yuan(day.aro), collections=yuan(day.collections_total))


def chart_point(name: str, current: Decimal, week_ago: Decimal) -> dict:
    """One bar pair of a chart; floats only for the bar heights, the cards show the exact amounts."""
    return {"name": name, "current": float(current), "week_ago": float(week_ago)}


def _hours(value: Decimal) -> str:
    return f"{value:.2f}"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _change(current, previous, *, points: bool = False, lower_is_better: bool = False) -> tuple[str, str]:
    """The change from ``previous`` to ``current`` as text and a tone; percentages change in points."""
    if current is None or previous is None:
        return "—", "gray"
    difference = Decimal(current) - Decimal(previous)
    if difference == 0:
        return "持平", "gray"
    arrow = "▲" if difference > 0 else "▼"
    better = (difference > 0) != lower_is_better
    tone = "green" if better else "red"
    if points:
        return f"{arrow} {abs(difference):.1f} 个百分点", tone
    if previous == 0:
        return f"{arrow} 新增", tone
    return f"{arrow} {abs(difference) * 100 / Decimal(previous):.1f}%", tone


# (key, label, the value of a day, how it is shown, percentage?, lower is better?)
CardSpec = tuple[str, str, Callable[[DayFigures], object], Callable[[object], str], bool, bool]
_count: Callable[[object], str] = str
CARDS: tuple[CardSpec, ...] = (
    ("car_count", "进厂台次", lambda d: d.car_count, _count, False, False),
    ("total_sales", "营业额", lambda d: d.total_sales, money, False, False),
    ("aro", "单车产值", lambda d: d.aro, lambda v: "—" if v is None else money(v), False, False),
    ("collections", "收款合计", lambda d: d.collections_total, money, False, False),
    ("receivables", "新增挂账", lambda d: d.new_receivables, money, False, False),
    ("customer_sales", "客户自付", lambda d: d.customer_sales, money, False, False),
    ("opened", "开单", lambda d: d.orders_opened, _count, False, False),
    ("completed", "完工", lambda d: d.orders_completed, _count, False, False),
    ("settled", "结算", lambda d: d.orders_settled, _count, False, False),
    ("labor_sales", "工时收入", lambda d: d.labor_sales, money, False, False),
    ("parts_sales", "配件收入", lambda d: d.parts_sales, money, False, False),
    ("other_sales", "其他收入", lambda d: d.other_sales, money, False, False),
    ("billed_hours", "结算工时", lambda d: d.billed_hours, _hours, False, False),
    ("labor_rate", "实际工时单价", lambda d: d.effective_labor_rate,
     lambda v: "—" if v is None else money(v), False, False),
    ("parts_margin", "配件毛利率", lambda d: d.parts_margin, _percent, True, False),
    ("efficiency", "技师效率", lambda d: d.technician_efficiency, _percent, True, False),
    ("open_orders", "在修车辆", lambda d: d.open_orders, _count, False, False),
    ("late_orders", "超时未交车", lambda d: d.late_orders, _count, False, True),
)


def figure_cards(result: DailyFigures) -> list[FigureCard]:
    cards = []
    for key, label, read, show, points, lower_is_better in CARDS:
        current, previous = read(result.current), read(result.week_ago)
        change, tone = _change(current, previous, points=points, lower_is_better=lower_is_better)
        cards.append(FigureCard(key=key, label=label, value=show(current), week_ago=show(previous), change=change,
                                tone=tone))
    return cards


def _day_label(day: date) -> str:
    return f"{day:%Y-%m-%d} 周{WEEKDAYS[day.weekday()]}"


class FiguresState(SessionState):
    day: str = ""  # ISO date of the day shown
    branch: str = ""  # "" the user's own branch; for the admin "all" or a branch id
    branch_options: list[list[str]] = []  # [[value, name]], offered to the admin only
    branch_name: str = ""
    day_label: str = ""
    week_ago_label: str = ""
    as_of: str = ""
    cards: list[FigureCard] = []
    revenue_chart: list[dict[str, str | float]] = []
    collections_chart: list[dict[str, str | float]] = []
    collections: list[list[str]] = []  # [[method, label, amount]]: the chart's exact amounts, on account last
    payer_split: list[list[str]] = []  # [[payer, amount]]
    technicians: list[TechnicianFigureRow] = []
    # The admin's 全部门店: each branch's day side by side, and their sum.
    comparison: list[BranchFigureRow] = []
    comparison_total: BranchFigureRow = BranchFigureRow()
    low_stock: int = 0  # parts (per warehouse) below their safety stock, now
    # 应收、应付与资金, now: [[label, amount]] and each account's (or kind's) balance
    position: list[list[str]] = []
    account_balances: list[list[str]] = []
    error: str = ""

    @rx.var
    def picks_branch(self) -> bool:
        return len(self.branch_options) > 1

    async def _show(self, day: date | None = None, branch: str | None = None, page: Permission | None = None):
        """Load the figures for ``day`` and ``branch`` (default: what is on screen); messages go to ``error``. As the
        page's load (``page``), a refused person gets the redirect back."""
        self.error = ""

        def read(db, actor):
            chosen_day = day or parse_date(self.day, "day", "日期") or local_day(utc_now())
            choice = self.branch if branch is None else branch
            branch_id = None if choice in ("", ALL_BRANCHES) else parse_int(choice, "branch", "门店")
            options = figures.branch_choices(db, actor)
            compared = figures.branch_comparison(db, actor, chosen_day) \
                if branch_id is None and sees_all_branches(actor) else []
            return chosen_day, choice, options, figures.daily_figures(db, actor, chosen_day, branch_id), \
                sees_all_branches(actor), compared

        shown = await self._in_read(read, page=page)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
            return None
        chosen_day, choice, options, result, is_admin, compared = shown.value
        self.day = chosen_day.isoformat()
        self.branch = choice if choice else ("" if not is_admin else ALL_BRANCHES)
        self.branch_options = ([[ALL_BRANCHES, "全部门店"]] if len(options) > 1 else []) + [
            [str(branch_id), name] for branch_id, name in options]
        self.branch_name = result.branch_name
        self.low_stock = result.low_stock
        held = result.position
        self.position = [["应收余额", money(held.receivable)], ["其中逾期", money(held.overdue_receivable)],
                         ["应付余额", money(held.payable)], ["资金合计", money(held.cash_total)]]
        self.account_balances = [[name, money(balance)] for name, balance in held.accounts]
        self.day_label = _day_label(result.current.day)
        self.week_ago_label = _day_label(result.week_ago.day)
        self.as_of = format_local(result.current.as_of, "%m-%d %H:%M")
        self.cards = figure_cards(result)
        self.comparison = [branch_figure_row(b.name, b.figures, closed=not b.is_open) for b in compared] \
            if len(compared) > 1 else []
        self.comparison_total = branch_figure_row("合计", result.current)
        current, previous = result.current, result.week_ago
        self.revenue_chart = [
            chart_point(name, read(current), read(previous))
            for name, read in (("工时", lambda d: d.labor_sales), ("配件", lambda d: d.parts_sales),
                               ("其他", lambda d: d.other_sales))]
        self.collections_chart = [
            chart_point(method.label, current.collections[method], previous.collections[method])
            for method in figures.COLLECTION_METHODS
        ] + [chart_point("挂账", current.new_receivables, previous.new_receivables)]
        self.collections = [[method.value, method.label, money(current.collections[method])]
                            for method in figures.COLLECTION_METHODS] + [
            [PaymentMethod.ON_ACCOUNT.value, PaymentMethod.ON_ACCOUNT.label, money(current.new_receivables)]]
        self.payer_split = [[label, money(amount)] for label, amount in (
            ("自费", current.customer_sales), ("三包", current.warranty_sales), ("保险", current.insurance_sales),
            ("内部", current.internal_sales), ("整单优惠", -current.order_discounts))]
        self.technicians = [
            TechnicianFigureRow(name=t.name, billed=_hours(t.billed_hours), clocked=_hours(t.clocked_hours),
                                efficiency=_percent(t.efficiency),
                                low=t.efficiency is not None and t.efficiency < 80)
            for t in current.technicians
        ]

    @rx.event
    async def load(self):
        return await self._show(day=local_day(utc_now()), page=Permission.VIEW_FIGURES)

    @rx.event
    async def pick_day(self, value: str):
        try:
            day = parse_date(value, "day", "日期")
        except DomainError as error:
            self.error = error.message
            return
        await self._show(day=day)

    @rx.event
    async def shift_day(self, days: int):
        try:
            current = parse_date(self.day, "day", "日期") or local_day(utc_now())
        except DomainError:
            current = local_day(utc_now())
        await self._show(day=current + timedelta(days=int(days)))

    @rx.event
    async def pick_branch(self, value: str):
        await self._show(branch=value)
