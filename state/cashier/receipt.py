"""The printable receipt (收据) of one payment: who paid what for which order, in figures and in Chinese capitals."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.cashier import payments
from lantong_pwa.services.finance.capitals import in_capitals
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local
from models import Branch, PaymentMethod, User
from models.common import utc_now
from state.platform.printable import load_sheet
from state.platform.session import SessionState
from state.platform.views import Letterhead, letterhead, money


class PaymentReceiptState(SessionState):
    found: bool = False
    error: str = ""
    shop: Letterhead = Letterhead()
    number: str = ""
    payer: str = ""
    purpose: str = ""  # 事由: the order, the settlement and the vehicle
    amount: str = ""
    amount_in_capitals: str = ""
    method: str = ""
    tendered: str = ""  # cash handed over and change, for cash
    paid_at: str = ""
    cashier: str = ""
    printed_at: str = ""

    @rx.event
    async def load(self):
        return await load_sheet(self, self._fill, Permission.SETTLE)

    def _fill(self, db: Session, actor: User | None) -> None:
        """Read the payment and what it paid for. Only reads: printing a receipt again changes nothing."""
        found = payments.receipt(db, actor, self.payment_no)
        payment, order = found.payment, found.order
        self.shop = letterhead(db.get(Branch, payment.branch_id))
        self.number = payment.number
        self.payer = found.customer.name
        self.purpose = f"维修费（{found.vehicle.plate}，工单{order.number}，结算单{found.settlement.number}）"
        self.amount = money(payment.amount)
        self.amount_in_capitals = in_capitals(payment.amount)
        self.method = PaymentMethod(payment.method).label
        self.tendered = (f"实收现金{money(payment.tendered)}，找零{money(payment.change)}"
                         if payment.tendered is not None else "")
        self.paid_at = format_local(payment.created_at)
        self.cashier = found.cashier.display_name if found.cashier else ""
        self.printed_at = format_local(utc_now())
