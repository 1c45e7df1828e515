"""Role-check cases for the daily figures (``/figures``) and the queries (``/reports``): ``run_*`` drives a handler
as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.platform.figures import FiguresState
from state.workshop.reports import ReportsState
from tests.state.harness import drive, make_state


def _figures(cookie: str) -> FiguresState:
    return make_state(FiguresState, token=cookie, path="/figures")


def _no_figures(s: FiguresState) -> None:
    assert s.cards == [] and s.technicians == [] and s.revenue_chart == [] and s.collections_chart == []
    assert s.payer_split == [] and s.branch_options == [] and s.branch_name == ""


def run_figures_load(cookie, w):
    s = _figures(cookie)
    return s, drive(s.load())


def refused_figures_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/figures")
    _no_figures(s)


def run_figures_pick_day(cookie, w):
    s = _figures(cookie)
    return s, drive(s.pick_day("2026-11-20"))


def run_figures_shift_day(cookie, w):
    s = _figures(cookie)
    s.day = "2026-11-20"
    return s, drive(s.shift_day(-1))


def run_figures_pick_branch(cookie, w):
    s = _figures(cookie)
    return s, drive(s.pick_branch(str(w.shop.other_branch.id)))  # forged: a branch a manager may not see


def refused_figures(s, result, w, visitor):
    visitor.was_told(s.error)
    _no_figures(s)


def _reports(cookie: str) -> ReportsState:
    return make_state(ReportsState, token=cookie, path="/reports")


def run_reports_load(cookie, w):
    s = _reports(cookie)
    return s, drive(s.load())


def refused_reports_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/reports")
    assert s.technician_options == [] and s.performance == [] and s.shows_performance is False


def run_reports_search(cookie, w):
    s = _reports(cookie)
    return s, drive(s.search({"plate": "2345"}))


def refused_reports_search(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.results == [] and s.orders_export_url == "" and s.searched is False


def run_reports_performance(cookie, w):
    s = _reports(cookie)
    return s, drive(s.run_performance({"from": "2026-11-01", "to": "2026-11-30"}))


def refused_reports_performance(s, result, w, visitor):
    visitor.was_told(s.performance_error)
    assert s.performance == [] and s.performance_export_url == ""


CASES = [
    ("FiguresState.load", P.VIEW_FIGURES, run_figures_load, refused_figures_load),
    ("FiguresState.pick_day", P.VIEW_FIGURES, run_figures_pick_day, refused_figures),
    ("FiguresState.shift_day", P.VIEW_FIGURES, run_figures_shift_day, refused_figures),
    ("FiguresState.pick_branch", P.VIEW_FIGURES, run_figures_pick_branch, refused_figures),
    ("ReportsState.load", P.VIEW_REPORTS, run_reports_load, refused_reports_load),
    ("ReportsState.search", P.VIEW_REPORTS, run_reports_search, refused_reports_search),
    ("ReportsState.run_performance", P.VIEW_FIGURES, run_reports_performance, refused_reports_performance),
]
UI_ONLY: dict[str, tuple] = {}
