"""Sign-in: password rules and hashes (argon2, via argon2-cffi), browser sessions, and the throttle after repeated
failures.

A session ends when it has not been used for ``Settings.session_idle`` (12 h) or ``Settings.session_lifetime`` (7 days)
after it began, whichever comes first; its use is noted at most every ``TOUCH_EVERY`` (``touch``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select, update

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import audit, branches, rate_limit
from lantong_pwa.settings import get_settings
from models import Branch, User, UserSession
from models.common import utc_now

SESSION_COOKIE = "lantong_session"
# A session in use is noted as used at most this often, so the idle timeout is kept to within it.
TOUCH_EVERY = timedelta(minutes=5)

# Every refused sign-in gets this one answer, whatever the reason (unknown user, wrong password, disabled account,
# closed branch, too many tries), in the same time: the page gives away neither the accounts nor their state. The
# reason goes to the audit log for the admin (``record_refused_sign_in``).
SIGN_IN_REFUSED = "用户名或密码错误，或暂时无法登录"

# The throttle, per account and address and per address alone, so nobody locks an account from somewhere else:
# a few free failures in the window, then a wait after each further one, doubling up to the cap.
THROTTLE_WINDOW = timedelta(hours=1)
ACCOUNT_FREE_FAILURES = 5  # one account from one address
ADDRESS_FREE_FAILURES = 20  # every account from one address (a shop's staff may share one)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
_BY_ACCOUNT = "sign_in_account"
_BY_ADDRESS = "sign_in_address"

MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 4
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("lantong-timing-guard")
# One hash keeps every core busy for a quarter of a second (argon2's four lanes run as threads). Requests hash in
# worker threads, so several sign-ins at once would leave no CPU for the event loop and every phone would wait: one
# hash at a time per process leaves the rest of the machine to everyone else, and costs no throughput (the hash
# already uses all the cores).
_one_hash_at_a_time = threading.Lock()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, username: str) -> None:
    """The rules every new password keeps (created, reset or changed); ``DomainError`` on the field otherwise."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"密码至少{MIN_PASSWORD_LENGTH}位", field="password")
    if not password.strip():
        raise DomainError("密码不能全是空格", field="password")
    if username and password.strip().lower() in {username.strip().lower(), username.strip().lower()[::-1]}:
        raise DomainError("密码不能与用户名相同", field="password")
    if len(set(password.lower())) < MIN_DISTINCT_CHARACTERS or password.strip().lower() in _common_passwords():
        raise DomainError("密码太常见或太简单，容易被猜中，请换一个", field="password")


def hash_password(password: str, username: str) -> str:
    """The hash of a new password for ``username``, once it keeps the rules (``check_password``)."""
    check_password(password, username)
    return _hash(password)


def hash_demo_password(password: str) -> str:
    """The hash of the demo users' shared password, which the rules would refuse: for demo and benchmark data only,
    never for an account a person creates."""
    return _hash(password)


