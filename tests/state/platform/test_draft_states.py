"""Drafts the browser kept, coming back into the State: the intake order and registration, a job line's note.
A draft is the browser's word: only the draft of the form on the screen is taken, its lines are priced again, and
a resubmit with its request key (after a reload where the first answer was lost) makes one record."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

import models
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from state.platform.drafts import draft_key
from state.workshop.intake import IntakeState
from state.workshop.tasks import TasksState
from tests.factories import add_part, add_vehicle
from tests.state.platform.draft_cases import DRAFT_KEY, order_draft
from tests.state.harness import drive, forgotten_drafts, is_toast, make_state, set_page, sign_in_tab, token_for


@pytest.fixture
def scene(app_engine, shop, session):
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B67890", mileage=42000)
    other = add_vehicle(session, shop.branch.id, plate="粤B24680", mobile="13900001111", owner_name="陈先生")
    part = add_part(session, shop.branch.id, code="KT-01", name="空调滤芯", price="80.00")
    withdrawn = add_part(session, shop.branch.id, code="OLD-1", name="停售配件", price="10.00", is_active=False)
    return dict(vehicle=vehicle, other=other, part=part, withdrawn=withdrawn,
                cookie=token_for(session, shop.advisor))


def order_count(session, vehicle_id: int) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(models.WorkOrder)
                        .where(models.WorkOrder.vehicle_id == vehicle_id)).one()


def intake_on(cookie: str, vehicle) -> IntakeState:
    """The intake page reloaded at ``/intake?vehicle=<token>``: the order form of that vehicle, started afresh."""
    s = make_state(IntakeState, token=cookie, path="/intake", query={"vehicle": vehicle.qr_token})
    assert drive(s.load()) is None and s.step == "order"
    return s


def test_an_order_draft_comes_back_priced_again_with_its_key(scene, shop):
    s = intake_on(scene["cookie"], scene["vehicle"])
    version = s.order_form_version
    draft = order_draft(scene["vehicle"].id, scene["part"].id, shop.advisor.id)
    draft["snapshot"]["part_lines"].append({"part_id": str(scene["withdrawn"].id), "quantity": "1"})
    draft["snapshot"]["job_lines"][0]["amount"] = "1.00"  # an altered draft: amounts are never taken from it

    drive(s.restore_order_draft(draft))

    assert s.order_draft_restored and s.order_key == DRAFT_KEY and s.order_form_version == version + 1
    assert s.order_defaults == {"mileage_in": "43000", "fuel_level": "3", "complaint": "空调不凉", "promised_at": ""}
    assert [(r.name, r.value) for r in s.job_rows] == [("空调检修", "150.00")]
    assert [(r.part_id, r.quantity, r.value) for r in s.part_rows] == [(scene["part"].id, "2", "160.00")]
    assert s.line_error == "草稿中的一行未恢复：该配件不在配件目录中"
    assert s.lines_total == "¥310.00"
    assert s.order_draft_lines == {
        "job_lines": [{"name": "空调检修", "hours": "1.00", "rate": "150.00", "fixed_price": ""}],
        "part_lines": [{"part_id": str(scene["part"].id), "quantity": "2"}]}


@pytest.mark.parametrize("change", ["another vehicle", "another person", "no such key", "nothing typed"])
def test_a_draft_of_another_form_or_an_empty_one_changes_nothing(scene, shop, change):
    s = intake_on(scene["cookie"], scene["vehicle"])
    draft = {
        "another vehicle": order_draft(scene["other"].id, scene["part"].id, shop.advisor.id),
        "another person": order_draft(scene["vehicle"].id, scene["part"].id, shop.technician.id),
        "no such key": {"fields": {"complaint": "x"}},
        "nothing typed": {**order_draft(scene["vehicle"].id, scene["part"].id, shop.advisor.id),
                          "fields": {"mileage_in": "", "fuel_level": "", "complaint": ""}, "snapshot": {}},
    }[change]
    key, version = s.order_key, s.order_form_version

    drive(s.restore_order_draft(draft))

    assert not s.order_draft_restored and s.order_key == key and s.order_form_version == version
    assert s.job_rows == [] and s.part_rows == [] and s.order_defaults["complaint"] == ""


def test_an_altered_request_key_is_not_taken(scene, shop):
    s = intake_on(scene["cookie"], scene["vehicle"])
    key = s.order_key
    drive(s.restore_order_draft({**order_draft(scene["vehicle"].id, scene["part"].id, shop.advisor.id),
                           "generation": "'; drop table work_order; --"}))
    assert s.order_draft_restored and s.order_key == key


def test_a_draft_whose_submit_reached_the_server_comes_back_as_that_order(scene, shop, session):
    """The first submit reached the server but its answer was lost; after a reload the kept draft (with its request
    key) does not pass for unsent: the page shows the order it opened, and no second one is made."""
    vehicle = scene["vehicle"]
    draft = order_draft(vehicle.id, scene["part"].id, shop.advisor.id)
    first = intake_on(scene["cookie"], vehicle)
    drive(first.restore_order_draft(draft))
    drive(first.open_order(dict(draft["fields"])))  # reached the server; the browser never heard back
    assert first.order_number and order_count(session, vehicle.id) == 1

    again = intake_on(scene["cookie"], vehicle)  # reload: a new request key, until the draft is restored
    assert again.order_key != DRAFT_KEY
    result = drive(again.restore_order_draft(draft))

    assert again.step == "photos" and again.order_number == first.order_number and again.order_key == DRAFT_KEY
    assert order_count(session, vehicle.id) == 1
    assert forgotten_drafts(result) == [draft_key(shop.advisor.id, f"order:{vehicle.id}")]
    assert is_toast(result[-1], "success") and "该草稿已开单" in repr(result[-1].args)


def test_a_resubmit_with_the_drafts_key_opens_one_order(scene, shop, session):
    """The same submit sent again (after a reconnect, or by a second tab holding the same draft) finds the first
    order: the service looks the request key up before it opens anything."""
    vehicle = scene["vehicle"]
    draft = order_draft(vehicle.id, scene["part"].id, shop.advisor.id)
    tabs = [intake_on(scene["cookie"], vehicle) for _ in range(2)]
    for tab in tabs:
        drive(tab.restore_order_draft(draft))
    results = [drive(tab.open_order(dict(draft["fields"]))) for tab in tabs]
    assert tabs[0].order_number == tabs[1].order_number and order_count(session, vehicle.id) == 1
    assert all(forgotten_drafts(result) == [draft_key(shop.advisor.id, f"order:{vehicle.id}")] for result in results)


def test_discarding_an_order_draft_starts_the_form_afresh(scene, shop):
    s = intake_on(scene["cookie"], scene["vehicle"])
    drive(s.restore_order_draft(order_draft(scene["vehicle"].id, scene["part"].id, shop.advisor.id)))
    version = s.order_form_version

    result = s.discard_order_draft()

    assert forgotten_drafts(result) == [draft_key(shop.advisor.id, f"order:{scene['vehicle'].id}")]
    assert not s.order_draft_restored and s.order_key not in ("", DRAFT_KEY)
    assert s.job_rows == [] and s.part_rows == [] and s.order_defaults["complaint"] == ""
    assert s.order_form_version == version + 1


def registration_draft(user_id: int, **fields) -> dict:
    return {"key": draft_key(user_id, "register"), "generation": DRAFT_KEY,
            "fields": {"customer_name": "赵女士", "mobile": "13511112222", "kind": "company", "sms_consent": "on",
                       "plate": "粤B13579", "make": "大众", **fields}}


def test_a_registration_draft_comes_back_and_a_resubmit_registers_once(scene, shop, session):
    vehicles_before = session.exec(select(func.count()).select_from(models.Vehicle)).one()
    draft = registration_draft(shop.advisor.id)
    tabs = []
    for _ in range(2):  # the first submit's answer is lost; after a reload the same draft is submitted again
        s = make_state(IntakeState, token=scene["cookie"], path="/intake")
        assert drive(s.load()) is None
        s.start_registration()
        s.restore_register_draft(draft)
        assert s.register_draft_restored and s.register_key == DRAFT_KEY
        assert s.register_defaults["customer_name"] == "赵女士" and s.register_defaults["kind"] == "company"
        assert s.register_defaults["sms_consent"] == "on" and s.register_defaults["vin"] == ""
        result = drive(s.register(dict(draft["fields"])))
        assert s.register_errors == {} and s.step == "order"
        assert forgotten_drafts(result) == [draft_key(shop.advisor.id, "register")]
        tabs.append(s)

    session.expire_all()
    assert session.exec(select(func.count()).select_from(models.Vehicle)).one() == vehicles_before + 1
    assert tabs[0].vehicle.id == tabs[1].vehicle.id


def test_a_registration_draft_is_only_taken_on_the_registration_step(scene, shop):
    s = make_state(IntakeState, token=scene["cookie"], path="/intake")
    drive(s.load())
    s.restore_register_draft(registration_draft(shop.advisor.id))  # still on the search step
    assert not s.register_draft_restored and s.register_defaults["customer_name"] == ""
    s.start_registration()
    s.restore_register_draft(registration_draft(shop.advisor.id))
    result = s.discard_register_draft()
    assert forgotten_drafts(result) == [draft_key(shop.advisor.id, "register")]
    assert not s.register_draft_restored and s.register_defaults["customer_name"] == ""
    assert s.register_defaults["kind"] == "individual" and s.register_key != DRAFT_KEY


def test_a_note_draft_comes_back_to_its_own_line_only(scene, shop, session):
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=scene["vehicle"].id, mileage_in="42100", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="更换机油", hours="0.5", rate="100"),
                   JobLineInput(name="检查刹车", hours="1", rate="100")]))
    lines = session.exec(select(models.JobLine).where(models.JobLine.work_order_id == order.id)
                         .order_by(models.JobLine.position)).all()
    for line in lines:
        session.add(models.JobAssignment(branch_id=line.branch_id, job_line_id=line.id,
                                         technician_id=shop.technician.id, share_percent=100,
                                         assigned_by_id=shop.advisor.id))
    session.commit()
    s = make_state(TasksState, token=token_for(session, shop.technician), path="/tasks")
    assert drive(s.load()) is None
    oil, brakes = lines
    key = draft_key(shop.technician.id, f"note:{oil.id}")

    s.open_line(brakes.id)
    s.restore_note_draft({"key": key, "fields": {"note": "机油偏黑"}})  # the other line's draft
    assert not s.note_draft_restored and s.note_text == ""

    s.open_line(oil.id)
    s.restore_note_draft({"key": key, "fields": {"note": ""}})  # the same as the saved note: nothing to restore
    assert not s.note_draft_restored
    version = s.note_form_version
    s.restore_note_draft({"key": key, "fields": {"note": "机油偏黑"}})
    assert s.note_draft_restored and s.note_text == "机油偏黑" and s.note_form_version == version + 1

    result = drive(s.save_note({"note": "机油偏黑"}))
    assert forgotten_drafts(result) == [key] and is_toast(result[-1], "success")
    assert not s.note_draft_restored and s.note_text == "机油偏黑"
    session.expire_all()
    assert session.get(models.JobLine, oil.id).note == "机油偏黑"

    s.restore_note_draft({"key": key, "fields": {"note": "改了一半"}})
    assert forgotten_drafts(s.discard_note_draft()) == [key]
    assert not s.note_draft_restored and s.note_text == "机油偏黑"


def test_a_reconnect_keeps_the_work_in_progress_of_the_same_person(scene, shop, session):
    """Reflex runs the page's load again after every reconnect: the order form keeps its lines and request key."""
    s = intake_on(scene["cookie"], scene["vehicle"])
    drive(s.add_job_line({"job_name": "检查刹车", "job_fixed": "88"}))
    key = s.order_key
    assert drive(s.load()) is None
    assert s.step == "order" and [r.name for r in s.job_rows] == ["检查刹车"] and s.order_key == key

    set_page(s, "/intake", query={"vehicle": scene["other"].qr_token})  # another vehicle's address starts afresh
    assert drive(s.load()) is None
    assert s.vehicle.id == scene["other"].id and s.job_rows == [] and s.order_key != key
    set_page(s, "/intake", query={"vehicle": scene["vehicle"].qr_token})
    drive(s.load())
    drive(s.add_job_line({"job_name": "检查刹车", "job_fixed": "88"}))
    key = s.order_key

    sign_in_tab(s, token_for(session, shop.manager))  # someone else signs in on this tab: nothing of the advisor's
    assert drive(s.load()) is None
    assert s.job_rows == [] and s.order_key != key


