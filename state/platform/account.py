"""The signed-in person's own account (``/account/password``, everyone): change one's password."""

from __future__ import annotations

import reflex as rx

from lantong_pwa import web_session
from lantong_pwa.services.platform import users
from lantong_pwa.services.platform.permissions import Permission
from state.platform.session import SessionState


class PasswordState(SessionState):
    errors: dict[str, str] = {}  # by field: current, password, repeated ("form": above the fields)
    form_key: int = 0  # a new key empties the form after a change

    @rx.event
    async def load(self):
        self.errors = {}
        return await self._guard(Permission.OWN_ACCOUNT)

    @rx.event
    async def change(self, form: dict):
        """The current password, then the new one twice; the passwords never stay in the state. The person's other
        sessions end (and their tabs' states go); this one stays signed in."""
        token = self._session_token()
        changed = await self._in_unit(lambda db, actor: users.change_own_password(
            db, actor, form.get("current", ""), form.get("password", ""), form.get("repeated", ""), keep_token=token))
        self.errors = changed.field_errors
        if not changed.ok:
            return None
        web_session.drop_states_of(changed.value)
        self.form_key += 1
        return rx.toast.success("密码已修改，其他设备已退出登录")
