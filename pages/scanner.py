"""The in-app QR and barcode scanner as a Reflex component: ``scan_button(on_result)`` is a big 扫码 button that
opens a full-screen camera sheet and fires ``on_result`` with the decoded text.

The sheet itself is a small local React component (``scanner.jsx`` beside this file): the rear camera, the
browser's BarcodeDetector where it reads QR, Code 128 and EAN-13, else ZXing (zxing-wasm); a photo of the code when
there is no camera. What a scanned text means is the page's handler's business (and its service's), not the scanner's.
"""

from __future__ import annotations

import reflex as rx

from lantong_pwa.reflex_internals import passthrough_event_spec


class Scanner(rx.Component):
    """``<Scanner onResult>`` from scanner.jsx; its child opens the sheet."""

    library = rx.asset("scanner.jsx", shared=True).importable_path
    tag = "Scanner"
    # Loaded by scanner.jsx only when a sheet opens (a dynamic import); the build bundles it and its .wasm file.
    lib_dependencies: list[str] = ["zxing-wasm@3.1.6"]

    on_result: rx.EventHandler[passthrough_event_spec(str)]


def scan_button(on_result, label: str = "扫码") -> rx.Component:
    """A thumb-sized scan button, the screen's main action; ``on_result`` (an event handler or a lambda of the text)
    gets what was read. On a phone it stands at the right of a bar of its own just above the tab bar, and the page
    ends above that bar (app.css ``.thumb-bar``), so it never lies over a control."""
    return rx.box(
        Scanner.create(
            rx.button(rx.icon("scan-line", size=22), label, type="button", size="4", id="scan-button",
                      class_name="thumb-action"),
            on_result=on_result,
        ),
        class_name="thumb-bar",
    )
