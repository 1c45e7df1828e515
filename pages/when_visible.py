"""``when_visible(child, min_height=…)``: the child is mounted only when it scrolls into view (an empty box of that
height until then). For heavy parts below the fold, so a page's first load does not render them; the browser side is
``when_visible.jsx`` beside this file (react-intersection-observer's ``useInView``)."""

from __future__ import annotations

import reflex as rx


class WhenVisible(rx.Component):
    library = rx.asset("when_visible.jsx", shared=True).importable_path
    tag = "WhenVisible"
    lib_dependencies: list[str] = ["react-intersection-observer@11.0.1"]

    # The height kept free until the child mounts, e.g. "240px" (the child's own height: nothing moves).
    min_height: rx.Var[str]


when_visible = WhenVisible.create
