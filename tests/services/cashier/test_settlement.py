"""Completion, quality check, settlement split by payer, reopening, payments and member cards (R6, R8, R9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, func, select

import models
from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.cashier import member_cards, payments, settlement
from lantong_pwa.services.workshop import completion, order_status, work_orders
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.cashier.settlement import LineTerms, Terms
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import (
    AuditEvent,
    JobLineStatus,
    Payer,
    PaymentMethod,
    SettlementStatus,
    StockMoveKind,
    WorkOrder,
    WorkOrderStatus,
)
from tests.conftest import refusal
from tests.factories import add_part, add_vehicle
from tests.races import race

D = Decimal


def count(session: Session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def audit_actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def make_order(session, shop, *, jobs=(("换机油", "1", "100", ""), ("四轮定位", "", "", "200")),
               parts=(("2", "58.00"),), status=WorkOrderStatus.IN_PROGRESS, finished=True, picked=None,
               plate="粤B12345") -> WorkOrder:
    """An order with labour lines (name, hours, rate, fixed) and parts lines (quantity, price) of one part, moved
    straight to ``status`` with its lines finished; parts picked as planned unless ``picked`` says otherwise."""
    vehicle = add_vehicle(session, shop.branch.id, plate=plate, mobile="138" + plate[-5:].rjust(8, "0")[-8:])
    part = session.exec(select(models.Part).where(models.Part.branch_id == shop.branch.id)).first() \
        or add_part(session, shop.branch.id)
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name=n, hours=h, rate=r, fixed_price=f) for n, h, r, f in jobs],
        part_lines=[PartLineInput(part_id=part.id, quantity=q, unit_price=p) for q, p in parts]))
    order.status = status
    session.add(order)
    detail = work_orders.get_order(session, shop.advisor, order.id)
    for line in detail.job_lines:
        line.status = JobLineStatus.FINISHED if finished else JobLineStatus.IN_PROGRESS
        session.add(line)
    for index, line in enumerate(detail.part_lines):
        line.picked_quantity = line.quantity if picked is None else D(picked[index])
        session.add(line)
    session.commit()
    return order


def completed_order(session, shop, **kwargs) -> WorkOrder:
    return make_order(session, shop, status=WorkOrderStatus.COMPLETED, **kwargs)


def set_line_terms(session, user, kind, line_id, payer, party="", discount="0"):
    """One line's terms kept from the settle page."""
    order_id = session.get(settlement.LINE_MODELS[kind], line_id).work_order_id
    return settlement.save_terms(session, user, order_id, Terms(lines=(LineTerms(kind, line_id, payer, party, discount),)))


def lines(session, order):
    return settlement.order_lines(session, order.id)


def pay(session, user, order, method=PaymentMethod.CASH, amount="10", key="k1", **kwargs):
    return payments.take_payment(session, user, order.id, PaymentRequest(method=method, amount=amount,
                                                                         request_key=key, **kwargs))


# --- completion and quality check -------------------------------------------------------------------------------


def test_complete_needs_every_line_finished(session, shop):
    order = make_order(session, shop, finished=False)
    with refusal(session, match="未完工的维修项目：换机油、四轮定位"):
        completion.complete_order(session, shop.advisor, order.id)
    session.refresh(order)
    assert order.status == WorkOrderStatus.IN_PROGRESS and order.completed_at is None


def test_complete_moves_to_completed_and_audits(session, shop):
    order = make_order(session, shop)
    done = completion.complete_order(session, shop.advisor, order.id)
    assert done.status == WorkOrderStatus.COMPLETED and done.completed_at is not None
    assert "work_order.status" in audit_actions(session)
    again = completion.complete_order(session, shop.advisor, order.id)  # a second tap
    assert again.status == WorkOrderStatus.COMPLETED


def test_an_order_without_job_lines_cannot_be_completed(session, shop):
    order = make_order(session, shop, jobs=())
    with pytest.raises(DomainError, match="没有维修项目"):
        completion.complete_order(session, shop.advisor, order.id)


def test_an_open_order_cannot_jump_to_completed(session, shop):
    order = make_order(session, shop, status=WorkOrderStatus.OPEN)
    with pytest.raises(DomainError, match="已开单，不能确认完工"):
        completion.complete_order(session, shop.advisor, order.id)


