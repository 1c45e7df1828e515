"""应收 on a phone, in the production build: a fleet customer's order is settled on account (挂账) beside an older,
overdue 挂账; the cashier opens 应收账款, collects a part-payment ticked against both, and the ageing moves; then
sends the month's statement link, and the customer opens it on their own phone (no account) and confirms it — the
finance screen shows 已确认."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.finance import open_items
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    Customer,
    CustomerKind,
    Direction,
    OpenItemSource,
    PartyKind,
    PaymentMethod,
    PaymentTerms,
    User,
)
from models.common import utc_now
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.services.cashier.test_settlement import pay, settled_order

pytestmark = pytest.mark.e2e


def fleet_on_account(server) -> tuple[int, str, str, str]:
    """A fleet customer whose order (¥416) is paid on account today, with an older 挂账 of ¥200 from 40 days ago,
    due 30 days after it (overdue 10 days). Returns the customer's id and name and the two items' numbers."""
    today = local_day(utc_now())
    with server.orm() as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        shop = SimpleNamespace(branch=session.get(Branch, users["advisor"].branch_id), advisor=users["advisor"],
                               cashier=users["cashier"])
        n = (server.scalar("SELECT max(id) FROM customer") or 0) + 1
        order = settled_order(session, shop, plate=f"粤C{n:05d}")
        customer = session.get(Customer, order.customer_id)
        customer.name, customer.kind, customer.credit_limit = f"应收测试车队{n}", CustomerKind.FLEET, Decimal("5000")
        customer.terms, customer.terms_days = PaymentTerms.DAYS, 30
        session.add(customer)
        session.commit()
        paid = pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "416", key=f"e2e-on-account-{n}")
        session.commit()
        # written after: an overdue item would stop the 挂账 above without a manager
        older = open_items.add_item(session, branch_id=customer.branch_id, party_kind=PartyKind.CUSTOMER,
                                    party_id=customer.id, direction=Direction.RECEIVABLE,
                                    source=OpenItemSource.ON_ACCOUNT, source_id=10**8 + n, number=f"GZ{n:06d}",
                                    amount=Decimal("200"), document_date=today - timedelta(days=40),
                                    due=today - timedelta(days=10))
        session.commit()
        return customer.id, customer.name, older.number, paid.number


def test_collect_a_part_payment_and_the_customer_confirms_the_statement(server, new_context):
    customer_id, name, older, on_account = fleet_on_account(server)
    page = new_context("phone").new_page()
    sign_in(page, "cashier")
    page.goto("/finance/receivables")
    link = page.get_by_role("link", name=name)
    expect(link).to_be_visible()
    row = page.locator("#receivables-ageing tbody tr", has=link)
    expect(row).to_contain_text("¥616.00")
    expect(row.locator("td").nth(2)).to_have_text("¥200.00")  # 逾期1–30天
    wait_hydrated(page, "#receivables-ageing a")
    link.click()
    expect(page).to_have_url(re.compile(rf"/finance/receivables/customer-{customer_id}$"))
    expect(page.locator("#balance")).to_have_text("¥616.00")
    expect(page.locator("#open-items tbody tr")).to_have_count(2)
    expect(page.locator(f"#item-{older}")).to_contain_text("逾期10天")

    wait_hydrated(page, "#collect-submit")
    page.click(f"#choose-{on_account}")
    page.click(f"#choose-{older}")
    expect(page.locator("#collect-amount")).to_have_value("616.00")
    page.select_option("#collect-method", "wechat")
    page.fill("#collect-amount", "500")
    page.click("#collect-submit")
    expect(page.get_by_text("已收款 ¥500.00")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("¥116.00")
    expect(page.locator("#open-items tbody tr")).to_have_count(1)  # the older item first, then ¥300 of the 挂账
    expect(page.locator(f"#item-{on_account}")).to_contain_text("¥116.00")
    expect(page.locator("#party-ageing")).to_contain_text("¥116.00")

    month = f"{local_day(utc_now()):%Y-%m}"
    page.fill("#link-month", month)
    page.click("#link-send")
    expect(page.locator("#link-url")).to_have_value(re.compile(r"/s/\d+\."))
    url = page.locator("#link-url").input_value()
    expect(page.locator(f"#link-{month}")).to_contain_text("待确认")

    phone = new_context("phone").new_page()  # the customer's own phone: no account, no cookie
    phone.goto(re.sub(r"^https?://[^/]+", "", url))
    expect(phone.locator("#customer-closing")).to_have_text("¥116.00")
    expect(phone.locator("#customer-statement")).to_contain_text("收款")
    wait_hydrated(phone, "#statement-confirm")
    phone.click("#statement-confirm")
    expect(phone.locator("#statement-answered")).to_contain_text("您已确认")

    page.goto("/finance/receivables")
    row = page.locator("#receivables-ageing tbody tr", has=page.get_by_role("link", name=name))
    expect(row).to_contain_text("¥116.00")
    expect(row.locator("td").nth(2)).to_have_text("¥0.00")  # nothing overdue any more
    page.goto(f"/finance/receivables/customer-{customer_id}")
    expect(page.locator(f"#link-{month}")).to_contain_text("已确认")
    assert server.scalar("SELECT count(*) FROM party_payment WHERE party_id = ? AND party_kind = 'customer'",
                         customer_id) == 1
    assert server.scalar("SELECT status FROM statement_link WHERE party_id = ?", customer_id) == "confirmed"
