"""The reminder centre (R12, R13, R15): what the daily build puts on the list, urgency bands, contacted / snooze /
send, branch scoping, the next service set at settlement and the purchase date on the vehicle form.

The clock is controlled: "today" is passed in (Tuesday 2026-12-01 in the shop); nothing sleeps.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, func, select

import models
from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.care import reminders
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.platform import branches
from lantong_pwa.services.workshop import vehicles
from lantong_pwa.services.care.reminders import Band, ReminderRules, band_of, estimate_date_for_mileage
from lantong_pwa.timezone import SHOP_TZ
from models import (
    AuditEvent,
    CareReminder,
    NotificationStatus,
    ReminderKind,
    ReminderStatus,
    WorkOrder,
    WorkOrderStatus,
)
from tests.conftest import refusal
from tests.factories import add_vehicle
from tests.services.platform.test_figures import add_order
from tests.services.cashier.test_settlement import completed_order

TODAY = date(2026, 12, 1)
RULES = ReminderRules()
D = timedelta


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHOP_TZ).astimezone(UTC)


def entries(session: Session, *where) -> list[CareReminder]:
    session.expire_all()
    return list(session.exec(select(CareReminder).where(*where).order_by(CareReminder.due_on, CareReminder.id)).all())


def kinds(session: Session, status=ReminderStatus.OPEN) -> set[tuple[str, date]]:
    return {(ReminderKind(r.kind).value, r.due_on) for r in entries(session, CareReminder.status == status)}


def build(session: Session, today: date = TODAY) -> int:
    return reminders.build_reminders(session, today, RULES)


def audit_actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


# --- the pure rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("due", "band"), [
    (TODAY - D(days=1), Band.OVERDUE), (TODAY, Band.TODAY), (TODAY + D(days=1), Band.WEEK),
    (TODAY + D(days=7), Band.WEEK), (TODAY + D(days=8), Band.MONTH), (TODAY + D(days=30), Band.MONTH),
    (TODAY + D(days=31), Band.LATER),
])
def test_urgency_bands(due, band):
    assert band_of(due, TODAY) == band
    assert {b.label for b in Band} == {"已逾期", "今天", "7天内", "30天内", "30天后"}


def test_mileage_estimate_from_the_history():
    readings = [(date(2026, 1, 1), 10_000), (date(2026, 7, 1), 19_050)]  # 181 days, 50 km a day
    assert estimate_date_for_mileage(readings, 20_000) == date(2026, 7, 20)
    assert estimate_date_for_mileage(readings, 15_000) == date(2026, 7, 1), "already passed: the reading's day"
    assert estimate_date_for_mileage(readings[:1], 20_000) is None, "one reading gives no pace"
    assert estimate_date_for_mileage([(date(2026, 1, 1), 10_000), (date(2026, 2, 1), 10_000)], 20_000) is None
    assert estimate_date_for_mileage([], 20_000) is None


def test_month_arithmetic_and_leap_birthdays():
    assert reminders.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert reminders.add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    assert reminders.birthday_in(2026, date(1988, 2, 29)) == date(2026, 2, 28)
    assert reminders.birthday_in(2028, date(1988, 2, 29)) == date(2028, 2, 29)


# --- the daily build --------------------------------------------------------------------------------------------


def test_build_lists_what_is_due_within_the_window(session, shop):
    branch = shop.branch.id
    add_vehicle(session, branch, plate="粤B10001", mobile="13800000001", next_inspection_date=TODAY + D(days=5))
    add_vehicle(session, branch, plate="粤B10002", mobile="13800000002", next_inspection_date=TODAY + D(days=31))
    add_vehicle(session, branch, plate="粤B10003", mobile="13800000003", insurer="平安",
                compulsory_policy_end=TODAY + D(days=20), commercial_policy_end=TODAY - D(days=3))
    add_vehicle(session, branch, plate="粤B10004", mobile="13800000004", commercial_policy_end=TODAY - D(days=61))
    birthday = add_vehicle(session, branch, plate="粤B10005", mobile="13800000005")
    owner = session.get(models.Customer, birthday.customer_id)
    owner.birthday = date(1985, 12, 11)
    session.add(owner)
    session.commit()

    assert build(session) == 4
    assert kinds(session) == {
        ("inspection", TODAY + D(days=5)), ("compulsory_insurance", TODAY + D(days=20)),
        ("commercial_insurance", TODAY - D(days=3)), ("birthday", date(2026, 12, 11)),
    }, "31 days ahead is too early; 61 days overdue is too late"
    compulsory = entries(session, CareReminder.kind == ReminderKind.COMPULSORY_INSURANCE)[0]
    assert compulsory.detail == f"平安 交强险 {TODAY + D(days=20)} 到期"
    assert compulsory.dedupe_key.startswith("compulsory_insurance:v")
    assert entries(session, CareReminder.kind == ReminderKind.BIRTHDAY)[0].vehicle_id is None


def test_running_twice_adds_nothing_and_the_window_moves_on(session, shop):
    add_vehicle(session, shop.branch.id, next_inspection_date=TODAY + D(days=35))
    assert build(session) == 0
    assert build(session, TODAY + D(days=5)) == 1
    assert build(session, TODAY + D(days=5)) == 0
    assert build(session, TODAY + D(days=6)) == 0
    assert len(entries(session)) == 1


def test_a_closed_branch_gets_no_reminders_until_it_reopens(session, shop):
    add_vehicle(session, shop.branch.id, plate="粤B10001", mobile="13800000001", next_inspection_date=TODAY + D(days=5))
    add_vehicle(session, shop.other_branch.id, plate="粤A10002", mobile="13800000002",
                next_inspection_date=TODAY + D(days=5))
    assert build(session) == 2
    branches.close_branch(session, shop.admin, shop.other_branch.id)
    session.commit()

    assert build(session) == 0
    assert {r.branch_id for r in entries(session, CareReminder.status == ReminderStatus.OPEN)} == {shop.branch.id}
    assert [r.branch_id for r in entries(session, CareReminder.status == ReminderStatus.DISMISSED)] == [
        shop.other_branch.id]

    branches.reopen_branch(session, shop.admin, shop.other_branch.id)
    session.commit()
    assert build(session) == 0, "the dismissed entry opens again rather than being added twice"
    assert {r.branch_id for r in entries(session, CareReminder.status == ReminderStatus.OPEN)} == {
        shop.branch.id, shop.other_branch.id}


def test_two_builds_at_once_add_each_entry_once(session, shop, units):
    for n in range(12):
        add_vehicle(session, shop.branch.id, plate=f"粤B2{n:04d}", mobile=f"1390000{n:04d}",
                    next_inspection_date=TODAY + D(days=n), commercial_policy_end=TODAY + D(days=n + 1))
    barrier = threading.Barrier(2)
    added, errors = [], []

    def run():
        try:
            with units() as own:  # each run is the job's one unit of work
                barrier.wait()
                added.append(reminders.build_reminders(own, TODAY, RULES))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(added) == 24
    assert len(entries(session)) == 24
    assert session.exec(select(func.count(func.distinct(CareReminder.dedupe_key)))).one() == 24


def test_a_moved_date_dismisses_the_old_entry_and_adds_the_new_one(session, shop):
    vehicle = add_vehicle(session, shop.branch.id, commercial_policy_end=TODAY + D(days=10))
    build(session)
    vehicle.commercial_policy_end = TODAY + D(days=375)  # renewed for a year
    session.add(vehicle)
    session.commit()
    assert build(session) == 0
    assert kinds(session) == set()
    assert kinds(session, ReminderStatus.DISMISSED) == {("commercial_insurance", TODAY + D(days=10))}
    vehicle.commercial_policy_end = TODAY + D(days=12)
    session.add(vehicle)
    session.commit()
    assert build(session) == 1
    assert kinds(session) == {("commercial_insurance", TODAY + D(days=12))}
    vehicle.commercial_policy_end = TODAY + D(days=10)  # a typing error put right: the first entry comes back
    session.add(vehicle)
    session.commit()
    assert build(session) == 0
    assert kinds(session) == {("commercial_insurance", TODAY + D(days=10))}


def test_a_contacted_entry_stays_contacted(session, shop):
    add_vehicle(session, shop.branch.id, next_inspection_date=TODAY + D(days=3))
    build(session)
    reminders.mark_contacted(session, shop.advisor, entries(session)[0].id, "客户说下周来")
    build(session)
    build(session, TODAY + D(days=1))
    assert kinds(session) == set()
    assert kinds(session, ReminderStatus.CONTACTED) == {("inspection", TODAY + D(days=3))}


def test_maintenance_by_mileage_comes_before_the_date(session, shop):
    vehicle = add_vehicle(session, shop.branch.id, mileage=19_050, next_service_date=TODAY + D(days=90),
                          next_service_mileage=20_000)
    first = add_order(session, vehicle, shop.advisor, "WX1", at(date(2026, 6, 1)), WorkOrderStatus.CLOSED)
    first.mileage_in = 10_000
    second = add_order(session, vehicle, shop.advisor, "WX2", at(date(2026, 11, 30)), WorkOrderStatus.CLOSED)
    second.mileage_in = 19_050  # 182 days: about 49.7 km a day, 950 km to go: 20 days
    session.add_all([first, second])
    session.commit()

    assert build(session) == 1
    [entry] = entries(session)
    assert (entry.kind, entry.due_on) == (ReminderKind.MAINTENANCE, date(2026, 12, 20))
    assert "20,000 公里" in entry.detail and "按里程预计2026-12-20" in entry.detail and "以先到者为准" in entry.detail


def test_maintenance_by_date_when_it_comes_first(session, shop):
    add_vehicle(session, shop.branch.id, mileage=10_000, next_service_date=TODAY + D(days=14),
                next_service_mileage=15_000)
    build(session)
    [entry] = entries(session)
    assert entry.due_on == TODAY + D(days=14)
    assert "按里程预计" not in entry.detail, "no history: the date decides"


def test_first_service_after_purchase_only_while_the_vehicle_has_no_order(session, shop):
    bought = add_vehicle(session, shop.branch.id, plate="粤B30001", mobile="13800030001",
                         purchase_date=date(2026, 6, 10))
    serviced = add_vehicle(session, shop.branch.id, plate="粤B30002", mobile="13800030002",
                           purchase_date=date(2026, 6, 10))
    add_order(session, serviced, shop.advisor, "WX3", at(date(2026, 11, 1)), WorkOrderStatus.CLOSED)
    session.commit()
    build(session)
    [entry] = entries(session)
    assert (entry.vehicle_id, entry.kind, entry.due_on) == (bought.id, ReminderKind.FIRST_SERVICE, date(2026, 12, 10))
    assert entry.detail.startswith("购车 2026-06-10，首保 6个月或5,000 公里")

    add_order(session, bought, shop.advisor, "WX4", at(TODAY), WorkOrderStatus.OPEN)
    session.commit()
    build(session)
    assert kinds(session) == set(), "the first visit took care of it"


def test_first_service_by_mileage_from_the_registration(session, shop):
    vehicle = add_vehicle(session, shop.branch.id, purchase_date=date(2026, 10, 1), mileage=2_480)
    vehicle.created_at = at(date(2026, 11, 1))  # 2,480 km in 31 days (80 a day): 5,000 km 32 days later
    session.add(vehicle)
    session.commit()
    build(session)
    [entry] = entries(session)
    assert entry.due_on == date(2026, 12, 3)
    assert "按里程预计2026-12-03" in entry.detail


def test_birthdays_this_year_then_next(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    owner = session.get(models.Customer, vehicle.customer_id)
    owner.birthday = date(1990, 11, 28)  # three days ago: still on the list for a belated greeting
    session.add(owner)
    session.commit()
    build(session)
    assert kinds(session) == {("birthday", date(2026, 11, 28))}
    build(session, date(2026, 12, 6))
    assert kinds(session) == set()
    assert kinds(session, ReminderStatus.DISMISSED) == {("birthday", date(2026, 11, 28))}
    build(session, date(2027, 11, 1))
    assert kinds(session) == {("birthday", date(2027, 11, 28))}


def follow_up(session, order, due_on, status=models.FollowUpStatus.OPEN) -> models.FollowUp:
    row = models.FollowUp(branch_id=order.branch_id, work_order_id=order.id, customer_id=order.customer_id,
                          vehicle_id=order.vehicle_id, status=status, due_on=due_on,
                          link_nonce=secrets.token_urlsafe(16), link_expires_at=at(TODAY + D(days=30)))
    session.add(row)
    session.commit()
    return row


def test_open_follow_ups_on_their_day(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    order = add_order(session, vehicle, shop.advisor, "WX20261127-0001", at(date(2026, 11, 27)),
                      WorkOrderStatus.CLOSED)
    due = follow_up(session, order, TODAY)
    other = add_order(session, vehicle, shop.advisor, "WX20261127-0002", at(date(2026, 11, 27)),
                      WorkOrderStatus.CLOSED)
    follow_up(session, other, TODAY, status=models.FollowUpStatus.ANSWERED)
    build(session)
    [entry] = entries(session)
    assert (entry.kind, entry.follow_up_id, entry.vehicle_id) == (ReminderKind.FOLLOW_UP, due.id, vehicle.id)
    assert entry.detail == "工单 WX20261127-0001 售后回访"

    assert [e.reminder.id for e in reminders.list_reminders(session, shop.advisor, today=TODAY)] == [entry.id]
    due.status = models.FollowUpStatus.ANSWERED
    session.add(due)
    session.commit()
    assert reminders.list_reminders(session, shop.advisor, today=TODAY) == [], "answered since the morning's build"
    assert reminders.band_counts(session, shop.advisor, today=TODAY)[Band.TODAY] == 0
    build(session)
    assert kinds(session) == set(), "answered: nothing left to do"


# --- the list, handling entries ---------------------------------------------------------------------------------


@pytest.fixture
def listed(session, shop):
    """Five open entries in the branch (overdue, today, 5 days, 20 days) and one in the other branch."""
    branch = shop.branch.id
    add_vehicle(session, branch, plate="粤B40001", mobile="13800040001", next_inspection_date=TODAY - D(days=2))
    add_vehicle(session, branch, plate="粤B40002", mobile="13800040002", next_inspection_date=TODAY)
    add_vehicle(session, branch, plate="粤B40003", mobile="13800040003", compulsory_policy_end=TODAY + D(days=5),
                commercial_policy_end=TODAY + D(days=20))
    add_vehicle(session, shop.other_branch.id, plate="粤A40004", mobile="13800040004",
                next_inspection_date=TODAY + D(days=1))
    build(session)
    return {f"{session.get(models.Vehicle, r.vehicle_id).plate}:{r.kind}": r for r in entries(session)}


def test_list_is_branch_scoped_and_most_urgent_first(session, shop, listed):
    rows = reminders.list_reminders(session, shop.advisor, today=TODAY)
    assert [(e.vehicle.plate, e.band) for e in rows] == [
        ("粤B40001", Band.OVERDUE), ("粤B40002", Band.TODAY), ("粤B40003", Band.WEEK), ("粤B40003", Band.MONTH)]
    assert rows[0].customer.mobile == "13800040001" and rows[0].notification is None
    assert [e.vehicle.plate for e in reminders.list_reminders(session, shop.other_branch_advisor, today=TODAY)] \
        == ["粤A40004"]
    assert len(reminders.list_reminders(session, shop.admin, today=TODAY)) == 5, "admins see every branch"
    assert reminders.band_counts(session, shop.manager, today=TODAY) == {
        Band.OVERDUE: 1, Band.TODAY: 1, Band.WEEK: 1, Band.MONTH: 1, Band.LATER: 0}


def test_list_filters_by_band_and_kind(session, shop, listed):
    week = reminders.list_reminders(session, shop.advisor, today=TODAY, band="week")
    assert [(e.vehicle.plate, ReminderKind(e.reminder.kind)) for e in week] == [
        ("粤B40003", ReminderKind.COMPULSORY_INSURANCE)]
    commercial = reminders.list_reminders(session, shop.advisor, today=TODAY, kind="commercial_insurance")
    assert [e.band for e in commercial] == [Band.MONTH]
    with pytest.raises(DomainError, match="紧急程度无效"):
        reminders.list_reminders(session, shop.advisor, today=TODAY, band="soon")
    with pytest.raises(DomainError, match="提醒类型无效"):
        reminders.list_reminders(session, shop.advisor, today=TODAY, kind="oil")


@pytest.mark.parametrize("role", ["technician", "parts_clerk", "cashier"])
def test_only_care_roles_use_the_centre(session, shop, listed, role):
    reminder = next(iter(listed.values()))
    with pytest.raises(PermissionDenied):
        reminders.list_reminders(session, shop.users[role], today=TODAY)
    with pytest.raises(PermissionDenied):
        reminders.mark_contacted(session, shop.users[role], reminder.id, "已联系")
    with pytest.raises(PermissionDenied):
        reminders.snooze(session, shop.users[role], reminder.id, today=TODAY, days=3)
    assert kinds(session, ReminderStatus.CONTACTED) == set() and kinds(session, ReminderStatus.SNOOZED) == set()


def test_another_branch_cannot_touch_an_entry(session, shop, listed):
    reminder = listed["粤B40001:inspection"]
    with pytest.raises(NotFound):
        reminders.mark_contacted(session, shop.other_branch_advisor, reminder.id, "已联系")
    with pytest.raises(NotFound):
        reminders.send_reminder(session, shop.other_branch_advisor, reminder.id, "key-1")
    assert entries(session, CareReminder.id == reminder.id)[0].status == ReminderStatus.OPEN


def test_marking_contacted_records_the_result_once(session, shop, listed):
    reminder = listed["粤B40001:inspection"]
    with pytest.raises(DomainError) as refused:
        reminders.mark_contacted(session, shop.advisor, reminder.id, "  ")
    assert refused.value.field == "result"
    with pytest.raises(DomainError, match="不能超过200字"):
        reminders.mark_contacted(session, shop.advisor, reminder.id, "长" * 201)
    done = reminders.mark_contacted(session, shop.advisor, reminder.id, "客户已预约周五年检")
    assert (done.status, done.result, done.contacted_by_id) == (ReminderStatus.CONTACTED, "客户已预约周五年检",
                                                                shop.advisor.id)
    again = reminders.mark_contacted(session, shop.manager, reminder.id, "第二次点击")
    assert again.result == "客户已预约周五年检" and again.contacted_by_id == shop.advisor.id
    assert audit_actions(session).count("care_reminder.contacted") == 1
    assert [e.vehicle.plate for e in reminders.list_reminders(session, shop.advisor, today=TODAY)][0] == "粤B40002"
    contacted = reminders.list_reminders(session, shop.advisor, today=TODAY, status=ReminderStatus.CONTACTED)
    assert [e.reminder.id for e in contacted] == [reminder.id]


def test_snoozed_entries_come_back_on_their_day(session, shop, listed):
    reminder = listed["粤B40002:inspection"]
    with pytest.raises(DomainError, match="推迟天数"):
        reminders.snooze(session, shop.advisor, reminder.id, today=TODAY, days="0")
    with pytest.raises(DomainError, match="晚于今天"):
        reminders.snooze(session, shop.advisor, reminder.id, today=TODAY, until=TODAY)
    with pytest.raises(DomainError, match="最多推迟365天"):
        reminders.snooze(session, shop.advisor, reminder.id, today=TODAY, until=TODAY + D(days=400))
    snoozed = reminders.snooze(session, shop.advisor, reminder.id, today=TODAY, days=3)
    assert (snoozed.status, snoozed.snoozed_until) == (ReminderStatus.SNOOZED, TODAY + D(days=3))
    assert "care_reminder.snooze" in audit_actions(session)

    def open_ids(day):
        return [e.reminder.id for e in reminders.list_reminders(session, shop.advisor, today=day)]

    assert reminder.id not in open_ids(TODAY + D(days=2))
    assert reminder.id in open_ids(TODAY + D(days=3)), "back on its day, even before the morning build"
    assert [e.reminder.id for e in reminders.list_reminders(session, shop.advisor, today=TODAY,
                                                            status=ReminderStatus.SNOOZED)] == [reminder.id]
    build(session, TODAY + D(days=3))
    row = entries(session, CareReminder.id == reminder.id)[0]
    assert (row.status, row.snoozed_until) == (ReminderStatus.OPEN, None)


def test_a_contacted_entry_cannot_be_snoozed(session, shop, listed):
    reminder = listed["粤B40002:inspection"]
    reminders.mark_contacted(session, shop.advisor, reminder.id, "已联系")
    with pytest.raises(DomainError, match="已联系，不能推迟"):
        reminders.snooze(session, shop.advisor, reminder.id, today=TODAY, days=7)


def test_sending_a_reminder_queues_its_message_once(session, shop, listed):
    reminder = listed["粤B40003:compulsory_insurance"]
    sent = reminders.send_reminder(session, shop.advisor, reminder.id, "send-key-1")
    assert sent.message_type == "compulsory_insurance" and sent.reminder_id == reminder.id
    assert "粤B40003" in sent.body and str(TODAY + D(days=5)) in sent.body and "测试店" in sent.body
    assert sent.status == NotificationStatus.QUEUED, "the log channel needs no consent"
    again = reminders.send_reminder(session, shop.advisor, reminder.id, "send-key-1")
    assert again.id == sent.id
    assert session.exec(select(func.count()).select_from(models.Notification)).one() == 1
    [entry] = reminders.list_reminders(session, shop.advisor, today=TODAY, kind="compulsory_insurance")
    assert entry.notification.id == sent.id


def test_sending_a_maintenance_reminder_names_the_mileage(session, shop):
    add_vehicle(session, shop.branch.id, plate="粤B50001", next_service_date=TODAY + D(days=10),
                next_service_mileage=60_000, mileage=55_000)
    build(session)
    [reminder] = entries(session)
    sent = reminders.send_reminder(session, shop.advisor, reminder.id, "send-key-2")
    assert "60,000公里" in sent.body and str(TODAY + D(days=10)) in sent.body


def test_sending_a_follow_up_entry_sends_the_link(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    order = add_order(session, vehicle, shop.advisor, "WX20261128-0001", at(date(2026, 11, 28)),
                      WorkOrderStatus.CLOSED)
    due = follow_up(session, order, TODAY)
    build(session)
    [reminder] = entries(session)
    sent = reminders.send_reminder(session, shop.advisor, reminder.id, "send-key-3")
    assert (sent.message_type, sent.follow_up_id) == ("follow_up", due.id)
    assert "/f/" in sent.body


# --- the next service at settlement -----------------------------------------------------------------------------


def test_settling_stores_the_next_service(session, shop):
    order = completed_order(session, shop)
    vehicle = session.get(models.Vehicle, order.vehicle_id)
    later = date.today() + D(days=180)
    settlement.settle(session, shop.cashier, order.id, next_service_date=later.isoformat(),
                      next_service_mileage="6,000")
    session.expire_all()
    vehicle = session.get(models.Vehicle, order.vehicle_id)
    assert (vehicle.next_service_date, vehicle.next_service_mileage) == (later, 6000)
    assert "vehicle.next_service" in audit_actions(session)


def test_settling_without_a_next_service_keeps_the_plan(session, shop):
    order = completed_order(session, shop)
    vehicle = session.get(models.Vehicle, order.vehicle_id)
    vehicle.next_service_mileage = 9000
    session.add(vehicle)
    session.commit()
    settlement.settle(session, shop.cashier, order.id, next_service_date="", next_service_mileage="")
    session.expire_all()
    assert session.get(models.Vehicle, order.vehicle_id).next_service_mileage == 9000
    assert "vehicle.next_service" not in audit_actions(session)


def test_a_wrong_next_service_refuses_the_settlement(session, shop):
    order = completed_order(session, shop)  # mileage at intake 1,000
    with refusal(session, FormErrors) as refused:
        settlement.settle(session, shop.cashier, order.id, next_service_date=date.today().isoformat(),
                          next_service_mileage="800")
    assert refused.value.errors == {"next_service_date": "下次保养日期应晚于今天",
                                    "next_service_mileage": "下次保养里程应大于当前里程1,000公里"}
    with refusal(session, FormErrors) as refused:
        settlement.settle(session, shop.cashier, order.id, next_service_date="明年", next_service_mileage="很多")
    assert set(refused.value.errors) == {"next_service_date", "next_service_mileage"}
    session.expire_all()
    assert session.get(WorkOrder, order.id).status == WorkOrderStatus.COMPLETED
    assert session.exec(select(func.count()).select_from(models.Settlement)).one() == 0
    assert session.get(models.Vehicle, order.vehicle_id).next_service_date is None


# --- the purchase date on the vehicle form ----------------------------------------------------------------------


def test_purchase_date_on_the_vehicle_form(session, shop):
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B60001")
    with pytest.raises(FormErrors) as refused:
        vehicles.update_vehicle(session, shop.advisor, vehicle.id,
                                vehicles.VehicleForm(plate="粤B60001", purchase_date="2999-01-01"))
    assert refused.value.errors == {"purchase_date": "购车日期不能晚于今天"}
    vehicles.update_vehicle(session, shop.advisor, vehicle.id,
                            vehicles.VehicleForm(plate="粤B60001", purchase_date="2026-06-10"))
    session.expire_all()
    assert session.get(models.Vehicle, vehicle.id).purchase_date == date(2026, 6, 10)