def _hash(password: str) -> str:
    with _one_hash_at_a_time:
        return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        with _one_hash_at_a_time:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s (one argon2 verification)."""
    return _password_matches(user.password_hash, password or "")


def take_back(session: Session, attempt: Attempt | None) -> None:
    """A try that succeeded is no failure: its account's failures from that address, and its hit on the address,
    are taken back."""
    if attempt is not None:
        rate_limit.forget(session, _BY_ACCOUNT, key=f"{attempt.username}|{attempt.address}")
        rate_limit.forget(session, _BY_ADDRESS, ids=attempt.hit_ids)


def verified_user(session: Session, username: str, password: str) -> User | None:
    """The user called ``username`` if ``password`` is theirs, else ``None``; one hash verified either way (a
    stand-in for an unknown name), as ``sign_in`` does. For a second person confirming on someone else's screen
    (a manager's authorisation); it signs nobody in. The boundary counts the try first (``begin_sign_in``, the
    sign-in's own throttle: a password guessed here is a password guessed) and the caller takes it back on
    success (``take_back``)."""
    user = session.exec(select(User).where(User.username == _username(username))).first()
    matches = _password_matches(user.password_hash if user else _DUMMY_HASH, password or "")
    return user if user is not None and matches else None


def _token_hash(token: str) -> str:
    return hmac.new(get_settings().secret_key, token.encode(), hashlib.sha256).hexdigest()


class SignInRefused(DomainError):
    """A refused sign-in: always ``SIGN_IN_REFUSED`` on the page. ``reason`` and ``user_id`` are for the audit log
    (``record_refused_sign_in``) and never reach the page."""

    def __init__(self, reason: str, user_id: int | None = None):
        super().__init__(SIGN_IN_REFUSED)
        self.reason = reason
        self.user_id = user_id


@dataclass(frozen=True)
class Attempt:
    """A sign-in counted against the throttle before its password is checked (``begin_sign_in``)."""
    username: str
    address: str
    throttled: bool
    hit_ids: tuple[int, ...] = ()


def _username(username: str) -> str:
    return (username or "").strip().lower()[:64]


def begin_sign_in(session: Session, username: str, address: str, *, now: datetime | None = None) -> Attempt:
    """Count a sign-in from ``address`` against the throttle, as a failure until it succeeds (``sign_in`` takes it
    back then): so tries racing in parallel are all counted. Throttled while the account from this address, or this
    address, must still wait; a throttled try is not counted again. The count must outlive a refused sign-in, so the
    boundary runs this in a unit of work of its own, committed before ``sign_in``'s. Flushes, never commits."""
    now = now or utc_now()
    name = _username(username)
    keys = ((_BY_ACCOUNT, f"{name}|{address}", ACCOUNT_FREE_FAILURES), (_BY_ADDRESS, address, ADDRESS_FREE_FAILURES))
    throttled = any(rate_limit.wait_left(session, bucket, key, free=free, first_delay=FIRST_DELAY, max_delay=MAX_DELAY,
                                         window=THROTTLE_WINDOW, now=now) > timedelta(0)
                    for bucket, key, free in keys)
    if throttled:
        return Attempt(name, address, True)
    return Attempt(name, address, False, tuple(rate_limit.add_hit(session, bucket, key, window=THROTTLE_WINDOW, now=now)
                                              for bucket, key, _free in keys))


def sign_in(session: Session, username: str, password: str, *, attempt: Attempt | None = None,
            now: datetime | None = None) -> str:
    """Check the credentials and return a new session token, or raise ``SignInRefused``. Every call verifies one
    password hash (a stand-in for an unknown user), throttled or not, so every answer takes the same time.
    ``attempt`` is the try ``begin_sign_in`` counted (none: not throttled, as for tests and the command line); a
    success takes its failures back and is audited with its address. Flushes, never commits."""
    now = now or utc_now()
    user = session.exec(select(User).where(User.username == _username(username))).first()
    matches = _password_matches(user.password_hash if user else _DUMMY_HASH, password or "")
    if attempt is not None and attempt.throttled:
        raise SignInRefused("throttled", user.id if user else None)
    if user is None:
        raise SignInRefused("unknown_user")
    if not matches:
        raise SignInRefused("wrong_password", user.id)
    if not user.is_active:
        raise SignInRefused("disabled", user.id)
    if not _branch_open(session, user):
        raise SignInRefused("branch_closed", user.id)
    address = attempt.address if attempt else ""
    take_back(session, attempt)
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                            expires_at=now + get_settings().session_lifetime))
    session.add(user)
    audit.record(session, user, "sign_in", "user", user.id, address=address)
    session.flush()
    return token


def record_refused_sign_in(session: Session, attempt: Attempt, refused: SignInRefused) -> None:
    """The audit row of a refused sign-in: the name tried, the address, and why. The refused sign-in's own unit
    rolled back, so the boundary writes this in a unit of its own. Flushes, never commits."""
    user = session.get(User, refused.user_id) if refused.user_id else None
    audit.record(session, None, "sign_in.refused", "user", refused.user_id,
                 branch_id=user.branch_id if user else None, username=attempt.username, address=attempt.address,
                 reason=refused.reason)
    session.flush()


