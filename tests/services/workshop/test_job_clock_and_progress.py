"""The job clock (R5), the technician's task list and the progress board, at fixed moments."""

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.parts import pick_requests
from lantong_pwa.services.workshop import dispatch, job_clock, photos, progress, teams, work_orders
from lantong_pwa.services.workshop.order_status import move
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import AuditEvent, JobLine, JobLineStatus, Photo, PickRequest, TimeEntry, WorkOrder, WorkOrderStatus
from tests.factories import add_part, add_vehicle
from tests.services.workshop.test_workshop_dispatch import T0, add_technician
from tests.state.harness import jpeg_bytes

MIN = timedelta(minutes=1)


def open_order(session, shop, vehicle, *names, promised=None):
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in=str(vehicle.mileage + 10), fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name=name, hours="1", rate="100") for name in names]))
    if promised is not None:
        order.promised_at = promised
        session.add(order)
        session.commit()
    lines = list(session.exec(select(JobLine).where(JobLine.work_order_id == order.id).order_by(JobLine.position)))
    return order, lines


@pytest.fixture
def scene(session, shop):
    car = add_vehicle(session, shop.branch.id, plate="粤B12345", make="丰田", model="卡罗拉", mileage=1000)
    van = add_vehicle(session, shop.branch.id, plate="粤BD12345", mobile="13900000000", make="比亚迪", model="汉EV")
    order, lines = open_order(session, shop, car, "更换机油", "更换刹车片", promised=T0 + 90 * MIN)
    order2, lines2 = open_order(session, shop, van, "空调检修", promised=T0 + 30 * MIN)
    tech2 = add_technician(session, shop.branch.id, "tech2", "李师傅")
    dispatch.assign_order(session, shop.advisor, order.id, technician_id=shop.technician.id)
    dispatch.assign_line(session, shop.advisor, lines2[0].id, {shop.technician.id: "50", tech2.id: "50"})
    return dict(car=car, van=van, order=order, lines=lines, order2=order2, lines2=lines2, tech2=tech2)


def entries(session, line_id=None):
    session.expire_all()
    statement = select(TimeEntry).order_by(TimeEntry.id)
    if line_id is not None:
        statement = statement.where(TimeEntry.job_line_id == line_id)
    return list(session.exec(statement))


def status(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id).status


def test_start_pause_resume_finish_and_the_order_moves(session, shop, scene):
    order, line = scene["order"], scene["lines"][0]
    tech = shop.technician
    job_clock.start(session, tech, line.id, now=T0)
    assert status(session, WorkOrder, order.id) == WorkOrderStatus.IN_PROGRESS
    assert status(session, JobLine, line.id) == JobLineStatus.IN_PROGRESS
    job_clock.start(session, tech, line.id, now=T0 + MIN)  # a double tap
    assert len(entries(session)) == 1

    job_clock.pause(session, tech, line.id, now=T0 + 10 * MIN)
    job_clock.pause(session, tech, line.id, now=T0 + 11 * MIN)  # again: nothing more
    assert status(session, JobLine, line.id) == JobLineStatus.PAUSED
    assert [(e.started_at, e.ended_at) for e in entries(session)] == [(T0, T0 + 10 * MIN)]

    job_clock.start(session, tech, line.id, now=T0 + 30 * MIN)
    job_clock.finish(session, tech, line.id, now=T0 + 45 * MIN)
    job_clock.finish(session, tech, line.id, now=T0 + 50 * MIN)
    session.expire_all()
    done = session.get(JobLine, line.id)
    assert (done.status, done.finished_at) == (JobLineStatus.FINISHED, T0 + 45 * MIN)
    assert [(e.started_at, e.ended_at) for e in entries(session)] == [(T0, T0 + 10 * MIN),
                                                                      (T0 + 30 * MIN, T0 + 45 * MIN)]
    with pytest.raises(DomainError, match="已完工；需要返工请组长重开"):
        job_clock.start(session, tech, line.id, now=T0 + 60 * MIN)
    moves = [json.loads(e.detail) for e in session.exec(select(AuditEvent).where(
        AuditEvent.action == "work_order.status"))]
    assert moves == [{"before": "open", "after": "in_progress"}]
    line_moves = [json.loads(e.detail)["after"] for e in session.exec(select(AuditEvent).where(
        AuditEvent.action == "job_line.status").order_by(AuditEvent.id))]
    assert line_moves == ["in_progress", "paused", "in_progress", "finished"]


