"""往来单位: insurers and manufacturers created, edited (audited with what changed), retired and restored, with
their terms and open balance; a customer's credit limit and terms set by a manager."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import counterparties, receivables
from lantong_pwa.services.finance.counterparties import PartyForm
from models import AuditEvent, Counterparty, Customer, PartyKind, PaymentTerms
from tests.conftest import refusal
from tests.factories import add_vehicle
from tests.services.finance.test_receivables import settle_shared

D = Decimal


def test_finance_staff_create_edit_retire_and_restore_a_party(session, shop):
    party = counterparties.save_party(session, shop.cashier, None, PartyForm(
        kind="insurer", name=" 太平洋保险 ", contact="周理赔", phone="95500", tax_id="91310000132211707b",
        terms="monthly", terms_days="30"))
    session.commit()
    assert (party.kind, party.name, party.tax_id, party.terms, party.terms_days) == (
        PartyKind.INSURER, "太平洋保险", "91310000132211707B", PaymentTerms.MONTHLY, 30)
    counterparties.save_party(session, shop.manager, party.id, PartyForm(
        kind="insurer", name="太平洋保险", contact="周理赔", phone="95500", tax_id="91310000132211707B",
        terms="days", terms_days="45"))
    counterparties.set_active(session, shop.manager, party.id, False)
    session.commit()
    assert counterparties.list_parties(session, shop.cashier) == []
    [row] = counterparties.list_parties(session, shop.cashier, include_retired=True)
    assert (row.party.is_active, row.party.terms, row.open_balance) == (False, PaymentTerms.DAYS, D("0.00"))
    counterparties.set_active(session, shop.manager, party.id, True)
    session.commit()
    events = session.exec(select(AuditEvent).where(AuditEvent.entity == "counterparty").order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["counterparty.create", "counterparty.update", "counterparty.retire",
                                          "counterparty.restore"]
    assert json.loads(events[1].detail) == {"before": {"terms": "monthly", "terms_days": 30},
                                            "after": {"terms": "days", "terms_days": 45}}


def test_a_party_form_is_checked_field_by_field(session, shop):
    session.add(Counterparty(branch_id=shop.branch.id, kind=PartyKind.MANUFACTURER, name="一汽大众"))
    with refusal(session, FormErrors) as refused:
        counterparties.save_party(session, shop.cashier, None, PartyForm(
            kind="manufacturer", name="一汽大众", tax_id="123", terms="monthly", terms_days="400", phone="1" * 40))
    assert refused.value.errors == {"name": "已有同名厂家", "phone": "电话不能超过32字",
                                    "tax_id": "税号应为15–20位数字或大写字母（统一社会信用代码为18位）",
                                    "terms_days": "天数应为0–365的整数"}
    with refusal(session, FormErrors) as refused:
        counterparties.save_party(session, shop.cashier, None, PartyForm(kind="supplier", name=""))
    assert refused.value.errors == {"kind": "请选择保险公司或厂家", "name": "请填写名称"}
    assert len(session.exec(select(Counterparty)).all()) == 1


@pytest.mark.parametrize("role", ["advisor", "technician", "parts_clerk"])
def test_only_finance_staff_manage_parties(session, shop, role):
    with pytest.raises(PermissionDenied):
        counterparties.save_party(session, shop.users[role], None, PartyForm(kind="insurer", name="某保险"))
    with pytest.raises(PermissionDenied):
        counterparties.list_parties(session, shop.users[role])


def test_another_branch_cannot_touch_a_party(session, shop):
    party = Counterparty(branch_id=shop.other_branch.id, kind=PartyKind.INSURER, name="外店保险")
    session.add(party)
    session.commit()
    with pytest.raises(NotFound):
        counterparties.set_active(session, shop.cashier, party.id, False)
    assert counterparties.list_parties(session, shop.cashier) == []


def test_the_list_shows_what_each_party_owes(session, shop):
    settle_shared(session, shop, [("insurance", "平安保险"), ("warranty", "一汽大众")])
    rows = {r.party.name: r.open_balance for r in counterparties.list_parties(session, shop.manager)}
    assert rows == {"平安保险": D("100.00"), "一汽大众": D("200.00")}


def test_a_manager_sets_a_customers_credit_and_terms(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    customer = session.get(Customer, vehicle.customer_id)
    with refusal(session, FormErrors) as refused:
        receivables.set_customer_credit(session, shop.manager, customer.id, "5000", "monthly", "30")
    assert refused.value.errors == {"terms": "个人客户只能现结；单位和车队客户可以月结或约定账期"}
    customer.kind = "fleet"
    session.add(customer)
    session.commit()
    with refusal(session, FormErrors) as refused:
        receivables.set_customer_credit(session, shop.manager, customer.id, "-1", "weekly", "")
    assert refused.value.errors == {"credit_limit": "挂账额度不能为负数", "terms": "请选择结算方式"}
    receivables.set_customer_credit(session, shop.manager, customer.id, "5000", "monthly", "30")
    session.commit()
    session.refresh(customer)
    assert (customer.credit_limit, customer.terms, customer.terms_days) == (D("5000.00"), PaymentTerms.MONTHLY, 30)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "customer.credit")).one()
    assert json.loads(event.detail)["after"] == {"credit_limit": "5000.00", "terms": "monthly", "terms_days": 30}
    with pytest.raises(PermissionDenied):
        receivables.set_customer_credit(session, shop.cashier, customer.id, "9999", "cash", "0")
