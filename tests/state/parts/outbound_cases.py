"""Role-check cases for internal use and gifts (``/parts/issues``, ``/parts/issues/<id>`` and its print page), a work
order's delivery notes (``/parts/orders/<id>/delivery``) and 调价 (``/parts/prices/adjust``): ``run_*`` drives a
handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told. Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.parts.price_adjustments import PriceAdjustState, Shown
from state.parts.stock import PICK_ROUTE_ARG
from state.parts.stock_issues import ISSUE_ARG, DeliveryNotesState, IssuePart, IssueSheetState, IssuesState
from tests.state.harness import drive, make_state
from tests.state.parts.purchasing_cases import _toast

UI_ONLY = {"IssuesState.set_warehouse": ("1",), "IssuesState.add_part": ("1",),
           "IssuesState.remove_part": ("1",), "PriceAdjustState.choose": ("1",),
           "PriceAdjustState.unchoose": ("1",)}
FORGED_ID = 1


# --- /parts/issues ----------------------------------------------------------------------------------------------


def _issues(cookie: str) -> IssuesState:
    return make_state(IssuesState, token=cookie, path="/parts/issues")


def run_issues_load(cookie, w):
    s = _issues(cookie)
    return s, drive(s.load())


def refused_issues_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/issues")
    assert s.issues == [] and s.warehouses == [] and s.categories == [] and s.can_issue is False


def run_set_kind(cookie, w):
    s = _issues(cookie)
    return s, drive(s.set_kind("gift"))


def refused_set_kind(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.issues == [] and s.categories == []


def run_issue_search(cookie, w):
    s = _issues(cookie)
    return s, drive(s.search({"part_query": "机油"}))


def run_issue_scan(cookie, w):
    s = _issues(cookie)
    return s, drive(s.scan("JL-001"))


def refused_issue_search(s, result, w, visitor):
    visitor.was_told(s.errors["part_query"])
    assert s.choices == [] and s.lines == []


def run_issue_submit(cookie, w):
    s = _issues(cookie)
    s.key = "issue-1"
    s.warehouse_id = "1"
    s.lines = [IssuePart(id=str(w.part.id), label="机油滤清器（JL-001）")]
    return s, drive(s.submit({f"quantity.{w.part.id}": "1", "expense_category_id": "1", "request_key": "issue-1"}))


def refused_issue_submit(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.issues == [] and [line.id for line in s.lines] == [str(w.part.id)]


# --- one slip and a work order's delivery notes ------------------------------------------------------------------


def _sheet(cookie: str, suffix: str = "") -> IssueSheetState:
    return make_state(IssueSheetState, token=cookie, path=f"/parts/issues/{FORGED_ID}{suffix}",
                      route=f"/parts/issues/[{ISSUE_ARG}]{suffix}", query={ISSUE_ARG: str(FORGED_ID)})


def run_sheet_load(cookie, w):
    s = _sheet(cookie, "/print")
    return s, drive(s.load())


def refused_sheet_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/issues/{FORGED_ID}/print")
    assert s.found is False and s.sheet.number == "" and s.sheet.lines == []


def run_delivery_load(cookie, w):
    s = make_state(DeliveryNotesState, token=cookie, path=f"/parts/orders/{w.order.id}/delivery",
                   route=f"/parts/orders/[{PICK_ROUTE_ARG}]/delivery", query={PICK_ROUTE_ARG: str(w.order.id)})
    return s, drive(s.load())


def refused_delivery_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/orders/{w.order.id}/delivery")
    assert s.found is False and s.number == "" and s.notes == []


# --- /parts/prices/adjust ----------------------------------------------------------------------------------------


def _adjust(cookie: str) -> PriceAdjustState:
    return make_state(PriceAdjustState, token=cookie, path="/parts/prices/adjust")


def run_adjust_load(cookie, w):
    s = _adjust(cookie)
    return s, drive(s.load())


def refused_adjust_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/prices/adjust")
    assert s.categories == [] and s.suppliers == [] and s.recent == []


def run_adjust_search(cookie, w):
    s = _adjust(cookie)
    return s, drive(s.search({"part_query": "机油"}))


def run_adjust_search_history(cookie, w):
    s = _adjust(cookie)
    return s, drive(s.search_history({"part_query": "机油"}))


def refused_adjust_search(s, result, w, visitor):
    visitor.was_told(s.errors["part_query"])
    assert s.choices == [] and s.history_choices == []


def run_preview(cookie, w):
    s = _adjust(cookie)
    s.key = "adjust-1"
    return s, drive(s.preview({"category": "", "rule": "percent", "percent": "5", "rounding": "1",
                               "request_key": "adjust-1"}))


def refused_preview(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.shown.id == 0 and s.recent == []


def run_open(cookie, w):
    s = _adjust(cookie)
    return s, drive(s.open(FORGED_ID))


def run_act(cookie, w):
    s = _adjust(cookie)
    s.shown = Shown(id=FORGED_ID)
    return s, drive(s.act("apply"))


def refused_adjustment(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.shown.lines == [] and s.actions == [] and s.recent == []


def run_show_history(cookie, w):
    s = _adjust(cookie)
    return s, drive(s.show_history(str(w.part.id)))


def refused_show_history(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.history == [] and s.history_part == ""


CASES = [
    ("IssuesState.load", P.VIEW_STOCK_REPORTS, run_issues_load, refused_issues_load),
    ("IssuesState.set_kind", P.VIEW_STOCK_REPORTS, run_set_kind, refused_set_kind),
    ("IssuesState.search", P.MOVE_STOCK, run_issue_search, refused_issue_search),
    ("IssuesState.scan", P.MOVE_STOCK, run_issue_scan, refused_issue_search),
    ("IssuesState.submit", P.MOVE_STOCK, run_issue_submit, refused_issue_submit),
    ("IssueSheetState.load", P.VIEW_STOCK_REPORTS, run_sheet_load, refused_sheet_load),
    ("DeliveryNotesState.load", P.MOVE_STOCK, run_delivery_load, refused_delivery_load),
    ("PriceAdjustState.load", P.ADJUST_PRICES, run_adjust_load, refused_adjust_load),
    ("PriceAdjustState.search", P.ADJUST_PRICES, run_adjust_search, refused_adjust_search),
    ("PriceAdjustState.search_history", P.ADJUST_PRICES, run_adjust_search_history, refused_adjust_search),
    ("PriceAdjustState.preview", P.ADJUST_PRICES, run_preview, refused_preview),
    ("PriceAdjustState.open", P.ADJUST_PRICES, run_open, refused_adjustment),
    ("PriceAdjustState.act", P.ADJUST_PRICES, run_act, refused_adjustment),
    ("PriceAdjustState.show_history", P.VIEW_PARTS, run_show_history, refused_show_history),
]
