"""The progress board (``/orders``): each order in the workshop with its lines, technicians, clocked time,
parts waits and the time left to the promised hour; late ones in red at the top of their promise order."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, empty_note, plate
from pages.workshop.dispatch import dispatch_button, dispatch_dialog
from pages.layout import page
from pages.workshop.tasks import status_badge
from pages.workshop.vehicles import complete_link
from state.workshop.board import BoardLineView, BoardRow, BoardState


def board_line(line: BoardLineView) -> rx.Component:
    return rx.hstack(
        rx.text(line.name, weight="medium", min_width="7em"),
        status_badge(line.status, line.status_value),
        rx.cond(line.running, rx.icon("timer", size=16, color="var(--green-9)", aria_label="计时中")),
        rx.text(line.who, size="2", color_scheme=rx.cond(line.who == "未派工", "orange", "gray")),
        rx.cond(line.clocked != "", rx.text(line.clocked, size="2", color_scheme="gray")),
        rx.cond(line.waiting_parts, rx.badge(rx.icon("package", size=14), "待配件", color_scheme="orange")),
        wrap="wrap",
        spacing="2",
        align="center",
        width="100%",
        class_name="board-line",
    )


def board_row(row: BoardRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(rx.hstack(plate(row.plate), rx.text(row.title, weight="bold"), align="center", spacing="2"),
                        href=row.card_url, underline="none", class_name="board-card-link"),
                rx.spacer(),
                rx.cond(row.waiting_parts, rx.badge("待配件", color_scheme="orange", size="2")),
                rx.badge(row.status, size="2"),
                align="center", width="100%", wrap="wrap",
            ),
            rx.text(row.complaint, size="2"),
            rx.vstack(rx.foreach(row.lines, board_line), spacing="1", width="100%"),
            rx.hstack(
                rx.text(row.number, size="2", color_scheme="gray"),
                rx.cond(row.done != "", rx.text(row.done, size="2", color_scheme="gray")),
                rx.cond(row.clocked != "", rx.text("共用时 ", row.clocked, size="2", color_scheme="gray")),
                rx.spacer(),
                rx.cond(row.promised != "",
                        rx.text("交车 ", row.promised, rx.cond(row.time_left != "", " · " + row.time_left, ""),
                                size="3", weight=rx.cond(row.late, "bold", "regular"),
                                color_scheme=rx.cond(row.late, "red", "gray"), class_name="time-left")),
                width="100%", wrap="wrap", align="center",
            ),
            rx.hstack(
                rx.cond(row.can_complete, complete_link(row.number)),
                rx.link(rx.button(rx.icon("car"), "车辆卡", size="3", variant="soft", color_scheme="gray"),
                        href=row.card_url),
                rx.cond(row.can_dispatch, dispatch_button(row.id)),
                justify="end", width="100%", wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        class_name=rx.cond(row.late, "board-card late", "board-card"),
        width="100%",
    )


@page("在修车辆")
def board_page():
    return [
        banner_error(BoardState.error),
        rx.cond(BoardState.late_count > 0,
                rx.callout(BoardState.late_count.to_string() + " 辆车已超过预计交车时间", icon="alarm-clock",
                           color_scheme="red", width="100%", id="late-count")),
        rx.cond(BoardState.rows.length() > 0,
                rx.vstack(rx.foreach(BoardState.rows, board_row), width="100%", spacing="2"),
                empty_note("当前没有在修车辆")),
        dispatch_dialog(),
    ]
