"""The parts catalogue (``/parts``)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.db import session_scope
from lantong_pwa.errors import DomainError
from lantong_pwa.services import parts
from state.session import SessionState
from state.views import money


@dataclasses.dataclass
class PartRow:
    code: str = ""
    name: str = ""
    brand: str = ""
    unit: str = ""
    price: str = ""


class PartsCatalogueState(SessionState):
    results: list[PartRow] = []
    searched: bool = False
    error: str = ""

    @rx.event
    def search(self, form: dict):
        self.error = ""
        with session_scope() as db:
            try:
                found = parts.search_parts(db, self._actor(db), form.get("query", ""))
            except DomainError as error:
                self.error = error.message
                return
        self.results = [PartRow(code=p.code, name=p.name, brand=p.brand, unit=p.unit, price=money(p.sale_price))
                        for p in found]
        self.searched = True
