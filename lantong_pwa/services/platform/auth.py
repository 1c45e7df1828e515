"""Sign-in: password hashes (argon2, via argon2-cffi), browser sessions, and the lock after repeated failures."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import audit, branches
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.settings import get_settings
from models import Branch, User, UserSession
from models.common import utc_now

SESSION_COOKIE = "lantong_session"
CLOSED_BRANCH_SIGN_IN = "所属门店已停业，无法登录，请联系管理员"
MAX_FAILED_SIGN_INS = 5
LOCK_DURATION = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=7)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("lantong-timing-guard")
# One hash keeps every core busy for a quarter of a second (argon2's four lanes run as threads). Requests hash in
# worker threads, so several sign-ins at once would leave no CPU for the event loop and every phone would wait: one
# hash at a time per process leaves the rest of the machine to everyone else, and costs no throughput (the hash
# already uses all the cores).
_one_hash_at_a_time = threading.Lock()


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"密码至少{MIN_PASSWORD_LENGTH}位", field="password")
    with _one_hash_at_a_time:
        return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        with _one_hash_at_a_time:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hmac.new(get_settings().secret_key, token.encode(), hashlib.sha256).hexdigest()


class WrongPassword(DomainError):
    """A known account's password did not match. The refused sign-in's unit of work rolls back, so the boundary
    counts the failure (``count_failed_sign_in``) in a unit of its own; ``user_id`` never reaches the page."""

    def __init__(self, user_id: int):
        super().__init__("用户名或密码错误")
        self.user_id = user_id


def sign_in(session: Session, username: str, password: str, *, now: datetime | None = None) -> str:
    """Check the credentials and return a new session token; raise ``DomainError`` with the reason otherwise
    (``WrongPassword`` for a known account, to be counted). While an account is locked (``count_failed_sign_in``),
    even the right password is refused. Flushes, never commits."""
    now = now or utc_now()
    user = session.exec(select(User).where(User.username == (username or "").strip())).first()
    if user is None:
        _password_matches(_DUMMY_HASH, password or "")
        raise DomainError("用户名或密码错误")
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise DomainError(f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试")
    if not _password_matches(user.password_hash, password or ""):
        raise WrongPassword(user.id)
    if not user.is_active:
        raise DomainError("该账号已停用，请联系管理员")
    if not _branch_open(session, user):
        raise DomainError(CLOSED_BRANCH_SIGN_IN)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, expires_at=now + SESSION_LIFETIME))
    session.add(user)
    session.flush()
    return token


def _branch_open(session: Session, user: User) -> bool:
    branch = session.get(Branch, user.branch_id)
    return branch is not None and branches.is_open(branch)


def count_failed_sign_in(session: Session, user_id: int, *, now: datetime | None = None) -> None:
    """One more wrong password in a row for the account (``WrongPassword``); the ``MAX_FAILED_SIGN_INS``-th locks it
    for ``LOCK_DURATION``. The failure must be counted although the sign-in fails, so the boundary runs this in a
    short unit of work of its own after the refused sign-in's unit rolled back. The row is locked first, so failures
    racing from several tabs are all counted."""
    now = now or utc_now()
    user = locked(session, User, user_id)
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_SIGN_INS:
        user.failed_logins = 0
        user.locked_until = now + LOCK_DURATION
        audit.record(session, user, "user.locked", "user", user.id)
    session.add(user)
    session.flush()


def user_for_token(session: Session, token: str | None, *, now: datetime | None = None) -> User | None:
    """The active user of an open branch a session token belongs to, or ``None`` for a missing, unknown or expired
    token (or a disabled account, or a closed branch's)."""
    if not token:
        return None
    now = now or utc_now()
    # Every request asks this first: one round trip (the user and branch then stay in the session for the request).
    found = session.exec(select(UserSession.expires_at, User, Branch)
                         .join(User, col(User.id) == UserSession.user_id)
                         .join(Branch, col(Branch.id) == User.branch_id)
                         .where(UserSession.token_hash == _token_hash(token))).first()
    if found is None:
        return None
    expires_at, user, branch = found
    return user if expires_at > now and user.is_active and branches.is_open(branch) else None


def sign_out(session: Session, token: str | None) -> None:
    if not token:
        return
    row = session.exec(select(UserSession).where(UserSession.token_hash == _token_hash(token))).first()
    if row is not None:
        session.delete(row)
        session.flush()


def end_sessions_of(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a password reset or when the account is disabled)."""
    for row in session.exec(select(UserSession).where(UserSession.user_id == user_id)).all():
        session.delete(row)
