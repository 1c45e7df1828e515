"""A cashier's day in the books, in the production build: an accident repair is settled with its first labour line
on the insurer (保险) and the rest paid in cash; the cashier collects the insurer's share on a tablet (应收: the
insurer owes exactly that share, then nothing), then closes the shift on a phone counting exactly the day's cash, and
the close is done with no difference.

A cashier of its own keeps the shift to this module's payments; the other modules share the server.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.cashier import settlement
from models import Branch, Counterparty, JobLine, PaymentMethod, Role, Settlement, User
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.services.cashier.test_settlement import completed_order, pay, set_line_terms

pytestmark = pytest.mark.e2e

PASSWORD = "count-the-drawer-twice"
INSURER = "端到端财产保险"


@pytest.fixture(scope="module")
def day(server):
    """The order (¥416: labour ¥100 + ¥200, parts ¥116) with its ¥100 labour line on the insurer, settled; the
    customer's ¥316 paid in cash to the day's cashier."""
    from lantong_pwa.services.platform import auth

    with server.orm() as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        shop = SimpleNamespace(branch=session.get(Branch, users["advisor"].branch_id), advisor=users["advisor"],
                               cashier=users["cashier"])
        cashier = User(username="daycashier", display_name="周收银", role=Role.CASHIER, branch_id=shop.branch.id,
                       password_hash=auth.hash_password(PASSWORD, "daycashier"))
        session.add(cashier)
        session.commit()
        order = completed_order(session, shop, plate="粤C7DAY1")
        first = session.exec(select(JobLine).where(JobLine.work_order_id == order.id)
                             .order_by(JobLine.position)).first()
        set_line_terms(session, shop.cashier, "job", first.id, "insurance", INSURER)
        settled = settlement.settle(session, shop.cashier, order.id)
        pay(session, cashier, order, PaymentMethod.CASH, "316", key="e2e-day-cash")
        session.commit()
        insurer = session.exec(select(Counterparty).where(Counterparty.name == INSURER)).one()
        return {"insurer_id": insurer.id, "settlement": session.get(Settlement, settled.id).number}


def test_the_insurers_share_is_collected_and_the_shift_closes_on_the_days_cash(server, new_context, day):
    tablet = new_context("tablet").new_page()
    sign_in(tablet, "daycashier", password=PASSWORD)
    tablet.goto("/finance/receivables")
    link = tablet.get_by_role("link", name=INSURER)
    expect(tablet.locator("#receivables-ageing tbody tr", has=link)).to_contain_text("¥100.00")
    wait_hydrated(tablet, "#receivables-ageing a")
    link.click()
    expect(tablet).to_have_url(re.compile(rf"/finance/receivables/insurer-{day['insurer_id']}$"))
    expect(tablet.locator("#balance")).to_have_text("¥100.00")
    expect(tablet.locator(f"#item-{day['settlement']}")).to_contain_text("¥100.00")
    wait_hydrated(tablet, "#collect-submit")
    tablet.click(f"#choose-{day['settlement']}")
    expect(tablet.locator("#collect-amount")).to_have_value("100.00")
    tablet.select_option("#collect-method", "bank_transfer")
    tablet.fill("#collect-reference", "E2E-保险赔款-001")
    tablet.click("#collect-submit")
    expect(tablet.get_by_text("已收款 ¥100.00")).to_be_visible()
    expect(tablet.locator("#balance")).to_have_text("¥0.00")
    expect(tablet.locator("#open-items tbody tr")).to_have_count(0)
    assert server.scalar("SELECT sum(open_amount) FROM open_item WHERE party_kind = 'insurer' AND party_id = ?",
                         day["insurer_id"]) == 0

    phone = new_context("phone").new_page()
    sign_in(phone, "daycashier", password=PASSWORD)
    phone.goto("/cashier/close")
    wait_hydrated(phone, "#close-submit")
    expect(phone.locator(".line-row", has_text="现金")).to_contain_text("¥316.00")
    phone.fill("#close-counted", "316")
    phone.click("#close-submit")
    closed = phone.locator("a[id^=close-JB]", has_text="周收银")
    expect(closed).to_contain_text("已交班")  # nothing to explain: the count is the day's cash
    expect(closed).to_contain_text("清点 ¥316.00")
    expect(closed).not_to_contain_text("差额")
    expect(phone.locator("#close-reason")).to_have_count(0)
    number = server.scalar("SELECT number FROM cash_close WHERE cashier_id = "
                           "(SELECT id FROM user WHERE username = 'daycashier')")
    assert Decimal(str(server.scalar("SELECT expected FROM cash_close WHERE number = ?", number))) == Decimal("316")
    assert server.scalar("SELECT status FROM cash_close WHERE number = ?", number) == "closed"
