"""Writers racing on one order (issue 12, item 4): each racer is a request of its own — its own thread, its own
session and unit of work on the same engine — and all are released at once. Whatever interleaving the database
picks, afterwards the order's status agrees with its settlement and every invariant ``integrity.check`` knows holds.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

import models
from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.parts import stock
from lantong_pwa.services.platform import integrity
from lantong_pwa.services.workshop import completion, job_clock, order_status
from models import JobLineStatus, Payment, Settlement, SettlementStatus, WorkOrder, WorkOrderStatus
from tests.conftest import refusal
from tests.races import race
from tests.services.cashier.test_settlement import completed_order, settled_order

D = Decimal
ORDERS = 3  # orders raced at once in each test: more interleavings per run
RACERS = 8  # requests per order


def as_user(user_id: int, action):
    """A request by ``user_id``: the user is read in the request's own session, as the app does."""
    return lambda own: action(own, own.get(models.User, user_id))


def settling(user, order):
    return as_user(user.id, lambda own, actor: settlement.settle(own, actor, order.id))


def completing(user, order):
    return as_user(user.id, lambda own, actor: completion.complete_order(own, actor, order.id))


def paying(user, order, amount: str, key: str):
    return as_user(user.id, lambda own, actor: payments.take_payment(
        own, actor, order.id, PaymentRequest(method="wechat", amount=amount, request_key=key)))


def active_settlements(session: Session, order: WorkOrder) -> list[Settlement]:
    return list(session.exec(select(Settlement).where(Settlement.work_order_id == order.id,
                                                      Settlement.status == SettlementStatus.ACTIVE)).all())


def assert_invariants(session: Session) -> None:
    session.expire_all()
    assert integrity.check(session) == []


def refused(results) -> list[str]:
    return [r.message for r in results if isinstance(r, DomainError)]


def orders_of(session, shop, build, count=ORDERS) -> list[WorkOrder]:
    """``count`` orders made by ``build``, committed for the racers to see."""
    orders = [build(session, shop, plate=f"粤B5{index:04d}") for index in range(count)]
    session.commit()
    return orders


def alternating(orders, first, second) -> list:
    """``RACERS`` calls per order, taking turns: ``first(order, i)`` for even ``i``, ``second(order, i)`` for odd."""
    return [(second if i % 2 else first)(order, i) for order in orders for i in range(RACERS)]


@pytest.fixture
def racing(app_engine, session, shop):
    """The scene is built in ``session``; the racers' units of work reach the same database."""
    return shop


def test_settle_races_complete(session, racing):
    shop = racing
    orders = orders_of(session, shop, completed_order)
    results = race(alternating(orders, lambda order, _i: completing(shop.advisor, order),
                               lambda order, _i: settling(shop.cashier, order)))

    assert sum(isinstance(r, Settlement) for r in results) == ORDERS, refused(results)
    assert_invariants(session)
    for order in orders:
        assert session.get(WorkOrder, order.id).status == WorkOrderStatus.SETTLED
        assert len(active_settlements(session, order)) == 1


