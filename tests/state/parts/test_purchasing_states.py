"""Buying parts driven through the screens' states as a browser would: the plan turned into orders, a manager's
approval above the amount, placing, receiving by scanning in two goes, a purchase return, the printed order and the
supplier's link; refusals shown beside their fields, double taps posting once; 在途 on the catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest
import reflex as rx
from sqlmodel import func, select

import models
from lantong_pwa.services.parts import stock
from models import PurchaseOrderStatus as S
from state.parts.parts import PartsCatalogueState
from state.parts.purchasing import (
    ORDER_ARG,
    RECEIPT_ARG,
    PurchaseOrderPrintState,
    PurchaseOrderState,
    PurchasingState,
    ReceiptState,
    ReceiveState,
    SupplierOrderState,
)
from tests.services.parts.purchasing_scene import Buying
from tests.state.harness import (
    drive,
    is_toast,
    make_state,
    redirects_in,
    set_page,
    substate,
    toast_text,
    token_for,
)

D = Decimal


@pytest.fixture
def buy(app_engine, shop, session) -> Buying:
    scene = Buying(session, shop)
    session.add(models.StockLimit(branch_id=shop.branch.id, part_id=scene.pads.id, warehouse_id=scene.main.id,
                                  minimum=D("2"), maximum=D("10")))
    session.commit()
    return scene


def order_state(cookie, cls, order_id, suffix=""):
    return make_state(cls, token=cookie, path=f"/purchasing/orders/{order_id}{suffix}",
                      route=f"/purchasing/orders/[{ORDER_ARG}]{suffix}", query={ORDER_ARG: str(order_id)})


def supplier_page(token: str) -> SupplierOrderState:
    """The supplier's link as a phone opens it: no cookie at all."""
    state = substate(rx.State(), SupplierOrderState)
    set_page(state, f"/po/{token}", route="/po/[token]", query={"token": token})
    return state


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_plan_to_order_to_receipt_to_return(session, buy):
    clerk = token_for(session, buy.clerk)
    manager = token_for(session, buy.manager)
    buy.set_branch(purchase_approval_amount=D("1000.00"))

    plan = make_state(PurchasingState, token=clerk, path="/purchasing")
    assert drive(plan.load()) is None
    [row] = plan.plan
    assert (row.name, row.quantity, row.supplier_id) == ("前刹车片", "10", str(buy.beta.id))
    assert "低于安全库存" in row.reasons and "库存 0 · 在途 0" in row.figures
    # A bad quantity is told beside its row and nothing is made.
    result = drive(plan.create_orders({f"quantity.{row.part_id}": "-3", f"supplier_id.{row.part_id}": row.supplier_id,
                                       "request_key": plan.plan_key}))
    assert is_toast(result, "error") and "不能为负数" in plan.plan_errors[f"quantity.{row.part_id}"]
    assert count(session, models.PurchaseOrder) == 0
    form = {f"quantity.{row.part_id}": "10", f"supplier_id.{row.part_id}": str(buy.acme.id),
            "request_key": plan.plan_key}
    assert is_toast(drive(plan.create_orders(form)), "success")
    assert drive(plan.create_orders(form)) is None, "the second tap of a double tap makes nothing"
    assert count(session, models.PurchaseOrder) == 1
    assert plan.plan == [] and plan.tab == "orders"
    [listed] = plan.orders
    assert (listed.supplier, listed.status, listed.total) == ("华南汽配", "草稿", "¥3,000.00")

    # Above the amount: the clerk cannot submit, a manager approves.
    page = order_state(clerk, PurchaseOrderState, listed.id)
    drive(page.load())
    assert page.found and page.can_edit and page.approval_note
    assert [b.action for b in page.buttons] == ["cancel"]
    drive(page.save_lines({"quantity.0": "8", "unit_price.0": "300", "note": "加急"}))
    assert page.total == "¥2,400.00" and page.note == "加急"
    result = drive(page.act("approve"))
    assert is_toast(result, "error") and "权限" in toast_text(result)
    boss = order_state(manager, PurchaseOrderState, listed.id)
    drive(boss.load())
    assert "approve" in [b.action for b in boss.buttons]
    assert is_toast(drive(boss.act("approve")), "success") and boss.status == "已审核"
    drive(page.load())
    assert not page.can_edit and "place" in [b.action for b in page.buttons]
    assert is_toast(drive(page.act("place")), "success") and page.status == "已下单"
    assert page.can_receive and page.can_share and page.share_url.endswith(
        "/po/" + buy.reload(buy.session.get(models.PurchaseOrder, listed.id)).share_token)

    # 在途 on the catalogue.
    catalogue = make_state(PartsCatalogueState, token=clerk, path="/parts")
    drive(catalogue.search({"query": "刹车片"}))
    assert "在途 8" in catalogue.results[0].stock

    # Receive 3 by scanning, then the rest later.
    receive = order_state(clerk, ReceiveState, listed.id, "/receive")
    drive(receive.load())
    line_id = receive.lines[0].id
    for _ in range(3):
        drive(receive.scan({"code": "6901234567892"}))
    assert receive.lines[0].quantity == "3" and receive.highlight_id == line_id
    result = drive(receive.scan({"code": "nope"}))
    assert is_toast(result[0], "error")
    key = receive.receive_key
    form = {f"quantity.{line_id}": "3", f"unit_price.{line_id}": "300", "freight": "12", "request_key": key}
    assert is_toast(drive(receive.receive(form)), "success")
    assert is_toast(drive(receive.receive(form)), "success"), "a resend posts once"
    assert count(session, models.GoodsReceipt) == 1 and receive.receive_key != key
    assert receive.lines[0].received == "3" and receive.status == "部分到货"
    too_many = {f"quantity.{line_id}": "6", f"unit_price.{line_id}": "300", "request_key": receive.receive_key}
    assert is_toast(drive(receive.receive(too_many)), "error")
    assert "本次最多收" in receive.errors[f"quantity.{line_id}"]
    rest = {f"quantity.{line_id}": "5", f"unit_price.{line_id}": "310", "request_key": receive.receive_key}
    drive(receive.receive(rest))
    assert receive.status == "已到货" and receive.flags == ["前刹车片：到货价¥310.00，订单价¥300.00"]
    assert buy.reload(buy.session.get(models.PurchaseOrder, listed.id)).status == S.RECEIVED

    # Return one unit from the second receipt at its cost.
    second = session.exec(select(models.GoodsReceipt).order_by(models.GoodsReceipt.id.desc())).first()
    receipt = make_state(ReceiptState, token=clerk, path=f"/purchasing/receipts/{second.id}",
                         route=f"/purchasing/receipts/[{RECEIPT_ARG}]", query={RECEIPT_ARG: str(second.id)})
    drive(receipt.load())
    assert receipt.found and receipt.can_return and receipt.lines[0].unit_cost == "¥310.0000"
    rid = receipt.lines[0].id
    result = drive(receipt.return_goods({f"quantity.{rid}": "9", "request_key": receipt.return_key}))
    assert is_toast(result, "error") and "最多还能退5" in receipt.return_errors[f"quantity.{rid}"]
    key = receipt.return_key
    assert is_toast(drive(receipt.return_goods({f"quantity.{rid}": "1", "reason": "破损", "request_key": key})),
                    "success")
    drive(receipt.return_goods({f"quantity.{rid}": "1", "reason": "破损", "request_key": key}))
    assert count(session, models.PurchaseReturn) == 1
    assert receipt.lines[0].returned == "1" and "¥310.00" in receipt.returns[0]
    balance = buy.balance(buy.pads)
    assert balance.on_hand == D("7.00")
    assert stock.rebuild_balances(session, buy.shop.branch.id) == []


