"""Signing in and out through the State handlers, and the page guards every protected page runs on load."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from sqlmodel import Session, func, select

import models
from lantong_pwa.client_state import FORGET_CLIENT_TOKEN
from lantong_pwa.reflex_internals import EVENT_HANDLERS, event_arguments, event_name
from lantong_pwa.services.platform import auth
from models import Role, UserSession
from state.platform.login import LoginState
from state.platform.session import ROLE_HOME, SessionState
from tests.conftest import PASSWORD
from tests.state.harness import as_list, drive, make_state, redirect_target, redirects_in, token_for


@pytest.fixture
def staff(app_engine, shop):
    """The shop, in the database the State handlers use (``app_engine`` empties the tables before ``shop`` fills them)."""
    with Session(app_engine) as check:
        assert check.exec(select(func.count()).select_from(models.User)).one() == len(Role) + 1
    return shop


def audit_rows(session: Session, action: str) -> list[models.AuditEvent]:
    session.expire_all()
    return list(session.exec(select(models.AuditEvent).where(models.AuditEvent.action == action)
                             .order_by(models.AuditEvent.id)).all())


def session_rows(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(UserSession)).one()


def login_state(next_param: str | None = None, *, peer: str = "198.51.100.1",
                forwarded_for: str | None = None) -> LoginState:
    query = {} if next_param is None else {"next": next_param}
    headers = {"asgi-scope-client": peer, **({"x-forwarded-for": forwarded_for} if forwarded_for else {})}
    return make_state(LoginState, path="/login", query=query, headers=headers)


# --- signing in -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_sign_in_sets_the_cookie_and_goes_to_the_roles_home(staff, session, role):
    user = staff.users[role.value]
    state = login_state()

    result = drive(state.submit({"username": user.username, "password": PASSWORD}))

    assert redirect_target(result) == ROLE_HOME[role]
    assert state.error == ""
    assert state.auth_token, "the session cookie var must be set"
    resolved = auth.user_for_token(session, state.auth_token)
    assert resolved is not None and resolved.id == user.id
    assert state.user_role == role.value and state.user_display_name == user.display_name
    assert session_rows(session) == 1


def test_sign_in_follows_a_same_site_next(staff):
    state = login_state("/v/abc123?tab=photos")

    result = drive(state.submit({"username": staff.technician.username, "password": PASSWORD}))

    assert redirect_target(result) == "/v/abc123?tab=photos"
    assert state.auth_token


@pytest.mark.parametrize("next_param", ["//evil.com", "https://evil.com", "http://evil.com/intake", "/\\evil.com",
                                        "evil.com/intake", "javascript:alert(1)"])
def test_sign_in_ignores_an_off_site_next(staff, next_param):
    state = login_state(next_param)

    result = drive(state.submit({"username": staff.advisor.username, "password": PASSWORD}))

    assert redirect_target(result) == "/intake"
    assert state.auth_token


@pytest.mark.parametrize("username,password", [("advisor", "wrong-password"), ("nobody", PASSWORD), ("", "")])
def test_wrong_credentials_show_a_message_and_set_no_cookie(staff, session, username, password):
    state = login_state("/intake")

    result = drive(state.submit({"username": username, "password": password}))

    assert result is None
    assert state.error == "用户名或密码错误，或暂时无法登录"
    assert state.auth_token == ""
    assert state.user_role == ""
    assert session_rows(session) == 0


def test_failures_from_one_address_never_keep_the_owner_out(staff, session):
    """A refused sign-in rolls back, and it is still counted: from the attacker's address the account is throttled
    (the right password gets the same answer as a wrong one), from the owner's it signs in."""
    for _ in range(auth.ACCOUNT_FREE_FAILURES):
        drive(login_state(peer="203.0.113.9").submit({"username": "admin", "password": "wrong-password"}))
    attacker = login_state(peer="203.0.113.9")
    drive(attacker.submit({"username": "admin", "password": PASSWORD}))
    assert attacker.error == auth.SIGN_IN_REFUSED and attacker.auth_token == ""
    owner = login_state(peer="198.51.100.1")
    assert redirect_target(drive(owner.submit({"username": "admin", "password": PASSWORD}))) == "/admin/users"
    reasons = [json.loads(row.detail)["reason"] for row in audit_rows(session, "sign_in.refused")]
    assert reasons == ["wrong_password"] * auth.ACCOUNT_FREE_FAILURES + ["throttled"]


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled_and_audited(staff, session, trusted_proxies):
    trusted_proxies("127.0.0.1")
    for _ in range(auth.ACCOUNT_FREE_FAILURES):
        drive(login_state(peer="127.0.0.1", forwarded_for="203.0.113.9").submit(
            {"username": "manager", "password": "wrong-password"}))
    blocked = login_state(peer="127.0.0.1", forwarded_for="203.0.113.9")
    drive(blocked.submit({"username": "manager", "password": PASSWORD}))
    assert blocked.error == auth.SIGN_IN_REFUSED
    owner = login_state(peer="127.0.0.1", forwarded_for="198.51.100.1")
    assert redirect_target(drive(owner.submit({"username": "manager", "password": PASSWORD}))) == "/figures"
    assert json.loads(audit_rows(session, "sign_in")[0].detail) == {"address": "198.51.100.1"}
    assert {json.loads(row.detail)["address"] for row in audit_rows(session, "sign_in.refused")} == {"203.0.113.9"}


