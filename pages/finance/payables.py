"""应付账款: the suppliers owed with their ageing, one supplier (open items, pay form, statement), and the printable
对账单 — the shared party components (pages/finance/parties.py) in the words of 应付."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, card, download_button, empty_note, page_loading
from pages.finance.parties import (
    PAYABLE,
    ageing_table,
    open_items,
    party_summary,
    pay_form,
    recent_payments,
    statement_card,
    statement_sheet,
)
from pages.layout import page
from state.finance.payables import PayablesState, StatementSheetState, SupplierPayablesState

P = PayablesState
S = SupplierPayablesState


@page("应付账款")
def payables_page():
    return [
        card(
            rx.hstack(rx.heading("供应商欠款与账龄", size="5"), rx.spacer(),
                      download_button("/api/payables/ageing.xlsx", "ageing-export"), align="center", width="100%"),
            rx.text("按到期日计算账龄（截至 ", P.today, "）。点供应商名称查看明细、对账和付款。", size="2",
                    color_scheme="gray"),
            banner_error(P.error),
            rx.cond(P.rows.length() > 0, ageing_table(P, PAYABLE, "payables-ageing"),
                    empty_note("目前没有欠供应商的款项")),
        ),
    ]


@page("供应商应付")
def supplier_payables_page():
    return [
        back_link("应付账款", "/payables"),
        rx.cond(
            S.found,
            rx.vstack(
                party_summary(S, PAYABLE, rx.text("结算方式 ", S.terms,
                                                  rx.cond(S.bank_account != "", " · 账号 " + S.bank_account, ""),
                                                  size="2", color_scheme="gray")),
                open_items(S, PAYABLE),
                rx.cond(S.can_pay, pay_form(S, PAYABLE)),
                statement_card(S, PAYABLE),
                recent_payments(S, PAYABLE),
                spacing="4",
                width="100%",
            ),
            rx.cond(S.error != "", banner_error(S.error), page_loading()),
        ),
    ]


def statement_sheet_page() -> rx.Component:
    return statement_sheet(StatementSheetState, PAYABLE, "供应商对账单", "供应商", "供应商确认")
