"""Receivable open items (应收, issue 17 item 1–2): settling posts the insurers' and manufacturers' shares, a 挂账
payment posts the customer's item, a reopen takes them back by reversals (refused once collected); the credit limit
counts open items, an overdue item blocks 挂账 unless a manager authorises it (audited); races on one limit."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import func, select

import models
from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.cashier.settlement import LineTerms, Terms
from lantong_pwa.services.finance import open_items, payables, receivables
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from lantong_pwa.timezone import local_day
from models import (
    Allocation,
    AuditEvent,
    Counterparty,
    Customer,
    Direction,
    OpenItem,
    OpenItemSource,
    PartyKind,
    PaymentMethod,
    PaymentTerms,
    WorkOrderStatus,
)
from models.common import utc_now
from tests.conftest import PASSWORD, refusal
from tests.races import race
from tests.services.cashier.test_settlement import completed_order, lines, pay

D = Decimal


def items(session, *where) -> list[OpenItem]:
    session.expire_all()
    return list(session.exec(select(OpenItem).where(*where).order_by(OpenItem.id)).all())


def shared_terms(session, order, payers):
    """Terms giving the order's lines (jobs then parts, in order) to ``payers``: (payer, party) each."""
    found = lines(session, order)
    keyed = [("job", line.id) for line in found.jobs] + [("part", line.id) for line in found.parts]
    return Terms(lines=tuple(LineTerms(kind, line_id, payer, party) for (kind, line_id), (payer, party)
                             in zip(keyed, payers, strict=False)))


def settle_shared(session, shop, payers, plate="粤B12345"):
    """Settle a completed order (labour 100 + 200, parts 2 × 58) with its lines given to ``payers``."""
    order = completed_order(session, shop, plate=plate)
    done = settlement.settle(session, shop.cashier, order.id, terms=shared_terms(session, order, payers))
    session.commit()
    return order, done


def fleet(session, order, limit="1000", terms=PaymentTerms.CASH, days=0) -> Customer:
    customer = session.get(Customer, order.customer_id)
    customer.kind, customer.credit_limit, customer.terms, customer.terms_days = "fleet", D(limit), terms, days
    session.add(customer)
    session.commit()
    return customer


def another_order(session, shop, order, price="300"):
    """A second completed-and-settled order of the same vehicle (and customer): the customer owes ``price``."""
    second = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=order.vehicle_id, mileage_in="2000", fuel_level=1, complaint="洗车",
        job_lines=[JobLineInput(name="洗车", fixed_price=price)]))
    second.status = WorkOrderStatus.COMPLETED
    session.add(second)
    session.commit()
    settlement.settle(session, shop.cashier, second.id)
    session.commit()
    return second


def make_overdue(session, customer_id):
    session.execute(update(OpenItem).where(OpenItem.party_kind == PartyKind.CUSTOMER,
                                           OpenItem.party_id == customer_id)
                    .values(due_on=local_day(utc_now()) - timedelta(days=3)))
    session.commit()


# --- posting ---------------------------------------------------------------------------------------------------


