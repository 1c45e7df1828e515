from __future__ import annotations

import reflex as rx

from state.platform.session import SessionState

MAX_MESSAGE = 100


class LoginState(SessionState):
    """The sign-in page. The password never travels over the websocket: the form posts it to the sign-in route
    (``lantong_pwa/web_session.py``, ``SIGN_IN_SCRIPT``), which sets the session cookie; a refusal's message comes
    back here to be shown."""

    error: str = ""

    @rx.event
    def on_load(self):
        self.error = ""

    @rx.event
    def answered(self, message: str):
        """The route's answer: its refusal's message, or "" when it signed in (the page is moving on then)."""
        self.error = str(message or "")[:MAX_MESSAGE]
