"""Allocating (核销) open items of any party — supplier, customer, insurer, manufacturer — in either direction.

- **Parties.** Each party kind's table (its branch, name and row lock): suppliers, customers, and insurers and
  manufacturers (``Counterparty``).
- **Allocating.** A credit (a negative item: a payment or receipt, a return, a reversal) settles debits (positive
  items) of the same party, branch and direction. Debits are taken oldest first — by due date, then document date,
  then id — unless the payer chose them. Every allocation runs with the party's row locked (``locking.locked``), so
  two allocations for one party happen one after the other, and moves each item's ``open_amount`` with a
  compare-and-set UPDATE (the database's ``open_within_amount`` check refuses an over-allocation too).
- **Credits.** ``apply_credits`` settles every open credit of a party against its open debits; a return's credit
  goes to its own receipt first. A document that adds a debit (a goods receipt, a 挂账) and a payment or receipt
  call it in their own unit, so a party never keeps an open credit beside an open debit; what is left of an
  overpayment stays an open credit (预付/预收, an advance) until the next debit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.parsing import to_fen
from lantong_pwa.services.platform.permissions import require_branch
from models import (
    Allocation,
    Counterparty,
    Customer,
    Direction,
    OpenItem,
    OpenItemSource,
    PartyKind,
    PurchaseReturn,
    Supplier,
    User,
)

STALE = "往来记录已变化，请刷新后重试"

# The table behind each party kind (a party's branch, name and lock).
PARTY_MODELS: dict[PartyKind, type] = {PartyKind.SUPPLIER: Supplier, PartyKind.CUSTOMER: Customer,
                                       PartyKind.INSURER: Counterparty, PartyKind.MANUFACTURER: Counterparty}


def _party_model(party_kind: PartyKind | str) -> type:
    model = PARTY_MODELS.get(PartyKind(party_kind))
    if model is None:
        raise DomainError(f"暂不支持{PartyKind(party_kind).label}往来")
    return model


def party_row(session: Session, actor: User, party_kind: PartyKind | str, party_id: int):
    """The party, if it exists and ``actor`` may see its branch; ``NotFound`` otherwise."""
    row = session.get(_party_model(party_kind), party_id)
    if row is None or (isinstance(row, Counterparty) and row.kind != PartyKind(party_kind)):
        raise NotFound(f"{PartyKind(party_kind).label}不存在")
    require_branch(actor, row.branch_id)
    return row


def lock_party(session: Session, party_kind: PartyKind | str, party_id: int):
    """Take the party's row lock: the allocations of one party happen one after the other."""
    return locked(session, _party_model(party_kind), party_id)


def of_party(party_kind: PartyKind | str, party_id: int, direction: Direction | str, branch_id: int):
    """The party's items (every document: statements)."""
    return (OpenItem.branch_id == branch_id, OpenItem.party_kind == PartyKind(party_kind),
            OpenItem.party_id == party_id, OpenItem.direction == Direction(direction))


def open_of_party(party_kind: PartyKind | str, party_id: int, direction: Direction | str, branch_id: int):
    """The party's items with something open: ``open_amount <> 0`` said as it is lets the partial index
    ix_open_item_open serve the query."""
    return (*of_party(party_kind, party_id, direction, branch_id), OpenItem.open_amount != 0)


OLDEST_FIRST = (col(OpenItem.due_on), col(OpenItem.document_date), col(OpenItem.id))


def open_debits(session: Session, branch_id: int, party_kind: PartyKind | str, party_id: int,
                direction: Direction | str = Direction.PAYABLE) -> list[OpenItem]:
    """The party's debits with something open, oldest first."""
    return list(session.exec(select(OpenItem).where(*open_of_party(party_kind, party_id, direction, branch_id),
                                                    OpenItem.open_amount > 0)
                             .order_by(*OLDEST_FIRST).execution_options(populate_existing=True)).all())


def open_credits(session: Session, branch_id: int, party_kind: PartyKind | str, party_id: int,
                 direction: Direction | str = Direction.PAYABLE) -> list[OpenItem]:
    """The party's credits with something open, oldest first (by document date, then id)."""
    return list(session.exec(select(OpenItem).where(*open_of_party(party_kind, party_id, direction, branch_id),
                                                    OpenItem.open_amount < 0)
                             .order_by(col(OpenItem.document_date), col(OpenItem.id))
                             .execution_options(populate_existing=True)).all())