def test_one_running_clock_per_person_starting_another_pauses_the_first(session, shop, scene):
    tech = shop.technician
    first, second = scene["lines"]
    job_clock.start(session, tech, first.id, now=T0)
    job_clock.start(session, tech, second.id, now=T0 + 20 * MIN)
    job_clock.start(session, tech, scene["lines2"][0].id, now=T0 + 30 * MIN)
    running = [e for e in entries(session) if e.ended_at is None]
    assert [e.job_line_id for e in running] == [scene["lines2"][0].id]
    assert [(e.job_line_id, e.ended_at) for e in entries(session) if e.ended_at] == [
        (first.id, T0 + 20 * MIN), (second.id, T0 + 30 * MIN)]
    assert status(session, JobLine, first.id) == JobLineStatus.PAUSED
    assert status(session, JobLine, second.id) == JobLineStatus.PAUSED
    assert status(session, WorkOrder, scene["order2"].id) == WorkOrderStatus.IN_PROGRESS


def test_a_shared_line_stays_in_progress_while_someone_clocks_it(session, shop, scene):
    line, tech2 = scene["lines2"][0], scene["tech2"]
    job_clock.start(session, shop.technician, line.id, now=T0)
    job_clock.start(session, tech2, line.id, now=T0 + 5 * MIN)
    job_clock.pause(session, shop.technician, line.id, now=T0 + 10 * MIN)
    assert status(session, JobLine, line.id) == JobLineStatus.IN_PROGRESS
    job_clock.finish(session, shop.technician, line.id, now=T0 + 25 * MIN)
    assert all(e.ended_at is not None for e in entries(session))
    assert sum(((e.ended_at - e.started_at) for e in entries(session)), timedelta()) == 30 * MIN


def test_only_assigned_technicians_or_leads_clock(session, shop, scene):
    line, tech2 = scene["lines"][0], scene["tech2"]
    with pytest.raises(PermissionDenied, match="只能操作派给自己的维修项目"):
        job_clock.start(session, tech2, line.id, now=T0)
    for role in ("advisor", "parts_clerk", "cashier"):
        with pytest.raises(PermissionDenied):
            job_clock.start(session, shop.users[role], line.id, now=T0)
    with pytest.raises(DomainError):
        job_clock.start(session, shop.other_branch_advisor, line.id, now=T0)
    assert entries(session) == []

    job_clock.start(session, shop.technician, line.id, now=T0)
    job_clock.pause(session, shop.manager, line.id, now=T0 + 10 * MIN)  # a lead pauses someone else's clock
    assert entries(session)[0].ended_at == T0 + 10 * MIN
    job_clock.start(session, shop.manager, line.id, now=T0 + 20 * MIN)
    assert entries(session)[-1].technician_id == shop.manager.id, "a lead's clock is the lead's own"

    team = teams.create_team(session, shop.manager, "一组", [shop.technician.id, tech2.id], tech2.id)
    dispatch.assign_order(session, shop.advisor, scene["order"].id, technician_id=shop.technician.id)
    with pytest.raises(PermissionDenied):
        job_clock.finish(session, tech2, line.id, now=T0 + 30 * MIN)
    order = session.get(WorkOrder, scene["order"].id)
    order.team_id = team.id
    session.add(order)
    session.commit()
    job_clock.finish(session, tech2, line.id, now=T0 + 30 * MIN)  # the leader of the order's team
    assert status(session, JobLine, line.id) == JobLineStatus.FINISHED
    with pytest.raises(PermissionDenied, match="只有组长或店长"):
        job_clock.reopen(session, shop.technician, line.id)
    job_clock.reopen(session, tech2, line.id)
    assert status(session, JobLine, line.id) == JobLineStatus.PAUSED


