"""The session the server sets (lantong_pwa/web_session.py): the sign-in and sign-out routes and their cookie, and
the client token each websocket is bound to."""

from __future__ import annotations

import json
import warnings

import pytest
from sqlmodel import func, select

with warnings.catch_warnings():  # Starlette 1.x prefers ``httpx2``; the installed ``httpx`` works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import lantong_pwa.api
import models
from lantong_pwa import web_session
from lantong_pwa.services.platform import auth
from lantong_pwa.settings import get_settings
from models import Role, UserSession
from tests.conftest import PASSWORD

ORIGIN = "http://testserver"


@pytest.fixture
def client(app_engine):
    with TestClient(lantong_pwa.api.api) as test_client:
        yield test_client


@pytest.fixture
def https(monkeypatch):
    monkeypatch.setenv("LANTONG_PUBLIC_URL", "https://shop.example")
    get_settings.cache_clear()
    yield "https://shop.example"
    monkeypatch.delenv("LANTONG_PUBLIC_URL")
    get_settings.cache_clear()


def sign_in(client, username: str, password: str = PASSWORD, *, origin: str | None = ORIGIN, **extra):
    headers = {"origin": origin} if origin else {}
    return client.post(web_session.SESSION_PATH, json={"username": username, "password": password, **extra},
                       headers=headers)


def cookie_attributes(response) -> dict[str, str]:
    [set_cookie] = response.headers.get_list("set-cookie")
    name_value, *attributes = [part.strip() for part in set_cookie.split(";")]
    parsed = {key.lower(): value for key, _, value in (part.partition("=") for part in attributes)}
    parsed["_value"] = name_value.partition("=")[2]
    return parsed


def rows(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(UserSession)).one()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_signing_in_sets_an_http_only_strict_cookie(client, shop, session, role):
    user = shop.users[role.value]

    response = sign_in(client, user.username)

    assert response.status_code == 200 and response.json() == {"next": "/"}  # ``/`` sends each role home
    assert response.headers["cache-control"] == "private, no-store"
    cookie = cookie_attributes(response)
    assert "httponly" in cookie and cookie["samesite"] == "strict" and cookie["path"] == "/"
    assert "secure" not in cookie, "plain HTTP on a developer's machine: a Secure cookie would never come back"
    assert int(cookie["max-age"]) == 7 * 24 * 3600
    assert auth.user_for_token(session, cookie["_value"]).id == user.id
    assert rows(session) == 1


def test_under_https_the_cookie_is_secure(client, shop, https):
    response = sign_in(client, "advisor", origin=https)
    assert response.status_code == 200
    assert "secure" in cookie_attributes(response)


def test_a_request_over_https_gets_a_secure_cookie_too(app_engine, shop):
    with TestClient(lantong_pwa.api.api, base_url="https://testserver") as client:
        response = sign_in(client, "advisor", origin="https://testserver")
    assert "secure" in cookie_attributes(response)


def test_a_trusted_proxy_over_https_gets_a_secure_cookie(app_engine, shop, trusted_proxies):
    trusted_proxies("127.0.0.1")
    for peer, secure in (("127.0.0.1", True), ("203.0.113.9", False)):  # only the trusted proxy is believed
        with TestClient(lantong_pwa.api.api, client=(peer, 50000)) as client:
            response = client.post(web_session.SESSION_PATH, json={"username": "advisor", "password": PASSWORD},
                                   headers={"origin": ORIGIN, "x-forwarded-proto": "https"})
        assert ("secure" in cookie_attributes(response)) is secure, peer


def test_a_same_site_next_is_followed_and_any_other_ignored(client, shop):
    assert sign_in(client, "technician", next="/v/abc123?tab=photos").json() == {"next": "/v/abc123?tab=photos"}
    for target in ("//evil.com", "https://evil.com", "/\\evil.com", "evil.com/intake", "javascript:alert(1)"):
        assert sign_in(client, "technician", next=target).json() == {"next": "/"}


@pytest.mark.parametrize("username,password", [("advisor", "wrong-password"), ("nobody", PASSWORD), ("", "")])
def test_wrong_credentials_get_a_message_and_no_cookie(client, shop, session, username, password):
    response = sign_in(client, username, password)
    assert response.status_code == 400 and response.json() == {"error": auth.SIGN_IN_REFUSED}
    assert "set-cookie" not in response.headers
    assert rows(session) == 0


def test_a_disabled_account_gets_the_same_answer(client, shop, session):
    user = session.get(models.User, shop.cashier.id)
    user.is_active = False
    session.add(user)
    session.commit()
    response = sign_in(client, user.username)
    assert response.status_code == 400 and response.json() == {"error": auth.SIGN_IN_REFUSED}
    assert rows(session) == 0


