"""The app shell: a side navigation on tablets and desktops, a bottom tab bar on phones."""

from __future__ import annotations

import functools
from collections.abc import Callable

import reflex as rx

from pages.media_only import media_only
from state.platform.session import SessionState

# Radix's md breakpoint: the side navigation from here up, the bottom tab bar below. Each is rendered only on the
# screens that show it.
WIDE = "(min-width: 48em)"
PASSWORD_PAGE = "/account/password"  # 修改密码: everyone's, beside 退出登录
NARROW = "not all and (min-width: 48em)"

# The icon of each page in NAV_PAGES (state/platform/session.py), which also decides who sees it.
NAV_ICONS = {
    "/orders": "wrench",
    "/intake": "clipboard-plus",
    "/tasks": "hammer",
    "/vehicles": "car",
    "/care": "heart-handshake",
    "/customers": "contact",
    "/complaints": "message-square-warning",
    "/cashier": "banknote",
    "/parts": "package",
    "/parts/catalogue": "book-open",
    "/suppliers": "truck",
    "/parts/import": "file-up",
    "/purchasing": "shopping-cart",
    "/parts/ledger": "notebook-tabs",
    "/parts/transfers": "arrow-left-right",
    "/parts/stocktake": "clipboard-check",
    "/parts/issues": "package-minus",
    "/parts/prices/adjust": "tag",
    "/payables": "hand-coins",
    "/finance/receivables": "piggy-bank",
    "/finance/parties": "building",
    "/finance/accounts": "landmark",
    "/finance/expenses": "receipt",
    "/finance/profit": "trending-up",
    "/cashier/close": "calculator",
    "/finance/invoices": "receipt-text",
    "/figures": "chart-column",
    "/satisfaction": "smile",
    "/reports": "file-search",
    "/admin/users": "users",
    "/admin/branches": "building-2",
    "/admin/audit": "scroll-text",
    "/settings": "settings",
    "/messages": "message-square-text",
}


def _icon(path: rx.Var, size: int) -> rx.Component:
    return rx.match(path, *[(page, rx.icon(icon, size=size)) for page, icon in NAV_ICONS.items()],
                    rx.icon("circle", size=size))


def _side_link(item: rx.Var) -> rx.Component:
    return rx.link(
        rx.hstack(_icon(item[0], 22), rx.text(item[1], size="4"), spacing="3", align="center"),
        href=item[0],
        class_name="side-link",
        underline="none",
    )


def _tab(item: rx.Var) -> rx.Component:
    return rx.link(
        rx.vstack(_icon(item[0], 24), rx.text(item[1], size="1"), spacing="0", align="center"),
        href=item[0],
        class_name="tab-link",
        underline="none",
    )


def side_nav() -> rx.Component:
    return rx.vstack(
        rx.heading("蓝通维修", size="6", class_name="brand"),
        rx.text(SessionState.user_display_name, " · ", SessionState.user_role_label, size="2", color_scheme="gray"),
        rx.divider(),
        rx.foreach(SessionState.nav_items, _side_link),
        rx.spacer(),
        rx.link(rx.hstack(rx.icon("key-round", size=22), rx.text("修改密码", size="4"), spacing="3", align="center"),
                href=PASSWORD_PAGE, class_name="side-link", underline="none"),
        rx.button(rx.icon("log-out"), "退出登录", variant="soft", color_scheme="gray", on_click=SessionState.sign_out,
                  size="3", width="100%"),
        class_name="side-nav",
    )


def _more_menu() -> rx.Component:
    """The rest of the role's pages and signing out, one thumb-tap away on a phone."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.el.button(rx.vstack(rx.icon("menu", size=24), rx.text("更多", size="1"), spacing="0", align="center"),
                         class_name="tab-link tab-more", aria_label="更多", id="tab-more"),
        ),
        rx.menu.content(
            rx.text(SessionState.user_display_name, " · ", SessionState.user_role_label, size="2",
                    color_scheme="gray", padding="0.5em"),
            rx.foreach(SessionState.phone_more, lambda item: rx.menu.item(
                rx.hstack(_icon(item[0], 18), rx.text(item[1]), align="center"), on_click=rx.redirect(item[0]),
                class_name="menu-item")),
            rx.menu.separator(),
            rx.menu.item(rx.hstack(rx.icon("key-round", size=18), rx.text("修改密码"), align="center"),
                         on_click=rx.redirect(PASSWORD_PAGE), class_name="menu-item"),
            rx.menu.item(rx.hstack(rx.icon("log-out", size=18), rx.text("退出登录"), align="center"),
                         on_click=SessionState.sign_out, color="red", class_name="menu-item"),
            size="2",
        ),
    )


def tab_bar() -> rx.Component:
    return rx.hstack(
        rx.foreach(SessionState.phone_tabs, _tab),
        _more_menu(),
        class_name="tab-bar",
        justify="between",
    )


def shell(title: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        media_only(WIDE, side_nav()),
        rx.box(
            rx.el.main(
                rx.heading(title, size="7", as_="h1", class_name="page-title"),
                *children,
                class_name="page-main",
            ),
            class_name="page-area",
        ),
        media_only(NARROW, tab_bar()),
        class_name="app-shell",
    )


def page(title: str) -> Callable[[Callable[[], list[rx.Component] | rx.Component]], Callable[[], rx.Component]]:
    """Wrap a page body in the shell: ``@page("接车")`` over a function returning the body."""

    def wrap(body: Callable[[], list[rx.Component] | rx.Component]) -> Callable[[], rx.Component]:
        # wraps() keeps the page's own module on the wrapper: Reflex compiles a page's memoized parts into a file
        # named after that module, so each page loads only its own (the charts of 经营数据 stay on that page).
        @functools.wraps(body)
        def render() -> rx.Component:
            content = body()
            return shell(title, *(content if isinstance(content, list) else [content]))

        return render

    return wrap
