"""应付账款: the suppliers owed with their ageing, one supplier (open items, pay form, statement), and the printable
对账单."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    back_link,
    banner_error,
    card,
    download_button,
    empty_note,
    field_error,
    labelled,
    page_loading,
    printable_sheet,
    sheet_header,
    sideways_scroll,
)
from pages.layout import page
from state.finance.payables import (
    AgeingView,
    ItemRow,
    PayablesState,
    PaymentView,
    StatementRow,
    StatementSheetState,
    SupplierPayablesState,
)

P = PayablesState
S = SupplierPayablesState


# --- the list -------------------------------------------------------------------------------------------------


def _ageing_row(row: AgeingView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.name, href=row.url, weight="medium", class_name="board-card-link"),
                                 white_space="nowrap"),
        rx.table.cell(rx.text(row.balance, weight="bold"), text_align="right", white_space="nowrap"),
        rx.foreach(row.buckets, lambda amount: rx.table.cell(amount, text_align="right", white_space="nowrap")),
        rx.table.cell(row.credits, text_align="right", white_space="nowrap"),
    )


def _ageing_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("供应商"),
                rx.table.column_header_cell("应付余额", text_align="right"),
                rx.foreach(P.bucket_labels, lambda label: rx.table.column_header_cell(label, text_align="right")),
                rx.table.column_header_cell("预付/退货未核销", text_align="right"),
            )),
            rx.table.body(
                rx.foreach(P.rows, _ageing_row),
                rx.table.row(
                    rx.table.row_header_cell(rx.text("合计", weight="bold")),
                    rx.table.cell(rx.text(P.total.balance, weight="bold"), text_align="right", white_space="nowrap"),
                    rx.foreach(P.total.buckets, lambda amount: rx.table.cell(amount, text_align="right",
                                                                             white_space="nowrap")),
                    rx.table.cell(P.total.credits, text_align="right", white_space="nowrap"),
                ),
            ),
            width="100%",
            min_width="44rem",  # eight columns: a phone scrolls sideways, the supplier and balance come first
            size="1",
            id="payables-ageing",
        ),
        **sideways_scroll("应付账龄"),
    )


@page("应付账款")
def payables_page():
    return [
        card(
            rx.hstack(rx.heading("供应商欠款与账龄", size="5"), rx.spacer(),
                      download_button("/api/payables/ageing.xlsx", "ageing-export"), align="center", width="100%"),
            rx.text("按到期日计算账龄（截至 ", P.today, "）。点供应商名称查看明细、对账和付款。", size="2",
                    color_scheme="gray"),
            banner_error(P.error),
            rx.cond(P.rows.length() > 0, _ageing_table(), empty_note("目前没有欠供应商的款项")),
        ),
    ]


# --- one supplier ---------------------------------------------------------------------------------------------


def _item(row: ItemRow) -> rx.Component:
    """An open item; a debit the person may pay carries its tick in its number (the words tick it too)."""
    return rx.table.row(
        rx.table.row_header_cell(
            rx.cond(
                row.is_debit & S.can_pay,
                rx.checkbox(row.number, checked=S.chosen.contains(row.id),
                            on_change=lambda ticked: S.toggle_item(row.id, ticked), size="3",
                            id="choose-" + row.number, weight="medium", white_space="nowrap"),
                rx.text(row.number, weight="medium", white_space="nowrap"),
            ),
            rx.text(row.kind, " ", row.document_date, size="1", color_scheme="gray"),
            rx.hstack(rx.text("到期 ", row.due_on, size="1", color_scheme="gray"),
                      rx.cond(row.overdue != "", rx.badge(row.overdue, color_scheme="red")), spacing="1",
                      align="center", wrap="wrap"),
        ),
        rx.table.cell(rx.text(row.open_amount, weight="bold", white_space="nowrap"),
                      rx.text("原额 ", row.amount, size="1", color_scheme="gray", white_space="nowrap"),
                      text_align="right"),
        id="item-" + row.number,
    )


def _items() -> rx.Component:
    return card(
        rx.heading("未结单据", size="4"),
        rx.cond(
            S.items.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("单据"),
                        rx.table.column_header_cell("未付", text_align="right"),
                    )),
                    rx.table.body(rx.foreach(S.items, _item)),
                    width="100%",
                    size="1",
                    id="open-items",
                ),
                **sideways_scroll("未结单据"),
            ),
            empty_note("没有未结单据"),
        ),
    )


def _pay_form() -> rx.Component:
    errors = S.pay_errors
    return card(
        rx.heading("付款", size="4"),
        rx.text(rx.cond(S.chosen.length() > 0, "付所勾选的单据；多出的金额按到期日冲抵其他单据，仍有剩余作为预付。",
                        "未勾选单据时，按到期日从早到晚冲抵；多付的金额作为预付款。"),
                " 已有的退货和预付会一并冲抵。", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="request_key", value=S.pay_key),
                labelled("付款方式", rx.el.select(
                    rx.foreach(S.method_options, lambda o: rx.el.option(o[1], value=o[0])),
                    name="method", value=S.pay_method, on_change=S.choose_method, class_name="native-select",
                    id="pay-method"), errors, "method", required=True),
                labelled("付款金额", rx.input(name="amount", placeholder="0.00", input_mode="decimal", size="3",
                                          width="100%", id="pay-amount", default_value=S.chosen_total,
                                          key=S.form_version.to_string(),
                                          aria_invalid=errors.contains("amount").to_string()),
                         errors, "amount", required=True),
                labelled("凭证号（转账流水等）", rx.input(name="reference", size="3", width="100%", id="pay-reference",
                                                  max_length=64, key=S.form_version.to_string()),
                         errors, "reference"),
                labelled("备注", rx.input(name="note", size="3", width="100%", id="pay-note", max_length=200,
                                        key=S.form_version.to_string()), errors, "note"),
                field_error(errors, "items"),
                field_error(errors, "form"),
                rx.button(rx.icon("banknote"), "确认付款", size="3", type="submit", id="pay-submit", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.pay,
            reset_on_submit=False,
            width="100%",
        ),
    )


def _statement_row(row: StatementRow) -> rx.Component:
    """Three columns a phone shows whole: the document (kind, number, day, payment details), the amount signed
    (+ adds to what is owed, − takes off), the balance after it."""
    return rx.table.row(
        rx.table.cell(rx.text(row.kind, weight="medium"),
                      rx.text(row.number, " ", row.day, size="1", color_scheme="gray"),
                      rx.cond(row.summary != "", rx.text(row.summary, size="1", color_scheme="gray"))),
        rx.table.cell(row.change, text_align="right"),
        rx.table.cell(rx.text(row.balance, weight="medium"), text_align="right", white_space="nowrap"),
    )


def _statement() -> rx.Component:
    return card(
        rx.heading("对账单", size="4"),
        rx.form(
            rx.grid(
                labelled("从", rx.input(name="from", type="date", size="3", default_value=S.statement_from,
                                        key=S.statement_from, width="100%", id="statement-from")),
                labelled("至", rx.input(name="to", type="date", size="3", default_value=S.statement_to,
                                        key=S.statement_to, width="100%", id="statement-to")),
                columns="2", spacing="2", width="100%",
            ),
            rx.hstack(
                rx.button(rx.icon("search"), "查看", size="3", type="submit", id="statement-submit"),
                rx.link(rx.button(rx.icon("printer"), "打印对账单", variant="soft", size="3", type="button"),
                        href=S.print_url, id="statement-print"),
                download_button(S.export_url, "statement-export"),
                spacing="2", wrap="wrap", margin_top="0.5rem",
            ),
            on_submit=S.show_statement,
            reset_on_submit=False,
            width="100%",
        ),
        banner_error(S.statement_error),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("单据"),
                    rx.table.column_header_cell("应付增减", text_align="right"),
                    rx.table.column_header_cell("余额", text_align="right"),
                )),
                rx.table.body(rx.foreach(S.statement, _statement_row)),
                width="100%",
                size="1",
                id="statement",
            ),
            **sideways_scroll("对账单"),
        ),
    )


def _payment(row: PaymentView) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row.number, weight="medium"), rx.text(row.when, " · ", row.method, " ", row.reference,
                                                                 size="1", color_scheme="gray"), spacing="0"),
        rx.spacer(),
        rx.text(row.amount, weight="bold"),
        width="100%",
    )


@page("供应商应付")
def supplier_payables_page():
    return [
        back_link("应付账款", "/payables"),
        rx.cond(
            S.found,
            rx.vstack(
                card(
                    rx.heading(S.name, size="5", id="supplier-name"),
                    rx.text("结算方式 ", S.terms, rx.cond(S.bank_account != "", " · 账号 " + S.bank_account, ""),
                            size="2", color_scheme="gray"),
                    rx.hstack(rx.text("应付余额", size="3"), rx.text(S.balance, size="6", weight="bold", id="balance"),
                              align="baseline", spacing="3"),
                    rx.grid(
                        rx.foreach(S.bucket_labels, lambda label, i: rx.vstack(
                            rx.text(label, size="1", color_scheme="gray"), rx.text(S.ageing[i], size="2"),
                            spacing="0")),
                        columns=rx.breakpoints(initial="3", sm="5"), spacing="2", width="100%",
                    ),
                    rx.cond(S.credits != "", rx.text("未核销预付/退货 ", S.credits, size="2")),
                ),
                _items(),
                rx.cond(S.can_pay, _pay_form()),
                _statement(),
                rx.cond(S.payments.length() > 0,
                        card(rx.heading("最近付款", size="4"), rx.foreach(S.payments, _payment))),
                spacing="4",
                width="100%",
            ),
            rx.cond(S.error != "", banner_error(S.error), page_loading()),
        ),
    ]


# --- the printable statement ----------------------------------------------------------------------------------

T = StatementSheetState


def _sheet_row(row: StatementRow) -> rx.Component:
    return rx.el.tr(rx.el.td(row.day), rx.el.td(row.kind), rx.el.td(row.number), rx.el.td(row.summary),
                    rx.el.td(row.increase, class_name="num"), rx.el.td(row.decrease, class_name="num"),
                    rx.el.td(row.balance, class_name="num strong"))


def statement_sheet_page() -> rx.Component:
    return printable_sheet(
        T.found, T.error,
        rx.el.article(
            sheet_header(T.head, "供应商对账单", "供应商 ", rx.el.strong(T.supplier_name), " · 对账期间 ", T.period),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th("日期"), rx.el.th("类型"), rx.el.th("单号"), rx.el.th("摘要"),
                                     rx.el.th("应付增加", class_name="num"), rx.el.th("应付减少", class_name="num"),
                                     rx.el.th("余额", class_name="num"))),
                rx.el.tbody(rx.foreach(T.rows, _sheet_row)),
                class_name="sheet-lines",
                id="statement-sheet-lines",
            ),
            rx.el.p("期末应付余额 ", rx.el.strong(T.closing, id="statement-closing"),
                    "。如有不符，请于收到后7日内联系我方核对。", class_name="sheet-note"),
            rx.el.div(
                rx.el.div("我方（盖章）：", class_name="sign"),
                rx.el.div("供应商确认（盖章）：", class_name="sign"),
                class_name="sheet-signatures",
            ),
            rx.el.p("打印时间 ", T.printed_at, class_name="sheet-foot"),
            class_name="settle-sheet",
            id="statement-sheet",
        ),
    )
