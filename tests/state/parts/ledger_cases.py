"""Role-check cases for 进销存 (``/parts/ledger`` and one part's ``/parts/ledger/<part id>``): ``run_*`` drives a
handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told. Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.parts.ledger import LedgerDetailState, LedgerState
from tests.state.harness import drive, make_state

FILTERS = {"from": "2026-11-01", "to": "2026-11-30"}


def _summary(cookie: str) -> LedgerState:
    return make_state(LedgerState, token=cookie, path="/parts/ledger")


def run_load(cookie, w):
    s = _summary(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/ledger")
    assert s.rows == [] and s.warehouses == [] and s.total.closing == ""


def run_preset(cookie, w):
    s = _summary(cookie)
    return s, drive(s.choose_preset("today"))


def run_apply(cookie, w):
    s = _summary(cookie)
    return s, drive(s.apply({**FILTERS, "q": w.part.code, "warehouse": "all"}))


def run_turn(cookie, w):
    s = _summary(cookie)
    s.date_from, s.date_to = FILTERS["from"], FILTERS["to"]
    return s, drive(s.turn(1))


def refused_summary(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == [] and s.warehouses == [] and s.total_in == []


def run_detail(cookie, w):
    s = make_state(LedgerDetailState, token=cookie, path=f"/parts/ledger/{w.part.id}",
                   route="/parts/ledger/[ledger_part]", query={"ledger_part": str(w.part.id), **FILTERS})
    return s, drive(s.load())


def refused_detail(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/ledger/{w.part.id}?from={FILTERS['from']}&to={FILTERS['to']}")
    assert s.title == "" and s.moves == [] and s.opening == ""


CASES = [
    ("LedgerState.load", P.VIEW_STOCK_REPORTS, run_load, refused_load),
    ("LedgerState.choose_preset", P.VIEW_STOCK_REPORTS, run_preset, refused_summary),
    ("LedgerState.apply", P.VIEW_STOCK_REPORTS, run_apply, refused_summary),
    ("LedgerState.turn", P.VIEW_STOCK_REPORTS, run_turn, refused_summary),
    ("LedgerDetailState.load", P.VIEW_STOCK_REPORTS, run_detail, refused_detail),
]
