"""What the 结算单 and a payment's receipt (收据) print beyond the charges: the warranty and the next service as they
were at settlement, and who paid what for which order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from lantong_pwa.errors import NotFound, PermissionDenied
from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.platform import shop_settings
from lantong_pwa.timezone import local_day
from models.common import utc_now
from tests.conftest import refusal
from tests.services.cashier.test_settlement import completed_order, pay


def test_the_sheet_keeps_the_warranty_and_next_service_of_its_day(session, shop):
    shop_settings.set_warranty(session, shop.manager, "90", "10000")
    session.commit()
    next_date = local_day(utc_now()) + timedelta(days=180)
    sheet = settlement.settle(session, shop.cashier, completed_order(session, shop).id,
                              next_service_date=next_date.isoformat(), next_service_mileage="6000")
    session.commit()
    shop_settings.set_warranty(session, shop.manager, "30", "0")  # a later change leaves the sheet as it was
    session.commit()
    session.refresh(sheet)
    assert (sheet.warranty_days, sheet.warranty_km, sheet.next_service_date, sheet.next_service_mileage) == (
        90, 10000, next_date, 6000)


def test_a_receipt_names_the_payer_the_order_and_the_cashier(session, shop):
    order = completed_order(session, shop)
    sheet = settlement.settle(session, shop.cashier, order.id)
    payment = pay(session, shop.cashier, order, amount="100.05")
    session.commit()
    found = payments.receipt(session, shop.manager, payment.number)
    assert (found.payment.amount, found.settlement.id, found.order.id, found.vehicle.id, found.cashier.id) == (
        Decimal("100.05"), sheet.id, order.id, order.vehicle_id, shop.cashier.id)
    assert found.customer.id == order.customer_id


def test_only_the_branch_s_till_staff_open_a_receipt(session, shop):
    order = completed_order(session, shop)
    settlement.settle(session, shop.cashier, order.id)
    payment = pay(session, shop.cashier, order)
    session.commit()
    with refusal(session, PermissionDenied):
        payments.receipt(session, shop.technician, payment.number)
    with refusal(session, NotFound):
        payments.receipt(session, shop.cashier, "SK-NONE")


@pytest.mark.parametrize("number", ["", "   "])
def test_a_blank_receipt_number_is_not_found(session, shop, number):
    with refusal(session, NotFound):
        payments.receipt(session, shop.cashier, number)
