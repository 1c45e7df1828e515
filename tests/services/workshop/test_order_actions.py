"""Which actions an order allows for a given person: per role and status (the rules alone), then read from a real
order (its lines, settlement, money taken, who worked on it, branch)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.workshop import order_actions
from lantong_pwa.services.workshop.order_actions import Action as A
from lantong_pwa.services.workshop.order_actions import OrderFacts, actions_for
from models import JobAssignment, Role, TimeEntry, WorkOrderStatus
from tests.services.cashier.test_settlement import completed_order, make_order, pay

S = WorkOrderStatus
NONE: frozenset[A] = frozenset()


def facts(status: S, **kwargs) -> OrderFacts:
    defaults = dict(number="WX1", status=status, job_lines=2)
    return OrderFacts(**{**defaults, **kwargs})


# (status, facts beyond the status) → role → the actions it allows
CASES = [
    ("open, nothing finished", facts(S.OPEN, unfinished=("换机油", "四轮定位")), {
        Role.ADMIN: {A.PHOTOS, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
        Role.MANAGER: {A.PHOTOS, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
        Role.ADVISOR: {A.PHOTOS, A.EDIT_TERMS, A.DISPATCH, A.REQUEST_PARTS},
        Role.TECHNICIAN: {A.CLOCK, A.REQUEST_PARTS},
        Role.PARTS_CLERK: {A.PICK},
        Role.CASHIER: {A.EDIT_TERMS},
    }),
    ("in progress, one line still open", facts(S.IN_PROGRESS, unfinished=("四轮定位",)), {
        Role.MANAGER: {A.PHOTOS, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
        Role.ADVISOR: {A.PHOTOS, A.EDIT_TERMS, A.DISPATCH, A.REQUEST_PARTS},
        Role.CASHIER: {A.EDIT_TERMS},
    }),
    ("in progress, every line finished", facts(S.IN_PROGRESS), {
        Role.ADMIN: {A.PHOTOS, A.COMPLETE, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
        Role.MANAGER: {A.PHOTOS, A.COMPLETE, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
        Role.ADVISOR: {A.PHOTOS, A.COMPLETE, A.EDIT_TERMS, A.DISPATCH, A.REQUEST_PARTS},
        Role.TECHNICIAN: {A.CLOCK, A.REQUEST_PARTS},
        Role.PARTS_CLERK: {A.PICK},
        Role.CASHIER: {A.EDIT_TERMS},
    }),
    ("in progress without any job line", facts(S.IN_PROGRESS, job_lines=0), {
        Role.ADVISOR: {A.PHOTOS, A.EDIT_TERMS, A.DISPATCH, A.REQUEST_PARTS},
    }),
    ("completed", facts(S.COMPLETED), {
        Role.MANAGER: {A.PHOTOS, A.QUALITY_CHECK, A.SETTLE, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
        Role.ADVISOR: {A.PHOTOS, A.QUALITY_CHECK, A.SETTLE, A.EDIT_TERMS, A.DISPATCH, A.REQUEST_PARTS},
        Role.TECHNICIAN: {A.CLOCK, A.REQUEST_PARTS},
        Role.PARTS_CLERK: {A.PICK},
        Role.CASHIER: {A.SETTLE, A.EDIT_TERMS},
    }),
    ("completed, checked by one who worked on it", facts(S.COMPLETED, worked_on=True), {
        Role.MANAGER: {A.PHOTOS, A.SETTLE, A.EDIT_TERMS, A.DISPATCH, A.CLOCK, A.REQUEST_PARTS},
    }),
    ("settled, nothing paid", facts(S.SETTLED, settled=True, customer_amount=Decimal("100.00")), {
        Role.ADMIN: {A.REOPEN_SETTLEMENT},
        Role.MANAGER: {A.REOPEN_SETTLEMENT},
        Role.ADVISOR: set(),
        Role.TECHNICIAN: set(),
        Role.PARTS_CLERK: set(),
        Role.CASHIER: {A.TAKE_PAYMENT},
    }),
    ("settled, partly paid", facts(S.SETTLED, settled=True, customer_amount=Decimal("100.00"),
                                   paid=Decimal("40.00")), {
        Role.MANAGER: set(),
        Role.CASHIER: {A.TAKE_PAYMENT},
    }),
    ("closed", facts(S.CLOSED, settled=True, customer_amount=Decimal("100.00"), paid=Decimal("100.00")),
     {role: set() for role in Role}),
    ("cancelled", facts(S.CANCELLED), {role: set() for role in Role}),
    ("another branch's", facts(S.IN_PROGRESS, in_branch=False), {role: set() for role in Role}),
]


@pytest.mark.parametrize(("case", "order", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_role_is_offered_exactly_what_the_order_allows(case, order, expected):
    for role, actions in expected.items():
        assert actions_for(role.value, order) == frozenset(actions), (case, role)


def test_every_refusal_says_why():
    assert "未完工的维修项目：四轮定位" in order_actions.refusal(
        "advisor", facts(S.IN_PROGRESS, unfinished=("四轮定位",)), A.COMPLETE)
    assert "已结算" in order_actions.refusal("advisor", facts(S.SETTLED, settled=True), A.COMPLETE)
    assert order_actions.refusal("manager", facts(S.COMPLETED, worked_on=True), A.QUALITY_CHECK) == \
        "质检须由未参与该工单施工的人员进行"
    assert "已结算" in order_actions.refusal("cashier", facts(S.SETTLED, settled=True), A.SETTLE)
    assert "已收款" in order_actions.refusal(
        "manager", facts(S.SETTLED, settled=True, customer_amount=Decimal(9), paid=Decimal(1)), A.REOPEN_SETTLEMENT)
    assert "不能领料" in order_actions.refusal("parts_clerk", facts(S.SETTLED, settled=True), A.PICK)
    assert order_actions.refusal("technician", facts(S.COMPLETED), A.SETTLE) == "您没有权限执行此操作"


# --- read from a real order -------------------------------------------------------------------------------------


def test_a_finished_order_offers_complete_and_then_settle(session, shop):
    order = make_order(session, shop)
    assert A.COMPLETE in order_actions.allowed(session, shop.advisor, order)
    order.status = S.COMPLETED
    session.add(order)
    session.commit()
    assert order_actions.allowed(session, shop.cashier, order) == {A.SETTLE, A.EDIT_TERMS}
    assert A.COMPLETE not in order_actions.allowed(session, shop.advisor, order)


def test_who_worked_on_it_is_not_offered_the_quality_check(session, shop):
    order = completed_order(session, shop)
    line = settlement.order_lines(session, order.id).jobs[0]
    session.add(JobAssignment(branch_id=shop.branch.id, job_line_id=line.id, technician_id=shop.manager.id,
                              share_percent=Decimal(100), assigned_by_id=shop.advisor.id))
    session.commit()
    assert A.QUALITY_CHECK not in order_actions.allowed(session, shop.manager, order)
    assert A.QUALITY_CHECK in order_actions.allowed(session, shop.advisor, order)
    session.add(TimeEntry(branch_id=shop.branch.id, job_line_id=line.id, technician_id=shop.advisor.id,
                          started_at=order.created_at))  # clocked time counts as working on it too
    session.commit()
    assert A.QUALITY_CHECK not in order_actions.allowed(session, shop.advisor, order)
    assert order_actions.allowed_each(session, shop.manager, [order])[order.id] == \
        order_actions.allowed(session, shop.manager, order)


def test_money_taken_ends_the_reopen_and_paying_in_full_ends_payments(session, shop):
    order = completed_order(session, shop)
    settled = settlement.settle(session, shop.cashier, order.id)
    assert order_actions.allowed(session, shop.manager, order) == {A.REOPEN_SETTLEMENT}
    assert order_actions.allowed(session, shop.cashier, order) == {A.TAKE_PAYMENT}
    pay(session, shop.cashier, order, amount="10")
    assert order_actions.allowed(session, shop.manager, order) == NONE
    pay(session, shop.cashier, order, amount=str(settled.customer_amount - 10), key="k2")
    session.refresh(order)
    assert order_actions.allowed(session, shop.cashier, order) == NONE
    assert order_actions.allowed(session, None, order) == NONE


def test_another_branch_sees_no_action_and_the_service_refuses(session, shop):
    order = make_order(session, shop)
    assert order_actions.allowed(session, shop.other_branch_advisor, order) == NONE
    with pytest.raises(DomainError, match="无权查看"):
        order_actions.require_action(session, shop.other_branch_advisor, order, A.COMPLETE)
