"""Stocktaking (盘点) on a phone: the sheets and a new one, counting a shelf by typing or scanning (blind), the
manager's review and posting, and the printed count list."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    back_link,
    banner_error,
    card,
    empty_note,
    field_error,
    labelled,
    page_loading,
    printable_sheet,
    sheet_header,
)
from pages.layout import page
from pages.scanner import scan_button
from state.parts.stocktake import (
    DEFAULT_THRESHOLD,
    SCOPES,
    STATUS_COLOURS,
    Choice,
    CountPrintState,
    CountReviewState,
    CountRow,
    CountSheetState,
    MoveRow,
    PrintShelf,
    ReviewRow,
    SheetRow,
    StocktakeState,
)

L = StocktakeState
C = CountSheetState
R = CountReviewState


def _hidden(name: str, value) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value, read_only=True)


def _status_badge(label, value, **props) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(value, *STATUS_COLOURS.items(), "gray"), size="2", **props)


# --- /parts/stocktake -------------------------------------------------------------------------------------------


def _sheet_row(row: SheetRow) -> rx.Component:
    return rx.link(
        rx.card(rx.vstack(
            rx.hstack(rx.text(row.number, weight="bold", size="4"), rx.spacer(),
                      _status_badge(row.status, row.status_value), width="100%"),
            rx.text(row.warehouse, " · ", row.scope, size="2"),
            rx.text(row.progress, " · ", row.created, size="2", color_scheme="gray"),
            spacing="1", width="100%"), width="100%"),
        href=row.url, underline="none", width="100%", class_name="count-sheet-row",
    )


def _option(choice: Choice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.id)


def _value_box(value: rx.Var) -> rx.Component:
    return rx.el.label(rx.checkbox(name="value." + value, size="3"), rx.text(value, size="3"),
                       class_name="count-scope-value", display="flex", align_items="center", gap="0.5em",
                       min_height="44px", padding_right="1em")


def _scope_values() -> rx.Component:
    def boxes(items) -> rx.Component:
        return rx.cond(items.length() > 0,
                       rx.flex(rx.foreach(items, _value_box), wrap="wrap", width="100%"),
                       empty_note("这个仓库的配件还没有设置"))

    return rx.match(
        L.scope,
        ("shelves", labelled("库位", boxes(L.shelves), L.errors, "scope_values")),
        ("categories", labelled("分类", boxes(L.categories), L.errors, "scope_values")),
        ("abc", labelled("ABC类（按近90天领料金额：A占前80%，B其次15%，C其余）",
                         rx.flex(rx.foreach(rx.Var.create(["A", "B", "C"]), _value_box), wrap="wrap"),
                         L.errors, "scope_values")),
        rx.fragment(),
    )


def _new_sheet_form() -> rx.Component:
    return card(
        rx.heading("新建盘点单", size="4"),
        rx.form(
            rx.vstack(
                labelled("仓库", rx.el.select(rx.foreach(L.warehouses, _option), name="warehouse_id",
                                              value=L.warehouse_id, on_change=L.choose_warehouse,
                                              class_name="native-select", id="count-warehouse"),
                         L.errors, "warehouse_id"),
                labelled("盘点范围", rx.el.select(*[rx.el.option(label, value=value) for value, label in SCOPES],
                                                  name="scope", value=L.scope, on_change=L.choose_scope,
                                                  class_name="native-select", id="count-scope"),
                         L.errors, "scope"),
                _scope_values(),
                labelled("复盘金额（元）", rx.input(name="recount_threshold", default_value=DEFAULT_THRESHOLD,
                                                  input_mode="decimal", size="3", id="count-threshold"),
                         L.errors, "recount_threshold"),
                rx.text(f"差异金额（差异数量×平均成本）超过此值的配件需复盘，默认{DEFAULT_THRESHOLD}元。",
                        size="2", color_scheme="gray"),
                labelled("备注", rx.input(name="note", size="3", id="count-note"), L.errors, "note"),
                field_error(L.errors, "form"),
                _hidden("request_key", L.new_key),
                rx.button(rx.icon("clipboard-list"), "生成盘点单", type="submit", size="4", width="100%",
                          id="count-create"),
                spacing="3", width="100%",
            ),
            on_submit=L.create, reset_on_submit=False, width="100%",
        ),
    )


@page("盘点")
def stocktake_page():
    return [
        back_link("配件", "/parts"),
        banner_error(L.error),
        rx.cond(
            L.loaded,
            rx.vstack(
                _new_sheet_form(),
                rx.heading("盘点单", size="4"),
                rx.cond(L.sheets.length() > 0, rx.vstack(rx.foreach(L.sheets, _sheet_row), width="100%"),
                        empty_note("还没有盘点单")),
                width="100%", spacing="3",
            ),
            page_loading(),
        ),
    ]


# --- /parts/stocktake/<id> --------------------------------------------------------------------------------------


def _count_form(line: CountRow) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="quantity", default_value=line.counted, placeholder="实盘数", size="3",
                     input_mode="decimal", width="6.5em", aria_label="实盘数量",
                     key=C.count_key + "-" + line.id.to_string(), id="count-qty-" + line.id.to_string()),
            rx.text(line.unit, size="2"),
            rx.button(rx.icon("check"), "确定", type="submit", size="3", flex="1"),
            _hidden("line_id", line.id),
            _hidden("request_key", C.count_key),
            width="100%", align="center",
        ),
        rx.cond(C.error_line == line.id, field_error(C.count_errors, "quantity")),
        on_submit=C.count, reset_on_submit=False, width="100%",
    )


def _count_line(line: CountRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(rx.text(line.name, size="4", weight="bold"),
                          rx.text(line.code, " ", line.spec, " · ", line.shelf, size="2", color_scheme="gray"),
                          spacing="0"),
                rx.spacer(),
                rx.cond(line.recount != "", rx.badge(line.recount, size="2", color_scheme=rx.cond(
                    line.recount == "需复盘", "red", "green"))),
                rx.cond(line.counted != "", rx.badge("已盘 ", line.counted, size="2", color_scheme="blue"),
                        rx.badge("未盘", size="2", color_scheme="gray")),
                width="100%", align="start",
            ),
            rx.cond(line.counted_by != "", rx.text(line.counted_by, size="1", color_scheme="gray")),
            rx.cond(C.can_count, _count_form(line)),
            spacing="2", width="100%",
        ),
        width="100%", id="count-line-" + line.id.to_string(),
        class_name=rx.cond(C.last_counted == line.id, "count-line counted", "count-line"),
    )


def _scanned(code) -> list:
    """A scanned code goes into the code box; the clerk types the count next."""
    return [rx.set_value("count-code", code), rx.call_script("document.getElementById('count-quantity').focus()")]


def _scan_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="code", id="count-code", placeholder="输入或扫描配件编码/条码", size="3", flex="1",
                     aria_label="配件编码", auto_complete="off"),
            rx.input(name="quantity", id="count-quantity", placeholder="实盘数", size="3", width="5.5em",
                     input_mode="decimal", aria_label="扫码实盘数量"),
            rx.button(rx.icon("check"), "录入", type="submit", size="3"),
            _hidden("request_key", C.count_key),
            width="100%", align="center",
        ),
        rx.cond(C.error_line == 0, rx.fragment(field_error(C.count_errors, "code"),
                                               field_error(C.count_errors, "quantity"),
                                               field_error(C.count_errors, "form"))),
        on_submit=C.count, reset_on_submit=False, width="100%",
    )


def _shelf_picker() -> rx.Component:
    return rx.hstack(
        rx.text("库位", size="3", weight="medium"),
        rx.el.select(rx.el.option("全部", value="全部"), rx.foreach(C.shelves, lambda s: rx.el.option(s, value=s)),
                     value=rx.cond(C.shelf == "", "全部", C.shelf), on_change=C.choose_shelf,
                     class_name="native-select", id="count-shelf", aria_label="库位"),
        rx.button(rx.icon("refresh-cw"), "刷新", variant="soft", size="3", on_click=C.refresh, type="button",
                  id="count-refresh"),
        width="100%", align="center",
    )


def _review_row(row: ReviewRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.text(row.name, weight="medium"), rx.text(row.code, " · ", row.shelf, size="1",
                                                              color_scheme="gray")),
        rx.el.td(row.expected, class_name="num"),
        rx.el.td(row.counted, class_name="num"),
        rx.el.td(row.variance, class_name="num strong"),
        rx.el.td(row.value, class_name="num"),
        rx.el.td(rx.cond(row.needs_recount & R.can_confirm,
                         rx.vstack(rx.badge("需复盘", color_scheme="red"),
                                   rx.button("确认差异", size="2", variant="soft", type="button",
                                             on_click=R.confirm(row.line_id)), spacing="1"),
                         rx.text(row.recount, size="1")), rx.text(row.counted_by, size="1", color_scheme="gray")),
        id="review-line-" + row.line_id.to_string(),
    )


def _move_row(row: MoveRow) -> rx.Component:
    return rx.el.tr(rx.el.td(row.name, " ", row.code), rx.el.td(row.kind), rx.el.td(row.quantity, class_name="num"),
                    rx.el.td(row.unit_cost, class_name="num"), rx.el.td(row.value, class_name="num"))


def _review() -> rx.Component:
    return card(
        rx.heading("差异审核（店长）", size="4"),
        rx.text("账面数为录入盘点数那一刻的库存（之后的领料、入库不算差异）。差异 = 实盘 − 账面。", size="2",
                color_scheme="gray"),
        rx.text("盘盈 ", R.gain, " · 盘亏 ", R.loss, size="3", weight="medium", id="review-totals"),
        rx.box(rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th("配件"), rx.el.th("账面", class_name="num"),
                                 rx.el.th("实盘", class_name="num"), rx.el.th("差异", class_name="num"),
                                 rx.el.th("金额", class_name="num"), rx.el.th("复盘"))),
            rx.el.tbody(rx.foreach(R.rows, _review_row)),
            class_name="sheet-lines", width="100%"), width="100%", overflow_x="auto"),
        rx.cond(R.uncounted.length() > 0, rx.callout.root(
            rx.callout.text("未盘 ", R.uncounted.length(), " 项：",
                            rx.foreach(R.uncounted, lambda n: rx.text.span(n, "　"))),
            rx.callout.text("未盘的配件过账时不产生库存变动，库存保持账面数。"),
            color_scheme="gray", width="100%", id="review-uncounted")),
        rx.cond(R.flagged > 0, rx.callout.root(
            rx.callout.text("还有 ", R.flagged, " 个配件需复盘：请盘点员再盘一次，或由店长确认差异后过账。"),
            color_scheme="orange", width="100%", id="review-flagged")),
        rx.cond(R.can_post, rx.button(rx.icon("book-check"), "过账", size="4", width="100%", color_scheme="green",
                                      on_click=R.post, id="count-post", type="button")),
        rx.cond(R.moves.length() > 0, rx.vstack(
            rx.heading("过账的库存变动", size="3"),
            rx.box(rx.el.table(rx.el.tbody(rx.foreach(R.moves, _move_row)), class_name="sheet-lines",
                               width="100%"), width="100%", overflow_x="auto", id="review-moves"),
            width="100%")),
        banner_error(R.error),
    )


@page("盘点单")
def count_sheet_page():
    return [
        back_link("盘点", "/parts/stocktake"),
        banner_error(C.error),
        rx.cond(
            C.found,
            rx.vstack(
                rx.hstack(rx.heading(C.number, size="5", id="count-number"), rx.spacer(),
                          _status_badge(C.status, C.status_value, id="count-status"), width="100%",
                          align="center"),
                rx.text(C.warehouse, " · ", C.scope, " · ", C.progress, size="2", id="count-progress"),
                rx.text("盲盘：不显示账面库存。差异超过 ", C.threshold, " 元需复盘。", size="2", color_scheme="gray"),
                rx.hstack(
                    rx.cond(C.can_start, rx.button(rx.icon("play"), "开始盘点", size="4", on_click=C.start,
                                                   id="count-start", type="button", flex="1")),
                    rx.link(rx.button(rx.icon("printer"), "打印盘点表", variant="soft", size="3", type="button"),
                            href="/parts/stocktake/" + C.sheet_id.to_string() + "/print"),
                    rx.cond(C.can_cancel, rx.button("作废", color_scheme="red", variant="soft", size="3",
                                                    on_click=C.cancel, type="button", id="count-cancel")),
                    width="100%", wrap="wrap", align="center",
                ),
                rx.cond(C.can_count, rx.fragment(scan_button(_scanned, "扫码盘点"), _scan_form())),
                _shelf_picker(),
                rx.cond(C.lines.length() > 0, rx.vstack(rx.foreach(C.lines, _count_line), width="100%",
                                                         spacing="3"),
                        empty_note("这个库位没有配件")),
                rx.cond(R.can_review, _review()),
                width="100%", spacing="3",
            ),
            rx.cond(C.error == "", page_loading()),
        ),
    ]


# --- /parts/stocktake/<id>/print --------------------------------------------------------------------------------


def _print_line(line: CountRow) -> rx.Component:
    return rx.el.tr(rx.el.td(line.code), rx.el.td(line.name, " ", line.spec), rx.el.td(line.unit),
                    rx.el.td("", class_name="num count-blank"), rx.el.td(""))


def _print_shelf(shelf: PrintShelf) -> rx.Component:
    return rx.el.section(
        rx.el.h3("库位 ", shelf.shelf),
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th("编码"), rx.el.th("配件"), rx.el.th("单位"),
                                 rx.el.th("实盘数", class_name="num"), rx.el.th("备注"))),
            rx.el.tbody(rx.foreach(shelf.lines, _print_line)),
            class_name="sheet-lines",
        ),
    )


def count_print_page() -> rx.Component:
    s = CountPrintState
    return printable_sheet(
        s.found, s.error,
        rx.el.article(
            sheet_header(s.shop, "盘点表", "单号 ", rx.el.strong(s.number, id="sheet-number"), " · ", s.warehouse,
                         " · ", s.scope, " · ", s.created),
            rx.foreach(s.shelves, _print_shelf),
            rx.el.div(rx.el.div("盘点人：", class_name="sign"), rx.el.div("复核人：", class_name="sign"),
                      class_name="sheet-signatures"),
            class_name="settle-sheet", id="count-sheet-print",
        ),
    )
