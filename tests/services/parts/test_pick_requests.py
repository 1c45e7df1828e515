from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.parts import pick_requests
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.order_status import move
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import JobAssignment, JobLine, PartLine, PickRequest, WorkOrderStatus
from tests.factories import add_part, add_vehicle


@pytest.fixture
def scene(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    part = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", price="420.00")
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="刹车异响",
        job_lines=[JobLineInput(name="检查刹车", hours="1", rate="100")]))
    line = session.exec(select(JobLine).where(JobLine.work_order_id == order.id)).one()
    session.add(JobAssignment(branch_id=shop.branch.id, job_line_id=line.id, technician_id=shop.technician.id,
                              share_percent=Decimal("100"), assigned_by_id=shop.advisor.id))
    session.commit()
    return order, line, part


def test_assigned_technician_asks_for_a_part(session, shop, scene):
    order, line, part = scene
    request = pick_requests.request_part(session, shop.technician, line.id, part.id, "2", "左前片磨损到底")
    part_line = session.get(PartLine, request.part_line_id)
    assert (part_line.work_order_id, part_line.quantity, part_line.amount) == (order.id, Decimal("2.00"),
                                                                               Decimal("840.00"))
    assert [r.id for r in pick_requests.open_requests(session, shop.parts_clerk)] == [request.id]


def test_only_the_assigned_technician_or_intake_staff_may_ask(session, shop, scene):
    _order, line, part = scene
    session.delete(session.exec(select(JobAssignment)).one())
    session.commit()
    with pytest.raises(PermissionDenied):
        pick_requests.request_part(session, shop.technician, line.id, part.id, "1")
    for role in ("parts_clerk", "cashier"):
        with pytest.raises(PermissionDenied):
            pick_requests.request_part(session, shop.users[role], line.id, part.id, "1")
    assert pick_requests.request_part(session, shop.advisor, line.id, part.id, "1")
    assert len(session.exec(select(PickRequest)).all()) == 1


def test_bad_requests_change_nothing(session, shop, scene):
    order, line, part = scene
    for part_id, quantity in ((part.id, "0"), (part.id, "abc"), (999999, "1")):
        with pytest.raises(DomainError):
            pick_requests.request_part(session, shop.technician, line.id, part_id, quantity)
    with pytest.raises(DomainError):
        pick_requests.request_part(session, shop.other_branch_advisor, line.id, part.id, "1")
    order.status = WorkOrderStatus.COMPLETED
    move(order, WorkOrderStatus.SETTLED, shop.cashier, session)
    session.commit()
    with pytest.raises(DomainError) as caught:
        pick_requests.request_part(session, shop.technician, line.id, part.id, "1")
    assert "已结算" in caught.value.message
    assert session.exec(select(PickRequest)).all() == [] and session.exec(select(PartLine)).all() == []


def test_status_moves_follow_the_state_machine(session, shop, scene):
    order, _line, _part = scene
    with pytest.raises(DomainError) as caught:
        move(order, WorkOrderStatus.SETTLED, shop.cashier, session)
    assert "已开单" in caught.value.message and order.status == WorkOrderStatus.OPEN
    move(order, WorkOrderStatus.IN_PROGRESS, shop.technician, session)
    assert order.status == WorkOrderStatus.IN_PROGRESS
