"""Finding parts on a parts screen: the search box (code, name or barcode) with its message and the parts found, each
a button; and the card of one part line being entered on a document (its name, a remove button, its message and
whatever the document asks per line)."""

from __future__ import annotations

import reflex as rx

from pages.components import field_error


def part_choice(label, on_click) -> rx.Component:
    return rx.button(label, variant="outline", size="3", type="button", width="100%", justify="start",
                     on_click=on_click)


def part_search(search, errors, choices, choose, *, aria_label: str = "搜索配件",
                input_id: str | None = None) -> list[rx.Component]:
    """``search`` handles the submitted ``part_query``; ``choose(id)`` the part tapped among ``choices`` (each has
    ``id`` and ``label``)."""
    return [
        rx.form(
            rx.hstack(rx.input(name="part_query", placeholder="配件编码、名称或条码", size="3", flex="1",
                               aria_label=aria_label, max_length=50, **({"id": input_id} if input_id else {})),
                      rx.button(rx.icon("search"), "查找", size="3", type="submit"), width="100%"),
            on_submit=search, reset_on_submit=False, width="100%",
        ),
        field_error(errors, "part_query"),
        rx.foreach(choices, lambda choice: part_choice(choice.label, choose(choice.id))),
    ]


def part_line_card(label, remove, errors, error_key, *body: rx.Component, class_name: str = "") -> rx.Component:
    """A part line of a document being entered: ``label`` with a remove button (``remove``), the line's message
    (``errors[error_key]``), then ``body``."""
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(label, weight="bold"), rx.spacer(),
                      rx.icon_button(rx.icon("x", size=16), type="button", variant="ghost", size="2",
                                     aria_label="移除", on_click=remove),
                      width="100%", align="center"),
            field_error(errors, error_key),
            *body,
            spacing="2", width="100%",
        ),
        width="100%", **({"class_name": class_name} if class_name else {}),
    )
