"""Role-check cases for 资金 (``/finance/accounts`` and one account's journal). Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.finance.money_accounts import AccountJournalState, MoneyAccountsState
from tests.state.harness import drive, make_state

FORGED_ACCOUNT = 1  # a state var or address a browser could set: the handlers must not trust it


def _accounts(cookie: str) -> MoneyAccountsState:
    return make_state(MoneyAccountsState, token=cookie, path="/finance/accounts")


def _journal(cookie: str) -> AccountJournalState:
    return make_state(AccountJournalState, token=cookie, path=f"/finance/accounts/{FORGED_ACCOUNT}",
                      route="/finance/accounts/[money_account]", query={"money_account": str(FORGED_ACCOUNT)})


def run_load(cookie, w):
    s = _accounts(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/accounts")
    assert s.accounts == [] and s.methods == [] and s.total == ""


def _change(name: str, *args):
    def run(cookie, w):
        s = _accounts(cookie)
        return s, drive(getattr(s, name)(*args))
    run.__name__ = f"run_{name}"
    return run


def refused_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.accounts == [] and s.methods == []


def run_journal_load(cookie, w):
    s = _journal(cookie)
    return s, drive(s.load())


def refused_journal_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/finance/accounts/{FORGED_ACCOUNT}")
    assert s.found is False and s.rows == [] and s.name == ""


def run_journal_period(cookie, w):
    s = _journal(cookie)
    return s, drive(s.choose_period({"from": "2026-11-01", "to": "2026-11-30"}))


def refused_journal_period(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.rows == [] and s.name == ""


CASES = [
    ("MoneyAccountsState.load", P.VIEW_CASH_BOOK, run_load, refused_load),
    ("MoneyAccountsState.transfer", P.TRANSFER_MONEY,
     _change("transfer", {"from_account_id": "1", "to_account_id": "2", "amount": "1", "request_key": "forged"}),
     refused_change),
    ("MoneyAccountsState.create_account", P.MANAGE_MONEY_ACCOUNTS,
     _change("create_account", {"kind": "bank", "name": "工商银行"}), refused_change),
    ("MoneyAccountsState.set_opening", P.MANAGE_MONEY_ACCOUNTS,
     _change("set_opening", {"account_id": "1", "opening": "100"}), refused_change),
    ("MoneyAccountsState.map_method", P.MANAGE_MONEY_ACCOUNTS, _change("map_method", "bank_card", "1"),
     refused_change),
    ("AccountJournalState.load", P.VIEW_CASH_BOOK, run_journal_load, refused_journal_load),
    ("AccountJournalState.choose_period", P.VIEW_CASH_BOOK, run_journal_period, refused_journal_period),
]
UI_ONLY: dict[str, tuple] = {}
