"""Payment (R9), cashiers only: money against a settled order's customer share, in one or several parts.

Methods: cash (tendered ≥ amount, change given), bank card, WeChat, Alipay, member card (the customer's own card;
its balance must cover the amount) and on account (挂账: what the customer already owes — their open receivable
items — plus this may not exceed their credit limit; a customer with an overdue item needs a manager's authorisation,
audited; the payment posts the customer's open item). A payment never exceeds what is outstanding; when nothing is
left the order closes.
Each request carries a key: a double tap or a resent request finds the payment the first one made.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.cashier import member_cards
from lantong_pwa.services.finance import allocation, cash_book, receivables
from lantong_pwa.services.platform import audit
from lantong_pwa.services.workshop import order_status
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.services.cashier.settlement import ZERO, active_settlement, paid_total
from lantong_pwa.timezone import local_day
from models import (
    Customer,
    Direction,
    PartyKind,
    Payment,
    PaymentMethod,
    Settlement,
    SettlementStatus,
    User,
    Vehicle,
    WorkOrder,
    WorkOrderStatus,
)
from models.common import utc_now

PAYMENT_PREFIX = "SK"


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: str
    request_key: str
    tendered: str = ""  # cash handed over; empty: exactly the amount
    card_id: int | None = None  # member card
    override: receivables.Override = receivables.Override()  # a manager's authorisation of 挂账 despite overdue items


def on_account_owed(session: Session, customer_id: int) -> Decimal:
    """What the customer owes on account: the sum of their open receivable items (finance/receivables.py)."""
    return receivables.owed(session, customer_id)


def _earlier(session: Session, branch_id: int, request_key: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.branch_id == branch_id,
                                              Payment.request_key == request_key)).first()


def _add_to_paid(session: Session, settlement: Settlement, amount: Decimal) -> None:
    """Keep the settlement's ``paid_amount`` in step with its payments, in the payment's transaction: one conditional
    UPDATE (the database's CHECKs refuse it too) while the settlement is active and the sum stays within what the
    customer owes."""
    done = session.execute(update(Settlement)
                           .where(Settlement.id == settlement.id, Settlement.status == SettlementStatus.ACTIVE,
                                  Settlement.paid_amount + amount <= Settlement.customer_amount)
                           .values(paid_amount=Settlement.paid_amount + amount)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(order_status.STALE)
    session.refresh(settlement)


def take_payment(session: Session, actor: User, order_id: int, request: PaymentRequest) -> Payment:
    """Receive money against the order's settlement; returns the payment (the earlier one for a resent key)."""
    require(actor, Permission.TAKE_PAYMENTS)
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    key = (request.request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    earlier = _earlier(session, order.branch_id, key)
    if earlier is not None:
        return earlier
    try:
        method = PaymentMethod(request.method)
    except ValueError:
        raise DomainError("请选择付款方式", field="method") from None
    amount = to_fen(parse_decimal(request.amount, "amount", "收款金额"))
    if amount <= 0:
        raise DomainError("收款金额应大于0", field="amount")
    tendered = None
    if method == PaymentMethod.CASH:
        tendered = parse_decimal(request.tendered, "tendered", "实收现金", required=False)
        tendered = amount if tendered is None else to_fen(tendered)
        if tendered < amount:
            raise DomainError(f"实收现金¥{tendered}少于收款金额¥{amount}", field="tendered")

    status = WorkOrderStatus(order.status)
    if status == WorkOrderStatus.CLOSED:
        raise DomainError(f"工单{order.number}已结清，无需再收款")
    if status != WorkOrderStatus.SETTLED:
        raise DomainError(f"工单{order.number}当前为“{status.label}”，结算后才能收款")
    try:  # payments of one order happen one after another, and never beside a reopen of its settlement
        order = order_status.guard(session, order, {WorkOrderStatus.SETTLED}, "收款")
    except DomainError:
        if _earlier(session, order.branch_id, key) is None:
            raise
    earlier = _earlier(session, order.branch_id, key)
    if earlier is not None:  # the same request finished while this one waited (and perhaps closed the order)
        return earlier
    settlement = active_settlement(session, order.id)
    if settlement is None:
        raise DomainError(f"工单{order.number}没有有效的结算单")
    outstanding = settlement.customer_amount - paid_total(session, settlement.id)
    if amount > outstanding:
        raise DomainError(f"收款金额不能超过未收金额¥{outstanding}", field="amount")

    card = None
    if method == PaymentMethod.MEMBER_CARD:
        card = member_cards.usable_card(session, actor, request.card_id, order.customer_id, amount)
    now = utc_now()
    customer = override = None
    if method == PaymentMethod.ON_ACCOUNT:
        customer = locked(session, Customer, order.customer_id)  # two on-account payments cannot both squeeze in
        owed = on_account_owed(session, customer.id)
        if owed + amount > customer.credit_limit:
            room = max(customer.credit_limit - owed, ZERO)
            raise DomainError(f"超出挂账额度：额度¥{customer.credit_limit}，已挂账¥{owed}，还可挂账¥{room}",
                              field="amount")
        late = receivables.overdue(session, customer.id, local_day(now))
        if late:
            if not request.override.given:
                raise DomainError(receivables.overdue_message(late), field="override")
            manager = receivables.authorise_override(session, order.branch_id, request.override)
            override = dict(manager_id=manager.id, manager=manager.display_name, reason=request.override.reason.strip(),
                            overdue=str(late.amount), overdue_items=late.count, owed=str(owed),
                            credit_limit=str(customer.credit_limit), customer_id=customer.id)

    payment = Payment(branch_id=order.branch_id, settlement_id=settlement.id,
                      number=next_number(session, order.branch_id, PAYMENT_PREFIX, local_day(now)), method=method,
                      amount=amount, tendered=tendered, change=(tendered - amount) if tendered is not None else ZERO,
                      request_key=key, created_by_id=actor.id, created_at=now)
    session.add(payment)
    session.flush()
    _add_to_paid(session, settlement, amount)
    if card is not None:
        member_cards.spend(session, actor, card, amount, payment.id)
    cash_book.post_method(session, actor, order.branch_id, method.value, amount, ("payment", payment.id),
                          f"收款 {payment.number} 工单{order.number}")
    if customer is not None:  # 挂账: what the customer now owes, in this transaction
        receivables.post_on_account(session, payment, customer, local_day(now))
        # An advance (预收) the customer left with an earlier receipt pays this 挂账 at once.
        allocation.apply_credits(session, actor, PartyKind.CUSTOMER, customer.id, Direction.RECEIVABLE,
                                 branch_id=order.branch_id)
    if override is not None:
        audit.record(session, actor, "payment.credit_override", "payment", payment.id, branch_id=order.branch_id,
                     number=payment.number, work_order_id=order.id, amount=str(amount), **override)
    audit.record(session, actor, "payment.take", "payment", payment.id, branch_id=order.branch_id,
                 number=payment.number, work_order_id=order.id, settlement_id=settlement.id, method=method.value,
                 amount=str(amount))
    if amount == outstanding:
        order_status.close_order(order, actor, session, now)
    session.flush()
    return payment


def payments_of(session: Session, actor: User, settlement_id: int) -> list[Payment]:
    require(actor, Permission.SETTLE)
    settlement = row_in_branch(session, actor, Settlement, settlement_id, "结算单不存在")
    return list(session.exec(select(Payment).where(Payment.settlement_id == settlement.id)
                             .order_by(col(Payment.created_at), col(Payment.id))).all())


def payment_by_number(session: Session, actor: User, number: str) -> Payment:
    require(actor, Permission.SETTLE)
    payment = session.exec(select(Payment).where(Payment.branch_id == actor.branch_id,
                                                 Payment.number == (number or "").strip())).first()
    if payment is None:
        raise NotFound("收款记录不存在")
    return payment


@dataclass(frozen=True)
class Receipt:
    """What a receipt (收据) prints: the payment, what it paid for and who took it."""

    payment: Payment
    settlement: Settlement
    order: WorkOrder
    vehicle: Vehicle
    customer: Customer
    cashier: User | None


def receipt(session: Session, actor: User, number: str) -> Receipt:
    """The receipt of the payment numbered ``number`` in the actor's branch. Only reads."""
    payment = payment_by_number(session, actor, number)
    settlement = session.get(Settlement, payment.settlement_id)
    order = session.get(WorkOrder, settlement.work_order_id)
    return Receipt(payment=payment, settlement=settlement, order=order, vehicle=session.get(Vehicle, order.vehicle_id),
                   customer=session.get(Customer, order.customer_id), cashier=session.get(User, payment.created_by_id))
