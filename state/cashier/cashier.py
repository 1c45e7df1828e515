"""The cashier's screens: the queue (``/cashier``), settling and taking payment for one order
(``/cashier/<order number>``) and the printable settlement sheet (``/settlements/<number>/print``)."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

import reflex as rx
from sqlmodel import Session

from lantong_pwa.db import session_scope
from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.cashier import member_cards, payments, settlement
from lantong_pwa.services.workshop import completion
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.platform.permissions import Permission, role_allows
from lantong_pwa.services.cashier.settlement import Figures
from lantong_pwa.services.workshop.vehicle_cards import qr_data_uri
from lantong_pwa.timezone import format_local
from models import (
    PAYER_LABELS,
    Branch,
    Customer,
    Payer,
    PaymentMethod,
    Settlement,
    SettlementLineKind,
    SettlementStatus,
    User,
    Vehicle,
    WorkOrder,
    WorkOrderStatus,
)
from models.common import utc_now
from state.platform.session import SessionState
from state.platform.views import money, quantity

PAYER_OPTIONS = [[payer.value, payer.label] for payer in Payer]
METHOD_OPTIONS = [[method.value, method.label] for method in PaymentMethod]
KIND_LABELS = {SettlementLineKind.LABOR: "工时", SettlementLineKind.PART: "配件", SettlementLineKind.FEE: "费用"}


def _new_key() -> str:
    return str(uuid.uuid4())


def _vehicle_title(vehicle: Vehicle) -> str:
    return " ".join(p for p in (vehicle.make, vehicle.model) if p) or "未填写车型"


@dataclasses.dataclass
class QueueRow:
    number: str = ""
    plate: str = ""
    title: str = ""
    customer: str = ""
    status: str = ""
    when: str = ""
    amount: str = ""  # to settle: the preview's customer amount; awaiting payment: what is outstanding
    url: str = ""


class CashierState(SessionState):
    """``/cashier``: completed orders ready to settle, settled ones waiting for payment."""

    ready: list[QueueRow] = []
    awaiting: list[QueueRow] = []
    error: str = ""

    @rx.event
    def load(self):
        redirect = self._guard(Permission.SETTLE)
        if redirect is not None:
            return redirect
        self.error = ""
        with session_scope() as db:
            try:
                actor = self._actor(db)
                queue = settlement.cashier_queue(db, actor)
                ready, awaiting = [], []
                for entry in queue:
                    order, active = entry.order, entry.settlement
                    row = QueueRow(number=order.number, plate=entry.vehicle.plate,
                                   title=_vehicle_title(entry.vehicle), customer=entry.customer.name,
                                   status=WorkOrderStatus(order.status).label, url=f"/cashier/{order.number}")
                    if active is None:
                        row.when = "完工 " + format_local(order.completed_at, "%m-%d %H:%M")
                        row.amount = money(settlement.order_figures(db, order).customer_amount)
                        ready.append(row)
                    else:
                        row.when = "结算 " + format_local(active.created_at, "%m-%d %H:%M")
                        row.amount = money(active.customer_amount - entry.paid)
                        awaiting.append(row)
            except DomainError as error:
                self.error = error.message
                self.ready, self.awaiting = [], []
                return None
        self.ready, self.awaiting = ready, awaiting
        return None


@dataclasses.dataclass
class TermRow:
    kind: str = ""  # "job", "part", "fee"
    id: int = 0
    kind_label: str = ""
    description: str = ""
    detail: str = ""
    amount: str = ""
    payer: str = "customer"
    payer_label: str = ""
    party: str = ""
    discount: str = "0.00"
    net: str = ""


@dataclasses.dataclass
class TotalsView:
    labor: str = ""
    parts: str = ""
    other: str = ""
    gross: str = ""
    order_discount: str = ""
    order_discount_value: str = "0.00"
    customer: str = ""
    warranty: str = ""
    insurance: str = ""
    internal: str = ""
    vat_rate: str = ""
    vat: str = ""


@dataclasses.dataclass
class PaymentRow:
    number: str = ""
    method: str = ""
    amount: str = ""
    tendered: str = ""
    change: str = ""
    when: str = ""
    by: str = ""


@dataclasses.dataclass
class CardRow:
    id: int = 0
    number: str = ""
    balance: str = ""


@dataclasses.dataclass
class CardEntryRow:
    when: str = ""
    amount: str = ""
    balance_after: str = ""
    note: str = ""


def totals_view(f: Figures | Settlement) -> TotalsView:
    """The totals of a preview or of a stored settlement (the same names on both)."""
    return TotalsView(
        labor=money(f.labor_total), parts=money(f.parts_total), other=money(f.other_total), gross=money(f.gross),
        order_discount=money(f.order_discount), order_discount_value=str(f.order_discount),
        customer=money(f.customer_amount), warranty=money(f.warranty_amount), insurance=money(f.insurance_amount),
        internal=money(f.internal_amount), vat_rate=f"{quantity(f.vat_rate)}%", vat=money(f.vat_amount),
    )


def _payment_row(p, by: str = "") -> PaymentRow:
    return PaymentRow(number=p.number, method=PaymentMethod(p.method).label, amount=money(p.amount),
                      tendered=money(p.tendered) if p.tendered is not None else "",
                      change=money(p.change) if p.change else "", when=format_local(p.created_at), by=by)


def _payment_rows(db: Session, rows) -> list[PaymentRow]:
    names: dict[int, str] = {}
    for p in rows:
        if p.created_by_id not in names:
            user = db.get(User, p.created_by_id)
            names[p.created_by_id] = user.display_name if user else ""
    return [_payment_row(p, names[p.created_by_id]) for p in rows]


class SettleState(SessionState):
    """One order at the till: complete and quality check, the terms of each line, fees and discount, a live
    preview, 结算, then payments and the member card."""

    found: bool = False
    error: str = ""
    message: str = ""

    order_id: int = 0
    order_number_text: str = ""
    status: str = ""
    status_label: str = ""
    plate: str = ""
    vehicle_title: str = ""
    mileage: str = ""
    customer_id: int = 0
    customer_name: str = ""
    customer_mobile: str = ""
    credit_limit: str = ""
    qc: str = ""  # the quality check as text, "" when none
    next_mileage_hint: str = ""  # the placeholder of the next-service mileage at settling
    settle_errors: dict[str, str] = {}  # next-service date / mileage, beside their fields

    lines: list[TermRow] = []
    fee_types: list[list[str]] = []
    totals: TotalsView = TotalsView()
    problems: list[str] = []

    settlement_id: int = 0
    settlement_number: str = ""
    outstanding: str = ""
    outstanding_value: str = "0.00"
    payments: list[PaymentRow] = []
    receipt: PaymentRow = PaymentRow()  # the last payment taken on this screen

    pay_method: str = PaymentMethod.CASH.value
    pay_key: str = ""
    cards: list[CardRow] = []
    card_entries: list[CardEntryRow] = []
    top_up_key: str = ""

    @rx.var
    def payer_options(self) -> list[list[str]]:
        return PAYER_OPTIONS

    @rx.var
    def method_options(self) -> list[list[str]]:
        return METHOD_OPTIONS

    @rx.var
    def can_complete(self) -> bool:
        return role_allows(self.user_role, Permission.COMPLETE_ORDERS)

    @rx.var
    def can_take_payments(self) -> bool:
        return role_allows(self.user_role, Permission.TAKE_PAYMENTS)

    @rx.var
    def can_reopen(self) -> bool:
        return role_allows(self.user_role, Permission.REOPEN_SETTLEMENT)

    @rx.var
    def editable(self) -> bool:
        return self.status in ("open", "in_progress", "completed")

    def _clear(self) -> None:
        self.found = False
        self.order_id = 0
        self.order_number_text = ""
        self.status = ""
        self.status_label = ""
        self.plate = self.vehicle_title = self.mileage = ""
        self.customer_id = 0
        self.customer_name = self.customer_mobile = self.credit_limit = self.qc = ""
        self.next_mileage_hint = ""
        self.settle_errors = {}
        self.lines = []
        self.fee_types = []
        self.totals = TotalsView()
        self.problems = []
        self.settlement_id = 0
        self.settlement_number = ""
        self.outstanding = ""
        self.outstanding_value = "0.00"
        self.payments = []
        self.cards = []
        self.card_entries = []

    @rx.event
    def load(self):
        redirect = self._guard(Permission.SETTLE)
        if redirect is not None:
            return redirect
        self.error = ""
        self.message = ""
        self.receipt = PaymentRow()
        self.pay_method = PaymentMethod.CASH.value
        self.pay_key = _new_key()
        self.top_up_key = _new_key()
        self._clear()
        with session_scope() as db:
            try:
                order = settlement.order_by_number(db, self._actor(db), self.order_no)
                self._show(db, order.id)
            except DomainError as error:
                self._clear()
                self.error = error.message
        return None

    def _show(self, db: Session, order_id: int) -> None:
        """Read the order afresh for the signed-in user (who must be allowed to settle)."""
        actor = self._actor(db)
        figures = settlement.preview(db, actor, order_id)
        order = db.get(WorkOrder, order_id)
        vehicle = db.get(Vehicle, order.vehicle_id)
        customer = db.get(Customer, order.customer_id)
        lines = settlement.order_lines(db, order.id)
        rows = []
        for line in lines.jobs:
            detail = "一口价" if line.fixed_price is not None else \
                f"{quantity(line.hours)} 工时 × {money(line.rate)}"
            rows.append(self._term_row("job", line, line.name, detail, line.amount, "工时"))
        for line in lines.parts:
            used = settlement.used_quantity(line)
            detail = f"领用 {quantity(used)} {line.unit} × {money(line.unit_price)}（计划 {quantity(line.quantity)}）"
            rows.append(self._term_row("part", line, f"{line.part_name}（{line.part_code}）", detail,
                                       settlement.part_amount(line), "配件"))
        for fee in lines.fees:
            rows.append(self._term_row("fee", fee, fee.name, "其他费用", fee.amount, "费用"))
        self.lines = rows
        self.fee_types = [[str(t.id), f"{t.name}（默认{money(t.default_amount)}）"]
                          for t in settlement.fee_types(db, actor)]
        active = settlement.active_settlement(db, order.id)
        if active is not None:
            self.totals = totals_view(active)
            self.problems = []
            paid = settlement.paid_total(db, active.id)
            self.settlement_id = active.id
            self.settlement_number = active.number
            self.outstanding_value = str(active.customer_amount - paid)
            self.outstanding = money(active.customer_amount - paid)
            self.payments = _payment_rows(db, payments.payments_of(db, actor, active.id))
        else:
            self.totals = totals_view(figures)
            self.problems = list(figures.problems)
            self.settlement_id = 0
            self.settlement_number = ""
            self.outstanding = ""
            self.outstanding_value = "0.00"
            self.payments = []
        self.order_id = order.id
        self.order_number_text = order.number
        self.status = WorkOrderStatus(order.status).value
        self.status_label = WorkOrderStatus(order.status).label
        self.plate = vehicle.plate
        self.vehicle_title = _vehicle_title(vehicle)
        self.mileage = f"{order.mileage_in:,} 公里"
        self.next_mileage_hint = f"如 {max(order.mileage_in, vehicle.mileage) + 5000}"
        self.customer_id = customer.id
        self.customer_name = customer.name
        self.customer_mobile = customer.mobile
        self.credit_limit = money(customer.credit_limit)
        if order.qc_passed is None:
            self.qc = ""
        else:
            who = db.get(User, order.qc_by_id) if order.qc_by_id else None
            result = "合格" if order.qc_passed else "不合格"
            self.qc = f"质检{result} · {who.display_name if who else ''} · {format_local(order.qc_at)}" + \
                (f" · {order.qc_note}" if order.qc_note else "")
        self.cards = [CardRow(id=c.id, number=c.number, balance=money(c.balance))
                      for c in member_cards.customer_cards(db, actor, customer.id)]
        self.card_entries = [
            CardEntryRow(when=format_local(e.created_at), amount=money(e.amount), balance_after=money(e.balance_after),
                         note=e.note)
            for e in (member_cards.history(db, actor, self.cards[0].id)[:10] if self.cards else [])
        ]
        self.found = True

    @staticmethod
    def _term_row(kind: str, line, description: str, detail: str, amount: Decimal, kind_label: str) -> TermRow:
        return TermRow(kind=kind, id=line.id, kind_label=kind_label, description=description, detail=detail,
                       amount=money(amount), payer=Payer(line.payer).value, payer_label=PAYER_LABELS[Payer(line.payer)],
                       party=line.payer_party, discount=str(line.discount), net=money(amount - line.discount))

    def _act(self, action, success: str = ""):
        """Run a service call for this order; on success reload the order and show ``success``."""
        self.error = ""
        with session_scope() as db:
            try:
                result = action(db, self._actor(db))
                self._show(db, self.order_id)
            except DomainError as error:
                self.error = error.message
                return None, rx.toast.error(error.message)
        return result, (rx.toast.success(success) if success else None)

    @rx.event
    def complete(self):
        _, event = self._act(lambda db, actor: completion.complete_order(db, actor, self.order_id), "已完工")
        return event

    @rx.event
    def quality_check(self, form: dict):
        passed = form.get("qc_result") == "pass"
        _, event = self._act(lambda db, actor: completion.record_quality_check(
            db, actor, self.order_id, passed, form.get("qc_note", "")), "质检已记录" if passed else "质检不合格，工单退回维修")
        return event

    @rx.event
    def save_line(self, form: dict):
        try:
            line_id = int(form.get("line_id", "0"))
        except ValueError:
            line_id = 0
        _, event = self._act(lambda db, actor: settlement.set_line_terms(
            db, actor, form.get("kind", ""), line_id, form.get("payer", ""), form.get("payer_party", ""),
            form.get("discount", "")), "已保存")
        return event

    @rx.event
    def add_fee(self, form: dict):
        try:
            fee_type_id = int(form.get("fee_type", "0") or 0)
        except ValueError:
            fee_type_id = 0
        _, event = self._act(lambda db, actor: settlement.add_fee(db, actor, self.order_id, fee_type_id,
                                                                  form.get("fee_amount", "")), "已添加费用")
        return event

    @rx.event
    def remove_fee(self, fee_id: int):
        _, event = self._act(lambda db, actor: settlement.remove_fee(db, actor, fee_id), "已删除费用")
        return event

    @rx.event
    def set_discount(self, form: dict):
        _, event = self._act(lambda db, actor: settlement.set_order_discount(
            db, actor, self.order_id, form.get("order_discount", "")), "整单优惠已保存")
        return event

    @rx.event
    def settle(self, form: dict | None = None):
        """结算, with the next maintenance (date and/or mileage, optional) for the reminder centre."""
        if self.settlement_id:
            return None  # a second tap queued behind the first: already settled
        form = form or {}
        self.settle_errors = {}

        def settle(db, actor):
            try:
                return settlement.settle(db, actor, self.order_id, next_service_date=form.get("next_service_date", ""),
                                         next_service_mileage=form.get("next_service_mileage", ""))
            except FormErrors as errors:
                self.settle_errors = errors.errors
                raise

        done, event = self._act(settle, "")
        if done is None:
            return event
        self.pay_key = _new_key()
        return rx.toast.success(f"已结算 {done.number}")

    @rx.event
    def choose_method(self, method: str):
        self.pay_method = method if method in PaymentMethod._value2member_map_ else PaymentMethod.CASH.value

    @rx.event
    def take_payment(self, form: dict):
        try:
            card_id = int(form.get("card_id", "") or 0) or None
        except ValueError:
            card_id = None
        request = PaymentRequest(method=self.pay_method, amount=form.get("amount", ""),
                                 tendered=form.get("tendered", ""), card_id=card_id,
                                 # The key rendered into the form when it was shown: a second tap sends the same one.
                                 request_key=form.get("request_key", "") or self.pay_key)
        paid, event = self._act(lambda db, actor: payments.take_payment(db, actor, self.order_id, request))
        if paid is None:
            return event
        self.receipt = _payment_row(paid)
        self.pay_key = _new_key()
        closed = self.status == WorkOrderStatus.CLOSED.value
        return rx.toast.success(f"已收款 {money(paid.amount)}" + ("，工单已结清" if closed else ""))

    @rx.event
    def issue_card(self):
        _, event = self._act(lambda db, actor: member_cards.issue_card(db, actor, self.customer_id), "已办理会员卡")
        return event

    @rx.event
    def top_up(self, form: dict):
        card_id = self.cards[0].id if self.cards else 0
        key = form.get("request_key", "") or self.top_up_key
        entry, event = self._act(lambda db, actor: member_cards.top_up(db, actor, card_id, form.get("top_up_amount", ""),
                                                                       key), "")
        if entry is None:
            return event
        self.top_up_key = _new_key()
        return rx.toast.success(f"已充值 {money(entry.amount)}")

    @rx.event
    def reopen(self, form: dict):
        if not self.settlement_id:
            return None
        done, event = self._act(lambda db, actor: settlement.reopen(db, actor, self.settlement_id,
                                                                    form.get("reason", "")), "")
        if done is None:
            return event
        return rx.toast.success(f"已撤销结算单 {done.number}")


# --- the printable sheet ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class SheetLine:
    kind: str = ""
    description: str = ""
    quantity: str = ""
    unit_price: str = ""
    amount: str = ""
    discount: str = ""
    net: str = ""


@dataclasses.dataclass
class SheetGroup:
    title: str = ""  # 自费 / 三包（一汽大众）…
    lines: list[SheetLine] = dataclasses.field(default_factory=list)
    subtotal: str = ""


class SettlementSheetState(SessionState):
    found: bool = False
    error: str = ""
    shop_name: str = ""
    shop_address: str = ""
    shop_phone: str = ""
    number: str = ""
    order_number: str = ""
    reopened: str = ""  # why it was withdrawn, when it was
    settled_at: str = ""
    printed_at: str = ""
    plate: str = ""
    vehicle_title: str = ""
    vin: str = ""
    mileage: str = ""
    customer_name: str = ""
    customer_mobile: str = ""
    groups: list[SheetGroup] = []
    totals: TotalsView = TotalsView()
    billed_hours: str = ""
    payments: list[PaymentRow] = []
    paid: str = ""
    outstanding: str = ""
    cashier: str = ""
    advisor: str = ""
    follow_up_qr: str = ""  # the customer's follow-up link as a QR image (data URI); empty on a withdrawn sheet

    @rx.event
    def load(self):
        redirect = self._guard(Permission.SETTLE)
        if redirect is not None:
            return redirect
        self.found = False
        self.error = ""
        self.groups = []
        self.payments = []
        self.follow_up_qr = ""
        with session_scope() as db:
            try:
                actor = self._actor(db)
                sheet = settlement.settlement_by_number(db, actor, self.settlement_no)
                rows = payments.payments_of(db, actor, sheet.id)
                if SettlementStatus(sheet.status) == SettlementStatus.ACTIVE:
                    follow_up = follow_ups.follow_up_for_order(db, actor, sheet.work_order_id)
                    self.follow_up_qr = qr_data_uri(follow_ups.link_url(db, follow_up))
            except DomainError as error:
                self.error = error.message
                return None
            order = db.get(WorkOrder, sheet.work_order_id)
            vehicle = db.get(Vehicle, order.vehicle_id)
            customer = db.get(Customer, order.customer_id)
            branch = db.get(Branch, sheet.branch_id)
            author = db.get(User, sheet.created_by_id)
            groups: dict[tuple[str, str], SheetGroup] = {}
            subtotals: dict[tuple[str, str], Decimal] = {}
            for line in settlement.settlement_lines(db, sheet.id):
                payer = Payer(line.payer)
                key = (payer.value, line.payer_party)
                if key not in groups:
                    title = payer.label + (f"（{line.payer_party}）" if line.payer_party else "")
                    groups[key] = SheetGroup(title=title)
                    subtotals[key] = Decimal("0.00")
                groups[key].lines.append(SheetLine(
                    kind=KIND_LABELS[SettlementLineKind(line.kind)], description=line.description,
                    quantity=quantity(line.quantity), unit_price=money(line.unit_price), amount=money(line.amount),
                    discount=money(line.discount) if line.discount else "", net=money(line.net)))
                subtotals[key] += line.net
            order_of = {payer.value: index for index, payer in enumerate(Payer)}
            ordered = sorted(groups, key=lambda k: (order_of[k[0]], k[1]))
            for key in ordered:
                groups[key].subtotal = money(subtotals[key])
            self.groups = [groups[key] for key in ordered]
            paid = sum((p.amount for p in rows), Decimal("0.00"))
            self.payments = _payment_rows(db, rows)
            self.shop_name, self.shop_address, self.shop_phone = branch.name, branch.address, branch.phone
            self.number = sheet.number
            self.order_number = order.number
            self.reopened = "" if SettlementStatus(sheet.status) == SettlementStatus.ACTIVE else \
                f"此结算单已于{format_local(sheet.reopened_at)}撤销：{sheet.reopen_reason}"
            self.settled_at = format_local(sheet.created_at)
            self.printed_at = format_local(utc_now())
            self.plate = vehicle.plate
            self.vehicle_title = _vehicle_title(vehicle)
            self.vin = vehicle.vin or ""
            self.mileage = f"{order.mileage_in:,} 公里"
            self.customer_name = customer.name
            self.customer_mobile = customer.mobile
            self.totals = totals_view(sheet)
            self.billed_hours = quantity(sheet.billed_hours)
            self.paid = money(paid)
            self.outstanding = money(sheet.customer_amount - paid)
            self.cashier = author.display_name if author else ""
            advisor = db.get(User, order.advisor_id)
            self.advisor = advisor.display_name if advisor else ""
        self.found = True
        return None
