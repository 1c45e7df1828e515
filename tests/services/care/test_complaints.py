"""Complaints (C1): staff entries, listing by status and assignee, assignment, the status flow with its resolution,
who may do what, and the audit trail."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.care import complaints, follow_ups
from lantong_pwa.services.care.complaints import ComplaintForm
from models import AuditEvent, Complaint, ComplaintSource, ComplaintStatus, Role, User
from tests.factories import add_vehicle
from tests.services.care.test_follow_ups import SOON, closed_follow_up, submit, token_of
from tests.services.cashier.test_settlement import count


def walk_in(session, shop, key="k1", summary="等待时间太长", **fields) -> Complaint:
    vehicle = fields.pop("vehicle", None) or add_vehicle(session, shop.branch.id)
    return complaints.create_complaint(session, shop.advisor, ComplaintForm(
        customer_id=vehicle.customer_id, vehicle_id=vehicle.id, summary=summary, request_key=key, **fields))


def test_staff_record_a_walk_in_complaint_once(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    made = walk_in(session, shop, vehicle=vehicle)
    again = walk_in(session, shop, vehicle=vehicle)
    assert again.id == made.id and count(session, Complaint) == 1
    assert made.number.startswith("TS") and made.source == ComplaintSource.WALK_IN
    assert made.status == ComplaintStatus.OPEN and made.created_by_id == shop.advisor.id
    assert made.vehicle_id == vehicle.id


def test_one_unit_of_work_keeps_nothing_when_its_second_step_is_refused(session, shop, units):
    """A complaint taken and moved in one request: the move is refused, and the complaint goes with it."""
    vehicle = add_vehicle(session, shop.branch.id)
    with pytest.raises(DomainError, match="不能改为"), units() as unit:
        made = walk_in(unit, shop, vehicle=vehicle)
        assert unit.get(Complaint, made.id) is not None
        complaints.change_status(unit, shop.manager, made.id, "closed")  # an open complaint cannot close at once
    assert count(session, Complaint) == 0
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "complaint")).all() == []


def test_staff_complaint_is_validated(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    other = add_vehicle(session, shop.branch.id, plate="粤B99999", mobile="13900139000")
    with pytest.raises(DomainError) as error:
        walk_in(session, shop, vehicle=vehicle, summary="  ")
    assert error.value.field == "summary"
    with pytest.raises(DomainError, match="500"):
        walk_in(session, shop, vehicle=vehicle, summary="长" * 501)
    with pytest.raises(DomainError, match="不属于此客户"):
        complaints.create_complaint(session, shop.advisor, ComplaintForm(
            customer_id=vehicle.customer_id, vehicle_id=other.id, summary="x", request_key="k9"))
    with pytest.raises(PermissionDenied):
        complaints.create_complaint(session, shop.technician, ComplaintForm(
            customer_id=vehicle.customer_id, summary="x", request_key="k8"))
    with pytest.raises(NotFound):
        complaints.create_complaint(session, shop.other_branch_advisor, ComplaintForm(
            customer_id=vehicle.customer_id, summary="x", request_key="k7"))
    assert count(session, Complaint) == 0


def test_list_filters_by_status_and_assignee_within_the_branch(session, shop):
    first = walk_in(session, shop, key="a")
    second = walk_in(session, shop, key="b", vehicle=add_vehicle(session, shop.branch.id, plate="粤B22222",
                                                                 mobile="13900000002"))
    complaints.assign(session, shop.manager, second.id, shop.advisor.id)
    rows = complaints.list_complaints(session, shop.manager)
    assert [row.complaint.id for row in rows] == [second.id, first.id]
    assert [row.complaint.id for row in complaints.list_complaints(session, shop.advisor,
                                                                   assignee_id=shop.advisor.id)] == [second.id]
    assert complaints.list_complaints(session, shop.manager, status="closed") == []
    assert complaints.list_complaints(session, shop.other_branch_advisor) == []
    assert len(complaints.list_complaints(session, shop.admin)) == 2
    with pytest.raises(PermissionDenied):
        complaints.list_complaints(session, shop.technician)


def test_assign_only_to_customer_staff_of_the_branch(session, shop):
    complaint = walk_in(session, shop)
    with pytest.raises(PermissionDenied):
        complaints.assign(session, shop.advisor, complaint.id, shop.advisor.id)
    for wrong in (shop.technician, shop.other_branch_advisor):
        with pytest.raises(DomainError) as error:
            complaints.assign(session, shop.manager, complaint.id, wrong.id)
        assert error.value.field == "assignee"
    complaints.assign(session, shop.manager, complaint.id, shop.advisor.id)
    session.refresh(complaint)
    assert complaint.assignee_id == shop.advisor.id
    stranger = User(username="othermanager", display_name="外店店长", password_hash="x", role=Role.MANAGER,
                    branch_id=shop.other_branch.id)
    session.add(stranger)
    session.commit()
    with pytest.raises(NotFound):
        complaints.assign(session, stranger, complaint.id, stranger.id)


def test_status_flow_needs_a_resolution_and_is_audited(session, shop):
    complaint = walk_in(session, shop)
    with pytest.raises(DomainError, match="不能改为“已解决”"):
        complaints.change_status(session, shop.manager, complaint.id, "resolved", "已退款")
    complaints.change_status(session, shop.manager, complaint.id, "processing")
    with pytest.raises(DomainError) as error:
        complaints.change_status(session, shop.manager, complaint.id, "resolved", "   ")
    assert error.value.field == "resolution"
    complaints.change_status(session, shop.manager, complaint.id, "resolved", "免费返修并致歉")
    session.refresh(complaint)
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.resolution == "免费返修并致歉"
    assert complaint.resolved_at is not None
    complaints.change_status(session, shop.manager, complaint.id, "closed")
    with pytest.raises(DomainError):
        complaints.change_status(session, shop.manager, complaint.id, "processing")
    with pytest.raises(DomainError, match="已关闭"):
        complaints.assign(session, shop.manager, complaint.id, shop.advisor.id)
    moves = session.exec(select(AuditEvent.detail).where(AuditEvent.action == "complaint.status")).all()
    assert len(moves) == 3
    detail = complaints.complaint_detail(session, shop.manager, complaint.id)
    assert [event.action for event, _who in detail.history] == [
        "complaint.create", "complaint.status", "complaint.status", "complaint.status"]


def test_assignee_processes_and_resolves_but_does_not_close(session, shop):
    complaint = walk_in(session, shop)
    with pytest.raises(PermissionDenied):  # not theirs yet
        complaints.change_status(session, shop.advisor, complaint.id, "processing")
    complaints.assign(session, shop.manager, complaint.id, shop.advisor.id)
    complaints.change_status(session, shop.advisor, complaint.id, "processing")
    complaints.change_status(session, shop.advisor, complaint.id, "resolved", "已电话致歉")
    with pytest.raises(PermissionDenied):
        complaints.change_status(session, shop.advisor, complaint.id, "closed")
    with pytest.raises(PermissionDenied):
        complaints.change_status(session, shop.cashier, complaint.id, "closed")
    with pytest.raises(DomainError):
        complaints.change_status(session, shop.manager, complaint.id, "archived")
    session.refresh(complaint)
    assert complaint.status == ComplaintStatus.RESOLVED


def test_reopened_complaint_goes_back_to_processing(session, shop):
    complaint = walk_in(session, shop)
    complaints.change_status(session, shop.manager, complaint.id, "processing")
    complaints.change_status(session, shop.manager, complaint.id, "resolved", "更换配件")
    complaints.change_status(session, shop.manager, complaint.id, "processing")
    session.refresh(complaint)
    assert complaint.status == ComplaintStatus.PROCESSING and complaint.resolved_at is None


def test_detail_links_the_follow_up_behind_a_form_complaint(session, shop, units):
    follow_up = closed_follow_up(session, shop)
    submit(units, token_of(follow_up), follow_ups.Answer(
        overall="1", quality="1", speed="1", attitude="1", price="1", environment="1", comment="车还是响"),
        "10.0.0.1", SOON)
    complaint = session.exec(select(Complaint)).one()
    detail = complaints.complaint_detail(session, shop.manager, complaint.id)
    assert detail.follow_up.id == follow_up.id and detail.order.id == follow_up.work_order_id
    assert "车还是响" in complaint.summary and detail.created_by is None
    assert {user.id for user in detail.assignable} == {shop.admin.id, shop.manager.id, shop.advisor.id}
    with pytest.raises(NotFound):
        complaints.complaint_detail(session, shop.other_branch_advisor, complaint.id)

