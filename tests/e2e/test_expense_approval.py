"""On phones, an expense from request to journal: the advisor asks (a double tap asks once), the manager sees it waiting
and approves it (the advisor has no such button on their own), the cashier pays it from 现金, and the cash journal
shows it with the balance after it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e


def test_an_expense_is_asked_approved_paid_and_in_the_cash_journal(server, new_context):
    cash_id = server.scalar("SELECT id FROM money_account WHERE name = '现金'")
    with server.db() as db:  # enough cash in the drawer, whatever other tests took before
        db.execute("INSERT INTO journal_entry (branch_id, account_id, amount, balance_after, document_type, summary, "
                   "created_at) SELECT branch_id, id, 1000, balance + 1000, 'opening', '端到端期初', "
                   "strftime('%Y-%m-%d %H:%M:%f', 'now') FROM money_account WHERE id = ?", (cash_id,))
        db.execute("UPDATE money_account SET balance = balance + 1000 WHERE id = ?", (cash_id,))
    cash_before = Decimal(str(server.scalar("SELECT balance FROM money_account WHERE id = ?", cash_id)))

    advisor = new_context("phone").new_page()
    sign_in(advisor, "advisor")
    advisor.goto("/finance/expenses")
    wait_hydrated(advisor, "#expense-submit")
    advisor.select_option("#expense-category", label="办公用品")
    advisor.fill("#expense-amount", "268.50")
    advisor.fill("#expense-payee", "端到端文具店")
    advisor.fill("#expense-note", "打印纸和墨盒")
    advisor.dblclick("#expense-submit")
    expect(advisor.get_by_text("等待审批")).to_have_count(1)  # the double tap is told once
    assert server.scalar("SELECT count(*) FROM expense WHERE payee = '端到端文具店'") == 1
    number = server.scalar("SELECT number FROM expense WHERE payee = '端到端文具店'")
    expect(advisor.locator(f"#expense-{number}")).to_contain_text("待审批")
    advisor.click(f"#expense-{number}")
    expect(advisor.locator("#expense-status")).to_have_text("待审批")
    expect(advisor.locator("#expense-withdraw")).to_be_visible()
    expect(advisor.locator("#expense-approve")).to_have_count(0)  # nobody approves their own

    manager = new_context("phone").new_page()
    sign_in(manager, "manager")
    manager.goto("/finance/expenses")
    expect(manager.locator(f"#waiting-{number}")).to_contain_text("¥268.50")
    manager.click(f"#waiting-{number}")
    wait_hydrated(manager, "#expense-approve")
    manager.click("#expense-approve")
    expect(manager.locator("#expense-status")).to_have_text("已批准")
    assert server.scalar("SELECT status FROM expense WHERE number = ?", number) == "approved"

    cashier = new_context("phone").new_page()
    sign_in(cashier, "cashier")
    cashier.goto("/finance/expenses")
    expect(cashier.locator(f"#waiting-{number}")).to_be_visible()
    cashier.click(f"#waiting-{number}")
    wait_hydrated(cashier, "#expense-pay")
    cashier.select_option("#pay-account", str(cash_id))
    cashier.dblclick("#expense-pay")
    expect(cashier.locator("#expense-status")).to_have_text("已支付")
    expect(cashier.get_by_text("已支付，已记入日记账")).to_have_count(1)
    assert server.scalar("SELECT count(*) FROM journal_entry WHERE document_type = 'expense' AND document_id = "
                         "(SELECT id FROM expense WHERE number = ?)", number) == 1
    assert Decimal(str(server.scalar("SELECT balance FROM money_account WHERE id = ?", cash_id))) == \
        cash_before - Decimal("268.50")

    cashier.goto(f"/finance/accounts/{cash_id}")
    expect(cashier.locator("#journal-table")).to_contain_text(number)
    expect(cashier.locator("#journal-table")).to_contain_text("费用支出")
    expect(cashier.locator("#journal-closing")).to_have_text(f"¥{cash_before - Decimal('268.50'):,.2f}")
