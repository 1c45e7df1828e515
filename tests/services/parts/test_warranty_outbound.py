"""三包出库: a warranty line's pick is a WARRANTY move tied to its line and order; its return stays a RETURN; costs,
settlements and the per-warehouse delivery notes count it as issued to the order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import NotFound, PermissionDenied
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.parts import delivery_notes, stock
from models import Payer, SettlementLine, StockMove, StockMoveKind, WorkOrderStatus
from tests.services.parts.test_stock import Scene

D = Decimal


@pytest.fixture
def scene(session, shop) -> Scene:
    return Scene(session, shop)


def _warranty(session, line):
    line.payer = Payer.WARRANTY
    line.payer_party = "一汽大众"
    session.add(line)
    session.commit()


def test_a_warranty_line_is_picked_as_warranty_outbound_and_returned_as_a_return(session, scene):
    scene.receive(scene.pads, "4", "100")
    scene.receive(scene.filter, "4", "20")
    order = scene.order((scene.pads, "2"), (scene.filter, "1"))
    pads_line, filter_line = scene.lines(order)
    _warranty(session, pads_line)

    warranty = stock.pick(session, scene.clerk, pads_line.id, scene.main.id, "2", request_key="w1")
    normal = stock.pick(session, scene.clerk, filter_line.id, scene.main.id, "1", request_key="p1")
    assert (warranty.kind, warranty.part_line_id, warranty.work_order_id) == (
        StockMoveKind.WARRANTY, pads_line.id, order.id)
    assert normal.kind == StockMoveKind.PICK
    assert stock.picked_cost(session, pads_line.id) == D("100.0000")
    back = stock.return_part(session, scene.clerk, pads_line.id, scene.main.id, "1", request_key="r1")
    assert (back.kind, back.unit_cost) == (StockMoveKind.RETURN, D("100.0000"))
    assert scene.lines(order)[0].picked_quantity - scene.lines(order)[0].returned_quantity == D("1.00")
    assert stock.rebuild_balances(session, scene.shop.branch.id) == []


def test_a_settlement_costs_the_warranty_part_it_used(session, scene):
    scene.receive(scene.pads, "4", "100")
    order = scene.order((scene.pads, "1"))
    line = scene.lines(order)[0]
    _warranty(session, line)
    stock.pick(session, scene.clerk, line.id, scene.main.id, "1", request_key="w1")
    session.commit()
    for job in settlement.order_lines(session, order.id).jobs:
        job.status = "finished"
        session.add(job)
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.commit()
    settled = settlement.settle(session, scene.shop.cashier, order.id)
    part_line = session.exec(select(SettlementLine).where(SettlementLine.settlement_id == settled.id,
                                                          SettlementLine.kind == "part")).one()
    assert (part_line.payer, part_line.cost) == (Payer.WARRANTY, D("100.00"))


def test_delivery_notes_list_what_each_warehouse_handed_over(session, scene):
    scene.receive(scene.pads, "4", "100")
    scene.receive(scene.filter, "5", "20", warehouse=scene.oil)
    scene.receive(scene.filter, "5", "20")
    order = scene.order((scene.pads, "2"), (scene.filter, "3"))
    pads_line, filter_line = scene.lines(order)
    _warranty(session, pads_line)
    stock.pick(session, scene.clerk, pads_line.id, scene.main.id, "2", request_key="a")
    stock.pick(session, scene.clerk, filter_line.id, scene.oil.id, "2", request_key="b")
    stock.pick(session, scene.clerk, filter_line.id, scene.main.id, "1", request_key="c")
    stock.return_part(session, scene.clerk, filter_line.id, scene.oil.id, "1", request_key="d")
    session.commit()

    shown = delivery_notes.order_notes(session, scene.clerk, order.id)

    assert shown.order.id == order.id and shown.vehicle.plate == scene.vehicle.plate
    assert [(n.warehouse.name, [(e.line.part_name, e.quantity, e.warranty) for e in n.lines])
            for n in shown.notes] == [
        ("主仓库", [("前刹车片", D("2.00"), True), ("机油滤清器", D("1.00"), False)]),
        ("油品库", [("机油滤清器", D("1.00"), False)]),
    ]
    with pytest.raises(PermissionDenied):
        delivery_notes.order_notes(session, scene.shop.technician, order.id)
    with pytest.raises(NotFound):
        delivery_notes.order_notes(session, scene.clerk, "x")
    moves = session.exec(select(StockMove.kind).where(StockMove.work_order_id == order.id)).all()
    assert sorted(moves) == ["pick", "pick", "return", "warranty"]
