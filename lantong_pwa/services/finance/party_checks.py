"""The open items' invariants, read over a whole database (``python -m lantong_pwa check`` through
platform/integrity.py):

- **An item's open amount** is its amount less what allocations took off it: ``open = amount − Σ allocations as the
  debit + Σ allocations as the credit``.
- **Each party's open items add up to what the documents say it owes**, per branch, party and direction:
  - a supplier (应付): goods receipts − purchase returns − payments made to it;
  - a customer (应收): 挂账 payments of active settlements − money received from it (收款);
  - an insurer or manufacturer (应收): the 保险 or 三包 lines naming it on active settlements − money received from it.
  Money received or paid is a ``PartyPayment`` of that direction (its item is negative). A reopened settlement owes
  nothing: its items were taken back by reversals. A party with no items and no documents is not listed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlmodel import Session, col, func, select

from models import (
    Allocation,
    Branch,
    Counterparty,
    Customer,
    Direction,
    GoodsReceipt,
    OpenItem,
    PartyKind,
    PartyPayment,
    Payer,
    Payment,
    PaymentMethod,
    PurchaseReturn,
    Settlement,
    SettlementLine,
    SettlementStatus,
    Supplier,
    WorkOrder,
)

Key = tuple[int, str, int, str]  # branch, party kind, party id, direction
PARTY_OF_PAYER = {Payer.INSURANCE.value: PartyKind.INSURER.value, Payer.WARRANTY.value: PartyKind.MANUFACTURER.value}
NAMES = {PartyKind.SUPPLIER: Supplier, PartyKind.CUSTOMER: Customer, PartyKind.INSURER: Counterparty,
         PartyKind.MANUFACTURER: Counterparty}


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def items_against_allocations(session: Session) -> list[str]:
    """Items whose open amount is not their amount less their allocations, one line each."""
    as_debit = (select(Allocation.debit_item_id.label("item_id"), func.sum(Allocation.amount).label("total"))
                .group_by(Allocation.debit_item_id).subquery())
    as_credit = (select(Allocation.credit_item_id.label("item_id"), func.sum(Allocation.amount).label("total"))
                 .group_by(Allocation.credit_item_id).subquery())
    rows = session.exec(
        select(OpenItem.id, OpenItem.branch_id, OpenItem.number, OpenItem.amount, OpenItem.open_amount,
               as_debit.c.total, as_credit.c.total)
        .outerjoin(as_debit, as_debit.c.item_id == OpenItem.id)
        .outerjoin(as_credit, as_credit.c.item_id == OpenItem.id).order_by(OpenItem.id)).all()
    codes = dict(session.exec(select(Branch.id, Branch.code)).all())
    return [f"{codes[b]} {number} 往来{item_id}：金额¥{_money(amount)}，核销后应余¥"
            f"{_money(amount) - _money(debited) + _money(credited)}，记为¥{_money(open_amount)}"
            for item_id, b, number, amount, open_amount, debited, credited in rows
            if _money(open_amount) != _money(amount) - _money(debited) + _money(credited)]


def owed_by_documents(session: Session) -> dict[Key, Decimal]:
    """What each party owes (or is owed) by the documents alone."""
    owed: dict[Key, Decimal] = defaultdict(Decimal)
    payable, receivable = Direction.PAYABLE.value, Direction.RECEIVABLE.value
    supplier = PartyKind.SUPPLIER.value
    for b, party, total in session.exec(select(GoodsReceipt.branch_id, GoodsReceipt.supplier_id,
                                               func.sum(GoodsReceipt.total))
                                        .group_by(GoodsReceipt.branch_id, GoodsReceipt.supplier_id)).all():
        owed[(b, supplier, party, payable)] += _money(total)
    for b, party, total in session.exec(select(PurchaseReturn.branch_id, PurchaseReturn.supplier_id,
                                               func.sum(PurchaseReturn.total))
                                        .group_by(PurchaseReturn.branch_id, PurchaseReturn.supplier_id)).all():
        owed[(b, supplier, party, payable)] -= _money(total)
    for b, customer, total in session.exec(
            select(Payment.branch_id, WorkOrder.customer_id, func.sum(Payment.amount))
            .join(Settlement, Settlement.id == Payment.settlement_id)
            .join(WorkOrder, WorkOrder.id == Settlement.work_order_id)
            .where(Payment.method == PaymentMethod.ON_ACCOUNT, Settlement.status == SettlementStatus.ACTIVE)
            .group_by(Payment.branch_id, WorkOrder.customer_id)).all():
        owed[(b, PartyKind.CUSTOMER.value, customer, receivable)] += _money(total)
    for b, payer, party, total in session.exec(
            select(Settlement.branch_id, SettlementLine.payer, SettlementLine.counterparty_id,
                   func.sum(SettlementLine.net))
            .join(Settlement, Settlement.id == SettlementLine.settlement_id)
            .where(Settlement.status == SettlementStatus.ACTIVE,
                   col(SettlementLine.payer).in_(list(PARTY_OF_PAYER)))
            .group_by(Settlement.branch_id, SettlementLine.payer, SettlementLine.counterparty_id)).all():
        owed[(b, PARTY_OF_PAYER[Payer(payer).value], party or 0, receivable)] += _money(total)
    for b, kind, party, direction, total in session.exec(
            select(PartyPayment.branch_id, PartyPayment.party_kind, PartyPayment.party_id, PartyPayment.direction,
                   func.sum(PartyPayment.amount))
            .group_by(PartyPayment.branch_id, PartyPayment.party_kind, PartyPayment.party_id,
                      PartyPayment.direction)).all():
        owed[(b, PartyKind(kind).value, party, Direction(direction).value)] -= _money(total)
    return owed


def parties_against_documents(session: Session) -> list[str]:
    """Parties whose open items do not add up to what the documents say they owe, one line each."""
    open_sums: dict[Key, Decimal] = defaultdict(Decimal)
    for b, kind, party, direction, total in session.exec(
            select(OpenItem.branch_id, OpenItem.party_kind, OpenItem.party_id, OpenItem.direction,
                   func.sum(OpenItem.open_amount))
            .group_by(OpenItem.branch_id, OpenItem.party_kind, OpenItem.party_id, OpenItem.direction)).all():
        open_sums[(b, PartyKind(kind).value, party, Direction(direction).value)] += _money(total)
    owed = owed_by_documents(session)
    wrong = sorted(key for key in set(open_sums) | set(owed) if open_sums.get(key, 0) != owed.get(key, 0))
    if not wrong:
        return []
    codes = dict(session.exec(select(Branch.id, Branch.code)).all())
    lines = []
    for b, kind, party, direction in wrong:
        row = session.get(NAMES[PartyKind(kind)], party) if party else None
        name = row.name if row is not None else f"#{party}（未关联）"
        lines.append(f"{codes[b]} {PartyKind(kind).label}{name} {Direction(direction).label}：往来未清合计"
                     f"¥{open_sums.get((b, kind, party, direction), Decimal('0.00'))}，单据应为"
                     f"¥{owed.get((b, kind, party, direction), Decimal('0.00'))}")
    return lines
