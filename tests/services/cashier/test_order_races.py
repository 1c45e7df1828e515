"""Writers racing on one order (issue 12, item 4): each racer is a request of its own — its own thread, its own
session and unit of work on the same engine — and all are released at once. Whatever interleaving the database
picks, afterwards the order's status agrees with its settlement and every invariant ``integrity.check`` knows holds.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlmodel import Session, select

import models
from lantong_pwa.db import unit_of_work
from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.parts import stock
from lantong_pwa.services.platform import integrity
from lantong_pwa.services.workshop import completion, job_clock
from models import JobLineStatus, Payment, Settlement, SettlementStatus, WorkOrder, WorkOrderStatus
from tests.services.cashier.test_settlement import completed_order, settled_order

D = Decimal
ORDERS = 3  # orders raced at once in each test: more interleavings per run
RACERS = 8  # requests per order


def race(calls) -> list:
    """Run every call (``call(session)``) in its own unit of work on its own thread, all released together;
    return what each returned, or the ``DomainError`` it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            with unit_of_work() as own:
                results[index] = call(own)
        except DomainError as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]
    assert not unexpected, unexpected
    return results


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
    return [build(session, shop, plate=f"粤B5{index:04d}") for index in range(count)]


@pytest.fixture
def racing(app_engine, session, shop):
    """The scene is built in ``session``; the racers' units of work reach the same database."""
    return shop


def test_settle_races_complete(session, racing):
    shop = racing
    orders = orders_of(session, shop, completed_order)
    calls = [call for order in orders for i in range(RACERS)
             for call in [settling(shop.cashier, order) if i % 2 else completing(shop.advisor, order)]]

    results = race(calls)

    assert sum(isinstance(r, Settlement) for r in results) == ORDERS, refused(results)
    assert_invariants(session)
    for order in orders:
        assert session.get(WorkOrder, order.id).status == WorkOrderStatus.SETTLED
        assert len(active_settlements(session, order)) == 1


def test_settle_races_job_reopen(session, racing):
    shop = racing
    orders = orders_of(session, shop, completed_order)
    calls = []
    for order in orders:
        line_ids = [line.id for line in settlement.order_lines(session, order.id).jobs]
        for i in range(RACERS):
            if i % 2:
                calls.append(settling(shop.cashier, order))
            else:
                line_id = line_ids[i // 2 % len(line_ids)]
                calls.append(as_user(shop.manager.id, lambda own, actor, line_id=line_id:
                                     job_clock.reopen(own, actor, line_id)))

    race(calls)

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
    calls = []
    for order in orders:
        settlement_id = active_settlements(session, order)[0].id
        for i in range(RACERS):
            if i % 2:
                calls.append(paying(shop.cashier, order, "100", f"pay-{order.id}-{i}"))
            else:
                calls.append(as_user(shop.manager.id, lambda own, actor, sid=settlement_id:
                                     settlement.reopen(own, actor, sid, "价格有误")))

    race(calls)

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
    calls = []
    for order in orders:
        line_id = settlement.order_lines(session, order.id).parts[0].id  # 2 planned, none picked
        for i in range(RACERS):
            if i % 2:
                calls.append(settling(shop.cashier, order))
            else:
                calls.append(as_user(clerk.id, lambda own, actor, line_id=line_id, key=f"p-{order.id}-{i}":
                                     stock.pick(own, actor, line_id, warehouse.id, "1", request_key=key)))

    race(calls)

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
    with pytest.raises(DomainError):
        completion.complete_order(session, shop.advisor, order.id)
    session.rollback()
    with pytest.raises(DomainError):
        settlement.settle(session, shop.cashier, order.id)
    session.rollback()
    session.expire_all()
    assert session.get(WorkOrder, order.id).status == WorkOrderStatus.SETTLED
    assert len(active_settlements(session, order)) == 1
    assert integrity.check(session) == []
