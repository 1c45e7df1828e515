"""A manager authorises a 挂账 for a customer with an overdue item on the cashier's tablet, in the production build
and a real browser: the screen says why 挂账 is refused, a wrong password is refused beside its field, the manager's
own username, password and reason let that one payment through, and the audit log names the manager."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import AuditEvent, Customer, JobLine, JobLineStatus, OpenItem, User, WorkOrderStatus
from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_hydrated
from tests.factories import add_vehicle

pytestmark = pytest.mark.e2e


def settled_order(session, vehicle, advisor, cashier, price: str) -> tuple[int, str]:
    order = work_orders.open_work_order(session, advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="车队保养",
        job_lines=[JobLineInput(name="车队保养", fixed_price=price)]))
    for line in session.exec(select(JobLine).where(JobLine.work_order_id == order.id)).all():
        line.status = JobLineStatus.FINISHED
        session.add(line)
    order.status = WorkOrderStatus.COMPLETED
    session.add(order)
    session.flush()
    settlement.settle(session, cashier, order.id)
    session.commit()
    return order.id, order.number


def test_a_manager_authorises_on_account_for_an_overdue_fleet_on_the_tablet(server, new_context):
    with server.orm() as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        n = server.scalar("SELECT max(id) FROM vehicle") + 1
        vehicle = add_vehicle(session, users["advisor"].branch_id, plate=f"粤K{n:05d}", mobile=f"1360000{n:04d}",
                              owner_name="迅达车队")
        customer = session.get(Customer, vehicle.customer_id)
        customer.kind, customer.credit_limit = "fleet", Decimal("5000.00")
        session.add(customer)
        session.commit()
        first_id, _ = settled_order(session, vehicle, users["advisor"], users["cashier"], "300")
        payments.take_payment(session, users["cashier"], first_id, PaymentRequest(
            method="on_account", amount="300", request_key=f"e2e-overdue-{n}"))
        item = session.exec(select(OpenItem).where(OpenItem.party_id == customer.id)).one()
        item.due_on = item.due_on - timedelta(days=40)  # a month and more unpaid
        session.add(item)
        session.commit()
        order_id, number = settled_order(session, vehicle, users["advisor"], users["cashier"], "500")
        manager_id = users["manager"].id

    page = new_context("tablet").new_page()
    sign_in(page, "cashier")
    page.goto(f"/cashier/{number}")
    wait_hydrated(page, "#take-payment")
    page.get_by_role("button", name="挂账", exact=True).click()
    expect(page.locator("#overdue-note")).to_contain_text("逾期未付的挂账共¥300.00")
    expect(page.locator("#on-account-room")).to_contain_text("¥300.00")
    page.click("#take-payment")  # nobody authorised it: refused, and why
    expect(page.locator(".field-error").filter(has_text="须经理授权")).to_be_visible()

    page.fill("#override-username", "manager")
    page.fill("#override-password", "not-the-password")
    page.fill("#override-reason", "老客户，月底统一结")
    page.click("#take-payment")
    expect(page.locator(".field-error").filter(has_text="经理用户名或密码不正确")).to_be_visible()
    assert server.scalar("SELECT count(*) FROM payment WHERE settlement_id IN "
                         "(SELECT id FROM settlement WHERE work_order_id = ?)", order_id) == 0

    page.fill("#override-password", DEMO_PASSWORD)
    page.click("#take-payment")
    expect(page.locator("#receipt-number")).to_be_visible()
    assert server.scalar("SELECT status FROM work_order WHERE id = ?", order_id) == "closed"
    with server.orm() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.credit_override")).one()
        detail = json.loads(event.detail)
    assert (detail["manager_id"], detail["reason"], detail["amount"], detail["overdue"]) == (
        manager_id, "老客户，月底统一结", "500.00", "300.00")
