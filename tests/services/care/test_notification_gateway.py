"""The gateway's channels against a real HTTP server on 127.0.0.1 (tests/http_stub.py): request shapes, success,
4xx, 5xx, timeouts, connection errors and retries; and reading its configuration from the environment."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from lantong_pwa.notifications import gateway
from lantong_pwa.notifications.config import ConfigError, SmsConfig, load_notify_config
from lantong_pwa.notifications.templates import MESSAGE_TYPES
from lantong_pwa.services.care import messaging
from models import Channel, DeliveryAttempt, Notification, NotificationStatus
from tests.http_stub import StubServer
from tests.services.care.test_messaging import NOON, add_customer, attempts_of, queue, reload

TEMPLATE_IDS = {kind: f"SMS_{n}" for n, kind in enumerate(MESSAGE_TYPES, start=1001)}


def sms_customer(session, shop):
    return add_customer(session, shop.branch.id, mobile="13912345678", sms_consent=True, webhook_consent=True)


def test_sms_success_sends_mobile_template_id_text_and_credentials(session, shop, units):
    customer = sms_customer(session, shop)
    with StubServer() as server:
        base = server.config(Channel.SMS)
        config = replace(base, sms=replace(base.sms, templates=TEMPLATE_IDS))
        notification = queue(session, customer, config=config)
        assert messaging.deliver_due(units, NOON, config=config) == 1
        (request,) = server.requests
    assert request.path == "/sms"
    assert request.headers["X-Sms-Account"] == "lantong" and request.headers["X-Sms-Key"] == "s3cret"
    assert request.json == {"mobile": "13912345678", "template_id": "SMS_1001", "text": notification.body,
                            "params": {"shop": "测试店", "name": "刘先生", "plate": "粤B12345", "date": "2026-12-20"}}
    row = reload(session, notification)
    assert row.status == NotificationStatus.SENT and row.attempts == 1 and row.last_error == ""
    (attempt,) = attempts_of(session, row)
    assert (attempt.ok, attempt.http_status, attempt.error) == (True, 200, "")
    assert attempt.duration_ms >= 0


def test_sms_credentials_in_the_body_under_the_providers_field_names(session, shop, units):
    customer = sms_customer(session, shop)
    renames = {"mobile": "phone", "text": "content", "params": "templateParam", "account": "accessKeyId",
               "key": "accessSecret", "template_id": "templateCode"}
    with StubServer() as server:
        base = server.config(Channel.SMS)
        config = replace(base, sms=SmsConfig(url=base.sms.url, account="acc", key="k", auth="body",
                                             templates=TEMPLATE_IDS, fields=renames))
        queue(session, customer, config=config, message_type="birthday", fields={})
        assert messaging.deliver_due(units, NOON, config=config) == 1
        (request,) = server.requests
    assert set(request.json) == set(renames.values())
    assert request.json["phone"] == "13912345678" and request.json["templateCode"] == TEMPLATE_IDS["birthday"]
    assert (request.json["accessKeyId"], request.json["accessSecret"]) == ("acc", "k")
    assert "X-Sms-Key" not in request.headers


def test_sms_bearer_credentials_and_no_template_id_when_none_configured(session, shop, units):
    customer = sms_customer(session, shop)
    with StubServer() as server:
        base = server.config(Channel.SMS)
        config = replace(base, sms=replace(base.sms, auth="bearer"))
        queue(session, customer, config=config)
        messaging.deliver_due(units, NOON, config=config)
        (request,) = server.requests
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert "template_id" not in request.json


def test_webhook_posts_the_message_signed_with_the_shared_secret(session, shop, units):
    customer = sms_customer(session, shop)
    with StubServer() as server:
        base = server.config(Channel.WEBHOOK)
        config = replace(base, webhook=replace(base.webhook, secret="hook-secret"))
        notification = queue(session, customer, config=config, message_type="follow_up",
                             fields={"plate": "粤B12345", "link": "https://shop.example/f/abc"})
        assert messaging.deliver_due(units, NOON, config=config) == 1
        (request,) = server.requests
    assert request.path == "/hook"
    assert request.json == {"id": notification.id, "type": "follow_up", "recipient": "13912345678",
                            "text": notification.body, "customer_id": customer.id,
                            "fields": {"shop": "测试店", "name": "刘先生", "plate": "粤B12345",
                                       "link": "https://shop.example/f/abc"}}
    stamp = request.headers[gateway.TIMESTAMP_HEADER]
    assert request.headers[gateway.SIGNATURE_HEADER] == gateway.sign("hook-secret", stamp, request.body)
    assert request.headers[gateway.SIGNATURE_HEADER] != gateway.sign("wrong", stamp, request.body)


def test_webhook_without_a_secret_is_not_signed(session, shop, units):
    customer = sms_customer(session, shop)
    with StubServer() as server:
        config = server.config(Channel.WEBHOOK)
        queue(session, customer, config=config)
        messaging.deliver_due(units, NOON, config=config)
        (request,) = server.requests
    assert gateway.SIGNATURE_HEADER not in request.headers


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_4xx_is_final_after_one_try(session, shop, status, units):
    customer = sms_customer(session, shop)
    with StubServer(statuses=[status]) as server:
        config = server.config(Channel.SMS)
        notification = queue(session, customer, config=config)
        assert messaging.deliver_due(units, NOON, config=config) == 0
        assert messaging.deliver_due(units, NOON + timedelta(days=1), config=config) == 0
        assert len(server.requests) == 1
    row = reload(session, notification)
    assert row.status == NotificationStatus.FAILED and row.next_attempt_at is None
    assert row.last_error.startswith(f"HTTP {status}")
    assert [(a.ok, a.http_status) for a in attempts_of(session, row)] == [(False, status)]


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_5xx_408_and_429_are_retried_then_succeed(session, shop, status, units):
    customer = sms_customer(session, shop)
    with StubServer(statuses=[status, status]) as server:
        config = server.config(Channel.WEBHOOK, backoff=10)
        notification = queue(session, customer, config=config)
        assert messaging.deliver_due(units, NOON, config=config) == 0
        first_retry = reload(session, notification).next_attempt_at
        assert first_retry == NOON + timedelta(seconds=10)
        assert messaging.deliver_due(units, first_retry, config=config) == 0
        second_retry = reload(session, notification).next_attempt_at
        assert second_retry == first_retry + timedelta(seconds=20)
        assert messaging.deliver_due(units, second_retry, config=config) == 1
        assert len(server.requests) == 3
    row = reload(session, notification)
    assert row.status == NotificationStatus.SENT and row.sent_at == second_retry and row.last_error == ""
    assert [(a.attempt_no, a.ok, a.http_status) for a in attempts_of(session, row)] == [
        (1, False, status), (2, False, status), (3, True, 200)]


@pytest.mark.parametrize(("retry_after", "wait"), [("120", timedelta(minutes=2)), ("5", timedelta(seconds=10)),
                                                 ("86400", timedelta(hours=1)), ("soon", timedelta(seconds=10))])
def test_a_providers_retry_after_is_honoured_within_reason(session, shop, retry_after, wait, units):
    customer = sms_customer(session, shop)
    with StubServer(statuses=[429], headers={"Retry-After": retry_after}) as server:
        config = server.config(Channel.SMS, backoff=10)
        notification = queue(session, customer, config=config)
        assert messaging.deliver_due(units, NOON, config=config) == 0
        assert reload(session, notification).next_attempt_at == NOON + wait
        assert messaging.deliver_due(units, NOON + wait, config=config) == 1


def test_a_timeout_is_retried(session, shop, units):
    customer = sms_customer(session, shop)
    with StubServer(hang=2.0, hang_on=(1,)) as server:
        config = server.config(Channel.SMS, timeout=0.3)
        notification = queue(session, customer, config=config)
        assert messaging.deliver_due(units, NOON, config=config) == 0
        row = reload(session, notification)
        assert row.status == NotificationStatus.QUEUED and row.last_error == "超时（0.3秒）"
        assert messaging.deliver_due(units, row.next_attempt_at, config=config) == 1
        assert len(server.requests) == 2
    attempts = attempts_of(session, row)
    assert [(a.ok, a.http_status) for a in attempts] == [(False, None), (True, 200)]
    assert attempts[0].error == "超时（0.3秒）" and attempts[0].duration_ms >= 300


def test_a_connection_error_is_retried_until_the_last_attempt(session, shop, units):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    customer = sms_customer(session, shop)
    with StubServer() as server:
        base = server.config(Channel.WEBHOOK, max_attempts=2)
    config = replace(base, webhook=replace(base.webhook, url=f"http://127.0.0.1:{port}/hook"))
    notification = queue(session, customer, config=config)
    messaging.deliver_due(units, NOON, config=config)
    row = reload(session, notification)
    assert row.status == NotificationStatus.QUEUED and row.last_error.startswith("连接失败")
    messaging.deliver_due(units, row.next_attempt_at, config=config)
    row = reload(session, notification)
    assert row.status == NotificationStatus.FAILED and row.attempts == 2


def test_a_channel_missing_from_the_configuration_fails_the_message(session, shop, units):
    customer = sms_customer(session, shop)
    with StubServer() as server:
        config = server.config(Channel.SMS)
        notification = queue(session, customer, config=config)
        assert messaging.deliver_due(units, NOON, config=replace(config, sms=None)) == 0
        assert server.requests == []
    row = reload(session, notification)
    assert row.status == NotificationStatus.FAILED and "LANTONG_SMS_URL" in row.last_error


def test_quiet_hours_and_missing_consent_send_nothing_to_the_server(session, shop, units):
    night = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 Shanghai
    consenting = sms_customer(session, shop)
    refusing = add_customer(session, shop.branch.id, mobile="13700000000")
    with StubServer() as server:
        config = server.config(Channel.SMS)
        deferred = queue(session, consenting, config=config, now=night)
        skipped = queue(session, refusing, config=config, now=night)
        assert messaging.deliver_due(units, night + timedelta(hours=8), config=config) == 0  # 07:00
        assert server.requests == []
        assert messaging.deliver_due(units, night + timedelta(hours=9), config=config) == 1  # 08:00
        assert [r.json["mobile"] for r in server.requests] == ["13912345678"]
    assert reload(session, deferred).status == NotificationStatus.SENT
    skipped = reload(session, skipped)
    assert (skipped.status, skipped.skip_reason) == (NotificationStatus.SKIPPED, "客户未同意短信通知")
    assert session.exec(select(DeliveryAttempt).where(DeliveryAttempt.notification_id == skipped.id)).all() == []
    assert len(session.exec(select(Notification)).all()) == 2


# --- configuration -------------------------------------------------------------------------------------------------


def test_defaults_are_the_log_channel_and_night_quiet_hours():
    config = load_notify_config({})
    assert config.channel == Channel.LOG
    assert (config.quiet_hours.start, config.quiet_hours.end) == (time(21), time(8))
    assert (config.timeout, config.max_attempts, config.backoff) == (10.0, 5, 60.0)
    assert config.sms is None and config.webhook is None


def test_a_full_sms_configuration_is_read_from_the_environment():
    config = load_notify_config({
        "LANTONG_NOTIFY_CHANNEL": "SMS", "LANTONG_SMS_URL": "https://sms.example/send",
        "LANTONG_SMS_ACCOUNT": "acc", "LANTONG_SMS_KEY": "key", "LANTONG_SMS_AUTH": "body",
        "LANTONG_SMS_TEMPLATES": json.dumps(TEMPLATE_IDS), "LANTONG_SMS_FIELDS": '{"mobile": "phone"}',
        "LANTONG_NOTIFY_QUIET_HOURS": "22:30-07:15", "LANTONG_NOTIFY_TIMEOUT": "4.5",
        "LANTONG_NOTIFY_MAX_ATTEMPTS": "3", "LANTONG_NOTIFY_BACKOFF": "120",
    })
    assert config.channel == Channel.SMS
    assert (config.sms.url, config.sms.account, config.sms.key, config.sms.auth) == (
        "https://sms.example/send", "acc", "key", "body")
    assert config.sms.templates == TEMPLATE_IDS
    assert config.sms.fields["mobile"] == "phone" and config.sms.fields["text"] == "text"
    assert str(config.quiet_hours) == "22:30-07:15"
    assert (config.timeout, config.max_attempts, config.backoff) == (4.5, 3, 120.0)
    assert config.retry_delay(1) == timedelta(minutes=2) and config.retry_delay(3) == timedelta(minutes=8)
    assert str(load_notify_config({"LANTONG_NOTIFY_QUIET_HOURS": "off"}).quiet_hours) == "off"


@pytest.mark.parametrize(("env", "names"), [
    ({"LANTONG_NOTIFY_CHANNEL": "fax"}, "LANTONG_NOTIFY_CHANNEL"),
    ({"LANTONG_NOTIFY_CHANNEL": "sms"}, "LANTONG_SMS_URL"),
    ({"LANTONG_NOTIFY_CHANNEL": "webhook"}, "LANTONG_WEBHOOK_URL"),
    ({"LANTONG_NOTIFY_QUIET_HOURS": "9pm-8am"}, "LANTONG_NOTIFY_QUIET_HOURS"),
    ({"LANTONG_NOTIFY_TIMEOUT": "soon"}, "LANTONG_NOTIFY_TIMEOUT"),
    ({"LANTONG_NOTIFY_MAX_ATTEMPTS": "0"}, "LANTONG_NOTIFY_MAX_ATTEMPTS"),
    ({"LANTONG_SMS_URL": "https://x", "LANTONG_SMS_AUTH": "magic"}, "LANTONG_SMS_AUTH"),
    ({"LANTONG_SMS_URL": "https://x", "LANTONG_SMS_TEMPLATES": "{inspection"}, "LANTONG_SMS_TEMPLATES"),
    ({"LANTONG_SMS_URL": "https://x", "LANTONG_SMS_TEMPLATES": '{"inspection": "SMS_1"}'}, "missing types"),
    ({"LANTONG_SMS_URL": "https://x", "LANTONG_SMS_FIELDS": '{"phone": "mobile"}'}, "LANTONG_SMS_FIELDS"),
])
def test_an_unusable_configuration_is_refused_with_the_variable_named(env, names):
    with pytest.raises(ConfigError) as raised:
        load_notify_config(env)
    assert names in str(raised.value)


def test_the_log_channel_never_logs_a_whole_mobile(caplog):
    message = gateway.Message(notification_id=7, channel=Channel.LOG, message_type="reminder",
                              recipient="13800138000", text="您的爱车该保养了", fields={}, customer_id=None)
    with caplog.at_level("INFO", logger=gateway.log.name):
        assert gateway.deliver(None, None, message).ok
    assert "13800138000" not in caplog.text and "138****8000" in caplog.text