def audit_rows(session, action: str) -> list[models.AuditEvent]:
    session.expire_all()
    return list(session.exec(select(models.AuditEvent).where(models.AuditEvent.action == action)
                             .order_by(models.AuditEvent.id)).all())


def from_address(app_engine, peer: str) -> TestClient:
    return TestClient(lantong_pwa.api.api, client=(peer, 50000))


def test_failures_from_one_address_never_keep_the_owner_out(app_engine, shop, session):
    """A refused sign-in rolls back, and it is still counted: from the attacker's address the account is throttled
    (the right password gets the same answer as a wrong one), from the owner's it signs in."""
    with from_address(app_engine, "203.0.113.9") as attacker:
        for _ in range(auth.ACCOUNT_FREE_FAILURES):
            sign_in(attacker, "admin", "wrong-password")
        assert sign_in(attacker, "admin").json() == {"error": auth.SIGN_IN_REFUSED}
    with from_address(app_engine, "198.51.100.1") as owner:
        assert sign_in(owner, "admin").status_code == 200
    reasons = [json.loads(row.detail)["reason"] for row in audit_rows(session, "sign_in.refused")]
    assert reasons == ["wrong_password"] * auth.ACCOUNT_FREE_FAILURES + ["throttled"]


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled_and_audited(app_engine, shop, session,
                                                                                trusted_proxies):
    trusted_proxies("127.0.0.1")
    with from_address(app_engine, "127.0.0.1") as proxy:
        def via(address: str, password: str):
            return proxy.post(web_session.SESSION_PATH, json={"username": "manager", "password": password},
                              headers={"origin": ORIGIN, "x-forwarded-for": address})

        for _ in range(auth.ACCOUNT_FREE_FAILURES):
            via("203.0.113.9", "wrong-password")
        assert via("203.0.113.9", PASSWORD).json() == {"error": auth.SIGN_IN_REFUSED}
        assert via("198.51.100.1", PASSWORD).status_code == 200
    assert json.loads(audit_rows(session, "sign_in")[0].detail) == {"address": "198.51.100.1"}
    assert {json.loads(row.detail)["address"] for row in audit_rows(session, "sign_in.refused")} == {"203.0.113.9"}


def test_another_sites_page_cannot_sign_in(client, shop, session):
    response = sign_in(client, "advisor", origin="https://evil.example")
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert rows(session) == 0
    assert sign_in(client, "advisor", origin=None).status_code == 200, "a client that is no browser names none"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"{" + b" " * 5000 + b"}"])
def test_a_malformed_sign_in_is_refused(client, shop, body):
    response = client.post(web_session.SESSION_PATH, content=body, headers={"origin": ORIGIN})
    assert response.status_code == 400 and response.json() == {"error": web_session.BAD_REQUEST}


def test_signing_out_ends_the_session_and_clears_the_cookie(client, shop, session):
    token = cookie_attributes(sign_in(client, "advisor"))["_value"]
    other = cookie_attributes(sign_in(client, "advisor"))["_value"]

    response = client.delete(web_session.SESSION_PATH, headers={"origin": ORIGIN,
                                                                 "cookie": f"{auth.SESSION_COOKIE}={token}"})

    assert response.status_code == 200
    cleared = cookie_attributes(response)
    assert cleared["_value"] in ("", '""') and cleared["max-age"] == "0" and "httponly" in cleared
    assert auth.user_for_token(session, token) is None
    assert auth.user_for_token(session, other) is not None, "only this browser is signed out"
    refused = client.delete(web_session.SESSION_PATH, headers={"origin": "https://evil.example",
                                                               "cookie": f"{auth.SESSION_COOKIE}={other}"})
    assert refused.status_code == 403 and auth.user_for_token(session, other) is not None


def test_the_token_is_read_from_the_cookie_header():
    assert web_session.token_in(f"a=1; {auth.SESSION_COOKIE}=tok-en_1; b=2") == "tok-en_1"
    assert web_session.token_in("a=1") is None
    assert web_session.token_in(f"{auth.SESSION_COOKIE}=") is None
    assert web_session.token_in(None) is None


def test_a_client_token_names_a_state_of_its_session_only(shop, session):
    first, second = auth.sign_in(session, "advisor", PASSWORD), auth.sign_in(session, "advisor", PASSWORD)
    with_first = web_session.bound_client_token("tab-1", {"cookie": f"{auth.SESSION_COOKIE}={first}"})

    assert with_first == f"tab-1.{auth.state_binding(first)}"
    assert first not in with_first
    assert web_session.bound_client_token("tab-1", {}) == "tab-1.anon"
    assert web_session.bound_client_token("tab-1", {"cookie": f"{auth.SESSION_COOKIE}={second}"}) != with_first
    # A client token made to look bound still names a state of its own.
    assert web_session.bound_client_token(with_first, {}) != with_first
