import json
from datetime import timedelta

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform import auth, branches, rate_limit
from models import AuditEvent, UserSession
from models.common import utc_now
from tests.conftest import PASSWORD

HERE, ELSEWHERE = "198.51.100.1", "203.0.113.9"


def test_sign_in_returns_a_token_that_identifies_the_user(session, shop):
    token = auth.sign_in(session, "advisor", PASSWORD)
    assert auth.user_for_token(session, token).id == shop.advisor.id
    stored = session.exec(select(UserSession)).one()
    assert token not in stored.token_hash  # only a keyed hash is kept


def attempt(session, username: str, password: str, address: str = HERE, *, now=None):
    """A sign-in as the boundary runs it, in its three units: counted, checked, and a refusal audited. Returns the
    token, or the ``SignInRefused``."""
    counted = auth.begin_sign_in(session, username, address, now=now)
    session.commit()
    try:
        token = auth.sign_in(session, username, password, attempt=counted, now=now)
    except auth.SignInRefused as refused:
        session.rollback()
        auth.record_refused_sign_in(session, counted, refused)
        session.commit()
        return refused
    session.commit()
    return token


def fail(session, username: str, address: str = HERE, *, now=None) -> None:
    """A wrong password, counted as the sign-in page counts it."""
    assert isinstance(attempt(session, username, "wrong-password", address, now=now), auth.SignInRefused)


class CountingHasher:
    """The argon2 hasher, counting the verifications: the work every answer costs, without timing anything."""

    def __init__(self, inner):
        self.inner, self.verified = inner, 0

    def verify(self, password_hash, password):
        self.verified += 1
        return self.inner.verify(password_hash, password)

    def hash(self, password):
        return self.inner.hash(password)


def throttle(session, username: str, address: str = HERE, *, now=None) -> None:
    """Enough failures of ``username`` from ``address`` to throttle it (counted as a try is, before its check)."""
    for _ in range(auth.ACCOUNT_FREE_FAILURES):
        auth.begin_sign_in(session, username, address, now=now)
    session.commit()


def closed_branch(session, shop):
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    session.commit()


@pytest.mark.parametrize("case", ["unknown_user", "wrong_password", "disabled", "branch_closed", "throttled"])
def test_every_refusal_gets_the_same_answer_for_the_same_work(session, shop, monkeypatch, case):
    """Nothing tells an account that exists from one that does not, nor says why: one message, and one password
    verification each, the throttled answer too (a throttled answer used to come back 100 times quicker)."""
    username, password = {"unknown_user": ("nobody", PASSWORD), "wrong_password": ("advisor", "wrong-password"),
                          "disabled": ("cashier", PASSWORD), "branch_closed": ("otheradvisor", PASSWORD),
                          "throttled": ("manager", PASSWORD)}[case]
    if case == "disabled":
        shop.cashier.is_active = False
        session.add(shop.cashier)
        session.commit()
    if case == "branch_closed":
        closed_branch(session, shop)
    if case == "throttled":
        throttle(session, "manager")
    hasher = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", hasher)

    refused = attempt(session, username, password)

    assert isinstance(refused, auth.SignInRefused) and refused.reason == case
    assert refused.message == auth.SIGN_IN_REFUSED == "用户名或密码错误，或暂时无法登录"
    assert hasher.verified == 1
    hasher.verified = 0
    assert isinstance(attempt(session, "admin", PASSWORD, ELSEWHERE), str)
    assert hasher.verified == 1  # a success costs the same one verification


def test_failures_throttle_the_account_from_that_address_only(session, shop):
    """Anyone can fail as often as they like against the owner's account: the owner, from their own address, still
    signs in with the right password."""
    now = utc_now()
    for _ in range(auth.ACCOUNT_FREE_FAILURES):
        fail(session, "admin", ELSEWHERE, now=now)
    assert attempt(session, "admin", PASSWORD, ELSEWHERE, now=now).reason == "throttled"
    assert isinstance(attempt(session, "admin", PASSWORD, HERE, now=now), str)
    # The attacker's address is not locked out of other accounts either (that is the per-address limit's job).
    assert isinstance(attempt(session, "advisor", PASSWORD, ELSEWHERE, now=now), str)
    # The wait passes: 30 s after the last failure the right password works from there too.
    later = now + auth.FIRST_DELAY + timedelta(seconds=1)
    assert isinstance(attempt(session, "admin", PASSWORD, ELSEWHERE, now=later), str)


def test_the_waits_grow_up_to_the_cap(session):
    now = utc_now()
    waits = []
    for _ in range(auth.ACCOUNT_FREE_FAILURES + 8):
        rate_limit.add_hit(session, "sign_in_account", "key", window=auth.THROTTLE_WINDOW, now=now)
        waits.append(rate_limit.wait_left(session, "sign_in_account", "key", free=auth.ACCOUNT_FREE_FAILURES,
                                          first_delay=auth.FIRST_DELAY, max_delay=auth.MAX_DELAY,
                                          window=auth.THROTTLE_WINDOW, now=now).total_seconds())
    free = auth.ACCOUNT_FREE_FAILURES
    assert waits == [0] * (free - 1) + [30, 60, 120, 240, 480, 900, 900, 900, 900]
    # Counted from the last failure: 100 s after it, 800 s of the 900 are left; and failures older than the window
    # are forgotten.
    assert rate_limit.wait_left(session, "sign_in_account", "key", free=free, first_delay=auth.FIRST_DELAY,
                                max_delay=auth.MAX_DELAY, window=auth.THROTTLE_WINDOW,
                                now=now + timedelta(seconds=100)) == timedelta(seconds=800)
    assert rate_limit.wait_left(session, "sign_in_account", "key", free=free, first_delay=auth.FIRST_DELAY,
                                max_delay=auth.MAX_DELAY, window=auth.THROTTLE_WINDOW,
                                now=now + auth.THROTTLE_WINDOW + timedelta(seconds=1)) == timedelta(0)


