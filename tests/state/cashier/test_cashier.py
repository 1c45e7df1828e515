"""The cashier's screens driven through their State handlers against the real database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

import models
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import JobLineStatus, WorkOrderStatus
from state.cashier.cashier import CashierState, SettlementSheetState, SettleState
from tests.factories import add_part, add_vehicle
from tests.state.harness import is_toast, make_state, toast_text, token_for

D = Decimal


@pytest.fixture
def order(app_engine, shop, session) -> models.WorkOrder:
    """An order in the workshop with two finished labour lines (120 + 200) and one picked part (58)."""
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B12345", make="丰田", model="卡罗拉", mileage=42000)
    part = add_part(session, shop.branch.id)
    created = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="42100", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="更换机油", hours="1", rate="120"), JobLineInput(name="更换变速箱", fixed_price="200")],
        part_lines=[PartLineInput(part_id=part.id, quantity="1")]))
    created.status = WorkOrderStatus.IN_PROGRESS
    session.add(created)
    for line in session.exec(select(models.JobLine).where(models.JobLine.work_order_id == created.id)):
        line.status = JobLineStatus.FINISHED
        session.add(line)
    for line in session.exec(select(models.PartLine).where(models.PartLine.work_order_id == created.id)):
        line.picked_quantity = D("1")
        session.add(line)
    session.add(models.FeeType(branch_id=shop.branch.id, name="管理费", default_amount=D("20.00")))
    session.commit()
    return created


def settle_screen(session, user, order) -> SettleState:
    s = make_state(SettleState, token=token_for(session, user), path=f"/cashier/{order.number}",
                   route="/cashier/[order_no]", query={"order_no": order.number})
    assert s.load() is None
    return s


def test_advisor_completes_manager_checks_cashier_settles_and_takes_two_payments(order, session, shop):
    advisor = settle_screen(session, shop.advisor, order)
    assert advisor.found and advisor.status == "in_progress" and advisor.plate == "粤B12345"
    assert advisor.can_complete and not advisor.can_take_payments
    assert is_toast(advisor.complete(), "success") and advisor.status == "completed"

    manager = settle_screen(session, shop.manager, order)
    assert is_toast(manager.quality_check({"qc_result": "pass", "qc_note": ""}), "success")
    assert manager.qc.startswith("质检合格")

    cashier = settle_screen(session, shop.cashier, order)
    assert [row.description for row in cashier.lines] == ["更换机油", "更换变速箱", "机油滤清器（JL-001）"]
    assert cashier.totals.customer == "¥378.00"
    job = cashier.lines[1]
    result = cashier.save_line({"kind": "job", "line_id": str(job.id), "payer": "warranty", "payer_party": ""})
    assert is_toast(result, "error") and "厂家名称" in cashier.error
    cashier.save_line({"kind": "job", "line_id": str(job.id), "payer": "warranty", "payer_party": "一汽丰田",
                       "discount": "0"})
    assert cashier.error == "" and cashier.lines[1].payer == "warranty" and cashier.lines[1].party == "一汽丰田"
    cashier.add_fee({"fee_type": cashier.fee_types[0][0], "fee_amount": ""})
    assert cashier.lines[-1].description == "管理费"
    cashier.set_discount({"order_discount": "8"})
    t = cashier.totals
    assert (t.gross, t.warranty, t.order_discount, t.customer, t.vat) == \
        ("¥398.00", "¥200.00", "¥8.00", "¥190.00", "¥21.86")

    result = cashier.settle()
    assert is_toast(result, "success") and cashier.settlement_number.startswith("JS")
    assert cashier.status == "settled" and cashier.outstanding == "¥190.00"
    assert cashier.settle() is None, "a second tap queued behind the first does nothing"
    assert session.exec(select(func.count()).select_from(models.Settlement)).one() == 1

    cashier.choose_method("cash")
    form = {"amount": "100", "tendered": "150", "request_key": cashier.pay_key}
    cashier.take_payment(dict(form))
    assert cashier.receipt.change == "¥50.00" and cashier.receipt.number.startswith("SK")
    cashier.take_payment(dict(form))  # the double tap: the same key went with both submits
    assert len(cashier.payments) == 1 and cashier.outstanding == "¥90.00"

    result = cashier.take_payment({"amount": "90.01", "request_key": cashier.pay_key})
    assert is_toast(result, "error") and "不能超过未收金额" in toast_text(result)
    cashier.choose_method("wechat")
    result = cashier.take_payment({"amount": "90", "request_key": cashier.pay_key})
    assert is_toast(result, "success") and "已结清" in toast_text(result)
    assert cashier.status == "closed" and len(cashier.payments) == 2
    session.expire_all()
    assert session.get(models.WorkOrder, order.id).status == WorkOrderStatus.CLOSED

    sheet = make_state(SettlementSheetState, token=token_for(session, shop.cashier),
                       path=f"/settlements/{cashier.settlement_number}/print",
                       route="/settlements/[settlement_no]/print",
                       query={"settlement_no": cashier.settlement_number})
    assert sheet.load() is None and sheet.found
    assert [g.title for g in sheet.groups] == ["自费", "三包（一汽丰田）"]
    assert [g.subtotal for g in sheet.groups] == ["¥198.00", "¥200.00"]
    assert sheet.totals.customer == "¥190.00" and sheet.paid == "¥190.00" and sheet.outstanding == "¥0.00"
    assert sheet.shop_name == "测试店" and sheet.plate == "粤B12345" and len(sheet.payments) == 2


def test_cashier_queue_and_member_card(order, session, shop):
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.commit()
    queue = make_state(CashierState, token=token_for(session, shop.cashier), path="/cashier")
    assert queue.load() is None
    assert [(r.number, r.amount) for r in queue.ready] == [(order.number, "¥378.00")] and queue.awaiting == []

    s = settle_screen(session, shop.cashier, order)
    s.settle()
    s.issue_card()
    assert len(s.cards) == 1 and s.cards[0].balance == "¥0.00"
    key = s.top_up_key
    s.top_up({"top_up_amount": "500", "request_key": key})
    s.top_up({"top_up_amount": "500", "request_key": key})  # resent
    assert s.cards[0].balance == "¥500.00" and len(s.card_entries) == 1
    s.choose_method("member_card")
    s.take_payment({"amount": "378", "card_id": str(s.cards[0].id), "request_key": s.pay_key})
    assert s.status == "closed" and s.cards[0].balance == "¥122.00"

    assert queue.load() is None and queue.ready == [] and queue.awaiting == []


def test_manager_reopens_an_unpaid_settlement(order, session, shop):
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.commit()
    cashier = settle_screen(session, shop.cashier, order)
    cashier.settle()
    assert not cashier.can_reopen
    manager = settle_screen(session, shop.manager, order)
    assert manager.can_reopen and manager.settlement_number == cashier.settlement_number
    result = manager.reopen({"reason": ""})
    assert is_toast(result, "error") and "原因" in manager.error
    result = manager.reopen({"reason": "配件价格录错"})
    assert is_toast(result, "success") and manager.status == "completed" and manager.settlement_number == ""
    session.expire_all()
    stored = session.exec(select(models.Settlement)).one()
    assert stored.status == models.SettlementStatus.REOPENED and stored.reopen_reason == "配件价格录错"


def test_technician_is_sent_away_from_the_till(order, session, shop):
    s = make_state(SettleState, token=token_for(session, shop.technician), path=f"/cashier/{order.number}",
                   route="/cashier/[order_no]", query={"order_no": order.number})
    result = s.load()
    assert result is not None and s.found is False


def test_an_unknown_order_number_says_so(order, session, shop):
    s = make_state(SettleState, token=token_for(session, shop.cashier), path="/cashier/WX0",
                   route="/cashier/[order_no]", query={"order_no": "WX0"})
    assert s.load() is None and s.found is False and s.error == "工单不存在"
