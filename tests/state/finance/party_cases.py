"""Role-check cases for 往来单位 (``/finance/parties``) and a customer's credit (挂账额度 and 账期 on
``/customers/<id>``). Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES``."""

from __future__ import annotations

from lantong_pwa.services.platform.permissions import Permission as P
from state.finance.counterparties import CounterpartiesState
from tests.state.care.customer_cases import file_state
from tests.state.harness import drive, make_state

FORGED_PARTY = 1  # a party id a browser could send: the handlers must not trust it


def _parties(cookie: str) -> CounterpartiesState:
    return make_state(CounterpartiesState, token=cookie, path="/finance/parties")


def run_load(cookie, w):
    s = _parties(cookie)
    return s, drive(s.load())


def refused_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/finance/parties")
    assert s.parties == []


def _change(name: str, *args, label: str = "", **forged):
    def run(cookie, w):
        s = _parties(cookie)
        for var, value in forged.items():
            setattr(s, var, value)
        return s, drive(getattr(s, name)(*args))
    run.__name__ = f"run_parties_{label or name}"
    return run


def refused_change(s, result, w, visitor):
    visitor.was_told(s.errors["form"])
    assert s.parties == []


def run_toggle(cookie, w):
    s = _parties(cookie)
    return s, drive(s.toggle_retired(True))


def refused_toggle(s, result, w, visitor):
    visitor.was_told(s.error)
    assert s.parties == []


def run_save_credit(cookie, w):
    s = file_state(cookie, w.vehicle.customer_id)
    s.customer_key = w.vehicle.customer_id  # forged: nothing was loaded
    return s, drive(s.save_credit({"credit_limit": "99999", "terms": "monthly", "terms_days": "90"}))


def refused_save_credit(s, result, w, visitor):
    visitor.was_told(s.credit_errors["form"])
    assert s.name == "" and s.credit_limit == ""


CASES = [
    ("CounterpartiesState.load", P.MANAGE_COUNTERPARTIES, run_load, refused_load),
    ("CounterpartiesState.toggle_retired", P.MANAGE_COUNTERPARTIES, run_toggle, refused_toggle),
    ("CounterpartiesState.save", P.MANAGE_COUNTERPARTIES,
     _change("save", {"kind": "insurer", "name": "伪造保险", "terms": "cash"}), refused_change),
    ("CounterpartiesState.save", P.MANAGE_COUNTERPARTIES,
     _change("save", {"kind": "insurer", "name": "改名", "terms": "cash"}, label="edit", editing_id=FORGED_PARTY),
     refused_change),
    ("CounterpartiesState.set_active", P.MANAGE_COUNTERPARTIES, _change("set_active", FORGED_PARTY, False),
     refused_change),
    ("CustomerFileState.save_credit", P.CREDIT_CONTROL, run_save_credit, refused_save_credit),
]
UI_ONLY = {
    "CounterpartiesState.edit": (FORGED_PARTY,),
    "CounterpartiesState.new": (),
}
