"""Complaints (``/complaints``, ``/complaints/<id>``): the list with a status filter and 我的, a staff entry form, and one
complaint with assignee, status moves and resolution; laid out for a phone first."""

from __future__ import annotations

import reflex as rx

from pages.components import back_link, banner_error, card, empty_note, field_error, labelled, page_loading, plate
from pages.layout import page
from state.care.complaints import ComplaintDetailState, ComplaintRowView, ComplaintsState, HistoryView

L = ComplaintsState
D = ComplaintDetailState


def status_badge(label: rx.Var, value: rx.Var) -> rx.Component:
    return rx.badge(label, size="2", color_scheme=rx.match(value, ("open", "red"), ("processing", "orange"),
                                                           ("resolved", "green"), "gray"))


def _row(row: ComplaintRowView) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(row.number, weight="bold"),
                    status_badge(row.status, row.status_value),
                    rx.spacer(),
                    rx.text(row.created, size="2", color_scheme="gray"),
                    align="center", width="100%", wrap="wrap",
                ),
                rx.hstack(rx.cond(row.plate != "", plate(row.plate, "5")), rx.text(row.customer, weight="medium"),
                          rx.badge(row.source, variant="soft", color_scheme="gray"), align="center", wrap="wrap"),
                rx.text(row.summary, size="2", class_name="clamp-2"),
                rx.text("负责人：", row.assignee, size="2", color_scheme="gray"),
                spacing="2", width="100%",
            ),
            width="100%",
        ),
        href="/complaints/" + row.id.to_string(),
        underline="none",
        color="inherit",
        width="100%",
        class_name="complaint-row",
    )


def _entry_form() -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.hstack(rx.icon("plus"), rx.text("登记投诉（到店/来电）"), align="center"),
                      class_name="entry-summary"),
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="request_key", value=L.entry_key),
                labelled("车牌号", rx.input(name="plate", placeholder="例如 粤B12345", size="3", width="100%",
                                          id="complaint-plate"), L.form_errors, "plate", required=True),
                labelled("投诉内容", rx.text_area(name="summary", rows="3", size="3", width="100%", max_length=500,
                                              id="complaint-summary"), L.form_errors, "summary", required=True),
                field_error(L.form_errors, "form"),
                rx.button("登记", type="submit", size="3", width="100%"),
                width="100%",
            ),
            on_submit=L.create,
            reset_on_submit=True,
            width="100%",
        ),
        class_name="entry-box",
    )


@page("客户投诉")
def complaints_page():
    return [
        banner_error(L.error),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder="全部状态", min_width="8em", aria_label="按状态筛选"),
                rx.select.content(rx.foreach(L.status_filters, lambda s: rx.select.item(s[1], value=rx.cond(
                    s[0] == "", "all", s[0])))),
                value=rx.cond(L.status_filter == "", "all", L.status_filter),
                on_change=lambda value: L.filter_status(value),
                size="3",
                name="status",
            ),
            rx.el.label(rx.switch(checked=L.mine, on_change=L.toggle_mine, size="3", id="mine"),
                        rx.text("我的"), class_name="switch-label"),
            align="center", spacing="4", wrap="wrap", width="100%",
        ),
        _entry_form(),
        rx.cond(L.rows.length() > 0,
                rx.vstack(rx.foreach(L.rows, _row), width="100%", spacing="2", id="complaint-list"),
                empty_note("没有符合条件的投诉")),
    ]


def _history(item: HistoryView) -> rx.Component:
    return rx.hstack(
        rx.text(item.when, size="2", color_scheme="gray", min_width="9em"),
        rx.text(item.who, size="2", weight="medium"),
        rx.text(item.what, size="2"),
        wrap="wrap", spacing="2", width="100%",
    )


def _move(move: rx.Var) -> rx.Component:
    """One move button; 标记已解决 carries the resolution it needs."""
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="to", value=move[0]),
            rx.cond(move[0] == "resolved",
                    labelled("处理结果", rx.text_area(name="resolution", rows="3", size="3", width="100%",
                                                  default_value=D.resolution, max_length=1000, id="resolution"),
                             D.errors, "resolution", required=True)),
            rx.button(move[1], type="submit", size="3", width="100%",
                      variant=rx.cond(move[0] == "processing", "soft", "solid")),
            width="100%",
        ),
        on_submit=D.move,
        reset_on_submit=False,
        width="100%",
    )


@page("投诉详情")
def complaint_detail_page():
    return [
        back_link("投诉列表", "/complaints"),
        banner_error(D.error),
        rx.cond(
            D.found,
            rx.vstack(
                card(
                    rx.hstack(rx.heading(D.number, size="5"), status_badge(D.status, D.status_value),
                              rx.badge(D.source, variant="soft", color_scheme="gray"), align="center", wrap="wrap"),
                    rx.text(D.summary, size="3", white_space="pre-wrap", id="complaint-summary-text"),
                    rx.hstack(rx.cond(D.plate != "", plate(D.plate, "5")), rx.text(D.customer, weight="medium"),
                              rx.text(D.mobile, color_scheme="gray"), align="center", wrap="wrap"),
                    rx.cond(D.order_number != "", rx.text("工单 ", D.order_number, size="2", color_scheme="gray")),
                    rx.text("登记 ", D.created, " · ", D.created_by, size="2", color_scheme="gray"),
                    rx.hstack(
                        rx.cond(D.follow_up_ref > 0,
                                rx.link(rx.button(rx.icon("message-square-text"), "查看回访", size="3", variant="soft"),
                                        href="/follow-ups/" + D.follow_up_ref.to_string())),
                        rx.link(rx.button(rx.icon("user"), "客户档案", size="3", variant="soft", color_scheme="gray"),
                                href="/customers/" + D.customer_ref.to_string()),
                        wrap="wrap",
                    ),
                ),
                card(
                    rx.heading("负责人", size="4"),
                    rx.text(D.assignee, id="complaint-assignee"),
                    rx.cond(D.can_handle, rx.form(
                        rx.hstack(
                            rx.select.root(
                                rx.select.trigger(placeholder="选择负责人", flex="1", aria_label="负责人"),
                                rx.select.content(rx.foreach(D.assignable,
                                                             lambda u: rx.select.item(u[1], value=u[0]))),
                                name="assignee", size="3", default_value=D.assignee_id,
                            ),
                            rx.button("指派", type="submit", size="3"),
                            width="100%",
                        ),
                        on_submit=D.assign, reset_on_submit=False, width="100%",
                    )),
                    field_error(D.errors, "assignee"),
                ),
                card(
                    rx.heading("处理", size="4"),
                    rx.cond(D.resolution != "", rx.text("处理结果：", D.resolution, white_space="pre-wrap")),
                    rx.foreach(D.moves, _move),
                    rx.cond(D.moves.length() == 0, empty_note("没有可执行的操作")),
                    field_error(D.errors, "status"),
                    field_error(D.errors, "form"),
                ),
                card(rx.heading("处理记录", size="4"), rx.foreach(D.history, _history)),
                width="100%",
                spacing="3",
            ),
            rx.cond(D.error == "", page_loading()),
        ),
    ]
