from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, labelled
from pages.layout import page
from state.platform.account import PasswordState

ERRORS = PasswordState.errors


def _password(name: str, label: str, complete: str) -> rx.Component:
    return labelled(label, rx.input(name=name, id=f"password-{name}", type="password", size="3", width="100%",
                                    auto_complete=complete, required=True), ERRORS, name, required=True)


@page("修改密码")
def password_page():
    return card(
        rx.form(
            rx.vstack(
                banner_error(ERRORS.get("form", "")),
                _password("current", "当前密码", "current-password"),
                _password("password", "新密码（至少10位，不能是用户名或常见密码）", "new-password"),
                _password("repeated", "再次输入新密码", "new-password"),
                rx.button("修改密码", type="submit", size="3", id="change-password"),
                spacing="3",
                width="100%",
            ),
            on_submit=PasswordState.change,
            reset_on_submit=False,
            key=PasswordState.form_key,
        ),
        max_width="32em",
    )
