"""Parts and completion agree: completing an order with a planned part never picked, or a technician's request still
open, asks for a decision (pick it, remove the line, or complete anyway with a reason kept on the order)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.parts import pick_requests
from lantong_pwa.services.workshop import completion
from lantong_pwa.services.workshop.completion import PartsUndecided
from models import AuditEvent, Part, PickRequest, PickRequestStatus, WorkOrderStatus
from tests.factories import add_part
from tests.services.cashier.test_settlement import make_order

D = Decimal


def test_a_planned_part_never_picked_stops_completion_until_decided(session, shop):
    order = make_order(session, shop, parts=(("2", "58.00"),), picked=["0"])
    with pytest.raises(PartsUndecided) as refused:
        completion.complete_order(session, shop.advisor, order.id)
    assert [(p.description, p.planned, p.used, p.requested) for p in refused.value.parts] == [
        ("机油滤清器（JL-001）", D("2.00"), D("0.00"), False)]
    assert "机油滤清器" in refused.value.message
    session.refresh(order)
    assert order.status == WorkOrderStatus.IN_PROGRESS

    with pytest.raises(DomainError, match="不能超过200字"):
        completion.complete_order(session, shop.advisor, order.id, parts_reason="长" * 201)
    done = completion.complete_order(session, shop.advisor, order.id, parts_reason=" 客户自带机滤 ")
    assert done.status == WorkOrderStatus.COMPLETED and done.unpicked_parts_reason == "客户自带机滤"
    assert "work_order.complete_without_parts" in session.exec(select(AuditEvent.action)).all()
    # The settle page bills what was picked: nothing for the filter.
    figures = settlement.preview(session, shop.cashier, order.id)
    assert figures.parts_total == 0 and [p.line_id for p in completion.unpicked_parts(session, order.id)] == [
        settlement.order_lines(session, order.id).parts[0].id]


def test_a_technicians_open_request_stops_completion_and_completing_anyway_cancels_it(session, shop):
    order = make_order(session, shop, parts=())
    job = settlement.order_lines(session, order.id).jobs[0]
    part_id = session.exec(select(Part.id)).first()  # the order's maker put the filter in the catalogue
    request = pick_requests.request_part(session, shop.manager, job.id, part_id, "1")
    with pytest.raises(PartsUndecided) as refused:
        completion.complete_order(session, shop.advisor, order.id)
    assert [p.requested for p in refused.value.parts] == [True]
    completion.complete_order(session, shop.advisor, order.id, parts_reason="配件缺货，下次来店更换")
    session.refresh(request)
    assert request.status == PickRequestStatus.CANCELLED


def test_an_unpicked_line_can_be_removed_and_then_the_order_completes(session, shop):
    order = make_order(session, shop, parts=(("1", "58.00"), ("1", "30.00")), picked=["1", "0"])
    unpicked = completion.unpicked_parts(session, order.id)
    assert len(unpicked) == 1
    picked_line = settlement.order_lines(session, order.id).parts[0]
    with pytest.raises(DomainError, match="已领料，不能删除"):
        completion.drop_unpicked_part(session, shop.advisor, picked_line.id)
    with pytest.raises(DomainError, match="权限"):
        completion.drop_unpicked_part(session, shop.technician, unpicked[0].line_id)
    completion.drop_unpicked_part(session, shop.advisor, unpicked[0].line_id)
    assert [line.id for line in settlement.order_lines(session, order.id).parts] == [picked_line.id]
    done = completion.complete_order(session, shop.advisor, order.id)
    assert done.status == WorkOrderStatus.COMPLETED and done.unpicked_parts_reason == ""


def test_removing_a_requested_line_cancels_the_request(session, shop):
    order = make_order(session, shop, parts=())
    job = settlement.order_lines(session, order.id).jobs[0]
    part = add_part(session, shop.branch.id, code="SC-01", name="刹车片")
    request = pick_requests.request_part(session, shop.manager, job.id, part.id, "1")
    completion.drop_unpicked_part(session, shop.advisor, request.part_line_id)
    stored = session.get(PickRequest, request.id)
    assert stored.status == PickRequestStatus.CANCELLED and stored.part_line_id is None
    assert completion.complete_order(session, shop.advisor, order.id).status == WorkOrderStatus.COMPLETED
