"""Receiving (入库) against purchase orders and over the counter, and purchase returns (采退) at the receipt's cost:
the ledger, the average, the order's in transit and status, what is owed, and every refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.parts import purchase_orders as po
from lantong_pwa.services.parts import purchase_returns, receiving, stock
from lantong_pwa.services.parts.purchase_returns import ReturnLineInput
from lantong_pwa.services.parts.receiving import ReceiptForm, ReceiptLineInput, spread_by_value
from models import (
    GoodsReceipt,
    GoodsReceiptLine,
    OpenItem,
    OpenItemSource,
    PurchaseReturn,
    StockMove,
    StockMoveKind,
)
from models import PurchaseOrderStatus as S
from tests.conftest import refusal
from tests.races import race
from tests.services.parts.purchasing_scene import Buying, key

D = Decimal


@pytest.fixture
def buy(session, shop) -> Buying:
    return Buying(session, shop)


def test_partial_receipts_post_moves_raise_received_and_move_the_status(buy, session):
    order = buy.order((buy.pads, 4, 300), (buy.filter, 10, 20), status=S.ORDERED)
    pads, filters = buy.lines(order)
    result = buy.receive(order, (pads, 1), (filters, 10))
    assert result.receipt.number.startswith("RK") and result.receipt.total == D("500.00")
    assert buy.reload(order).status == S.PARTLY_RECEIVED
    assert po.in_transit(session, buy.shop.branch.id) == {buy.pads.id: D("3.00")}
    moves = session.exec(select(StockMove).where(StockMove.kind == StockMoveKind.RECEIPT)).all()
    assert sorted((m.part_id, m.quantity, m.unit_cost) for m in moves) == sorted(
        [(buy.pads.id, D("1.00"), D("300.0000")), (buy.filter.id, D("10.00"), D("20.0000"))])
    assert {line.stock_move_id for line in result.lines} == {m.id for m in moves}
    buy.receive(order, (buy.lines(order)[0], 3))
    order = buy.reload(order)
    assert order.status == S.RECEIVED and order.finished_at is not None
    assert po.in_transit(session, buy.shop.branch.id) == {}
    assert buy.balance(buy.pads).on_hand == D("4.00")


def test_freight_is_spread_by_value_to_the_fen(buy, session):
    order = buy.order((buy.pads, 1, 300), (buy.filter, 3, 20), status=S.ORDERED)
    pads, filters = buy.lines(order)
    result = buy.receive(order, (pads, 1), (filters, 3), freight="10.01")
    by_part = {line.part_id: line for line in result.lines}
    assert by_part[buy.pads.id].freight_share + by_part[buy.filter.id].freight_share == D("10.01")
    assert by_part[buy.pads.id].freight_share == D("8.34")  # 300/360 of 10.01 = 8.3417
    assert by_part[buy.filter.id].unit_cost == D("20.5567")  # (60 + 1.67) / 3
    assert result.receipt.total == D("370.01")


@given(st.decimals(min_value=0, max_value=99999, places=2),
       st.lists(st.decimals(min_value=0, max_value=99999, places=2), min_size=1, max_size=8))
@settings(max_examples=200, deadline=None)
def test_shares_always_add_up_to_the_freight(freight, weights):
    shares = spread_by_value(freight, weights)
    assert sum(shares, D(0)) == freight and all(s >= 0 for s in shares)


def test_over_receipt_tolerance(buy, session):
    buy.set_branch(over_receipt_percent=D("10.00"))
    order = buy.order((buy.filter, 10, 20), status=S.ORDERED)
    line = buy.lines(order)[0]
    with refusal(session, FormErrors) as caught:
        buy.receive(order, (line, "11.01"))
    assert "本次最多收11" in caught.value.errors["quantity.0"]
    buy.receive(order, (line, 11))
    assert buy.reload(order).status == S.RECEIVED
    assert session.exec(select(GoodsReceipt)).all() != []


@pytest.mark.parametrize("quantity,message", [("-2", "不能为负数"), ("0", "应大于0"), ("1e9", "应为数字"),
                                              ("99999999", "过大"), ("", "请输入数量")])
def test_bad_quantities_change_nothing(buy, session, quantity, message):
    order = buy.order((buy.filter, 10, 20), status=S.ORDERED)
    with refusal(session, FormErrors) as caught:
        buy.receive(order, (buy.lines(order)[0], quantity))
    assert message in caught.value.errors["quantity.0"]
    assert session.exec(select(StockMove)).all() == []
    assert buy.lines(order)[0].received_quantity == 0


def test_a_free_line_needs_a_reason_and_a_changed_price_is_flagged(buy, session):
    order = buy.order((buy.pads, 2, 300), (buy.filter, 1, 20), status=S.ORDERED)
    pads, filters = buy.lines(order)
    with refusal(session, FormErrors) as caught:
        buy.receive(order, (filters, 1, "0"))
    assert "请填写原因" in caught.value.errors["price_reason.0"]
    result = buy.receive(order, (pads, 2, "310"), (filters, 1, "0", "赠品"))
    assert result.price_flags == ["前刹车片：到货价¥310.00，订单价¥300.00", "机油滤清器：到货价¥0.00，订单价¥20.00"]
    assert {line.price_reason for line in result.lines} == {"", "赠品"}


def test_a_closed_or_cancelled_or_unplaced_order_is_not_received(buy, session):
    draft = buy.order((buy.pads, 1, 300))
    line = buy.lines(draft)[0]
    with refusal(session, match="尚未下单"):
        buy.receive(draft, (line, 1))
    po.cancel(session, buy.clerk, draft.id)
    with refusal(session, match="已作废，不能收货"):
        buy.receive(draft, (line, 1))
    order = buy.order((buy.pads, 2, 300), status=S.ORDERED)
    buy.receive(order, (buy.lines(order)[0], 1))
    po.close(session, buy.clerk, order.id)
    with refusal(session, match="已关闭，不能收货"):
        buy.receive(order, (buy.lines(order)[0], 1))


def test_a_receipt_sent_twice_posts_once(buy, session):
    order = buy.order((buy.pads, 2, 300), status=S.ORDERED)
    k = key()
    first = buy.receive(order, (buy.lines(order)[0], 1), request_key=k)
    again = buy.receive(order, (buy.lines(order)[0], 1), request_key=k)
    assert again.resent and again.receipt.id == first.receipt.id
    assert len(session.exec(select(StockMove)).all()) == 1
    assert buy.lines(order)[0].received_quantity == D("1.00")


def test_a_resend_racing_itself_posts_once(app_engine, buy, session):
    order = buy.order((buy.pads, 2, 300), status=S.ORDERED)
    line_id = buy.lines(order)[0].id
    k = key()
    form = lambda: ReceiptForm(lines=[ReceiptLineInput(order_line_id=line_id, quantity="1")],  # noqa: E731
                               purchase_order_id=order.id, request_key=k)
    results = race([lambda db: receiving.receive(db, buy.clerk, form()) for _ in range(3)])
    assert len({r.receipt.id for r in results}) == 1
    session.expire_all()
    assert len(session.exec(select(StockMove)).all()) == 1
    assert buy.lines(order)[0].received_quantity == D("1.00")


def test_racing_receipts_never_pass_the_tolerance(app_engine, buy, session):
    buy.set_branch(over_receipt_percent=D("0.00"))
    order = buy.order((buy.pads, 3, 300), status=S.ORDERED)
    line_id = buy.lines(order)[0].id
    results = race([lambda db: receiving.receive(db, buy.clerk, ReceiptForm(
        lines=[ReceiptLineInput(order_line_id=line_id, quantity="1")], purchase_order_id=order.id,
        request_key=key())) for _ in range(5)])
    assert sum(1 for r in results if not isinstance(r, DomainError)) == 3
    session.expire_all()
    assert buy.lines(order)[0].received_quantity == D("3.00")
    assert buy.balance(buy.pads).on_hand == D("3.00")
    assert buy.reload(order).status == S.RECEIVED


def test_a_counter_purchase_needs_a_supplier_and_a_price(buy, session):
    with refusal(session, match="请选择供应商"):
        receiving.receive(session, buy.clerk, ReceiptForm(
            lines=[ReceiptLineInput(part_id=buy.filter.id, quantity="2", unit_price="18")], request_key=key(),
            warehouse_id=buy.main.id))
    with refusal(session, FormErrors) as caught:
        receiving.receive(session, buy.clerk, ReceiptForm(
            lines=[ReceiptLineInput(part_id=buy.filter.id, quantity="2")], supplier_id=buy.beta.id,
            warehouse_id=buy.main.id, request_key=key()))
    assert caught.value.errors == {"unit_price.0": "请输入单价"}
    result = receiving.receive(session, buy.clerk, ReceiptForm(
        lines=[ReceiptLineInput(part_id=buy.filter.id, quantity="2", unit_price="18")], supplier_id=buy.beta.id,
        warehouse_id=buy.main.id, request_key=key()))
    session.commit()
    assert result.receipt.purchase_order_id is None and result.receipt.total == D("36.00")
    assert buy.balance(buy.filter).on_hand == D("2.00")


def test_each_receipt_is_owed_to_the_supplier_by_its_terms(buy, session):
    order = buy.order((buy.pads, 2, 300), status=S.ORDERED)
    result = buy.receive(order, (buy.lines(order)[0], 2), freight="15")
    item = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.GOODS_RECEIPT)).one()
    assert (item.party_id, item.amount, item.open_amount, item.number) == (
        buy.acme.id, D("615.00"), D("615.00"), result.receipt.number)
    assert item.due_on > item.document_date  # 月结30天


def test_the_issue_example_return_at_the_receipts_cost(buy, session):
    first = buy.receive(None, (buy.filter, 10, "10"))
    second = buy.receive(None, (buy.filter, 10, "20"))
    assert buy.balance(buy.filter).average_cost == D("15.0000")
    result = purchase_returns.create_return(session, buy.clerk, second.receipt.id,
                                            [ReturnLineInput(second.lines[0].id, "1")], reason="质量问题",
                                            request_key=key())
    session.commit()
    assert result.purchase_return.number.startswith("CT") and result.purchase_return.total == D("20.00")
    move = session.get(StockMove, result.lines[0].stock_move_id)
    assert (move.kind, move.quantity, move.unit_cost) == (StockMoveKind.PURCHASE_RETURN, D("-1.00"), D("20.0000"))
    balance = buy.balance(buy.filter)
    assert (balance.on_hand, balance.average_cost) == (D("19.00"), D("14.7368"))  # 280 / 19
    assert stock.rebuild_balances(session, buy.shop.branch.id) == [], "the ledger replays to the same average"
    credit = session.exec(select(OpenItem).where(OpenItem.source == OpenItemSource.PURCHASE_RETURN)).one()
    assert credit.amount == D("-20.00") and credit.party_id == buy.acme.id
    assert first.receipt.total == D("100.00")
    owed = {item.number: item.open_amount for item in session.exec(
        select(OpenItem).where(OpenItem.source == OpenItemSource.GOODS_RECEIPT)).all()}
    assert owed == {first.receipt.number: D("100.00"), second.receipt.number: D("180.00")}, \
        "the return settles its own receipt at once"
    assert credit.open_amount == D("0.00")


def test_a_return_is_never_more_than_received_nor_below_zero_stock(buy, session):
    receipt = buy.receive(None, (buy.filter, 3, "10"))
    line = receipt.lines[0]
    with refusal(session, FormErrors) as caught:
        purchase_returns.create_return(session, buy.clerk, receipt.receipt.id, [ReturnLineInput(line.id, "4")],
                                       request_key=key())
    assert "最多还能退3" in caught.value.errors["quantity.0"]
    # Two units go out to a work order's pick (by another way: a second warehouse move is not needed here).
    balance = buy.balance(buy.filter)
    balance.on_hand = D("1.00")  # as if picked: only one left on the shelf
    session.add(balance)
    session.commit()
    with refusal(session, match="库存不足"):
        purchase_returns.create_return(session, buy.clerk, receipt.receipt.id, [ReturnLineInput(line.id, "2")],
                                       request_key=key())
    assert session.exec(select(PurchaseReturn)).all() == []
    assert session.get(GoodsReceiptLine, line.id).returned_quantity == 0


def test_a_return_sent_twice_posts_once(buy, session):
    receipt = buy.receive(None, (buy.filter, 3, "10"))
    k = key()
    for _ in range(2):
        purchase_returns.create_return(session, buy.clerk, receipt.receipt.id,
                                       [ReturnLineInput(receipt.lines[0].id, "1")], request_key=k)
        session.commit()
    assert len(session.exec(select(PurchaseReturn)).all()) == 1
    assert buy.balance(buy.filter).on_hand == D("2.00")


def test_racing_returns_never_return_more_than_received(app_engine, buy, session):
    receipt = buy.receive(None, (buy.filter, 3, "10"))
    line_id = receipt.lines[0].id
    results = race([lambda db: purchase_returns.create_return(db, buy.clerk, receipt.receipt.id,
                                                              [ReturnLineInput(line_id, "1")], request_key=key())
                    for _ in range(5)])
    assert sum(1 for r in results if not isinstance(r, DomainError)) == 3
    session.expire_all()
    assert session.get(GoodsReceiptLine, line_id).returned_quantity == D("3.00")
    assert buy.balance(buy.filter).on_hand == D("0.00")


def test_scanning_finds_the_orders_line(buy, session):
    order = buy.order((buy.filter, 1, 20), (buy.pads, 2, 300), status=S.ORDERED)
    assert receiving.find_order_line(session, buy.clerk, order.id, "6901234567892").part_id == buy.pads.id
    assert receiving.find_order_line(session, buy.clerk, order.id, "jl-001").part_id == buy.filter.id
    with refusal(session, match="没有条码或编码为999"):
        receiving.find_order_line(session, buy.clerk, order.id, "999")


def test_the_check_finds_purchasing_in_step_and_reports_a_tampered_line(buy, session):
    from lantong_pwa.services.platform import integrity

    order = buy.order((buy.pads, 4, 300), status=S.ORDERED)
    receipt = buy.receive(order, (buy.lines(order)[0], 3))
    purchase_returns.create_return(session, buy.clerk, receipt.receipt.id,
                                   [ReturnLineInput(receipt.lines[0].id, "1")], request_key=key())
    session.commit()
    assert integrity.check(session) == []
    line = buy.lines(order)[0]
    line.received_quantity = D("4.00")
    session.add(line)
    session.commit()
    [problem] = integrity.check(session)
    assert problem.rule == "purchasing_against_documents"
    assert problem.rows == (f"T01 采购单{order.number} 行{line.id}：记为已到4.00，入库合计3.00",)
