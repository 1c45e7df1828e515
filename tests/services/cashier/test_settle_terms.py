"""结算 takes everything set on the settle page: each line's payer, party and discount and the order discount are
applied and settled in one transaction, and a term that breaks a rule refuses the whole of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.cashier.settlement import LineTerms, Terms
from models import JobLine, Payer, Settlement, SettlementLine, WorkOrder
from tests.conftest import refusal
from tests.services.cashier.test_settlement import completed_order, make_order

D = Decimal


def test_terms_chosen_on_screen_are_what_gets_settled(session, shop):
    order = completed_order(session, shop)  # 换机油 100 + 四轮定位 200 + 2 × 58 filter
    jobs = settlement.order_lines(session, order.id).jobs
    terms = Terms(lines=(LineTerms("job", jobs[1].id, "insurance", " 人保 ", "20"),
                         LineTerms("job", jobs[0].id, "customer", "", "0")), order_discount="16")
    shown = settlement.preview(session, shop.cashier, order.id, terms)
    assert (shown.insurance_amount, shown.customer_amount, shown.problems) == (D("180.00"), D("200.00"), ())
    session.expire_all()
    assert session.get(JobLine, jobs[1].id).payer == Payer.CUSTOMER, "a preview writes nothing"

    settled = settlement.settle(session, shop.cashier, order.id, terms=terms)
    assert (settled.insurance_amount, settled.order_discount, settled.customer_amount) == (
        D("180.00"), D("16.00"), D("200.00"))
    insured = session.exec(select(SettlementLine).where(SettlementLine.settlement_id == settled.id,
                                                        SettlementLine.payer == Payer.INSURANCE)).one()
    assert (insured.description, insured.payer_party, insured.discount) == ("四轮定位", "人保", D("20.00"))


def test_a_term_that_breaks_a_rule_refuses_the_whole_settlement(session, shop):
    order = completed_order(session, shop)
    jobs = settlement.order_lines(session, order.id).jobs
    terms = Terms(lines=(LineTerms("job", jobs[0].id, "warranty", "一汽大众", "0"),
                         LineTerms("job", jobs[1].id, "insurance", "", "0")))
    shown = settlement.preview(session, shop.cashier, order.id, terms)
    assert shown.problems == ("“四轮定位”：保险项目须填写保险公司名称",) and shown.warranty_amount == D("100.00")
    with refusal(session, match="须填写保险公司名称"):
        settlement.settle(session, shop.cashier, order.id, terms=terms)
    session.expire_all()
    assert session.get(JobLine, jobs[0].id).payer == Payer.CUSTOMER, "the first line's change went back too"
    assert session.exec(select(Settlement)).all() == []
    with refusal(session, match="整单优惠不能超过自费部分"):
        settlement.settle(session, shop.cashier, order.id, terms=Terms(order_discount="9999"))
    other = make_order(session, shop, plate="粤B54321")
    with refusal(session, match="项目不存在"):
        settlement.settle(session, shop.cashier, order.id, terms=Terms(lines=(LineTerms(
            "job", settlement.order_lines(session, other.id).jobs[0].id, "internal"),)))


def test_terms_of_an_order_not_ready_to_settle_are_kept(session, shop):
    order = make_order(session, shop)  # in progress
    job = settlement.order_lines(session, order.id).jobs[0]
    settlement.save_terms(session, shop.cashier, order.id, Terms(
        lines=(LineTerms("job", job.id, "internal", "", "5"),), order_discount="3"))
    session.expire_all()
    stored = session.get(JobLine, job.id)
    assert (stored.payer, stored.discount, session.get(WorkOrder, order.id).discount) == (
        Payer.INTERNAL, D("5.00"), D("3.00"))
    with pytest.raises(DomainError, match="完工后才能结算"):
        settlement.settle(session, shop.cashier, order.id)
