"""Prerendered pages answer at their own address.

The production build writes each page as ``<route>/index.html``, and the static file server answers ``/login``
with a redirect to ``/login/``: one more round trip (about 0.6 s on a slow phone network) before anything shows on
every first load. This ASGI wrapper serves ``<route>/index.html`` for ``/<route>`` directly instead.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reflex.utils.prerequisites import get_web_dir
from reflex_base import constants
from starlette.types import ASGIApp, Receive, Scope, Send


@cache
def _build_dir() -> Path:
    return (get_web_dir() / constants.Dirs.STATIC).resolve()


def _is_prerendered_page(path: str) -> bool:
    name = path.strip("/")
    if not name or ".." in name.split("/"):
        return False
    return (_build_dir() / name / "index.html").is_file()


def serve_pages_in_place(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and path and not path.endswith("/")
                and _is_prerendered_page(path)):
            scope = {**scope, "path": path + "/", "raw_path": (path + "/").encode()}
        await app(scope, receive, send)

    return wrapped
