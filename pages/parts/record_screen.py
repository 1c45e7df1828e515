"""What 配件档案 and 供应商 share: a list screen with a search bar and a 新建 button that turns into one record's form,
with its title, a 关闭 button, and 停用 / 重新启用 at the bottom."""

from __future__ import annotations

import reflex as rx

from pages.components import empty_note, field_error, labelled


def search_list(*, on_search, errors, placeholder: str, aria_label: str, new_label: str, on_new, rows,
                render_row, empty: str, input_id: str, new_id: str) -> list[rx.Component]:
    return [
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder=placeholder, size="3", flex="1", aria_label=aria_label,
                         max_length=50, id=input_id),
                rx.button(rx.icon("search"), "查找", size="3", type="submit"),
                width="100%",
            ),
            on_submit=on_search,
            reset_on_submit=False,
            width="100%",
        ),
        field_error(errors, "query"),
        rx.button(rx.icon("plus"), new_label, size="3", width="100%", on_click=on_new, id=new_id),
        rx.cond(rows.length() > 0, rx.vstack(rx.foreach(rows, render_row), width="100%", spacing="2"),
                empty_note(empty)),
    ]


def form_header(*, editing, active, edit_title: str, new_title: str, on_close) -> rx.Component:
    return rx.hstack(
        rx.heading(rx.cond(editing, edit_title, new_title), size="5"),
        rx.cond(editing & ~active, rx.badge("已停用", color_scheme="gray", size="2")),
        rx.spacer(),
        rx.button(rx.icon("x"), "关闭", variant="ghost", size="3", type="button", on_click=on_close),
        width="100%",
        align="center",
    )


def active_switch(*, editing, active, on_set, retire_label: str) -> rx.Component:
    return rx.cond(editing, rx.cond(
        active,
        rx.button(rx.icon("archive"), retire_label, variant="soft", color_scheme="red", size="3", width="100%",
                  on_click=on_set(False)),
        rx.button(rx.icon("archive-restore"), "重新启用", variant="soft", size="3", width="100%",
                  on_click=on_set(True)),
    ))


def text_field(values, errors, form_key, prefix: str, label: str, key: str, *, required: bool = False,
               placeholder: str = "", max_length: int = 80, input_mode: str = "text") -> rx.Component:
    return labelled(label, rx.input(name=key, default_value=values[key], key=form_key, placeholder=placeholder,
                                    size="3", max_length=max_length, input_mode=input_mode, id=f"{prefix}-{key}"),
                    errors, key, required=required)
