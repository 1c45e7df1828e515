"""``/parts/prices/adjust``: 调价 — choose parts, a rule and a rounding, preview old → new, then apply; the recent
adjustments and one part's price history."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, card, empty_note, field_error, hidden_input, labelled
from pages.layout import page
from state.parts.price_adjustments import AdjustmentRow, HistoryRow, PriceAdjustState, PriceLine
from pages.parts.part_search import part_search
from pages.parts.purchasing import _supplier_option as _option
from state.parts.purchasing import Choice

P = PriceAdjustState


def _category_option(name) -> rx.Component:
    return rx.el.option(name, value=name)


def _chosen(choice: Choice) -> rx.Component:
    return rx.badge(choice.label, rx.icon("x", size=14, on_click=P.unchoose(choice.id), aria_label="移除"),
                    size="3", variant="soft")


def _selection() -> rx.Component:
    return card(
        rx.heading("调价", size="4"),
        rx.text("选择类别、供应商或指定配件（可组合），按规则预览后再执行。已结算的单据不受影响。", size="2",
                color_scheme="gray"),
        *part_search(P.search, P.errors, P.choices, P.choose),
        rx.flex(rx.foreach(P.chosen, _chosen), wrap="wrap", gap="2"),
        rx.form(
            rx.vstack(
                field_error(P.errors, "form"),
                field_error(P.errors, "selection"),
                rx.grid(
                    labelled("配件类别", rx.el.select(rx.el.option("全部类别", value=""),
                                                   rx.foreach(P.categories, _category_option), name="category",
                                                   class_name="native-select", aria_label="配件类别",
                                                   id="adjust-category"), P.errors, "category"),
                    labelled("供应商", rx.el.select(rx.el.option("全部供应商", value=""),
                                                 rx.foreach(P.suppliers, _option), name="supplier_id",
                                                 class_name="native-select", aria_label="供应商"),
                             P.errors, "supplier_id"),
                    columns="2", spacing="3", width="100%",
                ),
                labelled("调价方式", rx.radio_group.root(
                    rx.radio_group.item("按售价 ±%", value="percent"),
                    rx.radio_group.item("按成本加成 %（有库存用平均成本，否则用档案成本）", value="margin"),
                    name="rule", default_value="percent", direction="column", size="3",
                ), P.errors, "rule"),
                rx.grid(
                    labelled("百分比", rx.input(name="percent", placeholder="如 5 或 -10", size="3",
                                             input_mode="decimal", aria_label="百分比", id="adjust-percent"),
                             P.errors, "percent", required=True),
                    labelled("取整", rx.el.select(rx.el.option("到元", value="1"), rx.el.option("到角", value="0.1"),
                                               name="rounding", class_name="native-select", aria_label="取整"),
                             P.errors, "rounding"),
                    columns="2", spacing="3", width="100%",
                ),
                hidden_input("request_key", P.key),
                rx.button(rx.icon("eye"), "预览", type="submit", size="4", width="100%", id="adjust-preview"),
                width="100%", spacing="3",
            ),
            on_submit=P.preview, reset_on_submit=False, width="100%",
        ),
    )


def _price_line(line: PriceLine) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(line.name, weight="medium"), rx.text(line.code, size="2", color_scheme="gray"),
                  spacing="0"),
        rx.spacer(),
        rx.text(line.old, color_scheme="gray", text_decoration="line-through"),
        rx.icon("arrow-right", size=14),
        rx.text(line.new, weight="bold", color_scheme=rx.cond(line.up, "red", "green")),
        align="center", width="100%", class_name="line-row price-line",
    )


def _shown() -> rx.Component:
    s = P.shown
    return rx.cond(s.id != 0, card(
        rx.hstack(rx.heading(s.number, size="4"), rx.badge(s.status, size="2", id="adjust-status"), align="center"),
        rx.text(s.what, size="2", color_scheme="gray"),
        rx.text("共 ", rx.text.span(s.count, id="adjust-count", weight="bold"), " 个配件调价", size="3"),
        rx.foreach(s.lines, _price_line),
        rx.hstack(
            rx.cond(P.actions.contains("apply"),
                    rx.button(rx.icon("check"), "执行调价", size="4", flex="1", id="adjust-apply",
                              on_click=P.act("apply"))),
            rx.cond(P.actions.contains("cancel"),
                    rx.button("作废", size="4", variant="soft", color_scheme="gray", on_click=P.act("cancel"))),
            width="100%",
        ),
        id="adjust-shown",
    ))


def _recent(row: AdjustmentRow) -> rx.Component:
    return rx.button(
        rx.vstack(rx.text(row.number, " · ", row.status, weight="medium"),
                  rx.text(row.what, " · ", row.when, size="2", color_scheme="gray"), spacing="0", align="start"),
        variant="ghost", size="3", width="100%", justify="start", height="auto", on_click=P.open(row.id),
    )


def _history_row(row: HistoryRow) -> rx.Component:
    return rx.hstack(rx.text(row.when, size="2"), rx.text(row.number, size="2", color_scheme="gray"), rx.spacer(),
                     rx.text(row.old, " → ", row.new), width="100%", class_name="line-row")


@page("调价")
def price_adjust_page():
    return [
        back_link("配件", "/parts"),
        banner_error(P.error),
        _selection(),
        _shown(),
        card(rx.heading("最近调价单", size="4"),
             rx.cond(P.recent.length() > 0, rx.foreach(P.recent, _recent), empty_note("还没有调价单"))),
        card(rx.heading("配件调价记录", size="4"),
             *part_search(P.search_history, P.errors, P.history_choices, P.show_history),
             rx.cond(P.history_part != "", rx.vstack(
                 rx.text(P.history_part, weight="bold"),
                 rx.cond(P.history.length() > 0, rx.foreach(P.history, _history_row), empty_note("没有调价记录")),
                 width="100%", spacing="2", id="price-history"))),
    ]
