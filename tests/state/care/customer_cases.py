"""Role-check cases for the customers (``/customers``, ``/customers/<id>``) and the satisfaction and churn figures
(``/satisfaction``): ``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw
nothing and was told or sent away. Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.care.customers import CustomerFileState, CustomerSearchState
from state.care.satisfaction import SatisfactionState
from tests.state.harness import drive, make_state


def search_state(cookie: str) -> CustomerSearchState:
    return make_state(CustomerSearchState, token=cookie, path="/customers")


def file_state(cookie: str, customer_id: int) -> CustomerFileState:
    return make_state(CustomerFileState, token=cookie, path=f"/customers/{customer_id}",
                      route="/customers/[customer_id]", query={"customer_id": str(customer_id)})


def satisfaction_state(cookie: str) -> SatisfactionState:
    return make_state(SatisfactionState, token=cookie, path="/satisfaction")


def run_search_load(cookie, w):
    s = search_state(cookie)
    return s, drive(s.load())


def refused_search_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/customers")
    assert s.results == []


def run_search(cookie, w):
    s = search_state(cookie)
    return s, drive(s.search({"query": "2345"}))


def refused_search(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.results == [] and s.searched is False


def run_file_load(cookie, w):
    s = file_state(cookie, w.vehicle.customer_id)
    assert s.customer_id == str(w.vehicle.customer_id)
    return s, drive(s.load())


def refused_file_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/customers/{w.vehicle.customer_id}")
    assert s.found is False and s.name == "" and s.mobile == "" and s.orders == [] and s.vehicles == []


def _nothing_shown(s: SatisfactionState) -> None:
    assert s.rate == "" and s.answered == "" and s.aspects == [] and s.advisors == [] and s.technicians == []
    assert s.trend == [] and s.segments == [] and s.at_risk == [] and s.customers_scored == ""


def run_satisfaction_load(cookie, w):
    s = satisfaction_state(cookie)
    return s, drive(s.load())


def refused_satisfaction_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/satisfaction")
    _nothing_shown(s)


def run_satisfaction_run(cookie, w):
    s = satisfaction_state(cookie)
    return s, drive(s.run({"from": "2026-11-01", "to": "2026-11-30"}))


def refused_satisfaction_run(s, result, w, visitor):
    visitor.was_told(s.error)
    _nothing_shown(s)


CASES = [
    ("CustomerSearchState.load", P.VIEW_CUSTOMERS, run_search_load, refused_search_load),
    ("CustomerSearchState.search", P.VIEW_CUSTOMERS, run_search, refused_search),
    ("CustomerFileState.load", P.VIEW_CUSTOMERS, run_file_load, refused_file_load),
    ("SatisfactionState.load", P.VIEW_CARE_FIGURES, run_satisfaction_load, refused_satisfaction_load),
    ("SatisfactionState.run", P.VIEW_CARE_FIGURES, run_satisfaction_run, refused_satisfaction_run),
]
UI_ONLY: dict[str, tuple] = {}
