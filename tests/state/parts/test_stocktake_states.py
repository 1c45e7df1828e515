"""Stocktaking screens driven as a browser would: a clerk makes a sheet and counts blind (typed, scanned, a bad
count, a double tap); the manager's review shows the variances and posts them."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.services.parts import stock
from models import CountEntry, CountSheet, StockMove, StockMoveKind
from state.parts.stocktake import (
    SHEET_ARG,
    CountPrintState,
    CountReviewState,
    CountRow,
    CountSheetState,
    StocktakeState,
)
from tests.factories import add_part
from tests.state.harness import drive, is_toast, make_state, redirects_in, token_for

D = Decimal
BOOKS = ("on_hand", "expected", "variance", "average_cost", "value")


@pytest.fixture
def scene(app_engine, shop, session):
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    session.commit()
    pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", shelf="A-01", default_warehouse_id=main.id)
    oil = add_part(session, shop.branch.id, code="JY-01", name="全合成机油", shelf="B-02", default_warehouse_id=main.id)
    stock.receive_stock(session, clerk, main.id, pads.id, "13", "200")
    stock.receive_stock(session, clerk, main.id, oil.id, "10", "245")
    session.commit()
    return dict(shop=shop, main=main, pads=pads, oil=oil)


def sheet_state(cls, cookie: str, sheet_id: int):
    s = make_state(cls, token=cookie, path=f"/parts/stocktake/{sheet_id}", route=f"/parts/stocktake/[{SHEET_ARG}]",
                   query={SHEET_ARG: str(sheet_id)})
    return s


def test_a_clerk_counts_blind_and_the_manager_posts(session, scene):
    clerk = token_for(session, scene["shop"].parts_clerk)
    listing = make_state(StocktakeState, token=clerk, path="/parts/stocktake")
    assert drive(listing.load()) is None
    assert listing.shelves == ["A-01", "B-02"] and [w.label for w in listing.warehouses] == ["主仓库"]
    result = drive(listing.create({"warehouse_id": str(scene["main"].id), "scope": "shelves", "value.A-01": "on",
                                   "recount_threshold": "5000", "request_key": listing.new_key}))
    sheet = session.exec(select(CountSheet)).one()
    assert redirects_in(result) == [f"/parts/stocktake/{sheet.id}"]

    printed = make_state(CountPrintState, token=clerk, path=f"/parts/stocktake/{sheet.id}/print",
                         route=f"/parts/stocktake/[{SHEET_ARG}]/print", query={SHEET_ARG: str(sheet.id)})
    assert drive(printed.load()) is None and printed.found
    assert [(p.shelf, [(r.code, r.counted) for r in p.lines]) for p in printed.shelves] == [("A-01", [("SCP-01", "")])]

    s = sheet_state(CountSheetState, clerk, sheet.id)
    drive(s.load())
    assert s.can_start and not s.can_count and [r.code for r in s.lines] == ["SCP-01"]
    drive(s.start())
    assert s.can_count and s.status == "盘点中"
    bad = drive(s.count({"code": "SCP-01", "quantity": "-2", "request_key": s.count_key}))
    assert bad is None and s.count_errors == {"quantity": "盘点数量不能为负数"} and s.error_line == 0
    line_id = s.lines[0].id
    form = {"line_id": str(line_id), "quantity": "12", "request_key": s.count_key}
    assert is_toast(drive(s.count(form))[0], "success")
    drive(s.count(form))  # a double tap: same key
    assert session.exec(select(CountEntry)).all()[0].quantity == D("12.00")
    assert len(session.exec(select(CountEntry)).all()) == 1
    assert (s.lines[0].counted, s.progress) == ("12", "已盘 1/1")
    # Blind: nothing on the counting screen says what the books hold.
    assert not {f.name for f in dataclasses.fields(CountRow)} & set(BOOKS)
    assert not any(name in BOOKS for name in CountSheetState.vars)
    clerk_review = sheet_state(CountReviewState, clerk, sheet.id)
    assert drive(clerk_review.load()) is None and clerk_review.rows == [] and not clerk_review.can_review

    manager = token_for(session, scene["shop"].manager)
    review = sheet_state(CountReviewState, manager, sheet.id)
    drive(review.load())
    assert review.can_post and [(r.code, r.expected, r.counted, r.variance, r.value) for r in review.rows] == [
        ("SCP-01", "13", "12", "-1", "-¥200.00")]
    assert review.loss == "¥200.00" and review.uncounted == []
    result = drive(review.post())
    assert is_toast(result[0], "success")
    drive(review.load())
    assert [(m.code, m.kind, m.quantity) for m in review.moves] == [("SCP-01", "盘点盈亏", "-1")]
    move = session.exec(select(StockMove).where(StockMove.kind == StockMoveKind.STOCKTAKE)).one()
    assert (move.quantity, move.unit_cost, move.document_type, move.document_id) == (
        D("-1.00"), D("200.0000"), "count_sheet", sheet.id)