def test_a_throttled_try_is_not_counted_again(session, shop):
    now = utc_now()
    throttle(session, "partsclerk", now=now)
    for _ in range(3):
        assert auth.begin_sign_in(session, "partsclerk", HERE, now=now).throttled
    later = now + auth.FIRST_DELAY + timedelta(seconds=1)
    assert isinstance(attempt(session, "partsclerk", PASSWORD, HERE, now=later), str)


def test_many_accounts_from_one_address_throttle_that_address(session, shop):
    now = utc_now()
    for n in range(auth.ADDRESS_FREE_FAILURES):
        auth.begin_sign_in(session, f"guess{n}", HERE, now=now)
    session.commit()
    assert attempt(session, "technician", PASSWORD, HERE, now=now).reason == "throttled"
    assert isinstance(attempt(session, "technician", PASSWORD, ELSEWHERE, now=now), str)


def test_a_success_takes_back_its_own_count_and_the_accounts_failures(session, shop):
    now = utc_now()
    for _ in range(auth.ACCOUNT_FREE_FAILURES - 1):
        fail(session, "manager", now=now)
    assert isinstance(attempt(session, "manager", PASSWORD, now=now), str)
    for _ in range(auth.ACCOUNT_FREE_FAILURES - 1):
        fail(session, "manager", now=now)
    assert not auth.begin_sign_in(session, "manager", HERE, now=now).throttled


def test_sign_ins_go_to_the_audit_log_with_their_address(session, shop):
    attempt(session, "nobody", "whatever")
    attempt(session, "advisor", "wrong-password")
    attempt(session, "advisor", PASSWORD, ELSEWHERE)
    rows = session.exec(select(AuditEvent).where(AuditEvent.action.like("sign_in%")).order_by(AuditEvent.id)).all()
    assert [(r.action, r.user_id, r.entity_id, json.loads(r.detail)) for r in rows] == [
        ("sign_in.refused", None, None, {"username": "nobody", "address": HERE, "reason": "unknown_user"}),
        ("sign_in.refused", None, shop.advisor.id, {"username": "advisor", "address": HERE,
                                                     "reason": "wrong_password"}),
        ("sign_in", shop.advisor.id, shop.advisor.id, {"address": ELSEWHERE}),
    ]
    assert rows[1].branch_id == shop.advisor.branch_id  # the branch's admin sees who tried its people


def test_disabled_user_cannot_sign_in_and_loses_sessions(session, shop):
    token = auth.sign_in(session, "technician", PASSWORD)
    shop.technician.is_active = False
    session.add(shop.technician)
    session.commit()
    assert auth.user_for_token(session, token) is None
    with pytest.raises(auth.SignInRefused) as caught:
        auth.sign_in(session, "technician", PASSWORD)
    assert caught.value.reason == "disabled"


def test_expired_and_signed_out_tokens_identify_nobody(session, shop):
    token = auth.sign_in(session, "advisor", PASSWORD)
    assert auth.user_for_token(session, token, now=utc_now() + timedelta(days=7, minutes=1)) is None
    auth.sign_out(session, token)
    assert auth.user_for_token(session, token) is None
    assert auth.user_for_token(session, "") is None
    assert auth.user_for_token(session, "made-up-token") is None


# --- password rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password,message", [
    ("short", "密码至少10位"),
    ("12345678", "密码至少10位"),
    (" " * 12, "密码不能全是空格"),
    ("wangxiaoming", "密码不能与用户名相同"),
    ("WangXiaoMing", "密码不能与用户名相同"),
    ("aaaaaaaaaa", "密码太常见或太简单，容易被猜中，请换一个"),
    ("abababababab", "密码太常见或太简单，容易被猜中，请换一个"),
    ("1234567890", "密码太常见或太简单，容易被猜中，请换一个"),
    ("Password123", "密码太常见或太简单，容易被猜中，请换一个"),
    ("woaini5201314", "密码太常见或太简单，容易被猜中，请换一个"),
    ("qwertyuiop", "密码太常见或太简单，容易被猜中，请换一个"),
    ("lantong123", "密码太常见或太简单，容易被猜中，请换一个"),  # the demo password: the demo only
])
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(DomainError) as caught:
        auth.hash_password(password, "wangxiaoming")
    assert (caught.value.message, caught.value.field) == (message, "password")


def test_a_good_password_is_hashed_and_the_demo_bypass_is_separate():
    assert auth.hash_password("铁打的车间流水的维修工", "advisor")
    assert auth.hash_password(PASSWORD, "advisor")
    assert auth._hasher.verify(auth.hash_demo_password("lantong123"), "lantong123")
    assert len(auth._common_passwords()) > 5000
