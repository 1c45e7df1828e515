"""An admin sets up a second branch from a phone, and sees it beside the first on the figures page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

FITS_SIDEWAYS = "el => el.scrollWidth <= el.clientWidth"


def test_on_a_phone_an_admin_creates_a_branch_and_compares_it(server, new_context):
    page = new_context("phone").new_page()
    sign_in(page, "admin")
    page.goto("/admin/branches")
    expect(page.locator("#branch-list .branch-card")).to_have_count(1)
    wait_hydrated(page, "#new-branch")

    page.click("#new-branch")
    page.fill("#branch-code", "sz02")
    page.fill("#branch-name", "蓝通汽修（深圳福田店）")
    page.fill("#branch-phone", "12345")
    page.click("#branch-save")
    expect(page.locator(".field-error")).to_have_text(["电话格式不正确，例如 0755-86001234 或 13800138000"])
    page.fill("#branch-phone", "0755-88881234")
    page.click("#branch-save")

    created = page.locator("#branch-SZ02")
    expect(created).to_contain_text("蓝通汽修（深圳福田店）")
    expect(created).to_contain_text("营业中")
    expect(created).to_contain_text("0755-88881234")
    assert server.scalar("SELECT status FROM branch WHERE code = 'SZ02'") == "open"

    page.goto("/figures")
    compared = page.locator("#branch-comparison tbody tr")
    expect(compared).to_have_count(3)  # both branches and their sum
    expect(compared.nth(1)).to_contain_text("蓝通汽修（深圳福田店）")
    expect(page).to_have_url(re.compile(r"/figures$"))
    assert page.locator("#branch-comparison").evaluate("el => el.parentElement.scrollWidth <= 390")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"
