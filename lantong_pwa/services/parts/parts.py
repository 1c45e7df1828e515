"""The parts catalogue (code, name, unit, price) that intake picks parts lines from."""

from __future__ import annotations

from sqlmodel import Session, col, select

from lantong_pwa.services.platform.permissions import Permission, require
from models import Part, User


def search_parts(session: Session, actor: User, query: str, limit: int = 20) -> list[Part]:
    """Catalogue parts of the actor's branch whose code or name contains the text."""
    require(actor, Permission.VIEW_PARTS)
    return catalogue_matches(session, actor.branch_id, query, limit)


def catalogue_matches(session: Session, branch_id: int, query: str, limit: int = 20) -> list[Part]:
    """The search itself, for services that check their own permission first."""
    text = (query or "").strip()
    if not text:
        return []
    return list(session.exec(
        select(Part).where(
            Part.branch_id == branch_id,
            Part.is_active,
            (col(Part.code).contains(text.upper())) | (col(Part.name).contains(text)),
        ).order_by(Part.code).limit(limit)
    ).all())
