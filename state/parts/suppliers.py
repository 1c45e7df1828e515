"""``/suppliers`` (供应商): the list, a supplier's form (contact, tax ID, bank account, 现结 / 月结 N天 / N天), and
the parts it offers with price, minimum quantity and lead time. Refusals land in ``errors`` (``form`` when they name
no field)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.parts import catalogue, suppliers
from lantong_pwa.services.platform.permissions import Permission
from models import Supplier
from state.platform.session import SessionState
from state.platform.views import money, quantity


@dataclasses.dataclass
class SupplierRow:
    id: int = 0
    code: str = ""
    name: str = ""
    detail: str = ""  # "陈经理 · 020-88886666 · 月结30天"
    active: bool = True


@dataclasses.dataclass
class OfferRow:
    id: int = 0
    part_id: int = 0
    part: str = ""  # "前刹车片（SCP-01）"
    price: str = ""
    price_value: str = ""
    min_quantity: str = ""
    lead_days: str = ""


@dataclasses.dataclass
class PartChoice:
    id: int = 0
    label: str = ""


def _row(s: Supplier) -> SupplierRow:
    detail = " · ".join(p for p in (s.contact, s.phone, suppliers.terms_label(s.terms, s.terms_days)) if p)
    return SupplierRow(id=s.id, code=s.code, name=s.name, detail=detail, active=s.is_active)


class SuppliersState(SessionState):
    rows: list[SupplierRow] = []
    searched: str = ""
    errors: dict[str, str] = {}

    editing_id: int = 0  # 0 closed, -1 new
    form_key: int = 0
    values: dict[str, str] = {}
    active: bool = True
    offers: list[OfferRow] = []
    part_choices: list[PartChoice] = []
    offer_part_id: int = 0
    offer_part_label: str = ""
    offer_values: dict[str, str] = {}  # an offer being changed: its price, minimum quantity and lead time
    offer_errors: dict[str, str] = {}

    def _list(self, db, actor, query: str) -> None:
        self.rows = [_row(s) for s in suppliers.list_suppliers(db, actor, query)]

    @rx.event
    async def load(self):
        self.errors = {}
        self.editing_id = 0
        shown = await self._in_read(lambda db, actor: self._list(db, actor, ""), page=Permission.MANAGE_CATALOGUE)
        if shown.redirect is not None:
            return shown.redirect
        self.errors = shown.field_errors
        return None

    @rx.event
    async def search(self, form: dict):
        query = form.get("query", "")
        shown = await self._in_read(lambda db, actor: self._list(db, actor, query))
        self.errors = shown.field_errors
        if shown.ok:
            self.searched = query.strip()

    def _show(self, db, actor, supplier: Supplier) -> None:
        self.editing_id = supplier.id
        self.values = {key: str(getattr(supplier, key)) for key in suppliers.TEXT_FIELDS}
        self.values["terms"] = supplier.terms.value if hasattr(supplier.terms, "value") else str(supplier.terms)
        self.values["terms_days"] = str(supplier.terms_days)
        self.active = supplier.is_active
        self.offers = [OfferRow(id=o.offer.id, part_id=o.part.id, part=f"{o.part.name}（{o.part.code}）",
                                price=money(o.offer.price), price_value=str(o.offer.price),
                                min_quantity=quantity(o.offer.min_quantity), lead_days=str(o.offer.lead_days))
                       for o in suppliers.offers_of_supplier(db, actor, supplier.id)]
        self.form_key += 1

    @rx.event
    async def open_supplier(self, supplier_id: int):
        self._clear_offer()
        shown = await self._in_read(lambda db, actor: self._show(db, actor, suppliers.get_supplier(
            db, actor, supplier_id)))
        self.errors = shown.field_errors

    def _clear_offer(self) -> None:
        self.part_choices = []
        self.offer_part_id = 0
        self.offer_part_label = ""
        self.offer_values = {}
        self.offer_errors = {}

    @rx.event
    def new_supplier(self):
        self.editing_id = -1
        self.values = {"terms": "cash", "terms_days": "0"}
        self.active = True
        self.offers = []
        self.errors = {}
        self._clear_offer()
        self.form_key += 1

    @rx.event
    def close_form(self):
        self.editing_id = 0
        self.errors = {}

    @rx.event
    def choose_terms(self, terms: str):
        if terms in ("cash", "monthly", "days"):
            self.values = {**self.values, "terms": terms}

    @rx.event
    async def save(self, form: dict):
        supplier_id = self.editing_id if self.editing_id > 0 else None

        def work(db, actor):
            supplier = suppliers.save_supplier(db, actor, form, supplier_id=supplier_id)
            self._list(db, actor, self.searched)
            return supplier

        saved = await self._in_unit(work)
        self.errors = saved.field_errors
        if not saved.ok:
            return None
        shown = await self._in_read(lambda db, actor: self._show(db, actor, suppliers.get_supplier(
            db, actor, saved.value.id)))
        self.errors = shown.field_errors
        return rx.toast.success(f"已保存供应商 {saved.value.name}")

    @rx.event
    async def set_active(self, active: bool):
        supplier_id = self.editing_id

        def work(db, actor):
            supplier = suppliers.set_supplier_active(db, actor, supplier_id, active)
            self._list(db, actor, self.searched)
            return supplier

        done = await self._in_unit(work)
        self.errors = done.field_errors
        if not done.ok:
            return None
        self.active = done.value.is_active
        return rx.toast.success("已启用" if active else "已停用")

    @rx.event
    async def search_offer_parts(self, form: dict):
        self.offer_errors = {}
        found = await self._in_read(lambda db, actor: catalogue.search_catalogue(
            db, actor, form.get("part_query", ""), include_retired=False, limit=10))
        if not found.ok:
            self.offer_errors = found.field_errors
            return
        self.part_choices = [PartChoice(id=p.id, label=f"{p.name}（{p.code}）") for p in found.value]
        if not self.part_choices:
            self.offer_errors = {"part_id": "没有找到匹配的配件"}

    @rx.event
    def choose_offer_part(self, part_id: int):
        for choice in self.part_choices:
            if choice.id == part_id:
                self.offer_part_id = choice.id
                self.offer_part_label = choice.label
                self.offer_values = {}
                self.part_choices = []
                self.offer_errors = {}
                self.form_key += 1

    @rx.event
    def edit_offer(self, offer_id: int):
        for row in self.offers:
            if row.id == offer_id:
                self.offer_part_id = row.part_id
                self.offer_part_label = row.part
                self.offer_values = {"price": row.price_value, "min_quantity": row.min_quantity,
                                     "lead_days": row.lead_days}
                self.offer_errors = {}
                self.form_key += 1

    async def _after_offer(self, done, message: str):
        self.offer_errors = done.field_errors
        if not done.ok:
            return None
        supplier_id = self.editing_id
        shown = await self._in_read(lambda db, actor: self._show(db, actor, suppliers.get_supplier(
            db, actor, supplier_id)))
        self.errors = shown.field_errors
        self._clear_offer()
        return rx.toast.success(message)

    @rx.event
    async def save_offer(self, form: dict):
        supplier_id, part_id = self.editing_id, self.offer_part_id
        done = await self._in_unit(lambda db, actor: suppliers.save_offer(db, actor, supplier_id, part_id, form))
        return await self._after_offer(done, "已保存报价")

    @rx.event
    async def remove_offer(self, offer_id: int):
        done = await self._in_unit(lambda db, actor: suppliers.remove_offer(db, actor, offer_id))
        return await self._after_offer(done, "已删除报价")
