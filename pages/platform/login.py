from __future__ import annotations

import reflex as rx

from lantong_pwa.web_session import SIGN_IN_SCRIPT
from pages.components import banner_error
from state.platform.login import LoginState


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("蓝通维修", size="8", class_name="brand"),
                    rx.text("汽车维修管理系统 · 员工登录", color_scheme="gray"),
                    banner_error(LoginState.error),
                    rx.el.label(rx.text("用户名", size="2", weight="medium"), html_for="username"),
                    rx.input(name="username", id="username", size="3", width="100%", auto_complete="username",
                             auto_capitalize="none", required=True),
                    rx.el.label(rx.text("密码", size="2", weight="medium"), html_for="password"),
                    rx.input(name="password", id="password", type="password", size="3", width="100%",
                             auto_complete="current-password", required=True),
                    # Disabled until the page is live: a native submit would put the password in the URL.
                    rx.button("登录", type="submit", size="4", width="100%", disabled=~LoginState.is_hydrated,
                              id="sign-in"),
                    spacing="3",
                    width="100%",
                ),
                # Posted to the sign-in route by a script, not sent over the websocket (web_session.py).
                on_submit=rx.call_script(SIGN_IN_SCRIPT, callback=LoginState.answered),
                reset_on_submit=False,
                id="login-form",
            ),
            size="4",
            width="min(420px, 100%)",
        ),
        min_height="100dvh",
        padding="1em",
        class_name="login-screen",
    )