@pytest.mark.parametrize("role", ["technician", "parts_clerk", "cashier"])
def test_only_advisors_and_managers_complete(session, shop, role):
    order = make_order(session, shop)
    with pytest.raises(PermissionDenied):
        completion.complete_order(session, shop.users[role], order.id)


def test_another_branch_cannot_complete(session, shop):
    order = make_order(session, shop)
    with pytest.raises(NotFound):
        completion.complete_order(session, shop.other_branch_advisor, order.id)


def test_quality_check_by_someone_who_worked_on_it_is_refused(session, shop):
    order = completed_order(session, shop)
    line = lines(session, order).jobs[0]
    session.add(models.JobAssignment(branch_id=shop.branch.id, job_line_id=line.id, technician_id=shop.manager.id,
                                     share_percent=D("100"), assigned_by_id=shop.advisor.id))
    session.commit()
    with pytest.raises(DomainError, match="未参与该工单施工"):
        completion.record_quality_check(session, shop.manager, order.id, True)
    # Clocked time counts as working on it too.
    session.add(models.TimeEntry(branch_id=shop.branch.id, job_line_id=line.id, technician_id=shop.advisor.id,
                                 started_at=order.created_at))
    session.commit()
    with pytest.raises(DomainError, match="未参与该工单施工"):
        completion.record_quality_check(session, shop.advisor, order.id, True)
    session.refresh(order)
    assert order.qc_passed is None


def test_quality_check_pass_and_fail(session, shop):
    order = completed_order(session, shop)
    checked = completion.record_quality_check(session, shop.manager, order.id, True, "  ")
    assert checked.qc_passed is True and checked.qc_by_id == shop.manager.id and checked.qc_at is not None

    with pytest.raises(DomainError, match="写明原因"):
        completion.record_quality_check(session, shop.manager, order.id, False, "")
    failed = completion.record_quality_check(session, shop.manager, order.id, False, "刹车异响未排除")
    assert failed.qc_passed is False and failed.status == WorkOrderStatus.IN_PROGRESS
    assert failed.completed_at is None and failed.qc_note == "刹车异响未排除"
    assert "work_order.quality_check" in audit_actions(session)
    with pytest.raises(DomainError, match="完工后才能结算"):
        settlement.settle(session, shop.cashier, order.id)
    with pytest.raises(DomainError, match="只有已完工的工单可以质检"):
        completion.record_quality_check(session, shop.manager, order.id, True)


# --- terms, preview and the payer split -------------------------------------------------------------------------


def test_line_terms_are_validated(session, shop):
    order = completed_order(session, shop)
    job = lines(session, order).jobs[0]  # 100.00
    with pytest.raises(DomainError, match="三包项目须填写厂家名称"):
        set_line_terms(session, shop.cashier, "job", job.id, "warranty", "  ")
    with pytest.raises(DomainError, match="保险项目须填写保险公司名称"):
        set_line_terms(session, shop.cashier, "job", job.id, "insurance", "")
    with pytest.raises(DomainError, match="折扣100.01元不能超过金额100.00元"):
        set_line_terms(session, shop.cashier, "job", job.id, "customer", "", "100.01")
    with pytest.raises(DomainError, match="不能为负数"):
        set_line_terms(session, shop.cashier, "job", job.id, "customer", "", "-1")
    with pytest.raises(DomainError, match="请选择付款方"):
        set_line_terms(session, shop.cashier, "job", job.id, "boss", "", "0")
    session.refresh(job)
    assert (job.payer, job.payer_party, job.discount) == (Payer.CUSTOMER, "", D("0.00"))

    set_line_terms(session, shop.cashier, "job", job.id, "warranty", " 一汽大众 ", "10")
    session.refresh(job)
    assert (job.payer, job.payer_party, job.discount) == (Payer.WARRANTY, "一汽大众", D("10.00"))
    set_line_terms(session, shop.cashier, "job", job.id, "internal", "一汽大众", "0")
    session.refresh(job)
    assert (job.payer, job.payer_party) == (Payer.INTERNAL, ""), "a party is only kept for warranty/insurance"