def _branch_open(session: Session, user: User) -> bool:
    branch = session.get(Branch, user.branch_id)
    return branch is not None and branches.is_open(branch)


def user_for_token(session: Session, token: str | None, *, now: datetime | None = None) -> User | None:
    """The active user of an open branch a session token belongs to, or ``None`` for a missing, unknown, ended or
    expired token (idle too long, or past its lifetime), or a disabled account, or a closed branch's."""
    if not token:
        return None
    now = now or utc_now()
    # Every request asks this first: one round trip (the user and branch then stay in the session for the request).
    found = session.exec(select(UserSession.expires_at, UserSession.last_seen_at, User, Branch)
                         .join(User, col(User.id) == UserSession.user_id)
                         .join(Branch, col(Branch.id) == User.branch_id)
                         .where(UserSession.token_hash == _token_hash(token))).first()
    if found is None:
        return None
    expires_at, last_seen_at, user, branch = found
    alive = expires_at > now and last_seen_at > now - get_settings().session_idle
    return user if alive and user.is_active and branches.is_open(branch) else None


def touch(session: Session, token: str, *, now: datetime | None = None) -> None:
    """Note that the session ``token`` is in use (for the idle timeout); a no-op within ``TOUCH_EVERY`` of the last
    note, or for an unknown token. Flushes, never commits."""
    now = now or utc_now()
    session.execute(update(UserSession)
                    .where(col(UserSession.token_hash) == _token_hash(token),
                           col(UserSession.last_seen_at) < now - TOUCH_EVERY)
                    .values(last_seen_at=now))
    session.flush()


def state_binding(token: str) -> str:
    """What binds a browser tab's server state to the session ``token``: a one-way digest of the token's stored
    hash (so it can be found again from the database row when a session is ended elsewhere)."""
    return _binding_of(_token_hash(token))


def _binding_of(token_hash: str) -> str:
    return hashlib.sha256(f"lantong-state:{token_hash}".encode()).hexdigest()[:32]


def sign_out(session: Session, token: str | None) -> list[str]:
    """End the session ``token``; returns its state binding (``state_binding``), or nothing for no such session."""
    if not token:
        return []
    row = session.exec(select(UserSession).where(UserSession.token_hash == _token_hash(token))).first()
    if row is None:
        return []
    session.delete(row)
    session.flush()
    return [_binding_of(row.token_hash)]


def bindings_of(session: Session, user_id: int) -> list[str]:
    """The state bindings of a user's open sessions (to drop their browsers' states once they are ended)."""
    return [_binding_of(token_hash)
            for token_hash in session.exec(select(UserSession.token_hash).where(UserSession.user_id == user_id))]


def bindings_in_branch(session: Session, branch_id: int) -> list[str]:
    """The state bindings of the open sessions of a branch's people (closing it signs them out)."""
    return [_binding_of(token_hash) for token_hash in session.exec(
        select(UserSession.token_hash).join(User, col(User.id) == UserSession.user_id)
        .where(User.branch_id == branch_id))]


def end_sessions_of(session: Session, user_id: int, *, keep_token: str | None = None) -> list[str]:
    """Sign a user out everywhere (after a password reset, when the account is disabled, or by an admin), or
    everywhere but the session ``keep_token`` (their own password change); returns the state bindings of the
    sessions ended, so the caller can drop their browsers' states."""
    ended = []
    query = select(UserSession).where(UserSession.user_id == user_id)
    if keep_token:
        query = query.where(UserSession.token_hash != _token_hash(keep_token))
    for row in session.exec(query).all():
        ended.append(_binding_of(row.token_hash))
        session.delete(row)
    session.flush()
    return ended
