"""Prerendered pages answer at their own address, and pages with a parameter get a prerendered shell too.

The production build writes each page as ``<route>/index.html``, and the static file server answers ``/login``
with a redirect to ``/login/``: one more round trip (about 0.6 s on a slow phone network) before anything shows on
every first load. This ASGI wrapper serves ``<route>/index.html`` for ``/<route>`` directly instead.

A page with a parameter in its address (``/v/<token>``, ``/f/<token>``, ``/cashier/<order_no>``…) has no file of
its own: the server would answer with the empty single-page shell, which shows nothing until the scripts have
loaded, found the route, loaded the page's own scripts and rendered it. The build prerenders each such route once
with a stand-in value (``prerendered_path``, asked for by ``lantong_pwa.first_paint``), and this wrapper serves
that page for every address of the route: the screen's frame paints from the HTML, and its scripts are named in
it from the start. What the page shows for the real value comes from the state, as on any page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from lantong_pwa import reflex_internals

PARAMETER = re.compile(r"\[[^\]/]+\]")
STAND_IN = "_"  # the value each parameter takes in the prerendered page


def is_dynamic(route: str) -> bool:
    return bool(PARAMETER.search(route))


def prerendered_path(route: str) -> str:
    """The address at which the build prerenders ``route`` (e.g. ``v/[token]`` → ``/v/_``)."""
    return "/" + PARAMETER.sub(STAND_IN, route.strip("/"))


@cache
def _build_dir() -> Path:
    return reflex_internals.site_dir()


@cache
def _route_of() -> Callable[[str], str | None]:
    return reflex_internals.route_matcher()


def _prerendered_file(name: str) -> bool:
    return bool(name) and ".." not in name.split("/") and (_build_dir() / name / "index.html").is_file()


def page_path(path: str) -> str | None:
    """The path of the prerendered page to serve for the request path ``path``, or None to leave it as it is."""
    name = path.strip("/")
    if not name:
        return None
    if _prerendered_file(name):
        return None if path.endswith("/") else path + "/"
    route = _route_of()(name)
    if route and is_dynamic(route) and _prerendered_file(shell := prerendered_path(route).strip("/")):
        return f"/{shell}/"
    return None


def serve_pages_in_place(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and (path := scope.get("path")):
            served = page_path(path)
            if served:
                scope = {**scope, "path": served, "raw_path": served.encode()}
        await app(scope, receive, send)

    return wrapped
