"""The printable receipt (收据) of one payment, A5-sized, with the amount in Chinese capitals."""

from __future__ import annotations

import reflex as rx

from pages.components import printable_sheet, sheet_header
from state.cashier.receipt import PaymentReceiptState

R = PaymentReceiptState


def _row(label: str, value) -> rx.Component:
    return rx.el.tr(rx.el.th(label), rx.el.td(value))


def payment_receipt_page() -> rx.Component:
    return printable_sheet(
        R.found, R.error,
        rx.el.article(
            sheet_header(R.shop, "收  据", "No. ", rx.el.strong(R.number), " · ", R.paid_at),
            rx.el.table(
                rx.el.tbody(
                    _row("交款单位/人", R.payer),
                    _row("事由", R.purpose),
                    _row("金额（大写）", rx.el.strong("人民币", R.amount_in_capitals, id="receipt-capitals")),
                    _row("金额（小写）", rx.el.strong(R.amount, id="receipt-amount")),
                    _row("收款方式", rx.el.span(R.method, rx.cond(R.tendered != "", rx.el.span("（", R.tendered,
                                                                                          "）")))),
                ),
                class_name="sheet-info",
            ),
            rx.el.div(
                rx.el.div("收款单位（盖章）：", class_name="sign"),
                rx.el.div("收款人：", R.cashier, class_name="sign"),
                class_name="sheet-signatures",
            ),
            rx.el.p("打印时间 ", R.printed_at, class_name="sheet-foot"),
            class_name="settle-sheet receipt",
            id="receipt",
        ),
    )
