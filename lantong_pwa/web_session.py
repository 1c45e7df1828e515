"""The browser's session, from sign-in to sign-out, in one module.

- **The server sets it.** ``POST /api/session`` signs in (username and password as JSON, from the app's own pages
  only) and answers with ``Set-Cookie``: HttpOnly (no script can read it), SameSite=Strict (no other site's page
  sends it), Secure when the app is served over HTTPS (``LANTONG_PUBLIC_URL`` is https, or the request came in over
  it, directly or as a trusted proxy's ``X-Forwarded-Proto`` says). ``DELETE /api/session`` ends the session and clears the cookie. The login page posts with ``fetch`` and then
  loads its next page afresh, whose websocket handshake carries the new cookie.
- **The server reads it from the websocket's handshake.** Reflex hands every event the HTTP headers its websocket
  connected with, and the State finds the token there (``token_in``). It is never a state variable, so it never
  travels in a state update (Reflex leaves the Cookie header out of what it sends the browser), and it is never
  logged.
- **A browser tab's state is bound to its session.** The state is named by the client token the page keeps in
  sessionStorage and names when it connects. Before Reflex links the connection, that token becomes
  ``<client token>.<binding>``, the binding being a digest of the session the cookie names (``auth.state_binding``),
  or ``anon`` without one. The same client token with no cookie or another cookie names another state: a fresh,
  empty one. Ending a session (signing out, an admin ending someone's sessions, a session found expired) drops every
  state bound to it (``drop_states_of``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lantong_pwa import client_address
from lantong_pwa.db import unit_of_work
from lantong_pwa.errors import DomainError
from lantong_pwa.reflex_internals import (client_tokens_ending_with, drop_client_states,
                                          rename_client_token_on_connect, running_state_manager)
from lantong_pwa.request_body import BodyTooLarge, bounded_body
from lantong_pwa.services.platform import auth
from lantong_pwa.settings import get_settings

log = logging.getLogger("lantong.web_session")

SESSION_PATH = "/api/session"
SESSION_COOKIE = auth.SESSION_COOKIE
ANONYMOUS = "anon"  # the binding of a tab without a session cookie
MAX_SIGN_IN_BODY = 4096
PRIVATE = {"Cache-Control": "private, no-store"}
REFUSED_ORIGIN = "请从本站页面登录"
BAD_REQUEST = "登录请求格式不正确"

# Work beside an event (dropping states, noting a session's use), held until done (the event loop keeps only weak references to tasks).
_dropping: set[asyncio.Task] = set()
# When this process last noted each session (by binding) as used: ``auth.touch`` at most every ``TOUCH_EVERY``.
_noted: dict[str, float] = {}


# --- the cookie --------------------------------------------------------------------------------------------------


def token_in(cookie_header: str | None) -> str | None:
    """The session token in a ``Cookie`` header (the websocket handshake's, or a request's), or None."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return value
    return None


