"""The purchase plan (P1): shortfalls from minimums and from open work orders, net of what is on order and in
transit; suggested quantities and suppliers; one order per supplier; and one shortfall never suggested twice, built
twice or turned into orders by two clerks at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.parts import purchase_orders as po
from lantong_pwa.services.parts import purchase_plan, stock
from lantong_pwa.services.parts.purchase_plan import PlanLine
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import PurchaseOrder, PurchaseOrderLine, StockLimit, Vehicle
from models import PurchaseOrderStatus as S
from tests.conftest import refusal
from tests.factories import add_vehicle
from tests.races import race
from tests.services.parts.purchasing_scene import Buying, key

D = Decimal


@pytest.fixture
def buy(session, shop) -> Buying:
    return Buying(session, shop)


def limit(buy: Buying, part, minimum, maximum) -> None:
    buy.session.add(StockLimit(branch_id=buy.shop.branch.id, part_id=part.id, warehouse_id=buy.main.id,
                               minimum=D(minimum), maximum=D(maximum)))
    buy.session.commit()


def on_hand(buy: Buying, part, quantity) -> None:
    stock.receive_stock(buy.session, buy.clerk, buy.main.id, part.id, quantity, "10", request_key=key())
    buy.session.commit()


def work_order(buy: Buying, *parts):
    n = len(buy.session.exec(select(PurchaseOrder.id)).all()) + len(buy.session.exec(select(Vehicle.id)).all())
    vehicle = add_vehicle(buy.session, buy.shop.branch.id, plate=f"粤B{n:05d}", mobile=f"1390000{n:04d}")
    order = work_orders.open_work_order(buy.session, buy.shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
        part_lines=[PartLineInput(part_id=part.id, quantity=qty) for part, qty in parts]))
    buy.session.commit()
    return order


def plan(buy: Buying) -> dict[int, purchase_plan.Shortfall]:
    return {s.part.id: s for s in purchase_plan.build(buy.session, buy.clerk)}


def test_below_the_minimum_suggests_up_to_the_maximum_from_the_cheapest_offer(buy):
    limit(buy, buy.pads, "5", "20")
    on_hand(buy, buy.pads, "2")
    shortfall = plan(buy)[buy.pads.id]
    assert shortfall.quantity == D("18.00")
    assert shortfall.supplier_id == buy.beta.id and "报价最低" in shortfall.supplier_reason
    assert shortfall.unit_price == D("280.00") and shortfall.warehouse_id == buy.main.id
    assert any("低于安全库存" in reason for reason in shortfall.reasons)


def test_at_or_above_the_minimum_nothing_is_suggested(buy):
    limit(buy, buy.pads, "5", "20")
    on_hand(buy, buy.pads, "5")
    assert plan(buy) == {}


def test_work_orders_stock_cannot_cover_are_short_and_the_offer_minimum_rounds_up(buy):
    on_hand(buy, buy.filter, "1")
    work_order(buy, (buy.filter, "3"), (buy.pads, "1"))
    shortfalls = plan(buy)
    assert shortfalls[buy.filter.id].quantity == D("2.00") and shortfalls[buy.filter.id].demand == D("3.00")
    assert shortfalls[buy.pads.id].quantity == D("4.00"), "beta sells pads by four"


def test_in_transit_and_drafts_are_netted_out(buy, session):
    limit(buy, buy.pads, "5", "20")
    order = buy.order((buy.pads, 3, 280), supplier=buy.beta, status=S.ORDERED)
    shortfall = plan(buy)[buy.pads.id]
    assert (shortfall.in_transit, shortfall.on_order, shortfall.quantity) == (D("3.00"), D("3.00"), D("17.00"))
    buy.receive(order, (buy.lines(order)[0], 2))
    shortfall = plan(buy)[buy.pads.id]
    assert (shortfall.on_hand, shortfall.in_transit, shortfall.quantity) == (D("2.00"), D("1.00"), D("17.00"))
    buy.order((buy.pads, 2, 280))  # a draft: 5 on hand and on order, no longer below the minimum
    assert plan(buy) == {}


def test_the_plan_becomes_one_draft_per_supplier_and_is_not_suggested_again(buy, session):
    limit(buy, buy.pads, "5", "20")
    work_order(buy, (buy.filter, "3"))
    first = plan(buy)
    assert plan(buy).keys() == first.keys(), "building twice suggests the same"
    lines = [PlanLine(part_id=s.part.id, supplier_id=s.supplier_id, quantity=str(s.quantity)) for s in first.values()]
    orders = purchase_plan.create_orders(session, buy.clerk, lines, key())
    session.commit()
    assert sorted((o.supplier_id, o.status) for o in orders) == sorted([(buy.beta.id, S.DRAFT), (buy.acme.id, S.DRAFT)])
    assert plan(buy) == {}
    with refusal(session, match="采购计划已变化：前刹车片"):
        purchase_plan.create_orders(session, buy.clerk, lines[:1] if lines[0].part_id == buy.pads.id else lines[1:],
                                    key())


def test_the_clerk_edits_quantities_and_suppliers(buy, session):
    limit(buy, buy.pads, "5", "20")
    orders = purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.pads.id, buy.acme.id, "6")], key())
    session.commit()
    line = session.exec(select(PurchaseOrderLine)).one()
    assert (orders[0].supplier_id, line.quantity, line.unit_price) == (buy.acme.id, D("6.00"), D("300.00"))


def test_bad_plan_lines_are_told_beside_the_part(buy, session):
    limit(buy, buy.pads, "5", "20")
    with refusal(session, FormErrors) as caught:
        purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.pads.id, "", "6")], key())
    assert caught.value.errors == {f"supplier_id.{buy.pads.id}": "请选择供应商"}
    with refusal(session, FormErrors) as caught:
        purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.pads.id, buy.acme.id, "-6")], key())
    assert "不能为负数" in caught.value.errors[f"quantity.{buy.pads.id}"]
    with refusal(session, match="请至少保留一种配件"):
        purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.pads.id, buy.acme.id, "0")], key())
    assert session.exec(select(PurchaseOrder)).all() == []


def test_a_resent_plan_makes_its_orders_once(buy, session):
    limit(buy, buy.pads, "5", "20")
    k = key()
    first = purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.pads.id, buy.acme.id, "6")], k)
    session.commit()
    again = purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.pads.id, buy.acme.id, "6")], k)
    assert [o.id for o in again] == [o.id for o in first]
    assert len(session.exec(select(PurchaseOrder)).all()) == 1


def test_two_clerks_turning_the_plan_into_orders_at_once_order_once(app_engine, buy, session):
    limit(buy, buy.pads, "5", "20")
    work_order(buy, (buy.filter, "3"))
    lines = [PlanLine(s.part.id, s.supplier_id, str(s.quantity)) for s in plan(buy).values()]
    results = race([lambda db: purchase_plan.create_orders(db, buy.clerk, lines, key()) for _ in range(3)])
    made = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == 2
    assert all("采购计划已变化" in e.message for e in refused)
    session.expire_all()
    ordered = session.exec(select(PurchaseOrderLine.part_id)).all()
    assert sorted(ordered) == sorted([buy.pads.id, buy.filter.id])


@given(steps=st.lists(st.tuples(st.sampled_from(["order", "place", "receive", "close", "pick"]),
                                st.integers(min_value=1, max_value=6)), max_size=8))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_on_hand_plus_on_order_plus_the_suggestion_always_covers_the_need(buy, session, steps):
    """Whatever happened, what is there, what is coming and what is suggested reach the target; and ordering the
    suggestion leaves nothing to suggest."""
    session.rollback()
    for order in session.exec(select(PurchaseOrder).where(PurchaseOrder.status != S.CANCELLED)).all():
        if order.status in (S.DRAFT, S.APPROVED):
            po.cancel(session, buy.clerk, order.id)
        elif order.status in (S.ORDERED, S.PARTLY_RECEIVED):
            po.close(session, buy.clerk, order.id)
    session.commit()
    if not session.exec(select(StockLimit)).all():
        limit(buy, buy.filter, "4", "12")
    for action, n in steps:
        open_orders = session.exec(select(PurchaseOrder).where(
            PurchaseOrder.status.in_([S.DRAFT, S.APPROVED, S.ORDERED, S.PARTLY_RECEIVED]))).all()
        if action == "order":
            buy.order((buy.filter, n, 20), status=S.ORDERED if n % 2 else None)
        elif action == "place" and open_orders and open_orders[-1].status == S.DRAFT:
            po.submit(session, buy.clerk, open_orders[-1].id)
            po.place(session, buy.clerk, open_orders[-1].id)
            session.commit()
        elif action == "receive" and open_orders and open_orders[0].status in (S.ORDERED, S.PARTLY_RECEIVED):
            line = buy.lines(open_orders[0])[0]
            quantity = min(D(n), po.outstanding(line))
            if quantity > 0:
                buy.receive(open_orders[0], (line, quantity))
        elif action == "close" and open_orders and open_orders[0].status in (S.ORDERED, S.PARTLY_RECEIVED):
            po.close(session, buy.clerk, open_orders[0].id)
            session.commit()
        elif action == "pick":
            work_order(buy, (buy.filter, str(n)))
    branch = buy.shop.branch.id
    shortfalls = plan(buy)
    have = sum((b.on_hand for b in stock.on_hand(session, buy.clerk, part_id=buy.filter.id)), D(0))
    coming = po.on_order(session, branch, [buy.filter.id]).get(buy.filter.id, D(0))
    suggested = shortfalls[buy.filter.id].quantity if buy.filter.id in shortfalls else D(0)
    demand = shortfalls[buy.filter.id].demand if buy.filter.id in shortfalls else D(0)
    assert have + coming + suggested - demand >= D(4)
    if suggested:
        purchase_plan.create_orders(session, buy.clerk, [PlanLine(buy.filter.id, buy.acme.id, str(suggested))],
                                    key())
        session.commit()
        assert buy.filter.id not in plan(buy)
