"""应付账款: the suppliers the shop owes with their ageing (``/payables``), one supplier's open items, payments,
pay form and statement (``/payables/<supplier id>``), and the printable 对账单 (``/payables/<id>/statement``).

Every handler reads with the signed-in person's rights (VIEW_PAYABLES; paying needs PAY_SUPPLIERS, checked by the
service); the Excel links point at ``/api/payables/…`` routes that run the same service functions. One party's
page and sheet are the shared ones (state/finance/parties.py), told which service calls to make.
"""

from __future__ import annotations

from datetime import date

import reflex as rx
from sqlmodel import Session

from lantong_pwa.services.finance import payables
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.platform.permissions import Permission, allows
from models import PartyKind, User
from state.finance.parties import (
    AgeingView,
    PartyLedgerState,
    PartyRead,
    PartyStatementSheetState,
    ageing_view,
    route_id,
    terms_text,
    today,
)
from state.platform.session import SessionState


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
        on = today()
        shown = await self._in_read(lambda db, actor: payables.supplier_ageing(db, actor, on),
                                    page=Permission.VIEW_PAYABLES)
        if shown.redirect is not None:
            return shown.redirect
        self.today = on.isoformat()
        if not shown.ok:
            self.rows, self.total, self.error = [], AgeingView(), shown.error.message
            return None
        rows, total = shown.value
        self.rows = [ageing_view(r, f"/payables/{r.party_id}") for r in rows]
        self.total, self.error = ageing_view(total), ""
        return None


class SupplierPayablesState(PartyLedgerState, SessionState):
    """``/payables/<supplier id>``: what is owed to one supplier, its open items, paying it, its statement."""

    bank_account: str = ""

    @rx.var
    def print_url(self) -> str:
        return f"/payables/{self.party_id}/statement?{self.period_query}"

    @rx.var
    def export_url(self) -> str:
        return f"/api/payables/{self.party_id}/statement.xlsx?{self.period_query}"

    def _target(self) -> int:
        return route_id(self.payee)

    def _page_permission(self) -> Permission:
        return Permission.VIEW_PAYABLES

    def _read(self, db: Session, actor: User | None, supplier_id: int, on: date, span) -> PartyRead:
        row = payables.one_supplier_ageing(db, actor, supplier_id, on)
        supplier = payables.party_row(db, actor, PartyKind.SUPPLIER, supplier_id)
        self.bank_account = supplier.bank_account
        return PartyRead(party=supplier, terms=terms_text(supplier.terms, supplier.terms_days), ageing=row,
                         items=payables.supplier_open_items(db, actor, supplier_id, on),
                         payments=payables.payments_of(db, actor, supplier_id, limit=10),
                         statement=payables.supplier_statement(db, actor, supplier_id, *span),
                         can_pay=allows(actor, Permission.PAY_SUPPLIERS))

    def _statement_of(self, db: Session, actor: User | None, supplier_id: int, span):
        return payables.supplier_statement(db, actor, supplier_id, *span)

    def _settle(self, db: Session, actor: User | None, supplier_id: int, request: PaymentRequest):
        return payables.pay_supplier(db, actor, supplier_id, request)


class StatementSheetState(PartyStatementSheetState, SessionState):
    """``/payables/<supplier id>/statement?from=&to=``: the 对账单 to print or hand to the supplier."""

    def _target(self) -> int:
        return route_id(self.payee)

    def _page_permission(self) -> Permission:
        return Permission.VIEW_PAYABLES

    def _statement_of(self, db: Session, actor: User | None, supplier_id: int, span):
        sheet = payables.supplier_statement(db, actor, supplier_id, *span)
        return sheet, payables.party_row(db, actor, PartyKind.SUPPLIER, supplier_id).branch_id
