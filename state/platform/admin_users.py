"""User administration (admin only): create accounts, change role and branch, disable, reset passwords, sign someone
out everywhere (强制下线)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa import web_session
from lantong_pwa.services.platform import auth, branches, users
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local
from models import Role
from state.platform.session import SessionState


@dataclasses.dataclass
class UserRow:
    id: int = 0
    username: str = ""
    display_name: str = ""
    role: str = ""
    role_label: str = ""
    branch_id: str = ""
    branch_name: str = ""
    active: bool = True
    last_login: str = ""


class UsersAdminState(SessionState):
    rows: list[UserRow] = []
    branches: list[list[str]] = []  # [id, name]
    error: str = ""
    form_error: str = ""
    # The dialog: 0 = closed, -1 = new user, otherwise the id of the user being edited.
    editing_id: int = 0
    editing: UserRow = UserRow()
    password_for_id: int = 0
    password_for_name: str = ""

    @rx.var
    def role_options(self) -> list[list[str]]:
        return [[role.value, role.label] for role in Role]

    def _refresh(self, db, actor) -> None:
        branch_names = {b.id: b.name + ("" if branches.is_open(b) else "（已停业）") for b in users.list_branches(db)}
        self.branches = [[str(i), name] for i, name in branch_names.items()]
        self.rows = [
            UserRow(id=u.id, username=u.username, display_name=u.display_name, role=Role(u.role).value,
                    role_label=Role(u.role).label, branch_id=str(u.branch_id),
                    branch_name=branch_names.get(u.branch_id, ""), active=u.is_active,
                    last_login=format_local(u.last_login_at))
            for u in users.list_users(db, actor)
        ]

    @rx.event
    async def load(self):
        shown = await self._in_read(self._refresh, page=Permission.MANAGE_USERS)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    def open_new(self):
        self.form_error = ""
        self.editing = UserRow(role=Role.TECHNICIAN.value, branch_id=self.branches[0][0] if self.branches else "")
        self.editing_id = -1

    @rx.event
    def open_edit(self, user_id: int):
        self.form_error = ""
        self.editing = next((row for row in self.rows if row.id == user_id), UserRow())
        self.editing_id = user_id

    @rx.event
    def close_dialogs(self):
        self.editing_id = 0
        self.password_for_id = 0

    @rx.event
    async def save(self, form: dict):
        self.form_error = ""
        branch = form.get("branch_id") or ""
        user_form = users.UserForm(username=form.get("username", self.editing.username),
                                   display_name=form.get("display_name", ""), role=form.get("role", ""),
                                   branch_id=int(branch) if branch.isdigit() else None)

        def save(db, actor):
            if self.editing_id == -1:
                users.create_user(db, actor, user_form, form.get("password", ""))
            else:
                users.update_user(db, actor, self.editing_id, user_form)
            self._refresh(db, actor)

        saved = await self._in_unit(save)
        if not saved.ok:
            self.form_error = saved.error.message
            return None
        self.editing_id = 0
        return rx.toast.success("已保存")

    @rx.event
    async def set_active(self, user_id: int, active: bool):
        def switch(db, actor):
            signed_in = auth.bindings_of(db, user_id)  # disabling signs them out everywhere
            users.set_active(db, actor, user_id, active)
            self._refresh(db, actor)
            return signed_in

        switched = await self._in_unit(switch)
        if not switched.ok:
            return rx.toast.error(switched.error.message)
        if not active:
            web_session.drop_states_of(switched.value)
        return rx.toast.success("已启用" if active else "已停用")

    @rx.event
    async def end_sessions(self, user_id: int):
        """强制下线: the user is signed out on every device, and what their browsers' tabs kept on the server is
        dropped (web_session.py)."""
        def end(db, actor):
            ended = users.end_sessions(db, actor, user_id)
            self._refresh(db, actor)
            return ended

        done = await self._in_unit(end)
        if not done.ok:
            return rx.toast.error(done.error.message)
        web_session.drop_states_of(done.value)
        return rx.toast.success(f"已强制下线（{len(done.value)}个登录）")

    @rx.event
    def open_password(self, user_id: int):
        self.form_error = ""
        self.password_for_id = user_id
        self.password_for_name = next((row.display_name for row in self.rows if row.id == user_id), "")

    @rx.event
    async def reset_password(self, form: dict):
        self.form_error = ""
        def reset(db, actor):
            signed_in = auth.bindings_of(db, self.password_for_id)  # a reset signs them out everywhere
            users.reset_password(db, actor, self.password_for_id, form.get("password", ""))
            self._refresh(db, actor)
            return signed_in

        done = await self._in_unit(reset)
        if not done.ok:
            self.form_error = done.error.message
            return None
        web_session.drop_states_of(done.value)
        self.password_for_id = 0
        return rx.toast.success("密码已重置，该用户需重新登录")
