"""Role-check cases for 资金 (``/finance/accounts`` and one account's journal) and 交班 (``/cashier/close``). Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.cashier.cash_close import CashCloseSheetState, CashCloseState
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


def _close(cookie: str) -> CashCloseState:
    return make_state(CashCloseState, token=cookie, path="/cashier/close")


def run_close_load(cookie, w):
    s = _close(cookie)
    return s, drive(s.load())


def refused_close_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/cashier/close")
    assert s.closes == [] and s.totals == [] and not s.can_close


def run_close_count(cookie, w):
    s = _close(cookie)
    return s, drive(s.count({"counted": "100", "request_key": "forged-count"}))


def run_close_explain(cookie, w):
    s = _close(cookie)
    s.waiting.id = FORGED_ACCOUNT  # forged: the close to explain
    return s, drive(s.explain({"reason": "forged"}))


def refused_close_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.closes == [] and s.totals == []


def run_close_sheet(cookie, w):
    s = make_state(CashCloseSheetState, token=cookie, path=f"/cashier/close/{FORGED_ACCOUNT}/print",
                   route="/cashier/close/[close_id]/print", query={"close_id": str(FORGED_ACCOUNT)})
    return s, drive(s.load())


def refused_close_sheet(s, result, w, visitor):
    visitor.was_sent_away(result, f"/cashier/close/{FORGED_ACCOUNT}/print")
    assert s.found is False and s.lines == [] and s.close.number == ""


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
    ("CashCloseState.load", P.VIEW_CASH_BOOK, run_close_load, refused_close_load),
    ("CashCloseState.count", P.CLOSE_SHIFT, run_close_count, refused_close_change),
    ("CashCloseState.explain", P.CLOSE_SHIFT, run_close_explain, refused_close_change),
    ("CashCloseSheetState.load", P.VIEW_CASH_BOOK, run_close_sheet, refused_close_sheet),
]
UI_ONLY: dict[str, tuple] = {}
