"""Notifications (X4): templates, consent, quiet hours, request keys, retries with backoff, the delivery log, and
two processes delivering at once; the log and webhook channels run against a local HTTP server where needed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.notifications import templates
from lantong_pwa.notifications.config import NotifyConfig, QuietHours
from lantong_pwa.services.care import messaging
from models import AuditEvent, Channel, Customer, DeliveryAttempt, Notification, NotificationStatus
from tests.http_stub import StubServer

NOON = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
LATE = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
MORNING_END = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 08:00 the next morning in Shanghai
LOG = NotifyConfig()


def add_customer(session: Session, branch_id: int, **fields) -> Customer:
    fields.setdefault("name", "刘先生")
    fields.setdefault("mobile", "13800138000")
    customer = Customer(branch_id=branch_id, **fields)
    session.add(customer)
    session.commit()
    return customer


def queue(session, customer, config=LOG, now=NOON, message_type="inspection", **kwargs):
    fields = kwargs.pop("fields", {"plate": "粤B12345", "date": "2026-12-20"})
    kwargs.setdefault("actor", None)
    notification = messaging.queue_message(session, customer=customer, message_type=message_type, fields=fields,
                                           now=now, config=config, **kwargs)
    session.commit()
    return notification


def attempts_of(session, notification) -> list[DeliveryAttempt]:
    return list(session.exec(select(DeliveryAttempt).where(DeliveryAttempt.notification_id == notification.id)
                             .order_by(DeliveryAttempt.attempt_no)).all())


def reload(session, notification) -> Notification:
    session.expire_all()
    return session.get(Notification, notification.id)


# --- templates ----------------------------------------------------------------------------------------------------


def test_every_message_type_renders_in_chinese_with_its_fields():
    fields = {"shop": "蓝通汽修", "name": "刘先生", "plate": "粤B12345", "date": "2026-12-20", "link": "https://x/f/t"}
    for message_type in templates.MESSAGE_TYPES:
        body, used = templates.render(message_type, fields)
        assert body.startswith("【蓝通汽修】")
        assert "{" not in body and "}" not in body
    assert "粤B12345" in templates.render("inspection", fields)[0]
    assert "https://x/f/t" in templates.render("follow_up", fields)[0]


def test_optional_mileage_shows_only_when_given():
    fields = {"shop": "蓝通", "name": "刘先生", "plate": "粤B12345", "date": "2027-03-01"}
    without, _ = templates.render("maintenance", fields)
    with_mileage, _ = templates.render("maintenance", {**fields, "mileage": "65000"})
    assert "公里" not in without
    assert "或行驶至65000公里时（以先到者为准）" in with_mileage


def test_a_missing_field_is_a_clear_error_when_queueing(session, shop):
    customer = add_customer(session, shop.branch.id)
    with pytest.raises(DomainError) as raised:
        queue(session, customer, message_type="follow_up", fields={"plate": "粤B12345", "link": " "})
    assert raised.value.message == "消息缺少字段：link"
    with pytest.raises(DomainError) as raised:
        queue(session, customer, message_type="oil_change")
    assert "未知的消息类型" in raised.value.message
    assert session.exec(select(Notification)).all() == []


def test_queue_fills_in_shop_and_name_and_keeps_the_fields(session, shop):
    customer = add_customer(session, shop.branch.id, name="王女士")
    notification = queue(session, customer, actor=shop.advisor)
    assert notification.body == "【测试店】王女士您好，您的爱车粤B12345年检将于2026-12-20到期，请及时安排上线检验，有需要可联系我们代办。"
    assert notification.channel == Channel.LOG and notification.status == NotificationStatus.QUEUED
    assert notification.template_fields == {"shop": "测试店", "name": "王女士", "plate": "粤B12345",
                                            "date": "2026-12-20"}
    assert notification.next_attempt_at == NOON
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "notification.queue")).one()
    assert (event.entity_id, event.user_id) == (notification.id, shop.advisor.id)


def test_a_repeated_request_key_returns_the_earlier_message(session, shop):
    customer = add_customer(session, shop.branch.id)
    first = queue(session, customer, request_key="k-1")
    again = queue(session, customer, request_key="k-1", fields={"plate": "粤B99999", "date": "2027-01-01"})
    other = queue(session, customer, request_key="k-2")
    assert again.id == first.id and other.id != first.id
    assert len(session.exec(select(Notification)).all()) == 2


# --- the log channel, consent --------------------------------------------------------------------------------------


def test_the_log_channel_needs_no_consent_and_records_the_attempt(session, shop, units):
    customer = add_customer(session, shop.branch.id)
    notification = queue(session, customer)
    assert messaging.deliver_due(units, NOON, config=LOG) == 1
    notification = reload(session, notification)
    assert notification.status == NotificationStatus.SENT and notification.sent_at == NOON
    assert [(a.attempt_no, a.ok, a.http_status) for a in attempts_of(session, notification)] == [(1, True, None)]
    assert messaging.deliver_due(units, NOON + timedelta(hours=1), config=LOG) == 0  # nothing sent twice


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WEBHOOK])
def test_without_consent_the_message_is_skipped_and_never_sent(session, shop, channel, units):
    customer = add_customer(session, shop.branch.id)
    with StubServer() as server:
        config = server.config(channel)
        notification = queue(session, customer, config=config)
        assert notification.status == NotificationStatus.SKIPPED
        assert notification.skip_reason == messaging.CONSENT_REASONS[channel]
        assert notification.next_attempt_at is None
        assert messaging.deliver_due(units, NOON, config=config) == 0
        assert server.requests == []
    assert attempts_of(session, notification) == []


def test_consent_withdrawn_after_queueing_stops_the_message(session, shop, units):
    customer = add_customer(session, shop.branch.id, webhook_consent=True)
    with StubServer() as server:
        config = server.config(Channel.WEBHOOK)
        notification = queue(session, customer, config=config)
        customer.webhook_consent = False
        session.add(customer)
        session.commit()
        assert messaging.deliver_due(units, NOON, config=config) == 0
        assert server.requests == []
    notification = reload(session, notification)
    assert notification.status == NotificationStatus.SKIPPED
    assert notification.skip_reason == "客户未同意Webhook通知"


# --- quiet hours --------------------------------------------------------------------------------------------------


def test_quiet_hours_end_in_shanghai():
    quiet = QuietHours(time(21), time(8))
    assert quiet.end_of(NOON) is None
    assert quiet.end_of(LATE) == MORNING_END
    assert quiet.end_of(datetime(2026, 12, 1, 23, 0, tzinfo=UTC)) == MORNING_END  # 07:00 next day local
    assert quiet.end_of(datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) == MORNING_END  # 21:00 local: quiet begins
    assert quiet.end_of(MORNING_END) is None  # 08:00 local: over
    assert QuietHours(time(0), time(0)).end_of(LATE) is None  # "off"
    assert QuietHours(time(12), time(14)).end_of(NOON) == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def test_no_sms_at_night_it_waits_for_the_morning(session, shop, units):
    customer = add_customer(session, shop.branch.id, sms_consent=True)
    with StubServer() as server:
        config = server.config(Channel.SMS)
        notification = queue(session, customer, config=config, now=LATE)
        assert notification.status == NotificationStatus.QUEUED
        assert notification.next_attempt_at == MORNING_END
        assert messaging.deliver_due(units, LATE + timedelta(hours=2), config=config) == 0
        assert server.requests == []
        assert messaging.deliver_due(units, MORNING_END, config=config) == 1
        assert len(server.requests) == 1
    assert reload(session, notification).status == NotificationStatus.SENT


def test_a_retry_falling_in_quiet_hours_waits_too(session, shop, units):
    customer = add_customer(session, shop.branch.id, sms_consent=True)
    evening = datetime(2026, 12, 1, 12, 59, tzinfo=UTC)  # 20:59 local
    with StubServer(statuses=[503]) as server:
        config = server.config(Channel.SMS)
        notification = queue(session, customer, config=config, now=evening)
        assert messaging.deliver_due(units, evening, config=config) == 0
        retry_at = reload(session, notification).next_attempt_at
        assert retry_at == evening + timedelta(seconds=config.backoff)  # 21:00 local: inside quiet hours
        assert messaging.deliver_due(units, retry_at, config=config) == 0
        assert len(server.requests) == 1
        assert reload(session, notification).next_attempt_at == MORNING_END


# --- retries, failures --------------------------------------------------------------------------------------------


def test_failures_back_off_exponentially_then_give_up(session, shop, units):
    customer = add_customer(session, shop.branch.id, webhook_consent=True)
    with StubServer(statuses=[500] * 10) as server:
        config = server.config(Channel.WEBHOOK, max_attempts=3, backoff=30)
        notification = queue(session, customer, config=config)
        now = NOON
        waits = []
        for _ in range(3):
            assert messaging.deliver_due(units, now, config=config) == 0
            row = reload(session, notification)
            if row.next_attempt_at:
                waits.append(row.next_attempt_at - now)
                assert messaging.deliver_due(units, row.next_attempt_at - timedelta(seconds=1), config=config) == 0
                now = row.next_attempt_at
        assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
        assert len(server.requests) == 3
    row = reload(session, notification)
    assert row.status == NotificationStatus.FAILED and row.attempts == 3 and row.next_attempt_at is None
    assert row.last_error.startswith("HTTP 500")
    assert [(a.attempt_no, a.ok, a.http_status) for a in attempts_of(session, row)] == [
        (1, False, 500), (2, False, 500), (3, False, 500)]


def test_staff_retry_a_failed_message_and_it_is_audited(session, shop, units):
    customer = add_customer(session, shop.branch.id, webhook_consent=True)
    with StubServer(statuses=[404, 200]) as server:
        config = server.config(Channel.WEBHOOK)
        notification = queue(session, customer, config=config)
        messaging.deliver_due(units, NOON, config=config)
        assert reload(session, notification).status == NotificationStatus.FAILED  # 404 is final

        with pytest.raises(PermissionDenied):
            messaging.retry(session, shop.technician, notification.id, now=NOON)
        with pytest.raises(NotFound):
            messaging.retry(session, shop.other_branch_advisor, notification.id, now=NOON)
        later = NOON + timedelta(hours=1)
        messaging.retry(session, shop.advisor, notification.id, now=later)
        messaging.retry(session, shop.advisor, notification.id, now=later)  # a double tap changes nothing
        session.commit()
        assert messaging.deliver_due(units, later, config=config) == 1
        assert len(server.requests) == 2
    row = reload(session, notification)
    assert row.status == NotificationStatus.SENT
    assert [(a.attempt_no, a.ok) for a in attempts_of(session, row)] == [(1, False), (2, True)]
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "notification.retry")).all()) == 1
    with pytest.raises(DomainError) as raised:
        messaging.retry(session, shop.advisor, notification.id, now=later)
    assert raised.value.message == "只有发送失败的消息可以重试"


def test_the_delivery_log_shows_the_branch_only_and_filters_by_status(session, shop, units):
    mine = add_customer(session, shop.branch.id)
    theirs = add_customer(session, shop.other_branch.id, mobile="13900139000")
    sent = queue(session, mine)
    messaging.deliver_due(units, NOON, config=LOG)
    queued = queue(session, mine, now=NOON + timedelta(minutes=1))
    foreign = queue(session, theirs)

    entries = messaging.delivery_log(session, shop.advisor)
    assert [e.notification.id for e in entries] == [queued.id, sent.id]
    assert entries[1].customer_name == "刘先生" and len(entries[1].attempts) == 1
    assert [e.notification.id for e in messaging.delivery_log(session, shop.advisor, "sent")] == [sent.id]
    assert {e.notification.id for e in messaging.delivery_log(session, shop.admin)} == {sent.id, queued.id, foreign.id}
    with pytest.raises(PermissionDenied):
        messaging.delivery_log(session, shop.technician)
    with pytest.raises(DomainError):
        messaging.delivery_log(session, shop.advisor, "bogus")


# --- two processes at once ----------------------------------------------------------------------------------------


def test_two_processes_delivering_at_once_send_each_message_once(session, shop, units):
    customer = add_customer(session, shop.branch.id, webhook_consent=True)
    with StubServer(delay=0.05) as server:
        config = server.config(Channel.WEBHOOK)
        for n in range(8):
            queue(session, customer, config=config, request_key=f"race-{n}")
        counts: list[int] = []
        barrier = threading.Barrier(2)

        def worker():
            barrier.wait()
            counts.append(messaging.deliver_due(units, NOON, config=config))

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(counts) == 8
        assert sorted(request.json["id"] for request in server.requests) == sorted(
            n.id for n in session.exec(select(Notification)).all())
    session.expire_all()
    assert len(session.exec(select(DeliveryAttempt)).all()) == 8
    assert {n.status for n in session.exec(select(Notification)).all()} == {NotificationStatus.SENT}
