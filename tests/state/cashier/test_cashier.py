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
from state.platform.views import Letterhead
from tests.factories import add_part, add_vehicle
from tests.state.harness import drive, is_toast, make_state, toast_text, token_for

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
    assert drive(s.load()) is None
    return s


def test_advisor_completes_manager_checks_cashier_settles_and_takes_two_payments(order, session, shop):
    advisor = settle_screen(session, shop.advisor, order)
    assert advisor.found and advisor.status_label == "维修中" and advisor.plate == "粤B12345"
    assert advisor.can_complete and not advisor.can_take_payments and not advisor.can_settle
    assert is_toast(drive(advisor.complete()), "success") and advisor.status_label == "已完工"
    assert not advisor.can_complete and advisor.can_settle

    manager = settle_screen(session, shop.manager, order)
    assert is_toast(drive(manager.quality_check({"qc_result": "pass", "qc_note": ""})), "success")
    assert manager.qc.startswith("质检合格")

    cashier = settle_screen(session, shop.cashier, order)
    assert [row.description for row in cashier.lines] == ["更换机油", "更换变速箱", "机油滤清器（JL-001）"]
    assert cashier.totals.customer == "¥378.00" and cashier.can_settle and not cashier.can_complete
    job = cashier.lines[1]
    # Chosen on the screen, nothing saved: the preview follows, and says what is missing.
    assert drive(cashier.type_term(f"payer.{job.key}", "warranty")) is None
    assert cashier.totals.warranty == "¥200.00" and any("厂家名称" in p for p in cashier.problems)
    drive(cashier.type_term(f"party.{job.key}", "一汽丰田"))
    assert cashier.problems == [] and cashier.totals.customer == "¥178.00"
    session.expire_all()
    assert session.get(models.JobLine, job.id).payer == models.Payer.CUSTOMER, "typing keeps nothing"
    cashier.choose_fee(cashier.fee_types[0][0])
    result = drive(cashier.settle({}))
    assert is_toast(result, "error") and "加费用" in cashier.error, "a fee chosen but not added stops 结算"
    drive(cashier.add_fee({"fee_type": cashier.fee_types[0][0], "fee_amount": ""}))
    assert cashier.lines[-1].description == "管理费" and cashier.fee_choice == ""
    form = {f"{name}.{row.key}": value for row in cashier.lines
            for name, value in (("payer", row.payer), ("party", row.party), ("discount", row.discount))}
    form.update({f"payer.{job.key}": "warranty", f"party.{job.key}": "", "order_discount": "8"})
    result = drive(cashier.settle(dict(form)))
    assert is_toast(result, "error") and "厂家名称" in cashier.error and cashier.settlement_number == ""
    form[f"party.{job.key}"] = "一汽丰田"
    drive(cashier.type_term("order_discount", "8"))
    t = cashier.totals
    assert (t.gross, t.warranty, t.order_discount, t.customer, t.vat) == \
        ("¥398.00", "¥200.00", "¥8.00", "¥190.00", "¥21.86")

    result = drive(cashier.settle(form))
    assert is_toast(result, "success") and cashier.settlement_number.startswith("JS")
    assert cashier.status_label == "已结算" and cashier.outstanding == "¥190.00" and cashier.typed_terms == {}
    assert cashier.lines[1].payer == "warranty" and cashier.lines[1].party == "一汽丰田"
    assert cashier.actions == ["take_payment"]
    assert drive(cashier.settle(form)) is None, "a second tap queued behind the first does nothing"
    assert session.exec(select(func.count()).select_from(models.Settlement)).one() == 1

    cashier.choose_method("cash")
    form = {"amount": "100", "tendered": "150", "request_key": cashier.pay_key}
    drive(cashier.take_payment(dict(form)))
    assert cashier.receipt.change == "¥50.00" and cashier.receipt.number.startswith("SK")
    drive(cashier.take_payment(dict(form)))  # the double tap: the same key went with both submits
    assert len(cashier.payments) == 1 and cashier.outstanding == "¥90.00"

    result = drive(cashier.take_payment({"amount": "90.01", "request_key": cashier.pay_key}))
    assert is_toast(result, "error") and "不能超过未收金额" in toast_text(result)
    cashier.choose_method("wechat")
    result = drive(cashier.take_payment({"amount": "90", "request_key": cashier.pay_key}))
    assert is_toast(result, "success") and "已结清" in toast_text(result)
    assert cashier.status_label == "已结清" and len(cashier.payments) == 2 and cashier.actions == []
    session.expire_all()
    assert session.get(models.WorkOrder, order.id).status == WorkOrderStatus.CLOSED

    branch = session.get(models.Branch, shop.branch.id)  # the details the sheet prints under its header
    branch.header, branch.phone, branch.tax_id, branch.bank_account = (
        "蓝通汽修", "0755-86001234", "91440300MA5FXXXX1K", "招商银行南山支行 7559 0001")
    session.commit()
    sheet = make_state(SettlementSheetState, token=token_for(session, shop.cashier),
                       path=f"/settlements/{cashier.settlement_number}/print",
                       route="/settlements/[settlement_no]/print",
                       query={"settlement_no": cashier.settlement_number})
    assert drive(sheet.load()) is None and sheet.found
    assert [g.title for g in sheet.groups] == ["自费", "三包（一汽丰田）"]
    assert [g.subtotal for g in sheet.groups] == ["¥198.00", "¥200.00"]
    assert sheet.totals.customer == "¥190.00" and sheet.paid == "¥190.00" and sheet.outstanding == "¥0.00"
    assert sheet.plate == "粤B12345" and len(sheet.payments) == 2
    assert sheet.shop == Letterhead(header="蓝通汽修", contact="电话 0755-86001234", tax_id="91440300MA5FXXXX1K",
                                    bank_account="招商银行南山支行 7559 0001")


