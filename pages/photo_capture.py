"""The photo control: the rear camera or the gallery, each shot shrunk on the device and uploaded with progress.

The browser side is ``photo_capture.jsx`` beside this file. Each photo goes alone to ``upload_url`` (a route in
``lantong_pwa/api.py``, which finds the user from the session cookie and checks the role) with a key made on the
device, so 重试 after a dropped connection never stores it twice. ``on_uploaded`` receives the stored photo's id.
"""

from __future__ import annotations

import reflex as rx

from lantong_pwa.reflex_internals import passthrough_event_spec


class PhotoCapture(rx.Component):
    library = rx.asset("photo_capture.jsx", shared=True).importable_path
    tag = "PhotoCapture"

    # Where each photo is POSTed, e.g. ``/api/orders/<id>/photos``.
    upload_url: rx.Var[str]
    # A line under the buttons saying what to photograph.
    prompt: rx.Var[str]

    on_uploaded: rx.EventHandler[passthrough_event_spec(int)]


photo_capture = PhotoCapture.create
