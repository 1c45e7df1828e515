"""On a phone, the cashier banks cash: the accounts show their balances, a transfer from 现金 to 基本户 moves exactly
that amount once (a double tap included), and the bank account's journal shows it with the balance after it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e


def balance(server, name: str) -> Decimal:
    return Decimal(str(server.scalar("SELECT balance FROM money_account WHERE name = ?", name)))


def account_id(server, name: str) -> int:
    return server.scalar("SELECT id FROM money_account WHERE name = ?", name)


def test_cashier_banks_cash_on_a_phone(server, new_context):
    cash_id, bank_id = account_id(server, "现金"), account_id(server, "基本户")
    with server.db() as db:  # cash in the drawer to bank, whatever other tests took before
        db.execute("INSERT INTO journal_entry (branch_id, account_id, amount, balance_after, document_type, summary, "
                   "created_at) SELECT branch_id, id, 500, balance + 500, 'opening', '端到端期初', "
                   "strftime('%Y-%m-%d %H:%M:%f', 'now') FROM money_account WHERE id = ?", (cash_id,))
        db.execute("UPDATE money_account SET balance = balance + 500 WHERE id = ?", (cash_id,))
    cash_before, bank_before = balance(server, "现金"), balance(server, "基本户")

    page = new_context("phone").new_page()
    sign_in(page, "cashier")
    page.goto("/finance/accounts")
    wait_hydrated(page, "#transfer-submit")
    expect(page.locator(f"#account-{cash_id}")).to_contain_text(f"¥{cash_before:,.2f}")
    page.select_option("#transfer-from", str(cash_id))
    page.select_option("#transfer-to", str(bank_id))
    page.fill("#transfer-amount", "300")
    page.fill("#transfer-note", "存现")
    page.dblclick("#transfer-submit")
    expect(page.get_by_text("已转账 ¥300.00")).to_have_count(1)  # the double tap is told once, and moves money once
    expect(page.locator(f"#account-{bank_id}")).to_contain_text(f"¥{bank_before + 300:,.2f}")
    assert (balance(server, "现金"), balance(server, "基本户")) == (cash_before - 300, bank_before + 300)
    assert server.scalar("SELECT count(*) FROM account_transfer WHERE note = '存现'") == 1

    page.click(f"#account-{bank_id}")
    expect(page).to_have_url(f"{server.url}/finance/accounts/{bank_id}")
    expect(page.locator("#journal-table")).to_contain_text("存现")
    expect(page.locator("#journal-closing")).to_have_text(f"¥{bank_before + 300:,.2f}")


def test_cashier_closes_the_shift_with_a_blind_count(server, new_context):
    page = new_context("phone").new_page()
    sign_in(page, "cashier")
    page.goto("/cashier/close")
    wait_hydrated(page, "#close-submit")
    expect(page.locator("#close-expected")).to_have_count(0)  # blind: nothing of the books before the count
    page.fill("#close-counted", "12345.67")
    page.dblclick("#close-submit")
    expect(page.locator("#close-reason")).to_be_visible()
    with server.db() as db:
        close = db.execute("SELECT * FROM cash_close ORDER BY id DESC LIMIT 1").fetchone()
    assert server.scalar("SELECT count(*) FROM cash_close WHERE counted = 12345.67") == 1  # the double tap: once
    difference = Decimal(str(close["counted"])) - Decimal(str(close["expected"]))
    expect(page.locator("#close-difference")).to_have_text(f"¥{difference:,.2f}")
    page.fill("#close-reason", "端到端测试：多点了备用金")
    page.click("#close-explain")
    expect(page.get_by_text(f"交班完成（{close['number']}）")).to_be_visible()
    assert server.scalar("SELECT status FROM cash_close WHERE id = ?", close["id"]) == "closed"
    assert Decimal(str(server.scalar("SELECT amount FROM journal_entry WHERE document_type = 'cash_close' AND "
                                     "document_id = ?", close["id"]))) == difference

    page.click(f"#close-{close['number']}")
    expect(page.locator("#cash-close-sheet")).to_contain_text(close["number"])
    expect(page.locator("#cash-close-sheet")).to_contain_text("端到端测试：多点了备用金")
