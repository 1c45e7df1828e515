"""应付账款: the suppliers the shop owes with their ageing (``/payables``), one supplier's open items, payments,
pay form and statement (``/payables/<supplier id>``), and the printable 对账单 (``/payables/<id>/statement``).

Every handler reads with the signed-in person's rights (VIEW_PAYABLES; paying needs PAY_SUPPLIERS, checked by the
service); the Excel links point at ``/api/payables/…`` routes that run the same service functions.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import payables
from lantong_pwa.services.finance.payables import PaymentRequest
from lantong_pwa.services.platform.parsing import parse_date
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local, local_day
from models import Branch, PartyKind, PartyPaymentMethod, PaymentTerms, User
from models.common import utc_now
from state.platform.printable import load_sheet
from state.platform.session import SessionState, new_request_key
from state.platform.views import Letterhead, letterhead, money

METHOD_OPTIONS = [[m.value, m.label] for m in PartyPaymentMethod]
ITEM_FIELD = "item."  # a chosen item's checkbox: item.<open item id>


def _today() -> date:
    return local_day(utc_now())


@dataclasses.dataclass
class AgeingView:
    supplier_id: int = 0
    name: str = ""
    buckets: list[str] = dataclasses.field(default_factory=list)
    credits: str = ""
    balance: str = ""
    overdue: bool = False
    url: str = ""


def _ageing_view(row: payables.AgeingRow) -> AgeingView:
    return AgeingView(supplier_id=row.party_id, name=row.name, buckets=[money(b) for b in row.buckets],
                      credits=money(row.credits), balance=money(row.balance), overdue=row.overdue > 0,
                      url=f"/payables/{row.party_id}" if row.party_id else "")


class PayablesState(SessionState):
    """``/payables``: every supplier with something open, most overdue first, and the total."""

    rows: list[AgeingView] = []
    total: AgeingView = AgeingView()
    today: str = ""
    error: str = ""

    @rx.var
    def bucket_labels(self) -> list[str]:
        return list(payables.AGE_BUCKETS)

    @rx.event
    async def load(self):
        today = _today()
        shown = await self._in_read(lambda db, actor: payables.supplier_ageing(db, actor, today),
                                    page=Permission.VIEW_PAYABLES)
        if shown.redirect is not None:
            return shown.redirect
        self.today = today.isoformat()
        if not shown.ok:
            self.rows, self.total, self.error = [], AgeingView(), shown.error.message
            return None
        rows, total = shown.value
        self.rows, self.total, self.error = [_ageing_view(r) for r in rows], _ageing_view(total), ""
        return None


@dataclasses.dataclass
class ItemRow:
    id: int = 0
    kind: str = ""
    number: str = ""
    document_date: str = ""
    due_on: str = ""
    amount: str = ""
    open_amount: str = ""
    open_value: str = "0"
    overdue: str = ""  # "逾期12天", "" when not overdue
    is_debit: bool = True


@dataclasses.dataclass
class StatementRow:
    day: str = ""
    kind: str = ""
    number: str = ""
    summary: str = ""
    increase: str = ""
    decrease: str = ""
    change: str = ""  # the phone's one amount column: "+¥120.00", "−¥200.00"
    balance: str = ""


@dataclasses.dataclass
class PaymentView:
    number: str = ""
    when: str = ""
    method: str = ""
    amount: str = ""
    reference: str = ""


def _terms_text(terms: str, days: int) -> str:
    match PaymentTerms(terms):
        case PaymentTerms.CASH:
            return "现结"
        case PaymentTerms.MONTHLY:
            return f"月结{days}天"
        case PaymentTerms.DAYS:
            return f"账期{days}天"


def _statement_rows(sheet: payables.Statement) -> list[StatementRow]:
    rows = [StatementRow(day=sheet.date_from.isoformat(), kind="期初余额", balance=money(sheet.opening))]
    rows += [StatementRow(day=line.document_date.isoformat(), kind=line.source.label, number=line.number,
                          summary=line.summary, increase=money(line.increase) if line.increase else "",
                          decrease=money(line.decrease) if line.decrease else "",
                          change=f"+{money(line.increase)}" if line.increase else f"−{money(line.decrease)}",
                          balance=money(line.balance))
             for line in sheet.lines]
    rows.append(StatementRow(kind="本期合计", increase=money(sheet.increases), decrease=money(sheet.decreases),
                             change=f"+{money(sheet.increases)} / −{money(sheet.decreases)}"))
    rows.append(StatementRow(day=sheet.date_to.isoformat(), kind="期末余额", balance=money(sheet.closing)))
    return rows


def _period(form: dict, today: date) -> tuple[date, date]:
    date_from = parse_date(str(form.get("from") or ""), "from", "开始日期")
    date_to = parse_date(str(form.get("to") or ""), "to", "结束日期")
    return payables.statement_period(date_from, date_to, today)


def route_id(text) -> int:
    """The supplier id in the address (``/payables/<id>``); 0 (found by nobody) when it is not a number."""
    raw = str(text or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0


def chosen_items(form: dict) -> tuple[int, ...]:
    """The open items ticked on the pay form (``item.<id>`` fields with a value)."""
    chosen = []
    for name, value in form.items():
        if name.startswith(ITEM_FIELD) and value not in ("", False, None, "off"):
            try:
                chosen.append(int(name[len(ITEM_FIELD):]))
            except ValueError:
                continue
    return tuple(chosen)


class SupplierPayablesState(SessionState):
    """``/payables/<supplier id>``: what is owed to one supplier, its open items, paying it, its statement."""

    found: bool = False
    error: str = ""
    supplier_id: int = 0
    name: str = ""
    terms: str = ""
    bank_account: str = ""
    balance: str = ""
    ageing: list[str] = []
    credits: str = ""
    items: list[ItemRow] = []
    payments: list[PaymentView] = []
    can_pay: bool = False

    pay_key: str = ""
    pay_method: str = PartyPaymentMethod.BANK_TRANSFER.value
    chosen: list[int] = []
    pay_errors: dict[str, str] = {}
    form_version: int = 0  # a new version remounts the pay form empty

    statement_from: str = ""
    statement_to: str = ""
    statement: list[StatementRow] = []
    statement_error: str = ""

    @rx.var
    def method_options(self) -> list[list[str]]:
        return METHOD_OPTIONS

    @rx.var
    def bucket_labels(self) -> list[str]:
        return list(payables.AGE_BUCKETS)

    @rx.var
    def chosen_total(self) -> str:
        total = sum((Decimal(i.open_value) for i in self.items if i.id in self.chosen), Decimal("0"))
        return f"{total:.2f}" if self.chosen else ""

    @rx.var
    def period_query(self) -> str:
        return urlencode({"from": self.statement_from, "to": self.statement_to})

    @rx.var
    def print_url(self) -> str:
        return f"/payables/{self.supplier_id}/statement?{self.period_query}"

    @rx.var
    def export_url(self) -> str:
        return f"/api/payables/{self.supplier_id}/statement.xlsx?{self.period_query}"

    def _target(self) -> int:
        return route_id(self.payee)

    def _show(self, db: Session, actor: User | None, supplier_id: int, period: tuple[date, date]) -> None:
        today = _today()
        row = payables.one_supplier_ageing(db, actor, supplier_id, today)
        supplier = payables.party_row(db, actor, PartyKind.SUPPLIER, supplier_id)
        self.supplier_id = supplier.id
        self.name = supplier.name
        self.terms = _terms_text(supplier.terms, supplier.terms_days)
        self.bank_account = supplier.bank_account
        self.balance = money(row.balance)
        self.ageing = [money(b) for b in row.buckets]
        self.credits = money(row.credits) if row.credits else ""
        self.items = [ItemRow(id=v.id, kind=v.source.label, number=v.number,
                              document_date=v.document_date.isoformat(), due_on=v.due_on.isoformat(),
                              amount=money(v.amount), open_amount=money(v.open_amount), open_value=str(v.open_amount),
                              overdue=f"逾期{v.days_overdue}天" if v.days_overdue else "", is_debit=v.open_amount > 0)
                      for v in payables.supplier_open_items(db, actor, supplier_id, today)]
        self.chosen = [i for i in self.chosen if any(item.id == i and item.is_debit for item in self.items)]
        self.payments = [PaymentView(number=p.number, when=format_local(p.created_at),
                                     method=PartyPaymentMethod(p.method).label, amount=money(p.amount),
                                     reference=p.reference)
                         for p in payables.payments_of(db, actor, supplier_id, limit=10)]
        self.can_pay = allows(actor, Permission.PAY_SUPPLIERS)
        sheet = payables.supplier_statement(db, actor, supplier_id, *period)
        self.statement_from, self.statement_to = period[0].isoformat(), period[1].isoformat()
        self.statement = _statement_rows(sheet)
        self.found = True

    @rx.event
    async def load(self):
        self.found, self.error, self.pay_errors, self.statement_error = False, "", {}, ""
        self.chosen = []
        self.pay_key = new_request_key()
        self.form_version += 1
        supplier_id = self._target()
        shown = await self._in_read(lambda db, actor: self._show(db, actor, supplier_id, _period({}, _today())),
                                    page=Permission.VIEW_PAYABLES)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.found, self.error = False, shown.error.message
        return None

    @rx.event
    def toggle_item(self, item_id: int, ticked: bool):
        chosen = [i for i in self.chosen if i != item_id]
        self.chosen = chosen + [item_id] if ticked else chosen
        self.form_version += 1  # the amount field takes the chosen total

    @rx.event
    def choose_method(self, method: str):
        self.pay_method = method if method in PartyPaymentMethod._value2member_map_ else \
            PartyPaymentMethod.BANK_TRANSFER.value

    @rx.event
    async def pay(self, form: dict):
        """付款 with what the form holds: the amount, method, voucher and the items ticked (none: oldest first)."""
        self.pay_errors = {}
        request = PaymentRequest(method=str(form.get("method") or self.pay_method), amount=str(form.get("amount", "")),
                                 request_key=str(form.get("request_key", "") or self.pay_key),
                                 item_ids=tuple(self.chosen) or chosen_items(form),
                                 reference=str(form.get("reference", "")), note=str(form.get("note", "")))
        supplier_id = self.supplier_id
        done = await self._in_unit(lambda db, actor: payables.pay_supplier(db, actor, supplier_id, request))
        if not done.ok:
            self.pay_errors = done.field_errors
            return rx.toast.error(done.error.message)
        paid = done.value
        self.pay_key = new_request_key()
        self.chosen = []
        self.form_version += 1
        today = _today()
        try:  # the statement on screen, up to today so that it shows the payment
            period = (date.fromisoformat(self.statement_from), max(date.fromisoformat(self.statement_to), today))
        except ValueError:
            period = payables.statement_period(None, None, today)
        await self._in_read(lambda db, actor: self._show(db, actor, supplier_id, period))
        return rx.toast.success(f"已付款 {money(paid.amount)}（{paid.number}）")

    @rx.event
    async def show_statement(self, form: dict):
        self.statement_error = ""
        supplier_id = self.supplier_id

        def read(db, actor):
            period = _period(form, _today())
            sheet = payables.supplier_statement(db, actor, supplier_id, *period)
            return period, sheet

        shown = await self._in_read(read)
        if not shown.ok:
            self.statement_error = shown.error.message
            return None
        period, sheet = shown.value
        self.statement_from, self.statement_to = period[0].isoformat(), period[1].isoformat()
        self.statement = _statement_rows(sheet)
        return None


class StatementSheetState(SessionState):
    """``/payables/<supplier id>/statement?from=&to=``: the 对账单 to print or hand to the supplier."""

    found: bool = False
    error: str = ""
    head: Letterhead = Letterhead()
    supplier_name: str = ""
    period: str = ""
    rows: list[StatementRow] = []
    closing: str = ""
    printed_at: str = ""

    @rx.event
    async def load(self):
        query = self.router.url.query_parameters
        supplier_id = route_id(self.payee)

        def fill(db: Session, actor: User | None) -> None:
            period = _period({"from": query.get("from", ""), "to": query.get("to", "")}, _today())
            sheet = payables.supplier_statement(db, actor, supplier_id, *period)
            supplier = payables.party_row(db, actor, PartyKind.SUPPLIER, supplier_id)
            self.head = letterhead(db.get(Branch, supplier.branch_id))
            self.supplier_name = sheet.name
            self.period = f"{sheet.date_from.isoformat()} 至 {sheet.date_to.isoformat()}"
            self.rows = _statement_rows(sheet)
            self.closing = money(sheet.closing)
            self.printed_at = format_local(utc_now())

        return await load_sheet(self, fill, Permission.VIEW_PAYABLES)

