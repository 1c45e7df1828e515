"""Pages paint from their HTML: module preloads wait for the first paint, every route with a parameter is
prerendered once, and the server answers each address of such a route with that page."""

from __future__ import annotations

import json
import subprocess

import pytest

from lantong_pwa import static_pages
from lantong_pwa.first_paint import defer_module_preloads, prerender_dynamic_routes

PAGE = ('<!DOCTYPE html><html><head><link rel="modulepreload" href="/assets/entry-A.js"/><title>登录</title>'
        '<link rel="modulepreload" href="/assets/root-B.js"/></head><body><h1>蓝通维修</h1>'
        '<script type="module">import "/assets/root-B.js";</script></body></html>')


def test_module_preloads_move_from_the_head_to_a_script_after_the_body():
    deferred = defer_module_preloads(PAGE)

    head, body = deferred.split("<body>")
    assert "modulepreload" not in head
    assert "<title>登录</title>" in head
    assert body.startswith("<h1>蓝通维修</h1>")
    script = body.rsplit("<script>", 1)[1]
    assert script.endswith("</script></body></html>")
    assert script.startswith("requestAnimationFrame(")
    assert '["/assets/entry-A.js", "/assets/root-B.js"]' in script  # every link, in the page's order


def test_a_page_without_module_preloads_is_left_alone():
    page = "<html><head></head><body><p>离线</p></body></html>"
    assert defer_module_preloads(page) == page


REFLEX_CONFIG = 'export default {"basename": "/", "ssr": false, "prerender": true, "build": "build"};'


def _evaluate(config_js: str) -> dict:
    """The config as React Router sees it, its prerender paths asked for with two static pages."""
    script = (f"const config = (await import('data:text/javascript,' + encodeURIComponent({json.dumps(config_js)})))"
              ".default;\nconst paths = typeof config.prerender === 'function'"
              " ? await config.prerender({getStaticPaths: () => ['/', '/login']}) : config.prerender;\n"
              "console.log(JSON.stringify({...config, prerender: paths}));")
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60,
                          check=True)
    return json.loads(done.stdout)


def test_routes_with_a_parameter_are_prerendered_at_their_stand_in_address():
    config_js = prerender_dynamic_routes(REFLEX_CONFIG, ["login", "v/[token]", "settlements/[settlement_no]/print",
                                                         "/f/[token]"])

    config = _evaluate(config_js)
    assert config["prerender"] == ["/", "/login", "/f/_", "/settlements/_/print", "/v/_"]
    assert config["basename"] == "/" and config["ssr"] is False and config["build"] == "build"


def test_a_build_that_prerenders_nothing_keeps_its_config():
    development = 'export default {"basename": "/", "ssr": false};'
    assert prerender_dynamic_routes(development, ["v/[token]"]) == development


@pytest.fixture
def web_dir(tmp_path, monkeypatch):
    """A built frontend holding the login page and the vehicle card's prerendered page."""
    for page in ("login", "v/_", "v/_/label"):
        (tmp_path / "build" / "client" / page).mkdir(parents=True)
        (tmp_path / "build" / "client" / page / "index.html").write_text("<html></html>")
    (tmp_path / "routes.json").write_text(json.dumps(["index", "login", "v/[token]", "v/[token]/label",
                                                      "customers/[customer_id]", "404"]))
    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path))  # Reflex's web directory, where it reads routes.json
    static_pages._build_dir.cache_clear()
    static_pages._route_of.cache_clear()
    yield tmp_path
    static_pages._build_dir.cache_clear()
    static_pages._route_of.cache_clear()


def test_each_address_of_a_route_with_a_parameter_gets_its_prerendered_page(web_dir):
    assert static_pages.page_path("/v/NGNPFEHH717AxUm6rodOn2uhX0") == "/v/_/"
    assert static_pages.page_path("/v/NGNPFEHH717AxUm6rodOn2uhX0/") == "/v/_/"
    assert static_pages.page_path("/v/NGNPFEHH717AxUm6rodOn2uhX0/label") == "/v/_/label/"
    assert static_pages.page_path("/v/_") == "/v/_/"


def test_static_pages_lose_their_redirect_and_other_paths_are_left_alone(web_dir):
    assert static_pages.page_path("/login") == "/login/"
    assert static_pages.page_path("/login/") is None
    assert static_pages.page_path("/") is None
    assert static_pages.page_path("/assets/root-B.js") is None
    assert static_pages.page_path("/api/vehicles/abc/qr.png") is None
    assert static_pages.page_path("/v/abc/unknown") is None
    assert static_pages.page_path("/../etc/passwd") is None
    # A route whose prerendered page the build did not write falls back to the single-page shell.
    assert static_pages.page_path("/customers/12") is None
