"""发票 (``/finance/invoices``): the invoices issued and received in a period, the settlements and supplier receipts
not yet (fully) invoiced, and the forms: issue against a settlement's share (opened from the list, or from the
cashier's screen with ``?settlement=<number>``), 红冲 an invoice, receive a supplier's invoice against its receipts.

Every handler reads with the signed-in person's rights (VIEW_INVOICES); issuing, receiving and 红冲 are checked
again by the service (ISSUE_INVOICES, RECEIVE_INVOICES, REVERSE_INVOICES). The Excel links point at
``/api/invoices/…`` routes that run the same queries.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import invoices
from lantong_pwa.services.finance.invoices import IssueRequest, ReceiptIssueRequest, ReceiveRequest, ReverseRequest
from lantong_pwa.services.platform.parsing import parse_date
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import format_local, local_day
from models import InvoiceKind, User
from models.common import utc_now
from state.finance.parties import chosen_items
from state.platform.session import SessionState, new_request_key
from state.platform.views import money

TABS = [["issued", "已开发票"], ["received", "已收发票"], ["to_issue", "待开票"], ["to_receive", "待收票"]]
KIND_OPTIONS = [[k.value, k.label] for k in InvoiceKind]


def _today() -> date:
    return local_day(utc_now())


@dataclasses.dataclass
class InvoiceView:
    id: int = 0
    number: str = ""
    kind: str = ""
    title: str = ""
    tax_id: str = ""
    amount: str = ""
    tax: str = ""
    documents: str = ""
    when: str = ""
    red: bool = False
    note: str = ""  # "红冲 <original>", a reason, "已红冲 ¥x"
    reversible: str = ""  # what is left to 红冲, "" when nothing


@dataclasses.dataclass
class TodoView:
    source_id: int = 0
    number: str = ""
    day: str = ""
    party: str = ""
    share: str = ""
    share_key: str = ""
    amount: str = ""
    invoiced: str = ""
    remaining: str = ""


@dataclasses.dataclass
class ShareOption:
    key: str = ""
    label: str = ""
    title: str = ""
    tax_id: str = ""
    remaining: str = ""


@dataclasses.dataclass
class ReceiptOption:
    id: int = 0
    number: str = ""
    day: str = ""
    remaining: str = ""
    value: str = "0"


def _invoice_view(row: invoices.InvoiceRow) -> InvoiceView:
    invoice = row.invoice
    if invoice.reverses_id:
        note = f"红冲 {row.reverses}：{invoice.difference_reason}"
    elif invoice.reversed_amount > 0:
        note = f"已红冲 {money(invoice.reversed_amount)}"
    else:
        note = f"差异原因：{invoice.difference_reason}" if invoice.difference_reason else ""
    return InvoiceView(id=invoice.id, number=invoice.number, kind=InvoiceKind(invoice.kind).label,
                       title=invoice.title, tax_id=invoice.tax_id, amount=money(invoice.amount),
                       tax=money(invoice.tax), documents=row.documents, when=format_local(invoice.created_at),
                       red=invoice.amount < 0, note=note, reversible=money(row.reversible) if row.reversible > 0 else "")


def _todo_view(row: invoices.NotInvoiced) -> TodoView:
    return TodoView(source_id=row.source_id, number=row.number, day=row.day.isoformat(), party=row.party,
                    share=row.share.label, share_key=row.share_key, amount=money(row.amount),
                    invoiced=money(row.invoiced), remaining=money(row.remaining))


class InvoicesState(SessionState):
    """``/finance/invoices?tab=&settlement=``."""

    tab: str = "issued"
    date_from: str = ""
    date_to: str = ""
    text: str = ""
    error: str = ""
    errors: dict[str, str] = {}
    rows: list[InvoiceView] = []
    todo: list[TodoView] = []
    todo_total: str = ""
    todo_truncated: bool = False
    can_issue: bool = False
    can_receive: bool = False
    can_reverse: bool = False
    form_version: int = 0  # a new version remounts the forms empty

    # the issue form
    issuing: bool = False
    settlement_id: int = 0
    settlement_number: str = ""
    shares: list[ShareOption] = []
    share_key: str = ""
    issue_key: str = ""

    # the 按收款开票 form
    receipt_issuing: bool = False
    receipt_key: str = ""

    # the 红冲 form
    reversing_id: int = 0
    reversing_number: str = ""
    reversing_left: str = ""
    reverse_key: str = ""

    # the receive form
    suppliers: list[list[str]] = []
    supplier_id: str = ""
    receipts: list[ReceiptOption] = []
    receive_key: str = ""

    @rx.var
    def tabs(self) -> list[list[str]]:
        return TABS

    @rx.var
    def kind_options(self) -> list[list[str]]:
        return KIND_OPTIONS

    @rx.var
    def share_title(self) -> str:
        return next((s.title for s in self.shares if s.key == self.share_key), "")

    @rx.var
    def share_tax_id(self) -> str:
        return next((s.tax_id for s in self.shares if s.key == self.share_key), "")

    @rx.var
    def share_remaining(self) -> str:
        return next((s.remaining for s in self.shares if s.key == self.share_key), "")

    @rx.var
    def listing(self) -> bool:
        return self.tab in ("issued", "received")

    @rx.var
    def export_url(self) -> str:
        if self.tab not in ("to_issue", "to_receive"):
            return ""
        query = urlencode({"from": self.date_from, "to": self.date_to, "party": self.text})
        return f"/api/invoices/{'not-issued' if self.tab == 'to_issue' else 'not-received'}.xlsx?{query}"

    def _period(self, values: dict) -> tuple[date, date]:
        date_from = parse_date(str(values.get("from") or ""), "from", "开始日期")
        date_to = parse_date(str(values.get("to") or ""), "to", "结束日期")
        return invoices.period(date_from, date_to, _today())

    def _show(self, db: Session, actor: User | None, values: dict) -> None:
        date_from, date_to = self._period(values)
        text = str(values.get("text") or "").strip()[:40]
        self.can_issue = allows(actor, Permission.ISSUE_INVOICES)
        self.can_receive = allows(actor, Permission.RECEIVE_INVOICES)
        self.can_reverse = allows(actor, Permission.REVERSE_INVOICES)
        if self.tab in ("issued", "received"):
            found = invoices.invoices(db, actor, self.tab, date_from, date_to, text)
            self.rows, self.todo, self.todo_total, self.todo_truncated = [_invoice_view(r) for r in found], [], "", False
        else:
            query = invoices.not_issued if self.tab == "to_issue" else invoices.not_received
            report = query(db, actor, date_from, date_to, text)
            self.rows = []
            self.todo = [_todo_view(r) for r in report.rows]
            self.todo_total = money(report.remaining)
            self.todo_truncated = report.truncated
        self.date_from, self.date_to, self.text = date_from.isoformat(), date_to.isoformat(), text

    def _open_issue(self, db: Session, actor: User | None, settlement_id: int, share_key: str = "") -> None:
        settlement, shares = invoices.settlement_for_invoicing(db, actor, settlement_id)
        self.settlement_id, self.settlement_number = settlement.id, settlement.number
        self.shares = [ShareOption(key=s.key, label=f"{s.share.label} {s.party_name}".strip() + f"（未开票{money(s.remaining)}）",
                                   title=s.title, tax_id=s.tax_id, remaining=f"{s.remaining:.2f}")
                       for s in shares if s.remaining > 0]
        keys = [s.key for s in self.shares]
        self.share_key = share_key if share_key in keys else (keys[0] if keys else "")
        self.issuing = True
        self.issue_key = new_request_key()
        self.form_version += 1

    @rx.event
    async def load(self):
        query = dict(self.router.url.query_parameters)
        self.tab = query.get("tab") if query.get("tab") in dict(TABS) else "issued"
        self.errors, self.issuing, self.reversing_id, self.supplier_id, self.receipts = {}, False, 0, "", []
        number = str(query.get("settlement") or "").strip()

        def show(db: Session, actor: User | None) -> None:
            self._show(db, actor, query)
            self.suppliers = [[str(i), name] for i, name in invoices.supplier_choices(db, actor)]
            if number:
                self._open_issue(db, actor, invoices.settlement_by_number(db, actor, number).id)

        shown = await self._in_read(show, page=Permission.VIEW_INVOICES)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        self.receive_key = new_request_key()
        return None

    @rx.event
    async def choose_tab(self, tab: str):
        self.tab = tab if tab in dict(TABS) else "issued"
        self.errors = {}
        values = {"from": self.date_from, "to": self.date_to, "text": ""}
        shown = await self._in_read(lambda db, actor: self._show(db, actor, values))
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    async def search(self, form: dict):
        shown = await self._in_read(lambda db, actor: self._show(db, actor, form))
        self.errors = shown.field_errors
        return None

    def _refresh(self, db: Session, actor: User | None) -> None:
        self._show(db, actor, {"from": self.date_from, "to": self.date_to, "text": self.text})

    # --- issuing ---

    @rx.event
    async def open_issue(self, settlement_id: int, share_key: str):
        self.errors, self.reversing_id = {}, 0
        shown = await self._in_read(lambda db, actor: self._open_issue(db, actor, int(settlement_id), share_key))
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    def choose_share(self, key: str):
        self.share_key = key
        self.form_version += 1  # the title, tax ID and amount take the share's

    @rx.event
    def close_forms(self):
        self.issuing, self.receipt_issuing, self.reversing_id, self.errors = False, False, 0, {}

    @rx.event
    def open_receipt_issue(self):
        self.issuing, self.reversing_id, self.errors = False, 0, {}
        self.receipt_issuing, self.receipt_key = True, new_request_key()
        self.form_version += 1

    @rx.event
    async def issue_receipt(self, form: dict):
        """开票 for a receipt (收款单号 SK…): what it paid for, as one invoice."""
        def work(db: Session, actor: User | None, key: str):
            return invoices.issue_for_receipt(db, actor, ReceiptIssueRequest(
                receipt_number=str(form.get("receipt_number", "")), number=str(form.get("number", "")),
                kind=str(form.get("kind", "")), title=str(form.get("title", "")), request_key=key,
                tax_id=str(form.get("tax_id", ""))))

        made, shown = await self._submit("receipt_key", form, work,
                                         lambda made: f"已开票 {money(made.amount)}（{made.number}）")
        if made is not None:
            self.receipt_issuing = False
        return shown

    async def _submit(self, key_name: str, form: dict, work, told):
        """One form's change under the key the form was drawn with, then the lists as they now are. A double tap
        sends the same key twice: the second finds the first's result and says nothing more. ``told(result)`` is
        the success message; a refusal stays beside its field. Returns the result (None when refused or resent)
        and what to show."""
        key = str(form.get("request_key") or getattr(self, key_name))
        resent = key != getattr(self, key_name)

        def run(db: Session, actor: User | None):
            made = work(db, actor, key)
            self._refresh(db, actor)
            return made

        done = await self._in_unit(run)
        self.errors = done.field_errors if not done.ok else {}
        if resent:
            return None, None
        if not done.ok:
            return None, rx.toast.error(done.error.message)
        setattr(self, key_name, new_request_key())
        self.form_version += 1
        return done.value, rx.toast.success(told(done.value))

    @rx.event
    async def issue(self, form: dict):
        """开票 with what the form holds (the share, number, kind, title, tax ID and amount)."""
        def work(db: Session, actor: User | None, key: str):
            return invoices.issue(db, actor, IssueRequest(
                settlement_id=self.settlement_id, number=str(form.get("number", "")), kind=str(form.get("kind", "")),
                title=str(form.get("title", "")), request_key=key, share=str(form.get("share") or self.share_key),
                tax_id=str(form.get("tax_id", "")), amount=str(form.get("amount", ""))))

        made, shown = await self._submit("issue_key", form, work,
                                         lambda made: f"已开票 {money(made.amount)}（{made.number}）")
        if made is not None:
            self.issuing = False
        return shown

    # --- 红冲 ---

    @rx.event
    def open_reverse(self, invoice_id: int):
        row = next((r for r in self.rows if r.id == int(invoice_id)), None)
        if row is None or not row.reversible:
            return None
        self.issuing, self.errors = False, {}
        self.reversing_id, self.reversing_number, self.reversing_left = row.id, row.number, row.reversible
        self.reverse_key = new_request_key()
        self.form_version += 1
        return None

    @rx.event
    async def reverse(self, form: dict):
        """红冲 the invoice the form was opened for: the red invoice's number, the amount (empty: all), the reason."""
        def work(db: Session, actor: User | None, key: str):
            return invoices.reverse(db, actor, ReverseRequest(
                invoice_id=self.reversing_id, number=str(form.get("number", "")), reason=str(form.get("reason", "")),
                request_key=key, amount=str(form.get("amount", ""))))

        made, shown = await self._submit("reverse_key", form, work,
                                         lambda red: f"已红冲 {money(-red.amount)}（{red.number}）")
        if made is not None:
            self.reversing_id = 0
        return shown

    # --- receiving ---

    def _show_receipts(self, db: Session, actor: User | None) -> None:
        if not self.supplier_id.isdigit():
            self.receipts = []
            return
        _supplier, values = invoices.open_receipts(db, actor, int(self.supplier_id))
        self.receipts = [ReceiptOption(id=v.receipt.id, number=v.receipt.number,
                                       day=local_day(v.receipt.created_at).isoformat(), remaining=money(v.remaining),
                                       value=f"{v.remaining:.2f}") for v in values]

    @rx.event
    async def choose_supplier(self, supplier_id: str):
        self.supplier_id, self.errors = str(supplier_id or ""), {}
        self.receive_key = new_request_key()
        self.form_version += 1
        shown = await self._in_read(self._show_receipts)
        self.error = "" if shown.ok else shown.error.message
        if not shown.ok:
            self.receipts = []

    @rx.event
    async def receive(self, form: dict):
        """收票 against the receipts ticked on the form (``item.<receipt id>``)."""
        def work(db: Session, actor: User | None, key: str):
            made = invoices.receive(db, actor, ReceiveRequest(
                supplier_id=int(self.supplier_id) if self.supplier_id.isdigit() else 0,
                receipt_ids=chosen_items(form), number=str(form.get("number", "")), kind=str(form.get("kind", "")),
                amount=str(form.get("amount", "")), tax=str(form.get("tax", "")), request_key=key,
                tax_id=str(form.get("tax_id", "")), reason=str(form.get("reason", "")),
                partial=form.get("partial") not in (None, "", False, "off")))
            self._show_receipts(db, actor)
            return made

        _made, shown = await self._submit("receive_key", form, work,
                                          lambda made: f"已收票 {money(made.amount)}（{made.number}）")
        return shown