def test_technicians_and_clerks_cannot_set_terms(session, shop):
    order = completed_order(session, shop)
    job = lines(session, order).jobs[0]
    for role in ("technician", "parts_clerk"):
        with pytest.raises(PermissionDenied):
            set_line_terms(session, shop.users[role], "job", job.id, "internal")
        with pytest.raises(PermissionDenied):
            settlement.save_terms(session, shop.users[role], order.id, Terms(order_discount="1"))


def test_payer_split_fees_discounts_and_vat(session, shop):
    # Labour: 100 (1h × 100) + 200 (fixed); parts: 2 × 58 = 116 picked, 0.5 returned → 1.5 × 58 = 87.
    order = completed_order(session, shop, parts=(("2", "58.00"),))
    part_line = lines(session, order).parts[0]
    part_line.returned_quantity = D("0.50")
    session.add(part_line)
    session.commit()
    session.add(models.FeeType(branch_id=shop.branch.id, name="管理费", default_amount=D("20.00")))
    session.commit()
    fee_type = settlement.fee_types(session, shop.cashier)[0]
    fee = settlement.add_fee(session, shop.cashier, order.id, fee_type.id)
    assert fee.amount == D("20.00")
    extra = settlement.add_fee(session, shop.cashier, order.id, fee_type.id, "5")
    settlement.remove_fee(session, shop.cashier, extra.id)

    job_a, job_b = lines(session, order).jobs
    set_line_terms(session, shop.advisor, "job", job_b.id, "warranty", "一汽大众", "0")
    set_line_terms(session, shop.advisor, "part", part_line.id, "insurance", "人保", "7")
    set_line_terms(session, shop.advisor, "job", job_a.id, "customer", "", "10")
    settlement.save_terms(session, shop.cashier, order.id, Terms(order_discount="10.50"))
    with pytest.raises(DomainError, match="整单优惠不能超过自费部分110.00元"):
        settlement.save_terms(session, shop.cashier, order.id, Terms(order_discount="110.01"))

    figures = settlement.preview(session, shop.cashier, order.id)
    assert figures.problems == ()
    assert figures.labor_total == D("290.00") and figures.parts_total == D("80.00")
    assert figures.other_total == D("20.00") and figures.gross == D("390.00")
    assert figures.by_payer[Payer.CUSTOMER] == D("110.00")  # 90 labour + 20 fee
    assert figures.customer_amount == D("99.50")
    assert (figures.warranty_amount, figures.insurance_amount, figures.internal_amount) == \
        (D("200.00"), D("80.00"), D("0.00"))
    assert figures.vat_amount == D("11.45")  # 99.50 × 13 / 113 = 11.4469…

    settled = settlement.settle(session, shop.cashier, order.id)
    assert settled.number.startswith("JS") and settled.status == SettlementStatus.ACTIVE
    assert (settled.customer_amount, settled.warranty_amount, settled.insurance_amount, settled.gross,
            settled.order_discount, settled.vat_amount, settled.vat_rate) == \
        (D("99.50"), D("200.00"), D("80.00"), D("390.00"), D("10.50"), D("11.45"), D("13.00"))
    assert settled.customer_amount + settled.warranty_amount + settled.insurance_amount + \
        settled.internal_amount + settled.order_discount == settled.gross
    assert settled.billed_hours == D("1.00")
    stored = settlement.settlement_lines(session, settled.id)
    assert [(s.kind, s.net, s.payer, s.payer_party) for s in stored] == [
        ("labor", D("90.00"), "customer", ""), ("labor", D("200.00"), "warranty", "一汽大众"),
        ("part", D("80.00"), "insurance", "人保"), ("fee", D("20.00"), "customer", "")]
    session.refresh(order)
    assert order.status == WorkOrderStatus.SETTLED and order.settled_at is not None
    assert "settlement.create" in audit_actions(session)


def test_vat_rate_comes_from_the_branch(session, shop):
    shop.branch.vat_rate = D("6.00")
    session.add(shop.branch)
    session.commit()
    order = completed_order(session, shop, jobs=(("检测", "", "", "106"),), parts=())
    settled = settlement.settle(session, shop.cashier, order.id)
    assert (settled.vat_rate, settled.vat_amount) == (D("6.00"), D("6.00"))


