from __future__ import annotations

import reflex as rx

from lantong_pwa.services.platform import auth
from models import Role
from state.platform.session import ROLE_HOME, SessionState, safe_next


class LoginState(SessionState):
    error: str = ""

    @rx.event
    def on_load(self):
        self.error = ""

    @rx.event
    async def submit(self, form: dict):
        """Sign in. A wrong password rolls the sign-in's unit back like any refusal, so it is counted towards the
        lock in a unit of its own afterwards (``auth.count_failed_sign_in``)."""
        self.error = ""
        username, password = form.get("username", ""), form.get("password", "")

        def sign_in(db, _actor):
            token = auth.sign_in(db, username, password)
            return token, auth.user_for_token(db, token)

        signed = await self._in_unit(sign_in)
        if isinstance(signed.error, auth.WrongPassword):
            await self._in_unit(lambda db, _actor: auth.count_failed_sign_in(db, signed.error.user_id))
        if not signed.ok:
            self.error = signed.error.message
            return None
        self.auth_token, user = signed.value
        self._remember(user)
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")) or ROLE_HOME[Role(user.role)])