def _settle_pair(session: Session, actor: User, debit: OpenItem, credit: OpenItem, amount: Decimal) -> Allocation:
    """Take ``amount`` off ``debit`` and ``credit`` at once, each by a compare-and-set UPDATE: zero rows means an
    allocation elsewhere got there first, and the whole unit is refused."""
    for item, change, room in ((debit, -amount, OpenItem.open_amount >= amount),
                               (credit, amount, OpenItem.open_amount <= -amount)):
        done = session.execute(update(OpenItem).where(OpenItem.id == item.id, room)
                               .values(open_amount=OpenItem.open_amount + change)
                               .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise DomainError(STALE)
        item.open_amount = item.open_amount + change
    allocation = Allocation(branch_id=debit.branch_id, debit_item_id=debit.id, credit_item_id=credit.id,
                            amount=amount, user_id=actor.id)
    session.add(allocation)
    return allocation


def _spend(session: Session, actor: User, credit: OpenItem, debits: Iterable[OpenItem]) -> list[Allocation]:
    """Allocate what is open of ``credit`` to ``debits`` in their order, as far as it goes."""
    made = []
    for debit in debits:
        if credit.open_amount >= 0:
            break
        amount = min(debit.open_amount, -credit.open_amount)
        if amount > 0:
            made.append(_settle_pair(session, actor, debit, credit, amount))
    return made


def allocate(session: Session, actor: User, party_kind: PartyKind | str, party_id: int, direction: Direction | str,
             credit_item_id: int, debit_item_ids: Sequence[int] | None = None) -> list[Allocation]:
    """Allocate the open part of one credit item to the party's open debits: the chosen ones (in the order of
    ``OLDEST_FIRST``) or, without a choice, all of them oldest first. The caller has checked the actor's rights.
    A chosen item that is not an open debit of this party is refused."""
    lock_party(session, party_kind, party_id)
    credit = session.exec(select(OpenItem).where(OpenItem.id == credit_item_id)
                          .execution_options(populate_existing=True)).first()
    if credit is None or (credit.party_kind, credit.party_id, credit.direction) != (
            PartyKind(party_kind), party_id, Direction(direction)) or credit.amount >= 0:
        raise NotFound("收付款记录不存在")
    debits = open_debits(session, credit.branch_id, party_kind, party_id, direction)
    if debit_item_ids is not None:
        wanted = set(debit_item_ids)
        chosen = [item for item in debits if item.id in wanted]
        if len(chosen) != len(wanted):
            raise DomainError("所选单据已结清或不存在，请刷新后重试", field="items")
        debits = chosen
    made = _spend(session, actor, credit, debits)
    session.flush()
    return made


def _return_receipts(session: Session, credits: list[OpenItem]) -> dict[int, int]:
    """Each open return credit's receipt (credit item id → goods receipt id)."""
    return_ids = {item.source_id: item.id for item in credits if item.source == OpenItemSource.PURCHASE_RETURN}
    if not return_ids:
        return {}
    rows = session.exec(select(PurchaseReturn.id, PurchaseReturn.goods_receipt_id)
                        .where(col(PurchaseReturn.id).in_(return_ids))).all()
    return {return_ids[return_id]: receipt_id for return_id, receipt_id in rows}


def apply_credits(session: Session, actor: User, party_kind: PartyKind | str, party_id: int,
                  direction: Direction | str = Direction.PAYABLE, *, branch_id: int | None = None) -> list[Allocation]:
    """Settle the party's open credits (returns, advances) against its open debits: credits oldest first, each
    against debits oldest first — a return's credit against its own receipt first. Call it after a payment or a
    return (in the same unit); the caller has checked the actor's rights."""
    party = lock_party(session, party_kind, party_id)
    branch_id = party.branch_id if branch_id is None else branch_id
    credits = open_credits(session, branch_id, party_kind, party_id, direction)
    if not credits:
        return []
    debits = open_debits(session, branch_id, party_kind, party_id, direction)
    own_receipt = _return_receipts(session, credits)
    made = []
    for credit in credits:
        receipt_id = own_receipt.get(credit.id)
        ordered = sorted(debits, key=lambda d: 0 if (d.source == OpenItemSource.GOODS_RECEIPT
                                                      and d.source_id == receipt_id) else 1)
        made.extend(_spend(session, actor, credit, ordered))
        debits = [d for d in debits if d.open_amount > 0]
        if not debits:
            break
    session.flush()
    return made


def balance_of(session: Session, branch_id: int, party_kind: PartyKind | str, party_id: int,
               direction: Direction | str = Direction.PAYABLE) -> Decimal:
    """What is owed: the sum of the party's open amounts (= the sum of its items' amounts)."""
    return to_fen(Decimal(session.exec(select(func.coalesce(func.sum(OpenItem.open_amount), 0))
                                       .where(*open_of_party(party_kind, party_id, direction, branch_id))).one()
                          or 0))