def test_parts_cost_comes_from_the_stock_ledger(session, shop):
    order = completed_order(session, shop, parts=(("3", "58.00"),), picked=["3"])
    part_line = lines(session, order).parts[0]
    part_line.returned_quantity = D("1")
    session.add(part_line)
    warehouse = models.Warehouse(branch_id=shop.branch.id, code="W1", name="主仓")
    session.add(warehouse)
    session.flush()
    for kind, quantity, cost in ((StockMoveKind.PICK, "-3", "20.1234"), (StockMoveKind.RETURN, "1", "20.1234")):
        session.add(models.StockMove(branch_id=shop.branch.id, part_id=part_line.part_id, warehouse_id=warehouse.id,
                                     kind=kind, quantity=D(quantity), unit_cost=D(cost), work_order_id=order.id,
                                     part_line_id=part_line.id, user_id=shop.parts_clerk.id))
    session.commit()
    settled = settlement.settle(session, shop.cashier, order.id)
    assert settled.parts_total == D("116.00") and settled.parts_cost == D("40.25")  # 2 × 20.1234
    part_rows = [s for s in settlement.settlement_lines(session, settled.id) if s.kind == "part"]
    assert [(p.quantity, p.cost) for p in part_rows] == [(D("2.00"), D("40.25"))]


def test_unpicked_parts_are_not_billed(session, shop):
    order = completed_order(session, shop, parts=(("2", "58.00"),), picked=["0"])
    settled = settlement.settle(session, shop.cashier, order.id)
    assert settled.parts_total == D("0.00") and settled.gross == D("300.00")


def test_settle_refuses_a_missing_party_or_oversized_discount_made_after_the_fact(session, shop):
    order = completed_order(session, shop)
    job = lines(session, order).jobs[0]
    job.payer = Payer.WARRANTY  # e.g. set by an older screen without a party
    session.add(job)
    session.commit()
    with refusal(session, match="须填写厂家名称"):
        settlement.settle(session, shop.cashier, order.id)
    job.payer = Payer.CUSTOMER
    order.discount = D("416.01")
    session.add_all([job, order])
    session.commit()
    with refusal(session, match="整单优惠416.01元不能超过自费部分416.00元"):
        settlement.settle(session, shop.cashier, order.id)
    session.refresh(order)
    assert order.status == WorkOrderStatus.COMPLETED and count(session, models.Settlement) == 0


# --- the state machine ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.CANCELLED])
def test_no_settlement_before_completion(session, shop, status):
    order = make_order(session, shop, status=status)
    with pytest.raises(DomainError, match="完工后才能结算"):
        settlement.settle(session, shop.cashier, order.id)
    assert count(session, models.Settlement) == 0


def test_no_payment_before_settlement(session, shop):
    order = completed_order(session, shop)
    with pytest.raises(DomainError, match="结算后才能收款"):
        pay(session, shop.cashier, order)
    assert count(session, models.Payment) == 0


def test_settling_twice_is_refused(session, shop):
    order = completed_order(session, shop)
    settlement.settle(session, shop.cashier, order.id)
    with pytest.raises(DomainError, match="已结算"):
        settlement.settle(session, shop.cashier, order.id)
    assert count(session, models.Settlement) == 1


def test_no_terms_changes_after_settlement(session, shop):
    order = completed_order(session, shop)
    settlement.settle(session, shop.cashier, order.id)
    job = lines(session, order).jobs[0]
    with pytest.raises(DomainError, match="已结算，不能修改结算信息"):
        set_line_terms(session, shop.cashier, "job", job.id, "internal")


@pytest.mark.parametrize("role", ["technician", "parts_clerk"])
def test_only_settling_roles_settle(session, shop, role):
    order = completed_order(session, shop)
    with pytest.raises(PermissionDenied):
        settlement.settle(session, shop.users[role], order.id)


def test_a_settlement_is_a_snapshot(session, shop):
    order = completed_order(session, shop)
    settled = settlement.settle(session, shop.cashier, order.id)
    job = lines(session, order).jobs[0]
    job.amount = D("999.00")  # a later price edit
    job.name = "改了名字"
    session.add(job)
    session.commit()
    session.expire_all()
    again = session.get(models.Settlement, settled.id)
    assert again.gross == D("416.00") and again.customer_amount == D("416.00")
    assert [s.description for s in settlement.settlement_lines(session, settled.id)][0] == "换机油"


