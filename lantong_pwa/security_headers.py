"""The security headers of every page and route, in one place: the app adds them to whatever it answers, and the
build writes the part nginx needs to add the same ones to the files it serves itself (``deploy/nginx``).

- ``Content-Security-Policy``: scripts only from this site, plus the inline scripts of the built pages by their
  sha256 hash (each page gets the hashes of its own, ``page_policies``, and those of the scripts the app puts in
  every page's head, ``head_script``). No inline script
  anyone could add is run, and nothing is loaded from, sent to or framed by another site.
- ``X-Frame-Options: DENY`` besides ``frame-ancestors 'none'``, for browsers that ignore the latter; the label and
  sheet print in their own tab (``window.print()``), so no page needs to be framed.
- ``X-Content-Type-Options``, ``Referrer-Policy`` and ``Permissions-Policy`` (the camera for this site only: the
  scanner and the photo control).

CORS and the websocket's ``Origin`` are set in ``rxconfig.py`` (``cors_allowed_origins``: only ``LANTONG_PUBLIC_URL``).

nginx (``deploy/nginx/lantong-locations.conf``) adds ``NGINX_HEADER_LINES`` to the files it serves from disk; the
page's policy comes from ``$lantong_csp``, a map by file the build writes next to the site
(``nginx_policy_map``, ``<web dir>/build/lantong-csp.conf``). What nginx hands to the app comes back with the app's
own headers.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import reflex as rx
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lantong_pwa import reflex_internals
from lantong_pwa.settings import get_settings

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
}
NGINX_MAP_FILE = "lantong-csp.conf"  # in the build directory, beside the site (``<web dir>/build/client``)
NGINX_CSP_VARIABLE = "$lantong_csp"
NGINX_HSTS_VARIABLE = "$lantong_hsts"  # HSTS over HTTPS only (nginx terminates TLS; the app never sees it)
HSTS = "max-age=31536000"
# What nginx adds to the files it serves (``deploy/nginx/lantong-locations.conf`` has these lines; a test checks).
NGINX_HEADER_LINES = [f"add_header Content-Security-Policy {NGINX_CSP_VARIABLE} always;",
                      *(f'add_header {name} "{value}" always;' for name, value in HEADERS.items()),
                      f"add_header Strict-Transport-Security {NGINX_HSTS_VARIABLE} always;"]

INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
PAGE_FILE = "index.html"
NOT_FOUND_FILE = "404.html"  # what the built site answers for an address it has no page for


def script_hash(code: str) -> str:
    """The CSP source that allows the inline script ``code`` (``'sha256-…'``)."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(code.encode('utf-8')).digest()).decode()}'"


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source of each inline script in ``html``, in order, each once."""
    hashes = []
    for script in INLINE_SCRIPT.finditer(html):
        if re.search(r"\bsrc\s*=", script["attributes"]) or not script["body"]:
            continue
        if (source := script_hash(script["body"])) not in hashes:
            hashes.append(source)
    return hashes


_HEAD_SCRIPTS: list[str] = []


def head_script(code: str) -> rx.Component:
    """``rx.script(code)`` for ``rx.App(head_components=...)``. Reflex has react-helmet add such a script when the
    page runs: it is not in the built HTML, so its hash goes into every page's policy (``head_script_hashes``)."""
    if code not in _HEAD_SCRIPTS:
        _HEAD_SCRIPTS.append(code)
    return rx.script(code)


def head_script_hashes() -> list[str]:
    """The hashes of every ``head_script`` the app has made (it is imported before anything asks: the build
    compiles it, a server process serves it)."""
    return [script_hash(code) for code in _HEAD_SCRIPTS]


def allowed_origins(public_url: str) -> list[str]:
    """The one origin pages are served from (``LANTONG_PUBLIC_URL``'s scheme, host and port)."""
    address = urlsplit(public_url)
    return [f"{address.scheme}://{address.netloc}"]


def _websocket_origin(public_url: str) -> str:
    address = urlsplit(public_url)
    return f"{'wss' if address.scheme == 'https' else 'ws'}://{address.netloc}"


