"""A technician changes their own password from a phone's 更多 menu; the admin reads the sign-ins on 审计日志."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "李师傅的新密码2026"


def test_on_a_phone_a_technician_changes_their_password_and_the_admin_sees_the_sign_ins(server, new_context):
    page = new_context("phone").new_page()
    page.goto("/login")
    wait_hydrated(page, "#username")
    page.fill("#username", "tech2")
    page.fill("#password", "not-my-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误，或暂时无法登录")
    sign_in(page, "tech2", navigate=False)

    wait_hydrated(page, "#tab-more")
    page.click("#tab-more")
    page.get_by_role("menuitem", name="修改密码").click()
    expect(page).to_have_url(re.compile(r"/account/password$"))
    wait_hydrated(page, "#change-password")
    page.fill("#password-current", "wrong-current")
    page.fill("#password-password", NEW_PASSWORD)
    page.fill("#password-repeated", NEW_PASSWORD)
    page.click("#change-password")
    expect(page.locator(".field-error")).to_have_text(["当前密码不正确"])
    page.fill("#password-current", DEMO_PASSWORD)
    page.click("#change-password")
    expect(page.get_by_text("密码已修改，其他设备已退出登录")).to_be_visible()
    expect(page.locator("#password-current")).to_have_value("")  # the form starts afresh

    page.click("#tab-more")
    page.get_by_role("menuitem", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login"))
    wait_hydrated(page, "#username")
    page.fill("#username", "tech2")
    page.fill("#password", NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/tasks$"))

    admin = new_context("tablet").new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/audit")
    refused = admin.locator("tr", has_text="登录失败").filter(has_text="tech2")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("密码错误")
    expect(refused).to_contain_text("127.0.0.1")