def test_everything_to_warranty_closes_at_once(session, shop):
    order = completed_order(session, shop, parts=())
    for job in lines(session, order).jobs:
        set_line_terms(session, shop.advisor, "job", job.id, "warranty", "一汽大众")
    settled = settlement.settle(session, shop.cashier, order.id)
    session.refresh(order)
    assert settled.customer_amount == D("0.00") and settled.warranty_amount == D("300.00")
    assert order.status == WorkOrderStatus.CLOSED and order.closed_at is not None


# --- reopening --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["advisor", "cashier", "technician", "parts_clerk"])
def test_only_managers_reopen(session, shop, role):
    order = completed_order(session, shop)
    settled = settlement.settle(session, shop.cashier, order.id)
    with pytest.raises(PermissionDenied):
        settlement.reopen(session, shop.users[role], settled.id, "价格错误")
    session.refresh(settled)
    assert settled.status == SettlementStatus.ACTIVE


def test_manager_reopens_with_a_reason_audited(session, shop):
    order = completed_order(session, shop)
    settled = settlement.settle(session, shop.cashier, order.id)
    with pytest.raises(DomainError, match="请填写撤销结算的原因"):
        settlement.reopen(session, shop.manager, settled.id, "  ")
    reopened = settlement.reopen(session, shop.manager, settled.id, "工时单价录错")
    assert reopened.status == SettlementStatus.REOPENED and reopened.reopened_by_id == shop.manager.id
    assert reopened.reopen_reason == "工时单价录错" and reopened.reopened_at is not None
    session.refresh(order)
    assert order.status == WorkOrderStatus.COMPLETED and order.settled_at is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "settlement.reopen")).one()
    assert "工时单价录错" in event.detail and event.user_id == shop.manager.id
    with pytest.raises(DomainError, match="已撤销"):
        settlement.reopen(session, shop.manager, settled.id, "再来一次")
    # Corrected and settled again: a new number, the old one kept.
    job = lines(session, order).jobs[0]
    set_line_terms(session, shop.cashier, "job", job.id, "customer", "", "50")
    second = settlement.settle(session, shop.cashier, order.id)
    assert second.number != settled.number and second.customer_amount == D("366.00")
    assert count(session, models.Settlement) == 2


def test_reopening_is_refused_once_money_was_taken(session, shop):
    order = completed_order(session, shop)
    settled = settlement.settle(session, shop.cashier, order.id)
    pay(session, shop.cashier, order, amount="100")
    with pytest.raises(DomainError, match="已收款，不能撤销"):
        settlement.reopen(session, shop.manager, settled.id, "改价")
    session.refresh(settled)
    assert settled.status == SettlementStatus.ACTIVE


# --- payments ---------------------------------------------------------------------------------------------------


def settled_order(session, shop, **kwargs) -> WorkOrder:
    """Customer owes 416.00 (100 + 200 labour, 2 × 58 parts)."""
    order = completed_order(session, shop, **kwargs)
    settlement.settle(session, shop.cashier, order.id)
    return order


@pytest.mark.parametrize("role", ["admin", "manager", "advisor", "technician", "parts_clerk"])
def test_only_cashiers_take_payments(session, shop, role):
    order = settled_order(session, shop)
    with pytest.raises(PermissionDenied):
        pay(session, shop.users[role], order)
    assert count(session, models.Payment) == 0


def test_partial_payments_then_the_order_closes(session, shop):
    order = settled_order(session, shop)
    first = pay(session, shop.cashier, order, PaymentMethod.WECHAT, "300", key="a")
    assert first.number.startswith("SK") and first.amount == D("300.00")
    session.refresh(order)
    assert order.status == WorkOrderStatus.SETTLED and order.closed_at is None
    with pytest.raises(DomainError, match="不能超过未收金额¥116.00"):
        pay(session, shop.cashier, order, PaymentMethod.ALIPAY, "116.01", key="b")
    with pytest.raises(DomainError, match="应大于0"):
        pay(session, shop.cashier, order, PaymentMethod.ALIPAY, "0", key="b")
    pay(session, shop.cashier, order, PaymentMethod.CARD, "116", key="c")
    session.refresh(order)
    assert order.status == WorkOrderStatus.CLOSED and order.closed_at is not None
    with pytest.raises(DomainError, match="已结清"):
        pay(session, shop.cashier, order, PaymentMethod.CASH, "1", key="d")
    assert count(session, models.Payment) == 2
    assert audit_actions(session).count("payment.take") == 2


