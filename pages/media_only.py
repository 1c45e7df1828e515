"""``media_only(query, child)``: the child is rendered only while the CSS media query matches (``media_only.jsx``
beside this file). For the parts of the shell that one screen size never shows: hiding them with ``display: none``
still costs rendering them on every page load."""

from __future__ import annotations

import reflex as rx


class MediaOnly(rx.Component):
    library = rx.asset("media_only.jsx", shared=True).importable_path
    tag = "MediaOnly"

    # A CSS media query, e.g. "(min-width: 48em)".
    query: rx.Var[str]


def media_only(query: str, child: rx.Component) -> rx.Component:
    return MediaOnly.create(child, query=query)
