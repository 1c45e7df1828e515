"""Form drafts the browser keeps (pages/drafts.py saves them to localStorage while the person types).

A draft comes back to the State as ``{"key", "generation", "fields", "snapshot"}``: the storage key it was saved
under, the request key of the submit it belongs to, the form's named fields, and what the State had added (lines).
It is the browser's word, so it is checked here like any other input: it must be the draft of the form on the
screen (same storage key: same person, same vehicle or line), and only strings of known fields are taken.
"""

from __future__ import annotations

import json
import uuid

import reflex as rx

MAX_FIELD_LENGTH = 2000  # longer than any field of the forms (a complaint: 1000)


def draft_key(user_id: int, scope: str) -> str:
    """The localStorage key of one person's draft of one form, e.g. ``lantong-draft:3:order:17``."""
    return f"lantong-draft:{user_id}:{scope}"


def draft_fields(draft: object, expected_key: str, names: tuple[str, ...]) -> dict[str, str] | None:
    """The named fields of ``draft`` (missing ones empty), or ``None`` when it is not the draft of this form."""
    if not isinstance(draft, dict) or draft.get("key") != expected_key:
        return None
    fields = draft.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    return {name: value[:MAX_FIELD_LENGTH] if isinstance(value := fields.get(name), str) else "" for name in names}


def draft_list(draft: dict, name: str) -> list[dict]:
    """The ``snapshot`` list ``name`` of a draft, keeping only its objects."""
    snapshot = draft.get("snapshot")
    items = snapshot.get(name) if isinstance(snapshot, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def draft_request_key(draft: dict, current: str) -> str:
    """The draft's request key when it is one this app makes (a UUID), so a resubmit finds the first record."""
    generation = draft.get("generation")
    try:
        return str(uuid.UUID(generation)) if isinstance(generation, str) else current
    except ValueError:
        return current


def forget_draft(key: str):
    """Drop a draft from the browser: its form was submitted (the server has the record) or the person discarded it.

    Not ``rx.remove_local_storage``: that one hydrates the page again afterwards, which runs its load handler."""
    return rx.call_script(f"window.localStorage.removeItem({json.dumps(key)})")


def forget_drafts_of(user_id: int):
    """Drop every draft one person left in this browser: at sign-out, so a shared tablet keeps no customer's details
    after its user has gone (nobody else could restore them: drafts are keyed to the person)."""
    prefix = json.dumps(draft_key(user_id, ""))
    return rx.call_script(
        f"Object.keys(window.localStorage).filter((key) => key.startsWith({prefix}))"
        ".forEach((key) => window.localStorage.removeItem(key))")