def test_print_and_the_suppliers_link(session, buy):
    order = buy.order((buy.pads, 2, 300), status=S.ORDERED)
    clerk = token_for(session, buy.clerk)
    printed = order_state(clerk, PurchaseOrderPrintState, order.id, "/print")
    drive(printed.load())
    assert printed.found and printed.sheet.number == order.number and printed.sheet.total == "¥600.00"
    public = supplier_page(order.share_token)
    drive(public.load())
    assert public.found and public.sheet.supplier == "华南汽配" and public.sheet.lines[0].quantity == "2"
    wrong = supplier_page("nothing")
    drive(wrong.load())
    assert not wrong.found and wrong.error == "链接无效或采购单尚未确认" and wrong.sheet.number == ""


def test_other_roles_are_sent_away(session, buy):
    tech = token_for(session, buy.shop.technician)
    s = make_state(PurchasingState, token=tech, path="/purchasing")
    assert redirects_in(drive(s.load())) == ["/tasks"]
    assert s.plan == [] and s.orders == []


def test_the_pick_list_shows_what_is_in_transit(session, buy):
    from lantong_pwa.services.workshop import work_orders
    from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
    from tests.factories import add_vehicle
    from tests.state.parts.stock_cases import pick_state

    vehicle = add_vehicle(session, buy.shop.branch.id)
    order = work_orders.open_work_order(session, buy.shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="刹车",
        job_lines=[JobLineInput(name="换刹车片", hours="1", rate="100")],
        part_lines=[PartLineInput(part_id=buy.pads.id, quantity="2"), PartLineInput(part_id=buy.filter.id,
                                                                                    quantity="1")]))
    session.commit()
    buy.order((buy.pads, 4, 300), status=S.ORDERED)
    s = pick_state(token_for(session, buy.clerk), order.id)
    drive(s.load())
    assert {line.name: line.in_transit for line in s.lines} == {"前刹车片": "4", "机油滤清器": ""}


def test_a_counter_purchase_without_an_order(session, buy):
    s = make_state(PurchasingState, token=token_for(session, buy.clerk), path="/purchasing")
    drive(s.load())
    assert s.can_receive and [c.label for c in s.suppliers] == ["华南汽配", "鹏程配件"]
    drive(s.search_counter_parts({"part_query": "JL-001"}))
    s.add_counter_part(s.counter_choices[0].id)
    part = str(buy.filter.id)
    assert [line.id for line in s.counter_lines] == [part]
    form = {"warehouse_id": str(buy.main.id), f"quantity.{part}": "4", f"unit_price.{part}": "0",
            "request_key": s.counter_key}
    result = drive(s.counter_receive(form))
    assert is_toast(result, "error") and s.counter_errors == {"supplier_id": "没有采购单的入库请选择供应商"}
    result = drive(s.counter_receive({**form, "supplier_id": str(buy.beta.id)}))
    assert "请填写原因" in s.counter_errors[f"price_reason.{part}"]
    key = s.counter_key
    form = {**form, "supplier_id": str(buy.beta.id), f"unit_price.{part}": "18", "freight": "2"}
    assert is_toast(drive(s.counter_receive(form)), "success")
    assert drive(s.counter_receive(form)) is None, "the second tap of a double tap receives nothing"
    assert count(session, models.GoodsReceipt) == 1 and s.counter_key != key and s.counter_lines == []
    assert s.receipts[0].total == "¥74.00" and s.receipts[0].supplier == "鹏程配件"
    assert buy.balance(buy.filter).on_hand == D("4.00")
    manager = make_state(PurchasingState, token=token_for(session, buy.manager), path="/purchasing")
    drive(manager.load())
    assert manager.can_receive is False, "receiving moves stock: the parts clerk's"
