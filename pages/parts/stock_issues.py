"""``/parts/issues``: 内部领料 and 赠品出库 on a phone; ``/parts/issues/<id>`` one slip (``…/print`` its printed
copy); ``/parts/orders/<id>/delivery`` a work order's delivery notes, one per warehouse."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    back_link,
    banner_error,
    card,
    empty_note,
    field_error,
    hidden_input,
    labelled,
    print_bar,
    printable_sheet,
    sheet_header,
    sheet_or_error,
)
from pages.layout import page
from pages.scanner import scan_button
from pages.parts.part_search import part_line_card, part_search
from pages.parts.purchasing import _supplier_option as _option
from state.parts.stock_issues import (
    DeliveryNotesState,
    IssuePart,
    IssueRow,
    IssueSheetState,
    IssuesState,
    NoteLineView,
    NoteView,
    SheetLine,
)

S = IssuesState


def _issue_row(row: IssueRow) -> rx.Component:
    return rx.link(
        rx.hstack(rx.vstack(rx.text(row.number, " · ", row.kind, weight="medium"),
                            rx.text(row.category, " · ", row.recipient, " · ", row.created, size="2",
                                    color_scheme="gray"), spacing="0"),
                  rx.spacer(), rx.text(row.total), rx.icon("chevron-right", size=16), align="center", width="100%",
                  class_name="line-row"),
        href=row.url, underline="none", width="100%",
    )


def _line(line: IssuePart) -> rx.Component:
    i = line.id
    return part_line_card(
        line.label, S.remove_part(line.id), S.errors, "part." + i,
        rx.hstack(rx.input(name="quantity." + i, default_value="1", size="3", input_mode="decimal", width="6em",
                           aria_label="出库数量", key=S.key + "-q-" + i),
                  rx.text(line.unit), rx.spacer(), rx.text("本仓库存 ", line.on_hand, size="2", color_scheme="gray"),
                  align="center", width="100%"),
        field_error(S.errors, "quantity." + i),
        class_name="issue-line",
    )


def _new_slip() -> rx.Component:
    gift = S.kind == "gift"
    return card(
        rx.heading("新建出库单", size="4"),
        rx.segmented_control.root(
            rx.segmented_control.item("内部领料", value="internal_use"),
            rx.segmented_control.item("赠品出库", value="gift"),
            value=S.kind, on_change=S.set_kind, size="3", width="100%", id="issue-kind",
        ),
        labelled("仓库", rx.el.select(rx.foreach(S.warehouses, _option), name="warehouse_id",
                                     value=S.warehouse_id, on_change=S.set_warehouse, class_name="native-select",
                                     aria_label="出库仓库", id="issue-warehouse"), S.errors, "warehouse_id"),
        scan_button(S.scan, "扫码添加"),
        *part_search(S.search, S.errors, S.choices, S.add_part),
        rx.form(
            rx.vstack(
                field_error(S.errors, "form"),
                field_error(S.errors, "lines"),
                rx.foreach(S.lines, _line),
                rx.cond(gift,
                        rx.text("赠品计入促销费用（按平均成本）", size="2", color_scheme="gray"),
                        labelled("费用类别", rx.el.select(rx.el.option("选择费用类别", value=""),
                                                       rx.foreach(S.categories, _option),
                                                       name="expense_category_id", class_name="native-select",
                                                       aria_label="费用类别", key=S.key + S.kind),
                                 S.errors, "expense_category_id", required=True)),
                field_error(S.errors, "expense_category_id"),
                labelled(rx.cond(gift, "受赠客户", "领用人"),
                         rx.input(name="recipient", size="3", key=S.key + "-r", aria_label="领用人或受赠客户",
                                  placeholder=rx.cond(gift, "客户姓名", "如 洗车房小王")), S.errors, "recipient"),
                rx.cond(gift, labelled("关联工单（可选）", rx.input(name="work_order_number", size="3",
                                                              key=S.key + "-o", placeholder="WX…",
                                                              aria_label="关联工单"),
                                       S.errors, "work_order_number")),
                labelled("备注", rx.input(name="note", size="3", key=S.key + "-n", aria_label="备注"), S.errors,
                         "note"),
                hidden_input("request_key", S.key),
                rx.button(rx.icon("package-minus"), "确认出库", type="submit", size="4", width="100%",
                          disabled=S.lines.length() == 0, id="issue-submit"),
                width="100%", spacing="3",
            ),
            on_submit=S.submit, reset_on_submit=False, width="100%",
        ),
    )


@page("内部领料")
def issues_page():
    return [
        back_link("配件", "/parts"),
        banner_error(S.error),
        rx.cond(S.can_issue, _new_slip()),
        card(rx.heading("最近出库单", size="4"),
             rx.cond(S.issues.length() > 0, rx.foreach(S.issues, _issue_row), empty_note("还没有出库单"))),
    ]


# --- one slip ------------------------------------------------------------------------------------------------------


def _sheet_line(line: SheetLine) -> rx.Component:
    return rx.el.tr(rx.el.td(line.position), rx.el.td(line.code), rx.el.td(line.name),
                    rx.el.td(line.quantity, " ", line.unit, class_name="num"),
                    rx.el.td(line.unit_cost, class_name="num wide"), rx.el.td(line.value, class_name="num"))


def _issue_sheet() -> rx.Component:
    s = IssueSheetState.sheet
    return rx.el.article(
        sheet_header(s, s.kind + "单", "单号 ", rx.el.strong(s.number, id="sheet-number"), " · ", s.created),
        rx.el.table(rx.el.tbody(
            rx.el.tr(rx.el.th("仓库"), rx.el.td(s.warehouse), rx.el.th("费用类别"),
                     rx.el.td(s.category, class_name="strong", id="sheet-category")),
            rx.el.tr(rx.el.th("领用/受赠"), rx.el.td(s.recipient), rx.el.th("关联工单"), rx.el.td(s.order_number)),
        ), class_name="sheet-info"),
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th("#"), rx.el.th("编码"), rx.el.th("配件"),
                                 rx.el.th("数量", class_name="num"), rx.el.th("成本价", class_name="num wide"),
                                 rx.el.th("成本金额", class_name="num"))),
            rx.el.tbody(rx.foreach(s.lines, _sheet_line)),
            rx.el.tfoot(rx.el.tr(rx.el.td("合计", col_span=5, class_name="num"),
                                 rx.el.td(s.total, class_name="num strong", id="sheet-total"))),
            class_name="sheet-lines",
        ),
        rx.cond(s.note != "", rx.el.p("备注：", s.note, class_name="sheet-note")),
        rx.el.p("按出库时的平均成本计价。", class_name="sheet-note"),
        rx.el.div(rx.el.div("库管：", s.clerk, class_name="sign"), rx.el.div("领用人签字：", class_name="sign"),
                  class_name="sheet-signatures"),
        class_name="settle-sheet", id="issue-sheet",
    )


@page("出库单")
def issue_page():
    return [
        back_link("内部领料", "/parts/issues"),
        rx.box(sheet_or_error(IssueSheetState.found, IssueSheetState.error, _issue_sheet()), class_name="sheet-page"),
        rx.cond(IssueSheetState.found,
                rx.link(rx.button(rx.icon("printer"), "打印", size="3", width="100%"),
                        href="/parts/issues/" + IssueSheetState.sheet.id.to_string() + "/print", id="print-link")),
    ]


def issue_print_page() -> rx.Component:
    return printable_sheet(IssueSheetState.found, IssueSheetState.error, _issue_sheet())


# --- a work order's delivery notes ----------------------------------------------------------------------------------


def _note_line(line: NoteLineView) -> rx.Component:
    return rx.el.tr(rx.el.td(line.position), rx.el.td(line.code), rx.el.td(line.name, " ", line.payer),
                    rx.el.td(line.quantity, " ", line.unit, class_name="num"))


def _note(note: NoteView) -> rx.Component:
    d = DeliveryNotesState
    return rx.el.article(
        rx.el.header(
            rx.el.h1(d.header),
            rx.el.h2("出库单 · ", note.warehouse),
            rx.el.p("工单 ", rx.el.strong(d.number), " · ", d.plate, " ", d.title, " · ", note.when),
            class_name="sheet-header",
        ),
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th("#"), rx.el.th("编码"), rx.el.th("配件"), rx.el.th("数量", class_name="num"))),
            rx.el.tbody(rx.foreach(note.lines, _note_line)),
            class_name="sheet-lines",
        ),
        rx.el.div(rx.el.div("发料：", class_name="sign"), rx.el.div("领料人签字：", class_name="sign"),
                  class_name="sheet-signatures"),
        class_name="settle-sheet delivery-note",
    )


def delivery_notes_page() -> rx.Component:
    d = DeliveryNotesState
    return rx.box(
        rx.box(back_link("领料", "/parts/orders/" + d.order_id.to_string()), class_name="no-print", padding="0.5em"),
        sheet_or_error(d.found, d.error,
                       rx.cond(d.notes.length() > 0, rx.box(rx.foreach(d.notes, _note), id="delivery-notes"),
                               rx.box(empty_note("这张工单还没有领料"), padding="1em"))),
        print_bar(),
        class_name="sheet-page",
    )
