"""What 应付 and 应收 screens share: the rows they show (ageing, open items, statement lines, payments), reading the
address and forms, and ``PartyLedgerState``, the mixin behind one party's page (its balance and ageing, open
items, the pay/collect form with ticked items, the statement) and ``PartyStatementSheetState``, the mixin behind its
printable 对账单. A page's state names the party, the permission and the service calls; the rest is here.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import ageing, statements
from lantong_pwa.services.finance.open_items import OpenItemView
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.platform.parsing import parse_date
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.timezone import format_local, local_day
from models import Branch, PartyPayment, PartyPaymentMethod, PaymentTerms, User
from models.common import utc_now
from state.platform.printable import load_sheet
from state.platform.session import SessionState, new_request_key
from state.platform.views import Letterhead, letterhead, money

METHOD_OPTIONS = [[m.value, m.label] for m in PartyPaymentMethod]
ITEM_FIELD = "item."  # a chosen item's checkbox: item.<open item id>


def today() -> date:
    return local_day(utc_now())


@dataclasses.dataclass
class AgeingView:
    party_id: int = 0
    name: str = ""
    kind: str = ""  # 客户, 保险公司 …
    buckets: list[str] = dataclasses.field(default_factory=list)
    credits: str = ""
    balance: str = ""
    overdue: bool = False
    url: str = ""


def ageing_view(row: ageing.AgeingRow, url: str = "") -> AgeingView:
    return AgeingView(party_id=row.party_id, name=row.name, kind=row.party_kind.label if row.party_kind else "",
                      buckets=[money(b) for b in row.buckets], credits=money(row.credits),
                      balance=money(row.balance), overdue=row.overdue > 0, url=url)


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


def item_rows(views: list[OpenItemView]) -> list[ItemRow]:
    return [ItemRow(id=v.id, kind=v.kind or v.source.label, number=v.number,
                    document_date=v.document_date.isoformat(), due_on=v.due_on.isoformat(), amount=money(v.amount),
                    open_amount=money(v.open_amount), open_value=str(v.open_amount),
                    overdue=f"逾期{v.days_overdue}天" if v.days_overdue else "", is_debit=v.open_amount > 0)
            for v in views]


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


def statement_rows(sheet: statements.Statement) -> list[StatementRow]:
    rows = [StatementRow(day=sheet.date_from.isoformat(), kind="期初余额", balance=money(sheet.opening))]
    rows += [StatementRow(day=line.document_date.isoformat(), kind=line.kind or line.source.label,
                          number=line.number, summary=line.summary,
                          increase=money(line.increase) if line.increase else "",
                          decrease=money(line.decrease) if line.decrease else "",
                          change=f"+{money(line.increase)}" if line.increase else f"−{money(line.decrease)}",
                          balance=money(line.balance))
             for line in sheet.lines]
    rows.append(StatementRow(kind="本期合计", increase=money(sheet.increases), decrease=money(sheet.decreases),
                             change=f"+{money(sheet.increases)} / −{money(sheet.decreases)}"))
    rows.append(StatementRow(day=sheet.date_to.isoformat(), kind="期末余额", balance=money(sheet.closing)))
    return rows


@dataclasses.dataclass
class PaymentView:
    number: str = ""
    when: str = ""
    method: str = ""
    amount: str = ""
    reference: str = ""


def payment_views(payments: list[PartyPayment]) -> list[PaymentView]:
    return [PaymentView(number=p.number, when=format_local(p.created_at), method=PartyPaymentMethod(p.method).label,
                        amount=money(p.amount), reference=p.reference) for p in payments]


def terms_text(terms: str, days: int) -> str:
    match PaymentTerms(terms):
        case PaymentTerms.CASH:
            return "现结"
        case PaymentTerms.MONTHLY:
            return f"月结{days}天"
        case PaymentTerms.DAYS:
            return f"账期{days}天"


def period(form: dict, on: date) -> tuple[date, date]:
    date_from = parse_date(str(form.get("from") or ""), "from", "开始日期")
    date_to = parse_date(str(form.get("to") or ""), "to", "结束日期")
    return statements.statement_period(date_from, date_to, on)


def route_id(text) -> int:
    """The party id in the address (``/payables/<id>``); 0 (found by nobody) when it is not a number."""
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


@dataclasses.dataclass
class PartyRead:
    """What one party's page shows, as a page state's ``_read`` returns it."""

    party: object  # the row (a supplier, a customer, a counterparty)
    terms: str
    ageing: ageing.AgeingRow
    items: list[OpenItemView]
    payments: list[PartyPayment]
    statement: statements.Statement
    can_pay: bool


class PartyLedgerState(SessionState, mixin=True):
    """One party's page: what is owed, its open items, the pay/collect form and its statement. A page state names
    ``PERMISSION`` (to open it), ``DONE`` (the toast after paying: "已付款" / "已收款") and implements ``_target``
    (the party in the address), ``_read`` and ``_settle`` with its service calls."""

    found: bool = False
    error: str = ""
    party_id: int = 0
    name: str = ""
    terms: str = ""
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
        return list(ageing.AGE_BUCKETS)

    @rx.var
    def chosen_total(self) -> str:
        total = sum((Decimal(i.open_value) for i in self.items if i.id in self.chosen), Decimal("0"))
        return f"{total:.2f}" if self.chosen else ""

    @rx.var
    def period_query(self) -> str:
        return urlencode({"from": self.statement_from, "to": self.statement_to})

    # --- what a page state says ---

    def _target(self):
        raise NotImplementedError

    def _read(self, db: Session, actor: User | None, target, on: date, span: tuple[date, date]) -> PartyRead:
        raise NotImplementedError

    def _statement_of(self, db: Session, actor: User | None, target, span: tuple[date, date]) -> statements.Statement:
        raise NotImplementedError

    def _settle(self, db: Session, actor: User | None, target, request: PaymentRequest) -> PartyPayment:
        raise NotImplementedError

    def _page_permission(self) -> Permission:
        raise NotImplementedError

    def _done_word(self) -> str:
        return "已付款"

    # --- shared ---

    def _show(self, db: Session, actor: User | None, target, span: tuple[date, date]) -> None:
        shown = self._read(db, actor, target, today(), span)
        self.party_id = shown.party.id
        self.name = shown.party.name
        self.terms = shown.terms
        self.balance = money(shown.ageing.balance)
        self.ageing = [money(b) for b in shown.ageing.buckets]
        self.credits = money(shown.ageing.credits) if shown.ageing.credits else ""
        self.items = item_rows(shown.items)
        self.chosen = [i for i in self.chosen if any(item.id == i and item.is_debit for item in self.items)]
        self.payments = payment_views(shown.payments)
        self.can_pay = shown.can_pay
        self.statement_from, self.statement_to = span[0].isoformat(), span[1].isoformat()
        self.statement = statement_rows(shown.statement)
        self._shown(db, actor, target)
        self.found = True

    def _shown(self, db: Session, actor: User | None, target) -> None:
        """What a page adds after the shared part (the statement links of a customer)."""

    @rx.event
    async def load(self):
        self.found, self.error, self.pay_errors, self.statement_error = False, "", {}, ""
        self.chosen = []
        self.pay_key = new_request_key()
        self.form_version += 1
        target = self._target()
        shown = await self._in_read(lambda db, actor: self._show(db, actor, target, period({}, today())),
                                    page=self._page_permission())
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
        """付款/收款 with what the form holds: the amount, method, voucher and the items ticked (none: oldest
        first). The party is the one in the address, never a state var a browser could set."""
        self.pay_errors = {}
        request = PaymentRequest(method=str(form.get("method") or self.pay_method), amount=str(form.get("amount", "")),
                                 request_key=str(form.get("request_key", "") or self.pay_key),
                                 item_ids=tuple(self.chosen) or chosen_items(form),
                                 reference=str(form.get("reference", "")), note=str(form.get("note", "")))
        target = self._target()
        done = await self._in_unit(lambda db, actor: self._settle(db, actor, target, request))
        if not done.ok:
            self.pay_errors = done.field_errors
            return rx.toast.error(done.error.message)
        paid = done.value
        if request.request_key != self.pay_key:
            return None  # a double tap's second submit found the first one's result: its toast was shown
        self.pay_key = new_request_key()
        self.chosen = []
        self.form_version += 1
        on = today()
        try:  # the statement on screen, up to today so that it shows the payment
            span = (date.fromisoformat(self.statement_from), max(date.fromisoformat(self.statement_to), on))
        except ValueError:
            span = statements.statement_period(None, None, on)
        await self._in_read(lambda db, actor: self._show(db, actor, target, span))
        return rx.toast.success(f"{self._done_word()} {money(paid.amount)}（{paid.number}）")

    @rx.event
    async def show_statement(self, form: dict):
        self.statement_error = ""
        target = self._target()

        def read(db, actor):
            span = period(form, today())
            return span, self._statement_of(db, actor, target, span)

        shown = await self._in_read(read)
        if not shown.ok:
            self.statement_error = shown.error.message
            return None
        span, sheet = shown.value
        self.statement_from, self.statement_to = span[0].isoformat(), span[1].isoformat()
        self.statement = statement_rows(sheet)
        return None


class PartyStatementSheetState(SessionState, mixin=True):
    """A party's printable 对账单 (``…/statement?from=&to=``)."""

    found: bool = False
    error: str = ""
    head: Letterhead = Letterhead()
    party_name: str = ""
    period: str = ""
    rows: list[StatementRow] = []
    closing: str = ""
    printed_at: str = ""

    def _target(self):
        raise NotImplementedError

    def _statement_of(self, db: Session, actor: User | None, target, span: tuple[date, date]
                      ) -> tuple[statements.Statement, int]:
        """The statement and the party's branch."""
        raise NotImplementedError

    def _page_permission(self) -> Permission:
        raise NotImplementedError

    @rx.event
    async def load(self):
        query = self.router.url.query_parameters
        target = self._target()

        def fill(db: Session, actor: User | None) -> None:
            span = period({"from": query.get("from", ""), "to": query.get("to", "")}, today())
            sheet, branch_id = self._statement_of(db, actor, target, span)
            self.head = letterhead(db.get(Branch, branch_id))
            self.party_name = sheet.name
            self.period = f"{sheet.date_from.isoformat()} 至 {sheet.date_to.isoformat()}"
            self.rows = statement_rows(sheet)
            self.closing = money(sheet.closing)
            self.printed_at = format_local(utc_now())

        return await load_sheet(self, fill, self._page_permission())