def test_cash_change_and_short_tender(session, shop):
    order = settled_order(session, shop)
    with pytest.raises(DomainError, match="少于收款金额"):
        pay(session, shop.cashier, order, PaymentMethod.CASH, "416", tendered="400")
    paid = pay(session, shop.cashier, order, PaymentMethod.CASH, "416", tendered="500")
    assert (paid.tendered, paid.change) == (D("500.00"), D("84.00"))


def test_a_resent_request_never_charges_twice(session, shop):
    order = settled_order(session, shop)
    first = pay(session, shop.cashier, order, PaymentMethod.WECHAT, "100", key="same")
    again = pay(session, shop.cashier, order, PaymentMethod.WECHAT, "100", key="same")
    assert again.id == first.id and count(session, models.Payment) == 1
    with pytest.raises(DomainError, match="请求无效"):
        pay(session, shop.cashier, order, PaymentMethod.WECHAT, "100", key="")


def test_member_card_balance_must_cover(session, shop):
    order = settled_order(session, shop)
    card = member_cards.issue_card(session, shop.cashier, order.customer_id)
    assert card.number.startswith("HY") and card.balance == D("0.00")
    assert member_cards.issue_card(session, shop.cashier, order.customer_id).id == card.id, "one card per customer"
    top = member_cards.top_up(session, shop.cashier, card.id, "300", "top-1")
    assert member_cards.top_up(session, shop.cashier, card.id, "300", "top-1").id == top.id
    session.refresh(card)
    assert card.balance == D("300.00") and top.balance_after == D("300.00")
    with pytest.raises(DomainError, match="余额不足"):
        pay(session, shop.cashier, order, PaymentMethod.MEMBER_CARD, "300.01", key="m1", card_id=card.id)
    paid = pay(session, shop.cashier, order, PaymentMethod.MEMBER_CARD, "250", key="m2", card_id=card.id)
    session.refresh(card)
    assert card.balance == D("50.00")
    history = member_cards.history(session, shop.cashier, card.id)
    assert [(h.amount, h.balance_after, h.payment_id) for h in history] == [
        (D("-250.00"), D("50.00"), paid.id), (D("300.00"), D("300.00"), None)]


def test_member_card_of_someone_else_is_refused(session, shop):
    order = settled_order(session, shop)
    stranger = add_vehicle(session, shop.branch.id, plate="粤B99999", mobile="13900000000")
    card = member_cards.issue_card(session, shop.cashier, stranger.customer_id)
    member_cards.top_up(session, shop.cashier, card.id, "1000", "top-x")
    with pytest.raises(DomainError, match="客户本人的会员卡"):
        pay(session, shop.cashier, order, PaymentMethod.MEMBER_CARD, "10", key="m", card_id=card.id)
    session.refresh(card)
    assert card.balance == D("1000.00")


def test_top_up_rules(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    card = member_cards.issue_card(session, shop.cashier, vehicle.customer_id)
    for amount, message in (("0", "应大于0"), ("-5", "不能为负数"), ("abc", "应为数字"), ("100001", "过大")):
        with pytest.raises(DomainError, match=message):
            member_cards.top_up(session, shop.cashier, card.id, amount, f"k-{amount}")
    with pytest.raises(PermissionDenied):
        member_cards.top_up(session, shop.advisor, card.id, "100", "k-adv")
    with pytest.raises(PermissionDenied):
        member_cards.issue_card(session, shop.manager, vehicle.customer_id)
    session.refresh(card)
    assert card.balance == D("0.00") and count(session, models.CardTransaction) == 0


def test_on_account_within_the_credit_limit(session, shop):
    order = settled_order(session, shop)
    with pytest.raises(DomainError, match="超出挂账额度：额度¥0.00"):
        pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "1", key="o0")
    customer = session.get(models.Customer, order.customer_id)
    customer.credit_limit = D("500.00")
    session.add(customer)
    session.commit()
    pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, "400", key="o1")
    # A second order of the same customer: only 100 of credit is left.
    vehicle = session.get(models.Vehicle, order.vehicle_id)
    second = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="2000", fuel_level=1, complaint="洗车",
        job_lines=[JobLineInput(name="洗车", fixed_price="150")]))
    second.status = WorkOrderStatus.COMPLETED
    session.add(second)
    session.commit()
    settlement.settle(session, shop.cashier, second.id)
    with pytest.raises(DomainError, match="已挂账¥400.00，还可挂账¥100.00"):
        pay(session, shop.cashier, second, PaymentMethod.ON_ACCOUNT, "100.01", key="o2")
    pay(session, shop.cashier, second, PaymentMethod.ON_ACCOUNT, "100", key="o3")
    assert payments.on_account_owed(session, customer.id) == D("500.00")


