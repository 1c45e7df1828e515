"""Money between the shop and a party: a payment to a supplier (付款, payable) or a receipt (收款, receivable) from a
customer, an insurer or a manufacturer. One code path for both directions:

- one ``PartyPayment`` and its negative open item (the credit allocations use), numbered FK… (付款) or SK… (收款);
- the credit allocated to the items chosen, or oldest first, then every open credit of the party applied
  (allocation.py); what is left stays open as an advance (预付/预收) that the party's next item or allocation uses;
- the money posted to the method's account in the cash book (out for a payment, in for a receipt);
- audited; a resent request key finds the first and posts nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.finance import allocation, cash_book, open_items
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.timezone import local_day
from models import Direction, OpenItemSource, PartyKind, PartyPayment, PartyPaymentMethod, User
from models.common import utc_now

MAX_CHOSEN = 200
PREFIX = {Direction.PAYABLE: "FK", Direction.RECEIVABLE: "SK"}  # 付款单, 收款单
WORD = {Direction.PAYABLE: "付款", Direction.RECEIVABLE: "收款"}
CASH_BOOK_DOCUMENT = {Direction.PAYABLE: "party_payment", Direction.RECEIVABLE: "party_receipt"}
AUDIT_ACTION = {Direction.PAYABLE: "party_payment.pay", Direction.RECEIVABLE: "party_payment.collect"}


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: str
    request_key: str
    item_ids: tuple[int, ...] = ()  # the debits chosen to settle; empty: oldest first
    reference: str = ""  # bank slip or voucher number
    note: str = ""


def _earlier(session: Session, branch_id: int, key: str) -> PartyPayment | None:
    return session.exec(select(PartyPayment).where(PartyPayment.branch_id == branch_id,
                                                   PartyPayment.request_key == key)).first()


def _validated(request: PaymentRequest, direction: Direction) -> tuple[PartyPaymentMethod, object, str, str, tuple]:
    word = WORD[direction]
    errors: dict[str, str] = {}
    method = None
    try:
        method = PartyPaymentMethod(request.method)
    except ValueError:
        errors["method"] = f"请选择{word}方式"
    amount = None
    try:
        amount = to_fen(parse_decimal(request.amount, "amount", f"{word}金额"))
        if amount <= 0:
            errors["amount"] = f"{word}金额应大于0"
    except DomainError as error:
        errors["amount"] = error.message
    reference, note = (request.reference or "").strip(), (request.note or "").strip()
    if len(reference) > 64:
        errors["reference"] = "凭证号最多64个字"
    if len(note) > 200:
        errors["note"] = "备注最多200个字"
    chosen = tuple(dict.fromkeys(int(i) for i in request.item_ids))
    if len(chosen) > MAX_CHOSEN:
        errors["items"] = f"一次最多选择{MAX_CHOSEN}张单据"
    if errors:
        raise FormErrors(errors)
    return method, amount, reference, note, chosen


def record(session: Session, actor: User, party_kind: PartyKind, party, direction: Direction,
           request: PaymentRequest) -> PartyPayment:
    """Record a payment to (payable) or a receipt from (receivable) ``party``, which the caller found with the
    actor's rights (``allocation.party_row``) after checking the permission. A resent request key returns the
    first payment."""
    key = (request.request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    earlier = _earlier(session, party.branch_id, key)
    if earlier is not None:
        return earlier
    method, amount, reference, note, chosen = _validated(request, direction)

    allocation.lock_party(session, party_kind, party.id)  # payments of one party one after the other
    earlier = _earlier(session, party.branch_id, key)
    if earlier is not None:  # the same request finished while this one waited
        return earlier
    now = utc_now()
    day = local_day(now)
    payment = PartyPayment(branch_id=party.branch_id, number=next_number(session, party.branch_id, PREFIX[direction],
                                                                         day),
                           party_kind=party_kind, party_id=party.id, direction=direction, method=method,
                           amount=amount, reference=reference, note=note, user_id=actor.id, request_key=key,
                           created_at=now)
    session.add(payment)
    session.flush()
    credit = open_items.add_item(session, branch_id=party.branch_id, party_kind=party_kind, party_id=party.id,
                                 direction=direction, source=OpenItemSource.PARTY_PAYMENT, source_id=payment.id,
                                 number=payment.number, amount=-amount, document_date=day, due=day)
    money_in = direction == Direction.RECEIVABLE  # a party paying the shop; else the shop pays the party
    cash_book.post_method(session, actor, party.branch_id, method.value, amount if money_in else -amount,
                          (CASH_BOOK_DOCUMENT[direction], payment.id),
                          f"{WORD[direction]} {payment.number} {getattr(party, 'name', '')}")
    settled = allocation.allocate(session, actor, party_kind, party.id, direction, credit.id, chosen or None)
    applied = allocation.apply_credits(session, actor, party_kind, party.id, direction, branch_id=party.branch_id)
    audit.record(session, actor, AUDIT_ACTION[direction], "party_payment", payment.id, branch_id=party.branch_id,
                 number=payment.number, party_kind=party_kind.value, party_id=party.id, method=method.value,
                 amount=str(amount), reference=reference,
                 allocations=[[a.debit_item_id, a.credit_item_id, str(a.amount)] for a in (*settled, *applied)],
                 advance=str(-credit.open_amount))
    session.flush()
    return payment


def payments_of(session: Session, branch_id: int, party_kind: PartyKind, party_id: int,
                limit: int = 20) -> list[PartyPayment]:
    """The party's latest payments or receipts, newest first (the caller checked the actor's rights)."""
    return list(session.exec(select(PartyPayment).where(PartyPayment.branch_id == branch_id,
                                                        PartyPayment.party_kind == party_kind,
                                                        PartyPayment.party_id == party_id)
                             .order_by(col(PartyPayment.created_at).desc(), col(PartyPayment.id).desc())
                             .limit(limit)).all())
