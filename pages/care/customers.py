"""Customers (``/customers``): find one by name, mobile or plate; the customer file (``/customers/<id>``): details
with tap-to-call and consent, vehicles, orders, spending, follow-ups with their ratings and complaints."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, field_error, labelled, page_loading, plate
from pages.layout import page
from pages.workshop.vehicle_forms import consent_badges
from state.care.customers import (
    ComplaintRow,
    CustomerFileState,
    CustomerOrderRow,
    CustomerRow,
    CustomerSearchState,
    CustomerVehicleRow,
    FollowUpRow,
)


def search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="query", placeholder="姓名、手机号或车牌（可输后3–4位）", size="3", flex="1", auto_focus=True,
                     aria_label="搜索客户", enter_key_hint="search", id="customer-query"),
            rx.button(rx.icon("search"), "查找", size="3", type="submit"),
            width="100%",
        ),
        on_submit=CustomerSearchState.search,
        reset_on_submit=False,
        width="100%",
    )


def customer_row(row: CustomerRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(rx.text(row.name, weight="bold", size="4"), rx.badge(row.kind), rx.spacer(),
                          rx.text(row.mobile, color_scheme="gray"), width="100%", align="center", wrap="wrap"),
                rx.hstack(rx.foreach(row.plates, lambda p: plate(p, size="3")), wrap="wrap", spacing="2"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            class_name="tap-card",
        ),
        href="/customers/" + row.id.to_string(),
        underline="none",
        width="100%",
    )


@page("客户")
def customers_page():
    return [
        search_form(),
        banner_error(CustomerSearchState.error),
        rx.vstack(
            rx.foreach(CustomerSearchState.results, customer_row),
            rx.cond(CustomerSearchState.searched & (CustomerSearchState.results.length() == 0),
                    empty_note("没有找到匹配的客户")),
            width="100%",
            spacing="2",
            id="customer-results",
        ),
    ]


def info(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(rx.text(label, color_scheme="gray", size="2", min_width="5em"), rx.text(value, size="3"),
                  align="baseline"),
    )


def figure(label: str, value: rx.Var, element_id: str, alert: rx.Var | bool = False) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"),
                  rx.text(value, size="5", weight="bold", color=rx.cond(alert, "var(--red-11)", "inherit")),
                  spacing="1"),
        id=element_id,
    )


def details() -> rx.Component:
    s = CustomerFileState
    return card(
        rx.hstack(rx.heading(s.name, size="6"), rx.badge(s.kind, size="2"), align="center", wrap="wrap"),
        rx.link(rx.hstack(rx.icon("phone", size=18), rx.text(s.mobile), align="center", spacing="2"),
                href="tel:" + s.mobile, class_name="tel-link", id="customer-call"),
        consent_badges(s.sms_consent, s.webhook_consent),
        info("生日", s.birthday),
        info("建档日期", s.since),
        info("备注", s.notes),
        id="customer-details",
    )


def spending() -> rx.Component:
    s = CustomerFileState
    return rx.grid(
        figure("累计消费", s.spent, "spend-total"),
        figure("到店次数", s.visits, "spend-visits"),
        figure("次均消费", s.average, "spend-average"),
        figure("挂账未结", s.owed, "spend-owed", s.has_debt),
        figure("首次到店", s.first_visit, "spend-first"),
        figure("最近到店", s.last_visit, "spend-last"),
        columns=rx.breakpoints(initial="2", sm="3"),
        spacing="2",
        width="100%",
    )


def credit() -> rx.Component:
    """挂账: the limit and terms; a manager changes them here (月结 and 账期 for company and fleet customers)."""
    s = CustomerFileState
    errors = s.credit_errors
    return card(
        rx.hstack(rx.heading("挂账", size="4"), rx.spacer(),
                  rx.text("额度 ", s.credit_limit_text, " · ", s.terms_text, size="2", id="customer-credit"),
                  align="center", width="100%", wrap="wrap"),
        rx.cond(
            s.can_set_credit,
            rx.form(
                rx.vstack(
                    rx.grid(
                        labelled("挂账额度（元）", rx.input(name="credit_limit", default_value=s.credit_limit,
                                                       input_mode="decimal", size="3", width="100%",
                                                       id="credit-limit"), errors, "credit_limit"),
                        labelled("结算方式", rx.el.select(
                            rx.foreach(s.terms_options, lambda o: rx.el.option(o[1], value=o[0])), name="terms",
                            default_value=s.terms, class_name="native-select", id="credit-terms",
                            disabled=~s.is_company), errors, "terms"),
                        labelled("天数", rx.input(name="terms_days", default_value=s.terms_days, input_mode="numeric",
                                                size="3", width="100%", id="credit-days", disabled=~s.is_company),
                                 errors, "terms_days"),
                        columns=rx.breakpoints(initial="1", sm="3"), spacing="2", width="100%",
                    ),
                    rx.cond(~s.is_company, rx.text("个人客户现结；单位和车队客户可以月结或约定账期。", size="1",
                                                   color_scheme="gray")),
                    field_error(errors, "form"),
                    rx.button(rx.icon("save"), "保存挂账设置", type="submit", size="3", id="credit-save"),
                    spacing="2", width="100%",
                ),
                on_submit=s.save_credit, reset_on_submit=False, key=s.credit_version.to_string(), width="100%",
            ),
        ),
        id="customer-credit-card",
    )


def vehicle_link(row: CustomerVehicleRow) -> rx.Component:
    return rx.link(
        rx.hstack(plate(row.plate), rx.text(row.title), rx.spacer(), rx.icon("chevron-right"), align="center",
                  width="100%", min_height="44px"),
        href="/v/" + row.token,
        underline="none",
        width="100%",
    )


def order_row(row: CustomerOrderRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.number, weight="medium", white_space="nowrap"),
                                 rx.text(row.opened, size="1", color_scheme="gray")),
        rx.table.cell(rx.text(row.plate, white_space="nowrap"),
                      rx.badge(row.status, color_scheme=rx.cond(row.settled, "green", "gray"))),
        rx.table.cell(rx.text(row.amount, white_space="nowrap"),
                      rx.cond(row.paid_by_customer != "",
                              rx.text("自付 ", row.paid_by_customer, size="1", color_scheme="gray",
                                      white_space="nowrap")),
                      text_align="right"),
    )


def orders() -> rx.Component:
    return card(
        rx.heading("维修记录", size="4"),
        rx.cond(
            CustomerFileState.orders.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("工单 · 日期"),
                    rx.table.column_header_cell("车牌 · 状态"),
                    rx.table.column_header_cell("金额", text_align="right"),
                )),
                rx.table.body(rx.foreach(CustomerFileState.orders, order_row)),
                width="100%",
                size="1",
                id="customer-orders",
            ),
            empty_note("暂无工单"),
        ),
    )


def follow_up_item(row: FollowUpRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.cond(row.answered,
                    rx.text(row.stars, color_scheme=rx.cond(row.low, "red", "amber"), size="4", aria_label=row.overall),
                    rx.badge(row.status, color_scheme="gray")),
            rx.cond(row.channel != "", rx.badge(row.channel, variant="soft")),
            rx.cond(row.unsolved, rx.badge("问题未解决", color_scheme="red")),
            rx.spacer(),
            rx.text(row.when, size="1", color_scheme="gray"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(row.aspects != "", rx.text(row.aspects, size="2", color_scheme="gray")),
        rx.cond(row.comment != "", rx.text("“", row.comment, "”", size="2")),
        width="100%",
        spacing="1",
        class_name="line-row",
    )


def complaint_item(row: ComplaintRow) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(rx.text(row.number, weight="medium"), rx.text(row.summary, size="2"),
                      rx.text(row.created, size="1", color_scheme="gray"), spacing="0"),
            rx.spacer(),
            rx.badge(row.status, color_scheme=rx.cond(row.still_open, "red", "green")),
            rx.icon("chevron-right"),
            align="center",
            width="100%",
            min_height="44px",
        ),
        href="/complaints/" + row.id.to_string(),
        underline="none",
        width="100%",
        class_name="line-row",
    )


def _file_body() -> rx.Component:
    s = CustomerFileState
    return rx.vstack(
        rx.grid(
            details(),
            card(rx.heading("车辆", size="4"),
                 rx.cond(s.vehicles.length() > 0, rx.vstack(rx.foreach(s.vehicles, vehicle_link), width="100%"),
                         empty_note("暂无车辆")),
                 id="customer-vehicles"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        spending(),
        credit(),
        orders(),
        rx.grid(
            card(rx.heading("回访", size="4"),
                 rx.cond(s.follow_ups.length() > 0, rx.vstack(rx.foreach(s.follow_ups, follow_up_item), width="100%"),
                         empty_note("暂无回访记录")),
                 id="customer-follow-ups"),
            card(rx.heading("投诉", size="4"),
                 rx.cond(s.complaints.length() > 0, rx.vstack(rx.foreach(s.complaints, complaint_item), width="100%"),
                         empty_note("暂无投诉")),
                 id="customer-complaints"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


@page("客户档案")
def customer_file_page():
    return rx.cond(
        CustomerFileState.found,
        _file_body(),
        rx.cond(
            CustomerFileState.not_found_message != "",
            rx.vstack(
                rx.callout(CustomerFileState.not_found_message, icon="circle_x", color_scheme="orange", size="3",
                           id="customer-not-found", width="100%"),
                rx.link(rx.button(rx.icon("search"), "查找客户", size="3"), href="/customers"),
                spacing="3",
            ),
            page_loading(),
        ),
    )
