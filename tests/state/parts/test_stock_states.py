"""The parts clerk's screens driven as a browser would: the workbench tabs, goods-in, the pick list with picks,
returns, a scanned code, a double tap; and what other roles get."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, func, select

import models
from lantong_pwa.services.parts import stock
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from state.parts.parts import PartsCatalogueState
from state.parts.stock import PickLineView, StockState
from tests.factories import add_part, add_vehicle
from tests.state.harness import (
    drive,
    is_toast,
    make_state,
    redirects_in,
    toast_text,
    token_for,
)
from tests.state.parts.stock_cases import pick_state

D = Decimal


@pytest.fixture
def scene(app_engine, shop, session):
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    oil = stock.create_warehouse(session, clerk, "YP", "油品库")
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B12345", make="丰田", model="卡罗拉")
    pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", price="420.00")
    oil_part = add_part(session, shop.branch.id, code="JY-01", name="全合成机油", price="368.00")
    stock.receive_stock(session, clerk, main.id, pads.id, "3", "200")
    stock.receive_stock(session, clerk, oil.id, oil_part.id, "10", "245")
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养+刹车",
        job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
        part_lines=[PartLineInput(part_id=pads.id, quantity="2"), PartLineInput(part_id=oil_part.id, quantity="1")]))
    return dict(shop=shop, main=main, oil=oil, pads=pads, oil_part=oil_part, order=order, vehicle=vehicle)


def lines(session, order) -> list[models.PartLine]:
    session.expire_all()
    return list(session.exec(select(models.PartLine).where(models.PartLine.work_order_id == order.id)
                             .order_by(models.PartLine.position)).all())


def moves(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(models.StockMove)).one()


def test_clerk_workbench_lists_pending_orders_and_takes_goods_in(session, scene):
    cookie = token_for(session, scene["shop"].parts_clerk)
    s = make_state(StockState, token=cookie, path="/parts")
    assert s.loaded is False, "the page shows a spinner, not the 库存 tab, until the server has answered"
    assert drive(s.load()) is None
    assert s.loaded and s.can_move_stock is True and s.tab == "pending"
    assert [(w.code, w.name) for w in s.warehouses] == [("ZK", "主仓库"), ("YP", "油品库")]
    assert [(p.number, p.plate) for p in s.pending] == [(scene["order"].number, "粤B12345")]
    assert s.pending[0].to_pick == "待领 2 项：前刹车片、全合成机油"
    assert s.pending[0].url == f"/parts/orders/{scene['order'].id}"

    s.set_tab("receive")
    drive(s.search_receipt_parts({"part_query": "刹车"}))
    assert [c.label for c in s.receipt_choices] == ["前刹车片（SCP-01）"]
    s.choose_receipt_part(s.receipt_choices[0].id)
    assert s.receipt_part_id == scene["pads"].id and s.receipt_cost == "20.00"
    key = s.receipt_key
    form = {"warehouse_id": str(scene["main"].id), "quantity": "2", "unit_cost": "230", "kind": "receipt",
            "note": "供应商A", "request_key": key}
    result = drive(s.receive(form))
    assert s.receipt_errors == {} and is_toast(result, "success")
    assert s.recent_receipts == ["入库 · 主仓库 · 前刹车片（SCP-01） +2 @ ¥230.00"]
    assert s.receipt_key != key and s.receipt_part_id == 0
    drive(s.receive(form))  # the second tap of a double tap, with the key the button carried
    assert moves(session) == 3 and len(s.recent_receipts) == 1
    balance = session.exec(select(models.StockBalance).where(models.StockBalance.part_id == scene["pads"].id)).one()
    assert (balance.on_hand, balance.average_cost) == (D("5.00"), D("212.0000"))

    drive(s.receive({"warehouse_id": str(scene["main"].id), "quantity": "0", "unit_cost": "x"}))
    assert set(s.receipt_errors) >= {"quantity", "unit_cost", "part_id"}

    s.set_tab("warehouses")
    result = drive(s.create_warehouse({"code": "bj", "name": "备件库"}))
    assert is_toast(result, "success") and [w.code for w in s.warehouses] == ["ZK", "YP", "BJ"]
    drive(s.create_warehouse({"code": "bj", "name": "备件库"}))  # double tap
    assert s.warehouse_errors == {}
    drive(s.create_warehouse({"code": "ZK", "name": "又一个"}))
    assert s.warehouse_errors == {"code": "仓库编码ZK已存在"}
    assert session.exec(select(func.count()).select_from(models.Warehouse)).one() == 3


def test_clerk_picks_returns_and_scans_on_the_pick_list(session, scene):
    cookie = token_for(session, scene["shop"].parts_clerk)
    order = scene["order"]
    s = pick_state(cookie, order.id)
    assert drive(s.load()) is None
    assert s.found and s.number == order.number and s.plate == "粤B12345" and s.title == "丰田 卡罗拉"
    assert s.can_pick
    main, oil = str(scene["main"].id), str(scene["oil"].id)
    assert [(v.name, v.planned, v.remaining, v.warehouse_id, v.on_hand) for v in s.lines] == [
        ("前刹车片", "2", "2", main, "3"), ("全合成机油", "1", "1", oil, "10")], "each line where its part is"
    assert [c.label for c in s.lines[0].choices] == ["主仓库 · 现有3", "油品库 · 现有0"]
    s.choose_warehouse(s.lines[0].id, oil)
    assert [(v.warehouse_id, v.on_hand) for v in s.lines] == [(oil, "0"), (oil, "10")], "only that line changes"
    s.choose_warehouse(s.lines[0].id, "999")  # not one of the branch's warehouses: ignored
    assert s.lines[0].warehouse_id == oil
    result = drive(s.pick({"line_id": str(s.lines[0].id), "quantity": "2", "request_key": s.move_key}))
    assert "前刹车片（SCP-01）库存不足：油品库现有0个，本次要领2个；主仓库有3个" in toast_text(result)
    s.choose_warehouse(s.lines[0].id, main)

    pads_id = s.lines[0].id
    key = s.move_key
    result = drive(s.pick({"line_id": str(pads_id), "quantity": "1", "request_key": key}))
    assert is_toast(result, "success")
    assert (s.lines[0].picked, s.lines[0].remaining, s.lines[0].on_hand) == ("1", "1", "2")
    assert s.lines[0].warehouse_id == main, "the clerk's choice survives the reload after a move"
    assert s.move_key != key and s.highlight_id == pads_id
    drive(s.pick({"line_id": str(pads_id), "quantity": "1", "request_key": key}))  # double tap: same key
    assert lines(session, order)[0].picked_quantity == D("1.00") and moves(session) == 3

    result = drive(s.pick({"line_id": str(pads_id), "quantity": "5", "request_key": s.move_key}))
    assert is_toast(result, "error") and "本次最多还能领1" in toast_text(result)

    s.open_return(pads_id)
    assert s.returning_id == pads_id
    result = drive(s.return_part({"line_id": str(pads_id), "quantity": "1", "request_key": s.move_key}))
    assert is_toast(result, "success") and s.returning_id == 0
    assert (s.lines[0].returned, s.lines[0].on_hand, s.lines[0].can_return) == ("1", "3", False)

    result = drive(s.scan({"code": "jy-01", "quantity": "", "request_key": s.move_key}))
    assert is_toast(result[0], "success") and s.lines[1].picked == "1" and s.lines[1].done is True
    result = drive(s.scan({"code": "NOPE", "request_key": s.move_key}))
    assert is_toast(result, "error") and f"工单{order.number}没有编码为NOPE的配件" in toast_text(result)
    s.choose_warehouse(s.lines[0].id, oil)
    result = drive(s.scan({"code": "SCP-01", "request_key": s.move_key}))  # in the oil store there are no brake pads
    assert "库存不足：油品库现有0个，本次要领1个；主仓库有3个" in toast_text(result)
    assert [(line.picked_quantity, line.returned_quantity) for line in lines(session, order)] == [
        (D("1.00"), D("1.00")), (D("1.00"), D("0.00"))]


def test_the_pick_list_of_a_settled_order_refuses_moves(session, scene):
    cookie = token_for(session, scene["shop"].parts_clerk)
    order = session.get(models.WorkOrder, scene["order"].id)
    s = pick_state(cookie, order.id)
    drive(s.load())
    order.status = models.WorkOrderStatus.SETTLED
    session.add(order)
    session.commit()
    result = drive(s.pick({"line_id": str(s.lines[0].id), "quantity": "1", "request_key": s.move_key}))
    assert is_toast(result, "error") and f"工单{order.number}已结算，不能领料" in toast_text(result)
    assert moves(session) == 2
    assert drive(s.load()) is None and s.found and not s.can_pick, "read afresh, the list offers no picks"


def test_other_roles_see_stock_but_not_the_clerks_tools(session, scene):
    advisor = token_for(session, scene["shop"].advisor)
    s = make_state(StockState, token=advisor, path="/parts")
    assert drive(s.load()) is None
    assert s.can_move_stock is False and s.tab == "stock" and s.pending == []
    catalogue = make_state(PartsCatalogueState, token=advisor, path="/parts")
    drive(catalogue.search({"query": "SCP"}))
    assert [(r.code, r.stock) for r in catalogue.results] == [("SCP-01", "主仓库 3")]
    drive(catalogue.search({"query": "机油"}))
    assert [r.stock for r in catalogue.results] == ["油品库 10"]

    p = pick_state(advisor, scene["order"].id)
    assert redirects_in(drive(p.load())) == ["/intake"] and p.lines == []


def test_another_branchs_clerk_gets_nothing_of_this_branch(session, scene):
    shop = scene["shop"]
    stranger = models.User(username="otherclerk", display_name="外店库管", password_hash=shop.advisor.password_hash,
                           role=models.Role.PARTS_CLERK, branch_id=shop.other_branch.id)
    session.add(stranger)
    session.commit()
    cookie = token_for(session, stranger)
    s = pick_state(cookie, scene["order"].id)
    assert drive(s.load()) is None
    assert s.found is False and s.lines == [] and s.error == "记录不存在或无权查看"
    s.pick_id = scene["order"].id
    s.lines = [PickLineView(id=lines(session, scene["order"])[0].id, warehouse_id=str(scene["main"].id))]
    result = drive(s.pick({"line_id": str(lines(session, scene["order"])[0].id), "quantity": "1", "request_key": "x"}))
    assert is_toast(result, "error") and moves(session) == 2
    w = make_state(StockState, token=cookie, path="/parts")
    drive(w.load())
    assert w.pending == [] and w.warehouses == []
    with Session(session.get_bind()) as check:
        assert check.exec(select(func.count()).select_from(models.StockMove)).one() == 2
