"""The reminder centre (``/care``) and the next service at settling, driven through their State handlers against the
real database. "Today" is the real shop day here: the entries are dated from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

import models
from lantong_pwa.services.care import reminders
from lantong_pwa.timezone import local_day
from models import ReminderStatus, WorkOrderStatus
from models.common import utc_now
from state.care.care import CareState
from tests.factories import add_vehicle
from tests.state.harness import drive, is_toast, make_state, token_for
from tests.state.cashier.test_cashier import order, settle_screen  # noqa: F401 - the fixture and the screen

D = timedelta


@pytest.fixture
def care(app_engine, shop, session):
    """Three entries of the branch (overdue inspection, compulsory policy in 5 days, a birthday, which names no
    vehicle, in 20) and one of the other branch, built by the daily job for today."""
    today = local_day(utc_now())
    add_vehicle(session, shop.branch.id, plate="粤B70001", mobile="13800070001", next_inspection_date=today - D(days=2))
    add_vehicle(session, shop.branch.id, plate="粤B70002", mobile="13800070002", owner_name="周女士",
                compulsory_policy_end=today + D(days=5))
    birthday = add_vehicle(session, shop.branch.id, plate="粤B70003", mobile="13800070003")
    owner = session.get(models.Customer, birthday.customer_id)
    owner.birthday = (today + D(days=20)).replace(year=1980)  # a leap year: any day of the year exists
    session.add(owner)
    add_vehicle(session, shop.other_branch.id, plate="粤A70004", mobile="13800070004",
                next_inspection_date=today + D(days=1))
    session.commit()
    assert reminders.build_reminders(session, today) == 4
    return today


def screen(session, user) -> CareState:
    s = make_state(CareState, token=token_for(session, user), path="/care")
    assert drive(s.load()) is None
    return s


def test_advisor_sees_the_branch_list_most_urgent_first(care, session, shop):
    s = screen(session, shop.advisor)
    assert [(c.label, c.count) for c in s.counts] == [("已逾期", 1), ("今天", 0), ("7天内", 1), ("30天内", 1)]
    assert s.total == 3
    assert [(r.plate, r.band_label, r.colour) for r in s.rows] == [
        ("粤B70001", "已逾期", "red"), ("粤B70002", "7天内", "orange"), ("", "30天内", "gray")]
    first, second = s.rows[0], s.rows[1]
    assert first.kind_label == "年检到期" and first.due.endswith("（逾期2天）")
    assert (second.customer, second.mobile, second.tel) == ("周女士", "138****0002", "tel:13800070002")
    assert second.due == f"{care + D(days=5)}（5天后）"

    drive(s.filter_band("overdue"))
    assert [r.plate for r in s.rows] == ["粤B70001"]
    drive(s.filter_band("nonsense"))
    assert s.band_filter == "" and len(s.rows) == 3
    drive(s.filter_kind("birthday"))
    assert [r.kind for r in s.rows] == ["birthday"] and s.rows[0].plate == ""
    drive(s.filter_kind(""))
    assert len(s.rows) == 3


def test_contacted_snoozed_and_sent(care, session, shop):
    s = screen(session, shop.advisor)
    overdue, policy = s.rows[0], s.rows[1]

    s.open_contact(overdue.id)
    assert drive(s.mark_contacted({"reminder_id": str(overdue.id), "result": " "})) is None
    assert s.contact_error == "请填写联系结果" and s.contacting_id == overdue.id, "the form stays open"
    result = drive(s.mark_contacted({"reminder_id": str(overdue.id), "result": "已预约周六年检"}))
    assert is_toast(result, "success") and s.contacting_id == 0
    assert [r.kind for r in s.rows] == ["compulsory_insurance", "birthday"]
    session.expire_all()
    stored = session.get(models.CareReminder, overdue.id)
    assert (stored.status, stored.result, stored.contacted_by_id) == \
        (ReminderStatus.CONTACTED, "已预约周六年检", shop.advisor.id)

    key = policy.send_key
    assert is_toast(drive(s.send(policy.id, key)), "success")
    assert "交强险提醒" in s.rows[0].notice and "仅记录" in s.rows[0].notice
    drive(s.send(policy.id, key))  # the double tap: the same key went with both
    assert session.exec(select(func.count()).select_from(models.Notification)).one() == 1

    assert is_toast(drive(s.snooze(policy.id, 7)), "success")
    assert [r.kind for r in s.rows] == ["birthday"]
    assert [(c.label, c.count) for c in s.counts][:3] == [("已逾期", 0), ("今天", 0), ("7天内", 0)]


def test_another_branch_sees_its_own_and_cannot_touch_ours(care, session, shop):
    ours = screen(session, shop.advisor).rows[0]
    s = screen(session, shop.other_branch_advisor)
    assert [r.plate for r in s.rows] == ["粤A70004"]
    result = drive(s.mark_contacted({"reminder_id": str(ours.id), "result": "越权"}))
    assert is_toast(result, "error") and s.error == "记录不存在或无权查看"
    session.expire_all()
    assert session.get(models.CareReminder, ours.id).status == ReminderStatus.OPEN


def test_the_next_service_is_set_when_settling(order, session, shop):  # noqa: F811 - the fixture
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.commit()
    s = settle_screen(session, shop.cashier, order)
    assert s.next_mileage_hint == "如 47100"
    today = local_day(utc_now())
    result = drive(s.settle({"next_service_date": str(today), "next_service_mileage": "40000"}))
    assert is_toast(result, "error") and s.settlement_number == ""
    assert s.settle_errors == {"next_service_date": "下次保养日期应晚于今天",
                               "next_service_mileage": "下次保养里程应大于当前里程42,100公里"}
    later = today + D(days=180)
    result = drive(s.settle({"next_service_date": str(later), "next_service_mileage": "47,100"}))
    assert is_toast(result, "success") and s.settle_errors == {} and s.settlement_number.startswith("JS")
    session.expire_all()
    vehicle = session.get(models.Vehicle, order.vehicle_id)
    assert (vehicle.next_service_date, vehicle.next_service_mileage) == (later, 47100)
