"""Role-check cases for stocktaking (``/parts/stocktake``, a sheet's counting and review, its printed list):
``run_*`` drives a handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``.

The review's load is quiet for anyone who may not post a stocktake (a clerk's counting phone opens the same page):
it loads nothing and says nothing."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.parts.stocktake import SHEET_ARG, CountPrintState, CountReviewState, CountSheetState, StocktakeState
from tests.state.harness import drive, is_toast, make_state, toast_text

UI_ONLY = {"StocktakeState.choose_scope": ("shelves",)}
FORGED_ID = 1  # a sheet named by a forged state, nothing loaded


def _toast(result):
    results = result if isinstance(result, list) else [result]
    toasts = [spec for spec in results if is_toast(spec, "error")]
    assert toasts, "the refused person is told"
    return toast_text(toasts[0])


def _list(cookie: str) -> StocktakeState:
    return make_state(StocktakeState, token=cookie, path="/parts/stocktake")


def _sheet(cookie: str, cls=CountSheetState, suffix: str = ""):
    s = make_state(cls, token=cookie, path=f"/parts/stocktake/{FORGED_ID}{suffix}",
                   route=f"/parts/stocktake/[{SHEET_ARG}]{suffix}", query={SHEET_ARG: str(FORGED_ID)})
    if cls is CountSheetState:
        s.sheet_id = FORGED_ID
    return s


def run_load(cookie, w):
    s = _list(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/parts/stocktake")
    assert s.sheets == [] and s.warehouses == [] and s.shelves == []


def run_choose_warehouse(cookie, w):
    s = _list(cookie)
    return s, drive(s.choose_warehouse("1"))


def refused_choose_warehouse(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.shelves == [] and s.categories == []


def run_create(cookie, w):
    s = _list(cookie)
    return s, drive(s.create({"warehouse_id": "1", "scope": "warehouse", "recount_threshold": "100",
                              "request_key": "sheet-1"}))


def refused_create(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.sheets == []


def run_sheet_load(cookie, w):
    s = _sheet(cookie)
    return s, drive(s.load())


def refused_sheet_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/stocktake/{FORGED_ID}")
    assert s.found is False and s.lines == [] and s.number == ""


def run_choose_shelf(cookie, w):
    s = _sheet(cookie)
    return s, drive(s.choose_shelf("A-01"))


def run_refresh(cookie, w):
    s = _sheet(cookie)
    return s, drive(s.refresh())


def refused_sheet_read(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.found is False and s.lines == []


def run_count(cookie, w):
    s = _sheet(cookie)
    return s, drive(s.count({"code": "JL-001", "quantity": "3", "request_key": "count-1"}))


def refused_count(s, result, w, visitor):
    visitor.was_told(s.count_errors["form"])
    assert s.lines == [] and s.last_counted == 0


def run_start(cookie, w):
    s = _sheet(cookie)
    return s, drive(s.start())


def run_cancel(cookie, w):
    s = _sheet(cookie)
    return s, drive(s.cancel())


def refused_sheet_change(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.found is False and s.lines == []


def _review(cookie: str) -> CountReviewState:
    return _sheet(cookie, CountReviewState)


def run_review_load(cookie, w):
    s = _review(cookie)
    return s, drive(s.load())


def refused_review_load(s, result, w, visitor):
    assert result is None, "a counting phone is neither told nor sent away"
    assert s.can_review is False and s.rows == [] and s.uncounted == [] and s.moves == []


def run_confirm(cookie, w):
    s = _review(cookie)
    return s, drive(s.confirm(1))


def run_post(cookie, w):
    s = _review(cookie)
    return s, drive(s.post())


def refused_review_change(s, result, w, visitor):
    visitor.was_told(_toast(result))
    assert s.rows == [] and s.can_post is False


def run_print_load(cookie, w):
    s = _sheet(cookie, CountPrintState, "/print")
    return s, drive(s.load())


def refused_print_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/parts/stocktake/{FORGED_ID}/print")
    assert s.found is False and s.shelves == []


CASES = [
    ("StocktakeState.load", P.COUNT_STOCK, run_load, refused_load),
    ("StocktakeState.choose_warehouse", P.COUNT_STOCK, run_choose_warehouse, refused_choose_warehouse),
    ("StocktakeState.create", P.COUNT_STOCK, run_create, refused_create),
    ("CountSheetState.load", P.COUNT_STOCK, run_sheet_load, refused_sheet_load),
    ("CountSheetState.choose_shelf", P.COUNT_STOCK, run_choose_shelf, refused_sheet_read),
    ("CountSheetState.refresh", P.COUNT_STOCK, run_refresh, refused_sheet_read),
    ("CountSheetState.count", P.COUNT_STOCK, run_count, refused_count),
    ("CountSheetState.start", P.COUNT_STOCK, run_start, refused_sheet_change),
    ("CountSheetState.cancel", P.COUNT_STOCK, run_cancel, refused_sheet_change),
    ("CountReviewState.load", P.POST_STOCKTAKE, run_review_load, refused_review_load),
    ("CountReviewState.confirm", P.POST_STOCKTAKE, run_confirm, refused_review_change),
    ("CountReviewState.post", P.POST_STOCKTAKE, run_post, refused_review_change),
    ("CountPrintState.load", P.COUNT_STOCK, run_print_load, refused_print_load),
]