def content_security_policy(public_url: str, script_hashes: list[str] = ()) -> str:
    """The policy of a page whose inline scripts have ``script_hashes`` (none: any other response)."""
    directives = {
        "default-src": ["'self'"],
        # 'unsafe-eval': Reflex runs what the server sends with eval (state.js: rx.call_script, and the toasts,
        # print buttons and redirects of our handlers come that way), and zxing-wasm compiles WebAssembly. Without
        # it no toast shows. Injected markup still runs nothing: no 'unsafe-inline', only the hashed scripts.
        "script-src": ["'self'", "'unsafe-eval'", "'report-sample'", *script_hashes],
        # 'unsafe-inline' for styles only: Radix Themes and emotion write <style> elements and style attributes at
        # run time with no nonce to give them. A style cannot run script or send the session anywhere.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # photos before upload and the photo control's previews are blobs
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        # The websocket (/_event) is on this site: 'self' covers ws:/wss: in current browsers, named for the rest.
        "connect-src": ["'self'", _websocket_origin(public_url)],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def page_policies(site_dir: Path, public_url: str) -> dict[str, str]:
    """Each built HTML file's policy by its path in the site (``login/index.html``, ``404.html``)."""
    return {page.relative_to(site_dir).as_posix(): content_security_policy(
        public_url, inline_script_hashes(page.read_text(encoding="utf-8")) + head_script_hashes())
        for page in sorted(site_dir.rglob("*.html"))}


def nginx_policy_map(site_dir: Path, public_url: str) -> str:
    """nginx's ``$lantong_csp`` (http context): each page's policy by the file nginx serves for it, and the policy
    without script hashes for every other file; and ``$lantong_hsts``, HSTS under HTTPS only."""
    lines = [f"# Written by the production build (lantong_pwa/security_headers.py) for {site_dir.resolve()}: do not edit.",
             f"map $uri {NGINX_CSP_VARIABLE} {{",
             f'    default "{content_security_policy(public_url)}";']
    for path, policy in page_policies(site_dir, public_url).items():
        lines.append(f'    /{path} "{policy}";')
        if path == PAGE_FILE or path.endswith(f"/{PAGE_FILE}"):
            # A directory's address (/, /login/): try_files' $uri/index.html makes $uri //index.html, /login//index.html.
            lines.append(f'    /{path.removesuffix(PAGE_FILE)}/{PAGE_FILE} "{policy}";')
    lines += ["}", f"map $scheme {NGINX_HSTS_VARIABLE} {{", f'    https "{HSTS}";', '    default "";', "}"]
    return "\n".join([*lines, ""])


def nginx_policy_map_file(site_dir: Path) -> Path:
    return site_dir.parent / NGINX_MAP_FILE


# --- the app's own answers -----------------------------------------------------------------------------------------


@cache
def _site() -> Path:
    return reflex_internals.site_dir()


@lru_cache(maxsize=1)
def _policies_of(site: Path, built: int | None, public_url: str) -> tuple[dict[str, str], str]:
    return (page_policies(site, public_url) if built is not None else {}), content_security_policy(public_url)


def _policies() -> tuple[dict[str, str], str]:
    """The built pages' policies and the policy of everything else, read again only when the site is built anew (or
    first built: a request may come before the build is there)."""
    try:
        built = (_site() / PAGE_FILE).stat().st_mtime_ns
    except OSError:
        built = None
    return _policies_of(_site(), built, get_settings().public_url)


def policy_for(path: str, content_type: str) -> str:
    """The policy of an answer to ``path`` (as the site's file server sees it: ``/login/``, ``/v/_/``). A page's
    goes by its address, not by the answer's type: a 304 has none, and its headers replace the cached page's."""
    pages, other = _policies()
    name = path.strip("/")
    for candidate in (name, f"{name}/{PAGE_FILE}".lstrip("/")):
        if candidate in pages:
            return pages[candidate]
    return pages.get(NOT_FOUND_FILE, other) if content_type.startswith("text/html") else other


def add_security_headers(app: ASGIApp) -> ASGIApp:
    """An ``api_transformer``: every HTTP answer gets ``HEADERS``, and in the production build its policy. It goes
    inside ``serve_pages_in_place`` so it sees the page's own address. The development server (Vite, with inline
    scripts of its own) gets no policy."""
    with_policy = reflex_internals.is_prod_mode()

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if with_policy:
                    headers["Content-Security-Policy"] = policy_for(scope["path"], headers.get("content-type", ""))
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


@dataclasses.dataclass
class NginxPolicyPlugin(rx.plugins.Plugin):
    """After the production build: the pages' policies for nginx (``nginx_policy_map``), beside the site."""

    def post_build(self, **context: Any) -> None:
        site = reflex_internals.built_site_dir(context)
        nginx_policy_map_file(site).write_text(nginx_policy_map(site, get_settings().public_url), encoding="utf-8")
