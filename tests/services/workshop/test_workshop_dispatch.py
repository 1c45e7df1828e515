"""Teams, dispatch (R4) and its shares and audit trail."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.workshop import dispatch, job_clock, teams, work_orders
from lantong_pwa.services.workshop.order_status import move
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import AuditEvent, JobAssignment, JobLine, JobLineStatus, Role, TimeEntry, User, WorkOrderStatus
from tests.conftest import password_hash, refusal
from tests.factories import add_vehicle

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def add_technician(session, branch_id, username, name, **fields) -> User:
    user = User(username=username, display_name=name, password_hash=password_hash(), role=Role.TECHNICIAN,
                branch_id=branch_id, **fields)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def workshop(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="更换机油", hours="0.5", rate="100"),
                   JobLineInput(name="更换刹车片", hours="1", rate="120"),
                   JobLineInput(name="四轮定位", fixed_price="198")]))
    lines = list(session.exec(select(JobLine).where(JobLine.work_order_id == order.id).order_by(JobLine.position)))
    tech2 = add_technician(session, shop.branch.id, "tech2", "李师傅")
    tech3 = add_technician(session, shop.branch.id, "tech3", "王师傅")
    return vehicle, order, lines, tech2, tech3


def shares_of(session, line_id):
    session.expire_all()
    return sorted((a.technician_id, a.share_percent) for a in
                  session.exec(select(JobAssignment).where(JobAssignment.job_line_id == line_id)))


def audits(session, action):
    return [json.loads(e.detail) for e in session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                                       .order_by(AuditEvent.id))]


@pytest.mark.parametrize("count,expected", [
    (1, ["100.00"]), (2, ["50.00", "50.00"]), (3, ["33.34", "33.33", "33.33"]),
    (6, ["16.67", "16.67", "16.67", "16.67", "16.66", "16.66"]), (7, ["14.29"] * 4 + ["14.28"] * 3),
])
def test_equal_shares_add_up_to_exactly_100(count, expected):
    shares = dispatch.equal_shares(count)
    assert [str(s) for s in shares] == expected
    assert sum(shares) == Decimal("100.00")


def test_manager_creates_a_team_and_bad_teams_are_refused(session, shop, workshop):
    _v, _o, _l, tech2, tech3 = workshop
    team = teams.create_team(session, shop.manager, " 一组 ", [shop.technician.id, tech2.id], tech2.id)
    [info] = teams.list_teams(session, shop.advisor)
    assert (info.team.name, info.leader.id) == ("一组", tech2.id)
    assert {m.id for m in info.members} == {shop.technician.id, tech2.id}
    assert audits(session, "team.create")[0]["members"] == [shop.technician.id, tech2.id]

    with pytest.raises(FormErrors) as caught:
        teams.create_team(session, shop.manager, "一组", [], tech3.id)
    assert set(caught.value.errors) == {"name", "members", "leader"}
    with pytest.raises(FormErrors) as caught:
        teams.create_team(session, shop.manager, "二组", [shop.advisor.id], None)
    assert caught.value.errors["members"] == "只能派给本店在职的维修技师"
    with pytest.raises(PermissionDenied):
        teams.create_team(session, shop.advisor, "三组", [tech3.id], None)
    assert teams.list_teams(session, shop.other_branch_advisor) == []
    assert [t.team.id for t in teams.list_teams(session, shop.manager)] == [team.id]


def test_whole_order_to_one_technician(session, shop, workshop):
    _v, order, lines, _t2, _t3 = workshop
    dispatch.assign_order(session, shop.advisor, order.id, technician_id=shop.technician.id)
    for line in lines:
        assert shares_of(session, line.id) == [(shop.technician.id, Decimal("100.00"))]
    assert order.team_id is None
    assert len(audits(session, "job_line.assign")) == 3
    dispatch.assign_order(session, shop.advisor, order.id, technician_id=shop.technician.id)
    assert len(audits(session, "job_line.assign")) == 3, "the same dispatch again changes nothing"


def test_whole_order_to_a_team_shares_equally(session, shop, workshop):
    _v, order, lines, tech2, tech3 = workshop
    team = teams.create_team(session, shop.manager, "一组", [shop.technician.id, tech2.id, tech3.id], tech2.id)
    dispatch.assign_order(session, shop.manager, order.id, team_id=team.id)
    for line in lines:
        shares = shares_of(session, line.id)
        assert sorted(s for _t, s in shares) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
        assert sum(s for _t, s in shares) == Decimal("100.00")
    assert order.team_id == team.id
    [event] = audits(session, "work_order.dispatch")
    assert event["team_id"] == team.id


def test_each_line_to_different_technicians_with_shares(session, shop, workshop):
    _v, order, lines, tech2, tech3 = workshop
    dispatch.assign_line(session, shop.advisor, lines[0].id, {shop.technician.id: "100"})
    dispatch.assign_line(session, shop.advisor, lines[1].id, {tech2.id: "60", tech3.id: "40.00", shop.technician.id: ""})
    assert shares_of(session, lines[0].id) == [(shop.technician.id, Decimal("100.00"))]
    assert shares_of(session, lines[1].id) == [(tech2.id, Decimal("60.00")), (tech3.id, Decimal("40.00"))]
    assert shares_of(session, lines[2].id) == []


@pytest.mark.parametrize("typed,message", [
    ({}, "请至少选择一名技师"),
    ("tech-60-30", "分成比例合计应为100%，现为90%"),
    ("tech-0-100", "的分成比例应大于0"),
    ("tech-abc-100", "应为数字"),
    ("tech-50.005-49.995", "最多保留两位小数"),
    ("tech-150-x", "过大"),
    ("advisor", "只能派给本店在职的维修技师"),
    ("inactive", "只能派给本店在职的维修技师"),
])
def test_bad_shares_are_refused_and_change_nothing(session, shop, workshop, typed, message):
    _v, order, lines, tech2, _t3 = workshop
    dispatch.assign_line(session, shop.advisor, lines[0].id, {tech2.id: "100"})
    if typed == "advisor":
        typed = {shop.advisor.id: "100"}
    elif typed == "inactive":
        gone = add_technician(session, shop.branch.id, "gone", "离职技师", is_active=False)
        typed = {gone.id: "100"}
    elif isinstance(typed, str):
        _, first, second = typed.split("-")
        typed = {shop.technician.id: first, tech2.id: second} if second != "x" else {shop.technician.id: first}
    with refusal(session) as caught:
        dispatch.assign_line(session, shop.advisor, lines[0].id, typed)
    assert message in caught.value.message
    assert shares_of(session, lines[0].id) == [(tech2.id, Decimal("100.00"))]


def test_reassign_is_audited_with_before_and_after_and_stops_the_removed_clock(session, shop, workshop):
    _v, order, lines, tech2, _t3 = workshop
    dispatch.assign_line(session, shop.advisor, lines[0].id, {shop.technician.id: "100"}, now=T0)
    job_clock.start(session, shop.technician, lines[0].id, now=T0)
    dispatch.assign_line(session, shop.manager, lines[0].id, {tech2.id: "70", shop.technician.id: "30"},
                         now=T0 + timedelta(minutes=5))
    assert session.exec(select(TimeEntry)).one().ended_at is None, "a technician kept on the line keeps clocking"
    assert session.get(JobLine, lines[0].id).status == JobLineStatus.IN_PROGRESS
    dispatch.assign_line(session, shop.manager, lines[0].id, {tech2.id: "100"}, now=T0 + timedelta(minutes=20))
    entry = session.exec(select(TimeEntry)).one()
    assert entry.ended_at == T0 + timedelta(minutes=20)
    assert session.get(JobLine, lines[0].id).status == JobLineStatus.PAUSED
    # The line is paused by the job clock, with the same audit row as a pause at the car.
    assert audits(session, "job_line.status")[-1] == {"work_order_id": order.id, "before": "in_progress",
                                                       "after": "paused", "reason": "reassigned"}
    events = audits(session, "job_line.assign")
    assert events[-1]["before"] == sorted([{"technician_id": tech2.id, "share": "70.00"},
                                           {"technician_id": shop.technician.id, "share": "30.00"}],
                                          key=lambda r: r["technician_id"])
    assert events[-1]["after"] == [{"technician_id": tech2.id, "share": "100.00"}]
    assert events[0]["before"] == []
    with pytest.raises(PermissionDenied):
        job_clock.start(session, shop.technician, lines[0].id, now=T0 + timedelta(minutes=21))


def test_who_may_dispatch_and_on_which_orders(session, shop, workshop):
    _v, order, lines, tech2, _t3 = workshop
    for role in ("technician", "parts_clerk", "cashier"):
        with pytest.raises(PermissionDenied):
            dispatch.assign_order(session, shop.users[role], order.id, technician_id=tech2.id)
        with pytest.raises(PermissionDenied):
            dispatch.assign_line(session, shop.users[role], lines[0].id, {tech2.id: "100"})
    with pytest.raises(NotFound):
        dispatch.assign_order(session, shop.other_branch_advisor, order.id, technician_id=tech2.id)
    with pytest.raises(DomainError, match="请选择一名技师或一个班组"):
        dispatch.assign_order(session, shop.advisor, order.id)
    stranger = add_technician(session, shop.other_branch.id, "far", "外店技师")
    with pytest.raises(DomainError, match="本店在职"):
        dispatch.assign_order(session, shop.advisor, order.id, technician_id=stranger.id)
    order.status = WorkOrderStatus.COMPLETED
    move(order, WorkOrderStatus.SETTLED, shop.cashier, session)
    session.commit()
    with pytest.raises(DomainError, match="已结算，不能派工"):
        dispatch.assign_order(session, shop.advisor, order.id, technician_id=tech2.id)
    with pytest.raises(DomainError, match="已结算，不能派工"):
        dispatch.assign_line(session, shop.advisor, lines[0].id, {tech2.id: "100"})
    session.rollback()
    assert session.exec(select(JobAssignment)).all() == []
