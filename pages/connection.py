"""The connection banner on every page, in place of Reflex's English connection toast (the app's "Overlay" wrap).

The server counts as lost while the browser reports itself offline or Reflex's websocket has failed to reconnect
(Reflex's ``connectErrors``: set by each failed attempt, cleared on connect). Meanwhile the buttons that need the
server are disabled (connection_banner.js). Reflex queues events while the socket is down and sends them after it
reconnects, so an edit made offline (a blur, a quantity) still arrives; a submit is not allowed to wait like that.
"""

from __future__ import annotations

import reflex as rx

from lantong_pwa.reflex_internals import has_connection_errors


class ConnectionBanner(rx.Component):
    library = rx.asset("connection_banner.js", shared=True).importable_path
    tag = "ConnectionBanner"

    server_lost: rx.Var[bool]
    down_text: rx.Var[str]
    back_text: rx.Var[str]


def connection_banner() -> rx.Component:
    return ConnectionBanner.create(server_lost=has_connection_errors, down_text="网络已断开，正在重新连接…（已填写的内容会保留）",
                                   back_text="已恢复连接")


def overlay(stateful: bool) -> rx.Component | None:
    """For ``rx.App(extra_app_wraps={(5, "Overlay"): overlay})``: replaces Reflex's default connection toaster.
    An app wrap gets the whole app as its children: the fragment keeps them beside the banner."""
    return rx.fragment(connection_banner()) if stateful else None
