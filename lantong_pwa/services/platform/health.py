"""The health check: is the database reachable, and is its schema at the newest migration?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from lantong_pwa.migrations import current_revision, head_revision


def health(engine: Engine) -> dict:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(engine)
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"; report, don't raise
        return {"status": "error", "database": "unreachable", "error": type(error).__name__}
    head = head_revision()
    at_head = revision == head
    return {
        "status": "ok" if at_head else "error",
        "database": "ok",
        "schema_revision": revision,
        "schema_head": head,
        "schema_at_head": at_head,
    }
