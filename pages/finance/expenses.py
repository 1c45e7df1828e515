"""费用: the month's expenses with internal use, what waits for me, the request form and the approval amount; one
expense with the actions its service allows; the categories; the statistics by category and month; 月度利润."""

from __future__ import annotations

import reflex as rx

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
    sideways_scroll,
)
from pages.layout import page
from state.finance.expenses import (
    CategoryRow,
    ExpenseCategoriesState,
    ExpenseDetailState,
    ExpenseRow,
    ExpensesState,
    ExpenseStatisticsState,
    ProfitLine,
    ProfitState,
    StatisticsRow,
    WaitingRow,
)

E = ExpensesState
X = ExpenseDetailState
C = ExpenseCategoriesState


def _options(options, placeholder: str | None = None):
    first = [rx.el.option(placeholder, value="")] if placeholder is not None else []
    return [*first, rx.foreach(options, lambda o: rx.el.option(o[1], value=o[0]))]


def _waiting(row: WaitingRow) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(rx.text(row.number, " · ", row.category, weight="medium"),
                      rx.text(row.payee, " · ", row.branch, size="1", color_scheme="gray"), spacing="0"),
            rx.spacer(),
            rx.vstack(rx.text(row.amount, weight="bold", white_space="nowrap"),
                      rx.badge(row.status, color_scheme="orange"), spacing="0", align="end"),
            rx.icon("chevron-right", size=18),
            align="center", width="100%", class_name="line-row",
        ),
        href=row.url, underline="none", color="inherit", width="100%", id="waiting-" + row.number,
    )


def _row(row: ExpenseRow) -> rx.Component:
    body = rx.hstack(
        rx.vstack(rx.text(row.category, " · ", row.payee, weight="medium"),
                  rx.text(row.number, " · ", row.when, " · ", row.requested_by, size="1", color_scheme="gray"),
                  spacing="0"),
        rx.spacer(),
        rx.vstack(rx.text(row.amount, weight="bold", white_space="nowrap"),
                  rx.badge(row.status, color_scheme=rx.cond(row.internal, "gray", "blue")), spacing="0",
                  align="end"),
        align="center", width="100%", class_name="line-row",
    )
    return rx.cond(row.internal, rx.box(body, width="100%", id="expense-" + row.number),
                   rx.link(body, href=row.url, underline="none", color="inherit", width="100%",
                           id="expense-" + row.number))


def _request_form() -> rx.Component:
    errors = E.errors
    return card(
        rx.heading("报销申请", size="4"),
        rx.form(
            rx.vstack(
                hidden_input("request_key", E.request_key),
                labelled("费用类别", rx.el.select(*_options(E.categories, "请选择"), name="category_id",
                                              class_name="native-select", id="expense-category"),
                         errors, "category_id", required=True),
                labelled("金额", rx.input(name="amount", input_mode="decimal", placeholder="0.00", size="3",
                                        width="100%", id="expense-amount"), errors, "amount", required=True),
                labelled("收款人/单位", rx.input(name="payee", size="3", width="100%", id="expense-payee",
                                            max_length=48), errors, "payee", required=True),
                labelled("说明", rx.input(name="note", size="3", width="100%", id="expense-note", max_length=200),
                         errors, "note"),
                rx.text("不超过 ", E.approval_amount, " 元由店长审批；超过的还需总部复核。", size="2",
                        color_scheme="gray"),
                field_error(errors, "form"),
                rx.button(rx.icon("send"), "提交申请", type="submit", size="3", width="100%", id="expense-submit"),
                spacing="3", width="100%",
            ),
            on_submit=E.request, reset_on_submit=False, key=E.form_version.to_string(), width="100%",
        ),
    )


def _setting() -> rx.Component:
    return card(
        rx.heading("审批设置", size="4"),
        rx.form(
            rx.vstack(
                labelled("单笔超过此金额需总部复核（元）",
                         rx.input(name="approval_amount", input_mode="decimal", default_value=E.approval_amount,
                                  key=E.approval_amount, size="3", width="100%", id="approval-amount"),
                         E.setting_errors, "approval_amount"),
                field_error(E.setting_errors, "form"),
                rx.button("保存", type="submit", size="3", variant="soft", width="100%"),
                spacing="3", width="100%",
            ),
            on_submit=E.set_approval_amount, reset_on_submit=False, width="100%",
        ),
        rx.hstack(rx.link("费用类别", href="/finance/expense-categories", id="categories-link"),
                  spacing="4"),
    )


