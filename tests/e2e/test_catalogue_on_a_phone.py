"""The parts clerk on a phone: creates a part with a barcode and finds it again by that barcode; then imports parts
from Excel: a dry run that lists the bad row, a good file, 确认导入."""

from __future__ import annotations


import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_hydrated
from tests.factories import xlsx_bytes

pytestmark = pytest.mark.e2e


def upload(page, name: str, data: bytes) -> None:
    page.set_input_files("#import-upload input.file-upload-input", files=[
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "buffer": data}])


def test_on_a_phone_the_clerk_creates_a_part_finds_it_by_barcode_and_imports_parts(server, new_context):
    page = new_context("phone").new_page()
    sign_in(page, "parts")
    page.goto("/parts/catalogue")
    wait_hydrated(page, "#new-part")

    page.click("#new-part")
    page.fill("#part-code", "e2e-001")
    page.fill("#part-name", "手机测试滤芯")
    page.fill("#part-sale_price", "-3")
    page.fill("#part-barcodes", "6909999000017")
    page.click("#part-save")
    expect(page.locator(".field-error")).to_have_text(["售价不能为负数"])
    page.fill("#part-sale_price", "66")
    page.click("#part-save")
    expect(page.get_by_text("编辑配件")).to_be_visible()
    assert server.scalar("SELECT p.code FROM part p JOIN part_barcode b ON b.part_id = p.id "
                         "WHERE b.barcode = '6909999000017'") == "E2E-001"

    page.get_by_role("button", name="关闭").click()
    page.fill("#catalogue-query", "6909999000017")
    page.press("#catalogue-query", "Enter")
    rows = page.locator(".catalogue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("手机测试滤芯")
    expect(rows.first).to_contain_text("E2E-001")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"

    page.goto("/parts/import")
    wait_hydrated(page, "#import-upload input.file-upload-input")
    expect(page.locator("#import-template")).to_have_attribute("href", "/api/imports/parts/template.xlsx")
    header = ["编码*", "名称*", "条码", "售价"]
    upload(page, "坏的.xlsx", xlsx_bytes([header, ["E2E-100", "火花塞", "6909999000024", 35], ["E2E-101", "", "", "x"]]))
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text("第3行")
    expect(errors.first).to_contain_text("请输入名称")
    expect(page.locator("#import-commit")).to_have_count(0)

    upload(page, "配件.xlsx", xlsx_bytes([header, ["E2E-100", "火花塞", "6909999000024", 35],
                                    ["E2E-001", "手机测试滤芯（改）", "", ""]]))
    expect(page.locator("#import-summary")).to_have_text("共 2 行：新建 1，更新 1，不变 0")
    page.click("#import-commit")
    expect(page.locator("#import-done")).to_contain_text("已导入配件档案：新建 1，更新 1，不变 0")
    assert server.scalar("SELECT name FROM part WHERE code = 'E2E-001'") == "手机测试滤芯（改）"
    assert server.scalar("SELECT sale_price FROM part WHERE code = 'E2E-100'") in (35, "35.00", 35.0)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"
