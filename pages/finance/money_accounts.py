"""资金: the money accounts with their balances, methods, transfers, new accounts and opening balances; and one
account's journal (日记账) with its running balance."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, card, empty_note, field_error, labelled, page_loading
from pages.layout import page
from state.finance.money_accounts import AccountJournalState, AccountRow, JournalRow, MethodRow, MoneyAccountsState

M = MoneyAccountsState
J = AccountJournalState


def _account(row: AccountRow) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(rx.text(row.name, weight="bold"),
                      rx.text(row.kind, rx.cond(row.account_number != "", " · " + row.account_number, ""), size="1",
                              color_scheme="gray"), spacing="0"),
            rx.spacer(),
            rx.text(row.balance, weight="bold", size="4", white_space="nowrap"),
            rx.icon("chevron-right", size=18),
            align="center", width="100%", class_name="line-row",
        ),
        href=row.url, underline="none", color="inherit", width="100%", id="account-" + row.id,
    )


def _account_select(name: str, element_id: str, label: str) -> rx.Component:
    return rx.el.select(
        rx.el.option("请选择", value=""),
        rx.foreach(M.account_options, lambda o: rx.el.option(o[1], value=o[0])),
        name=name, class_name="native-select", id=element_id, aria_label=label,
    )


def _method(row: MethodRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.label, min_width="5em", weight="medium"),
        rx.cond(
            M.can_manage,
            rx.el.select(rx.foreach(M.account_options, lambda o: rx.el.option(o[1], value=o[0])),
                         value=row.account_id, on_change=lambda value: M.map_method(row.method, value),
                         class_name="native-select", id="method-" + row.method, aria_label=row.label + "收款入账账户"),
            rx.text(rx.foreach(M.accounts, lambda a: rx.cond(a.id == row.account_id, a.name, ""))),
        ),
        align="center", width="100%", class_name="line-row",
    )


def _transfer_form() -> rx.Component:
    errors = M.errors
    return card(
        rx.heading("转账（如现金存银行）", size="4"),
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="request_key", value=M.transfer_key),
                rx.grid(labelled("转出账户", _account_select("from_account_id", "transfer-from", "转出账户"), errors,
                                 "from_account_id", required=True),
                        labelled("转入账户", _account_select("to_account_id", "transfer-to", "转入账户"), errors,
                                 "to_account_id", required=True),
                        columns="2", spacing="2", width="100%"),
                labelled("金额", rx.input(name="amount", input_mode="decimal", placeholder="0.00", size="3",
                                        width="100%", id="transfer-amount"), errors, "amount", required=True),
                labelled("备注", rx.input(name="note", size="3", width="100%", id="transfer-note", max_length=120),
                         errors, "note"),
                rx.button(rx.icon("arrow-left-right"), "确认转账", type="submit", size="3", width="100%",
                          id="transfer-submit"),
                spacing="3", width="100%",
            ),
            on_submit=M.transfer, reset_on_submit=False, key=M.form_version.to_string(), width="100%",
        ),
    )


def _manage_forms() -> rx.Component:
    errors = M.errors
    return rx.fragment(
        card(
            rx.heading("期初余额", size="4"),
            rx.text("开始在本系统记账时，各账户里已有的钱。账户有收支记录后不能再设。", size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.grid(labelled("账户", _account_select("account_id", "opening-account", "账户"), errors,
                                     "account_id", required=True),
                            labelled("期初余额", rx.input(name="opening", input_mode="decimal", size="3",
                                                      width="100%", id="opening-amount"), errors, "opening",
                                     required=True),
                            columns="2", spacing="2", width="100%"),
                    rx.button("记入期初余额", type="submit", size="3", width="100%", variant="soft"),
                    spacing="3", width="100%",
                ),
                on_submit=M.set_opening, reset_on_submit=False, key=M.form_version.to_string(), width="100%",
            ),
        ),
        card(
            rx.heading("新建账户", size="4"),
            rx.form(
                rx.vstack(
                    labelled("类型", rx.el.select(rx.el.option("请选择", value=""),
                                                rx.foreach(M.kind_options, lambda o: rx.el.option(o[1], value=o[0])),
                                                name="kind", class_name="native-select", id="account-kind"),
                             errors, "kind", required=True),
                    labelled("名称", rx.input(name="name", size="3", width="100%", id="account-name", max_length=32),
                             errors, "name", required=True),
                    labelled("开户行及账号（或商户号）", rx.input(name="account_number", size="3", width="100%",
                                                       id="account-number", max_length=40),
                             errors, "account_number"),
                    rx.button("新建账户", type="submit", size="3", width="100%", variant="soft"),
                    spacing="3", width="100%",
                ),
                on_submit=M.create_account, reset_on_submit=False, key=M.form_version.to_string(), width="100%",
            ),
        ),
    )


@page("资金账户")
def money_accounts_page():
    return [
        banner_error(M.error),
        card(
            rx.hstack(rx.heading("资金账户", size="5"), rx.spacer(),
                      rx.text("合计 ", rx.text.strong(M.total, id="money-total")), align="center", width="100%"),
            rx.text("点账户查看日记账（每笔收支与余额）。", size="2", color_scheme="gray"),
            rx.cond(M.accounts.length() > 0, rx.vstack(rx.foreach(M.accounts, _account), width="100%", spacing="1"),
                    empty_note("还没有资金账户")),
        ),
        card(
            rx.heading("收付款方式入账账户", size="4"),
            rx.text("每种方式收到或付出的钱记入哪个账户；会员卡和挂账不经过资金账户。", size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(M.methods, _method), width="100%", spacing="1"),
        ),
        field_error(M.errors, "form"),
        rx.cond(M.can_transfer, _transfer_form()),
        rx.cond(M.can_manage, _manage_forms()),
    ]


def _journal_row(row: JournalRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.what, weight="medium"), rx.text(row.when, size="1", color_scheme="gray"),
                      rx.text(row.summary, size="1", color_scheme="gray")),
        rx.table.cell(rx.cond(row.received != "", rx.text("+", row.received, color_scheme="green"),
                              rx.text("−", row.paid, color_scheme="red")), text_align="right", white_space="nowrap"),
        rx.table.cell(rx.text(row.balance, weight="medium"), text_align="right", white_space="nowrap"),
    )


@page("日记账")
def account_journal_page():
    return [
        back_link("资金账户", "/finance/accounts"),
        rx.cond(
            J.found,
            card(
                rx.heading(J.name, " 日记账", size="5", id="journal-title"),
                rx.text(J.kind, size="2", color_scheme="gray"),
                rx.form(
                    rx.grid(
                        labelled("从", rx.input(name="from", type="date", size="3", default_value=J.date_from,
                                                key=J.date_from, width="100%", id="journal-from"), J.errors, "from"),
                        labelled("至", rx.input(name="to", type="date", size="3", default_value=J.date_to,
                                                key=J.date_to, width="100%", id="journal-to"), J.errors, "to"),
                        columns="2", spacing="2", width="100%",
                    ),
                    rx.button("查询", type="submit", size="3", width="100%", variant="soft", margin_top="0.5em"),
                    on_submit=J.choose_period, reset_on_submit=False, width="100%",
                ),
                rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("摘要"),
                                                 rx.table.column_header_cell("收入/支出", text_align="right"),
                                                 rx.table.column_header_cell("余额", text_align="right"))),
                    rx.table.body(
                        rx.table.row(rx.table.cell("期初余额", J.date_from), rx.table.cell(),
                                     rx.table.cell(rx.text(J.opening, weight="medium"), text_align="right")),
                        rx.foreach(J.rows, _journal_row),
                        rx.table.row(rx.table.cell(rx.text("本期合计", weight="bold")),
                                     rx.table.cell(rx.text("+", J.received, " / −", J.paid), text_align="right",
                                                   white_space="nowrap"),
                                     rx.table.cell()),
                        rx.table.row(rx.table.cell(rx.text("期末余额", weight="bold")), rx.table.cell(),
                                     rx.table.cell(rx.text(J.closing, weight="bold", id="journal-closing"),
                                                   text_align="right")),
                    ),
                    width="100%", size="1", id="journal-table",
                ),
            ),
            rx.cond(J.error != "", banner_error(J.error), page_loading()),
        ),
    ]