def test_settling_posts_one_item_per_insurer_and_manufacturer(session, shop):
    known = Counterparty(branch_id=shop.branch.id, kind=PartyKind.INSURER, name="平安保险",
                         terms=PaymentTerms.MONTHLY, terms_days=30)
    session.add(known)
    session.commit()
    order, done = settle_shared(session, shop, [("insurance", "平安保险"), ("insurance", " 人保财险 "),
                                                ("warranty", "一汽大众")])
    day = local_day(done.created_at)
    parties = {p.name: p for p in session.exec(select(Counterparty)).all()}
    assert sorted(parties) == ["一汽大众", "人保财险", "平安保险"]
    assert (parties["一汽大众"].kind, parties["人保财险"].kind) == (PartyKind.MANUFACTURER, PartyKind.INSURER)
    posted = items(session)
    assert [(i.party_kind, i.party_id, i.source, i.source_id, i.amount, i.open_amount, i.number) for i in posted] == [
        (PartyKind.INSURER, known.id, OpenItemSource.INSURANCE_SHARE, done.id, D("100.00"), D("100.00"), done.number),
        (PartyKind.INSURER, parties["人保财险"].id, OpenItemSource.INSURANCE_SHARE, done.id, D("200.00"),
         D("200.00"), done.number),
        (PartyKind.MANUFACTURER, parties["一汽大众"].id, OpenItemSource.WARRANTY_SHARE, done.id, D("116.00"),
         D("116.00"), done.number)]
    assert all(i.direction == Direction.RECEIVABLE for i in posted)
    assert posted[0].due_on == open_items.due_on(PaymentTerms.MONTHLY, 30, day) and posted[1].due_on == day
    # Each line keeps the party it named; the new parties were audited.
    kept = {line.payer_party: line.counterparty_id for line in settlement.settlement_lines(session, done.id)}
    assert kept == {"平安保险": known.id, "人保财险": parties["人保财险"].id, "一汽大众": parties["一汽大众"].id}
    created = session.exec(select(AuditEvent).where(AuditEvent.action == "counterparty.create")).all()
    assert sorted(json.loads(e.detail)["name"] for e in created) == ["一汽大众", "人保财险"]
    assert done.customer_amount == D("0.00")  # an all-insurance order closes at once


def test_a_retired_party_refuses_the_settlement(session, shop):
    session.add(Counterparty(branch_id=shop.branch.id, kind=PartyKind.INSURER, name="停用保险", is_active=False))
    order = completed_order(session, shop)
    with refusal(session, match="保险公司“停用保险”已停用"):
        settlement.settle(session, shop.cashier, order.id, terms=shared_terms(session, order, [("insurance", "停用保险")]))
    assert items(session) == [] and session.get(models.WorkOrder, order.id).status == WorkOrderStatus.COMPLETED


def test_an_on_account_payment_posts_the_customers_item_due_by_their_terms(session, shop):
    order, done = settle_shared(session, shop, [])
    customer = fleet(session, order, limit="500", terms=PaymentTerms.DAYS, days=15)
    paid = pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "400", key="a1")
    pay(session, shop.cashier, order, PaymentMethod.CASH, "16", key="a2")
    session.commit()
    [item] = items(session)
    day = local_day(paid.created_at)
    assert (item.party_kind, item.party_id, item.source, item.source_id, item.amount, item.open_amount, item.number,
            item.due_on) == (PartyKind.CUSTOMER, customer.id, OpenItemSource.ON_ACCOUNT, paid.id, D("400.00"),
                             D("400.00"), paid.number, day + timedelta(days=15))
    assert payments.on_account_owed(session, customer.id) == D("400.00")
    # A resent 挂账 posts nothing more.
    again = pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "400", key="a1")
    assert again.id == paid.id and len(items(session)) == 1


# --- reopening -------------------------------------------------------------------------------------------------


def test_reopening_takes_the_shares_back_by_reversals(session, shop):
    order, done = settle_shared(session, shop, [("insurance", "平安保险"), ("warranty", "一汽大众")])
    originals = items(session)
    settlement.reopen(session, shop.manager, done.id, "保险定损金额有误")
    session.commit()
    after = items(session)
    reversals = [i for i in after if i.source == OpenItemSource.REVERSAL]
    assert [(r.party_kind, r.party_id, r.source_id, r.amount, r.open_amount, r.number) for r in reversals] == [
        (o.party_kind, o.party_id, o.id, -o.amount, D("0.00"), done.number) for o in originals]
    assert [i.open_amount for i in after if i.id in {o.id for o in originals}] == [D("0.00"), D("0.00")]
    allocations = session.exec(select(Allocation).order_by(Allocation.id)).all()
    assert [(a.debit_item_id, a.credit_item_id, a.amount) for a in allocations] == [
        (o.id, r.id, o.amount) for o, r in zip(originals, reversals, strict=True)]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "settlement.reopen")).one()
    assert json.loads(event.detail)["reversed_items"] == [o.id for o in originals]
    # Settled again with a corrected share: only the new share is open.
    again = settlement.settle(session, shop.cashier, order.id, terms=shared_terms(session, order, [
        ("insurance", "平安保险"), ("customer", "")]))
    session.commit()
    insurer = session.exec(select(Counterparty).where(Counterparty.name == "平安保险")).one()
    assert payables.balance_of(session, shop.branch.id, PartyKind.INSURER, insurer.id, Direction.RECEIVABLE) \
        == D("100.00")
    assert [i.source_id for i in items(session, OpenItem.open_amount != 0)] == [again.id]


