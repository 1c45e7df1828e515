"""Driving Reflex State handlers in-process: build the state tree, set the page and the cookie, read what came back.

Run pytest from the repository root: importing the app module (which registers the pages, and with them the
``token`` route argument of ``/v/[token]``) needs ``rxconfig.py`` in the current directory.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import reflex as rx
from PIL import Image
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import lantong_pwa.lantong_pwa  # noqa: F401 - registers the pages and the /v/[token] route argument
from lantong_pwa.reflex_internals import (EVENT_HANDLERS, event_arguments, event_name, is_toast_of_kind,
                                          router_data, substate)
from lantong_pwa.services.platform import auth
from lantong_pwa.settings import get_settings
from tests.conftest import PASSWORD

ORIGIN = "http://testserver"


def drive(result):
    """What an ``async`` handler returns once it has run (its work happens in a thread, as on the server); a plain
    handler's result as it is."""
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def make_state(cls: type[rx.State], *, token: str = "", path: str = "/", route: str | None = None,
               query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> rx.State:
    """A fresh state tree (as one browser tab has) and ``cls``'s instance in it, on page ``path`` with ``query``,
    its websocket connected with the session cookie of ``token`` (none for "") and the handshake's other
    ``headers`` (e.g. ``asgi-scope-client`` for the peer's address)."""
    state = substate(rx.State(), cls)
    set_page(state, path, route=route, query=query, headers=headers, token=token)
    return state


def set_page(state: rx.State, path: str, *, route: str | None = None, query: dict[str, str] | None = None,
             headers: dict[str, str] | None = None, token: str | None = None) -> None:
    """The tab moves to page ``path``; with ``token``, its websocket has (re)connected with that session cookie
    ("": none), else it keeps the cookie it had."""
    query = dict(query or {})
    # Route arguments (``token`` of /v/[token]) arrive in ``query`` but are not part of the address's query string.
    visible = {k: v for k, v in query.items() if route is None or f"[{k}]" not in route}
    as_path = path + (f"?{urlencode(visible)}" if visible else "")
    cookie = state.router.headers.cookie if token is None else (f"{auth.SESSION_COOKIE}={token}" if token else "")
    headers = {"origin": ORIGIN, **({"cookie": cookie} if cookie else {}), **(headers or {})}
    state.router = router_data(pathname=route or path, as_path=as_path, query=query, headers=headers)


def sign_in_tab(state: rx.State, token: str) -> None:
    """The tab's websocket reconnects with the session cookie of ``token`` ("": none), on the page it is on."""
    url = state.router.url
    set_page(state, url.path, query=dict(url.query_parameters), token=token)


def token_for(session: Session, user) -> str:
    """A real session token for ``user``, as the sign-in page would set in the cookie (committed: the handlers
    look it up in sessions of their own)."""
    token = auth.sign_in(session, user.username, PASSWORD)
    session.commit()
    return token


def as_list(result) -> list:
    if result is None:
        return []
    return list(result) if isinstance(result, list | tuple) else [result]


def redirect_target(spec) -> str | None:
    """The path of an ``rx.redirect`` event, or ``None`` if ``spec`` is some other event."""
    if event_name(spec) != EVENT_HANDLERS["redirect"]:
        return None
    return event_arguments(spec)["path"]


def redirects_in(result) -> list[str]:
    return [target for target in (redirect_target(spec) for spec in as_list(result)) if target is not None]


def forgotten_drafts(result) -> list[str]:
    """The localStorage keys the scripts in ``result`` remove (state/platform/drafts.py ``forget_draft``)."""
    scripts = [event_arguments(spec)["javascript_code"] for spec in as_list(result)
               if event_name(spec) == EVENT_HANDLERS["call_script"]]
    return [json.loads(match) for script in scripts
            for match in re.findall(r'localStorage\.removeItem\(("[^"]*")\)', script)]


def is_toast(spec, kind: str) -> bool:
    """``rx.toast.<kind>(...)``."""
    return is_toast_of_kind(spec, kind)


def toast_text(spec) -> str:
    """Text containing the message of an ``rx.toast.*`` event."""
    return repr(spec.args)  # the Python-side call keeps the message readable: ``_args=('…',)``


def jpeg_bytes(size=(64, 48), colour=(180, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def db_snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: two equal snapshots mean nothing in the database changed."""
    snapshot = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(sa_select(table).order_by(*table.primary_key.columns)).all()
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def changed_tables(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ, with their row counts before and after (for a readable failure)."""
    return {name: (len(before[name]), len(after[name])) for name in before if before[name] != after[name]}


def stored_photo_files() -> set[Path]:
    photo_dir = get_settings().photo_dir
    return set(photo_dir.rglob("*.jpg")) if photo_dir.exists() else set()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text or "")
