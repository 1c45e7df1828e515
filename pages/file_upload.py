"""The spreadsheet upload control: a file button that sends the chosen file to ``upload_url`` (a route in
``lantong_pwa/api.py`` that checks the role and caps the size) with a progress bar; ``on_uploaded`` receives the
token the route answered with. The browser side is ``file_upload.jsx`` beside this file."""

from __future__ import annotations

import reflex as rx

from lantong_pwa.reflex_internals import passthrough_event_spec


class FileUpload(rx.Component):
    library = rx.asset("file_upload.jsx", shared=True).importable_path
    tag = "FileUpload"

    upload_url: rx.Var[str]
    accept: rx.Var[str]
    label: rx.Var[str]

    on_uploaded: rx.EventHandler[passthrough_event_spec(str)]


file_upload = FileUpload.create
