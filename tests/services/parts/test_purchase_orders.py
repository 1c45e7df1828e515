"""Purchase orders (P2): drafts, approval above the branch's amount, placing, closing, cancelling, the actions each
person is offered, compare-and-set status changes (raced on PostgreSQL and SQLite), in transit and the supplier's
link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.parts import purchase_orders as po
from lantong_pwa.services.parts.purchase_orders import Action, LineInput
from models import AuditEvent, PurchaseOrder, PurchaseOrderLine
from models import PurchaseOrderStatus as S
from tests.conftest import refusal
from tests.races import race
from tests.services.parts.purchasing_scene import Buying, key

D = Decimal


@pytest.fixture
def buy(session, shop) -> Buying:
    return Buying(session, shop)


def test_a_draft_is_numbered_priced_from_the_offer_and_totalled(buy, session):
    order = po.create_order(session, buy.clerk, buy.acme.id, buy.main.id,
                            [LineInput(part_id=buy.pads.id, quantity="2"),
                             LineInput(part_id=buy.filter.id, quantity="3", unit_price="19.5")], request_key=key())
    session.commit()
    assert order.number.startswith("CG") and order.status == S.DRAFT
    assert [(line.part_id, line.quantity, line.unit_price) for line in buy.lines(order)] == [
        (buy.pads.id, D("2.00"), D("300.00")), (buy.filter.id, D("3.00"), D("19.50"))]
    assert order.total == D("658.50")
    assert len(order.share_token) == 32


def test_a_resent_create_makes_one_order(buy, session):
    k = key()
    first = po.create_order(session, buy.clerk, buy.acme.id, buy.main.id, [LineInput(buy.pads.id, "1")],
                            request_key=k)
    again = po.create_order(session, buy.clerk, buy.acme.id, buy.main.id, [LineInput(buy.pads.id, "1")],
                            request_key=k)
    assert first.id == again.id
    assert len(session.exec(select(PurchaseOrder)).all()) == 1


@pytest.mark.parametrize("quantity,message", [("-1", "不能为负数"), ("0", "应大于0"), ("abc", "应为数字"),
                                              ("100000", "过大")])
def test_bad_quantities_are_refused_beside_the_field(buy, session, quantity, message):
    with refusal(session, FormErrors) as caught:
        po.create_order(session, buy.clerk, buy.acme.id, buy.main.id, [LineInput(buy.pads.id, quantity)],
                        request_key=key())
    assert message in caught.value.errors["quantity.0"]
    assert session.exec(select(PurchaseOrder)).all() == []


def test_a_retired_part_cannot_be_ordered(buy, session):
    buy.filter.is_active = False
    session.add(buy.filter)
    with refusal(session, FormErrors) as caught:
        po.create_order(session, buy.clerk, buy.acme.id, buy.main.id, [LineInput(buy.filter.id, "1")],
                        request_key=key())
    assert "已停用" in caught.value.errors["part_id.0"]


def test_up_to_the_amount_submit_approves_at_once(buy, session):
    order = buy.order((buy.pads, 2, 300))
    po.submit(session, buy.clerk, order.id)
    session.commit()
    assert buy.reload(order).status == S.APPROVED


def test_above_the_amount_a_manager_approves_never_the_author(buy, session):
    buy.set_branch(purchase_approval_amount=D("500.00"))
    order = buy.order((buy.pads, 2, 300))
    assert Action.SUBMIT not in po.allowed_actions(session, buy.clerk, order)
    assert Action.APPROVE in po.allowed_actions(session, buy.manager, order)
    with refusal(session, match="超过审批额度"):
        po.submit(session, buy.clerk, order.id)
    with refusal(session, PermissionDenied):
        po.approve(session, buy.clerk, order.id)
    own = po.create_order(session, buy.manager, buy.acme.id, buy.main.id, [LineInput(buy.pads.id, "2")],
                          request_key=key())
    assert Action.APPROVE in po.allowed_actions(session, buy.manager, own), "a branch may have one manager"
    po.approve(session, buy.manager, own.id)
    po.approve(session, buy.manager, order.id)
    session.commit()
    order = buy.reload(order)
    assert order.status == S.APPROVED and order.approved_by_id == buy.manager.id


def test_no_edit_after_approval_without_going_back_to_draft(buy, session):
    order = buy.order((buy.pads, 2, 300), status=S.APPROVED)
    assert Action.EDIT not in po.allowed_actions(session, buy.clerk, order)
    with refusal(session, match="已审核，不能修改"):
        po.update_order(session, buy.clerk, order.id, [LineInput(buy.pads.id, "5")])
    po.back_to_draft(session, buy.clerk, order.id)
    po.update_order(session, buy.clerk, order.id, [LineInput(buy.pads.id, "5", "290")])
    session.commit()
    order = buy.reload(order)
    assert order.status == S.DRAFT and order.approved_at is None and order.total == D("1450.00")


def test_the_whole_life_placed_received_closed(buy, session):
    order = buy.order((buy.pads, 4, 300), (buy.filter, 10, 20), status=S.ORDERED)
    assert po.in_transit(session, buy.shop.branch.id, [buy.pads.id, buy.filter.id]) == {
        buy.pads.id: D("4.00"), buy.filter.id: D("10.00")}
    pads, filters = buy.lines(order)
    buy.receive(order, (pads, 1))
    assert buy.reload(order).status == S.PARTLY_RECEIVED
    assert Action.CANCEL not in po.allowed_actions(session, buy.clerk, buy.reload(order))
    with refusal(session, match="部分到货，不能作废"):
        po.cancel(session, buy.clerk, order.id)
    po.close(session, buy.clerk, order.id)
    session.commit()
    order = buy.reload(order)
    assert order.status == S.CLOSED and order.finished_at is not None
    pads, filters = buy.lines(order)
    assert (pads.received_quantity, pads.cancelled_quantity) == (D("1.00"), D("3.00"))
    assert filters.cancelled_quantity == D("10.00")
    assert po.in_transit(session, buy.shop.branch.id) == {}
    assert po.allowed_actions(session, buy.clerk, order) == [Action.PRINT, Action.SHARE]


def test_cancel_before_anything_arrives(buy, session):
    order = buy.order((buy.pads, 4, 300), status=S.ORDERED)
    po.cancel(session, buy.clerk, order.id)
    session.commit()
    assert buy.reload(order).status == S.CANCELLED
    assert po.in_transit(session, buy.shop.branch.id) == {}
    with refusal(session, match="已作废"):
        po.place(session, buy.clerk, order.id)


def test_each_role_is_offered_what_it_may_do(buy, session):
    order = buy.order((buy.pads, 1, 300), status=S.ORDERED)
    assert set(po.allowed_actions(session, buy.clerk, order)) == {
        Action.PRINT, Action.BACK_TO_DRAFT, Action.RECEIVE, Action.CLOSE, Action.CANCEL, Action.SHARE}
    assert Action.RECEIVE not in po.allowed_actions(session, buy.manager, order)
    assert po.allowed_actions(session, buy.shop.technician, order) == []
    assert po.allowed_actions(session, buy.shop.other_branch_advisor, order) == []
    with refusal(session, NotFound):
        po.get_order(session, buy.shop.other_branch_advisor, order.id)


def test_status_changes_are_audited(buy, session):
    order = buy.order((buy.pads, 1, 300), status=S.ORDERED)
    moves = [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "purchase_order.status",
                                                                     AuditEvent.entity_id == order.id))]
    assert len(moves) == 2


def test_two_tabs_moving_one_order_move_it_once(app_engine, buy, session):
    order = buy.order((buy.pads, 1, 300), status=S.APPROVED)
    results = race([lambda db: po.place(db, buy.clerk, order.id) for _ in range(4)])
    won = [r for r in results if isinstance(r, PurchaseOrder)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 3
    assert all("刷新" in e.message or "已下单，不能下单" in e.message for e in lost)
    session.expire_all()
    assert buy.reload(order).status == S.ORDERED
    moves = session.exec(select(AuditEvent).where(AuditEvent.action == "purchase_order.status",
                                                  AuditEvent.entity_id == order.id)).all()
    assert len(moves) == 2  # approved, ordered: once each


def test_an_edit_racing_the_approval_cannot_slip_in(app_engine, buy, session):
    order = buy.order((buy.pads, 1, 300))
    results = race([lambda db: po.submit(db, buy.clerk, order.id),
                    lambda db: po.update_order(db, buy.clerk, order.id, [LineInput(buy.pads.id, "50")])])
    session.expire_all()
    order = buy.reload(order)
    if isinstance(results[0], PurchaseOrder) and isinstance(results[1], DomainError):
        assert order.status == S.APPROVED and buy.lines(order)[0].quantity == D("1.00")
    else:  # the edit went first: the order was approved as edited
        assert order.status == S.APPROVED and buy.lines(order)[0].quantity == D("50.00")
        assert order.total == D("15000.00") or isinstance(results[0], DomainError)


def test_the_suppliers_link_shows_a_placed_order_only(buy, session):
    draft = buy.order((buy.pads, 1, 300))
    with refusal(session, NotFound):
        po.public_order(session, draft.share_token)
    with refusal(session, NotFound):
        po.public_order(session, "x" * 32)
    order = buy.order((buy.pads, 2, 300), status=S.ORDERED)
    shown = po.public_order(session, order.share_token)
    assert shown.supplier.name == "华南汽配" and [line.quantity for line, _part in shown.lines] == [D("2.00")]
    assert po.share_path(order) == f"/po/{order.share_token}"


def test_in_transit_counts_what_is_still_out(buy, session):
    order = buy.order((buy.pads, 5, 300), status=S.ORDERED)
    buy.order((buy.pads, 7, 300))  # a draft is not in transit, but is on order
    line = buy.lines(order)[0]
    buy.receive(order, (line, 2))
    assert po.in_transit(session, buy.shop.branch.id, [buy.pads.id]) == {buy.pads.id: D("3.00")}
    assert po.on_order(session, buy.shop.branch.id, [buy.pads.id]) == {buy.pads.id: D("10.00")}
    assert session.exec(select(PurchaseOrderLine)).all()
