"""Role-check cases for 应收账款 (``/finance/receivables``, one party, the printed statement). Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``.

The customer's statement page behind its signed link (``/s/<token>``) has no account to check: its handlers are
listed as ``PUBLIC`` and tested in tests/state/finance/test_receivables_states.py (only the link a valid token
names is ever touched)."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.finance.receivables import ReceivablePartyState, ReceivablesState, ReceivableSheetState
from tests.state.harness import drive, make_state

FORGED = "customer-1"  # an address a browser could open: the handlers must not trust it


def _party(cookie: str, cls=ReceivablePartyState, suffix: str = ""):
    return make_state(cls, token=cookie, path=f"/finance/receivables/{FORGED}{suffix}",
                      route=f"/finance/receivables/[debtor]{suffix}", query={"debtor": FORGED})


def run_list_load(cookie, w):
    s = make_state(ReceivablesState, token=cookie, path="/finance/receivables")
    return s, drive(s.load())


def refused_list_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/receivables")
    assert s.rows == [] and s.total.balance == ""


def run_choose_kind(cookie, w):
    s = make_state(ReceivablesState, token=cookie, path="/finance/receivables")
    return s, drive(s.choose_kind("customer"))


def refused_choose_kind(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.rows == []


def run_party_load(cookie, w):
    s = _party(cookie)
    return s, drive(s.load())


def refused_party_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/finance/receivables/{FORGED}")
    assert s.found is False and s.items == [] and s.statement == [] and s.name == "" and s.links == []


def run_collect(cookie, w):
    s = _party(cookie)
    s.party_id = 1
    return s, drive(s.pay({"method": "cash", "amount": "100", "request_key": "forged-1"}))


def refused_collect(s, result, w, visitor):
    visitor.was_told(s.pay_errors["form"])
    assert s.items == [] and s.balance == ""


def run_party_statement(cookie, w):
    s = _party(cookie)
    return s, drive(s.show_statement({"from": "2026-11-01", "to": "2026-11-30"}))


def refused_party_statement(s, result, w, visitor):
    visitor.was_told(s.statement_error)
    assert s.statement == []


def run_send_link(cookie, w):
    s = _party(cookie)
    return s, drive(s.send_link({"month": "2026-11"}))


def refused_send_link(s, result, w, visitor):
    visitor.was_told(s.link_error)
    assert s.link_url == "" and s.links == []


def run_sheet(cookie, w):
    s = _party(cookie, ReceivableSheetState, "/statement")
    return s, drive(s.load())


def refused_sheet(s, result, w, visitor):
    visitor.was_sent_away(result, f"/finance/receivables/{FORGED}/statement")
    assert s.found is False and s.rows == [] and s.party_name == ""


CASES = [
    ("ReceivablesState.load", P.VIEW_RECEIVABLES, run_list_load, refused_list_load),
    ("ReceivablesState.choose_kind", P.VIEW_RECEIVABLES, run_choose_kind, refused_choose_kind),
    ("ReceivablePartyState.load", P.VIEW_RECEIVABLES, run_party_load, refused_party_load),
    ("ReceivablePartyState.pay", P.COLLECT, run_collect, refused_collect),
    ("ReceivablePartyState.show_statement", P.VIEW_RECEIVABLES, run_party_statement, refused_party_statement),
    ("ReceivablePartyState.send_link", P.COLLECT, run_send_link, refused_send_link),
    ("ReceivableSheetState.load", P.VIEW_RECEIVABLES, run_sheet, refused_sheet),
]
UI_ONLY: dict[str, tuple] = {
    "ReceivablePartyState.toggle_item": (1, True),
    "ReceivablePartyState.choose_method": ("cash",),
}
PUBLIC = {"StatementConfirmState.load", "StatementConfirmState.confirm", "StatementConfirmState.dispute"}