def test_a_disabled_account_cannot_sign_in(staff, session):
    user = session.get(models.User, staff.cashier.id)
    user.is_active = False
    session.add(user)
    session.commit()
    state = login_state()

    result = drive(state.submit({"username": user.username, "password": PASSWORD}))

    assert result is None
    assert state.error == auth.SIGN_IN_REFUSED
    assert state.auth_token == ""
    assert session_rows(session) == 0


def test_the_login_page_clears_an_old_error(staff):
    state = login_state()
    drive(state.submit({"username": "advisor", "password": "nope-nope"}))
    assert state.error
    state.on_load()
    assert state.error == ""


# --- the home page and signing out ------------------------------------------------------------------------------


def test_home_sends_an_anonymous_visitor_to_sign_in(staff):
    assert redirect_target(drive(make_state(SessionState, path="/").go_home())) == "/login"


def test_home_sends_a_stale_cookie_to_sign_in(staff):
    assert redirect_target(drive(make_state(SessionState, token="not-a-real-token", path="/").go_home())) == "/login"


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.TECHNICIAN, Role.ADMIN], ids=lambda r: r.value)
def test_home_sends_staff_to_their_roles_home(staff, session, role):
    state = make_state(SessionState, token=token_for(session, staff.users[role.value]), path="/")
    assert redirect_target(drive(state.go_home())) == ROLE_HOME[role]
    assert state.user_role == role.value


def test_sign_out_ends_the_session_on_the_server(staff, session):
    token = token_for(session, staff.advisor)
    other_device = token_for(session, staff.advisor)
    state = make_state(SessionState, token=token, path="/intake")
    drive(state.go_home())
    assert auth.user_for_token(session, token) is not None
    assert session_rows(session) == 2

    events = as_list(drive(state.sign_out()))

    session.expire_all()
    assert auth.user_for_token(session, token) is None, "the token must stop working, not just the cookie go away"
    assert auth.user_for_token(session, other_device) is not None, "only this browser is signed out"
    assert session_rows(session) == 1
    assert state.auth_token == "" and state.user_role == "" and state.user_display_name == ""
    assert [event_name(e) for e in events] == [EVENT_HANDLERS[name] for name in ("call_script", "remove_cookie",
                                                                                 "call_script")]
    # This person's drafts leave the browser (a shared tablet keeps no customer's details), nobody else's.
    assert f"lantong-draft:{staff.advisor.id}:" in repr(events[0].args)
    assert auth.SESSION_COOKIE in repr(events[1].args)
    # The page forgets its client token and loads the sign-in page afresh (its old state is dropped on the server).
    assert event_arguments(events[2])["javascript_code"] == FORGET_CLIENT_TOKEN
    # The old cookie value, replayed, is anonymous now.
    assert redirect_target(drive(make_state(SessionState, token=token, path="/").go_home())) == "/login"


def test_sign_out_without_a_session_still_clears_the_browser(staff):
    events = as_list(drive(make_state(SessionState, path="/").sign_out()))
    assert [event_name(e) for e in events] == [EVENT_HANDLERS["remove_cookie"], EVENT_HANDLERS["call_script"]]
    assert event_arguments(events[1])["javascript_code"] == FORGET_CLIENT_TOKEN


# --- page guards ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cookie", ["", "bogus-token"], ids=["no-cookie", "bogus-cookie"])
def test_the_guard_sends_anonymous_visitors_to_sign_in_and_back(staff, cookie):
    state = make_state(SessionState, token=cookie, path="/vehicles", query={"q": "粤B 1/2"})

    result = drive(state.guard_staff())

    here = f"/vehicles?{urlencode({'q': '粤B 1/2'})}"
    assert redirects_in(result) == [f"/login?next={quote(here, safe='')}"]
    assert state.user_role == ""


def test_guard_next_round_trips_through_sign_in(staff):
    """The ``next`` a guard builds is what the sign-in page follows afterwards."""
    guard_state = make_state(SessionState, path="/v/tok-123", route="/v/[token]", query={"token": "tok-123"})
    target = redirects_in(drive(guard_state.guard_staff()))[0]
    assert target == "/login?next=%2Fv%2Ftok-123"

    next_param = parse_qs(urlsplit(target).query)["next"][0]
    state = login_state(next_param)
    assert redirect_target(drive(state.submit({"username": staff.technician.username, "password": PASSWORD}))) == \
        "/v/tok-123"


# A wrong role is sent to its own home by every page's guard: tests/state/test_role_checks.py.
@pytest.mark.parametrize("role", [Role.CASHIER, Role.TECHNICIAN], ids=lambda role: role.value)
def test_the_guard_lets_staff_in(staff, session, role):
    state = make_state(SessionState, token=token_for(session, staff.users[role.value]), path="/vehicles")

    assert drive(state.guard_staff()) is None
    assert state.user_role == role.value
    assert state.user_display_name == staff.users[role.value].display_name


def test_a_disabled_users_cookie_stops_working(staff, session):
    token = token_for(session, staff.technician)
    assert drive(make_state(SessionState, token=token, path="/vehicles").guard_staff()) is None
    user = session.get(models.User, staff.technician.id)
    user.is_active = False
    session.add(user)
    session.commit()

    state = make_state(SessionState, token=token, path="/vehicles")
    assert redirects_in(drive(state.guard_staff())) == ["/login?next=%2Fvehicles"]