def test_a_reconnect_keeps_the_search_results(scene):
    """A reconnect on the search step (load runs again) leaves the results the advisor is about to tap."""
    s = make_state(IntakeState, token=scene["cookie"], path="/intake")
    assert drive(s.load()) is None and s.step == "search"
    drive(s.search({"query": "67890"}))
    assert [r.plate for r in s.results] == ["粤B67890"]
    assert drive(s.load()) is None
    assert s.step == "search" and [r.plate for r in s.results] == ["粤B67890"]


def test_a_reconnect_keeps_the_sheet_of_my_line_open(scene, shop, session):
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=scene["vehicle"].id, mileage_in="42100", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="更换机油", hours="0.5", rate="100")]))
    line = session.exec(select(models.JobLine).where(models.JobLine.work_order_id == order.id)).one()
    session.add(models.JobAssignment(branch_id=line.branch_id, job_line_id=line.id, technician_id=shop.technician.id,
                                     share_percent=100, assigned_by_id=shop.advisor.id))
    session.commit()
    s = make_state(TasksState, token=token_for(session, shop.technician), path="/tasks")
    drive(s.load())
    s.open_line(line.id)
    assert drive(s.load()) is None and s.line.id == line.id
    s.line.id = line.id + 1000  # not a line of mine (any more): the sheet closes
    drive(s.load())
    assert s.line.id == 0
