"""Transfers on a phone (调拨): the lists and the new transfer or request, one transfer with its actions, and the
printable transfer slip."""

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
    printable_sheet,
    sheet_header,
    status_badge,
)
from pages.layout import page
from pages.parts.part_search import part_line_card, part_search
from pages.scanner import scan_button
from state.parts.transfers import (
    STATUS_COLOURS,
    Choice,
    FormLine,
    SheetLine,
    TransferPrintState,
    TransferRow,
    TransfersState,
    TransferState,
)

L = TransfersState
T = TransferState


def _option(choice: Choice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.id)


def _select(choices, placeholder: str, name: str, label: str, default="") -> rx.Component:
    return rx.el.select(rx.el.option(placeholder, value=""), rx.foreach(choices, _option), name=name,
                        default_value=default, class_name="native-select", aria_label=label, id=name,
                        key=L.form_key + name + default)


# --- /parts/transfers -------------------------------------------------------------------------------------------


def _row(row: TransferRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(rx.text(row.summary, weight="bold", size="4"), rx.spacer(),
                          status_badge(row.status, row.status_value, STATUS_COLOURS), width="100%", align="center"),
                rx.text(row.route, size="2"),
                rx.hstack(rx.text(row.number, size="2", color_scheme="gray"), rx.spacer(),
                          rx.text(row.created, size="1", color_scheme="gray"), width="100%"),
                spacing="1", width="100%",
            ),
            class_name="tap-card", width="100%",
        ),
        href=row.url, underline="none", width="100%", class_name="transfer-row",
    )


def _list(rows, empty: str) -> rx.Component:
    return rx.cond(rows.length() > 0, rx.vstack(rx.foreach(rows, _row), width="100%", spacing="2"),
                   empty_note(empty))


def _form_line(line: FormLine) -> rx.Component:
    i = line.part_id
    return part_line_card(
        line.label, L.remove_part(line.part_id), L.errors, "part_id." + i,
        rx.hstack(rx.text("数量", size="2"),
                  rx.input(name="quantity." + i, default_value=line.quantity, size="3", input_mode="decimal",
                           width="7em", aria_label="调拨数量", id="transfer-qty-" + i,
                           key=L.form_key + "-q-" + i + "-" + line.quantity),
                  align="center"),
        field_error(L.errors, "quantity." + i),
    )


def _mode(label: str, value: str) -> rx.Component:
    return rx.button(label, size="3", flex="1", type="button", variant=rx.cond(L.mode == value, "solid", "soft"),
                     on_click=L.set_mode(value), id="transfer-mode-" + value)


def new_section() -> rx.Component:
    request = L.mode == "request"
    return rx.vstack(
        rx.hstack(_mode("调出", "ship"), _mode("向其他门店申请", "request"), width="100%", spacing="2"),
        rx.text(rx.cond(request, "申请提交后，由调出门店确认调出；在途货物到店后收货。",
                        "同一门店的仓库之间一步完成；调往其他门店的货物在途，由对方收货。"),
                size="2", color_scheme="gray"),
        scan_button(L.scanned, "扫码添加"),
        *part_search(L.search_parts, L.errors, L.choices, L.add_part, input_id="transfer-part-query"),
        rx.form(
            rx.vstack(
                field_error(L.errors, "form"),
                field_error(L.errors, "lines"),
                rx.foreach(L.lines, _form_line),
                rx.cond(
                    request,
                    labelled("调出门店", _select(L.sources, "选择有余量的门店", "from_branch_id", "调出门店",
                                                 L.source_id), L.errors, "from_branch_id", required=True),
                    labelled("调出仓库", _select(L.own_warehouses, "选择本店仓库", "from_warehouse_id", "调出仓库"),
                             L.errors, "from_warehouse_id", required=True),
                ),
                rx.cond(
                    request,
                    labelled("调入仓库", _select(L.own_warehouses, "选择本店仓库", "to_warehouse_id", "调入仓库"),
                             L.errors, "to_warehouse_id", required=True),
                    labelled("调入仓库", _select(L.targets, "选择调入门店和仓库", "to_warehouse_id", "调入仓库"),
                             L.errors, "to_warehouse_id", required=True),
                ),
                labelled("备注", rx.input(name="note", size="3", key=L.form_key), L.errors, "note"),
                hidden_input("request_key", L.form_key),
                rx.button(rx.icon(rx.cond(request, "send", "truck")), rx.cond(request, "提交申请", "调出"),
                          type="submit", size="4", width="100%", disabled=L.lines.length() == 0,
                          id="transfer-submit"),
                width="100%", spacing="3",
            ),
            on_submit=L.submit, reset_on_submit=False, width="100%",
        ),
        width="100%", spacing="3",
    )


def _tab(label: str, value: str) -> rx.Component:
    return rx.tabs.trigger(label, value=value, class_name="stock-tab")


