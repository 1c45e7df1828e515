"""The delivery log (/messages) on a phone: an advisor reads the branch's messages with masked mobiles and each
attempt, filters the failed ones and sends one again with 重试."""

from __future__ import annotations

import re
from contextlib import nullcontext

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.notifications.config import NotifyConfig
from lantong_pwa.services.care import messaging
from models import Channel, Customer, DeliveryAttempt, Notification, NotificationStatus
from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e


def add_messages(server) -> tuple[str, int, int]:
    """A sent reminder and a failed one for the first demo customer (other browser tests send the same customer
    reminders of their own); returns their mobile and the sent and the failed message's ids."""
    with server.orm() as session:
        customer = session.exec(select(Customer).order_by(Customer.id)).first()
        sent = messaging.queue_message(session, customer=customer, message_type="inspection",
                                fields={"plate": "粤B12345", "date": "2026-12-20"}, actor=None,
                                config=NotifyConfig())
        session.commit()
        messaging.deliver_due(lambda: nullcontext(session), config=NotifyConfig())  # committed below
        failed = Notification(branch_id=customer.branch_id, customer_id=customer.id, message_type="maintenance",
                              channel=Channel.LOG, recipient=customer.mobile, body="【蓝通汽修】保养提醒测试",
                              status=NotificationStatus.FAILED, attempts=1, last_error="HTTP 400：bad template")
        session.add(failed)
        session.flush()
        session.add(DeliveryAttempt(notification_id=failed.id, attempt_no=1, ok=False, http_status=400,
                                    error="HTTP 400：bad template", duration_ms=42))
        session.commit()
        return customer.mobile, sent.id, failed.id


def test_advisor_reads_the_delivery_log_and_retries_on_a_phone(server, new_context):
    mobile, sent_id, failed_id = add_messages(server)
    page = new_context("phone").new_page()
    sign_in(page, "advisor")
    page.goto("/messages")
    expect(page.get_by_role("heading", name="发送记录")).to_be_visible()
    cards = page.locator(".message-card")
    sent = page.locator(f"#message-{sent_id}")
    expect(sent).to_contain_text("年检提醒")
    expect(sent).to_contain_text("已发送")
    expect(sent).to_contain_text(f"{mobile[:3]}****{mobile[-4:]}")
    assert mobile not in page.content()

    wait_hydrated(page, ".status-filter")
    page.get_by_role("button", name="发送失败").click()
    failed = page.locator(f"#message-{failed_id}")
    expect(cards.filter(has_text="已发送")).to_have_count(0)
    expect(failed).to_contain_text("保养提醒")
    failed.locator("summary").click()
    expect(failed).to_contain_text("HTTP 400：bad template · 42毫秒")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing scrolls sideways on a phone"
    page.screenshot(path=str(server.artifacts / "messages-phone.png"), full_page=True)

    page.click(f"#retry-{failed_id}")
    expect(page.get_by_text("已重新排队发送")).to_be_visible()
    page.get_by_role("button", name="全部").click()
    expect(failed).to_contain_text(re.compile("待发送|已发送"))
    assert server.scalar("SELECT status FROM notification WHERE id = ?", failed_id) in ("queued", "sent")
