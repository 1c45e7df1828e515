from __future__ import annotations

import reflex as rx

from lantong_pwa.db import session_scope
from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import auth
from models import Role
from state.platform.session import ROLE_HOME, SessionState, safe_next


class LoginState(SessionState):
    error: str = ""

    @rx.event
    def on_load(self):
        self.error = ""

    @rx.event
    def submit(self, form: dict):
        self.error = ""
        with session_scope() as db:
            try:
                token = auth.sign_in(db, form.get("username", ""), form.get("password", ""))
            except DomainError as error:
                self.error = error.message
                return None
            user = auth.user_for_token(db, token)
            self.auth_token = token
            self._remember(user)
            home = ROLE_HOME[Role(user.role)]
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")) or home)
