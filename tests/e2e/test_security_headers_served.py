"""The production build's answers carry the security headers: every page (with a policy that allows exactly its own
inline scripts), every API route and Reflex's own, directly and through the nginx of ``deploy/`` (which serves the
pages from disk); CORS and the websocket only for the app's own origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import socketio

from lantong_pwa import prod_server
from lantong_pwa.reflex_internals import EVENT_NAMESPACE, EVENT_SOCKET_PATH, built_site_in
from lantong_pwa.security_headers import inline_script_hashes
from tests.e2e.conftest import run_async

pytestmark = pytest.mark.e2e

FOREIGN = "http://attacker.example"
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
API_ROUTES = [("GET", "/api/health"), ("GET", "/api/photos/1"), ("GET", "/api/photos/1/thumb"),
              ("POST", "/api/orders/1/photos"), ("POST", "/api/job-lines/1/photos"),
              ("GET", "/api/vehicles/nope/qr.png"), ("GET", "/api/reports/orders.xlsx"),
              ("GET", "/api/reports/technicians.xlsx"), ("GET", "/api/reports/churn.xlsx"),
              ("GET", "/api/imports/parts/template.xlsx"), ("POST", "/api/imports"),
              ("GET", "/ping"), ("GET", "/_health"), ("POST", "/_upload"), ("GET", "/no/such/page"),
              ("GET", "/sw.js"), ("GET", "/manifest.json")]


def site_dir() -> Path:
    return built_site_in(prod_server.REPO / ".web")


def page_paths() -> list[str]:
    """An address of every built page: a route with a parameter at a value of its own (not the stand-in ``_``)."""
    pages = sorted(path.parent.relative_to(site_dir()).as_posix() for path in site_dir().rglob("index.html"))
    return ["/" + "/".join("x1" if part == "_" else part for part in page.split("/")).removeprefix(".")
            for page in pages]


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split("; "))}


def assert_guarded(response: httpx.Response) -> dict[str, list[str]]:
    """The headers every answer has; returns its policy's directives."""
    headers = response.headers
    where = f"{response.request.method} {response.request.url}"
    assert headers.get_list("x-frame-options") == ["DENY"], where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "same-origin", where
    assert "camera=(self)" in headers.get("permissions-policy", ""), where
    assert len(headers.get_list("content-security-policy")) == 1, where
    policy = directives(headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"], where
    assert "'unsafe-inline'" not in policy["script-src"], where
    return policy


def assert_page_guarded(response: httpx.Response) -> str:
    assert response.status_code == 200, response.request.url
    assert response.headers["content-type"].startswith("text/html")
    policy = assert_guarded(response)
    inline = inline_script_hashes(response.text)
    assert inline, f"{response.request.url}: a built page has inline scripts"
    assert set(inline) <= set(policy["script-src"]), f"{response.request.url}: an inline script is not allowed"
    assert not INLINE_HANDLER.search(response.text), f"{response.request.url}: no hash allows an onclick=…"
    return response.headers["content-security-policy"]


def test_every_page_has_the_headers_and_a_policy_that_allows_its_own_inline_scripts(server):
    paths = page_paths()
    assert {"/", "/login", "/orders", "/v/x1", "/v/x1/label", "/settlements/x1/print", "/f/x1"} <= set(paths)
    with httpx.Client(base_url=server.url) as client:
        for path in [*paths, "/offline.html"]:
            assert_page_guarded(client.get(path))
        # A page the browser asks again answers 304 with the page's policy: its headers replace the cached page's.
        again = client.get("/login", headers={"If-None-Match": client.get("/login").headers["etag"]})
        assert again.status_code == 304
        assert again.headers["content-security-policy"] == client.get("/login").headers["content-security-policy"]


def test_every_route_has_the_headers_signed_in_or_not(server):
    with httpx.Client(base_url=server.url) as client:
        for method, path in API_ROUTES:
            assert_guarded(client.request(method, path, content=b"x" if method == "POST" else None))


def test_cors_answers_only_the_apps_own_origin(server):
    with httpx.Client(base_url=server.url) as client:
        foreign = client.get("/api/health", headers={"Origin": FOREIGN})
        assert "access-control-allow-origin" not in foreign.headers
        own = client.get("/api/health", headers={"Origin": server.url})
        assert own.headers["access-control-allow-origin"] == server.url

        preflight = client.options("/api/orders/1/photos", headers={
            "Origin": FOREIGN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-photo-key"})
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers


async def _connects(url: str, origin: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(f"{url}?token=origin-check-{origin[-8:]}", socketio_path=EVENT_SOCKET_PATH,
                             transports=["websocket"], namespaces=[EVENT_NAMESPACE], headers={"Origin": origin},
                             wait_timeout=15)
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


def _connects_from(url: str, origin: str) -> bool:
    return run_async(_connects(url, origin))


def test_the_websocket_refuses_pages_of_another_site(server):
    assert _connects_from(server.url, FOREIGN) is False
    assert _connects_from(server.url, server.url) is True


@pytest.fixture(scope="module")
def nginx_url(server, tmp_path_factory) -> Iterator[str]:
    """deploy/'s nginx locations in front of the test server, serving the same build from disk."""
    if not prod_server.NGINX.exists():
        pytest.fail("nginx is missing: `bash .ci/test` installs it")
    work_dir = tmp_path_factory.mktemp("nginx")
    port = prod_server.free_port()
    process = prod_server.start_nginx(work_dir, port=port, upstream_ports=[server.port], site_dir=site_dir())
    try:
        url = f"http://127.0.0.1:{port}"
        prod_server.wait_ready(process, url, work_dir / "nginx-error.log", paths=("/login", "/api/health"), timeout=30)
        yield url
    finally:
        prod_server.stop(process)


def test_nginx_serves_every_page_with_the_apps_headers_and_policy(server, nginx_url):
    with httpx.Client(base_url=nginx_url) as nginx, httpx.Client(base_url=server.url) as app:
        for path in page_paths():
            assert assert_page_guarded(nginx.get(path)) == app.get(path).headers["content-security-policy"], path
        for method, path in API_ROUTES:  # proxied: the app's headers, once
            assert_guarded(nginx.request(method, path, content=b"x" if method == "POST" else None))
        asset = next(path for path in (site_dir() / "assets").glob("*.js"))
        served = nginx.get(f"/assets/{asset.name}")
        assert_guarded(served)
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert nginx.get("/sw.js").headers["cache-control"] == "no-cache"
        assert_page_guarded(nginx.get("/offline.html"))  # what the service worker shows offline
        assert nginx.get("/login").headers["cache-control"] == "no-cache"
        assert_page_guarded(nginx.get("/login/"))  # a directory address: nginx serves its index.html
        assert "strict-transport-security" not in nginx.get("/login").headers  # plain HTTP: HTTPS only
