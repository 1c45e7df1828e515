"""资金: the branch's money accounts with their balances (``/finance/accounts``): which method's money goes where,
transfers between accounts, new accounts and opening balances; and one account's journal
(``/finance/accounts/<id>``, 现金日记账 / 银行日记账) with its running balance."""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import cash_book
from lantong_pwa.services.platform.parsing import parse_date
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local, local_day
from models import AccountKind, User
from models.common import utc_now
from state.finance.payables import route_id
from state.platform.session import SessionState, new_request_key
from state.platform.views import money

KIND_OPTIONS = [[k.value, k.label] for k in AccountKind]


@dataclasses.dataclass
class AccountRow:
    id: str = ""
    name: str = ""
    kind: str = ""
    account_number: str = ""
    balance: str = ""
    url: str = ""


@dataclasses.dataclass
class MethodRow:
    method: str = ""
    label: str = ""
    account_id: str = ""


class MoneyAccountsState(SessionState):
    accounts: list[AccountRow] = []
    total: str = ""
    methods: list[MethodRow] = []
    can_manage: bool = False
    can_transfer: bool = False
    error: str = ""
    errors: dict[str, str] = {}
    transfer_key: str = ""
    form_version: int = 0  # a new version remounts the forms empty

    @rx.var
    def kind_options(self) -> list[list[str]]:
        return KIND_OPTIONS

    @rx.var
    def account_options(self) -> list[list[str]]:
        return [[a.id, a.name] for a in self.accounts]

    def _show(self, db: Session, actor: User | None) -> None:
        accounts = cash_book.accounts(db, actor, active_only=True)
        self.accounts = [AccountRow(id=str(a.id), name=a.name, kind=AccountKind(a.kind).label,
                                    account_number=a.account_number, balance=money(a.balance),
                                    url=f"/finance/accounts/{a.id}") for a in accounts]
        self.total = money(sum((a.balance for a in accounts), cash_book.ZERO))
        mapped = cash_book.method_accounts(db, actor)
        self.methods = [MethodRow(method=m, label=label, account_id=str(mapped.get(m, "")))
                        for m, label in cash_book.METHOD_LABELS.items()]
        self.can_manage = allows(actor, Permission.MANAGE_MONEY_ACCOUNTS)
        self.can_transfer = allows(actor, Permission.TRANSFER_MONEY)

    @rx.event
    async def load(self):
        self.errors, self.transfer_key = {}, new_request_key()
        shown = await self._in_read(self._show, page=Permission.VIEW_CASH_BOOK)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    async def _change(self, work, success: str):
        """One change as the signed-in person, then the accounts as they now are; a refusal stays by its field."""
        done = await self._in_unit(lambda db, actor: (work(db, actor), self._show(db, actor))[0])
        self.errors = done.field_errors
        if not done.ok:
            return rx.toast.error(done.error.message)
        self.form_version += 1
        return rx.toast.success(success(done.value) if callable(success) else success)

    @rx.event
    async def transfer(self, form: dict):
        """转账 with the key the form was drawn with: a double tap sends the same key twice, and moves money once."""
        key = str(form.get("request_key") or self.transfer_key)
        resent = key != self.transfer_key  # the form's second submit: the first one already moved the money
        answer = await self._change(lambda db, actor: cash_book.transfer(
            db, actor, form.get("from_account_id"), form.get("to_account_id"), form.get("amount", ""),
            form.get("note", ""), key), lambda moved: f"已转账 {money(moved.amount)}（{moved.number}）")
        if not self.errors:
            self.transfer_key = new_request_key()
        return None if resent and not self.errors else answer

    @rx.event
    async def create_account(self, form: dict):
        return await self._change(lambda db, actor: cash_book.create_account(
            db, actor, form.get("kind", ""), form.get("name", ""), form.get("account_number", "")), "已新建账户")

    @rx.event
    async def set_opening(self, form: dict):
        return await self._change(lambda db, actor: cash_book.set_opening_balance(
            db, actor, form.get("account_id"), form.get("opening", "")), "期初余额已记入")

    @rx.event
    async def map_method(self, method: str, account_id: str):
        return await self._change(lambda db, actor: cash_book.map_method(db, actor, method, account_id),
                                  "已更改收付款方式对应的账户")


@dataclasses.dataclass
class JournalRow:
    when: str = ""
    what: str = ""
    summary: str = ""
    received: str = ""
    paid: str = ""
    balance: str = ""


def _month_start(day: date) -> date:
    return day.replace(day=1)


class AccountJournalState(SessionState):
    """``/finance/accounts/<id>?from=&to=``: one account's journal for a period (this month unless chosen)."""

    found: bool = False
    error: str = ""
    name: str = ""
    kind: str = ""
    date_from: str = ""
    date_to: str = ""
    opening: str = ""
    rows: list[JournalRow] = []
    received: str = ""
    paid: str = ""
    closing: str = ""
    errors: dict[str, str] = {}

    def _period(self, values: dict) -> tuple[date, date]:
        today = local_day(utc_now())
        date_from = parse_date(str(values.get("from") or ""), "from", "开始日期") or _month_start(today)
        date_to = parse_date(str(values.get("to") or ""), "to", "结束日期") or today
        return date_from, date_to

    def _show(self, db: Session, actor: User | None, values: dict) -> None:
        book = cash_book.journal(db, actor, route_id(self.money_account), *self._period(values))
        self.name, self.kind = book.account.name, AccountKind(book.account.kind).label
        self.date_from, self.date_to = book.date_from.isoformat(), book.date_to.isoformat()
        self.opening, self.closing = money(book.opening), money(book.closing)
        self.received, self.paid = money(book.received), money(book.paid)
        self.rows = [JournalRow(when=format_local(e.created_at, "%m-%d %H:%M"),
                                what=cash_book.DOCUMENT_LABELS.get(e.document_type, e.document_type),
                                summary=e.summary, received=money(e.amount) if e.amount > 0 else "",
                                paid=money(-e.amount) if e.amount < 0 else "", balance=money(e.balance_after))
                     for e in book.entries]
        self.found = True

    @rx.event
    async def load(self):
        self.found, self.errors = False, {}
        query = dict(self.router.url.query_parameters)
        shown = await self._in_read(lambda db, actor: self._show(db, actor, query), page=Permission.VIEW_CASH_BOOK)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def choose_period(self, form: dict):
        shown = await self._in_read(lambda db, actor: self._show(db, actor, form))
        self.errors = shown.field_errors
        return None
