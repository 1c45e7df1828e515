"""往来单位 (``/finance/parties``): the branch's insurers and manufacturers with their terms, contact and what each
owes now; finance staff create, edit, retire and restore them."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import counterparties, receivables
from lantong_pwa.services.finance.counterparties import PartyForm
from lantong_pwa.services.platform.permissions import Permission
from models import PartyKind, PaymentTerms, User
from state.platform.session import SessionState
from state.platform.views import money

KIND_OPTIONS = [[k.value, k.label] for k in counterparties.KINDS]
TERMS_OPTIONS = [[PaymentTerms.CASH.value, "现结"], [PaymentTerms.MONTHLY.value, "月结（月底后N天）"],
                 [PaymentTerms.DAYS.value, "账期（开单后N天）"]]


@dataclasses.dataclass
class PartyRowView:
    id: int = 0
    kind: str = ""
    kind_label: str = ""
    name: str = ""
    contact: str = ""
    phone: str = ""
    address: str = ""
    tax_id: str = ""
    terms: str = "cash"
    terms_days: str = "0"
    terms_text: str = ""
    balance: str = ""
    active: bool = True


class CounterpartiesState(SessionState):
    parties: list[PartyRowView] = []
    show_retired: bool = False
    error: str = ""
    errors: dict[str, str] = {}
    editing_id: int = 0  # 0: the form creates a new party
    editing: PartyRowView = PartyRowView()
    form_version: int = 0  # a new version remounts the form with ``editing``'s values

    @rx.var
    def kind_options(self) -> list[list[str]]:
        return KIND_OPTIONS

    @rx.var
    def terms_options(self) -> list[list[str]]:
        return TERMS_OPTIONS

    def _show(self, db: Session, actor: User | None) -> None:
        self.parties = [PartyRowView(
            id=r.party.id, kind=PartyKind(r.party.kind).value, kind_label=PartyKind(r.party.kind).label,
            name=r.party.name, contact=r.party.contact, phone=r.party.phone, address=r.party.address,
            tax_id=r.party.tax_id, terms=PaymentTerms(r.party.terms).value, terms_days=str(r.party.terms_days),
            terms_text=receivables.terms_text(r.party.terms, r.party.terms_days), balance=money(r.open_balance),
            active=r.party.is_active)
            for r in counterparties.list_parties(db, actor, include_retired=self.show_retired)]

    @rx.event
    async def load(self):
        self.errors, self.editing_id, self.editing = {}, 0, PartyRowView()
        shown = await self._in_read(self._show, page=Permission.MANAGE_COUNTERPARTIES)
        if shown.redirect is not None:
            return shown.redirect
        self.error = "" if shown.ok else shown.error.message
        return None

    @rx.event
    async def toggle_retired(self, value: bool):
        self.show_retired = bool(value)
        shown = await self._in_read(self._show)
        self.error = "" if shown.ok else shown.error.message

    @rx.event
    def edit(self, party_id: int):
        """Fill the form with a listed party (from the rows already shown); ``save`` checks everything again."""
        row = next((r for r in self.parties if r.id == party_id), None)
        self.editing_id, self.editing = (row.id, row) if row is not None else (0, PartyRowView())
        self.errors = {}
        self.form_version += 1

    @rx.event
    def new(self):
        self.editing_id, self.editing, self.errors = 0, PartyRowView(), {}
        self.form_version += 1

    async def _change(self, work, success: str):
        done = await self._in_unit(lambda db, actor: (work(db, actor), self._show(db, actor))[0])
        self.errors = done.field_errors
        if not done.ok:
            self.error = done.error.message if "form" in self.errors else ""
            return rx.toast.error(done.error.message)
        self.error = ""
        return rx.toast.success(success)

    @rx.event
    async def save(self, form: dict):
        request = PartyForm(**{name: str(form.get(name, "") or "") for name in counterparties.FIELDS})
        party_id = self.editing_id or None
        answer = await self._change(lambda db, actor: counterparties.save_party(db, actor, party_id, request),
                                    "已保存" if party_id else "已新建")
        if not self.errors:
            self.editing_id, self.editing = 0, PartyRowView()
            self.form_version += 1
        return answer

    @rx.event
    async def set_active(self, party_id: int, active: bool):
        return await self._change(lambda db, actor: counterparties.set_active(db, actor, party_id, active),
                                  "已启用" if active else "已停用")
