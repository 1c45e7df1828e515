"""The parts catalogue with each part's on hand per warehouse (the 库存 tab of ``/parts``)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.parts import parts, purchase_orders, stock
from state.platform.session import SessionState
from state.platform.views import money, quantity


@dataclasses.dataclass
class PartRow:
    code: str = ""
    name: str = ""
    brand: str = ""
    unit: str = ""
    price: str = ""
    stock: str = ""  # "主仓库 12 · 油品库 3"


class PartsCatalogueState(SessionState):
    results: list[PartRow] = []
    searched: bool = False
    error: str = ""

    @rx.event
    async def search(self, form: dict):
        self.error = ""

        def catalogue(db, actor):
            found = parts.search_parts(db, actor, form.get("query", ""))
            ids = [p.id for p in found]
            return found, stock.on_hand(db, actor, part_ids=ids), purchase_orders.in_transit(db, actor.branch_id, ids)

        shown = await self._in_read(catalogue)
        if not shown.ok:
            self.error = shown.error.message
            return
        found, balances, in_transit = shown.value
        on_hand: dict[int, list[str]] = {}
        for row in balances:
            on_hand.setdefault(row.part.id, []).append(f"{row.warehouse.name} {quantity(row.on_hand)}")
        for part_id, coming in in_transit.items():
            on_hand.setdefault(part_id, []).append(f"在途 {quantity(coming)}")
        self.results = [PartRow(code=p.code, name=p.name, brand=p.brand, unit=p.unit, price=money(p.sale_price),
                                stock=" · ".join(on_hand.get(p.id, [])) or "无库存")
                        for p in found]
        self.searched = True
