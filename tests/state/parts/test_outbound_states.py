"""Internal use, delivery notes and 调价 screens driven as a browser would: the clerk's slip with a search, a scan
and a double tap, the slip's page, an order's delivery notes; the manager's preview, apply and price history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

import models
from lantong_pwa.services.finance import expense_categories
from lantong_pwa.services.parts import stock
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from tests.factories import add_part, add_vehicle
from tests.state.harness import drive, is_toast, make_state, redirects_in, toast_text, token_for
from state.parts.price_adjustments import PriceAdjustState
from state.parts.stock import PICK_ROUTE_ARG
from state.parts.stock_issues import ISSUE_ARG, DeliveryNotesState, IssueSheetState, IssuesState

D = Decimal


@pytest.fixture
def scene(app_engine, shop, session):
    clerk = shop.parts_clerk
    expense_categories.seed_defaults(session, shop.branch.id)
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    rags = add_part(session, shop.branch.id, code="HZ-01", name="擦车布", price="5.00", category="耗材")
    wax = add_part(session, shop.branch.id, code="XC-02", name="洗车液", price="30.00", category="耗材")
    session.add(models.PartBarcode(branch_id=shop.branch.id, part_id=wax.id, barcode="6900000000017"))
    stock.receive_stock(session, clerk, main.id, rags.id, "10", "2")
    stock.receive_stock(session, clerk, main.id, wax.id, "4", "12")
    session.commit()
    return dict(shop=shop, main=main, rags=rags, wax=wax)


def test_clerk_makes_an_internal_use_slip_once_and_opens_it(session, scene):
    cookie = token_for(session, scene["shop"].parts_clerk)
    s = make_state(IssuesState, token=cookie, path="/parts/issues")
    assert drive(s.load()) is None
    assert s.can_issue and s.warehouse_id == str(scene["main"].id)
    assert [c.label for c in s.categories] == ["店内耗材", "洗车房", "工具损耗", "办公用品", "其他费用"]
    drive(s.set_kind("gift"))
    assert [c.label for c in s.categories] == ["促销赠品"]
    drive(s.set_kind("internal_use"))

    drive(s.search({"part_query": "擦车"}))
    assert [c.label for c in s.choices] == ["擦车布（HZ-01）· 库存10"]
    s.add_part(s.choices[0].id)
    drive(s.scan("6900000000017"))
    drive(s.scan("NOPE"))
    assert s.errors == {"part_query": "没有找到条码或编码为NOPE的配件"}
    assert [(line.label, line.on_hand) for line in s.lines] == [("擦车布（HZ-01）", "10"), ("洗车液（XC-02）", "4")]
    wash_bay = next(c.id for c in s.categories if c.label == "洗车房")
    rags, wax = scene["rags"].id, scene["wax"].id

    result = drive(s.submit({f"quantity.{rags}": "3", f"quantity.{wax}": "9", "expense_category_id": wash_bay,
                             "request_key": s.key}))
    assert is_toast(result, "error") and s.errors == {f"quantity.{wax}": "洗车液（XC-02）库存不足：主仓库现有4，本次要领用9"}
    key = s.key
    result = drive(s.submit({f"quantity.{rags}": "3", f"quantity.{wax}": "1", "expense_category_id": wash_bay,
                             "recipient": "小王", "request_key": key}))
    [url] = redirects_in(result)
    assert s.lines == [] and s.key != key
    assert drive(s.submit({"request_key": key})) is None  # the second tap of a double tap
    assert session.exec(select(func.count()).select_from(models.StockIssue)).one() == 1

    issue_id = url.rsplit("/", 1)[1]
    sheet = make_state(IssueSheetState, token=cookie, path=url, route=f"/parts/issues/[{ISSUE_ARG}]",
                       query={ISSUE_ARG: issue_id})
    assert drive(sheet.load()) is None
    assert (sheet.sheet.kind, sheet.sheet.category, sheet.sheet.recipient, sheet.sheet.total) == (
        "内部领料", "洗车房", "小王", "¥18.00")  # 3 × 2 + 1 × 12
    assert [(line.code, line.quantity, line.value) for line in sheet.sheet.lines] == [
        ("HZ-01", "3", "¥6.00"), ("XC-02", "1", "¥12.00")]
    drive(s.load())
    assert [(row.kind, row.category, row.total) for row in s.issues] == [("内部领料", "洗车房", "¥18.00")]


def test_delivery_notes_of_an_order(session, scene):
    shop = scene["shop"]
    vehicle = add_vehicle(session, shop.branch.id)
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="洗车",
        job_lines=[JobLineInput(name="洗车", hours="1", rate="50")],
        part_lines=[PartLineInput(part_id=scene["wax"].id, quantity="1")]))
    line = session.exec(select(models.PartLine).where(models.PartLine.work_order_id == order.id)).one()
    stock.pick(session, shop.parts_clerk, line.id, scene["main"].id, "1", request_key="p")
    session.commit()
    s = make_state(DeliveryNotesState, token=token_for(session, shop.parts_clerk),
                   path=f"/parts/orders/{order.id}/delivery", route=f"/parts/orders/[{PICK_ROUTE_ARG}]/delivery",
                   query={PICK_ROUTE_ARG: str(order.id)})
    assert drive(s.load()) is None
    assert s.found and s.number == order.number and s.header == shop.branch.name
    assert [(n.warehouse, [(x.code, x.quantity, x.payer) for x in n.lines]) for n in s.notes] == [
        ("主仓库", [("XC-02", "1", "")])]


def test_manager_previews_applies_and_reads_the_history(session, scene):
    cookie = token_for(session, scene["shop"].manager)
    s = make_state(PriceAdjustState, token=cookie, path="/parts/prices/adjust")
    assert drive(s.load()) is None
    assert s.categories == ["耗材"]
    result = drive(s.preview({"category": "耗材", "rule": "percent", "percent": "abc", "rounding": "1",
                              "request_key": s.key}))
    assert is_toast(result, "error") and s.errors == {"percent": "百分比应为数字"} and s.shown.id == 0
    drive(s.preview({"category": "耗材", "rule": "percent", "percent": "10", "rounding": "0.1",
                     "request_key": s.key}))
    assert (s.shown.count, s.shown.status, s.actions) == (2, "待执行", ["apply", "cancel"])
    assert [(line.code, line.old, line.new) for line in s.shown.lines] == [
        ("HZ-01", "¥5.00", "¥5.50"), ("XC-02", "¥30.00", "¥33.00")]
    assert s.shown.what == "类别：耗材 · 按售价调整 +10% · 取整到角"
    result = drive(s.act("apply"))
    assert is_toast(result, "success") and s.shown.status == "已执行" and s.actions == []
    result = drive(s.act("apply"))  # a second tab still showing the button
    assert is_toast(result, "error") and "调价单已执行或已作废" in toast_text(result)
    session.expire_all()
    assert s.actions == [] and session.get(models.Part, scene["wax"].id).sale_price == D("33.00")
    assert [row.status for row in s.recent] == ["已执行"]

    drive(s.search_history({"part_query": "洗车液"}))
    drive(s.show_history(s.history_choices[0].id))
    assert s.history_part.startswith("洗车液（XC-02）")
    assert [(h.old, h.new) for h in s.history] == [("¥30.00", "¥33.00")]