@page("费用")
def expenses_page():
    return [
        banner_error(E.error),
        rx.cond(E.waiting.length() > 0, card(
            rx.heading("待我处理", size="4"),
            rx.vstack(rx.foreach(E.waiting, _waiting), width="100%", spacing="1", id="expenses-waiting"),
        )),
        card(
            rx.hstack(rx.heading(rx.cond(E.sees_all, "费用支出", "我的报销"), size="5"), rx.spacer(),
                      rx.cond(E.sees_all, rx.link("费用统计", href="/finance/expense-statistics",
                                                  id="statistics-link")),
                      align="center", width="100%"),
            rx.form(
                rx.hstack(
                    rx.input(name="month", type="month", default_value=E.month, key=E.month, size="3",
                             id="expenses-month", aria_label="月份"),
                    rx.el.select(*_options(E.status_options), name="status", default_value=E.status,
                                 key=E.status, class_name="native-select", id="expenses-status", aria_label="状态"),
                    rx.button("查询", type="submit", size="3", variant="soft"),
                    spacing="2", width="100%", wrap="wrap",
                ),
                on_submit=E.choose, reset_on_submit=False, width="100%",
            ),
            rx.cond(E.sees_all, rx.text("含库房内部领料和赠品（按成本，无需审批支付）。", size="2",
                                        color_scheme="gray")),
            rx.cond(E.rows.length() > 0,
                    rx.vstack(rx.foreach(E.rows, _row), width="100%", spacing="1", id="expenses-list"),
                    empty_note("本月没有费用")),
            rx.hstack(rx.text("合计"), rx.spacer(), rx.text(E.total, weight="bold", id="expenses-total"),
                      width="100%"),
        ),
        _request_form(),
        rx.cond(E.can_settle, _setting()),
    ]


# --- one expense ------------------------------------------------------------------------------------------------


def _fact(label: str, value) -> rx.Component:
    return rx.cond(value != "", rx.hstack(rx.text(label, color_scheme="gray", min_width="5em"), rx.text(value),
                                          width="100%", align="start"))


def _actions() -> rx.Component:
    return rx.vstack(
        rx.cond(X.can_approve, rx.button(rx.icon("check"), "批准", size="3", width="100%", on_click=X.approve,
                                         id="expense-approve")),
        rx.cond(X.can_reject, rx.form(
            rx.vstack(labelled("驳回原因", rx.input(name="reason", size="3", width="100%", id="reject-reason",
                                                  max_length=200), X.errors, "reason"),
                      rx.button("驳回", type="submit", size="3", width="100%", color_scheme="red", variant="soft",
                                id="expense-reject"),
                      spacing="2", width="100%"),
            on_submit=X.reject, reset_on_submit=False, key=X.form_version.to_string(), width="100%",
        )),
        rx.cond(X.can_pay, rx.form(
            rx.vstack(
                hidden_input("request_key", X.pay_key),
                labelled("付款账户", rx.el.select(*_options(X.accounts, "请选择"), name="account_id",
                                              class_name="native-select", id="pay-account"),
                         X.errors, "account_id", required=True),
                rx.button(rx.icon("banknote"), "确认支付", type="submit", size="3", width="100%", id="expense-pay"),
                spacing="2", width="100%"),
            on_submit=X.pay, reset_on_submit=False, key=X.form_version.to_string(), width="100%",
        )),
        rx.cond(X.can_withdraw, rx.button("撤回申请", size="3", width="100%", variant="soft", color_scheme="gray",
                                          on_click=X.withdraw, id="expense-withdraw")),
        field_error(X.errors, "form"),
        spacing="3", width="100%",
    )


@page("费用单")
def expense_detail_page():
    v = X.expense
    return [
        back_link("费用", "/finance/expenses"),
        rx.cond(
            X.found,
            card(
                rx.hstack(rx.heading(v.number, size="5"), rx.spacer(),
                          rx.badge(v.status, size="3", id="expense-status"), align="center", width="100%"),
                rx.text(v.amount, size="7", weight="bold", id="expense-amount-shown"),
                _fact("类别", v.category),
                _fact("收款人", v.payee),
                _fact("说明", v.note),
                _fact("申请人", v.requested_by),
                _fact("申请时间", v.requested_at),
                _fact("审批", v.tier),
                _fact("初审", v.first_approval),
                _fact("复核", v.second_approval),
                _fact("结果", v.decision),
                _fact("支付", v.paid),
                _actions(),
            ),
            rx.cond(X.error != "", banner_error(X.error), page_loading()),
        ),
    ]


# --- categories -------------------------------------------------------------------------------------------------


def _category(row: CategoryRow) -> rx.Component:
    return rx.cond(
        C.editing == row.id,
        rx.form(
            rx.hstack(rx.input(name="name", default_value=row.name, size="3", max_length=32, id="rename-input",
                               aria_label="新名称"),
                      rx.button("保存", type="submit", size="3"),
                      rx.button("取消", type="button", size="3", variant="soft", color_scheme="gray",
                                on_click=C.cancel_rename),
                      width="100%", wrap="wrap"),
            field_error(C.errors, "name"),
            on_submit=C.rename, reset_on_submit=False, width="100%",
        ),
        rx.hstack(
            rx.vstack(rx.text(row.name, weight="medium", color_scheme=rx.cond(row.active, None, "gray")),
                      rx.text(row.kind, rx.cond(row.active, "", " · 已停用"), size="1", color_scheme="gray"),
                      spacing="0"),
            rx.spacer(),
            rx.button("改名", size="2", variant="soft", on_click=C.start_rename(row.id)),
            rx.cond(row.active,
                    rx.button("停用", size="2", variant="soft", color_scheme="gray",
                              on_click=C.set_active(row.id, False)),
                    rx.button("启用", size="2", variant="soft", on_click=C.set_active(row.id, True))),
            align="center", width="100%", class_name="line-row", id="category-" + row.id,
        ),
    )


