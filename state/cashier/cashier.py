"""The cashier's screens: the queue (``/cashier``), settling and taking payment for one order
(``/cashier/<order number>``) and the printable settlement sheet (``/settlements/<number>/print``)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx
from sqlmodel import Session

from lantong_pwa.errors import FormErrors
from lantong_pwa.services.care import follow_ups
from lantong_pwa.services.cashier import member_cards, payments, settlement
from lantong_pwa.services.workshop import completion, order_actions
from lantong_pwa.services.cashier.payments import PaymentRequest
from lantong_pwa.services.platform.permissions import Permission, role_allows
from lantong_pwa.services.cashier.settlement import Figures, LineTerms, Terms
from lantong_pwa.services.finance import receivables
from lantong_pwa.services.finance.capitals import in_capitals
from lantong_pwa.services.platform import shop_settings
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.services.workshop.vehicle_cards import qr_data_uri
from lantong_pwa.timezone import format_local, local_day
from models import (
    PAYER_LABELS,
    Branch,
    Customer,
    PartyKind,
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
from state.platform.printable import load_sheet
from state.platform.session import SessionState, new_request_key
from state.platform.views import Letterhead, letterhead, money, quantity

PAYER_OPTIONS = [[payer.value, payer.label] for payer in Payer]
OVERRIDE_FIELDS = ("override", "override_username", "override_password", "override_reason")
METHOD_OPTIONS = [[method.value, method.label] for method in PaymentMethod]
TOP_UP_OPTIONS = [(method.value, method.label) for method in member_cards.TOP_UP_METHODS]
KIND_LABELS = {SettlementLineKind.LABOR: "工时", SettlementLineKind.PART: "配件", SettlementLineKind.FEE: "费用"}


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


def _queue_rows(db: Session, actor: User | None) -> tuple[list[QueueRow], list[QueueRow]]:
    """The cashier's queue: orders ready to settle (with what the customer would pay), then those awaiting payment
    (with what is still owed)."""
    ready, awaiting = [], []
    for entry in settlement.cashier_queue(db, actor):
        order, active = entry.order, entry.settlement
        row = QueueRow(number=order.number, plate=entry.vehicle.plate, title=_vehicle_title(entry.vehicle),
                       customer=entry.customer.name, status=WorkOrderStatus(order.status).label,
                       url=f"/cashier/{order.number}")
        if active is None:
            row.when = "完工 " + format_local(order.completed_at, "%m-%d %H:%M")
            row.amount = money(settlement.order_figures(db, order).customer_amount)
            ready.append(row)
        else:
            row.when = "结算 " + format_local(active.created_at, "%m-%d %H:%M")
            row.amount = money(active.customer_amount - entry.paid)
            awaiting.append(row)
    return ready, awaiting


class CashierState(SessionState):
    """``/cashier``: completed orders ready to settle, settled ones waiting for payment."""

    ready: list[QueueRow] = []
    awaiting: list[QueueRow] = []
    error: str = ""

    @rx.event
    async def load(self):
        shown = await self._in_read(_queue_rows, page=Permission.SETTLE)
        if shown.redirect is not None:
            return shown.redirect
        self.ready, self.awaiting = shown.value if shown.ok else ([], [])
        self.error = "" if shown.ok else shown.error.message
        return None


@dataclasses.dataclass
class TermRow:
    kind: str = ""  # "job", "part", "fee"
    id: int = 0
    key: str = ""  # "job.12": the suffix of the line's term fields (payer.job.12, party.job.12, discount.job.12)
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
class UnpickedRow:
    line_id: int = 0
    text: str = ""
    can_drop: bool = False  # nothing of it was picked: the line may go


TERM_FIELDS = ("payer", "party", "discount")


def term_field(name: str) -> tuple[str, str, int] | None:
    """``payer.job.12`` → ("payer", "job", 12); ``None`` for any other form field."""
    parts = name.split(".")
    if len(parts) != 3 or parts[0] not in TERM_FIELDS or parts[1] not in settlement.LINE_MODELS:
        return None
    try:
        return parts[0], parts[1], int(parts[2])
    except ValueError:
        return None


def terms_of(form: dict) -> Terms:
    """The terms in the settle form (or typed so far): each line's payer, party and discount, and the order
    discount when the form has it."""
    typed: dict[tuple[str, int], dict[str, str]] = {}
    for name, value in form.items():
        parsed = term_field(name)
        if parsed is not None:
            typed.setdefault((parsed[1], parsed[2]), {})[parsed[0]] = str(value)
    lines = tuple(LineTerms(kind, line_id, fields.get("payer", ""), fields.get("party", ""),
                            fields.get("discount", "0")) for (kind, line_id), fields in typed.items()
                  if "payer" in fields)
    discount = form.get("order_discount")
    return Terms(lines=lines, order_discount=None if discount is None else str(discount))


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
    preview, 结算 (which takes every term on the screen with it), then payments and the member card. What is offered
    is what ``order_actions`` allows this person on this order."""

    found: bool = False
    error: str = ""
    message: str = ""

    order_id: int = 0
    order_number_text: str = ""
    status_label: str = ""
    actions: list[str] = []  # what the service allows the signed-in person on this order now
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
    terms_version: int = 0  # a new version remounts the term fields with the stored values
    typed_terms: dict[str, str] = {}  # term fields changed on the screen and not yet settled: the preview uses them
    fee_choice: str = ""  # an other-fee type chosen but not added yet
    fee_types: list[list[str]] = []
    party_names: list[list[str]] = []  # [name, 保险公司 / 厂家]: the branch's insurers and manufacturers
    totals: TotalsView = TotalsView()
    problems: list[str] = []
    unpicked: list[str] = []  # planned or requested parts not picked: not billed
    parts_reason: str = ""  # why the order was completed without them
    parts_decision: list[UnpickedRow] = []  # shown when 确认完工 found parts not picked

    settlement_id: int = 0
    settlement_number: str = ""
    outstanding: str = ""
    outstanding_value: str = "0.00"
    payments: list[PaymentRow] = []
    receipt: PaymentRow = PaymentRow()  # the last payment taken on this screen

    pay_method: str = PaymentMethod.CASH.value
    pay_key: str = ""
    owed: str = ""  # what the customer owes the shop now (their open items)
    overdue_note: str = ""  # why a 挂账 needs a manager's authorisation; "" when nothing is overdue
    override_errors: dict[str, str] = {}  # the authorisation's fields' messages
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
        return Action.COMPLETE.value in self.actions

    @rx.var
    def can_quality_check(self) -> bool:
        return Action.QUALITY_CHECK.value in self.actions

    @rx.var
    def can_edit_terms(self) -> bool:
        return Action.EDIT_TERMS.value in self.actions

    @rx.var
    def can_settle(self) -> bool:
        return Action.SETTLE.value in self.actions

    @rx.var
    def can_take_payments(self) -> bool:
        return Action.TAKE_PAYMENT.value in self.actions

    @rx.var
    def can_reopen(self) -> bool:
        return Action.REOPEN_SETTLEMENT.value in self.actions

    @rx.var
    def can_use_member_cards(self) -> bool:
        return role_allows(self.user_role, Permission.TAKE_PAYMENTS)

    @rx.var
    def can_invoice(self) -> bool:
        """开票 opens the invoices screen on this settlement (the service checks again)."""
        return role_allows(self.user_role, Permission.ISSUE_INVOICES)

    def _clear(self) -> None:
        self.found = False
        self.order_id = 0
        self.order_number_text = ""
        self.status_label = ""
        self.actions = []
        self.plate = self.vehicle_title = self.mileage = ""
        self.customer_id = 0
        self.customer_name = self.customer_mobile = self.credit_limit = self.qc = ""
        self.owed = self.overdue_note = ""
        self.override_errors = {}
        self.next_mileage_hint = ""
        self.settle_errors = {}
        self.lines = []
        self.typed_terms = {}
        self.fee_choice = ""
        self.fee_types = []
        self.party_names = []
        self.totals = TotalsView()
        self.problems = []
        self.unpicked = []
        self.parts_reason = ""
        self.parts_decision = []
        self.settlement_id = 0
        self.settlement_number = ""
        self.outstanding = ""
        self.outstanding_value = "0.00"
        self.payments = []
        self.cards = []
        self.card_entries = []

    @rx.event
    async def load(self):
        self.error = ""
        self.message = ""
        self.receipt = PaymentRow()
        self.pay_method = PaymentMethod.CASH.value
        self.pay_key = new_request_key()
        self.top_up_key = new_request_key()
        self._clear()
        self.terms_version += 1
        shown = await self._in_read(lambda db, actor: self._show(
            db, actor, settlement.order_by_number(db, actor, self.order_no).id), page=Permission.SETTLE)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self._clear()
            self.error = shown.error.message
        return None

    def _show(self, db: Session, actor: User | None, order_id: int) -> None:
        """Read the order afresh for the signed-in user (who must be allowed to settle)."""
        terms = terms_of(self.typed_terms)
        figures = settlement.preview(db, actor, order_id, terms)
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
        self.party_names = [[name, PartyKind(kind).label] for kind, names in
                            receivables.party_names(db, order.branch_id).items() for name in names]
        self.unpicked = [part.text for part in completion.unpicked_parts(db, order.id)]
        self.parts_reason = order.unpicked_parts_reason
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
        self.status_label = WorkOrderStatus(order.status).label
        self.actions = order_actions.names(order_actions.allowed(db, actor, order))
        self.plate = vehicle.plate
        self.vehicle_title = _vehicle_title(vehicle)
        self.mileage = f"{order.mileage_in:,} 公里"
        self.next_mileage_hint = f"如 {max(order.mileage_in, vehicle.mileage) + 5000}"
        self.customer_id = customer.id
        self.customer_name = customer.name
        self.customer_mobile = customer.mobile
        self.credit_limit = money(customer.credit_limit)
        self.owed = money(receivables.owed(db, customer.id))
        late = receivables.overdue(db, customer.id, local_day(utc_now()))
        self.overdue_note = receivables.overdue_message(late) if late else ""
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
        return TermRow(kind=kind, id=line.id, key=f"{kind}.{line.id}", kind_label=kind_label, description=description,
                       detail=detail, amount=money(amount), payer=Payer(line.payer).value,
                       payer_label=PAYER_LABELS[Payer(line.payer)], party=line.payer_party,
                       discount=str(line.discount), net=money(amount - line.discount))

    async def _act(self, action, success: str = ""):
        """Run a service call for this order as one unit of work; on success reload the order and show
        ``success``."""
        self.error = ""
        done = await self._in_unit(action)
        if done.ok:
            shown = await self._in_read(lambda db, actor: self._show(db, actor, self.order_id))
            error = shown.error
        else:
            error = done.error
        if error is not None:
            self.error = error.message
            return None, rx.toast.error(error.message)
        return done.value, (rx.toast.success(success) if success else None)

    def _settled_terms(self, success: str):
        """After the terms on the screen were kept: the fields show the stored values again."""
        self.typed_terms = {}
        self.terms_version += 1
        return rx.toast.success(success)

    async def _complete(self, reason: str = ""):
        """确认完工; parts planned or asked for but never picked ask for a decision first (``parts_decision``):
        pick them, remove the line, or complete anyway with a reason."""
        self.error = ""
        done = await self._in_unit(lambda db, actor: completion.complete_order(db, actor, self.order_id, reason))
        if isinstance(done.error, completion.PartsUndecided):
            self.parts_decision = [UnpickedRow(line_id=part.line_id, text=part.text, can_drop=part.used <= 0)
                                   for part in done.error.parts]
            return None
        self.parts_decision = []
        shown = await self._in_read(lambda db, actor: self._show(db, actor, self.order_id)) if done.ok else done
        if not shown.ok:
            self.error = shown.error.message
            return rx.toast.error(shown.error.message)
        return rx.toast.success("已完工")

    @rx.event
    async def complete(self):
        return await self._complete()

    @rx.event
    async def complete_anyway(self, form: dict):
        """仍然完工: the parts not picked stay off the order, for the reason typed (kept on the order)."""
        reason = form.get("parts_reason", "")
        if not reason.strip():
            self.error = "请填写仍然完工的原因"
            return rx.toast.error(self.error)
        return await self._complete(reason)

    @rx.event
    async def drop_part(self, line_id: int):
        """Take a never-picked part off the order from the completion decision."""
        _, event = await self._act(lambda db, actor: completion.drop_unpicked_part(db, actor, line_id), "已删除该配件")
        if self.error == "":
            self.parts_decision = [row for row in self.parts_decision if row.line_id != line_id]
        return event

    @rx.event
    def close_parts_decision(self):
        self.parts_decision = []

    @rx.event
    async def quality_check(self, form: dict):
        passed = form.get("qc_result") == "pass"
        _, event = await self._act(lambda db, actor: completion.record_quality_check(
            db, actor, self.order_id, passed, form.get("qc_note", "")), "质检已记录" if passed else "质检不合格，工单退回维修")
        return event

    @rx.event
    async def type_term(self, field: str, value: str):
        """A term field changed on the screen: the preview follows it (nothing is kept until 结算 or 保存)."""
        parsed = term_field(field)
        if parsed is None and field != "order_discount":
            return None
        typed = dict(self.typed_terms)
        row = next((r for r in self.lines if parsed and r.key == f"{parsed[1]}.{parsed[2]}"), None)
        if row is not None:  # the line's other fields as shown, so the preview has all three
            for name, shown in (("payer", row.payer), ("party", row.party), ("discount", row.discount)):
                typed.setdefault(f"{name}.{row.key}", shown)
        self.typed_terms = {**typed, field: value}
        shown = await self._in_read(lambda db, actor: self._show(db, actor, self.order_id))
        if not shown.ok:
            self.error = shown.error.message
            return rx.toast.error(shown.error.message)
        return None

    @rx.event
    def choose_fee(self, fee_type: str):
        self.fee_choice = fee_type

    @rx.event
    async def add_fee(self, form: dict):
        try:
            fee_type_id = int(form.get("fee_type", "0") or 0)
        except ValueError:
            fee_type_id = 0
        added, event = await self._act(lambda db, actor: settlement.add_fee(db, actor, self.order_id, fee_type_id,
                                                                      form.get("fee_amount", "")), "已添加费用")
        if added is not None:
            self.fee_choice = ""
        return event

    @rx.event
    async def remove_fee(self, fee_id: int):
        _, event = await self._act(lambda db, actor: settlement.remove_fee(db, actor, fee_id), "已删除费用")
        return event

    def _unsaved_fee(self):
        if not self.fee_choice:
            return None
        self.error = "已选择的其他费用还没有添加：请点“加费用”，或把费用类型改回“选择其他费用”"
        return rx.toast.error(self.error)

    @rx.event
    async def save_terms(self, form: dict):
        """保存结算信息: keep every term on the screen of an order not ready to settle yet."""
        refused = self._unsaved_fee()
        if refused is not None:
            return refused
        terms = terms_of(form)
        saved, event = await self._act(lambda db, actor: settlement.save_terms(db, actor, self.order_id, terms))
        return event if saved is None else self._settled_terms("结算信息已保存")

    @rx.event
    async def settle(self, form: dict | None = None):
        """结算 with every term on the screen (payers, parties, discounts, the order discount) and the next
        maintenance (date and/or mileage, optional) for the reminder centre."""
        if self.settlement_id:
            return None  # a second tap queued behind the first: already settled
        refused = self._unsaved_fee()
        if refused is not None:
            return refused
        form = form or {}
        self.settle_errors = {}
        terms = terms_of(form)

        def settle(db, actor):
            try:
                return settlement.settle(db, actor, self.order_id, terms=terms,
                                         next_service_date=form.get("next_service_date", ""),
                                         next_service_mileage=form.get("next_service_mileage", ""))
            except FormErrors as errors:
                self.settle_errors = errors.errors
                raise

        done, event = await self._act(settle, "")
        if done is None:
            return event
        self.pay_key = new_request_key()
        return self._settled_terms(f"已结算 {done.number}")

    @rx.event
    def choose_method(self, method: str):
        self.pay_method = method if method in PaymentMethod._value2member_map_ else PaymentMethod.CASH.value

    @rx.event
    async def take_payment(self, form: dict):
        try:
            card_id = int(form.get("card_id", "") or 0) or None
        except ValueError:
            card_id = None
        override = receivables.Override(username=form.get("override_username", ""),
                                        password=form.get("override_password", ""),
                                        reason=form.get("override_reason", "")) \
            if self.pay_method == PaymentMethod.ON_ACCOUNT.value else receivables.Override()
        if override.given and override.username.strip():
            # A manager's password typed here counts against the sign-in throttle, in a unit of its own.
            address = self.router.session.client_ip or ""
            counted = await self._in_unit(lambda db, actor: receivables.count_override_try(
                db, actor, override.username, address))
            if not counted.ok:
                return self._payment_refused(counted.error)
            override = dataclasses.replace(override, attempt=counted.value)
        request = PaymentRequest(method=self.pay_method, amount=form.get("amount", ""),
                                 tendered=form.get("tendered", ""), card_id=card_id, override=override,
                                 # The key rendered into the form when it was shown: a second tap sends the same one.
                                 request_key=form.get("request_key", "") or self.pay_key)
        self.override_errors = {}
        done = await self._in_unit(lambda db, actor: payments.take_payment(db, actor, self.order_id, request))
        if not done.ok:
            return self._payment_refused(done.error)
        paid = done.value
        shown = await self._in_read(lambda db, actor: self._show(db, actor, self.order_id))
        if not shown.ok:
            self.error = shown.error.message
            return rx.toast.error(shown.error.message)
        self.receipt = _payment_row(paid)
        self.pay_key = new_request_key()
        closed = Decimal(self.outstanding_value) == 0
        return rx.toast.success(f"已收款 {money(paid.amount)}" + ("，工单已结清" if closed else ""))

    def _payment_refused(self, error):
        """A refused payment: the message beside the authorisation's field it concerns, or as the page's error."""
        self.error = error.message
        if error.field in OVERRIDE_FIELDS:
            self.override_errors = {error.field: error.message}
        return rx.toast.error(error.message)

    @rx.event
    async def issue_card(self):
        _, event = await self._act(lambda db, actor: member_cards.issue_card(db, actor, self.customer_id), "已办理会员卡")
        return event

    @rx.event
    async def top_up(self, form: dict):
        card_id = self.cards[0].id if self.cards else 0
        key = form.get("request_key", "") or self.top_up_key
        entry, event = await self._act(lambda db, actor: member_cards.top_up(
            db, actor, card_id, form.get("top_up_amount", ""), key, method=form.get("top_up_method", "")), "")
        if entry is None:
            return event
        self.top_up_key = new_request_key()
        return rx.toast.success(f"已充值 {money(entry.amount)}")

    @rx.event
    async def reopen(self, form: dict):
        if not self.settlement_id:
            return None
        done, event = await self._act(lambda db, actor: settlement.reopen(db, actor, self.settlement_id,
                                                                    form.get("reason", "")), "")
        if done is None:
            return event
        self.terms_version += 1
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
    shop: Letterhead = Letterhead()
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
    customer_in_capitals: str = ""  # 客户应付 in Chinese capitals
    warranty: str = ""  # 维修质保期 as it was when the sheet was made
    next_service: str = ""  # 下次保养: date and/or mileage

    @rx.event
    async def load(self):
        self.groups = []
        self.payments = []
        self.follow_up_qr = ""
        return await load_sheet(self, self._fill, Permission.SETTLE)

    def _fill(self, db: Session, actor: User | None) -> None:
        """Read the sheet: the stored settlement and its lines, what was paid, and the follow-up link (made when
        the order was settled). Only reads, so opening or printing it never changes anything."""
        sheet = settlement.settlement_by_number(db, actor, self.settlement_no)
        rows = payments.payments_of(db, actor, sheet.id)
        follow_up = settlement.sheet_follow_up(db, sheet)
        if follow_up is not None:
            self.follow_up_qr = qr_data_uri(follow_ups.link_url(db, follow_up))
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
        self.shop = letterhead(branch)
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
        self.customer_in_capitals = in_capitals(sheet.customer_amount)
        self.warranty = shop_settings.warranty_text(sheet.warranty_days, sheet.warranty_km)
        self.next_service = "，".join(
            ([f"{sheet.next_service_date:%Y-%m-%d}"] if sheet.next_service_date else [])
            + ([f"{sheet.next_service_mileage:,}公里"] if sheet.next_service_mileage else []))

