"""Photo uploads shared by the screens that take them (intake, a job line on the task list)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from lantong_pwa.db import session_scope
from lantong_pwa.errors import DomainError
from lantong_pwa.services.photos import MAX_UPLOAD_BYTES
from models import Photo, User


async def store_photos(state, files: list[rx.UploadFile], store: Callable[[Session, User | None, bytes], Photo],
                       errors: list[str]) -> list[Photo]:
    """Store each uploaded file with ``store(db, actor, data)``, each in its own transaction; a bad file adds
    "name：message" to ``errors`` and the rest are still stored. Returns the stored photos."""
    stored = []
    for upload in files:
        name = upload.filename or "照片"
        if upload.size and upload.size > MAX_UPLOAD_BYTES:
            errors.append(f"{name}：照片不能超过15MB")
            continue
        data = await upload.read()
        with session_scope() as db:
            try:
                stored.append(store(db, state._actor(db), data))
            except DomainError as error:
                errors.append(f"{name}：{error.message}")
    return stored
