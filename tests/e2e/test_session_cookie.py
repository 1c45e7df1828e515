"""The session in the production build and a real browser (lantong_pwa/web_session.py): the cookie is the server's
(HttpOnly, SameSite=Strict, out of every script's reach), a tab's state is bound to it, signing out and 强制下线 drop
it, and neither the session token nor a customer's mobile reaches the server's log.

A tab's state is looked at as an intruder would: a simulated phone connects with the tab's client token (taken from
its sessionStorage) and asks for the whole state (Reflex's hydrate), with no cookie, with another session's cookie,
and, as the control, with the tab's own.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
import reflex as rx
from playwright.sync_api import expect

from lantong_pwa.reflex_internals import CLIENT_TOKEN_STORAGE_KEY
from lantong_pwa.socket_phone import SocketPhone
from lantong_pwa.web_session import SESSION_COOKIE, SESSION_PATH, token_in
from tests.e2e.conftest import DEMO_PASSWORD, run_async, sign_in, wait_hydrated
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

MOBILE = "13800138000"  # the demo customer 刘建国 (粤B12345)
ADVISOR = "李顾问"


async def _hydrated(url: str, client_token: str, cookie: str | None) -> str:
    phone = SocketPhone(url)
    phone.token, phone.session_cookie = client_token, cookie
    await phone.connect()
    try:
        answer = await phone.send(rx.State, "hydrate", {}, path="/intake")
    finally:
        await phone.close()
    return json.dumps(answer.deltas, ensure_ascii=False)


def hydrated(url: str, client_token: str, cookie: str | None = None) -> str:
    """The whole state a connection with ``client_token`` (and the session ``cookie``) is sent, as text."""
    return run_async(_hydrated(url, client_token, cookie))


def session_cookie(context) -> dict:
    return next(c for c in context.cookies() if c["name"] == SESSION_COOKIE)


def test_the_cookie_is_the_servers_and_a_tabs_state_is_bound_to_it(server, new_context):
    context = new_context("tablet")
    page = context.new_page()
    sign_in(page, "advisor")
    expect(page).to_have_url(re.compile(r"/intake$"))
    cookie = session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"], "plain HTTP here: LANTONG_PUBLIC_URL is http"
    assert SESSION_COOKIE not in page.evaluate("document.cookie"), "no script on the page can read it"

    # A customer's mobile goes into the tab's state on the server.
    wait_hydrated(page, "#intake-query")
    page.fill("#intake-query", MOBILE)
    page.press("#intake-query", "Enter")
    expect(page.locator(".pick-vehicle", has_text="粤B12345")).to_be_visible()
    client_token = page.evaluate(f"window.sessionStorage.getItem('{CLIENT_TOKEN_STORAGE_KEY}')")

    # The token without the cookie, or with another session's, gets a fresh state: nothing of the advisor's.
    with httpx.Client(base_url=server.url) as http:
        other = http.post(SESSION_PATH, json={"username": "cashier", "password": DEMO_PASSWORD},
                          headers={"origin": server.url})
    other_cookie = token_in(other.headers["set-cookie"].split(";", 1)[0])
    for intruder in (None, other_cookie):
        seen = hydrated(server.url, client_token, intruder)
        assert "is_hydrated" in seen or "router" in seen, f"the hydrate answered nothing: {seen[:200]}"
        assert MOBILE not in seen and ADVISOR not in seen and "粤B12345" not in seen

    # The control: the tab's own cookie finds its state (once the page has let go of the token).
    page.close()
    wait_until(lambda: MOBILE in hydrated(server.url, client_token, cookie["value"]),
               "the tab's own session finds the tab's state")

    # 强制下线: the admin signs the advisor out everywhere, and the tab's state goes with the session.
    admin = new_context("tablet").new_page()
    sign_in(admin, "admin")
    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    row = admin.locator("tr", has_text=ADVISOR)
    wait_hydrated(admin, "tr button")
    row.get_by_role("button", name="强制下线").click()
    expect(admin.get_by_text(re.compile(r"已强制下线"))).to_be_visible()
    assert server.scalar("SELECT count(*) FROM user_session JOIN user ON user.id = user_session.user_id "
                         "WHERE user.username = 'advisor'") == 0
    wait_until(lambda: MOBILE not in (seen := hydrated(server.url, client_token, cookie["value"])) and
               ADVISOR not in seen, "the ended session's tab state is dropped")

    # Nothing of the sessions, nor the mobile, in the server's log.
    log = server.log.read_text(encoding="utf-8", errors="replace")
    for secret in (cookie["value"], other_cookie, MOBILE):
        assert secret not in log


def test_signing_out_clears_the_cookie_and_drops_the_state(server, new_context):
    context = new_context("phone")
    page = context.new_page()
    sign_in(page, "cashier")
    expect(page).to_have_url(re.compile(r"/cashier$"))
    cookie = session_cookie(context)["value"]
    client_token = page.evaluate(f"window.sessionStorage.getItem('{CLIENT_TOKEN_STORAGE_KEY}')")

    wait_hydrated(page, "#tab-more")
    page.click("#tab-more")
    page.get_by_role("menuitem", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login"))
    wait_hydrated(page, "#username")

    assert [c for c in context.cookies() if c["name"] == SESSION_COOKIE] == [], "the browser forgot the cookie"
    assert page.evaluate(f"window.sessionStorage.getItem('{CLIENT_TOKEN_STORAGE_KEY}')") != client_token
    seen = hydrated(server.url, client_token, cookie)
    assert "陈收银" not in seen, "the old cookie and token, replayed, find nothing"
