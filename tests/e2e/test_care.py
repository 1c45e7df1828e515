"""The reminder centre (/care) on a phone and a tablet: an advisor sees the demo's entries by urgency, marks one
contacted with a result, sends a reminder through the gateway and snoozes another. The server runs its scheduler,
as in production: it holds the lease."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e


def test_the_server_runs_the_scheduler(server):
    holder = server.scalar("SELECT holder FROM scheduler_lease WHERE name = 'jobs'")
    assert holder and re.search(r":\d+:[0-9a-f]{8}$", holder), "one worker holds the jobs' lease"


def test_advisor_works_through_the_reminder_centre_on_a_phone(server, new_context):
    page = new_context("phone").new_page()
    sign_in(page, "advisor")
    page.goto("/care")
    expect(page.get_by_role("heading", name="客户关怀中心")).to_be_visible()
    cards = page.locator(".care-card")
    overdue = cards.filter(has_text="交强险到期").filter(has_text="粤B12345")
    expect(overdue).to_contain_text("已逾期")
    expect(overdue).to_contain_text("逾期2天")
    expect(overdue).to_contain_text("138****8000")
    assert overdue.locator("a.tel-link").get_attribute("href") == "tel:13800138000"
    expect(page.locator("#band-overdue")).to_contain_text("已逾期")
    expect(cards.first).to_contain_text("已逾期")  # the most urgent first
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing scrolls sideways on a phone"
    page.screenshot(path=str(server.artifacts / "care-phone.png"), full_page=True)

    wait_hydrated(page, ".care-action")
    overdue.get_by_role("button", name="已联系").click()
    page.fill("#contact-result", "客户已续保，下周送保单")
    page.click("#save-contact")
    expect(page.get_by_text("已记录联系结果")).to_be_visible()
    expect(overdue).to_have_count(0)
    assert server.scalar("SELECT result FROM care_reminder WHERE kind = 'compulsory_insurance' "
                         "AND status = 'contacted'") == "客户已续保，下周送保单"

    inspection = cards.filter(has_text="年检到期").filter(has_text="粤B12345")
    inspection.get_by_role("button", name="发送提醒").click()
    expect(page.get_by_text(re.compile("提醒已(发送|排队发送)"))).to_be_visible()
    expect(inspection).to_contain_text(re.compile("年检提醒 · 仅记录 · (待发送|已发送)"))
    assert server.scalar("SELECT count(*) FROM notification WHERE message_type = 'inspection'") == 1

    commercial = cards.filter(has_text="商业险到期")
    commercial.get_by_role("button", name="推迟").click()
    page.get_by_role("menuitem", name="推迟 7 天").click()
    expect(page.get_by_text("已推迟7天")).to_be_visible()
    expect(commercial).to_have_count(0)
    assert server.scalar("SELECT status FROM care_reminder WHERE kind = 'commercial_insurance'") == "snoozed"


def test_filters_on_a_tablet(server, new_context):
    page = new_context("tablet").new_page()
    sign_in(page, "manager")
    page.goto("/care")
    wait_hydrated(page, "#kind-filter")
    page.select_option("#kind-filter", "birthday")
    cards = page.locator(".care-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("客户生日")
    expect(cards.first).to_contain_text("陈美玲")
    page.screenshot(path=str(server.artifacts / "care-tablet.png"), full_page=True)
    page.select_option("#kind-filter", "")
    page.locator("#band-month").click()
    expect(cards.filter(has_text="保养到期")).to_contain_text("57,300 公里")
    expect(cards.filter(has_text="已逾期")).to_have_count(0)
