"""The customer file and the satisfaction and churn screen in the browser: a manager on a phone finds a customer,
reads the file (spending, the follow-up's stars, the complaint), ticks a consent box on the vehicle card, and reads
the month's satisfaction rate and the churn analysis; the same screens on a tablet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from models import ComplaintStatus, User, Vehicle, WorkOrderStatus
from models.common import utc_now
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.services.care.care_scene import complaint, follow_up
from tests.services.platform.test_figures import add_order, add_settlement

pytestmark = pytest.mark.e2e


def add_history(server) -> tuple[int, int, str]:
    """A closed order of 刘建国 (粤B12345) a year ago, paid ¥500, answered today with two stars and "not solved",
    and the complaint that opened; returns the customer's id, the complaint's id and the car's QR token."""
    with server.orm() as session:
        vehicle = session.exec(select(Vehicle).where(Vehicle.plate == "粤B12345")).one()
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        opened = utc_now() - timedelta(days=400)
        order = add_order(session, vehicle, advisor, "WX20251027-0901", opened, WorkOrderStatus.CLOSED,
                          completed_at=opened, settled_at=opened, closed_at=opened)
        add_settlement(session, order, advisor, opened, labor="500", customer="500")
        answer = follow_up(session, order, utc_now() - timedelta(minutes=5), 2, 2, 3, 4, 2, 3,
                           comment="刹车还是响", unsolved=True)
        raised = complaint(session, order, "TS20261201-0901", utc_now(), ComplaintStatus.OPEN, "刹车还是响",
                           follow_up_row=answer)
        session.commit()
        return vehicle.customer_id, raised.id, vehicle.qr_token


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing scrolls sideways"


def test_manager_reads_the_customer_file_and_the_figures_on_a_phone(server, new_context):
    customer_id, complaint_id, token = add_history(server)
    page = new_context("phone").new_page()
    sign_in(page, "manager")

    page.goto("/customers")
    wait_hydrated(page, "#customer-query")
    page.fill("#customer-query", "刘建国")
    page.keyboard.press("Enter")
    result = page.locator("#customer-results a").first
    expect(result).to_contain_text("粤B12345")
    result.click()
    expect(page).to_have_url(re.compile(f"/customers/{customer_id}$"))
    expect(page.locator("#customer-details")).to_contain_text("刘建国")
    expect(page.locator("#customer-call")).to_have_attribute("href", "tel:13800138000")
    expect(page.locator("#spend-total")).to_contain_text("¥500.00")
    expect(page.locator("#spend-visits")).to_contain_text("1")
    expect(page.locator("#customer-follow-ups")).to_contain_text("★★☆☆☆")
    expect(page.locator("#customer-follow-ups")).to_contain_text("问题未解决")
    expect(page.locator("#customer-complaints a")).to_have_attribute("href", f"/complaints/{complaint_id}")
    expect(page.locator("#customer-vehicles a").first).to_have_attribute("href", f"/v/{token}")
    no_sideways_scroll(page, 390)
    page.screenshot(path=str(server.artifacts / "customer-file-phone.png"), full_page=True)

    page.goto(f"/v/{token}")
    expect(page.locator("#owner-file")).to_have_attribute("href", f"/customers/{customer_id}")
    wait_hydrated(page, "#edit-customer")
    page.click("#edit-customer")
    expect(page.locator("#edit-sms-consent")).to_have_attribute("aria-checked", "true")  # the demo's answer
    consent = page.locator("#edit-webhook-consent")
    expect(consent).to_have_attribute("aria-checked", "false")
    page.get_by_text("同意接收微信/Webhook通知").click()
    expect(consent).to_have_attribute("aria-checked", "true")
    page.click("#save-edit")
    expect(page.get_by_text("客户信息已保存")).to_be_visible()
    expect(page.get_by_text("✓ 微信/Webhook")).to_be_visible()
    assert server.scalar("SELECT webhook_consent FROM customer WHERE id = ?", customer_id) == 1
    assert server.scalar("SELECT sms_consent FROM customer WHERE id = ?", customer_id) == 1

    page.goto("/satisfaction")
    expect(page.locator("#sat-rate")).to_contain_text("0.0%")
    expect(page.locator("#sat-complaints")).to_contain_text("1")
    expect(page.locator("#sat-advisors")).to_contain_text("李顾问")  # the demo advisor
    expect(page.locator("#at-risk")).to_contain_text("刘建国")
    expect(page.locator("#churn-export")).to_have_attribute("href", "/api/reports/churn.xlsx")
    no_sideways_scroll(page, 390)
    page.screenshot(path=str(server.artifacts / "satisfaction-phone.png"), full_page=True)


def test_the_same_screens_on_a_tablet(server, new_context):
    page = new_context("tablet").new_page()
    sign_in(page, "manager")
    customer_id = server.scalar("SELECT id FROM customer WHERE name = ?", "刘建国")
    page.goto(f"/customers/{customer_id}")
    expect(page.locator("#customer-details")).to_contain_text("刘建国")
    no_sideways_scroll(page, 1024)
    page.screenshot(path=str(server.artifacts / "customer-file-tablet.png"), full_page=True)
    page.goto("/satisfaction")
    expect(page.locator("#sat-rate")).to_be_visible()
    no_sideways_scroll(page, 1024)
    page.screenshot(path=str(server.artifacts / "satisfaction-tablet.png"), full_page=True)
