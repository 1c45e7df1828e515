"""应收账款: the parties owing the shop with their ageing (``/finance/receivables``, by kind), one party's open items,
receipts, collect form, statement and — for a customer — its monthly statement links
(``/finance/receivables/<kind>-<id>``), and the printable 对账单 (``…/statement``).

Every handler reads with the signed-in person's rights (VIEW_RECEIVABLES; collecting and sending a statement link
need COLLECT, checked by the services). The party is the one in the address, never a state var.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx
from sqlmodel import Session

from lantong_pwa.errors import NotFound
from lantong_pwa.services.finance import collecting, statement_links
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local
from models import PartyKind, StatementLinkStatus, User
from state.finance.parties import (
    AgeingView,
    PartyLedgerState,
    PartyRead,
    PartyStatementSheetState,
    ageing_view,
    terms_text,
    today,
)
from state.platform.session import SessionState, new_request_key
from state.platform.views import money

KIND_OPTIONS = [["all", "全部"], *([k.value, k.label] for k in collecting.DEBTORS)]


def party_address(kind: PartyKind | str, party_id: int) -> str:
    return f"{PartyKind(kind).value}-{party_id}"


def parse_address(text) -> tuple[str, int]:
    """``customer-12`` → ("customer", 12); ("", 0), found by nobody, when it is anything else."""
    kind, _, number = str(text or "").partition("-")
    if kind in {k.value for k in collecting.DEBTORS} and number.isascii() and number.isdigit() and len(number) < 10:
        return kind, int(number)
    return "", 0


def last_month(on: date) -> str:
    first = on.replace(day=1)
    previous = date(first.year - 1, 12, 1) if first.month == 1 else first.replace(month=first.month - 1)
    return f"{previous:%Y-%m}"


class ReceivablesState(SessionState):
    """``/finance/receivables``: every party owing the shop, most overdue first, and the total; filtered by kind."""

    kind: str = "all"
    rows: list[AgeingView] = []
    total: AgeingView = AgeingView()
    today: str = ""
    error: str = ""

    @rx.var
    def bucket_labels(self) -> list[str]:
        return list(collecting.ageing.AGE_BUCKETS)

    @rx.var
    def kind_options(self) -> list[list[str]]:
        return KIND_OPTIONS

    @rx.var
    def export_url(self) -> str:
        return "/api/ageing.xlsx?direction=receivable" + ("" if self.kind == "all" else f"&kind={self.kind}")

    async def _fill(self, page: Permission | None):
        on = today()
        kind = None if self.kind == "all" else self.kind
        shown = await self._in_read(lambda db, actor: collecting.receivable_ageing(db, actor, on, party_kind=kind),
                                    page=page)
        if shown.redirect is not None:
            return shown.redirect
        self.today = on.isoformat()
        if not shown.ok:
            self.rows, self.total, self.error = [], AgeingView(), shown.error.message
            return None
        rows, total = shown.value
        self.rows = [ageing_view(r, f"/finance/receivables/{party_address(r.party_kind, r.party_id)}") for r in rows]
        self.total, self.error = ageing_view(total), ""
        return None

    @rx.event
    async def load(self):
        return await self._fill(Permission.VIEW_RECEIVABLES)

    @rx.event
    async def choose_kind(self, kind: str):
        self.kind = kind if kind in {k for k, _ in KIND_OPTIONS} else "all"
        return await self._fill(None)


@dataclasses.dataclass
class LinkView:
    month: str = ""
    status: str = ""  # sent / confirmed / disputed
    label: str = ""
    note: str = ""
    answered: str = ""  # when, with the balance answered on
    sent: str = ""


class ReceivablePartyState(PartyLedgerState, SessionState):
    """``/finance/receivables/<kind>-<id>``: what one customer, insurer or manufacturer owes, its open items,
    collecting, its statement and (a customer) its statement links."""

    kind_label: str = ""
    is_customer: bool = False
    can_send: bool = False
    link_month: str = ""
    link_key: str = ""  # the link form's request key (a message queued once)
    link_url: str = ""
    link_error: str = ""
    links: list[LinkView] = []

    @rx.var
    def address(self) -> str:
        kind, party_id = parse_address(self.debtor)
        return party_address(kind, party_id) if kind else ""

    @rx.var
    def print_url(self) -> str:
        return f"/finance/receivables/{self.address}/statement?{self.period_query}"

    @rx.var
    def export_url(self) -> str:
        return f"/api/receivables/{self.address}/statement.xlsx?{self.period_query}"

    def _target(self) -> tuple[str, int]:
        return parse_address(self.debtor)

    def _page_permission(self) -> Permission:
        return Permission.VIEW_RECEIVABLES

    def _done_word(self) -> str:
        return "已收款"

    def _read(self, db: Session, actor: User | None, target, on: date, span) -> PartyRead:
        kind, party_id = target
        party = collecting.debtor(db, actor, kind, party_id)
        self.kind_label = PartyKind(kind).label
        self.is_customer = PartyKind(kind) == PartyKind.CUSTOMER
        terms = terms_text(party.terms, party.terms_days) if hasattr(party, "terms") else ""
        return PartyRead(party=party, terms=terms, ageing=collecting.one_ageing(db, actor, kind, party_id, on),
                         items=collecting.open_items_of(db, actor, kind, party_id, on),
                         payments=collecting.receipts_of(db, actor, kind, party_id, limit=10),
                         statement=collecting.statement(db, actor, kind, party_id, *span),
                         can_pay=allows(actor, Permission.COLLECT))

    def _shown(self, db: Session, actor: User | None, target) -> None:
        kind, party_id = target
        self.can_send = self.is_customer and allows(actor, Permission.COLLECT)
        self.links = [_link_view(link) for link in statement_links.links_of(db, actor, party_id)] \
            if self.is_customer else []
        if not self.link_month:
            self.link_month = last_month(today())
        if not self.link_key:
            self.link_key = new_request_key()

    def _statement_of(self, db: Session, actor: User | None, target, span):
        kind, party_id = target
        return collecting.statement(db, actor, kind, party_id, *span)

    def _settle(self, db: Session, actor: User | None, target, request: PaymentRequest):
        kind, party_id = target
        return collecting.collect(db, actor, kind, party_id, request)

    @rx.event
    async def send_link(self, form: dict):
        """对账确认链接 for the month chosen: made (or its expiry renewed) and shown to copy and send."""
        self.link_error, self.link_url = "", ""
        kind, party_id = self._target()
        month = str(form.get("month", "") or "")
        texted = form.get("text") not in (None, "", False, "off")
        text_key = str(form.get("request_key", "") or self.link_key) if texted else ""

        def send(db: Session, actor: User | None):
            if kind != PartyKind.CUSTOMER.value:
                raise NotFound("只有客户可以发送对账确认链接")
            link, url = statement_links.send(db, actor, party_id, month, text_key=text_key)
            return url, [_link_view(x) for x in statement_links.links_of(db, actor, party_id)]

        done = await self._in_unit(send)
        if not done.ok:
            self.link_error = done.error.message
            return None
        self.link_url, self.links = done.value
        self.link_month = month
        if text_key and text_key != self.link_key:
            return None  # a double tap's second submit: the message was queued once and told once
        self.link_key = new_request_key()
        return rx.toast.success("对账确认链接已生成并已发送短信" if text_key else "对账确认链接已生成，可复制发送给客户")


def _link_view(link) -> LinkView:
    status = StatementLinkStatus(link.status)
    answered = f"{format_local(link.answered_at)} · 余额 {money(link.answered_closing)}" if link.answered_at else ""
    return LinkView(month=f"{link.month:%Y-%m}", status=status.value, label=status.label, note=link.note,
                    answered=answered, sent=format_local(link.sent_at))


class ReceivableSheetState(PartyStatementSheetState, SessionState):
    """``/finance/receivables/<kind>-<id>/statement?from=&to=``: the 对账单 to print or hand over."""

    def _target(self) -> tuple[str, int]:
        return parse_address(self.debtor)

    def _page_permission(self) -> Permission:
        return Permission.VIEW_RECEIVABLES

    def _statement_of(self, db: Session, actor: User | None, target, span):
        kind, party_id = target
        party = collecting.debtor(db, actor, kind, party_id)
        return collecting.statement(db, actor, kind, party_id, *span), party.branch_id