def _over_https(request: Request) -> bool:
    """Served over HTTPS: the public address is https, or this request came over it (to this process, or to a
    trusted proxy in front that says so in ``X-Forwarded-Proto``)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return (get_settings().public_url.startswith("https://") or request.url.scheme == "https"
            or (forwarded == "https" and client_address.from_trusted_proxy(request)))


def _set_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(get_settings().session_lifetime.total_seconds()),
                        path="/", secure=_over_https(request), httponly=True, samesite="strict")


def _clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_over_https(request), httponly=True, samesite="strict")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_origin(request: Request) -> bool:
    """A browser names the page's origin in every POST and DELETE it sends: it must be the app's own (the public
    address, or the address this request was sent to). A client without the header is not a browser, so no other
    site's page can be behind it."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {_origin_of(get_settings().public_url), f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    return origin.lower() in own


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may follow a sign-in (no ``//host`` or absolute URLs)."""
    if target and target.startswith("/") and not target.startswith("//") and not target.startswith("/\\"):
        return target
    return None


# --- the routes --------------------------------------------------------------------------------------------------


def _answer(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=PRIVATE)


def _sign_in(username: str, password: str, address: str) -> str:
    """The sign-in, in three units of work: the try is counted against the throttle first (committed, so a refused
    sign-in still counts), then the password is checked, then a refusal is written to the audit log (the refused
    sign-in's own unit rolled back). Returns the new session's token, or raises ``auth.SignInRefused``, whose
    message is the same for every refusal."""
    with unit_of_work() as db:
        attempt = auth.begin_sign_in(db, username, address)
    try:
        with unit_of_work() as db:
            return auth.sign_in(db, username, password, attempt=attempt)
    except auth.SignInRefused as refused:
        with unit_of_work() as db:
            auth.record_refused_sign_in(db, attempt, refused)
        raise


async def sign_in_route(request: Request) -> Response:
    """``POST /api/session`` with ``{"username", "password", "next"}``: ``{"next": <path>}`` and the cookie, or
    ``{"error": <message>}``."""
    if not _same_origin(request):
        return _answer({"error": REFUSED_ORIGIN}, 403)
    try:
        body = await bounded_body(request, MAX_SIGN_IN_BODY)
    except (BodyTooLarge, TimeoutError):
        return _answer({"error": BAD_REQUEST}, 400)
    try:
        form = json.loads(body)
        username, password, target = (str(form.get(key) or "") for key in ("username", "password", "next"))
    except (ValueError, AttributeError, TypeError):
        return _answer({"error": BAD_REQUEST}, 400)
    try:
        token = await run_in_threadpool(_sign_in, username, password, client_address.of_request(request))
    except DomainError as error:
        return _answer({"error": error.message}, 400)
    response = _answer({"next": safe_next(target) or "/"})
    _set_cookie(response, request, token)
    return response


def _sign_out(token: str) -> None:
    with unit_of_work() as db:
        auth.sign_out(db, token)


async def sign_out_route(request: Request) -> Response:
    """``DELETE /api/session``: the session ends (if it had not) and the browser forgets the cookie. The page's
    sign-out (``SessionState.sign_out``) has already dropped the tabs' states."""
    if not _same_origin(request):
        return _answer({"error": REFUSED_ORIGIN}, 403)
    token = token_in(request.headers.get("cookie"))
    if token:
        await run_in_threadpool(_sign_out, token)
    response = _answer({})
    _clear_cookie(response, request)
    return response


routes = [Route(SESSION_PATH, sign_in_route, methods=["POST"]),
          Route(SESSION_PATH, sign_out_route, methods=["DELETE"])]

# What the page runs to sign out once the server has ended the session and dropped its state: the browser forgets
# the cookie (only the server can clear an HttpOnly one), then the tab forgets its client token and loads the sign-in
# page afresh under a new one.
def sign_out_script(forget_client_token: str) -> str:
    return (f"fetch({json.dumps(SESSION_PATH)}, {{method: 'DELETE', credentials: 'same-origin'}})"
            f".catch(() => null).finally(() => {{ {forget_client_token} }});")


# What the login form runs instead of sending the password over the websocket: it posts the form to the route, and
# on success loads the next page afresh (its websocket then connects with the cookie). It resolves to the refusal's
# message, or "" when it signed in.
SIGN_IN_SCRIPT = """(async () => {
  const form = document.getElementById("login-form");
  const fields = Object.fromEntries(new FormData(form));
  const next = new URLSearchParams(window.location.search).get("next") || "";
  try {
    const response = await fetch(%s, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({...fields, next})});
    const answer = await response.json();
    if (response.ok) { window.location.replace(answer.next); return ""; }
    return answer.error || "登录失败，请重试";
  } catch (error) {
    return "网络连接失败，请重试";
  }
})()""" % json.dumps(SESSION_PATH)


# --- the state bound to the session --------------------------------------------------------------------------------


def binding_of(cookie_header: str | None) -> str:
    token = token_in(cookie_header)
    return auth.state_binding(token) if token else ANONYMOUS


def bound_client_token(client_token: str, headers: dict[str, str]) -> str:
    """The state a connection with ``client_token`` and these handshake headers reads and writes."""
    return f"{client_token}.{binding_of(headers.get('cookie'))}"


def bind_states_to_sessions() -> None:
    """From now on, each websocket's state is the one of its client token and its session (the app, at start)."""
    rename_client_token_on_connect(bound_client_token)


async def _drop_bound_to(manager, bindings: list[str]) -> None:
    for binding in bindings:
        for client_token in await client_tokens_ending_with(manager, f".{binding}"):
            await drop_client_states(manager, client_token)


def drop_states_of(bindings: list[str]) -> asyncio.Task | None:
    """Drop the state of every tab bound to the sessions ``bindings`` (``auth.sign_out``, ``auth.end_sessions_of``),
    in memory or in Redis, once the event being handled has let go of its own. Returns the task doing it (None
    outside a served app, or for no bindings)."""
    manager = running_state_manager()
    if manager is None or not bindings:
        return None
    return in_background(_drop_bound_to(manager, list(bindings)))


def _dropped(task: asyncio.Task) -> None:
    _dropping.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("a session's background work failed", exc_info=task.exception())


def in_background(work) -> asyncio.Task:
    """Run the coroutine ``work`` beside the event being handled (its failure is logged)."""
    task = asyncio.get_running_loop().create_task(work)
    _dropping.add(task)
    task.add_done_callback(_dropped)
    return task


def due_for_touch(token: str) -> bool:
    """Whether this process should note the session ``token`` as used now (``auth.touch``): not within
    ``auth.TOUCH_EVERY`` of its last note here."""
    now = time.monotonic()
    binding = auth.state_binding(token)
    if now - _noted.get(binding, float("-inf")) < auth.TOUCH_EVERY.total_seconds():
        return False
    if len(_noted) > 10_000:  # forget the sessions not seen for a while
        for stale in [key for key, at in _noted.items() if now - at > auth.TOUCH_EVERY.total_seconds()]:
            del _noted[stale]
    _noted[binding] = now
    return True