@page("费用类别")
def expense_categories_page():
    return [
        back_link("费用", "/finance/expenses"),
        banner_error(C.error),
        card(
            rx.heading("费用类别", size="5"),
            rx.text("停用后不再可选，已记入的费用保留。库房内部领料和赠品也记入这些类别。", size="2",
                    color_scheme="gray"),
            rx.vstack(rx.foreach(C.rows, _category), width="100%", spacing="1", id="category-list"),
            field_error(C.errors, "form"),
        ),
        card(
            rx.heading("添加类别", size="4"),
            rx.form(
                rx.vstack(
                    labelled("名称", rx.input(name="name", size="3", width="100%", max_length=32,
                                            id="category-name"), C.errors, "name", required=True),
                    labelled("性质", rx.el.select(*_options(C.kind_options), name="kind",
                                                class_name="native-select", id="category-kind"),
                             C.errors, "kind", required=True),
                    rx.button("添加", type="submit", size="3", width="100%", variant="soft"),
                    spacing="3", width="100%",
                ),
                on_submit=C.add, reset_on_submit=False, key=C.form_version.to_string(), width="100%",
            ),
        ),
    ]


# --- statistics and profit ----------------------------------------------------------------------------------------


def _year_picker(state, element_id: str) -> rx.Component:
    return rx.input(type="number", default_value=state.year, key=state.year, min=2000, max=2100, size="3",
                    width="8em", on_blur=state.choose_year, id=element_id, aria_label="年份")


def _month_table(labels, rows, first: str, cells, table_id: str, name: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell(first),
                rx.foreach(labels, lambda label: rx.table.column_header_cell(label, text_align="right")),
                rx.table.column_header_cell("全年", text_align="right"),
            )),
            rx.table.body(rx.foreach(rows, cells)),
            width="100%", min_width="64rem", size="1", id=table_id,
        ),
        **sideways_scroll(name),
    )


def _statistics_row(row: StatisticsRow) -> rx.Component:
    weight = rx.cond(row.emphasis, "bold", "regular")
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.name, weight=weight), white_space="nowrap"),
        rx.foreach(row.months, lambda amount: rx.table.cell(amount, text_align="right", white_space="nowrap")),
        rx.table.cell(rx.text(row.total, weight="bold"), text_align="right", white_space="nowrap"),
    )


@page("费用统计")
def expense_statistics_page():
    S = ExpenseStatisticsState
    return [
        back_link("费用", "/finance/expenses"),
        banner_error(S.error),
        card(
            rx.hstack(rx.heading("费用统计", size="5"), rx.spacer(), _year_picker(S, "statistics-year"),
                      download_button(S.export_url, "statistics-export"), align="center", width="100%",
                      wrap="wrap"),
            rx.text("按类别和月份：已支付的报销（按支付月份）加库房内部领料和赠品（按成本）。", size="2",
                    color_scheme="gray"),
            _month_table(S.month_labels, S.rows, "费用类别", _statistics_row, "statistics-table", "费用统计"),
        ),
    ]


def _profit_row(line: ProfitLine) -> rx.Component:
    weight = rx.cond(line.emphasis, "bold", "regular")
    return rx.table.row(
        rx.table.row_header_cell(rx.text(line.label, weight=weight), white_space="nowrap"),
        rx.foreach(line.months, lambda amount: rx.table.cell(rx.text(amount, weight=weight), text_align="right",
                                                             white_space="nowrap")),
        rx.table.cell(rx.text(line.total, weight="bold"), text_align="right", white_space="nowrap"),
    )


@page("月度利润")
def profit_page():
    P = ProfitState
    return [
        banner_error(P.error),
        card(
            rx.hstack(rx.heading("月度利润", size="5"), rx.spacer(), _year_picker(P, "profit-year"),
                      align="center", width="100%"),
            rx.text("收入取有效结算单（含税，按结算月份），减去结算单记录的销项税额（仅客户自付部分计税）得净收入；"
                    "再减配件成本（出库平均成本）、已支付的费用、库房内部领料/赠品（按成本）"
                    "和库存损溢（盘点盈亏、调出途损），得利润。", size="2", color_scheme="gray"),
            _month_table(P.month_labels, P.lines, "项目", _profit_row, "profit-table", "月度利润"),
        ),
    ]
