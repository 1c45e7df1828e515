"""The security headers: each page's policy allows exactly its own inline scripts, nginx adds the app's headers to
the files it serves (its lines are the ones ``security_headers`` renders), and only the public origin is allowed."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import warnings
from pathlib import Path

import pytest
from starlette.responses import Response

with warnings.catch_warnings():  # Starlette 1.x prefers ``httpx2``; the installed ``httpx`` works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from lantong_pwa import prod_server, security_headers
from lantong_pwa.security_headers import (allowed_origins, content_security_policy, inline_script_hashes,
                                          nginx_policy_map, page_policies)
from lantong_pwa.settings import get_settings

REPO = Path(__file__).parents[1]
PUBLIC = "https://shop.example.com"
PAGE = ('<!DOCTYPE html><html><head><script src="/assets/a.js"></script><script>window.x = 1;</script>'
        '<script type="module" async="">import "/assets/b.js";</script></head>'
        '<body><script>window.x = 1;</script><script type="module" src="/assets/c.js"></script></body></html>')


def sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split("; "))}


def test_each_inline_script_is_hashed_once_and_scripts_with_a_source_are_not():
    assert inline_script_hashes(PAGE) == [sha256("window.x = 1;"), sha256('import "/assets/b.js";')]


def test_the_policy_allows_this_site_and_the_hashed_scripts_only():
    policy = directives(content_security_policy(PUBLIC, [sha256("a")]))

    assert policy["script-src"] == ["'self'", "'unsafe-eval'", "'report-sample'", sha256("a")]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "wss://shop.example.com"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert directives(content_security_policy("http://127.0.0.1:3000"))["connect-src"][1] == "ws://127.0.0.1:3000"


def test_scripts_the_app_puts_in_every_head_are_allowed_on_every_page(tmp_path):
    code = "\nwindow.headScriptOfTheTest = 1;\n"
    security_headers.head_script(code)
    (tmp_path / "index.html").write_text(PAGE)

    assert sha256(code) in security_headers.head_script_hashes()
    assert sha256(code) in page_policies(tmp_path, PUBLIC)["index.html"]
    assert sha256(code) not in content_security_policy(PUBLIC)  # not in what is no page


def test_the_app_adds_the_headers_to_every_answer_and_each_pages_policy_by_its_address(tmp_path, monkeypatch):
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text(PAGE)
    (tmp_path / "index.html").write_text("<html><body><script>home()</script></body></html>")
    (tmp_path / "404.html").write_text("<html><body><script>nf()</script></body></html>")
    monkeypatch.setattr(security_headers, "_site", lambda: tmp_path)
    monkeypatch.setattr(security_headers.reflex_internals, "is_prod_mode", lambda: True)
    monkeypatch.setenv("LANTONG_PUBLIC_URL", PUBLIC)
    get_settings.cache_clear()

    async def site(scope, receive, send):
        path, revisit = scope["path"], any(name == b"if-none-match" for name, _ in scope["headers"])
        answer = (Response(status_code=304) if revisit else
                  Response("…", media_type="text/javascript" if path.endswith(".js") else "text/html"))
        await answer(scope, receive, send)

    try:
        client = TestClient(security_headers.add_security_headers(site))  # no lifespan: a bare ASGI app
        answers = {path: client.get(path, headers=headers) for path, headers in [
            ("/login/", {}), ("/", {}), ("/no/such/page", {}), ("/assets/a.js", {}),
            ("/login/?again", {"if-none-match": '"1"'})]}
    finally:
        get_settings.cache_clear()
    for path, answer in answers.items():
        assert answer.headers["x-frame-options"] == "DENY", path
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["referrer-policy"] == "same-origin", path
        assert answer.headers["permissions-policy"].startswith("camera=(self)"), path
    policies = page_policies(tmp_path, PUBLIC)
    assert answers["/login/"].headers["content-security-policy"] == policies["login/index.html"]
    assert answers["/login/?again"].status_code == 304
    assert answers["/login/?again"].headers["content-security-policy"] == policies["login/index.html"]
    assert answers["/"].headers["content-security-policy"] == policies["index.html"]
    assert answers["/no/such/page"].headers["content-security-policy"] == policies["404.html"]
    assert answers["/assets/a.js"].headers["content-security-policy"] == content_security_policy(PUBLIC)


def test_only_the_public_origin_is_allowed():
    assert allowed_origins("https://shop.example.com/") == ["https://shop.example.com"]
    assert allowed_origins("http://10.0.0.5:3000") == ["http://10.0.0.5:3000"]


def test_each_built_page_gets_its_own_policy_and_nginx_a_map_of_them(tmp_path):
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text(PAGE)
    (tmp_path / "404.html").write_text("<html><body><script>nf()</script></body></html>")

    policies = page_policies(tmp_path, PUBLIC)
    assert set(policies) == {"login/index.html", "404.html"}
    assert sha256("nf()") in policies["404.html"] and sha256("nf()") not in policies["login/index.html"]

    nginx_map = nginx_policy_map(tmp_path, PUBLIC)
    assert f'    /login/index.html "{policies["login/index.html"]}";' in nginx_map
    assert f'    /login//index.html "{policies["login/index.html"]}";' in nginx_map  # /login/
    assert f'    default "{content_security_policy(PUBLIC)}";' in nginx_map
    assert '    https "max-age=31536000";' in nginx_map


def test_nginx_adds_the_headers_security_headers_renders_to_the_files_it_serves():
    locations = (REPO / "deploy" / "nginx" / "lantong-locations.conf").read_text()
    lines = [line.strip() for line in locations.splitlines()]
    served_from_disk = lines[lines.index("location / {"):]
    for line in security_headers.NGINX_HEADER_LINES:
        assert served_from_disk.count(line) == 1, line
    assert sum("add_header" in line for line in lines if not line.startswith("#")) == \
        len(security_headers.NGINX_HEADER_LINES) + 1  # + Cache-Control: nowhere else, or inheritance is lost


@pytest.mark.skipif(not prod_server.NGINX.exists() or not prod_server.BROTLI_STATIC_MODULE.exists(),
                    reason="nginx is not installed")
def test_nginx_takes_the_configuration_with_the_map_the_build_writes(tmp_path):
    site = tmp_path / "build" / "client"
    (site / "login").mkdir(parents=True)
    (site / "login" / "index.html").write_text(PAGE)
    security_headers.nginx_policy_map_file(site).write_text(nginx_policy_map(site, PUBLIC))
    config = tmp_path / "nginx.conf"
    config.write_text(prod_server.nginx_config(tmp_path, port=prod_server.free_port(), upstream_ports=[1],
                                               site_dir=site))
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "nginx-temp" / name).mkdir(parents=True)

    checked = subprocess.run([str(prod_server.NGINX), "-t", "-q", "-p", str(tmp_path), "-c", str(config), "-e",
                              "stderr"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