def test_settle_races_job_reopen(session, racing):
    shop = racing
    orders = orders_of(session, shop, completed_order)
    line_ids = {order.id: [line.id for line in settlement.order_lines(session, order.id).jobs] for order in orders}

    def reopening(order, i):
        line_id = line_ids[order.id][i // 2 % len(line_ids[order.id])]
        return as_user(shop.manager.id, lambda own, actor: job_clock.reopen(own, actor, line_id))

    race(alternating(orders, reopening, lambda order, _i: settling(shop.cashier, order)))

    assert_invariants(session)
    for order in orders:
        status = session.get(WorkOrder, order.id).status
        jobs = settlement.order_lines(session, order.id).jobs
        if status == WorkOrderStatus.SETTLED:
            assert all(line.status == JobLineStatus.FINISHED for line in jobs), "a line reopened on a settled order"
        else:
            assert status == WorkOrderStatus.IN_PROGRESS and not active_settlements(session, order)
            assert any(line.status != JobLineStatus.FINISHED for line in jobs)


def test_two_tabs_settle_once(session, racing):
    shop = racing
    orders = orders_of(session, shop, completed_order)
    cashiers = [shop.cashier, shop.manager]  # two people at two tabs

    results = race([settling(cashiers[i % 2], order) for order in orders for i in range(RACERS)])

    assert sum(isinstance(r, Settlement) for r in results) == ORDERS
    assert len(refused(results)) == ORDERS * (RACERS - 1)
    assert_invariants(session)
    for order in orders:
        assert len(active_settlements(session, order)) == 1


def test_pay_races_reopening_the_settlement(session, racing):
    shop = racing
    orders = orders_of(session, shop, settled_order)
    settlement_ids = {order.id: active_settlements(session, order)[0].id for order in orders}

    def reopening(order, _i):
        return as_user(shop.manager.id, lambda own, actor: settlement.reopen(own, actor, settlement_ids[order.id],
                                                                               "价格有误"))

    race(alternating(orders, reopening, lambda order, i: paying(shop.cashier, order, "100", f"pay-{order.id}-{i}")))

    assert_invariants(session)
    for order in orders:
        order = session.get(WorkOrder, order.id)
        taken = session.exec(select(Payment).join(Settlement, Settlement.id == Payment.settlement_id)
                             .where(Settlement.work_order_id == order.id)).all()
        if taken:  # money came first: the settlement stands
            assert order.status == WorkOrderStatus.SETTLED and len(active_settlements(session, order)) == 1
        else:  # the reopen came first: back to 已完工, nothing paid
            assert order.status == WorkOrderStatus.COMPLETED and not active_settlements(session, order)


def test_payments_with_different_keys_never_exceed_what_is_owed(session, racing):
    shop = racing
    orders = orders_of(session, shop, settled_order)  # each owes 416.00

    results = race([paying(shop.cashier, order, "150", f"k-{order.id}-{i}") for order in orders
                    for i in range(RACERS)])

    assert sum(isinstance(r, Payment) for r in results) == 2 * ORDERS  # 150 + 150 fits, a third would not
    assert_invariants(session)
    for order in orders:
        settled = active_settlements(session, order)[0]
        assert settlement.paid_total(session, settled.id) == D("300.00")
        assert session.get(WorkOrder, order.id).status == WorkOrderStatus.SETTLED


def test_pick_races_settle(session, racing):
    shop = racing
    clerk = shop.parts_clerk
    orders = orders_of(session, shop, lambda s, sh, plate: completed_order(s, sh, plate=plate, picked=["0"]))
    warehouse = stock.create_warehouse(session, clerk, "MAIN", "主仓库")
    part_id = settlement.order_lines(session, orders[0].id).parts[0].part_id
    stock.receive_stock(session, clerk, warehouse.id, part_id, "100", "20")
    line_ids = {order.id: settlement.order_lines(session, order.id).parts[0].id for order in orders}  # 2 planned
    session.commit()

    def picking(order, i):
        return as_user(clerk.id, lambda own, actor: stock.pick(own, actor, line_ids[order.id], warehouse.id, "1",
                                                                request_key=f"p-{order.id}-{i}"))

    race(alternating(orders, picking, lambda order, _i: settling(shop.cashier, order)))

    assert_invariants(session)
    for order in orders:
        line = settlement.order_lines(session, order.id).parts[0]
        settled = active_settlements(session, order)
        assert len(settled) == 1
        billed = [sl for sl in settlement.settlement_lines(session, settled[0].id)
                  if sl.kind == models.SettlementLineKind.PART]
        # Whatever was picked before the settlement is billed; nothing is picked after it.
        assert sum((sl.quantity for sl in billed), D("0")) == line.picked_quantity - line.returned_quantity


def test_confirming_completion_of_a_settled_order_is_refused(session, shop):
    """The walk's bug: 确认完工 on a settled, partly paid order moved it back to 已完工, and a second tab settled it
    again (two active settlements, the paid order workable again)."""
    order = settled_order(session, shop)
    payments.take_payment(session, shop.cashier, order.id, PaymentRequest(method="cash", amount="100",
                                                                          request_key="first"))
    with refusal(session):
        completion.complete_order(session, shop.advisor, order.id)
    with refusal(session):
        settlement.settle(session, shop.cashier, order.id)
    session.expire_all()
    assert session.get(WorkOrder, order.id).status == WorkOrderStatus.SETTLED
    assert len(active_settlements(session, order)) == 1
    assert integrity.check(session) == []


def test_a_write_on_a_stale_read_changes_nothing(session, racing):
    """Compare-and-set without threads: this session read two orders as 已完工, another request settled both since.
    A move and a guarded write on what was read are refused, and nothing changes."""
    shop = racing
    moved, dispatched = orders_of(session, shop, completed_order, count=2)
    race([settling(shop.cashier, moved), settling(shop.cashier, dispatched)])
    assert moved.status == dispatched.status == WorkOrderStatus.COMPLETED  # as this session read them

    with pytest.raises(DomainError, match=order_status.STALE):
        order_status.move(moved, WorkOrderStatus.IN_PROGRESS, shop.manager, session)
    assert moved.status == WorkOrderStatus.SETTLED  # refreshed to what the database holds
    with pytest.raises(DomainError, match=order_status.STALE):
        order_status.guard_workable(session, dispatched, "派工")
    session.rollback()
    assert_invariants(session)
    assert all(session.get(WorkOrder, o.id).status == WorkOrderStatus.SETTLED for o in (moved, dispatched))
