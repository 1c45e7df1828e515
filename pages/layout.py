"""The app shell: a side navigation on tablets and desktops, a bottom tab bar on phones."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from state.session import SessionState

# (label, icon, path, which SessionState flag shows it)
NAV_ITEMS = (
    ("任务", "hammer", "/tasks", SessionState.is_technician),
    ("接车", "clipboard-plus", "/intake", SessionState.can_intake),
    ("车辆", "car", "/vehicles", None),
    ("在修", "wrench", "/orders", None),
    ("配件", "package", "/parts", SessionState.can_view_parts),
    ("收银", "banknote", "/cashier", SessionState.can_settle),
    ("数据", "chart-column", "/figures", SessionState.can_view_figures),
    ("查询", "file-search", "/reports", SessionState.can_view_reports),
    ("用户", "users", "/admin/users", SessionState.is_admin),
)


def _gated(flag, component: rx.Component) -> rx.Component:
    return component if flag is None else rx.cond(flag, component)


def _side_link(label: str, icon: str, path: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=22), rx.text(label, size="4"), spacing="3", align="center"),
        href=path,
        class_name="side-link",
        underline="none",
    )


def _tab(label: str, icon: str, path: str) -> rx.Component:
    return rx.link(
        rx.vstack(rx.icon(icon, size=24), rx.text(label, size="1"), spacing="0", align="center"),
        href=path,
        class_name="tab-link",
        underline="none",
    )


def side_nav() -> rx.Component:
    return rx.vstack(
        rx.heading("蓝通维修", size="6", class_name="brand"),
        rx.text(SessionState.user_display_name, " · ", SessionState.user_role_label, size="2", color_scheme="gray"),
        rx.divider(),
        *[_gated(flag, _side_link(label, icon, path)) for label, icon, path, flag in NAV_ITEMS],
        rx.spacer(),
        rx.button(rx.icon("log-out"), "退出登录", variant="soft", color_scheme="gray", on_click=SessionState.sign_out,
                  size="3", width="100%"),
        class_name="side-nav",
        display=["none", "none", "flex"],
    )


def tab_bar() -> rx.Component:
    return rx.hstack(
        *[_gated(flag, _tab(label, icon, path)) for label, icon, path, flag in NAV_ITEMS],
        rx.el.button(rx.vstack(rx.icon("log-out", size=24), rx.text("退出", size="1"), spacing="0", align="center"),
                     on_click=SessionState.sign_out, class_name="tab-link", aria_label="退出登录"),
        class_name="tab-bar",
        display=["flex", "flex", "none"],
        justify="between",
    )


def shell(title: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        side_nav(),
        rx.box(
            rx.el.main(
                rx.heading(title, size="7", as_="h1", class_name="page-title"),
                *children,
                class_name="page-main",
            ),
            class_name="page-area",
        ),
        tab_bar(),
        class_name="app-shell",
    )


def page(title: str) -> Callable[[Callable[[], list[rx.Component] | rx.Component]], Callable[[], rx.Component]]:
    """Wrap a page body in the shell: ``@page("接车")`` over a function returning the body."""

    def wrap(body: Callable[[], list[rx.Component] | rx.Component]) -> Callable[[], rx.Component]:
        def render() -> rx.Component:
            content = body()
            return shell(title, *(content if isinstance(content, list) else [content]))

        render.__name__ = body.__name__
        return render

    return wrap
