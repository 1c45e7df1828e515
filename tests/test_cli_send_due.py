"""``python -m lantong_pwa send-due``: deliver what is due once, with the gateway configured from the environment."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

import models
from lantong_pwa.__main__ import main
from lantong_pwa.db import make_engine
from lantong_pwa.notifications.config import get_notify_config
from lantong_pwa.services.care import messaging
from tests.http_stub import StubServer
from tests.test_cli import cli_db  # noqa: F401 - the throwaway SQLite file the CLI uses


@pytest.fixture
def notify_env(monkeypatch):
    """Forget the cached gateway configuration before and after, so each test's environment is the one read."""
    get_notify_config.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_notify_config.cache_clear()


def queue_two(url: str) -> list[int]:
    """Two messages for demo customers, one of whom agreed to webhook messages."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            first, second = session.exec(select(models.Customer).order_by(models.Customer.id)).all()[:2]
            first.webhook_consent = True
            session.add(first)
            ids = [messaging.queue_message(session, customer=c, message_type="birthday", fields={}, actor=None).id
                   for c in (first, second)]
            session.commit()
            return ids
    finally:
        engine.dispose()


def statuses(url: str) -> list[models.NotificationStatus]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return [n.status for n in session.exec(select(models.Notification).order_by(models.Notification.id))]
    finally:
        engine.dispose()


def test_send_due_delivers_over_the_configured_webhook_once(cli_db, notify_env, capsys):  # noqa: F811
    assert main(["migrate"]) == 0 and main(["seed-demo"]) == 0
    with StubServer() as server:
        notify_env.setenv("LANTONG_NOTIFY_CHANNEL", "webhook")
        notify_env.setenv("LANTONG_WEBHOOK_URL", f"{server.url}/hook")
        get_notify_config.cache_clear()
        queue_two(cli_db)
        capsys.readouterr()

        assert main(["send-due"]) == 0
        assert capsys.readouterr().out.strip() == "已发送1条到期消息"
        assert [r.json["type"] for r in server.requests] == ["birthday"]
        assert statuses(cli_db) == [models.NotificationStatus.SENT, models.NotificationStatus.SKIPPED]

        assert main(["send-due"]) == 0  # nothing is due any more
        assert capsys.readouterr().out.strip() == "已发送0条到期消息"
        assert len(server.requests) == 1


def test_send_due_on_the_default_log_channel(cli_db, notify_env, capsys):  # noqa: F811
    assert main(["migrate"]) == 0 and main(["seed-demo"]) == 0
    notify_env.delenv("LANTONG_NOTIFY_CHANNEL", raising=False)
    queue_two(cli_db)
    capsys.readouterr()
    assert main(["send-due"]) == 0
    assert capsys.readouterr().out.strip() == "已发送2条到期消息"
    assert statuses(cli_db) == [models.NotificationStatus.SENT] * 2


def test_send_due_refuses_an_unusable_configuration(cli_db, notify_env, capsys):  # noqa: F811
    assert main(["migrate"]) == 0
    notify_env.setenv("LANTONG_NOTIFY_CHANNEL", "sms")
    notify_env.delenv("LANTONG_SMS_URL", raising=False)
    capsys.readouterr()
    assert main(["send-due"]) == 2
    assert "错误：消息通道配置无效：LANTONG_NOTIFY_CHANNEL=sms needs LANTONG_SMS_URL" in capsys.readouterr().err
