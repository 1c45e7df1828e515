"""The parts catalogue (code, name, unit, price) that intake, goods-in and part requests pick parts from: active
parts by code, name or a scanned barcode (the catalogue screen's own search is catalogue.search_catalogue)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.services.platform.validation import contains, search_text
from models import Part, PartBarcode, User


def search_parts(session: Session, actor: User, query: str, limit: int = 20) -> list[Part]:
    """Catalogue parts of the actor's branch whose code or name contains the text, or whose barcode it is."""
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
            contains(Part.code, text.upper()) | contains(Part.name, text)
            | col(Part.id).in_(select(PartBarcode.part_id).where(PartBarcode.branch_id == branch_id,
                                                                 PartBarcode.barcode == text)),
        ).order_by(Part.code).limit(limit)
    ).all())