def test_cashier_queue_and_member_card(order, session, shop):
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.commit()
    queue = make_state(CashierState, token=token_for(session, shop.cashier), path="/cashier")
    assert drive(queue.load()) is None
    assert [(r.number, r.amount) for r in queue.ready] == [(order.number, "¥378.00")] and queue.awaiting == []

    s = settle_screen(session, shop.cashier, order)
    drive(s.settle())
    drive(s.issue_card())
    assert len(s.cards) == 1 and s.cards[0].balance == "¥0.00"
    key = s.top_up_key
    drive(s.top_up({"top_up_amount": "500", "top_up_method": "wechat", "request_key": key}))
    drive(s.top_up({"top_up_amount": "500", "top_up_method": "wechat", "request_key": key}))  # resent
    assert s.cards[0].balance == "¥500.00" and len(s.card_entries) == 1
    s.choose_method("member_card")
    drive(s.take_payment({"amount": "378", "card_id": str(s.cards[0].id), "request_key": s.pay_key}))
    assert s.status_label == "已结清" and s.cards[0].balance == "¥122.00"

    assert drive(queue.load()) is None and queue.ready == [] and queue.awaiting == []


def test_manager_reopens_an_unpaid_settlement(order, session, shop):
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.commit()
    cashier = settle_screen(session, shop.cashier, order)
    drive(cashier.settle())
    assert not cashier.can_reopen
    manager = settle_screen(session, shop.manager, order)
    assert manager.can_reopen and manager.settlement_number == cashier.settlement_number
    result = drive(manager.reopen({"reason": ""}))
    assert is_toast(result, "error") and "原因" in manager.error
    result = drive(manager.reopen({"reason": "配件价格录错"}))
    assert is_toast(result, "success") and manager.status_label == "已完工" and manager.settlement_number == ""
    assert manager.can_settle and not manager.can_reopen
    session.expire_all()
    stored = session.exec(select(models.Settlement)).one()
    assert stored.status == models.SettlementStatus.REOPENED and stored.reopen_reason == "配件价格录错"


def test_technician_is_sent_away_from_the_till(order, session, shop):
    s = make_state(SettleState, token=token_for(session, shop.technician), path=f"/cashier/{order.number}",
                   route="/cashier/[order_no]", query={"order_no": order.number})
    result = drive(s.load())
    assert result is not None and s.found is False


def test_an_unknown_order_number_says_so(order, session, shop):
    s = make_state(SettleState, token=token_for(session, shop.cashier), path="/cashier/WX0",
                   route="/cashier/[order_no]", query={"order_no": "WX0"})
    assert drive(s.load()) is None and s.found is False and s.error == "工单不存在"


def never_picked(session, order) -> models.PartLine:
    """The order's part put back as never picked."""
    line = session.exec(select(models.PartLine).where(models.PartLine.work_order_id == order.id)).one()
    line.picked_quantity = D("0")
    session.add(line)
    session.commit()
    return line


def test_complete_asks_what_to_do_about_a_part_never_picked(order, session, shop):
    line = never_picked(session, order)
    advisor = settle_screen(session, shop.advisor, order)
    assert advisor.unpicked == ["机油滤清器（JL-001）：计划1个，已领用0个"] and advisor.totals.parts == "¥0.00"
    assert drive(advisor.complete()) is None and advisor.status_label == "维修中"
    assert [(row.line_id, row.can_drop) for row in advisor.parts_decision] == [(line.id, True)]
    result = drive(advisor.complete_anyway({"parts_reason": "  "}))
    assert is_toast(result, "error") and advisor.error == "请填写仍然完工的原因"
    result = drive(advisor.complete_anyway({"parts_reason": "客户自带机滤"}))
    assert is_toast(result, "success") and advisor.status_label == "已完工" and advisor.parts_decision == []
    assert advisor.parts_reason == "客户自带机滤"
    session.expire_all()
    assert session.get(models.WorkOrder, order.id).unpicked_parts_reason == "客户自带机滤"


def test_the_decision_can_remove_the_unpicked_part(order, session, shop):
    line = never_picked(session, order)
    advisor = settle_screen(session, shop.advisor, order)
    drive(advisor.complete())
    assert is_toast(drive(advisor.drop_part(line.id)), "success") and advisor.parts_decision == []
    assert [row.description for row in advisor.lines] == ["更换机油", "更换变速箱"] and advisor.unpicked == []
    assert is_toast(drive(advisor.complete()), "success") and advisor.status_label == "已完工"