def test_reopening_moves_a_completed_order_back_and_closed_orders_take_no_clock(session, shop, scene):
    order, (first, second) = scene["order"], scene["lines"]
    job_clock.finish(session, shop.technician, first.id, now=T0)
    job_clock.finish(session, shop.technician, second.id, now=T0 + MIN)
    order = session.get(WorkOrder, order.id)
    move(order, WorkOrderStatus.COMPLETED, shop.advisor, session)
    order.completed_at, order.qc_passed = T0 + MIN, True
    session.commit()
    with pytest.raises(PermissionDenied):
        job_clock.reopen(session, shop.technician, second.id)
    job_clock.reopen(session, shop.manager, second.id)
    session.expire_all()
    reopened, order = session.get(JobLine, second.id), session.get(WorkOrder, order.id)
    assert (reopened.status, reopened.finished_at) == (JobLineStatus.PENDING, None)
    assert (order.status, order.completed_at, order.qc_passed) == (WorkOrderStatus.IN_PROGRESS, None, None)

    job_clock.finish(session, shop.technician, second.id, now=T0 + 2 * MIN)
    move(order, WorkOrderStatus.COMPLETED, shop.advisor, session)
    move(order, WorkOrderStatus.SETTLED, shop.cashier, session)
    session.commit()
    before = len(session.exec(select(AuditEvent)).all())
    for action in (job_clock.reopen, job_clock.start):
        with pytest.raises(DomainError, match="已结算"):
            if action is job_clock.reopen:
                action(session, shop.manager, second.id)
            else:
                action(session, shop.technician, second.id, now=T0)
    session.rollback()
    assert len(session.exec(select(AuditEvent)).all()) == before


def test_note_photo_and_part_request_from_a_line(session, shop, scene):
    line = scene["lines"][0]
    part = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器", price="58.00")
    job_clock.set_note(session, shop.technician, line.id, "  滤芯严重堵塞 ")
    assert session.get(JobLine, line.id).note == "滤芯严重堵塞"
    with pytest.raises(DomainError, match="500字"):
        job_clock.set_note(session, shop.technician, line.id, "长" * 501)
    with pytest.raises(PermissionDenied):
        job_clock.set_note(session, scene["tech2"], line.id, "不是我的")

    photo = job_clock.add_line_photo(session, shop.technician, line.id, jpeg_bytes(), "旧滤芯")
    assert (photo.work_order_id, photo.vehicle_id, photo.note) == (scene["order"].id, scene["car"].id,
                                                                  "更换机油：旧滤芯")
    with pytest.raises(PermissionDenied):
        job_clock.add_line_photo(session, scene["tech2"], line.id, jpeg_bytes())
    assert len(session.exec(select(Photo)).all()) == 1

    assert [p.code for p in job_clock.parts_to_request(session, shop.technician, "机油")] == ["JL-001"]
    with pytest.raises(PermissionDenied):
        job_clock.parts_to_request(session, shop.cashier, "机油")
    pick_requests.request_part(session, shop.technician, line.id, part.id, "1")
    [group] = progress.my_tasks(session, shop.technician, now=T0, vehicle_id=scene["car"].id)
    assert [(t.line.name, t.waiting_parts) for t in group.lines] == [("更换机油", True), ("更换刹车片", False)]


def test_only_the_lines_technician_a_team_lead_or_a_manager_edit_its_note_and_photos(session, shop, scene):
    line, tech2 = scene["lines"][0], scene["tech2"]
    session.commit()  # the scene (the line is the technician's); each refusal below is rolled back
    for outsider in (tech2, shop.advisor, shop.cashier):  # a colleague not on the line; intake is not the workshop
        with pytest.raises(PermissionDenied):
            job_clock.set_note(session, outsider, line.id, "改写")
        with pytest.raises(PermissionDenied):
            job_clock.add_line_photo(session, outsider, line.id, jpeg_bytes())
    session.rollback()
    job_clock.set_note(session, shop.manager, line.id, "店长补充")
    team = teams.create_team(session, shop.manager, "二组", [tech2.id], tech2.id)
    order = session.get(WorkOrder, scene["order"].id)
    order.team_id = team.id
    session.add(order)
    session.commit()
    job_clock.set_note(session, tech2, line.id, "组长补充")  # leads the order's team
    photo = job_clock.add_line_photo(session, tech2, line.id, jpeg_bytes())
    assert (photo.note, photo.job_line_id) == ("更换机油", line.id)
    session.commit()
    assert session.get(JobLine, line.id).note == "组长补充"
    # The line photo's note too: not an intake role's (nor the cashier's), the line's technician's.
    for outsider in (shop.advisor, shop.cashier):
        with pytest.raises(PermissionDenied):
            photos.set_note(session, outsider, photo.id, "改写")
        session.rollback()
    assert photos.set_note(session, shop.technician, photo.id, "滤芯已换").note == "滤芯已换"


