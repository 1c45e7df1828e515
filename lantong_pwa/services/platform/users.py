"""Staff accounts, managed by an admin: create, edit role and branch, disable, reset password; and each person's
own password change."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.platform import audit, auth, branches
from lantong_pwa.services.platform.permissions import Permission, require
from models import Branch, Role, User

_USERNAME = re.compile(r"^[a-z0-9_.]{3,32}$")


@dataclass(frozen=True)
class UserForm:
    username: str
    display_name: str
    role: str
    branch_id: int | None


def _checked_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError("请选择角色", field="role") from None


def _checked_branch(session: Session, branch_id: int | None, current: int | None = None) -> int:
    """The branch a user is created into or moved to: it must be open (a user may stay in their closed one)."""
    if branch_id is not None and branch_id == current:
        return branch_id
    return branches.require_open(session, branch_id).id


def _checked_display_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError("请输入姓名", field="display_name")
    if len(name) > 32:
        raise DomainError("姓名不能超过32个字", field="display_name")
    return name


def list_users(session: Session, actor: User) -> list[User]:
    require(actor, Permission.MANAGE_USERS)
    return list(session.exec(select(User).order_by(User.branch_id, User.username)).all())


def list_branches(session: Session) -> list[Branch]:
    return list(session.exec(select(Branch).order_by(Branch.id)).all())


def create_user(session: Session, actor: User | None, form: UserForm, password: str) -> User:
    """An admin creates a staff account."""
    require(actor, Permission.MANAGE_USERS)
    return _create_user(session, actor, form, password)


def create_user_from_command_line(session: Session, form: UserForm, password: str) -> User:
    """The machine's owner creates an account (the first admin, say); the audit row names no user."""
    return _create_user(session, None, form, password)


def _create_user(session: Session, actor: User | None, form: UserForm, password: str) -> User:
    username = (form.username or "").strip().lower()
    if not _USERNAME.match(username):
        raise DomainError("用户名为3–32位小写字母、数字、下划线或点", field="username")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise DomainError("该用户名已存在", field="username")
    user = User(
        username=username,
        display_name=_checked_display_name(form.display_name),
        password_hash=auth.hash_password(password, username),
        role=_checked_role(form.role),
        branch_id=_checked_branch(session, form.branch_id),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, branch_id=user.branch_id, role=user.role)
    session.flush()
    return user


def _target(session: Session, actor: User, user_id: int) -> User:
    require(actor, Permission.MANAGE_USERS)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def update_user(session: Session, actor: User, user_id: int, form: UserForm) -> User:
    user = _target(session, actor, user_id)
    role = _checked_role(form.role)
    if user.id == actor.id and role != Role.ADMIN:
        raise DomainError("不能取消自己的管理员角色", field="role")
    changes = {}
    for field, value in (
        ("display_name", _checked_display_name(form.display_name)),
        ("role", role),
        ("branch_id", _checked_branch(session, form.branch_id, user.branch_id)),
    ):
        if getattr(user, field) != value:
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
    if changes:
        session.add(user)
        audit.record(session, actor, "user.update", "user", user.id, branch_id=user.branch_id, changes=changes)
        session.flush()
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    user = _target(session, actor, user_id)
    if user.id == actor.id and not active:
        raise DomainError("不能停用自己的账号")
    user.is_active = active
    if not active:
        auth.end_sessions_of(session, user.id)
    session.add(user)
    audit.record(session, actor, "user.enable" if active else "user.disable", "user", user.id, branch_id=user.branch_id)
    session.flush()
    return user


def reset_password(session: Session, actor: User, user_id: int, new_password: str) -> User:
    user = _target(session, actor, user_id)
    user.password_hash = auth.hash_password(new_password, user.username)
    auth.end_sessions_of(session, user.id)
    session.add(user)
    audit.record(session, actor, "user.reset_password", "user", user.id, branch_id=user.branch_id)
    session.flush()
    return user


def change_own_password(session: Session, actor: User | None, current: str, new: str, repeated: str, *,
                        keep_token: str | None = None) -> list[str]:
    """A signed-in person changes their own password: the current one first, then the new one twice (it keeps the
    rules, ``auth.check_password``, and differs from the current one). Their other sessions end (whoever may have
    known the old password is signed out), the session ``keep_token`` they changed it from stays; returns the ended
    sessions' state bindings (``auth.end_sessions_of``)."""
    require(actor, Permission.OWN_ACCOUNT)
    if not auth.password_matches(actor, current):
        raise DomainError("当前密码不正确", field="current")
    if new != repeated:
        raise DomainError("两次输入的新密码不一致", field="repeated")
    if new == current:
        raise DomainError("新密码不能与当前密码相同", field="password")
    actor.password_hash = auth.hash_password(new, actor.username)
    ended = auth.end_sessions_of(session, actor.id, keep_token=keep_token)
    session.add(actor)
    audit.record(session, actor, "user.change_password", "user", actor.id, other_sessions_ended=len(ended))
    session.flush()
    return ended


def end_sessions(session: Session, actor: User, user_id: int) -> list[str]:
    """强制下线: sign the user out on every device (their own sessions included, if it is the admin); returns the
    ended sessions' state bindings (``auth.end_sessions_of``) for the caller to drop their browsers' states."""
    user = _target(session, actor, user_id)
    ended = auth.end_sessions_of(session, user.id)
    audit.record(session, actor, "user.end_sessions", "user", user.id, branch_id=user.branch_id, sessions=len(ended))
    session.flush()
    return ended
