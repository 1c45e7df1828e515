"""``/figures``: the manager's day on a phone: figure cards beside the same weekday a week earlier, two charts,
how the sales split by payer, and each technician's efficiency."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, page_loading, sideways_scroll
from pages.layout import page
from pages.parts.safety_stock import low_stock_links
from pages.when_visible import when_visible
from state.platform.figures import BranchFigureRow, FigureCard, FiguresState, TechnicianFigureRow

CURRENT_COLOUR = "var(--accent-9)"
CHART_HEIGHT = 240
WEEK_AGO_COLOUR = "var(--gray-8)"


def _change_badge(change: rx.Var, tone: rx.Var) -> rx.Component:
    return rx.match(
        tone,
        ("green", rx.badge(change, color_scheme="green", variant="soft")),
        ("red", rx.badge(change, color_scheme="red", variant="soft")),
        rx.badge(change, color_scheme="gray", variant="soft"),
    )


def figure_card(item: FigureCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item.label, size="2", color_scheme="gray"),
            rx.text(item.value, size="6", weight="bold", class_name="figure-value"),
            rx.hstack(
                rx.text("上周 ", item.week_ago, size="1", color_scheme="gray"),
                _change_badge(item.change, item.tone),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="1",
        ),
        id=f"figure-{item.key}",
        class_name="figure-card",
    )


def controls() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon_button(rx.icon("chevron-left"), variant="soft", size="3", on_click=FiguresState.shift_day(-1),
                           aria_label="前一天"),
            rx.input(type="date", value=FiguresState.day, on_change=FiguresState.pick_day, size="3", flex="1",
                     aria_label="日期", id="figures-day"),
            rx.icon_button(rx.icon("chevron-right"), variant="soft", size="3", on_click=FiguresState.shift_day(1),
                           aria_label="后一天"),
            width="100%",
            align="center",
        ),
        rx.cond(
            FiguresState.picks_branch,
            rx.el.select(
                rx.foreach(FiguresState.branch_options,
                           lambda option: rx.el.option(option[1], value=option[0])),
                value=FiguresState.branch,
                on_change=FiguresState.pick_branch,
                class_name="native-select",
                aria_label="门店",
                id="figures-branch",
            ),
        ),
        rx.text(FiguresState.branch_name, " · ", FiguresState.day_label, " · 对比 ", FiguresState.week_ago_label,
                size="2", color_scheme="gray"),
        width="100%",
        spacing="2",
    )


def _compared(row: BranchFigureRow, total: bool = False) -> rx.Component:
    cell = rx.el.th if total else rx.el.td
    return rx.el.tr(
        rx.el.th(row.name, rx.cond(row.closed, rx.text.span("（已停业）", color_scheme="gray")), scope="row"),
        *[cell(value, class_name="num") for value in (row.cars, row.sales, row.aro, row.collections)],
        class_name="total" if total else "",
    )


def branch_comparison() -> rx.Component:
    """The admin's branches side by side: one row each, four key figures, in whole yuan to fit a phone."""
    return rx.cond(
        FiguresState.comparison.length() > 0,
        card(
            rx.heading("门店对比", size="4"),
            rx.box(
                rx.el.table(
                    rx.el.thead(rx.el.tr(rx.el.th("门店"), *[rx.el.th(h, class_name="num")
                                                           for h in ("台次", "营业额", "单车产值", "收款")])),
                    rx.el.tbody(rx.foreach(FiguresState.comparison, lambda row: _compared(row)),
                                _compared(FiguresState.comparison_total, total=True)),
                    class_name="branch-compare",
                    id="branch-comparison",
                ),
                **sideways_scroll("门店对比"),
            ),
            rx.text("金额取整到元；台次、营业额、单车产值、收款的含义同下方卡片。", size="1", color_scheme="gray"),
        ),
    )