def test_a_second_tab_cannot_undo_or_repeat_a_settlement(order, session, shop):
    first = settle_screen(session, shop.advisor, order)
    second = settle_screen(session, shop.advisor, order)  # opened while the order was in the workshop
    assert first.can_complete and second.can_complete
    drive(first.complete())
    late = settle_screen(session, shop.advisor, order)  # opened once it was complete
    assert is_toast(drive(first.settle({})), "success") and first.status_label == "已结算"

    result = drive(second.complete())
    assert is_toast(result, "error") and "已结算" in second.error
    result = drive(late.settle({}))
    assert is_toast(result, "error") and "已结算" in late.error
    session.expire_all()
    assert session.get(models.WorkOrder, order.id).status == WorkOrderStatus.SETTLED
    assert session.exec(select(func.count()).select_from(models.Settlement)).one() == 1


def test_the_board_and_the_vehicle_card_offer_complete_once_every_line_is_finished(order, session, shop):
    from lantong_pwa.services.workshop import completion
    from state.workshop.board import BoardState
    from state.workshop.vehicles import VehicleCardState

    def board_row(user):
        board = make_state(BoardState, token=token_for(session, user), path="/orders")
        assert drive(board.load()) is None
        return next(row for row in board.rows if row.number == order.number)

    def card_order(user):
        qr = session.get(models.Vehicle, order.vehicle_id).qr_token
        card = make_state(VehicleCardState, token=token_for(session, user), path=f"/v/{qr}", route="/v/[token]",
                          query={"token": qr})
        assert drive(card.load()) is None
        return card.open_orders[0]

    assert board_row(shop.advisor).can_complete and card_order(shop.advisor).can_complete
    assert not board_row(shop.technician).can_complete and not card_order(shop.cashier).can_complete
    line = session.exec(select(models.JobLine).where(models.JobLine.work_order_id == order.id)).first()
    line.status = JobLineStatus.PAUSED
    session.add(line)
    session.commit()
    assert not board_row(shop.advisor).can_complete and not card_order(shop.advisor).can_complete
    line.status = JobLineStatus.FINISHED
    session.add(line)
    session.commit()
    completion.complete_order(session, shop.advisor, order.id)
    done = card_order(shop.cashier)
    assert not board_row(shop.advisor).can_complete and done.at_the_till and not done.can_complete


def test_an_overdue_customer_needs_a_managers_authorisation_for_on_account(order, session, shop):
    from lantong_pwa.services.cashier import payments
    from lantong_pwa.services.cashier.payments import PaymentRequest
    from tests.conftest import PASSWORD

    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    customer = session.get(models.Customer, order.customer_id)
    customer.credit_limit = D("1000.00")
    session.add(customer)
    session.commit()
    cashier = settle_screen(session, shop.cashier, order)
    drive(cashier.settle())
    session.expire_all()
    payments.take_payment(session, shop.cashier, order.id, PaymentRequest(method="on_account", amount="100",
                                                                         request_key="first"))
    item = session.exec(select(models.OpenItem)).one()
    item.due_on = item.due_on.replace(year=item.due_on.year - 1)
    session.add(item)
    session.commit()

    cashier = settle_screen(session, shop.cashier, order)
    assert cashier.owed == "¥100.00" and "逾期未付的挂账共¥100.00" in cashier.overdue_note
    drive(cashier.choose_method("on_account"))
    result = drive(cashier.take_payment({"amount": "50", "request_key": cashier.pay_key}))
    assert is_toast(result, "error") and "须经理授权" in cashier.override_errors["override"]
    result = drive(cashier.take_payment({"amount": "50", "request_key": cashier.pay_key, "override_username": "manager",
                                         "override_password": "wrong", "override_reason": "熟客"}))
    assert is_toast(result, "error") and "经理用户名或密码不正确" in cashier.override_errors["override_password"]
    result = drive(cashier.take_payment({"amount": "50", "request_key": cashier.pay_key, "override_username": "manager",
                                         "override_password": PASSWORD, "override_reason": "熟客"}))
    assert is_toast(result, "success") and cashier.override_errors == {} and cashier.owed == "¥150.00"
    session.expire_all()
    event = session.exec(select(models.AuditEvent).where(models.AuditEvent.action == "payment.credit_override")).one()
    assert '"manager_id": %d' % shop.manager.id in event.detail and '"reason": "熟客"' in event.detail


def test_the_settle_screen_offers_the_branchs_insurers_and_manufacturers(order, session, shop):
    session.add_all([models.Counterparty(branch_id=shop.branch.id, kind="insurer", name="平安保险"),
                     models.Counterparty(branch_id=shop.branch.id, kind="manufacturer", name="丰田中国"),
                     models.Counterparty(branch_id=shop.branch.id, kind="insurer", name="停用保险", is_active=False),
                     models.Counterparty(branch_id=shop.other_branch.id, kind="insurer", name="外店保险")])
    session.commit()
    s = settle_screen(session, shop.cashier, order)
    assert sorted(s.party_names) == [["丰田中国", "厂家"], ["平安保险", "保险公司"]]
