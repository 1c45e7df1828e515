"""Role-check cases for 发票 (``/finance/invoices``): the lists and queries, issuing, 红冲 and receiving. Listed in
tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.finance.invoices import InvoicesState
from tests.state.harness import drive, make_state

FORGED = 1  # a settlement, invoice or supplier id a browser could set: the handlers must not trust it
NUMBER = "26440000000000000001"


def _invoices(cookie: str, **query) -> InvoicesState:
    return make_state(InvoicesState, token=cookie, path="/finance/invoices", query=query or None)


def run_load(cookie, w):
    s = _invoices(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/invoices")
    assert s.rows == [] and s.todo == [] and s.suppliers == [] and not s.issuing


def _read(name: str, *args):
    def run(cookie, w):
        s = _invoices(cookie)
        return s, drive(getattr(s, name)(*args))
    run.__name__ = f"run_{name}"
    return run


def refused_read(s, result, w, visitor):
    visitor.was_told(s.error or s.errors.get("form", ""))
    assert s.rows == [] and s.todo == [] and s.shares == [] and s.receipts == [] and not s.issuing


def run_issue(cookie, w):
    s = _invoices(cookie)
    s.settlement_id, s.issue_key = FORGED, "forged-issue"
    return s, drive(s.issue({"number": NUMBER, "kind": "normal", "title": "刘先生", "share": "customer",
                             "request_key": "forged-issue"}))


def run_reverse(cookie, w):
    s = _invoices(cookie)
    s.reversing_id, s.reverse_key = FORGED, "forged-reverse"
    return s, drive(s.reverse({"number": NUMBER, "reason": "开错", "request_key": "forged-reverse"}))


def run_receive(cookie, w):
    s = _invoices(cookie)
    s.supplier_id, s.receive_key = str(FORGED), "forged-receive"
    return s, drive(s.receive({"number": NUMBER, "kind": "normal", "amount": "100", "tax": "0",
                               f"item.{FORGED}": "on", "request_key": "forged-receive"}))


def run_issue_receipt(cookie, w):
    s = _invoices(cookie)
    s.receipt_key = "forged-receipt"
    return s, drive(s.issue_receipt({"receipt_number": "SK20261201-0001", "number": NUMBER, "kind": "normal",
                                     "title": "刘先生", "request_key": "forged-receipt"}))


def refused_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.rows == [] and s.todo == []


CASES = [
    ("InvoicesState.load", P.VIEW_INVOICES, run_load, refused_load),
    ("InvoicesState.choose_tab", P.VIEW_INVOICES, _read("choose_tab", "to_issue"), refused_read),
    ("InvoicesState.search", P.VIEW_INVOICES, _read("search", {"from": "2026-11-01", "to": "2026-11-30"}),
     refused_read),
    ("InvoicesState.open_issue", P.VIEW_INVOICES, _read("open_issue", FORGED, "customer"), refused_read),
    ("InvoicesState.choose_supplier", P.VIEW_INVOICES, _read("choose_supplier", str(FORGED)), refused_read),
    ("InvoicesState.issue", P.ISSUE_INVOICES, run_issue, refused_change),
    ("InvoicesState.issue_receipt", P.ISSUE_INVOICES, run_issue_receipt, refused_change),
    ("InvoicesState.reverse", P.REVERSE_INVOICES, run_reverse, refused_change),
    ("InvoicesState.receive", P.RECEIVE_INVOICES, run_receive, refused_change),
]
UI_ONLY: dict[str, tuple] = {
    "InvoicesState.choose_share": ("customer",),
    "InvoicesState.close_forms": (),
    "InvoicesState.open_receipt_issue": (),
    "InvoicesState.open_reverse": (FORGED,),
}
