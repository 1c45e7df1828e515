from __future__ import annotations

import reflex as rx

from lantong_pwa import client_address
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
        """Sign in, in three units of work: the try is counted against the throttle first (committed, so a refused
        sign-in still counts), then the password is checked, then a refusal is written to the audit log (the
        refused sign-in's own unit rolled back). Every refusal shows the same message."""
        self.error = ""
        username, password = form.get("username", ""), form.get("password", "")
        address = client_address.of_router(self.router)
        attempt = (await self._in_unit(lambda db, _actor: auth.begin_sign_in(db, username, address))).value

        def sign_in(db, _actor):
            token = auth.sign_in(db, username, password, attempt=attempt)
            return token, auth.user_for_token(db, token)

        signed = await self._in_unit(sign_in)
        if isinstance(signed.error, auth.SignInRefused):
            await self._in_unit(lambda db, _actor: auth.record_refused_sign_in(db, attempt, signed.error))
        if not signed.ok:
            self.error = signed.error.message
            return None
        self.auth_token, user = signed.value
        self._remember(user)
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")) or ROLE_HOME[Role(user.role)])
