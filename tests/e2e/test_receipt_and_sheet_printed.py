"""On a phone, the cashier prints a payment's receipt (收据) from the settle screen and the 结算单: both carry the
amount in Chinese capitals, and the sheet the repair warranty and the next service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.timezone import local_day
from models import User
from models.common import utc_now
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.e2e.test_settle_screen import finished_order

pytestmark = pytest.mark.e2e


def test_receipt_and_sheet_in_capitals_on_a_phone(server, new_context):
    order_id, number = finished_order(server, "收据客户", complete=True)  # ¥120 + ¥100 of labour
    next_date = local_day(utc_now()) + timedelta(days=90)
    with server.orm() as session:
        cashier = session.exec(select(User).where(User.username == "cashier")).one()
        sheet = settlement.settle(session, cashier, order_id, next_service_date=next_date.isoformat(),
                                  next_service_mileage="6000")
        payment = payments.take_payment(session, cashier, order_id, PaymentRequest(
            method="cash", amount="100.05", tendered="200", request_key="e2e-receipt-in-capitals"))
        sheet_number, receipt_number = sheet.number, payment.number

    page = new_context("phone").new_page()
    sign_in(page, "cashier")
    page.goto(f"/cashier/{number}")
    receipt_button = f'[aria-label="打印收据 {receipt_number}"]'
    wait_hydrated(page, receipt_button)
    page.click(receipt_button)
    expect(page).to_have_url(f"{server.url}/payments/{receipt_number}/print")
    expect(page.locator("#receipt-capitals")).to_have_text("人民币壹佰元零伍分")
    expect(page.locator("#receipt-amount")).to_contain_text("100.05")
    expect(page.locator("#receipt")).to_contain_text("实收现金¥200.00，找零¥99.95")
    expect(page.locator("#receipt")).to_contain_text(f"工单{number}")

    page.goto(f"/settlements/{sheet_number}/print")
    expect(page.locator("#sheet-capitals")).to_have_text("客户应付金额（大写）：人民币贰佰贰拾元整")
    expect(page.locator("#sheet-warranty")).to_have_text("维修质保期：自结算之日起30天或5,000公里（以先到者为准）。")
    expect(page.locator("#sheet-next-service")).to_have_text(f"下次保养：{next_date:%Y-%m-%d}，6,000公里")