def test_a_reopen_is_refused_once_a_share_was_collected(session, shop):
    order, done = settle_shared(session, shop, [("insurance", "平安保险")])
    [share] = items(session)
    # A collection of ¥60 from the insurer (the finance module's 收款), allocated to the share.
    credit = open_items.add_item(session, branch_id=shop.branch.id, party_kind=PartyKind.INSURER,
                                 party_id=share.party_id, direction=Direction.RECEIVABLE,
                                 source=OpenItemSource.PARTY_PAYMENT, source_id=1, number="SK-TEST", amount=D("-60"),
                                 document_date=share.document_date, due=share.document_date)
    payables.allocate(session, shop.cashier, PartyKind.INSURER, share.party_id, Direction.RECEIVABLE, credit.id)
    with refusal(session, match=r"保险理赔（保险公司平安保险，¥100.00）已核销¥60.00，不能撤销"):
        settlement.reopen(session, shop.manager, done.id, "定损有误")
    assert [i.open_amount for i in items(session)] == [D("40.00"), D("0.00")]
    assert session.get(models.Settlement, done.id).status == models.SettlementStatus.ACTIVE


# --- credit control --------------------------------------------------------------------------------------------


def test_the_credit_limit_counts_open_items(session, shop):
    order, done = settle_shared(session, shop, [])
    customer = fleet(session, order, limit="500", terms=PaymentTerms.MONTHLY, days=30)
    pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "400", key="c1")
    session.commit()
    second = another_order(session, shop, order, "450")
    with refusal(session, match=r"额度¥500.00，已挂账¥400.00，还可挂账¥100.00"):
        pay(session, shop.cashier, second, PaymentMethod.ON_ACCOUNT, "101", key="c2")
    # ¥300 of the first 挂账 collected: ¥200 is still owed, ¥300 of room.
    [item] = items(session)
    credit = open_items.add_item(session, branch_id=shop.branch.id, party_kind=PartyKind.CUSTOMER,
                                 party_id=customer.id, direction=Direction.RECEIVABLE,
                                 source=OpenItemSource.PARTY_PAYMENT, source_id=1, number="SK-TEST",
                                 amount=D("-300"), document_date=item.document_date, due=item.document_date)
    payables.allocate(session, shop.cashier, PartyKind.CUSTOMER, customer.id, Direction.RECEIVABLE, credit.id)
    session.commit()
    assert payments.on_account_owed(session, customer.id) == D("100.00")
    pay(session, shop.cashier, second, PaymentMethod.ON_ACCOUNT, "400", key="c3")
    session.commit()
    assert payments.on_account_owed(session, customer.id) == D("500.00")