def test_no_line_note_or_photo_on_a_settled_closed_or_cancelled_order(session, shop, scene):
    line = scene["lines"][0]
    for status in (WorkOrderStatus.SETTLED, WorkOrderStatus.CLOSED, WorkOrderStatus.CANCELLED):
        order = session.get(WorkOrder, scene["order"].id)
        order.status = status
        session.add(order)
        session.commit()
        for edit in (lambda: job_clock.set_note(session, shop.technician, line.id, "结算后"),
                     lambda: job_clock.add_line_photo(session, shop.technician, line.id, jpeg_bytes())):
            with pytest.raises(DomainError, match=status.label):
                edit()
            session.rollback()
    assert session.exec(select(Photo)).all() == [] and session.get(JobLine, line.id).note == ""


def test_my_tasks_grouped_by_vehicle_with_clocked_minutes(session, shop, scene):
    tech, tech2 = shop.technician, scene["tech2"]
    first, second = scene["lines"]
    shared = scene["lines2"][0]
    job_clock.start(session, tech, first.id, now=T0)
    job_clock.start(session, tech2, shared.id, now=T0)
    job_clock.start(session, tech, shared.id, now=T0 + 25 * MIN)  # pauses ``first`` at 25 minutes

    groups = progress.my_tasks(session, tech, now=T0 + 40 * MIN)
    assert [(g.vehicle.plate, g.order.id) for g in groups] == [("粤BD12345", scene["order2"].id),
                                                                ("粤B12345", scene["order"].id)]
    van, car = groups
    [mine] = van.lines
    assert (mine.line.id, mine.share, mine.minutes, mine.my_minutes, mine.mine_running, mine.others) == (
        shared.id, "50.00", 55, 15, True, ["李师傅"])
    assert [(t.line.id, t.line.status, t.minutes, t.mine_running) for t in car.lines] == [
        (first.id, JobLineStatus.PAUSED, 25, False), (second.id, JobLineStatus.PENDING, 0, False)]

    assert [g.vehicle.plate for g in progress.my_tasks(session, tech2, now=T0)] == ["粤BD12345"]
    assert progress.my_tasks(session, tech, now=T0, vehicle_id=scene["car"].id)[0].order.id == scene["order"].id
    with pytest.raises(PermissionDenied):
        progress.my_tasks(session, shop.advisor)
    job_clock.finish(session, tech, shared.id, now=T0 + 41 * MIN)
    order2 = session.get(WorkOrder, scene["order2"].id)
    move(order2, WorkOrderStatus.COMPLETED, shop.advisor, session)
    session.commit()
    assert [g.vehicle.plate for g in progress.my_tasks(session, tech, now=T0 + 42 * MIN)] == ["粤B12345"], \
        "a completed order leaves the task list"


def test_board_figures_at_a_fixed_moment(session, shop, scene):
    first, second = scene["lines"]
    shared = scene["lines2"][0]
    part = add_part(session, shop.branch.id)
    job_clock.start(session, shop.technician, shared.id, now=T0)
    job_clock.start(session, scene["tech2"], shared.id, now=T0 + 10 * MIN)
    job_clock.start(session, shop.technician, first.id, now=T0 + 20 * MIN)
    pick_requests.request_part(session, shop.technician, first.id, part.id, "1")
    job_clock.finish(session, shop.technician, first.id, now=T0 + 50 * MIN)

    now = T0 + 60 * MIN
    van, car = progress.board(session, shop.advisor, now=now)
    assert van.vehicle.plate == "粤BD12345", "the earliest promise first"
    assert (van.minutes_left, van.late, van.minutes, van.waiting_parts) == (-30, True, 70, False)
    [line] = van.lines
    assert line.technicians == [("李师傅", "50.00"), ("维修技师", "50.00")]
    assert (line.minutes, line.running, line.line.status) == (70, True, JobLineStatus.IN_PROGRESS)
    assert (car.minutes_left, car.late, car.minutes, car.waiting_parts, car.finished_lines) == (30, False, 30, True, 1)
    assert [(l.line.status, l.minutes, l.waiting_parts, l.technicians) for l in car.lines] == [
        (JobLineStatus.FINISHED, 30, True, [("维修技师", "100.00")]),
        (JobLineStatus.PENDING, 0, False, [("维修技师", "100.00")])]
    assert progress.board(session, shop.other_branch_advisor, now=now) == []
    session.exec(select(PickRequest)).one()