def bar_chart(data: rx.Var, title: str, *below: rx.Component) -> rx.Component:
    return card(
        rx.heading(title, size="4"),
        # Recharts is the heaviest script of the app: a chart is drawn only when it scrolls into view, without the
        # grow-in animation (each of its frames re-renders the chart on a slow phone).
        when_visible(
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.x_axis(data_key="name", interval=0, font_size=12),
                rx.recharts.y_axis(width=56),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                rx.recharts.bar(data_key="current", name="当日", fill=CURRENT_COLOUR, is_animation_active=False),
                rx.recharts.bar(data_key="week_ago", name="上周同日", fill=WEEK_AGO_COLOUR, is_animation_active=False),
                data=data,
                width="100%",
                height=CHART_HEIGHT,
            ),
            min_height=f"{CHART_HEIGHT}px",
        ),
        *below,
    )


def collections_list() -> rx.Component:
    """The exact amount of each method under its chart (bars show only the proportions)."""
    return rx.foreach(
        FiguresState.collections,
        lambda row: rx.hstack(rx.text(row[1]), rx.spacer(), rx.text(row[2], weight="medium"), width="100%",
                              class_name="line-row", id="collection-" + row[0]),
    )


def technician_row(row: TechnicianFigureRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name),
        rx.table.cell(row.billed, text_align="right"),
        rx.table.cell(row.clocked, text_align="right"),
        rx.table.cell(rx.text(row.efficiency, color_scheme=rx.cond(row.low, "red", "gray"),
                              weight=rx.cond(row.low, "bold", "regular")), text_align="right"),
    )


def technicians() -> rx.Component:
    return card(
        rx.heading("技师效率", size="4"),
        rx.text("效率 = 结算工时 ÷ 打卡工时", size="1", color_scheme="gray"),
        rx.cond(
            FiguresState.technicians.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("技师"),
                    rx.table.column_header_cell("结算工时", text_align="right"),
                    rx.table.column_header_cell("打卡工时", text_align="right"),
                    rx.table.column_header_cell("效率", text_align="right"),
                )),
                rx.table.body(rx.foreach(FiguresState.technicians, technician_row)),
                width="100%",
                size="2",
                id="technician-efficiency",
            ),
            empty_note("当天没有结算工时或打卡记录"),
        ),
    )


def payer_split() -> rx.Component:
    return card(
        rx.heading("营业额构成（按付款方）", size="4"),
        rx.foreach(
            FiguresState.payer_split,
            lambda row: rx.hstack(rx.text(row[0]), rx.spacer(), rx.text(row[1], weight="medium"),
                                  width="100%", class_name="line-row"),
        ),
        id="payer-split",
    )


def money_position() -> rx.Component:
    """应收、应付与资金 as of now, whatever day is shown."""
    line = lambda row: rx.hstack(rx.text(row[0]), rx.spacer(), rx.text(row[1], weight="medium"),  # noqa: E731
                                 width="100%", class_name="line-row")
    return card(
        rx.heading("应收应付与资金（当前）", size="4"),
        rx.foreach(FiguresState.position, line),
        rx.divider(),
        rx.foreach(FiguresState.account_balances, line),
        id="money-position",
    )


def low_stock() -> rx.Component:
    """Parts below their safety stock now, with the way to the purchase plan and the safety-stock screen."""
    return rx.cond(FiguresState.low_stock > 0, rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.vstack(rx.text(FiguresState.low_stock, " 项配件低于安全库存", weight="medium"), low_stock_links(True),
                  spacing="1"),
        color_scheme="orange",
        width="100%",
        id="figures-low-stock",
    ))


def figures() -> rx.Component:
    return rx.fragment(
        low_stock(),
        branch_comparison(),
        rx.grid(rx.foreach(FiguresState.cards, figure_card), columns=rx.breakpoints(initial="2", sm="3", lg="4"),
                spacing="2", width="100%"),
        rx.text("在修车辆与超时未交车统计截至 ", FiguresState.as_of, size="1", color_scheme="gray"),
        rx.grid(
            bar_chart(FiguresState.revenue_chart, "营收（按类别）"),
            bar_chart(FiguresState.collections_chart, "收款（按方式）", collections_list()),
            payer_split(),
            money_position(),
            technicians(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
    )


@page("经营数据")
def figures_page():
    # Everything below the controls appears at once when the day is loaded (a spinner until then), so the charts
    # never jump down the screen as the figure cards arrive.
    return [
        controls(),
        banner_error(FiguresState.error),
        rx.cond(FiguresState.day != "", figures(),
                rx.cond(FiguresState.error == "", page_loading())),
    ]
