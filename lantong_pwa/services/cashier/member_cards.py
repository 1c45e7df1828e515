"""A minimal member card (会员卡): issued to a customer, topped up at the till, spent on settlements.

Every change of balance is a ``CardTransaction`` row with the balance after it: top-ups (+) and payments (−).
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.finance import cash_book
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.timezone import local_day
from models import CardTransaction, Customer, MemberCard, PaymentMethod, User
from models.common import utc_now

CARD_PREFIX = "HY"
MAX_TOP_UP = Decimal("100000.00")
NOTE_MAX = 100
# How a top-up may be paid: money that enters one of the shop's accounts (not another card, not on account)
TOP_UP_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY)


def customer_cards(session: Session, actor: User, customer_id: int) -> list[MemberCard]:
    require(actor, Permission.SETTLE)
    customer = row_in_branch(session, actor, Customer, customer_id, "客户不存在")
    return list(session.exec(select(MemberCard).where(MemberCard.customer_id == customer.id, MemberCard.is_active)
                             .order_by(MemberCard.id)).all())


def issue_card(session: Session, actor: User, customer_id: int) -> MemberCard:
    """Give the customer a member card with a zero balance; a customer who has one keeps it (no second card)."""
    require(actor, Permission.TAKE_PAYMENTS)
    customer = row_in_branch(session, actor, Customer, customer_id, "客户不存在")
    customer = locked(session, Customer, customer.id)  # two taps at once still make one card
    existing = session.exec(select(MemberCard).where(MemberCard.customer_id == customer.id,
                                                     MemberCard.is_active)).first()
    if existing is not None:
        return existing
    card = MemberCard(branch_id=customer.branch_id, customer_id=customer.id,
                      number=next_number(session, customer.branch_id, CARD_PREFIX, local_day(utc_now())))
    session.add(card)
    session.flush()
    audit.record(session, actor, "member_card.issue", "member_card", card.id, branch_id=card.branch_id,
                 number=card.number, customer_id=customer.id)
    session.flush()
    return card


def top_up(session: Session, actor: User, card_id: int, amount: str, request_key: str,
           note: str = "", method: str = PaymentMethod.CASH.value) -> CardTransaction:
    """Add money to a card, paid by ``method`` (one of ``TOP_UP_METHODS``; the money enters that method's account
    journal, cash the drawer's). A resent request with the same ``request_key`` returns the first top-up."""
    require(actor, Permission.TAKE_PAYMENTS)
    card = row_in_branch(session, actor, MemberCard, card_id, "会员卡不存在")
    if not request_key:
        raise DomainError("请求无效，请刷新页面后重试")
    earlier = session.exec(select(CardTransaction).where(CardTransaction.request_key == request_key)).first()
    if earlier is not None:
        return earlier
    if method not in TOP_UP_METHODS:
        raise DomainError("请选择充值方式", field="top_up_method")
    method = PaymentMethod(method)
    value = parse_decimal(amount, "top_up_amount", "充值金额", maximum=MAX_TOP_UP)
    value = to_fen(value)
    if value <= 0:
        raise DomainError("充值金额应大于0", field="top_up_amount")
    note = (note or "").strip()[:NOTE_MAX]
    card = locked(session, MemberCard, card.id)
    earlier = session.exec(select(CardTransaction).where(CardTransaction.request_key == request_key)).first()
    if earlier is not None:  # the same request finished while this one waited for the lock
        return earlier
    if not card.is_active:
        raise DomainError(f"会员卡{card.number}已停用")
    card.balance = to_fen(card.balance + value)
    session.add(card)
    entry = CardTransaction(card_id=card.id, amount=value, balance_after=card.balance,
                            note=note or f"充值（{method.label}）", request_key=request_key, created_by_id=actor.id)
    session.add(entry)
    session.flush()
    cash_book.post_method(session, actor, card.branch_id, method.value, value, ("member_card_top_up", entry.id),
                          f"会员卡{card.number}充值（{method.label}）")
    audit.record(session, actor, "member_card.top_up", "member_card", card.id, branch_id=card.branch_id,
                 amount=str(value), balance_after=str(card.balance), method=method.value)
    session.flush()
    return entry


def usable_card(session: Session, actor: User, card_id: int | None, customer_id: int, amount: Decimal) -> MemberCard:
    """The customer's own active card, locked, if its balance covers ``amount``; ``DomainError`` otherwise."""
    if not card_id:
        raise DomainError("请选择会员卡", field="card")
    card = row_in_branch(session, actor, MemberCard, card_id, "会员卡不存在")
    card = locked(session, MemberCard, card.id)
    if card.customer_id != customer_id:
        raise DomainError("只能使用该工单客户本人的会员卡", field="card")
    if not card.is_active:
        raise DomainError(f"会员卡{card.number}已停用", field="card")
    if card.balance < amount:
        raise DomainError(f"会员卡余额不足（余额¥{card.balance}）", field="amount")
    return card


def spend(session: Session, actor: User, card: MemberCard, amount: Decimal, payment_id: int) -> CardTransaction:
    """Take a payment off a card from ``usable_card`` (inside the payment's transaction; the caller commits)."""
    card.balance = to_fen(card.balance - amount)
    session.add(card)
    entry = CardTransaction(card_id=card.id, amount=-amount, balance_after=card.balance, payment_id=payment_id,
                            note="消费", created_by_id=actor.id)
    session.add(entry)
    audit.record(session, actor, "member_card.spend", "member_card", card.id, branch_id=card.branch_id,
                 amount=str(amount), balance_after=str(card.balance), payment_id=payment_id)
    return entry


def history(session: Session, actor: User, card_id: int) -> list[CardTransaction]:
    """The card's balance changes, newest first."""
    require(actor, Permission.SETTLE)
    card = row_in_branch(session, actor, MemberCard, card_id, "会员卡不存在")
    return list(session.exec(select(CardTransaction).where(CardTransaction.card_id == card.id)
                             .order_by(CardTransaction.created_at.desc(), CardTransaction.id.desc())).all())
