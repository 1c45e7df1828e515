"""What 应付 and 应收 pages share: the ageing table, one party's summary, open items with ticks, the pay/collect
form, the statement with print and Excel, recent payments, and the printable 对账单. Each takes the page's state
class and its words (``Words``: 付款 or 收款, 应付 or 应收 …)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from pages.components import (
    banner_error,
    card,
    download_button,
    empty_note,
    field_error,
    hidden_input,
    labelled,
    printable_sheet,
    sheet_header,
    sideways_scroll,
)
from state.finance.parties import AgeingView, ItemRow, PaymentView, StatementRow


@dataclass(frozen=True)
class Words:
    side: str  # 应付 / 应收
    pay: str  # 付款 / 收款
    unpaid: str  # 未付 / 未收
    advance: str  # 预付 / 预收
    party: str  # 供应商 / 往来单位
    prefix: str  # element ids: "pay" / "collect"


PAYABLE = Words(side="应付", pay="付款", unpaid="未付", advance="预付", party="供应商", prefix="pay")
RECEIVABLE = Words(side="应收", pay="收款", unpaid="未收", advance="预收", party="往来单位", prefix="collect")


# --- the ageing of many parties ----------------------------------------------------------------------------------


def ageing_table(state, words: Words, table_id: str, *, with_kind: bool = False) -> rx.Component:
    def row(view: AgeingView) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(rx.link(view.name, href=view.url, weight="medium", class_name="board-card-link"),
                                     rx.cond(with_kind, rx.text(view.kind, size="1", color_scheme="gray")),
                                     white_space="nowrap"),
            rx.table.cell(rx.text(view.balance, weight="bold"), text_align="right", white_space="nowrap"),
            rx.foreach(view.buckets, lambda amount: rx.table.cell(amount, text_align="right", white_space="nowrap")),
            rx.table.cell(view.credits, text_align="right", white_space="nowrap"),
        )

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell(words.party),
                rx.table.column_header_cell(f"{words.side}余额", text_align="right"),
                rx.foreach(state.bucket_labels, lambda label: rx.table.column_header_cell(label, text_align="right")),
                rx.table.column_header_cell(f"{words.advance}/退货未核销", text_align="right"),
            )),
            rx.table.body(
                rx.foreach(state.rows, row),
                rx.table.row(
                    rx.table.row_header_cell(rx.text("合计", weight="bold")),
                    rx.table.cell(rx.text(state.total.balance, weight="bold"), text_align="right",
                                  white_space="nowrap", id=f"{table_id}-total"),
                    rx.foreach(state.total.buckets, lambda amount: rx.table.cell(amount, text_align="right",
                                                                                 white_space="nowrap")),
                    rx.table.cell(state.total.credits, text_align="right", white_space="nowrap"),
                ),
            ),
            width="100%",
            min_width="44rem",  # eight columns: a phone scrolls sideways, the party and balance come first
            size="1",
            id=table_id,
        ),
        **sideways_scroll(f"{words.side}账龄"),
    )


# --- one party ---------------------------------------------------------------------------------------------------


def party_summary(state, words: Words, *extra) -> rx.Component:
    return card(
        rx.heading(state.name, size="5", id="party-name"),
        *extra,
        rx.hstack(rx.text(f"{words.side}余额", size="3"), rx.text(state.balance, size="6", weight="bold", id="balance"),
                  align="baseline", spacing="3"),
        rx.grid(
            rx.foreach(state.bucket_labels, lambda label, i: rx.vstack(
                rx.text(label, size="1", color_scheme="gray"), rx.text(state.ageing[i], size="2"), spacing="0")),
            columns=rx.breakpoints(initial="3", sm="5"), spacing="2", width="100%", id="party-ageing",
        ),
        rx.cond(state.credits != "", rx.text(f"未核销{words.advance}/退货 ", state.credits, size="2")),
    )


def open_items(state, words: Words) -> rx.Component:
    def item(row: ItemRow) -> rx.Component:
        """An open item; a debit the person may settle carries its tick in its number (the words tick it too)."""
        return rx.table.row(
            rx.table.row_header_cell(
                rx.cond(
                    row.is_debit & state.can_pay,
                    rx.checkbox(row.number, checked=state.chosen.contains(row.id),
                                on_change=lambda ticked: state.toggle_item(row.id, ticked), size="3",
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

    return card(
        rx.heading("未结单据", size="4"),
        rx.cond(
            state.items.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("单据"),
                        rx.table.column_header_cell(words.unpaid, text_align="right"),
                    )),
                    rx.table.body(rx.foreach(state.items, item)),
                    width="100%",
                    size="1",
                    id="open-items",
                ),
                **sideways_scroll("未结单据"),
            ),
            empty_note("没有未结单据"),
        ),
    )


def pay_form(state, words: Words) -> rx.Component:
    errors = state.pay_errors
    p = words.prefix
    return card(
        rx.heading(words.pay, size="4"),
        rx.text(rx.cond(state.chosen.length() > 0,
                        f"冲抵所勾选的单据；多出的金额按到期日冲抵其他单据，仍有剩余作为{words.advance}。",
                        f"未勾选单据时，按到期日从早到晚冲抵；多出的金额作为{words.advance}款。"),
                f" 已有的{words.advance}和退货会一并冲抵。", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                hidden_input("request_key", state.pay_key),
                labelled(f"{words.pay}方式", rx.el.select(
                    rx.foreach(state.method_options, lambda o: rx.el.option(o[1], value=o[0])),
                    name="method", value=state.pay_method, on_change=state.choose_method, class_name="native-select",
                    id=f"{p}-method"), errors, "method", required=True),
                labelled(f"{words.pay}金额", rx.input(name="amount", placeholder="0.00", input_mode="decimal", size="3",
                                                   width="100%", id=f"{p}-amount", default_value=state.chosen_total,
                                                   key=state.form_version.to_string(),
                                                   aria_invalid=errors.contains("amount").to_string()),
                         errors, "amount", required=True),
                labelled("凭证号（转账流水等）", rx.input(name="reference", size="3", width="100%", id=f"{p}-reference",
                                                  max_length=64, key=state.form_version.to_string()),
                         errors, "reference"),
                labelled("备注", rx.input(name="note", size="3", width="100%", id=f"{p}-note", max_length=200,
                                        key=state.form_version.to_string()), errors, "note"),
                field_error(errors, "items"),
                field_error(errors, "form"),
                rx.button(rx.icon("banknote"), f"确认{words.pay}", size="3", type="submit", id=f"{p}-submit",
                          width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=state.pay,
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


def statement_table(rows, words: Words, table_id: str = "statement") -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("单据"),
                rx.table.column_header_cell(f"{words.side}增减", text_align="right"),
                rx.table.column_header_cell("余额", text_align="right"),
            )),
            rx.table.body(rx.foreach(rows, _statement_row)),
            width="100%",
            size="1",
            id=table_id,
        ),
        **sideways_scroll("对账单"),
    )


def statement_card(state, words: Words, *extra) -> rx.Component:
    return card(
        rx.heading("对账单", size="4"),
        rx.form(
            rx.grid(
                labelled("从", rx.input(name="from", type="date", size="3", default_value=state.statement_from,
                                        key=state.statement_from, width="100%", id="statement-from")),
                labelled("至", rx.input(name="to", type="date", size="3", default_value=state.statement_to,
                                        key=state.statement_to, width="100%", id="statement-to")),
                columns="2", spacing="2", width="100%",
            ),
            rx.hstack(
                rx.button(rx.icon("search"), "查看", size="3", type="submit", id="statement-submit"),
                rx.link(rx.button(rx.icon("printer"), "打印对账单", variant="soft", size="3", type="button"),
                        href=state.print_url, id="statement-print"),
                download_button(state.export_url, "statement-export"),
                spacing="2", wrap="wrap", margin_top="0.5rem",
            ),
            on_submit=state.show_statement,
            reset_on_submit=False,
            width="100%",
        ),
        banner_error(state.statement_error),
        statement_table(state.statement, words),
        *extra,
    )


def recent_payments(state, words: Words) -> rx.Component:
    def payment(row: PaymentView) -> rx.Component:
        return rx.hstack(
            rx.vstack(rx.text(row.number, weight="medium"),
                      rx.text(row.when, " · ", row.method, " ", row.reference, size="1", color_scheme="gray"),
                      spacing="0"),
            rx.spacer(),
            rx.text(row.amount, weight="bold"),
            width="100%",
        )

    return rx.cond(state.payments.length() > 0,
                   card(rx.heading(f"最近{words.pay}", size="4"), rx.foreach(state.payments, payment)))


# --- the printable statement -------------------------------------------------------------------------------------


def statement_sheet(state, words: Words, title: str, party_label: str, signature: str) -> rx.Component:
    def sheet_row(row: StatementRow) -> rx.Component:
        return rx.el.tr(rx.el.td(row.day), rx.el.td(row.kind), rx.el.td(row.number), rx.el.td(row.summary),
                        rx.el.td(row.increase, class_name="num"), rx.el.td(row.decrease, class_name="num"),
                        rx.el.td(row.balance, class_name="num strong"))

    return printable_sheet(
        state.found, state.error,
        rx.el.article(
            sheet_header(state.head, title, f"{party_label} ", rx.el.strong(state.party_name), " · 对账期间 ",
                         state.period),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th("日期"), rx.el.th("类型"), rx.el.th("单号"), rx.el.th("摘要"),
                                     rx.el.th(f"{words.side}增加", class_name="num"),
                                     rx.el.th(f"{words.side}减少", class_name="num"),
                                     rx.el.th("余额", class_name="num"))),
                rx.el.tbody(rx.foreach(state.rows, sheet_row)),
                class_name="sheet-lines",
                id="statement-sheet-lines",
            ),
            rx.el.p(f"期末{words.side}余额 ", rx.el.strong(state.closing, id="statement-closing"),
                    "。如有不符，请于收到后7日内联系我方核对。", class_name="sheet-note"),
            rx.el.div(
                rx.el.div("我方（盖章）：", class_name="sign"),
                rx.el.div(f"{signature}（盖章）：", class_name="sign"),
                class_name="sheet-signatures",
            ),
            rx.el.p("打印时间 ", state.printed_at, class_name="sheet-foot"),
            class_name="settle-sheet",
            id="statement-sheet",
        ),
    )
