"""How long a session lasts: an idle timeout and an absolute lifetime, both settings; what binds a browser tab's
state to it; and ending a user's sessions."""

from datetime import timedelta

import pytest
from sqlmodel import select

from lantong_pwa.services.platform import auth
from lantong_pwa.settings import get_settings
from models import UserSession
from models.common import utc_now
from tests.conftest import PASSWORD


@pytest.fixture
def limits(monkeypatch):
    """Set the session limits for one test (hours idle, days in all)."""
    def set_limits(idle_hours: str | None = None, days: str | None = None):
        for name, value in (("LANTONG_SESSION_IDLE_HOURS", idle_hours), ("LANTONG_SESSION_DAYS", days)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_limits
    monkeypatch.delenv("LANTONG_SESSION_IDLE_HOURS", raising=False)
    monkeypatch.delenv("LANTONG_SESSION_DAYS", raising=False)
    get_settings.cache_clear()


def test_the_defaults_are_twelve_hours_idle_and_seven_days_in_all(limits):
    limits()
    assert get_settings().session_idle == timedelta(hours=12)
    assert get_settings().session_lifetime == timedelta(days=7)


def test_a_session_unused_for_the_idle_timeout_ends(session, shop, limits):
    limits()
    start = utc_now()
    token = auth.sign_in(session, "advisor", PASSWORD, now=start)
    assert auth.user_for_token(session, token, now=start + timedelta(hours=11, minutes=59)) is not None
    assert auth.user_for_token(session, token, now=start + timedelta(hours=12, minutes=1)) is None


def test_use_keeps_it_alive_until_its_lifetime_is_over(session, shop, limits):
    limits()
    start = utc_now()
    token = auth.sign_in(session, "advisor", PASSWORD, now=start)
    for hour in range(10, 7 * 24, 10):  # used every ten hours for a week
        now = start + timedelta(hours=hour)
        assert auth.user_for_token(session, token, now=now) is not None, f"ended after {hour} h"
        auth.touch(session, token, now=now)
    assert auth.user_for_token(session, token, now=start + timedelta(days=7, minutes=1)) is None


def test_a_touch_is_written_at_most_every_few_minutes(session, shop):
    start = utc_now()
    token = auth.sign_in(session, "advisor", PASSWORD, now=start)
    row = session.exec(select(UserSession)).one()
    auth.touch(session, token, now=start + auth.TOUCH_EVERY / 2)
    session.refresh(row)
    assert row.last_seen_at == start
    auth.touch(session, token, now=start + auth.TOUCH_EVERY * 2)
    session.refresh(row)
    assert row.last_seen_at == start + auth.TOUCH_EVERY * 2
    auth.touch(session, "made-up-token")  # nothing to note


def test_the_limits_are_settings(session, shop, limits):
    limits(idle_hours="1", days="2")
    start = utc_now()
    token = auth.sign_in(session, "advisor", PASSWORD, now=start)
    assert auth.user_for_token(session, token, now=start + timedelta(minutes=61)) is None
    auth.touch(session, token, now=start + timedelta(minutes=50))
    assert auth.user_for_token(session, token, now=start + timedelta(minutes=61)) is not None
    assert session.exec(select(UserSession)).one().expires_at == start + timedelta(days=2)


@pytest.mark.parametrize("name,value", [("LANTONG_SESSION_IDLE_HOURS", "0"), ("LANTONG_SESSION_DAYS", "-1")])
def test_a_limit_of_nothing_is_refused_at_start(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError, match=name):
            get_settings()
    finally:
        monkeypatch.delenv(name)
        get_settings.cache_clear()


def test_each_session_binds_its_own_state(session, shop):
    first, second = (auth.sign_in(session, "advisor", PASSWORD) for _ in range(2))
    assert auth.state_binding(first) == auth.state_binding(first)
    assert auth.state_binding(first) != auth.state_binding(second)
    assert first not in auth.state_binding(first)
    assert auth.sign_out(session, first) == [auth.state_binding(first)]
    assert auth.sign_out(session, first) == [], "an ended session ends nothing more"


def test_ending_a_users_sessions_names_the_states_to_drop(session, shop):
    tokens = [auth.sign_in(session, "advisor", PASSWORD) for _ in range(2)]
    other = auth.sign_in(session, "cashier", PASSWORD)

    ended = auth.end_sessions_of(session, shop.advisor.id)

    assert sorted(ended) == sorted(auth.state_binding(token) for token in tokens)
    assert all(auth.user_for_token(session, token) is None for token in tokens)
    assert auth.user_for_token(session, other) is not None


def test_a_branchs_sessions_are_found_to_drop_their_states(session, shop):
    here = auth.sign_in(session, "advisor", PASSWORD)
    elsewhere = auth.sign_in(session, "otheradvisor", PASSWORD)
    assert auth.bindings_in_branch(session, shop.other_branch.id) == [auth.state_binding(elsewhere)]
    assert auth.state_binding(here) in auth.bindings_in_branch(session, shop.branch.id)
