"""The delivery log (``/messages``, 发送记录): each message with its status, channel, masked recipient, text and every
attempt's outcome; a filter by status and 重试 for failed messages. Cards, so a phone reads them without scrolling
sideways."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, empty_note
from pages.layout import page
from state.care.messages import AttemptRow, MessageRow, MessagesState


def _filter_button(option: rx.Var) -> rx.Component:
    chosen = MessagesState.status_filter == option[0]
    return rx.button(option[1], size="2", variant=rx.cond(chosen, "solid", "soft"),
                     color_scheme=rx.cond(chosen, "indigo", "gray"), on_click=MessagesState.filter_status(option[0]),
                     aria_pressed=rx.cond(chosen, "true", "false"), class_name="status-filter")


def _attempt(attempt: AttemptRow) -> rx.Component:
    return rx.hstack(
        rx.cond(attempt.ok, rx.icon("circle-check", size=16, color="var(--green-9)", aria_label="成功"),
                rx.icon("circle-x", size=16, color="var(--red-9)", aria_label="失败")),
        rx.text(attempt.number, size="2", weight="medium"),
        rx.text(attempt.at, size="2", color_scheme="gray"),
        rx.text(attempt.outcome, size="2", color_scheme=rx.cond(attempt.ok, "gray", "red"), word_break="break-all"),
        spacing="2", align="center", wrap="wrap", width="100%",
    )


def _message(row: MessageRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(row.status_label, color_scheme=row.colour, size="2"),
                rx.text(row.kind, weight="bold"),
                rx.spacer(),
                rx.text(row.created, size="2", color_scheme="gray"),
                align="center", width="100%", wrap="wrap",
            ),
            rx.hstack(
                rx.text(row.customer, weight="medium"),
                rx.text(row.recipient, size="2", color_scheme="gray", class_name="recipient"),
                rx.badge(row.channel, variant="outline", color_scheme="gray"),
                align="center", spacing="2", wrap="wrap",
            ),
            rx.text(row.body, size="2", class_name="message-body", word_break="break-all"),
            rx.cond(row.note != "", rx.text(row.note, size="2", color_scheme=rx.cond(row.status == "failed", "red",
                                                                                       "gray"))),
            rx.cond(row.attempts.length() > 0,
                    rx.el.details(
                        rx.el.summary(rx.text("发送尝试 ", row.attempts.length().to_string(), " 次", size="2",
                                              as_="span"), class_name="attempts-summary"),
                        rx.vstack(rx.foreach(row.attempts, _attempt), spacing="1", width="100%",
                                  padding_top="0.5em"),
                        width="100%",
                    )),
            rx.cond(row.can_retry,
                    rx.hstack(rx.button(rx.icon("rotate-cw"), "重试", size="3", variant="soft",
                                        on_click=MessagesState.retry(row.id), id=f"retry-{row.id}"),
                              justify="end", width="100%")),
            spacing="2", width="100%",
        ),
        width="100%",
        class_name="message-card",
        id=f"message-{row.id}",
    )


@page("发送记录")
def messages_page():
    return [
        rx.hstack(
            rx.foreach(MessagesState.status_options, _filter_button),
            rx.icon_button(rx.icon("refresh-cw"), variant="soft", color_scheme="gray", size="2",
                           on_click=MessagesState.refresh, aria_label="刷新"),
            spacing="2", wrap="wrap", width="100%", align="center",
        ),
        banner_error(MessagesState.error),
        rx.cond(MessagesState.rows.length() > 0,
                rx.vstack(rx.foreach(MessagesState.rows, _message), spacing="3", width="100%"),
                rx.cond(MessagesState.error == "", empty_note("没有消息记录"))),
    ]
