"""Who is signed in, from the cookie the websocket connected with; signing out through the State handler; and the
page guards every protected page runs on load. Signing in itself is the route's: tests/test_web_session.py."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from sqlmodel import Session, func, select

import models
from lantong_pwa import web_session
from lantong_pwa.client_state import FORGET_CLIENT_TOKEN
from lantong_pwa.reflex_internals import EVENT_HANDLERS, event_arguments, event_name
from lantong_pwa.services.platform import auth
from models import Role, UserSession
from state.platform.login import LoginState
from state.platform.session import ROLE_HOME, SessionState
from tests.state.harness import as_list, drive, make_state, redirect_target, redirects_in, token_for


@pytest.fixture
def staff(app_engine, shop):
    """The shop, in the database the State handlers use (``app_engine`` empties the tables before ``shop`` fills them)."""
    with Session(app_engine) as check:
        assert check.exec(select(func.count()).select_from(models.User)).one() == len(Role) + 1
    return shop


def session_rows(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(UserSession)).one()


# Signing in is the sign-in route's (tests/test_web_session.py); the page only shows its refusal.


def test_the_login_page_shows_the_routes_refusal_and_clears_it_on_load(staff):
    state = make_state(LoginState, path="/login")
    state.answered("用户名或密码错误")
    assert state.error == "用户名或密码错误"
    state.answered("x" * 500)
    assert len(state.error) == 100, "whatever the browser sends back, the page shows a short line"
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
    assert state.user_role == "" and state.user_display_name == ""
    assert [event_name(e) for e in events] == [EVENT_HANDLERS["call_script"]] * 2
    # This person's drafts leave the browser (a shared tablet keeps no customer's details), nobody else's.
    assert f"lantong-draft:{staff.advisor.id}:" in repr(events[0].args)
    # The browser has the route forget the cookie (only the server can clear an HttpOnly one), then the page forgets
    # its client token and loads the sign-in page afresh (its old state is dropped on the server).
    assert event_arguments(events[1])["javascript_code"] == web_session.sign_out_script(FORGET_CLIENT_TOKEN)
    assert "DELETE" in web_session.sign_out_script(FORGET_CLIENT_TOKEN)
    # The old cookie value, replayed, is anonymous now.
    assert redirect_target(drive(make_state(SessionState, token=token, path="/").go_home())) == "/login"


def test_sign_out_without_a_session_still_clears_the_browser(staff):
    events = as_list(drive(make_state(SessionState, path="/").sign_out()))
    assert [event_name(e) for e in events] == [EVENT_HANDLERS["call_script"]]
    assert event_arguments(events[0])["javascript_code"] == web_session.sign_out_script(FORGET_CLIENT_TOKEN)


# --- page guards ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cookie", ["", "bogus-token"], ids=["no-cookie", "bogus-cookie"])
def test_the_guard_sends_anonymous_visitors_to_sign_in_and_back(staff, cookie):
    state = make_state(SessionState, token=cookie, path="/vehicles", query={"q": "粤B 1/2"})

    result = drive(state.guard_staff())

    here = f"/vehicles?{urlencode({'q': '粤B 1/2'})}"
    assert redirects_in(result) == [f"/login?next={quote(here, safe='')}"]
    assert state.user_role == ""


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
