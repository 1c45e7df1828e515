"""The delivery log screen (/messages) driven in-process as the customer-care roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from lantong_pwa.db import unit_of_work
from lantong_pwa.notifications.config import NotifyConfig
from lantong_pwa.services.care import messaging
from models import AuditEvent, Channel, DeliveryAttempt, Notification, NotificationStatus
from state.care.messages import MessagesState
from state.platform.session import NAV_PAGES, nav_for
from tests.services.care.test_messaging import add_customer
from tests.state.harness import drive, is_toast, make_state, token_for
from tests.state.care.messages_cases import add_failed_notification

NOON = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def scene(session, shop):
    customer = add_customer(session, shop.branch.id, name="王女士", mobile="13812345678")
    sent = messaging.queue_message(session, customer=customer, message_type="inspection",
                                   fields={"plate": "粤B12345", "date": "2026-12-20"}, actor=None, now=NOON,
                                   config=NotifyConfig())
    session.commit()
    messaging.deliver_due(unit_of_work, NOON, config=NotifyConfig())
    skipped = messaging.queue_message(session, customer=customer, message_type="birthday", fields={}, actor=None,
                                      now=NOON + timedelta(minutes=1), config=NotifyConfig(channel=Channel.SMS))
    session.commit()
    failed_id = add_failed_notification(session, shop.branch.id)
    session.add(DeliveryAttempt(notification_id=failed_id, attempt_no=1, ok=False, http_status=500,
                                error="HTTP 500：busy", duration_ms=35, created_at=NOON))
    session.commit()
    return sent, skipped, failed_id


def messages_state(session, user) -> MessagesState:
    return make_state(MessagesState, token=token_for(session, user), path="/messages")


def test_care_roles_find_the_delivery_log_in_their_navigation():
    assert NAV_PAGES["/messages"][0] == "消息"
    for role in ("advisor", "manager", "admin"):
        assert ["/messages", "消息"] in nav_for(role)
    for role in ("technician", "cashier", "parts_clerk"):
        assert ["/messages", "消息"] not in nav_for(role)


def test_advisor_sees_each_message_with_masked_mobile_and_attempts(app_engine, shop, session):
    sent, skipped, failed_id = scene(session, shop)
    s = messages_state(session, shop.advisor)
    assert drive(s.load()) is None and s.error == ""
    rows = {row.id: row for row in s.rows}
    assert set(rows) == {sent.id, skipped.id, failed_id}

    shown = rows[sent.id]
    assert (shown.status_label, shown.colour, shown.kind, shown.channel) == ("已发送", "green", "年检提醒", "仅记录")
    assert shown.recipient == "138****5678" and "13812345678" not in str(s.rows)
    assert shown.customer == "王女士" and "粤B12345" in shown.body and shown.can_retry is False
    assert [(a.number, a.ok, a.outcome) for a in shown.attempts] == [("第1次", True, "已送达")]
    assert shown.created == "2026-12-01 12:00"

    assert (rows[skipped.id].status_label, rows[skipped.id].note) == ("未发送", "客户未同意短信通知")
    failed = rows[failed_id]
    assert failed.can_retry and failed.note == "HTTP 500" and failed.colour == "red"
    assert [(a.ok, a.outcome) for a in failed.attempts] == [(False, "HTTP 500：busy · 35毫秒")]


def test_filter_by_status(app_engine, shop, session):
    _, skipped, failed_id = scene(session, shop)
    s = messages_state(session, shop.manager)
    drive(s.load())
    drive(s.filter_status("failed"))
    assert [row.id for row in s.rows] == [failed_id]
    drive(s.filter_status("skipped"))
    assert [row.id for row in s.rows] == [skipped.id]
    drive(s.filter_status("nonsense"))  # a forged value shows everything, never an error
    assert s.status_filter == "" and len(s.rows) == 3
    assert [option[1] for option in s.status_options] == ["全部", "待发送", "已发送", "发送失败", "未发送"]


def test_retry_queues_a_failed_message_again_once(app_engine, shop, session):
    _, _, failed_id = scene(session, shop)
    s = messages_state(session, shop.advisor)
    drive(s.load())
    result = drive(s.retry(failed_id))
    assert is_toast(result, "success") and s.error == ""
    row = next(r for r in s.rows if r.id == failed_id)
    assert row.status_label == "待发送" and row.can_retry is False and row.note.startswith("预计")
    drive(s.retry(failed_id))  # a double tap
    assert s.error == ""
    session.expire_all()
    assert session.get(Notification, failed_id).status == NotificationStatus.QUEUED
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "notification.retry")).all()
    assert [(e.entity_id, e.user_id) for e in events] == [(failed_id, shop.advisor.id)]


def test_retrying_what_did_not_fail_says_why(app_engine, shop, session):
    sent, _, _ = scene(session, shop)
    s = messages_state(session, shop.advisor)
    drive(s.load())
    assert drive(s.retry(sent.id)) is None
    assert s.error == "只有发送失败的消息可以重试" and len(s.rows) == 3  # the log stays on screen


def test_another_branchs_advisor_sees_and_retries_nothing_here(app_engine, shop, session):
    _, _, failed_id = scene(session, shop)
    s = messages_state(session, shop.other_branch_advisor)
    assert drive(s.load()) is None and s.rows == []
    drive(s.retry(failed_id))
    assert s.error == "记录不存在或无权查看" and s.rows == []
    session.expire_all()
    assert session.get(Notification, failed_id).status == NotificationStatus.FAILED
