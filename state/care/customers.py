"""Customers (``/customers``) and the customer file (``/customers/[customer_id]``, C1)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from lantong_pwa.services.care import customers
from lantong_pwa.services.care.customers import CustomerFile
from lantong_pwa.services.platform.parsing import parse_int
from lantong_pwa.services.finance import receivables
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.services.care.satisfaction import ASPECTS
from lantong_pwa.timezone import format_local
from models import (
    ComplaintStatus,
    CustomerKind,
    FollowUp,
    FollowUpChannel,
    FollowUpStatus,
    PaymentTerms,
    WorkOrderStatus,
)
from state.finance.counterparties import TERMS_OPTIONS
from state.platform.session import SessionState
from state.platform.views import money

LOW_RATING = 2  # at or below: shown in red, as it opened a complaint


@dataclasses.dataclass
class CustomerRow:
    id: int = 0
    name: str = ""
    mobile: str = ""
    kind: str = ""
    plates: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CustomerVehicleRow:
    plate: str = ""
    title: str = ""
    token: str = ""


@dataclasses.dataclass
class CustomerOrderRow:
    number: str = ""
    opened: str = ""
    status: str = ""
    plate: str = ""
    amount: str = ""  # the order's total (all payers), or the planned lines' total before settlement
    paid_by_customer: str = ""  # the customer's own share, settled orders only
    settled: bool = False


@dataclasses.dataclass
class FollowUpRow:
    when: str = ""  # answered at (or due on, for one still waiting)
    status: str = ""
    channel: str = ""
    overall: str = ""  # "4 / 5"
    stars: str = ""  # "★★★★☆"
    aspects: str = ""  # "维修质量 5 · 维修速度 4 …"
    comment: str = ""
    unsolved: bool = False
    low: bool = False
    answered: bool = False


@dataclasses.dataclass
class ComplaintRow:
    id: int = 0
    number: str = ""
    created: str = ""
    status: str = ""
    summary: str = ""
    still_open: bool = False


def follow_up_row(row: FollowUp) -> FollowUpRow:
    answered = row.status == FollowUpStatus.ANSWERED
    aspects = " · ".join(f"{label} {getattr(row, name)}" for name, label in ASPECTS if getattr(row, name))
    low = row.overall is not None and (row.overall <= LOW_RATING or any(
        (getattr(row, name) or LOW_RATING + 1) <= LOW_RATING for name, _label in ASPECTS))
    return FollowUpRow(
        when=format_local(row.answered_at) if answered else (f"应回访 {row.due_on}" if row.due_on else ""),
        status=FollowUpStatus(row.status).label,
        channel=FollowUpChannel(row.answered_via).label if row.answered_via else "",
        overall=f"{row.overall} / 5" if row.overall else "",
        stars="★" * (row.overall or 0) + "☆" * (5 - (row.overall or 0)) if row.overall else "",
        aspects=aspects, comment=row.comment, unsolved=row.problem_unsolved, low=low or row.problem_unsolved,
        answered=answered)


class CustomerSearchState(SessionState):
    query: str = ""
    results: list[CustomerRow] = []
    searched: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        return await self._guard(Permission.VIEW_CUSTOMERS)

    @rx.event
    async def search(self, form: dict):
        self.query = str(form.get("query") or "").strip()
        found = await self._in_read(lambda db, actor: [
            CustomerRow(id=hit.customer.id, name=hit.customer.name, mobile=hit.customer.mobile,
                        kind=CustomerKind(hit.customer.kind).label, plates=hit.plates)
            for hit in customers.find_customers(db, actor, self.query)])
        self.error = "" if found.ok else found.error.message
        self.results = found.value or []
        self.searched = self.searched or found.ok


class CustomerFileState(SessionState):
    found: bool = False
    not_found_message: str = ""
    name: str = ""
    mobile: str = ""
    kind: str = ""
    birthday: str = ""
    notes: str = ""
    since: str = ""
    sms_consent: bool = False
    webhook_consent: bool = False
    vehicles: list[CustomerVehicleRow] = []
    orders: list[CustomerOrderRow] = []
    spent: str = ""
    visits: str = ""
    average: str = ""
    first_visit: str = ""
    last_visit: str = ""
    owed: str = ""
    has_debt: bool = False
    customer_key: int = 0  # the customer shown (the credit form acts on it)
    credit_limit: str = ""
    credit_limit_text: str = ""  # ¥20,000.00
    terms: str = "cash"
    terms_days: str = "0"
    terms_text: str = ""
    is_company: bool = False  # company and fleet customers may have 月结 or N天 terms
    can_set_credit: bool = False
    credit_errors: dict[str, str] = {}
    credit_version: int = 0
    follow_ups: list[FollowUpRow] = []
    complaints: list[ComplaintRow] = []

    @rx.event
    async def load(self):
        """``on_load`` of ``/customers/<id>``: the file of a customer of the user's branch."""
        self.found = False
        self.credit_errors = {}
        shown = await self._in_read(lambda db, actor: self._show(customers.customer_file(
            db, actor, parse_int(self.customer_id, "customer_id", "客户编号")), actor), page=Permission.VIEW_CUSTOMERS)
        if shown.redirect is not None:
            return shown.redirect
        self.not_found_message = "" if shown.ok else shown.error.message
        return None

    def _show(self, result: CustomerFile, actor=None) -> None:
        customer, spending = result.customer, result.spending
        self.customer_key = customer.id
        self.credit_limit = str(customer.credit_limit)
        self.credit_limit_text = money(customer.credit_limit)
        self.terms, self.terms_days = PaymentTerms(customer.terms).value, str(customer.terms_days)
        self.terms_text = receivables.terms_text(customer.terms, customer.terms_days)
        self.is_company = CustomerKind(customer.kind) != CustomerKind.INDIVIDUAL
        self.can_set_credit = allows(actor, Permission.CREDIT_CONTROL)
        self.credit_version += 1
        self.name, self.mobile = customer.name, customer.mobile
        self.kind = CustomerKind(customer.kind).label
        self.birthday = str(customer.birthday or "")
        self.notes = customer.notes
        self.since = format_local(customer.created_at, "%Y-%m-%d")
        self.sms_consent, self.webhook_consent = customer.sms_consent, customer.webhook_consent
        self.vehicles = [CustomerVehicleRow(
            plate=v.plate, title=" ".join(p for p in (v.make, v.model) if p) or "未填写车型", token=v.qr_token)
            for v in result.vehicles]
        self.orders = [CustomerOrderRow(
            number=hit.order.number, opened=format_local(hit.order.created_at, "%Y-%m-%d"),
            status=WorkOrderStatus(hit.order.status).label, plate=hit.plate, amount=money(hit.amount),
            paid_by_customer=money(result.customer_amounts.get(hit.order.id)), settled=hit.settled)
            for hit in result.orders]
        self.spent = money(spending.total)
        self.visits = str(spending.visits)
        self.average = money(spending.average) or "—"
        self.first_visit = format_local(spending.first_visit, "%Y-%m-%d") or "—"
        self.last_visit = format_local(spending.last_visit, "%Y-%m-%d") or "—"
        self.owed = money(spending.owed)
        self.has_debt = spending.owed > 0
        self.follow_ups = [follow_up_row(row) for row in result.follow_ups]
        self.complaints = [ComplaintRow(
            id=c.id, number=c.number, created=format_local(c.created_at), status=ComplaintStatus(c.status).label,
            summary=c.summary, still_open=c.status in (ComplaintStatus.OPEN, ComplaintStatus.PROCESSING))
            for c in result.complaints]
        self.found = True

    @rx.var
    def terms_options(self) -> list[list[str]]:
        return TERMS_OPTIONS

    @rx.event
    async def save_credit(self, form: dict):
        """A manager sets the customer's credit limit and terms; the file is read again."""
        customer_id = self.customer_key

        def save(db, actor):
            receivables.set_customer_credit(db, actor, customer_id, str(form.get("credit_limit", "")),
                                            str(form.get("terms", "") or "cash"), str(form.get("terms_days", "")))
            self._show(customers.customer_file(db, actor, customer_id), actor)

        done = await self._in_unit(save)
        self.credit_errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        return rx.toast.success("挂账额度和账期已保存")