@page("调拨")
def transfers_page():
    return [
        banner_error(L.error),
        rx.tabs.root(
            rx.tabs.list(_tab("待调出", "pending"), _tab("在途", "transit"), _tab("已完成", "done"),
                         rx.cond(L.can_move, _tab("新建", "new")), size="2", width="100%"),
            rx.tabs.content(_list(L.pending, "没有待调出的调拨"), value="pending", padding_top="1rem"),
            rx.tabs.content(_list(L.transit, "没有在途的调拨"), value="transit", padding_top="1rem"),
            rx.tabs.content(_list(L.done, "还没有完成的调拨"), value="done", padding_top="1rem"),
            rx.tabs.content(new_section(), value="new", padding_top="1rem"),
            value=L.tab, on_change=L.set_tab, width="100%",
        ),
    ]


# --- /parts/transfers/<id> --------------------------------------------------------------------------------------


def _figure(label: str, value) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="4", weight="bold"),
                     spacing="0", align="center", min_width="3em")


def _quantity_input(line: SheetLine, label: str, prefix: str, errors) -> rx.Component:
    i = line.id.to_string()
    return rx.vstack(
        rx.hstack(rx.text(label, size="2"),
                  rx.input(name="quantity." + i, placeholder="最多" + line.in_transit, size="3", width="7em",
                           input_mode="decimal", aria_label=label, id=prefix + i,
                           key=T.action_key + prefix + i),
                  rx.text(line.unit, size="2"), align="center"),
        field_error(errors, "quantity." + i),
        spacing="1",
    )


def _line(line: SheetLine, receiving: bool) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.vstack(rx.text(line.name, weight="bold", size="4"),
                                rx.text(line.code, " · 成本 ", line.unit_cost, size="2", color_scheme="gray"),
                                spacing="0"),
                      rx.spacer(), width="100%", align="start"),
            rx.hstack(_figure("申请", line.requested), _figure("调出", line.shipped), _figure("已收", line.received),
                      _figure("在途", line.in_transit), _figure("报损", line.written_off), spacing="3", wrap="wrap"),
            rx.cond(receiving & line.open, _quantity_input(line, "本次收货", "receive-qty-", T.errors)),
            spacing="2", width="100%",
        ),
        width="100%", class_name="transfer-line",
    )


def _ship_line(line: SheetLine) -> rx.Component:
    i = line.id.to_string()
    return rx.card(
        rx.vstack(
            rx.text(line.name, " · 申请 ", line.requested, line.unit, weight="bold"),
            rx.hstack(rx.text("调出数量", size="2"),
                      rx.input(name="quantity." + i, default_value=line.requested, size="3", width="7em",
                               input_mode="decimal", aria_label="调出数量", id="ship-qty-" + i,
                               key=T.action_key + "-s-" + i),
                      align="center"),
            field_error(T.errors, "quantity." + i),
            spacing="2", width="100%",
        ),
        width="100%",
    )


def _ship_form() -> rx.Component:
    return card(
        rx.heading("调出", size="4"),
        rx.form(
            rx.vstack(
                field_error(T.errors, "form"),
                field_error(T.errors, "lines"),
                rx.foreach(T.sheet.lines, _ship_line),
                labelled("调出仓库", rx.el.select(rx.el.option("选择本店仓库", value=""), rx.foreach(T.warehouses, _option),
                                                name="from_warehouse_id", class_name="native-select",
                                                aria_label="调出仓库", id="ship-warehouse"),
                         T.errors, "from_warehouse_id", required=True),
                hidden_input("request_key", T.action_key),
                rx.button(rx.icon("truck"), "确认调出", type="submit", size="4", width="100%", id="transfer-ship"),
                width="100%", spacing="3",
            ),
            on_submit=T.ship, reset_on_submit=False, width="100%",
        ),
    )


def _receive_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field_error(T.errors, "form"),
            field_error(T.errors, "lines"),
            rx.foreach(T.sheet.lines, lambda line: _line(line, True)),
            rx.text("按调出时的成本入库。可以分几次收货。", size="2", color_scheme="gray"),
            hidden_input("request_key", T.action_key),
            rx.button(rx.icon("package-check"), "确认收货", type="submit", size="4", width="100%",
                      id="transfer-receive"),
            width="100%", spacing="3",
        ),
        on_submit=T.receive, reset_on_submit=False, width="100%",
    )


def _write_off_line(line: SheetLine) -> rx.Component:
    return rx.cond(line.open, rx.vstack(rx.text(line.name, size="2", weight="medium"),
                                        _quantity_input(line, "报损数量", "lost-qty-", T.write_off_errors),
                                        spacing="1", width="100%"))