def test_an_overdue_item_blocks_on_account_unless_a_manager_authorises(session, shop):
    order, _ = settle_shared(session, shop, [])
    customer = fleet(session, order, limit="1000")
    pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "100", key="d1")
    session.commit()
    second = another_order(session, shop, order, "300")
    pay(session, shop.cashier, second, PaymentMethod.ON_ACCOUNT, "50", key="d2")  # due today: not overdue yet
    session.commit()
    make_overdue(session, customer.id)
    with refusal(session, match=r"客户有2笔逾期未付的挂账共¥150.00.*须经理授权") as refused:
        pay(session, shop.cashier, second, PaymentMethod.ON_ACCOUNT, "100", key="d3")
    assert refused.value.field == "override"
    # Paying by other means is not blocked.
    pay(session, shop.cashier, second, PaymentMethod.CASH, "10", key="d4")
    session.commit()

    def authorised(username, password, reason="老客户，月底统一结"):
        return receivables.Override(username=username, password=password, reason=reason)

    for override, message in ((authorised("manager", "wrong"), "经理用户名或密码不正确"),
                              (authorised("cashier", PASSWORD), "经理用户名或密码不正确"),  # not a manager
                              (authorised("nobody", PASSWORD), "经理用户名或密码不正确"),
                              (authorised("manager", PASSWORD, ""), "请填写授权原因")):
        with refusal(session, match=message):
            payments.take_payment(session, shop.cashier, second.id, PaymentRequest(
                method="on_account", amount="100", request_key="d5", override=override))
    paid = payments.take_payment(session, shop.cashier, second.id, PaymentRequest(
        method="on_account", amount="100", request_key="d6", override=authorised("Manager", PASSWORD)))
    session.commit()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.credit_override")).one()
    detail = json.loads(event.detail)
    assert (event.user_id, event.entity_id) == (shop.cashier.id, paid.id)
    assert {k: detail[k] for k in ("manager_id", "reason", "amount", "overdue", "overdue_items", "owed",
                                   "credit_limit", "customer_id")} == {
        "manager_id": shop.manager.id, "reason": "老客户，月底统一结", "amount": "100.00", "overdue": "150.00",
        "overdue_items": 2, "owed": "150.00", "credit_limit": "1000.00", "customer_id": customer.id}
    assert payments.on_account_owed(session, customer.id) == D("250.00")


def test_a_manager_of_another_branch_cannot_authorise(session, shop):
    order, _ = settle_shared(session, shop, [])
    customer = fleet(session, order)
    pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "100", key="e1")
    session.commit()
    make_overdue(session, customer.id)
    second = another_order(session, shop, order)
    outsider = models.User(username="othermanager", display_name="外店经理", password_hash=shop.manager.password_hash,
                           role=models.Role.MANAGER, branch_id=shop.other_branch.id)
    session.add(outsider)
    session.commit()
    with refusal(session, match="经理用户名或密码不正确"):
        payments.take_payment(session, shop.cashier, second.id, PaymentRequest(
            method="on_account", amount="100", request_key="e2",
            override=receivables.Override("othermanager", PASSWORD, "熟客")))
    assert session.exec(select(func.count()).select_from(models.Payment)).one() == 1


