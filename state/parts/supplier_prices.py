"""供应商比价 (``/parts/prices?code=<part code>``): each supplier's last prices, lead time seen and return rate for
one part, and the suggested supplier with its reason (services/parts/supplier_choice.py)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx
from sqlmodel import Session, select

from lantong_pwa.errors import NotFound
from lantong_pwa.services.parts import supplier_choice
from lantong_pwa.services.platform.permissions import Permission, require
from lantong_pwa.services.platform.validation import search_text
from models import Part, User
from state.platform.session import SessionState
from state.platform.views import money


@dataclasses.dataclass
class SupplierPriceView:
    name: str = ""
    suggested: bool = False
    inactive: bool = False
    prices: list[str] = dataclasses.field(default_factory=list)  # "2026-11-03 ¥22.00 ×10"
    offer: str = ""  # "报价 ¥30.00 · 承诺3天"
    lead: str = ""
    return_rate: str = ""
    receipts: str = ""


def history_by_code(db: Session, actor: User | None, code: str) -> supplier_choice.PriceHistory:
    require(actor, Permission.PURCHASE)
    wanted = search_text(code, "code")
    if not wanted:
        raise NotFound("请输入配件编码")
    part = db.exec(select(Part).where(Part.branch_id == actor.branch_id, Part.code == wanted)).first()
    if part is None:
        raise NotFound(f"没有编码为 {wanted} 的配件")
    return supplier_choice.price_history(db, actor, part.id)


def _view(record: supplier_choice.SupplierRecord, suggested_id: int | None) -> SupplierPriceView:
    rate = record.return_rate
    return SupplierPriceView(
        name=record.name, suggested=record.supplier_id == suggested_id, inactive=not record.is_active,
        prices=[f"{p.day.isoformat()} {money(p.unit_price)} ×{p.quantity.normalize():f}" for p in record.last_prices],
        offer=(f"报价 {money(record.offer_price)}" + (f" · 承诺{record.offer_lead_days}天" if record.offer_lead_days else ""))
        if record.offer_price is not None else "",
        lead=f"{record.lead_days:g}天" if record.lead_days is not None else "—",
        return_rate=f"{(rate * 100).quantize(Decimal('0.1'))}%" if rate is not None else "—",
        receipts=str(record.receipts),
    )


class SupplierPricesState(SessionState):
    code: str = ""
    part_title: str = ""
    suppliers: list[SupplierPriceView] = []
    reason: str = ""
    error: str = ""
    searched: bool = False

    async def _show(self, code: str, page: Permission | None = None):
        self.code = code
        if not code.strip():
            return (await self._guard(page)) if page is not None else None
        shown = await self._in_read(lambda db, actor: history_by_code(db, actor, code), page=page)
        if shown.redirect is not None:
            return shown.redirect
        self.searched = True
        if not shown.ok:
            self.error, self.suppliers, self.part_title, self.reason = shown.error.message, [], "", ""
            return None
        history = shown.value
        part = history.part
        self.error = ""
        self.part_title = " ".join(p for p in (part.code, part.name, part.brand, part.spec) if p)
        self.suppliers = [_view(r, history.suggested_id) for r in history.suppliers]
        self.reason = history.reason
        return None

    @rx.event
    async def load(self):
        self.searched, self.error, self.suppliers, self.part_title, self.reason = False, "", [], "", ""
        return await self._show(str(self.router.url.query_parameters.get("code", "") or ""), Permission.PURCHASE)

    @rx.event
    async def search(self, form: dict):
        return await self._show(str(form.get("code", "") or ""))
