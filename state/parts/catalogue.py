"""``/parts/catalogue`` (配件档案): find parts by any field or a scanned barcode, create and edit them with their
barcodes, default warehouse and shelf, retire or bring them back, and set each warehouse's minimum and maximum.

Every handler that reads or writes goes through a service that checks the role; a refusal lands in ``errors``
(``form`` when it names no field) and nothing on screen changes but the message.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx

from lantong_pwa.services.parts import catalogue, purchase_orders, stock
from lantong_pwa.services.platform.permissions import Permission, allows
from models import Part
from state.platform.session import SessionState
from state.platform.views import money, quantity


@dataclasses.dataclass
class CatalogueRow:
    id: int = 0
    code: str = ""
    name: str = ""
    detail: str = ""  # "博世 · 0986AF0051 · 滤清器"
    price: str = ""
    active: bool = True


@dataclasses.dataclass
class LimitRow:
    warehouse_id: str = ""
    warehouse: str = ""
    minimum: str = ""
    maximum: str = ""
    figures: str = ""  # "库存 12 · 在途 5"


@dataclasses.dataclass
class WarehouseOption:
    id: str = ""
    name: str = ""


def _row(part: Part) -> CatalogueRow:
    detail = " · ".join(p for p in (part.brand, part.spec, part.category, part.oe_number and f"OE {part.oe_number}")
                        if p)
    return CatalogueRow(id=part.id, code=part.code, name=part.name, detail=detail, price=money(part.sale_price),
                        active=part.is_active)


def _number(value) -> str:
    return "" if value is None else quantity(value)


@dataclasses.dataclass(frozen=True)
class Shown:
    """A part's detail with what each warehouse holds of it and expects (在途)."""
    detail: catalogue.PartDetail
    on_hand: dict[int, Decimal]
    in_transit: dict[int, Decimal]


def _shown(db, actor, part_id) -> Shown:
    detail = catalogue.part_detail(db, actor, part_id)
    part = detail.part
    on_hand = {row.warehouse.id: row.on_hand for row in stock.on_hand(db, actor, part_id=part.id)}
    coming = {warehouse_id: amount for (_part, warehouse_id), amount in
              purchase_orders.in_transit_by_warehouse(db, part.branch_id, [part.id]).items()}
    return Shown(detail=detail, on_hand=on_hand, in_transit=coming)


