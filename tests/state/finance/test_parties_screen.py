"""往来单位 and a customer's credit driven through their State handlers against the real database."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

import models
from state.care.customers import CustomerFileState
from state.finance.counterparties import CounterpartiesState
from tests.factories import add_vehicle
from tests.state.harness import drive, is_toast, make_state, token_for

D = Decimal


def test_a_cashier_creates_edits_and_retires_an_insurer(app_engine, session, shop):
    s = make_state(CounterpartiesState, token=token_for(session, shop.cashier), path="/finance/parties")
    assert drive(s.load()) is None and s.parties == []
    result = drive(s.save({"kind": "insurer", "name": "", "terms": "cash"}))
    assert is_toast(result, "error") and s.errors == {"name": "请填写名称"}
    result = drive(s.save({"kind": "insurer", "name": "平安保险", "phone": "95511", "terms": "monthly",
                           "terms_days": "30"}))
    assert is_toast(result, "success") and s.errors == {}
    [row] = s.parties
    assert (row.name, row.kind_label, row.terms_text, row.balance, row.active) == ("平安保险", "保险公司", "月结30天",
                                                                                   "¥0.00", True)
    drive(s.edit(row.id))
    assert s.editing_id == row.id and s.editing.phone == "95511"
    drive(s.save({"kind": "insurer", "name": "平安保险深圳", "phone": "95511", "terms": "days", "terms_days": "45"}))
    assert s.editing_id == 0 and [(r.name, r.terms_text) for r in s.parties] == [("平安保险深圳", "45天")]
    assert is_toast(drive(s.set_active(row.id, False)), "success") and s.parties == []
    drive(s.toggle_retired(True))
    assert [(r.name, r.active) for r in s.parties] == [("平安保险深圳", False)]


def test_a_manager_sets_a_fleets_credit_on_the_customer_file(app_engine, session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    customer = session.get(models.Customer, vehicle.customer_id)
    customer.kind = "fleet"
    session.add(customer)
    session.commit()
    path = f"/customers/{customer.id}"
    s = make_state(CustomerFileState, token=token_for(session, shop.manager), path=path,
                   route="/customers/[customer_id]", query={"customer_id": str(customer.id)})
    assert drive(s.load()) is None and s.can_set_credit and s.is_company and s.terms_text == "现结"
    result = drive(s.save_credit({"credit_limit": "abc", "terms": "monthly", "terms_days": "30"}))
    assert is_toast(result, "error") and "credit_limit" in s.credit_errors
    result = drive(s.save_credit({"credit_limit": "8000", "terms": "monthly", "terms_days": "30"}))
    assert is_toast(result, "success") and s.credit_limit == "8000.00" and s.terms_text == "月结30天"
    session.expire_all()
    assert session.exec(select(models.Customer.credit_limit).where(models.Customer.id == customer.id)).one() \
        == D("8000.00")
    cashier = make_state(CustomerFileState, token=token_for(session, shop.cashier), path=path,
                         route="/customers/[customer_id]", query={"customer_id": str(customer.id)})
    assert drive(cashier.load()) is None and not cashier.can_set_credit