def _write_off_form() -> rx.Component:
    return card(
        rx.heading("在途报损", size="4"),
        rx.text("路上丢失或损坏、不会到店的货物：记在调拨单上，不影响仓库库存。", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                field_error(T.write_off_errors, "form"),
                field_error(T.write_off_errors, "lines"),
                rx.foreach(T.sheet.lines, _write_off_line),
                labelled("报损原因", rx.input(name="reason", size="3", key=T.action_key, id="write-off-reason"),
                         T.write_off_errors, "reason", required=True),
                hidden_input("request_key", T.action_key),
                rx.button(rx.icon("package-x"), "报损", type="submit", size="3", width="100%", color_scheme="orange",
                          id="transfer-write-off"),
                width="100%", spacing="2",
            ),
            on_submit=T.write_off, reset_on_submit=False, width="100%",
        ),
    )


@page("调拨单")
def transfer_page():
    s = T.sheet
    return [
        back_link("调拨", "/parts/transfers"),
        banner_error(T.error),
        rx.cond(
            T.found,
            rx.vstack(
                rx.hstack(rx.vstack(rx.text(s.number, weight="bold", size="5", id="transfer-number"),
                                    rx.text(s.source, " → ", s.target, size="2"), spacing="1"),
                          rx.spacer(), rx.box(status_badge(s.status, s.status_value, STATUS_COLOURS), id="transfer-status"),
                          width="100%", align="start"),
                rx.text("调出金额（成本）", s.total, size="2", color_scheme="gray"),
                rx.cond(s.note != "", rx.text("备注：", s.note, size="2")),
                rx.cond(T.can_ship, _ship_form()),
                rx.cond(T.can_receive, _receive_form(),
                        rx.vstack(rx.foreach(s.lines, lambda line: _line(line, False)), width="100%", spacing="2")),
                rx.cond(T.can_write_off, _write_off_form()),
                rx.hstack(
                    rx.cond(T.can_cancel, rx.button("取消调拨", size="3", color_scheme="red", variant="soft",
                                                    on_click=T.cancel, id="transfer-cancel")),
                    rx.link(rx.button(rx.icon("printer"), "打印调拨单", size="3", variant="soft"),
                            href="/parts/transfers/" + T.transfer_id.to_string() + "/print"),
                    wrap="wrap", spacing="2", width="100%",
                ),
                card(rx.heading("经办记录", size="3"),
                     rx.text("制单 ", s.created, size="2"),
                     rx.foreach(s.steps, lambda text: rx.text(text, size="2", class_name="line-row",
                                                               custom_attrs={"data-step": "1"}))),
                width="100%", spacing="3",
            ),
        ),
    ]


# --- /parts/transfers/<id>/print --------------------------------------------------------------------------------


def _sheet_line(line: SheetLine) -> rx.Component:
    return rx.el.tr(rx.el.td(line.position), rx.el.td(line.code), rx.el.td(line.name, " ", line.spec),
                    rx.el.td(line.shipped, " ", line.unit, class_name="num"),
                    rx.el.td(line.received, class_name="num"), rx.el.td(line.written_off, class_name="num"),
                    rx.el.td(line.unit_cost, class_name="num"), rx.el.td(line.amount, class_name="num"))


def transfer_print_page() -> rx.Component:
    state = TransferPrintState
    s = state.sheet
    return printable_sheet(
        state.found, state.error,
        rx.el.article(
            sheet_header(state.shop, "调拨单", "单号 ", rx.el.strong(s.number, id="sheet-number"), " · ", s.status),
            rx.el.table(rx.el.tbody(
                rx.el.tr(rx.el.th("调出"), rx.el.td(s.source, class_name="strong"), rx.el.th("调入"),
                         rx.el.td(s.target, class_name="strong")),
                rx.el.tr(rx.el.th("制单"), rx.el.td(s.created), rx.el.th("调出"), rx.el.td(s.shipped)),
            ), class_name="sheet-info"),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th("#"), rx.el.th("编码"), rx.el.th("配件"),
                                     rx.el.th("调出", class_name="num"), rx.el.th("已收", class_name="num"),
                                     rx.el.th("报损", class_name="num"), rx.el.th("成本", class_name="num"),
                                     rx.el.th("金额", class_name="num"))),
                rx.el.tbody(rx.foreach(s.lines, _sheet_line)),
                rx.el.tfoot(rx.el.tr(rx.el.td("合计", col_span=7, class_name="num"),
                                     rx.el.td(s.total, class_name="num strong"))),
                class_name="sheet-lines",
            ),
            rx.cond(s.note != "", rx.el.p("备注：", s.note, class_name="sheet-note")),
            rx.el.div(rx.el.div("调出人：", class_name="sign"), rx.el.div("收货人：", class_name="sign"),
                      class_name="sheet-signatures"),
            class_name="settle-sheet",
            id="transfer-sheet",
        ),
    )
