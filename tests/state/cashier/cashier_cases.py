"""Role-check cases for the cashier screens (queue, settle and pay, member card, settlement sheet): ``run_*`` drives a
handler as the cookie's owner, ``refused_*`` checks a refused visitor saw nothing and was told.
Listed in tests/state/test_role_checks.py's PROTECTED table as ``CASES`` (name, permission, run, refused)."""

from __future__ import annotations

from sqlmodel import Session, select

import models
from lantong_pwa import db as app_db
from lantong_pwa.services.platform.permissions import Permission as P
from state.cashier.cashier import CashierState, SettlementSheetState, SettleState, TotalsView
from state.cashier.receipt import PaymentReceiptState
from tests.state.harness import drive, is_toast, make_state, toast_text


def _line_id(w) -> int:
    with Session(app_db.get_engine()) as db:
        return db.exec(select(models.JobLine.id).where(models.JobLine.work_order_id == w.order.id)).first()


def _settle(cookie: str, w) -> SettleState:
    """The settle screen as a browser could forge it: the scene's order named in the state, nothing loaded."""
    number = w.order.number
    s = make_state(SettleState, token=cookie, path=f"/cashier/{number}", route="/cashier/[order_no]",
                   query={"order_no": number})
    s.order_id = w.order.id
    s.customer_id = w.vehicle.customer_id
    s.settlement_id = 1
    return s


def _nothing_shown(s: SettleState) -> None:
    assert s.found is False and s.lines == [] and s.payments == [] and s.cards == []
    assert s.totals == TotalsView() and s.plate == "" and s.customer_name == ""


def run_cashier_load(cookie, w):
    s = make_state(CashierState, token=cookie, path="/cashier")
    return s, drive(s.load())


def refused_cashier_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/cashier")
    assert s.ready == [] and s.awaiting == []


def run_settle_load(cookie, w):
    s = _settle(cookie, w)
    s.order_id = 0
    return s, drive(s.load())


def refused_settle_load(s, result, w, visitor):
    visitor.was_sent_away(result, f"/cashier/{w.order.number}")
    _nothing_shown(s)


def run_sheet_load(cookie, w):
    s = make_state(SettlementSheetState, token=cookie, path="/settlements/JS20261126-0001/print",
                   route="/settlements/[settlement_no]/print", query={"settlement_no": "JS20261126-0001"})
    return s, drive(s.load())


def refused_sheet_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/settlements/JS20261126-0001/print")
    assert s.found is False and s.groups == [] and s.plate == ""


def run_receipt_load(cookie, w):
    s = make_state(PaymentReceiptState, token=cookie, path="/payments/SK20261126-0001/print",
                   route="/payments/[payment_no]/print", query={"payment_no": "SK20261126-0001"})
    return s, drive(s.load())


def refused_receipt_load(s, result, w, visitor):
    visitor.was_sent_away(result, "/payments/SK20261126-0001/print")
    assert s.found is False and s.payer == "" and s.amount == ""


def _action(name: str, *args, **forged):
    def run(cookie, w):
        s = _settle(cookie, w)
        for var, value in forged.items():
            setattr(s, var, value)
        values = [arg(w) if callable(arg) else arg for arg in args]
        return s, drive(getattr(s, name)(*values))
    run.__name__ = f"run_settle_{name}"
    return run


def _renamed(run, name: str):
    run.__name__ = name
    return run


def refused_action(s, result, w, visitor):
    _nothing_shown(s)
    assert is_toast(result, "error")
    visitor.was_told(s.error)
    visitor.was_told(toast_text(result))


CASES = [
    ("CashierState.load", P.SETTLE, run_cashier_load, refused_cashier_load),
    ("SettleState.load", P.SETTLE, run_settle_load, refused_settle_load),
    ("SettlementSheetState.load", P.SETTLE, run_sheet_load, refused_sheet_load),
    ("PaymentReceiptState.load", P.SETTLE, run_receipt_load, refused_receipt_load),
    ("SettleState.complete", P.COMPLETE_ORDERS, _action("complete"), refused_action),
    ("SettleState.quality_check", P.COMPLETE_ORDERS, _action("quality_check", {"qc_result": "fail", "qc_note": "x"}),
     refused_action),
    ("SettleState.complete_anyway", P.COMPLETE_ORDERS, _action("complete_anyway", {"parts_reason": "客户自带"}),
     refused_action),
    ("SettleState.drop_part", P.COMPLETE_ORDERS, _action("drop_part", 1), refused_action),
    ("SettleState.type_term", P.SETTLE, _action("type_term", lambda w: f"payer.job.{_line_id(w)}", "internal"),
     refused_action),
    ("SettleState.save_terms", P.SETTLE,
     _action("save_terms", lambda w: {f"payer.job.{_line_id(w)}": "internal", f"discount.job.{_line_id(w)}": "1",
                                      "order_discount": "1"}), refused_action),
    ("SettleState.add_fee", P.SETTLE, _action("add_fee", {"fee_type": "1", "fee_amount": "10"}), refused_action),
    ("SettleState.remove_fee", P.SETTLE, _action("remove_fee", 1), refused_action),
    ("SettleState.settle", P.SETTLE,
     _action("settle", lambda w: {f"payer.job.{_line_id(w)}": "internal"}, settlement_id=0), refused_action),
    ("SettleState.take_payment", P.TAKE_PAYMENTS,
     _action("take_payment", {"amount": "10", "request_key": "forged-key"}), refused_action),
    # 挂账 with a manager's authorisation typed in: even counting the try against the throttle is refused.
    ("SettleState.take_payment", P.TAKE_PAYMENTS, _renamed(_action(
        "take_payment", {"amount": "10", "request_key": "forged-key-2", "override_username": "manager",
                         "override_password": "x", "override_reason": "熟客"}, pay_method="on_account"),
        "run_settle_take_payment_override"), refused_action),
    ("SettleState.issue_card", P.TAKE_PAYMENTS, _action("issue_card"), refused_action),
    ("SettleState.top_up", P.TAKE_PAYMENTS, _action("top_up", {"top_up_amount": "100", "request_key": "k"}),
     refused_action),
    ("SettleState.reopen", P.REOPEN_SETTLEMENT, _action("reopen", {"reason": "改价"}), refused_action),
]

UI_ONLY = {
    "SettleState.choose_method": ("wechat",),
    "SettleState.choose_fee": ("1",),
    "SettleState.close_parts_decision": (),
}
