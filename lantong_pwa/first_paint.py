"""Pages paint from their HTML before their scripts arrive: ``FirstPaintPlugin`` in ``rxconfig.py``.

React Router writes a ``<link rel="modulepreload">`` into each prerendered page's head for every script the page
needs (about twenty). Chromium holds the first paint of the page until those requests are under way and answered,
so a prerendered page, which needs no script to be seen, showed only once the scripts were in: on Lighthouse's slow
phone network the login page painted at 2.6 s instead of 1.1 s. After the production build this plugin takes the
links out of every page and adds them back from a short script at the end of the body one frame after the first
paint, so the scripts still download side by side instead of one import at a time.

It also has React Router prerender every route with a parameter once, at ``static_pages.prerendered_path``, which
``static_pages`` serves for every address of that route.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import reflex as rx

from lantong_pwa import reflex_internals
from lantong_pwa.static_pages import is_dynamic, prerendered_path

MODULE_PRELOAD = re.compile(r'<link rel="modulepreload" href="(?P<href>[^"]+)"/>')
ADD_PRELOADS_AFTER_PAINT = (
    "<script>requestAnimationFrame(function(){setTimeout(function(){%s.forEach(function(href){"
    "var link=document.createElement('link');link.rel='modulepreload';link.href=href;"
    "document.head.appendChild(link)})})})</script>"
)


def defer_module_preloads(html: str) -> str:
    """``html`` with its module preload links replaced by a script at the end of the body that adds them after
    the first paint; unchanged when it has none."""
    hrefs = [match["href"] for match in MODULE_PRELOAD.finditer(html)]
    if not hrefs:
        return html
    without_links = MODULE_PRELOAD.sub("", html)
    head, body_end, tail = without_links.rpartition("</body>")
    if not body_end:
        raise ValueError("a prerendered page without </body>")
    return head + ADD_PRELOADS_AFTER_PAINT % json.dumps(hrefs) + body_end + tail


def prerender_dynamic_routes(config_js: str, routes: list[str]) -> str:
    """React Router's config (``export default {…};``, as Reflex writes it) with each of ``routes`` that has a
    parameter prerendered at its stand-in address besides the static pages; unchanged when it prerenders nothing."""
    config = reflex_internals.read_react_router_config(config_js)
    if config.get("prerender") is not True:
        return config_js
    stand_ins = sorted(prerendered_path(route) for route in routes if is_dynamic(route))
    config.pop("prerender")
    return (f"const config = {json.dumps(config)};\n"
            f"export default {{...config, prerender: ({{getStaticPaths}}) => "
            f"[...getStaticPaths(), ...{json.dumps(stand_ins)}]}};\n")


@dataclasses.dataclass
class FirstPaintPlugin(rx.plugins.Plugin):
    def pre_compile(self, **context: Any) -> None:
        routes = reflex_internals.page_routes(context)
        reflex_internals.modify_generated_file(context, reflex_internals.REACT_ROUTER_CONFIG_FILE,
                                               lambda config_js: prerender_dynamic_routes(config_js, routes))

    def post_build(self, **context: Any) -> None:
        for page in reflex_internals.built_site_dir(context).rglob("*.html"):
            html = page.read_text(encoding="utf-8")
            deferred = defer_module_preloads(html)
            if deferred != html:
                page.write_text(deferred, encoding="utf-8")
