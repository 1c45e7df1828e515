"""One follow-up for staff (``/follow-ups/<id>``, 回访详情): what the customer said, the calls, recording a call and
sending the personal link."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, field_error, labelled, page_loading, plate
from pages.layout import page
from state.care.follow_up_detail import CallView, FollowUpDetailState

S = FollowUpDetailState


def _call(call: CallView) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(call.when, size="2", color_scheme="gray"), rx.text(call.who, size="2", weight="medium"),
                  rx.badge(call.result), rx.cond(call.satisfaction != "", rx.badge(call.satisfaction, color_scheme="amber")),
                  wrap="wrap", align="center"),
        rx.cond(call.handling != "", rx.text(call.handling, size="2")),
        spacing="1", width="100%", class_name="line-row",
    )


def _call_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="request_key", value=S.call_key),
            labelled("通话结果", rx.flex(rx.foreach(S.call_results, lambda r: rx.button(
                r[1], type="button", size="3", on_click=S.choose_result(r[0]),
                variant=rx.cond(S.call_result == r[0], "solid", "soft"))), gap="2", wrap="wrap"),
                S.errors, "result", required=True),
            rx.cond(
                S.call_result == "reached",
                rx.vstack(
                    labelled("客户满意度", rx.radio_group.root(
                        rx.hstack(*[rx.el.label(rx.radio_group.item(value=str(n)), rx.text(f"{n}星"),
                                                class_name="switch-label") for n in range(1, 6)],
                                  spacing="3", wrap="wrap"),
                        name="satisfaction", size="3",
                    ), S.errors, "satisfaction", required=True),
                    rx.el.label(rx.checkbox(name="problem_unsolved", size="3"), rx.text("问题未解决"),
                                class_name="switch-label"),
                    field_error(S.errors, "problem_unsolved"),
                    width="100%",
                ),
            ),
            labelled("处理说明", rx.text_area(name="handling", rows="3", size="3", width="100%", max_length=500,
                                          id="call-handling"), S.errors, "handling"),
            field_error(S.errors, "form"),
            rx.button(rx.icon("phone"), "记录电话回访", type="submit", size="3", width="100%"),
            width="100%",
        ),
        on_submit=S.record_call,
        reset_on_submit=True,
        width="100%",
    )


@page("回访详情")
def follow_up_detail_page():
    return [
        banner_error(S.error),
        rx.cond(
            S.found,
            rx.vstack(
                card(
                    rx.hstack(plate(S.plate, "5"), rx.text(S.customer, weight="bold"),
                              rx.link(S.mobile, href="tel:" + S.mobile), rx.badge(S.status, size="2"),
                              align="center", wrap="wrap"),
                    rx.text("工单 ", S.order_number, " · 结清 ", S.closed, size="2", color_scheme="gray"),
                    rx.cond(S.due_on != "", rx.text("应回访日期 ", S.due_on, size="2", color_scheme="gray")),
                    rx.cond(S.complaint_ref > 0,
                            rx.link(rx.button(rx.icon("triangle-alert"), "投诉 ", S.complaint_number, size="3",
                                              color_scheme="red", variant="soft"),
                                    href="/complaints/" + S.complaint_ref.to_string())),
                ),
                card(
                    rx.heading("客户评价", size="4"),
                    rx.cond(
                        S.answered != "",
                        rx.vstack(
                            rx.text(S.answered, size="2", color_scheme="gray"),
                            rx.foreach(S.ratings, lambda r: rx.hstack(rx.text(r[0], min_width="5em"),
                                                                      rx.text(r[1], color="var(--amber-10)"))),
                            rx.cond(S.comment != "", rx.text("留言：", S.comment)),
                            rx.cond(S.problem_unsolved, rx.badge("问题未解决", color_scheme="red", size="2")),
                            width="100%",
                        ),
                        empty_note("尚未评价"),
                    ),
                ),
                rx.cond(
                    S.qr != "",
                    card(
                        rx.heading("回访链接", size="4"),
                        rx.hstack(
                            rx.image(src=S.qr, alt="回访二维码", class_name="follow-up-qr"),
                            rx.vstack(
                                rx.text("请客户扫码评价，或发送链接给客户。", size="2"),
                                rx.code(S.link, id="follow-up-link", class_name="link-text"),
                                rx.cond(S.link_sent != "", rx.text("上次发送 ", S.link_sent, size="2",
                                                                    color_scheme="gray")),
                                rx.button(rx.icon("send"), "发送回访链接", on_click=S.send_link, size="3",
                                          id="send-link"),
                                field_error(S.errors, "send"),
                            ),
                            wrap="wrap", spacing="4", align="center",
                        ),
                    ),
                ),
                card(rx.heading("电话回访", size="4"),
                     rx.foreach(S.calls, _call),
                     rx.cond(S.calls.length() == 0, empty_note("还没有电话回访记录")),
                     rx.divider(),
                     _call_form()),
                width="100%",
                spacing="3",
            ),
            rx.cond(S.error == "", page_loading()),
        ),
    ]
