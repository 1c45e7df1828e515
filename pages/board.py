from __future__ import annotations

import reflex as rx

from pages.components import banner_error, empty_note, plate
from pages.layout import page
from state.board import BoardRow, BoardState


def board_row(row: BoardRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(plate(row.plate), rx.text(row.title, weight="bold"), rx.spacer(),
                          rx.badge(row.status), align="center", width="100%", wrap="wrap"),
                rx.text(row.complaint, size="2"),
                rx.hstack(
                    rx.text(row.number, size="2", color_scheme="gray"),
                    rx.spacer(),
                    rx.cond(row.promised != "",
                            rx.text("交车 ", row.promised, size="2", weight=rx.cond(row.late, "bold", "regular"),
                                    color_scheme=rx.cond(row.late, "red", "gray"))),
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            class_name=rx.cond(row.late, "tap-card late", "tap-card"),
            width="100%",
        ),
        href=row.card_url,
        underline="none",
        width="100%",
    )


@page("在修车辆")
def board_page():
    return [
        banner_error(BoardState.error),
        rx.cond(BoardState.rows.length() > 0,
                rx.vstack(rx.foreach(BoardState.rows, board_row), width="100%", spacing="2"),
                empty_note("当前没有在修车辆")),
    ]
