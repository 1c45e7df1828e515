"""The workshop screens as the people allowed to use them: dispatch from the board, the technician's task list and
job clock, the clock on the vehicle card a QR code opens, the progress board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

import models
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.vehicle_cards import card_url
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from lantong_pwa.settings import get_settings
from models.common import utc_now
from state.platform.settings import SettingsState
from state.workshop.board import BoardState
from state.workshop.dispatch import DispatchState
from state.workshop.tasks import TasksState
from state.workshop.vehicles import VehicleCardState, VehicleSearchState
from tests.factories import add_part, add_vehicle
from tests.services.workshop.test_workshop_dispatch import add_technician
from tests.state.harness import drive, is_toast, make_state, redirects_in, toast_text, token_for


@pytest.fixture
def scene(app_engine, shop, session):
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B12345", make="丰田", model="卡罗拉", mileage=1000)
    part = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器", price="58.00")
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1100", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="更换机油", hours="0.5", rate="100"),
                   JobLineInput(name="检查刹车", hours="1", rate="100")]))
    order.promised_at = utc_now() - timedelta(minutes=30)  # already late
    session.add(order)
    session.commit()
    lines = list(session.exec(select(models.JobLine).where(models.JobLine.work_order_id == order.id)
                              .order_by(models.JobLine.position)))
    tech2 = add_technician(session, shop.branch.id, "tech2", "李师傅")
    return dict(vehicle=vehicle, part=part, order=order, lines=lines, tech2=tech2)


def count(session, model, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_advisor_dispatches_from_the_board(scene, session, shop):
    cookie = token_for(session, shop.advisor)
    board = make_state(BoardState, token=cookie, path="/orders")
    assert drive(board.load()) is None
    [row] = board.rows
    assert [line.who for line in row.lines] == ["未派工", "未派工"] and row.late and row.time_left.startswith("超时")

    s = make_state(DispatchState, token=cookie, path="/orders")
    assert s.can_dispatch is False, "the role hint comes from the page guard"
    assert drive(s.open(scene["order"].id)) is None
    assert [line.name for line in s.lines] == ["更换机油", "检查刹车"]
    assert {c.value for c in s.targets} == {f"t:{shop.technician.id}", f"t:{scene['tech2'].id}"}

    drive(s.assign_order({"target": ""}))
    assert s.error == "请选择一名技师或一个班组"
    result = drive(s.assign_order({"target": f"t:{shop.technician.id}"}))
    assert is_toast(result[0], "success") and result[1].fn.__qualname__ == "BoardState.refresh"
    assert [line.assignees for line in s.lines] == ["维修技师 100%", "维修技师 100%"]

    second = scene["lines"][1].id
    drive(s.assign_line({"line_id": str(second), f"share_{shop.technician.id}": "60", f"share_{scene['tech2'].id}": "30"}))
    assert s.line_errors == {str(second): "分成比例合计应为100%，现为90%"}
    drive(s.assign_line({"line_id": str(second), f"share_{shop.technician.id}": "60", f"share_{scene['tech2'].id}": "40"}))
    assert s.line_errors == {} and s.lines[1].assignees == "维修技师 60%、李师傅 40%"
    assert [c.share for c in s.lines[1].cells] == ["40", "60"]  # 李师傅 sorts before 维修技师
    assert count(session, models.AuditEvent, models.AuditEvent.action == "job_line.assign") == 3

    card = make_state(DispatchState, token=cookie, path=f"/v/{scene['vehicle'].qr_token}")
    card.order_id = scene["order"].id
    result = drive(card.assign_order({"target": f"t:{scene['tech2'].id}"}))
    assert result[1].fn.__qualname__ == "VehicleCardState.refresh", "the card under the dialog reloads"

    drive(board.refresh())
    assert [line.who for line in board.rows[0].lines] == ["李师傅", "李师傅"]


def test_technician_works_through_the_task_list(scene, session, shop):
    order, (oil, brakes) = scene["order"], scene["lines"]
    for line in (oil, brakes):
        session.add(models.JobAssignment(branch_id=shop.branch.id, job_line_id=line.id,
                                         technician_id=shop.technician.id, share_percent=100,
                                         assigned_by_id=shop.advisor.id))
    session.commit()
    s = make_state(TasksState, token=token_for(session, shop.technician), path="/tasks")
    assert drive(s.load()) is None
    [group] = s.groups
    assert (group.plate, group.title, group.order_number) == ("粤B12345", "丰田 卡罗拉", order.number)
    assert [(line.name, line.start_label, line.running) for line in group.lines] == [
        ("更换机油", "开工", False), ("检查刹车", "开工", False)]

    assert is_toast(drive(s.start(oil.id)), "success")
    assert s.groups[0].lines[0].running and s.groups[0].lines[0].status == "施工中"
    session.expire_all()
    assert session.get(models.WorkOrder, order.id).status == models.WorkOrderStatus.IN_PROGRESS
    drive(s.start(brakes.id))
    assert [(line.status, line.running, line.start_label) for line in s.groups[0].lines] == [
        ("已暂停", False, "继续"), ("施工中", True, "继续")]
    drive(s.pause(brakes.id))
    assert not s.groups[0].lines[1].running
    drive(s.finish(oil.id))
    assert s.groups[0].lines[0].finished
    result = drive(s.start(oil.id))
    assert is_toast(result, "error") and "需要返工请组长重开" in toast_text(result)

    s.open_line(brakes.id)
    assert s.line.id == brakes.id and s.line_plate == "粤B12345"
    assert is_toast(drive(s.save_note({"note": "刹车盘有沟槽"}))[-1], "success")
    assert s.line.note == "刹车盘有沟槽" and s.groups[0].lines[1].note == "刹车盘有沟槽"

    drive(s.request_part({"quantity": "1"}))
    assert s.part_error == "请先查找并选择配件"
    drive(s.search_parts({"part_query": "机油"}))
    assert [(c.code, c.price) for c in s.part_choices] == [("JL-001", "")]  # the job needs no price
    s.choose_part(scene["part"].id)
    assert is_toast(drive(s.request_part({"quantity": "2", "part_note": "原厂"})), "success")
    drive(s.request_part({"quantity": "2", "part_note": "原厂"}))  # the second tap, queued behind the first
    assert s.part_error == "请先查找并选择配件"
    assert count(session, models.PickRequest) == 1
    assert s.groups[0].lines[1].waiting_parts is True

    s.close_line()
    assert s.line.id == 0


def test_scanning_a_card_on_my_tasks_opens_it_and_anything_else_is_told(scene, session, shop):
    tasks = make_state(TasksState, token=token_for(session, shop.technician), path="/tasks")
    token = scene["vehicle"].qr_token
    assert redirects_in(drive(tasks.open_scanned(card_url(token)))) == [f"/v/{token}"]
    for text, message in (("https://example.com/v/whatever-it-says", "不是蓝通车辆卡"), ("6901234567892", "不是蓝通车辆卡"),
                          (card_url("x" * 32), "未找到该车辆卡")):
        result = drive(tasks.open_scanned(text))
        assert redirects_in(result) == [] and is_toast(result, "error") and message in toast_text(result), text


def test_scan_then_start_on_the_vehicle_card(scene, session, shop):
    oil = scene["lines"][0]
    session.add(models.JobAssignment(branch_id=shop.branch.id, job_line_id=oil.id, technician_id=shop.technician.id,
                                     share_percent=100, assigned_by_id=shop.advisor.id))
    session.commit()
    token = scene["vehicle"].qr_token

    def card(user):
        s = make_state(VehicleCardState, token=token_for(session, user), path=f"/v/{token}", route="/v/[token]",
                       query={"token": token})
        assert drive(s.load()) is None
        return s

    s = card(shop.technician)
    [group] = s.my_tasks
    assert [(line.id, line.start_label) for line in group.lines] == [(oil.id, "开工")]
    assert is_toast(drive(s.start_line(oil.id)), "success")
    assert s.found and s.my_tasks[0].lines[0].running
    assert count(session, models.TimeEntry, models.TimeEntry.ended_at.is_(None)) == 1
    drive(s.pause_line(oil.id))
    assert s.my_tasks[0].lines[0].status == "已暂停"
    drive(s.finish_line(oil.id))
    assert s.my_tasks[0].lines[0].finished

    assert card(scene["tech2"]).my_tasks == [], "only the technician's own lines"
    assert card(shop.advisor).my_tasks == []
    result = drive(card(scene["tech2"]).start_line(oil.id))
    assert is_toast(result, "error") and "只能操作派给自己的维修项目" in toast_text(result)


def test_the_card_shows_a_technician_what_the_job_needs_unless_the_branch_allows_more(scene, session, shop,
                                                                                      monkeypatch):
    monkeypatch.setenv("LANTONG_PUBLIC_URL", "http://localhost:3000")
    get_settings.cache_clear()
    token = scene["vehicle"].qr_token

    def card(user) -> VehicleCardState:
        s = make_state(VehicleCardState, token=token_for(session, user), path=f"/v/{token}", route="/v/[token]",
                       query={"token": token})
        assert drive(s.load()) is None and s.found
        return s

    def found_by_plate(user) -> VehicleSearchState:
        s = make_state(VehicleSearchState, token=token_for(session, user), path="/vehicles")
        drive(s.search({"query": "12345"}))
        return s

    try:
        tech = card(shop.technician)
        [order] = tech.open_orders
        assert tech.vehicle.owner_mobile == "" and not tech.vehicle.owner_sms_consent
        assert [(job.detail, job.amount) for job in order.jobs] == [("0.5 工时", ""), ("1 工时", "")]
        assert order.total == "" and tech.link_warning == ""  # the label shows the same: no warning for them
        assert [v.owner_mobile for v in found_by_plate(shop.technician).results] == [""]

        manager = card(shop.manager)
        assert manager.vehicle.owner_mobile == "13800138000"
        assert [(job.detail, job.amount) for job in manager.open_orders[0].jobs] == [
            ("0.5 工时 × ¥100.00", "¥50.00"), ("1 工时 × ¥100.00", "¥100.00")]
        assert manager.open_orders[0].total == "¥150.00"
        assert "LANTONG_PUBLIC_URL" in manager.link_warning and "手机能访问的地址" in manager.link_warning
        assert card(shop.admin).link_warning == manager.link_warning
        assert card(shop.advisor).link_warning == ""

        settings = make_state(SettingsState, token=token_for(session, shop.manager), path="/settings")
        assert drive(settings.load()) is None and not settings.technicians_see_contact_and_prices
        assert is_toast(drive(settings.save_technicians_see_contact_and_prices(True)), "success")
        assert settings.technicians_see_contact_and_prices
        allowed = card(shop.technician)
        assert allowed.vehicle.owner_mobile == "13800138000"
        assert allowed.open_orders[0].total == "¥150.00" and allowed.link_warning == ""
        assert [v.owner_mobile for v in found_by_plate(shop.technician).results] == ["13800138000"]
    finally:
        get_settings.cache_clear()
