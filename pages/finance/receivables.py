"""应收账款: the parties owing the shop with their ageing, one party (open items, collect form, statement, a
customer's statement links), the printable 对账单 — the shared party components in the words of 应收 — and the
customer's own statement page behind its signed link (``/s/<token>``)."""

from __future__ import annotations

import reflex as rx

from lantong_pwa.services.finance.statement_links import NOTE_MAX
from pages.components import (
    back_link,
    banner_error,
    card,
    download_button,
    empty_note,
    field_error,
    hidden_input,
    labelled,
    page_loading,
)
from pages.finance.parties import (
    RECEIVABLE,
    ageing_table,
    open_items,
    party_summary,
    pay_form,
    recent_payments,
    statement_card,
    statement_sheet,
    statement_table,
)
from pages.layout import page
from state.finance.receivables import LinkView, ReceivablePartyState, ReceivablesState, ReceivableSheetState
from state.finance.statement_confirm import StatementConfirmState

R = ReceivablesState
S = ReceivablePartyState
C = StatementConfirmState
STATUS_COLOURS = {"sent": "gray", "confirmed": "green", "disputed": "red"}


@page("应收账款")
def receivables_page():
    return [
        card(
            rx.hstack(rx.heading("应收账款与账龄", size="5"), rx.spacer(),
                      download_button(R.export_url, "receivables-export"), align="center", width="100%"),
            rx.text("客户挂账、保险公司和厂家应付本店的款项，按到期日计算账龄（截至 ", R.today, "）。点名称查看明细、收款和对账。",
                    size="2", color_scheme="gray"),
            rx.el.select(rx.foreach(R.kind_options, lambda o: rx.el.option(o[1], value=o[0])), value=R.kind,
                         on_change=R.choose_kind, class_name="native-select", id="receivables-kind",
                         aria_label="往来单位类型"),
            banner_error(R.error),
            rx.cond(R.rows.length() > 0, ageing_table(R, RECEIVABLE, "receivables-ageing", with_kind=True),
                    empty_note("目前没有应收款项")),
        ),
    ]


def _link_row(row: LinkView) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(row.month, weight="medium"),
                  rx.badge(row.label, color_scheme=rx.match(row.status, *STATUS_COLOURS.items(), "gray")),
                  rx.spacer(), rx.text("发送 ", row.sent, size="1", color_scheme="gray"), width="100%",
                  align="center"),
        rx.cond(row.answered != "", rx.text("答复 ", row.answered, size="1", color_scheme="gray")),
        rx.cond(row.note != "", rx.text("异议：", row.note, size="2", color_scheme="red")),
        spacing="1",
        width="100%",
        id="link-" + row.month,
    )


def _statement_links() -> rx.Component:
    return card(
        rx.heading("对账确认（客户手机确认）", size="4"),
        rx.cond(
            S.can_send,
            rx.form(
                hidden_input("request_key", S.link_key),
                rx.hstack(
                    labelled("对账月份", rx.input(name="month", type="month", size="3", default_value=S.link_month,
                                              key=S.link_month, id="link-month")),
                    rx.button(rx.icon("link"), "生成链接", size="3", type="submit", id="link-send"),
                    align="end", spacing="2", wrap="wrap",
                ),
                rx.el.label(rx.checkbox(name="text", size="3", id="link-text"), rx.text("同时短信发送给客户", size="3"),
                            class_name="unsolved-tick"),
                on_submit=S.send_link,
                reset_on_submit=False,
                width="100%",
            ),
        ),
        banner_error(S.link_error),
        rx.cond(
            S.link_url != "",
            rx.hstack(
                rx.input(value=S.link_url, read_only=True, size="3", width="100%", id="link-url"),
                rx.button(rx.icon("copy"), "复制", size="3", variant="soft", type="button",
                          on_click=rx.set_clipboard(S.link_url), id="link-copy"),
                width="100%",
            ),
        ),
        rx.cond(S.links.length() > 0, rx.vstack(rx.foreach(S.links, _link_row), spacing="3", width="100%"),
                empty_note("还没有发送过对账确认链接")),
    )


@page("往来应收")
def receivable_party_page():
    return [
        back_link("应收账款", "/finance/receivables"),
        rx.cond(
            S.found,
            rx.vstack(
                party_summary(S, RECEIVABLE, rx.text(S.kind_label, rx.cond(S.terms != "", " · 结算方式 " + S.terms, ""),
                                                     size="2", color_scheme="gray")),
                open_items(S, RECEIVABLE),
                rx.cond(S.can_pay, pay_form(S, RECEIVABLE)),
                statement_card(S, RECEIVABLE),
                rx.cond(S.is_customer, _statement_links()),
                recent_payments(S, RECEIVABLE),
                spacing="4",
                width="100%",
            ),
            rx.cond(S.error != "", banner_error(S.error), page_loading()),
        ),
    ]


def receivable_sheet_page() -> rx.Component:
    return statement_sheet(ReceivableSheetState, RECEIVABLE, "往来对账单", "单位", "对方确认")


# --- the customer's page behind the link ---------------------------------------------------------------------------


def _answer_form() -> rx.Component:
    return rx.vstack(
        rx.button(rx.icon("circle-check"), "确认无误", size="4", width="100%", on_click=C.confirm({}),
                  id="statement-confirm"),
        rx.form(
            rx.vstack(
                rx.el.label(rx.text("有异议？请写明哪张单据或金额不对", weight="bold"), html_for="dispute-note"),
                rx.text_area(name="note", id="dispute-note", max_length=NOTE_MAX, rows="3", width="100%", size="3"),
                field_error(C.errors, "note"),
                rx.button("提交异议", type="submit", size="3", variant="soft", color_scheme="red", width="100%",
                          id="statement-dispute"),
                spacing="2",
                width="100%",
            ),
            on_submit=C.dispute,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _statement_view() -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong(C.customer), "：以下是您在", rx.text.strong(C.shop), C.period, "的对账单。", size="3"),
        statement_table(C.rows, RECEIVABLE, "customer-statement"),
        rx.hstack(rx.text("期末应付本店", size="3"), rx.text(C.closing, size="6", weight="bold", id="customer-closing"),
                  align="baseline", spacing="2"),
        rx.match(
            C.page,
            ("form", _answer_form()),
            ("confirmed", rx.callout("您已确认本月对账单，感谢您的配合。", icon="circle-check", color_scheme="green",
                                     id="statement-answered")),
            rx.callout(rx.text("您已提交异议，门店会尽快与您核对。", rx.cond(C.note != "", "（" + C.note + "）", "")),
                       icon="message-circle-warning", color_scheme="orange", id="statement-answered"),
        ),
        spacing="4",
        width="100%",
    )


def statement_confirm_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading("对账确认", size="7", as_="h1"),
            rx.match(
                C.page,
                ("loading", page_loading(padding="3em")),
                ("form", _statement_view()),
                ("confirmed", _statement_view()),
                ("disputed", _statement_view()),
                rx.vstack(
                    rx.icon("link-2-off", size=56, color="var(--red-9)"),
                    rx.heading(C.page_title, size="6"),
                    rx.text(C.message, size="4", align="center"),
                    align="center", spacing="4", padding_y="3em", width="100%", id="statement-notice",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        class_name="public-form",
    )
