from datetime import timedelta

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import auth
from models import AuditEvent, UserSession
from models.common import utc_now
from tests.conftest import PASSWORD


def test_sign_in_returns_a_token_that_identifies_the_user(session, shop):
    token = auth.sign_in(session, "advisor", PASSWORD)
    assert auth.user_for_token(session, token).id == shop.advisor.id
    stored = session.exec(select(UserSession)).one()
    assert token not in stored.token_hash  # only a keyed hash is kept


def test_wrong_password_and_unknown_user_get_the_same_message(session, shop):
    for username, password in (("advisor", "wrong-password"), ("nobody", PASSWORD)):
        with pytest.raises(DomainError) as caught:
            auth.sign_in(session, username, password)
        assert caught.value.message == "用户名或密码错误"


def fail(session, username: str, *, now=None) -> None:
    """A wrong password, counted as the sign-in page counts it (the refused sign-in names the account)."""
    with pytest.raises(auth.WrongPassword) as caught:
        auth.sign_in(session, username, "wrong-password", now=now)
    assert caught.value.message == "用户名或密码错误"
    auth.count_failed_sign_in(session, caught.value.user_id, now=now)


def test_repeated_failures_lock_the_account_even_for_the_right_password(session, shop):
    now = utc_now()
    for _ in range(auth.MAX_FAILED_SIGN_INS):
        fail(session, "cashier", now=now)
    with pytest.raises(DomainError) as caught:
        auth.sign_in(session, "cashier", PASSWORD, now=now)
    assert "锁定" in caught.value.message
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.locked")).first() is not None
    later = now + auth.LOCK_DURATION + timedelta(seconds=1)
    assert auth.sign_in(session, "cashier", PASSWORD, now=later)


def test_a_success_resets_the_failure_count(session, shop):
    for _ in range(auth.MAX_FAILED_SIGN_INS - 1):
        fail(session, "manager")
    auth.sign_in(session, "manager", PASSWORD)
    fail(session, "manager")
    assert shop.manager.failed_logins == 1 and shop.manager.locked_until is None


def test_disabled_user_cannot_sign_in_and_loses_sessions(session, shop):
    token = auth.sign_in(session, "technician", PASSWORD)
    shop.technician.is_active = False
    session.add(shop.technician)
    session.commit()
    assert auth.user_for_token(session, token) is None
    with pytest.raises(DomainError) as caught:
        auth.sign_in(session, "technician", PASSWORD)
    assert "停用" in caught.value.message


def test_expired_and_signed_out_tokens_identify_nobody(session, shop):
    token = auth.sign_in(session, "advisor", PASSWORD)
    assert auth.user_for_token(session, token, now=utc_now() + auth.SESSION_LIFETIME + timedelta(minutes=1)) is None
    auth.sign_out(session, token)
    assert auth.user_for_token(session, token) is None
    assert auth.user_for_token(session, "") is None
    assert auth.user_for_token(session, "made-up-token") is None


def test_short_passwords_are_refused():
    with pytest.raises(DomainError) as caught:
        auth.hash_password("short")
    assert caught.value.field == "password"
