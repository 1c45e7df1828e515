"""Role-check cases for 应付账款 (``/payables``, one supplier, the printed statement) and 供应商比价
(``/parts/prices``): ``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw
nothing and was told. Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.finance.payables import PayablesState, StatementSheetState, SupplierPayablesState
from state.parts.supplier_prices import SupplierPricesState
from tests.state.harness import drive, make_state

FORGED_SUPPLIER = 1  # a state var a browser could set: the handlers must not trust it


def _supplier(cookie: str, cls=SupplierPayablesState, suffix: str = ""):
    return make_state(cls, token=cookie, path=f"/payables/{FORGED_SUPPLIER}{suffix}",
                      route=f"/payables/[payee]{suffix}", query={"payee": str(FORGED_SUPPLIER)})


def run_payables_load(cookie, w):
    s = make_state(PayablesState, token=cookie, path="/payables")
    return s, drive(s.load())


def refused_payables_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/payables")
    assert s.rows == [] and s.total.balance == ""


def run_supplier_load(cookie, w):
    s = _supplier(cookie)
    return s, drive(s.load())


def refused_supplier_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/payables/{FORGED_SUPPLIER}")
    assert s.found is False and s.items == [] and s.statement == [] and s.name == ""


def run_supplier_pay(cookie, w):
    s = _supplier(cookie)
    s.party_id = FORGED_SUPPLIER
    return s, drive(s.pay({"method": "cash", "amount": "100", "request_key": "forged-1"}))


def refused_supplier_pay(s, result, w, visitor):
    visitor.was_told(s.pay_errors["form"])
    assert s.items == [] and s.balance == ""


def run_supplier_statement(cookie, w):
    s = _supplier(cookie)
    s.party_id = FORGED_SUPPLIER
    return s, drive(s.show_statement({"from": "2026-11-01", "to": "2026-11-30"}))


def refused_supplier_statement(s, result, w, visitor):
    visitor.was_told(s.statement_error)
    assert s.statement == []


def run_statement_sheet(cookie, w):
    s = _supplier(cookie, StatementSheetState, "/statement")
    return s, drive(s.load())


def refused_statement_sheet(s, result, w, visitor):
    visitor.was_sent_away(result, f"/payables/{FORGED_SUPPLIER}/statement")
    assert s.found is False and s.rows == [] and s.party_name == ""


def _prices(cookie: str, **query) -> SupplierPricesState:
    return make_state(SupplierPricesState, token=cookie, path="/parts/prices", query=query)


def run_prices_load(cookie, w):
    s = _prices(cookie, code=w.part.code)
    return s, drive(s.load())


def refused_prices_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/prices?code={w.part.code}")
    assert s.part_title == "" and s.suppliers == []


def run_prices_search(cookie, w):
    s = _prices(cookie)
    return s, drive(s.search({"code": w.part.code}))


def refused_prices_search(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.part_title == "" and s.suppliers == []


CASES = [
    ("PayablesState.load", P.VIEW_PAYABLES, run_payables_load, refused_payables_load),
    ("SupplierPayablesState.load", P.VIEW_PAYABLES, run_supplier_load, refused_supplier_load),
    ("SupplierPayablesState.pay", P.PAY_SUPPLIERS, run_supplier_pay, refused_supplier_pay),
    ("SupplierPayablesState.show_statement", P.VIEW_PAYABLES, run_supplier_statement, refused_supplier_statement),
    ("StatementSheetState.load", P.VIEW_PAYABLES, run_statement_sheet, refused_statement_sheet),
    ("SupplierPricesState.load", P.PURCHASE, run_prices_load, refused_prices_load),
    ("SupplierPricesState.search", P.PURCHASE, run_prices_search, refused_prices_search),
]
UI_ONLY: dict[str, tuple] = {
    "SupplierPayablesState.toggle_item": (1, True),
    "SupplierPayablesState.choose_method": ("cash",),
}
