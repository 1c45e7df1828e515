"""``/parts/safety-stock``: 安全库存 — the period and days, the table of current vs suggested minimum / maximum, apply
to all or chosen rows, and one row's limits edited by hand."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, card, empty_note, field_error, labelled, sideways_scroll
from pages.layout import page
from state.parts.safety_stock import SHOWN_ROWS, SafetyStockState, SuggestionRow

S = SafetyStockState


def low_stock_links(can_set_limits) -> rx.Component:
    """Where a low-stock alert leads: the purchase plan, and 安全库存 for those who set limits."""
    return rx.hstack(
        rx.link(rx.icon("shopping-cart", size=16), "去采购计划", href="/purchasing", size="3", class_name="back-link"),
        rx.cond(can_set_limits, rx.link(rx.icon("gauge", size=16), "调整安全库存", href="/parts/safety-stock",
                                        size="3", class_name="back-link")),
        spacing="4",
        wrap="wrap",
    )


def _setting(label: str, name: str, value, **props) -> rx.Component:
    return labelled(label, rx.input(name=name, default_value=value, key=S.basis, size="3", width="100%",
                                    on_change=S.settings_changed, id="ss-" + name.replace("_", "-"), **props),
                    S.errors, name, required=True)


def settings_form() -> rx.Component:
    return rx.form(
        card(
            rx.heading("统计期间与天数", size="4"),
            rx.text("可选任意期间，如去年同期（旺季）。到货天数取供应商报价，没有报价的按", S.default_lead_days,
                    "天计。", size="2", color_scheme="gray"),
            rx.grid(
                _setting("开始日期", "start", S.start, type="date"),
                _setting("结束日期", "end", S.end, type="date"),
                _setting("安全天数", "safety_days", S.safety_days, input_mode="numeric"),
                _setting("备货天数", "cover_days", S.cover_days, input_mode="numeric"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.text("最低 = 日均用量 × (到货天数 + 安全天数)，最高 = 最低 + 日均用量 × 备货天数，向上取整",
                    size="1", color_scheme="gray"),
            rx.button(rx.icon("calculator"), "计算建议", type="submit", size="3", width="100%", id="ss-calculate"),
        ),
        on_submit=S.calculate,
        reset_on_submit=False,
        width="100%",
    )


def _edit_form(row: SuggestionRow) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="minimum", default_value=row.minimum, placeholder="最低", size="3", width="5em",
                     input_mode="decimal", aria_label="最低库存"),
            rx.input(name="maximum", default_value=row.maximum, placeholder="最高", size="3", width="5em",
                     input_mode="decimal", aria_label="最高库存"),
            rx.button("保存", type="submit", size="3"),
            rx.button("取消", type="button", size="3", variant="soft", color_scheme="gray", on_click=S.close_edit),
            align="center",
            wrap="wrap",
        ),
        field_error(S.edit_errors, "minimum"),
        field_error(S.edit_errors, "maximum"),
        field_error(S.edit_errors, "form"),
        on_submit=S.save_limit,
        reset_on_submit=False,
    )


def _row(row: SuggestionRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.checkbox(row.name, checked=S.chosen.contains(row.key), on_change=lambda on: S.toggle(row.key, on),
                        size="3", id="ss-choose-" + row.key, weight="medium"),
            rx.text(row.code, " · ", row.warehouse, size="1", color_scheme="gray"),
        ),
        rx.table.cell(rx.text(row.used), rx.text("日均", row.daily, size="1", color_scheme="gray"),
                      text_align="right"),
        rx.table.cell(row.lead, text_align="right"),
        rx.table.cell(row.on_hand, text_align="right"),
        rx.table.cell(
            rx.cond(S.editing == row.key, _edit_form(row),
                    rx.hstack(rx.text(row.current),
                              rx.button(rx.icon("pencil", size=16), "改", size="3", variant="soft",
                                        on_click=S.edit(row.key), aria_label="手工修改 " + row.code),
                              align="center", spacing="1")),
            text_align="right",
        ),
        rx.table.cell(rx.text(row.suggested, weight=rx.cond(row.changes, "bold", "regular")), text_align="right"),
        id="ss-row-" + row.key,
    )


def table() -> rx.Component:
    return card(
        rx.text(S.basis, size="2", color_scheme="gray"),
        rx.cond(S.stale, rx.callout("期间或天数已更改，请点「计算建议」后再应用", icon="info", color_scheme="orange",
                                    id="ss-stale")),
        rx.text("共", S.total, "项建议，", S.to_change, "项与现有不同",
                rx.cond(S.total > SHOWN_ROWS, f"（列出前{SHOWN_ROWS}项）", ""), size="2", id="ss-count"),
        rx.hstack(
            rx.button(rx.icon("check-check"), "全部应用", size="3", on_click=S.apply_all, id="ss-apply-all",
                      disabled=S.stale | (S.to_change == 0)),
            rx.button(rx.icon("check"), "应用所选", size="3", variant="soft", on_click=S.apply_chosen,
                      id="ss-apply-chosen", disabled=S.stale | (S.chosen.length() == 0)),
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("配件 · 仓库"),
                        rx.table.column_header_cell("期间用量", text_align="right"),
                        rx.table.column_header_cell("到货", text_align="right"),
                        rx.table.column_header_cell("现有", text_align="right"),
                        rx.table.column_header_cell("当前 最低/最高", text_align="right"),
                        rx.table.column_header_cell("建议 最低/最高", text_align="right"),
                    )),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    size="2",
                    width="100%",
                ),
                **sideways_scroll("安全库存建议"),
            ),
            empty_note("这段期间没有领用记录，无法给出建议"),
        ),
    )


@page("安全库存")
def safety_stock_page():
    return [
        back_link("配件", "/parts"),
        banner_error(S.error),
        settings_form(),
        rx.cond(S.basis != "", table()),
    ]
