"""The parts catalogue (code, name, unit, price) that intake picks parts lines from."""

from __future__ import annotations

from sqlmodel import Session, select

from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.services.platform.validation import contains, search_text
from models import Part, User


def search_parts(session: Session, actor: User, query: str, limit: int = 20) -> list[Part]:
    """Catalogue parts of the actor's branch whose code or name contains the text."""
    require(actor, Permission.VIEW_PARTS)
    return catalogue_matches(session, actor.branch_id, query, limit)


def catalogue_matches(session: Session, branch_id: int, query: str, limit: int = 20) -> list[Part]:
    """The search itself, for services that check their own permission first."""
    text = search_text(query, field="part_query")
    if not text:
        return []
    return list(session.exec(
        select(Part).where(
            Part.branch_id == branch_id,
            Part.is_active,
            contains(Part.code, text.upper()) | contains(Part.name, text),
        ).order_by(Part.code).limit(limit)
    ).all())