def test_two_on_account_payments_race_for_one_credit_limit(app_engine, session, shop):
    order, _ = settle_shared(session, shop, [])
    customer = fleet(session, order, limit="500")
    orders = [order, another_order(session, shop, order, "300")]

    def paying(index):
        return lambda own: payments.take_payment(own, own.get(models.User, shop.cashier.id), orders[index].id,
                                                 PaymentRequest(method="on_account", amount="300",
                                                                request_key=f"race-{index}"))

    results = race([paying(0), paying(1)])
    session.expire_all()
    taken = [r for r in results if isinstance(r, models.Payment)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(taken) == 1 and len(refused) == 1 and "超出挂账额度" in refused[0].message
    assert payments.on_account_owed(session, customer.id) == D("300.00")
    assert [(i.source_id, i.amount) for i in items(session)] == [(taken[0].id, D("300.00"))]


@pytest.mark.parametrize("payer", ["insurance", "warranty"])
def test_party_names_are_offered_to_the_settle_screen(session, shop, payer):
    settle_shared(session, shop, [(payer, "甲公司")])
    kind = receivables.PARTY_OF_PAYER[models.Payer(payer)].value
    names = receivables.party_names(session, shop.branch.id)
    assert names[kind] == ["甲公司"] and sum(len(v) for v in names.values()) == 1


# --- the check -------------------------------------------------------------------------------------------------


def test_the_check_finds_every_party_in_step_and_reports_tampering(session, shop):
    from lantong_pwa.services.platform import integrity

    order, done = settle_shared(session, shop, [("insurance", "平安保险"), ("warranty", "一汽大众")])
    customer = fleet(session, order)
    pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "100", key="f1")
    session.commit()
    # A receipt (收款) from the insurer of ¥60, as the collections will post it: a PartyPayment and its credit.
    insurer = session.exec(select(Counterparty).where(Counterparty.name == "平安保险")).one()
    received = models.PartyPayment(branch_id=shop.branch.id, number="SK-COLLECT", party_kind=PartyKind.INSURER,
                                   party_id=insurer.id, direction=Direction.RECEIVABLE, method="bank_transfer",
                                   amount=D("60"), user_id=shop.cashier.id, request_key="collect-1")
    session.add(received)
    session.flush()
    credit = open_items.add_item(session, branch_id=shop.branch.id, party_kind=PartyKind.INSURER,
                                 party_id=insurer.id, direction=Direction.RECEIVABLE,
                                 source=OpenItemSource.PARTY_PAYMENT, source_id=received.id, number=received.number,
                                 amount=D("-60"), document_date=local_day(utc_now()), due=local_day(utc_now()))
    payables.allocate(session, shop.cashier, PartyKind.INSURER, insurer.id, Direction.RECEIVABLE, credit.id)
    # A second order settled and reopened: its share is taken back and owes nothing.
    _, other = settle_shared(session, shop, [("warranty", "一汽大众")], plate="粤B99999")
    settlement.reopen(session, shop.manager, other.id, "三包不成立")
    session.commit()
    assert integrity.check(session) == []

    share = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.WARRANTY_SHARE,
                                                OpenItem.source_id == done.id)).one()
    session.execute(update(OpenItem).where(OpenItem.id == share.id).values(open_amount=D("150.00")))
    session.commit()
    problems = {p.rule: p.rows for p in integrity.check(session)}
    assert problems["items_against_allocations"] == (
        f"T01 {done.number} 往来{share.id}：金额¥200.00，核销后应余¥200.00，记为¥150.00",)
    assert problems["parties_against_documents"] == ("T01 厂家一汽大众 应收：往来未清合计¥150.00，单据应为¥200.00",)
    [item] = items(session, OpenItem.party_kind == PartyKind.CUSTOMER)
    session.delete(item)
    session.commit()
    assert f"T01 客户{customer.name} 应收：往来未清合计¥0.00，单据应为¥100.00" in \
        {p.rule: p.rows for p in integrity.check(session)}["parties_against_documents"]


def test_the_demo_has_a_fleet_on_credit_an_insurer_and_an_open_share(session):
    from lantong_pwa.services.platform import demo, integrity

    assert demo.seed_demo(session)
    session.commit()
    fleet_customer = session.exec(select(Customer).where(Customer.kind == "fleet")).one()
    assert (fleet_customer.terms, fleet_customer.terms_days, fleet_customer.credit_limit) == (
        PaymentTerms.MONTHLY, 30, D("20000.00"))
    kinds = sorted(PartyKind(p.kind).value for p in session.exec(select(Counterparty)).all())
    assert kinds == ["insurer", "insurer", "manufacturer"]
    assert [(i.party_kind, i.source, i.amount, i.open_amount) for i in items(session)] == [
        (PartyKind.INSURER, OpenItemSource.INSURANCE_SHARE, D("1800.00"), D("1800.00")),
        (PartyKind.CUSTOMER, OpenItemSource.ON_ACCOUNT, D("200.00"), D("200.00"))]
    assert integrity.check(session) == []
