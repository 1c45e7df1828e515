"""应付 on a phone, in the production build: the cashier opens 应付账款, pays a supplier for its two oldest
receipts by bank transfer, and the statement — on screen and printed — shows exactly those amounts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.timezone import local_day
from models import PaymentTerms, User
from models.common import utc_now
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.e2e.test_made_for_hands import expect_made_for_hands
from tests.services.finance.payables_rows import add_receipt, add_supplier

pytestmark = pytest.mark.e2e


def supplier_with_three_receipts(server) -> tuple[int, str, list[str]]:
    """A supplier (现结: each receipt due on its day) with receipts of ¥120, ¥80 and ¥50 on the last three days."""
    today = local_day(utc_now())
    with server.orm() as session:
        clerk = session.exec(select(User).where(User.username == "parts")).one()
        n = (server.scalar("SELECT max(id) FROM supplier") or 0) + 1
        supplier = add_supplier(session, clerk.branch_id, f"付款测试汽配{n}", terms=PaymentTerms.CASH, terms_days=0)
        numbers = [add_receipt(session, clerk, supplier, today - timedelta(days=days), amount=amount)[0].number
                   for days, amount in ((3, "120"), (2, "80"), (1, "50"))]
        return supplier.id, supplier.name, numbers


def test_pay_two_items_oldest_first_and_see_them_on_the_statement(server, new_context):
    supplier_id, name, (first, second, third) = supplier_with_three_receipts(server)
    page = new_context("phone").new_page()
    sign_in(page, "cashier")
    page.goto("/payables")
    link = page.get_by_role("link", name=name)
    expect(link).to_be_visible()
    wait_hydrated(page, "#payables-ageing a")
    link.click()
    expect(page).to_have_url(re.compile(rf"/payables/{supplier_id}$"))
    expect(page.locator("#balance")).to_have_text("¥250.00")
    expect(page.locator("#open-items tbody tr")).to_have_count(3)

    wait_hydrated(page, "#pay-submit")
    page.select_option("#pay-method", "bank_transfer")
    page.fill("#pay-amount", "200")
    page.fill("#pay-reference", "HD20261204")
    page.click("#pay-submit")
    expect(page.get_by_text("已付款 ¥200.00")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("¥50.00")
    expect(page.locator("#open-items tbody tr")).to_have_count(1)
    expect(page.locator(f"#item-{third}")).to_contain_text("¥50.00")

    page.fill("#statement-from", (local_day(utc_now()) - timedelta(days=10)).isoformat())
    page.click("#statement-submit")
    rows = page.locator("#statement tbody tr")
    expect(rows).to_have_count(7)  # opening, three receipts, the payment, the period's totals, closing
    expect(rows.nth(0)).to_contain_text("¥0.00")
    for index, (number, amount, balance) in enumerate(((first, "¥120.00", "¥120.00"), (second, "¥80.00", "¥200.00"),
                                                       (third, "¥50.00", "¥250.00")), start=1):
        expect(rows.nth(index)).to_contain_text(number)
        expect(rows.nth(index)).to_contain_text(amount)
        expect(rows.nth(index)).to_contain_text(balance)
    expect(rows.nth(4)).to_contain_text("付款")
    expect(rows.nth(4)).to_contain_text("银行转账 HD20261204")
    expect(rows.nth(4)).to_contain_text("¥200.00")
    expect(rows.nth(4)).to_contain_text("¥50.00")
    expect(rows.nth(5)).to_contain_text("¥250.00")  # 本期合计: ¥250.00 in, ¥200.00 out
    expect(rows.nth(5)).to_contain_text("¥200.00")
    expect(rows.nth(6)).to_contain_text("期末余额")
    expect(rows.nth(6)).to_contain_text("¥50.00")

    expect(page.get_by_text("已付款 ¥200.00")).to_be_hidden(timeout=15_000)  # the message has gone
    expect_made_for_hands(page)  # the ticks, the form and the statement: thumb-sized, and nothing axe-core finds
    page.click("#statement-print")
    expect(page).to_have_url(re.compile(rf"/payables/{supplier_id}/statement\?from=.*&to="))
    expect(page.locator("#statement-closing")).to_have_text("¥50.00")
    sheet = page.locator("#statement-sheet-lines tbody tr")
    expect(sheet).to_have_count(7)
    expect(sheet.nth(4)).to_contain_text("¥200.00")
    assert server.scalar("SELECT count(*) FROM party_payment WHERE party_id = ?", supplier_id) == 1
    assert server.scalar("SELECT sum(open_amount) FROM open_item WHERE party_id = ? AND party_kind = 'supplier'",
                         supplier_id) == 50
