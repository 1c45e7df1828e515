"""Role-check cases for 配件档案 (``/parts/catalogue``), 供应商 (``/suppliers``) and 导入 (``/parts/import``). Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused); each refused
handler leaves its message in ``errors['form']`` (or ``error``) and loads nothing."""

from __future__ import annotations

from lantong_pwa.services.parts import catalogue_import
from lantong_pwa.services.platform.permissions import Permission as P
from state.parts.catalogue import CatalogueState, LimitRow
from state.parts.imports import ImportState
from state.parts.suppliers import PartChoice, SuppliersState
from tests.state.harness import drive, make_state

UI_ONLY = {
    "CatalogueState.new_part": (),
    "CatalogueState.close_form": (),
    "SuppliersState.new_supplier": (),
    "SuppliersState.close_form": (),
    "SuppliersState.choose_terms": ("monthly",),
    "SuppliersState.choose_offer_part": (1,),
    "SuppliersState.edit_offer": (1,),
    "ImportState.set_kind": ("suppliers",),
    "ImportState.mark_busy": ("commit",),
}


def catalogue_state(cookie: str) -> CatalogueState:
    return make_state(CatalogueState, token=cookie, path="/parts/catalogue")


def suppliers_state(cookie: str) -> SuppliersState:
    return make_state(SuppliersState, token=cookie, path="/suppliers")


def import_state(cookie: str) -> ImportState:
    return make_state(ImportState, token=cookie, path="/parts/import")


def run_catalogue_load(cookie, w):
    s = catalogue_state(cookie)
    return s, drive(s.load())


def refused_catalogue_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/catalogue")
    assert s.rows == [] and s.warehouses == []


def _catalogue_told(s, result, w, visitor):
    visitor.was_told(s.errors.get("form", "") or s.limit_errors.get("form", ""))
    assert s.rows == [] and s.values == {} and s.limits in ([], [LimitRow(warehouse_id="1")])


def run_catalogue_search(cookie, w):
    s = catalogue_state(cookie)
    return s, drive(s.search({"query": "机油"}))


def run_catalogue_open(cookie, w):
    s = catalogue_state(cookie)
    return s, drive(s.open_part(w.part.id))


def run_catalogue_scan(cookie, w):
    s = catalogue_state(cookie)
    return s, drive(s.scan("JL-001"))


def run_catalogue_save(cookie, w):
    s = catalogue_state(cookie)
    s.editing_id = w.part.id  # forged: nothing was opened
    return s, drive(s.save({"code": "JL-001", "name": "改名", "sale_price": "1"}))


def run_catalogue_set_active(cookie, w):
    s = catalogue_state(cookie)
    s.editing_id = w.part.id
    return s, drive(s.set_active(False))


def run_catalogue_save_limit(cookie, w):
    s = catalogue_state(cookie)
    s.editing_id = w.part.id
    s.limits = [LimitRow(warehouse_id="1")]
    return s, drive(s.save_limit({"warehouse_id": "1", "minimum": "1", "maximum": "2"}))


def run_suppliers_load(cookie, w):
    s = suppliers_state(cookie)
    return s, drive(s.load())


def refused_suppliers_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/suppliers")
    assert s.rows == []


def _suppliers_told(s, result, w, visitor):
    visitor.was_told(s.errors.get("form", "") or s.offer_errors.get("form", ""))
    assert s.rows == [] and s.offers == [] and s.part_choices == []


def run_suppliers_search(cookie, w):
    s = suppliers_state(cookie)
    return s, drive(s.search({"query": "宏达"}))


def run_suppliers_open(cookie, w):
    s = suppliers_state(cookie)
    return s, drive(s.open_supplier(1))


def run_suppliers_save(cookie, w):
    s = suppliers_state(cookie)
    s.editing_id = -1
    return s, drive(s.save({"name": "宏达汽配", "terms": "cash"}))


def run_suppliers_set_active(cookie, w):
    s = suppliers_state(cookie)
    s.editing_id = 1
    return s, drive(s.set_active(False))


def run_suppliers_search_parts(cookie, w):
    s = suppliers_state(cookie)
    return s, drive(s.search_offer_parts({"part_query": "机油"}))


def refused_suppliers_search_parts(s, result, w, visitor):
    visitor.was_told(s.offer_errors.get("form", ""))
    assert s.part_choices == []


def run_suppliers_save_offer(cookie, w):
    s = suppliers_state(cookie)
    s.editing_id = 1
    s.part_choices = [PartChoice(id=w.part.id, label="机油滤清器")]
    s.choose_offer_part(w.part.id)
    return s, drive(s.save_offer({"price": "10"}))


def run_suppliers_remove_offer(cookie, w):
    s = suppliers_state(cookie)
    s.editing_id = 1
    return s, drive(s.remove_offer(1))


def run_import_load(cookie, w):
    s = import_state(cookie)
    return s, drive(s.load())


def refused_import_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/import")
    assert s.kinds == []


def run_import_uploaded(cookie, w):
    s = import_state(cookie)
    return s, drive(s.uploaded("0" * 32))


def run_import_commit(cookie, w):
    s = import_state(cookie)
    s.token = "0" * 32
    return s, drive(s.commit())


def refused_import(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.checked is False and s.error_rows == [] and s.done == ""


CASES = [
    ("CatalogueState.load", P.MANAGE_CATALOGUE, run_catalogue_load, refused_catalogue_load),
    ("CatalogueState.search", P.VIEW_PARTS, run_catalogue_search, _catalogue_told),
    ("CatalogueState.open_part", P.VIEW_PARTS, run_catalogue_open, _catalogue_told),
    ("CatalogueState.scan", P.VIEW_PARTS, run_catalogue_scan, _catalogue_told),
    ("CatalogueState.save", P.MANAGE_CATALOGUE, run_catalogue_save, _catalogue_told),
    ("CatalogueState.set_active", P.MANAGE_CATALOGUE, run_catalogue_set_active, _catalogue_told),
    ("CatalogueState.save_limit", P.MANAGE_CATALOGUE, run_catalogue_save_limit, _catalogue_told),
    ("SuppliersState.load", P.MANAGE_CATALOGUE, run_suppliers_load, refused_suppliers_load),
    ("SuppliersState.search", P.VIEW_PARTS, run_suppliers_search, _suppliers_told),
    ("SuppliersState.open_supplier", P.VIEW_PARTS, run_suppliers_open, _suppliers_told),
    ("SuppliersState.save", P.MANAGE_CATALOGUE, run_suppliers_save, _suppliers_told),
    ("SuppliersState.set_active", P.MANAGE_CATALOGUE, run_suppliers_set_active, _suppliers_told),
    ("SuppliersState.search_offer_parts", P.VIEW_PARTS, run_suppliers_search_parts, refused_suppliers_search_parts),
    ("SuppliersState.save_offer", P.MANAGE_CATALOGUE, run_suppliers_save_offer, _suppliers_told),
    ("SuppliersState.remove_offer", P.MANAGE_CATALOGUE, run_suppliers_remove_offer, _suppliers_told),
    ("ImportState.load", P.MANAGE_CATALOGUE, run_import_load, refused_import_load),
    ("ImportState.uploaded", P.MANAGE_CATALOGUE, run_import_uploaded, refused_import),
    ("ImportState.commit", P.MANAGE_CATALOGUE, run_import_commit, refused_import),
]
assert catalogue_import.ImportKind.PARTS.permission == P.MANAGE_CATALOGUE
