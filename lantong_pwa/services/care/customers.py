"""The customer file (C1): find a customer by name, mobile or plate, and everything the shop knows about them on
one page: details and consent, vehicles, orders, spending, follow-ups and complaints.

Spending counts the orders with a standing (ACTIVE) settlement: what the customer paid themselves
(``Settlement.customer_amount``, so warranty, insurance and internal lines are left out). A visit is such an order;
its date is the day the order was opened. The whole file is read in a handful of queries, however long the history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lantong_pwa.services.platform.figures import ZERO
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.cashier.payments import on_account_owed
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch, sees_all_branches
from lantong_pwa.services.workshop.reports import OrderHit, _with_amounts
from lantong_pwa.services.platform.validation import contains, plate_query, search_text
from models import (
    Complaint,
    Customer,
    FollowUp,
    FollowUpStatus,
    Settlement,
    SettlementStatus,
    User,
    Vehicle,
    WorkOrder,
)

SEARCH_LIMIT = 30


@dataclass(frozen=True)
class CustomerHit:
    customer: Customer
    plates: list[str]


@dataclass(frozen=True)
class Spending:
    total: Decimal  # the customer's own share of their standing settlements
    visits: int  # orders with a standing settlement
    first_visit: datetime | None
    last_visit: datetime | None
    owed: Decimal  # on account (挂账), still standing

    @property
    def average(self) -> Decimal | None:
        return to_fen(self.total / self.visits) if self.visits else None


@dataclass(frozen=True)
class CustomerFile:
    customer: Customer
    vehicles: list[Vehicle]
    orders: list[OrderHit]  # newest first; ``amount`` is the settlement's total, or the planned lines' total
    customer_amounts: dict[int, Decimal]  # order id -> what the customer paid of it (settled orders only)
    spending: Spending
    follow_ups: list[FollowUp]  # answered ones first, newest first
    complaints: list[Complaint]  # newest first


def find_customers(session: Session, actor: User, query: str) -> list[CustomerHit]:
    """Customers whose name contains the text (a surname is enough), whose mobile contains its digits (4 or more),
    or who own a vehicle whose plate contains it (the last 3–4 characters are enough); the actor's branch (the
    admin: every branch)."""
    require(actor, Permission.VIEW_CUSTOMERS)
    text = search_text(query)
    if not text:
        return []
    conditions = [contains(Customer.name, text)]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4 and digits == re.sub(r"[\s\-]", "", text):
        conditions.append(contains(Customer.mobile, digits))
    plate = plate_query(text)
    if len(plate) >= 2:
        owners = select(Vehicle.customer_id).where(contains(Vehicle.plate, plate))
        if not sees_all_branches(actor):
            owners = owners.where(Vehicle.branch_id == actor.branch_id)
        conditions.append(col(Customer.id).in_(owners))
    statement = select(Customer).where(sa.or_(*conditions)).order_by(Customer.name, Customer.id).limit(SEARCH_LIMIT)
    if not sees_all_branches(actor):
        statement = statement.where(Customer.branch_id == actor.branch_id)
    customers = list(session.exec(statement).all())
    plates: dict[int, list[str]] = {c.id: [] for c in customers}
    if customers:
        for owner_id, number in session.exec(select(Vehicle.customer_id, Vehicle.plate)
                                             .where(col(Vehicle.customer_id).in_(plates))
                                             .order_by(Vehicle.plate)).all():
            plates[owner_id].append(number)
    return [CustomerHit(customer=c, plates=plates[c.id]) for c in customers]


def customer_file(session: Session, actor: User, customer_id: int) -> CustomerFile:
    """Everything about one customer of the actor's branch (the admin: any branch); another branch's customer
    looks missing."""
    require(actor, Permission.VIEW_CUSTOMERS)
    customer = row_in_branch(session, actor, Customer, customer_id, "客户不存在")
    vehicles = list(session.exec(select(Vehicle).where(Vehicle.customer_id == customer.id)
                                 .order_by(Vehicle.created_at, Vehicle.id)).all())
    rows = session.exec(
        select(WorkOrder, Vehicle.plate, Vehicle.make, Vehicle.model, sa.literal(customer.name))
        .join(Vehicle, Vehicle.id == WorkOrder.vehicle_id)
        .where(WorkOrder.customer_id == customer.id)
        .order_by(col(WorkOrder.created_at).desc(), col(WorkOrder.id).desc())
    ).all()
    orders = _with_amounts(session, rows)
    paid = session.exec(
        select(Settlement.work_order_id, Settlement.customer_amount)
        .join(WorkOrder, WorkOrder.id == Settlement.work_order_id)
        .where(WorkOrder.customer_id == customer.id, Settlement.status == SettlementStatus.ACTIVE)
    ).all()
    customer_amounts = {order_id: to_fen(amount) for order_id, amount in paid}
    visit_times = [hit.order.created_at for hit in orders if hit.order.id in customer_amounts]
    spending = Spending(
        total=sum(customer_amounts.values(), ZERO), visits=len(customer_amounts),
        first_visit=min(visit_times) if visit_times else None, last_visit=max(visit_times) if visit_times else None,
        owed=on_account_owed(session, customer.id))
    follow_ups = sorted(
        session.exec(select(FollowUp).where(FollowUp.customer_id == customer.id)).all(),
        key=lambda f: (f.status != FollowUpStatus.ANSWERED, -(f.answered_at or f.created_at).timestamp()))
    complaints = list(session.exec(select(Complaint).where(Complaint.customer_id == customer.id)
                                   .order_by(col(Complaint.created_at).desc(), col(Complaint.id).desc())).all())
    return CustomerFile(customer=customer, vehicles=vehicles, orders=orders, customer_amounts=customer_amounts,
                        spending=spending, follow_ups=follow_ups, complaints=complaints)