def test_another_branch_cannot_pay_or_see(session, shop):
    order = settled_order(session, shop)
    cashier = models.User(username="othercashier", display_name="外店收银", password_hash="x",
                          role=models.Role.CASHIER, branch_id=shop.other_branch.id)
    session.add(cashier)
    session.commit()
    with pytest.raises(NotFound):
        pay(session, cashier, order)
    with pytest.raises(NotFound):
        settlement.order_by_number(session, cashier, order.number)
    assert settlement.cashier_queue(session, cashier) == []


def test_cashier_queue_lists_ready_and_awaiting_orders(session, shop):
    ready = completed_order(session, shop, plate="粤B11111")
    waiting = settled_order(session, shop, plate="粤B22222")
    make_order(session, shop, plate="粤B33333")  # still in the workshop
    pay(session, shop.cashier, waiting, PaymentMethod.CASH, "16", key="q")
    queue = settlement.cashier_queue(session, shop.cashier)
    assert [(e.order.id, e.settlement is not None, e.paid) for e in queue] == [(ready.id, False, D("0.00")),
                                                                              (waiting.id, True, D("16.00"))]
    assert [(e.vehicle.plate, e.customer.id) for e in queue] == [("粤B11111", ready.customer_id),
                                                                ("粤B22222", waiting.customer_id)]


# --- racing requests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("same_key", [True, False], ids=["resent", "two-cashiers"])
def test_racing_payments_never_overcharge(app_engine, session, shop, same_key):
    order = settled_order(session, shop)
    cashier = shop.cashier

    def paying(index):
        key = "same" if same_key else f"key-{index}"
        return lambda own: payments.take_payment(own, own.get(models.User, cashier.id), order.id,
                                                 PaymentRequest(method="wechat", amount="416", request_key=key))

    session.commit()  # what the racing requests see
    results = race([paying(i) for i in range(6)])
    session.expire_all()
    assert count(session, models.Payment) == 1
    taken = [r for r in results if isinstance(r, models.Payment)]
    if same_key:
        assert len(taken) == 6 and len({p.id for p in taken}) == 1
    else:
        assert len(taken) == 1
        # A loser that read the order after the winner closed it is told so; one that read it before finds it moved.
        assert all("已结清" in r.message or r.message == order_status.STALE
                   for r in results if isinstance(r, DomainError))
    assert session.get(WorkOrder, order.id).status == WorkOrderStatus.CLOSED


def test_racing_card_payments_never_overdraw(app_engine, session, shop):
    orders = [settled_order(session, shop, plate=f"粤B1000{i}") for i in range(4)]
    # All four vehicles belong to different owners: give them one owner with one card of 500.
    owner_id = orders[0].customer_id
    for order in orders:
        order.customer_id = owner_id
        session.add(order)
    session.commit()
    card = member_cards.issue_card(session, shop.cashier, owner_id)
    member_cards.top_up(session, shop.cashier, card.id, "500", "top")

    def paying(order):
        return lambda own: payments.take_payment(own, own.get(models.User, shop.cashier.id), order.id,
                                                 PaymentRequest(method="member_card", amount="200",
                                                                request_key=f"card-{order.id}", card_id=card.id))

    session.commit()  # what the racing requests see
    results = race([paying(o) for o in orders])
    session.expire_all()
    assert sum(isinstance(r, models.Payment) for r in results) == 2
    assert session.get(models.MemberCard, card.id).balance == D("100.00")
    assert [t.balance_after for t in member_cards.history(session, shop.cashier, card.id)] == \
        [D("100.00"), D("300.00"), D("500.00")]