class CatalogueState(SessionState):
    rows: list[CatalogueRow] = []
    searched: str = ""
    warehouses: list[WarehouseOption] = []
    can_edit: bool = False
    errors: dict[str, str] = {}

    # the form: 0 = closed, -1 = a new part, else the part's id
    editing_id: int = 0
    form_key: int = 0  # bumped to redraw the form's inputs with the loaded values
    values: dict[str, str] = {}
    barcodes: str = ""
    active: bool = True
    limits: list[LimitRow] = []
    limit_errors: dict[str, str] = {}

    def _list(self, db, actor, query: str) -> None:
        self.rows = [_row(p) for p in catalogue.search_catalogue(db, actor, query)]

    @rx.event
    async def load(self):
        self.errors = {}
        self.editing_id = 0

        def work(db, actor):
            self.warehouses = [WarehouseOption(id=str(w.id), name=w.name) for w in stock.list_warehouses(db, actor)]
            self.can_edit = allows(actor, Permission.MANAGE_CATALOGUE)
            self._list(db, actor, "")

        shown = await self._in_read(work, page=Permission.MANAGE_CATALOGUE)
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

    def _show(self, shown: Shown) -> None:
        detail = shown.detail
        part = detail.part
        self.editing_id = part.id
        self.values = {"code": part.code, "name": part.name, "brand": part.brand, "spec": part.spec,
                       "unit": part.unit, "category": part.category, "oe_number": part.oe_number,
                       "sale_price": str(part.sale_price), "cost": str(part.cost), "shelf": part.shelf,
                       "default_warehouse_id": str(part.default_warehouse_id or "")}
        self.barcodes = "\n".join(detail.barcodes)
        self.active = part.is_active
        self.limits = [LimitRow(warehouse_id=str(v.warehouse.id), warehouse=v.warehouse.name,
                                minimum=_number(v.limit and v.limit.minimum),
                                maximum=_number(v.limit and v.limit.maximum),
                                figures=f"库存 {quantity(shown.on_hand.get(v.warehouse.id, Decimal(0)))} · "
                                        f"在途 {quantity(shown.in_transit.get(v.warehouse.id, Decimal(0)))}")
                       for v in detail.limits]
        self.form_key += 1

    @rx.event
    async def open_part(self, part_id: int):
        self.limit_errors = {}
        shown = await self._in_read(lambda db, actor: _shown(db, actor, part_id))
        self.errors = shown.field_errors
        if shown.ok:
            self._show(shown.value)

    @rx.event
    async def scan(self, text: str):
        """A scanned (or typed) barcode opens its part; an unknown one says so and offers it for a new part."""
        def work(db, actor):
            part = catalogue.part_by_barcode(db, actor, text)
            return None if part is None else _shown(db, actor, part.id)

        shown = await self._in_read(work)
        self.errors = shown.field_errors
        if not shown.ok:
            return None
        if shown.value is None:
            self.rows = []
            self.searched = (text or "").strip()
            return rx.toast.info(f"没有条码为{self.searched}的配件，可新建")
        self._show(shown.value)
        self.rows = [_row(shown.value.detail.part)]
        return None

    @rx.event
    def new_part(self):
        self.editing_id = -1
        self.values = {"unit": "个", "default_warehouse_id": self.warehouses[0].id if self.warehouses else ""}
        self.barcodes = ""
        self.active = True
        self.limits = []
        self.errors = {}
        self.limit_errors = {}
        self.form_key += 1

    @rx.event
    def close_form(self):
        self.editing_id = 0
        self.errors = {}

    @rx.event
    async def save(self, form: dict):
        part_id = self.editing_id if self.editing_id > 0 else None

        def work(db, actor):
            part = catalogue.save_part(db, actor, form, part_id=part_id)
            return _shown(db, actor, part.id)

        saved = await self._in_unit(work)
        self.errors = saved.field_errors
        if not saved.ok:
            return None
        creating = part_id is None
        self._show(saved.value)
        shown = await self._in_read(lambda db, actor: self._list(db, actor, self.searched))
        if not shown.ok:
            self.errors = shown.field_errors
        return rx.toast.success(f"已{'新建' if creating else '保存'}配件 {saved.value.detail.part.code}")

    @rx.event
    async def set_active(self, active: bool):
        part_id = self.editing_id
        done = await self._in_unit(lambda db, actor: catalogue.set_part_active(db, actor, part_id, active))
        self.errors = done.field_errors
        if not done.ok:
            return None
        self.active = done.value.is_active
        shown = await self._in_read(lambda db, actor: self._list(db, actor, self.searched))
        self.errors = shown.field_errors
        return rx.toast.success("已启用" if active else "已停用：保留历史，不能再采购或领料")

    @rx.event
    async def save_limit(self, form: dict):
        part_id = self.editing_id
        warehouse_id = form.get("warehouse_id", "")
        done = await self._in_unit(lambda db, actor: catalogue.set_stock_limit(
            db, actor, part_id, warehouse_id, form.get("minimum", ""), form.get("maximum", "")))
        self.limit_errors = {f"{warehouse_id}-{k}" if k != "form" else "form": v
                             for k, v in done.field_errors.items()}
        if not done.ok:
            return None
        for row in self.limits:
            if row.warehouse_id == str(warehouse_id):
                row.minimum = _number(done.value and done.value.minimum)
                row.maximum = _number(done.value and done.value.maximum)
        return rx.toast.success("已保存安全库存")
