"""On a tablet, the manager issues an invoice for a settled order from the settle screen's 开票 button (a double tap
issues once), then 红冲s it: the red invoice points at the original and the amount is open to invoice again. The
customer then pays at the counter, and the invoice is issued again by that receipt's number (按收款开票)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.cashier.payments import PaymentRequest
from models import User
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.e2e.test_settle_screen import finished_order

pytestmark = pytest.mark.e2e

NUMBER = "26447000000000000001"
RED = "26447000000000000002"
AGAIN = "26447000000000000003"


def test_issue_then_reverse_on_a_tablet(server, new_context):
    order_id, number = finished_order(server, "开票客户", complete=True)  # ¥120 + ¥100 of labour
    with server.orm() as session:
        cashier = session.exec(select(User).where(User.username == "cashier")).one()
        sheet_number = settlement.settle(session, cashier, order_id).number

    page = new_context("tablet").new_page()
    sign_in(page, "manager")
    page.goto(f"/cashier/{number}")
    wait_hydrated(page, "#settlement-invoice")
    page.click("#settlement-invoice")
    expect(page).to_have_url(f"{server.url}/finance/invoices?settlement={sheet_number}")
    expect(page.locator("#issue-title")).to_contain_text(sheet_number)
    expect(page.locator("#issue-amount")).to_have_value("220.00")
    expect(page.locator("#issue-title-input")).to_have_value("开票客户")
    page.fill("#issue-number", NUMBER)
    page.dblclick("#issue-submit")
    expect(page.get_by_text(f"已开票 ¥220.00（{NUMBER}）")).to_have_count(1)  # the double tap is told once
    invoice = f"#invoice-{NUMBER}"
    expect(page.locator(invoice)).to_contain_text(sheet_number)
    assert server.scalar("SELECT count(*) FROM invoice WHERE number = ?", NUMBER) == 1
    assert Decimal(str(server.scalar("SELECT tax FROM invoice WHERE number = ?", NUMBER))) > 0

    page.click(f"#reverse-{NUMBER}")
    expect(page.locator("#reverse-form")).to_contain_text(NUMBER)
    page.fill("#reverse-number", RED)
    page.fill("#reverse-reason", "抬头开错")
    page.click("#reverse-submit")
    expect(page.get_by_text(f"已红冲 ¥220.00（{RED}）")).to_be_visible()
    expect(page.locator(f"#invoice-{RED}")).to_contain_text(f"红冲 {NUMBER}：抬头开错")
    expect(page.locator(invoice)).to_contain_text("已红冲 ¥220.00")
    expect(page.locator(f"#reverse-{NUMBER}")).to_have_count(0)
    assert server.scalar("SELECT reverses_id FROM invoice WHERE number = ?", RED) == \
        server.scalar("SELECT id FROM invoice WHERE number = ?", NUMBER)

    page.click("#tab-to_issue")
    page.fill("#invoices-text", "开票客户")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(f"#issue-{sheet_number}-customer")).to_be_visible()  # open to invoice again

    with server.orm() as session:
        cashier = session.exec(select(User).where(User.username == "cashier")).one()
        receipt = payments.take_payment(session, cashier, order_id, PaymentRequest(
            method="cash", amount="220", request_key="e2e-invoice-receipt")).number
        session.commit()
    wait_hydrated(page, "#receipt-issue-open")
    page.click("#receipt-issue-open")
    page.fill("#receipt-issue-receipt", receipt)
    page.fill("#receipt-issue-number", AGAIN)
    page.fill("#receipt-issue-title", "开票客户")
    page.click("#receipt-issue-submit")
    expect(page.get_by_text(f"已开票 ¥220.00（{AGAIN}）")).to_be_visible()
    expect(page.locator("#receipt-issue-form")).to_have_count(0)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(f"#issue-{sheet_number}-customer")).to_have_count(0)  # nothing left to invoice
