"""安全库存 driven as a browser would: the suggestions of the last 90 days, a setting changed and not recalculated
stops 应用, apply the chosen row, edit a limit by hand with its message; the clerk's 配件 then shows the part below
its minimum, and the manager's figures count it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

import models
from lantong_pwa.services.parts import stock
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from state.parts.safety_stock import SafetyStockState
from state.parts.stock import StockState
from state.platform.figures import FiguresState
from tests.factories import add_part, add_vehicle
from tests.state.harness import drive, is_toast, make_state, toast_text, token_for

D = Decimal


@pytest.fixture
def used(app_engine, shop, session):
    """6 brake pads received and all 6 picked today: 6 used in the last 90 days."""
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    pads = add_part(session, shop.branch.id, code="BP-01", name="刹车片")
    stock.receive_stock(session, clerk, main.id, pads.id, "6", "200")
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=add_vehicle(session, shop.branch.id).id, mileage_in="1000", fuel_level=2, complaint="刹车",
        job_lines=[JobLineInput(name="换刹车片", hours="1", rate="100")],
        part_lines=[PartLineInput(part_id=pads.id, quantity="6")]))
    line = session.exec(select(models.PartLine).where(models.PartLine.work_order_id == order.id)).one()
    stock.pick(session, clerk, line.id, main.id, "6")
    session.commit()
    return dict(shop=shop, main=main, pads=pads)


def limits(session) -> list[tuple[Decimal, Decimal]]:
    session.expire_all()
    return [(lim.minimum, lim.maximum) for lim in session.exec(select(models.StockLimit)).all()]


def test_the_clerk_applies_a_suggestion_and_sees_the_part_below_its_minimum(session, used):
    shop = used["shop"]
    cookie = token_for(session, shop.parts_clerk)
    s = make_state(SafetyStockState, token=cookie, path="/parts/safety-stock")
    assert drive(s.load()) is None
    assert s.safety_days == "3" and s.cover_days == "14" and "（90天）" in s.basis
    # 6 in 90 days: × (3 default lead days + 3 safety days) = 0.4 → 1; + 6/90 × 14 = 0.93 → 1: 1 / 2.
    assert [(r.code, r.warehouse, r.used, r.lead, r.on_hand, r.current, r.suggested) for r in s.rows] == [
        ("BP-01", "主仓库", "6", "3天（默认）", "0", "未设", "1 / 2")]
    key = s.rows[0].key

    drive(s.calculate({"start": s.start, "end": s.end, "safety_days": "-1", "cover_days": "14"}))
    assert s.errors == {"safety_days": "安全天数应为不小于0的整数"} and s.rows[0].suggested == "1 / 2"
    s.settings_changed("30")
    s.toggle(key, True)
    result = drive(s.apply_chosen())
    assert is_toast(result, "error") and "请先点「计算建议」再应用" in toast_text(result) and limits(session) == []
    drive(s.calculate({"start": s.start, "end": s.end, "safety_days": "30", "cover_days": "14"}))
    assert not s.stale and s.rows[0].suggested == "3 / 4" and s.chosen == [key]
    result = drive(s.apply_chosen())
    assert is_toast(result, "success") and limits(session) == [(D("3"), D("4"))]
    assert s.rows[0].current == "3 / 4" and s.to_change == 0 and s.chosen == []

    s.edit(key)
    drive(s.save_limit({"minimum": "5", "maximum": "2"}))
    assert s.edit_errors == {"maximum": "最高库存不能低于最低库存"} and limits(session) == [(D("3"), D("4"))]
    result = drive(s.save_limit({"minimum": "2", "maximum": "6"}))
    assert is_toast(result, "success") and s.editing == "" and limits(session) == [(D("2"), D("6"))]
    assert s.rows[0].current == "2 / 6"

    home = make_state(StockState, token=cookie, path="/parts")
    drive(home.load())
    assert home.low_stock_count == 1 and home.can_set_limits
    assert [(r.part, r.warehouse, r.figures, r.surplus) for r in home.low_stock] == [
        ("刹车片（BP-01）", "主仓库", "现有0个，最低2个，最高6个", [])]

    figures = make_state(FiguresState, token=token_for(session, shop.manager), path="/figures")
    drive(figures.load())
    assert figures.low_stock == 1


def test_others_see_no_low_stock_on_the_parts_screen(session, used):
    shop = used["shop"]
    session.add(models.StockLimit(branch_id=shop.branch.id, part_id=used["pads"].id, warehouse_id=used["main"].id,
                                  minimum=D("2"), maximum=D("6")))
    session.commit()
    s = make_state(StockState, token=token_for(session, shop.advisor), path="/parts")
    drive(s.load())
    assert s.low_stock == [] and s.low_stock_count == 0 and not s.can_set_limits
