"""日结/交班: the cashier's blind count and the reason for a difference, the branch's latest closes, and a close's
printable sheet with the shift's receipts."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, field_error, labelled, printable_sheet, sheet_header
from pages.layout import page
from state.cashier.cash_close import CashCloseSheetState, CashCloseState, CloseRow, MethodTotal, ReceiptLine

C = CashCloseState
T = CashCloseSheetState


def _total(row: MethodTotal) -> rx.Component:
    return rx.hstack(rx.text(row.method, weight="medium"), rx.text(row.count, " 笔", color_scheme="gray"),
                     rx.spacer(), rx.text(row.amount, weight="bold"), width="100%", class_name="line-row")


def _count_form() -> rx.Component:
    return card(
        rx.heading("交班清点", size="4"),
        rx.text("本班自 ", C.shift_start, " 起，共收款 ", C.receipts, " 笔：", size="2", color_scheme="gray"),
        rx.vstack(rx.foreach(C.totals, _total), width="100%", spacing="1"),
        rx.text("请清点本班收到的现金（含会员卡现金充值）后填写。提交前不显示账面金额。", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="request_key", value=C.count_key),
                labelled("清点现金（元）", rx.input(name="counted", input_mode="decimal", placeholder="0.00", size="3",
                                               width="100%", id="close-counted"), C.errors, "counted",
                         required=True),
                rx.button(rx.icon("calculator"), "清点完毕，交班", type="submit", size="3", width="100%",
                          id="close-submit"),
                spacing="3", width="100%",
            ),
            on_submit=C.count, reset_on_submit=False, key=C.form_version.to_string(), width="100%",
        ),
    )


def _reason_form() -> rx.Component:
    w = C.waiting
    return card(
        rx.heading("现金与账面不符", size="4", color_scheme="red"),
        rx.text("交班 ", w.number, "：应有 ", rx.text.strong(w.expected, id="close-expected"), "，清点 ",
                rx.text.strong(w.counted), "，差额 ", rx.text.strong(w.difference, id="close-difference"), "。"),
        rx.form(
            rx.vstack(
                labelled("差异原因", rx.text_area(name="reason", width="100%", id="close-reason", max_length=200),
                         C.errors, "reason", required=True),
                rx.button("提交原因，完成交班", type="submit", size="3", width="100%", id="close-explain"),
                spacing="3", width="100%",
            ),
            on_submit=C.explain, reset_on_submit=False, key=C.form_version.to_string(), width="100%",
        ),
    )


def _close_row(row: CloseRow) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(rx.text(row.number, " · ", row.cashier, weight="medium"),
                      rx.text(row.when, " · ", row.status, size="1", color_scheme="gray"),
                      rx.cond(row.reason != "", rx.text(row.reason, size="1", color_scheme="gray")), spacing="0"),
            rx.spacer(),
            rx.vstack(rx.text("清点 ", row.counted, weight="bold"),
                      rx.cond(row.difference != "", rx.text("差额 ", row.difference, size="1", color_scheme="red")),
                      align="end", spacing="0"),
            width="100%", align="center", class_name="line-row",
        ),
        href=row.url, underline="none", color="inherit", width="100%", id="close-" + row.number,
    )


@page("交班")
def cash_close_page():
    return [
        banner_error(C.error),
        field_error(C.errors, "form"),
        rx.cond(C.can_close, rx.cond(C.waiting.id != 0, _reason_form(), _count_form())),
        card(
            rx.heading("交班记录", size="4"),
            rx.cond(C.closes.length() > 0, rx.vstack(rx.foreach(C.closes, _close_row), width="100%", spacing="1"),
                    empty_note("还没有交班记录")),
        ),
    ]


def _line(row: ReceiptLine) -> rx.Component:
    return rx.el.tr(rx.el.td(row.number), rx.el.td(row.when), rx.el.td(row.method),
                    rx.el.td(row.amount, class_name="num"))


def _sheet_total(row: MethodTotal) -> rx.Component:
    return rx.el.tr(rx.el.th(row.method), rx.el.td(row.count, " 笔"), rx.el.td(row.amount, class_name="num"))


def cash_close_sheet_page() -> rx.Component:
    c = T.close
    return printable_sheet(
        T.found, T.error,
        rx.el.article(
            sheet_header(T.shop, "收银交班单", "单号 ", rx.el.strong(c.number), " · 收银员 ", c.cashier),
            rx.el.p("本班 ", T.shift, class_name="sheet-note"),
            rx.el.table(rx.el.tbody(rx.foreach(T.totals, _sheet_total)), class_name="sheet-totals"),
            rx.el.table(
                rx.el.tbody(
                    rx.el.tr(rx.el.th("现金应有"), rx.el.td(c.expected, class_name="num")),
                    rx.el.tr(rx.el.th("现金清点"), rx.el.td(c.counted, class_name="num strong")),
                    rx.el.tr(rx.el.th("差额"), rx.el.td(c.difference, class_name="num")),
                    rx.el.tr(rx.el.th("差异原因"), rx.el.td(c.reason)),
                ),
                class_name="sheet-totals",
            ),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th("收据号"), rx.el.th("时间"), rx.el.th("方式"),
                                     rx.el.th("金额", class_name="num"))),
                rx.el.tbody(rx.foreach(T.lines, _line)),
                class_name="sheet-lines",
            ),
            rx.el.div(rx.el.div("交班人：", c.cashier, class_name="sign"), rx.el.div("接班人/复核：", class_name="sign"),
                      class_name="sheet-signatures"),
            rx.el.p("打印时间 ", T.printed_at, class_name="sheet-foot"),
            class_name="settle-sheet",
            id="cash-close-sheet",
        ),
    )
