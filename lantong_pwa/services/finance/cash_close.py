"""日结/交班 (F3): a cashier closes their shift by counting the cash they took, blind.

The shift runs from the cashier's previous close to now. What they should have is what the cash account's journal
holds from them in between (their cash payments and top-ups, less cash they paid out or banked). They count first
and are shown the difference only then; the count never changes afterwards. A difference needs its reason, and is
posted to the cash account as 长款 or 短款 when explained, so the journal keeps saying what the drawer holds. The
shift's receipts (every method) print with their totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.finance import cash_book
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.timezone import local_day
from models import CashClose, CashCloseStatus, JournalEntry, MoneyAccount, Payment, PaymentMethod, User
from models.common import utc_now

PREFIX = "JB"  # 交班
DOCUMENT = "cash_close"  # the journal entries of a close's difference


def _last_close(session: Session, cashier_id: int) -> CashClose | None:
    return session.exec(select(CashClose).where(CashClose.cashier_id == cashier_id)
                        .order_by(col(CashClose.id).desc())).first()


def _cash_account(session: Session, branch_id: int) -> MoneyAccount:
    account = cash_book.account_of_method(session, branch_id, PaymentMethod.CASH.value)
    if account is None:
        raise DomainError("本店还没有现金账户，请店长在资金账户中设置")
    return account


def _cash_taken(session: Session, account_id: int, cashier_id: int, start: datetime | None, end: datetime) -> Decimal:
    """The cashier's cash movements on the account in ``(start, end]``, without earlier closes' differences."""
    where = [JournalEntry.account_id == account_id, JournalEntry.user_id == cashier_id,
             JournalEntry.document_type != DOCUMENT, JournalEntry.created_at <= end]
    if start is not None:
        where.append(JournalEntry.created_at > start)
    total = session.exec(select(func.sum(JournalEntry.amount)).where(*where)).one()
    return to_fen(Decimal(str(total or 0)))


@dataclass(frozen=True)
class Shift:
    """A shift as the screen shows it: from when, its receipts by method (amount and count), and an open close
    still waiting for the reason of its difference."""

    start: datetime | None
    by_method: dict[str, tuple[Decimal, int]]
    payments: list[Payment]
    waiting: CashClose | None


def _payments(session: Session, cashier_id: int, start: datetime | None, end: datetime | None) -> list[Payment]:
    where = [Payment.created_by_id == cashier_id]
    if start is not None:
        where.append(Payment.created_at > start)
    if end is not None:
        where.append(Payment.created_at <= end)
    return list(session.exec(select(Payment).where(*where).order_by(col(Payment.id))).all())


def _by_method(payments: list[Payment]) -> dict[str, tuple[Decimal, int]]:
    totals: dict[str, list] = defaultdict(lambda: [Decimal("0.00"), 0])
    for payment in payments:
        totals[payment.method][0] += payment.amount
        totals[payment.method][1] += 1
    return {method: (amount, count) for method, (amount, count) in totals.items()}


def current_shift(session: Session, actor: User) -> Shift:
    """The actor's shift so far (its receipts, but not the cash expected: the count is blind)."""
    require(actor, Permission.CLOSE_SHIFT)
    last = _last_close(session, actor.id)
    waiting = last if last is not None and last.status == CashCloseStatus.COUNTED else None
    start = last.created_at if last is not None else None
    payments = _payments(session, actor.id, start, None)
    return Shift(start=start, by_method=_by_method(payments), payments=payments, waiting=waiting)


def count(session: Session, actor: User, counted_text, request_key: str) -> CashClose:
    """The blind count: records what the cashier counted against what the journal expects. Without a difference the
    shift is closed at once; with one it waits for ``explain``. A resent request returns the first count."""
    require(actor, Permission.CLOSE_SHIFT)
    if not request_key or len(request_key) > 36:
        raise DomainError("请刷新页面后重试")
    counted = to_fen(parse_decimal(counted_text, "counted", "清点现金"))
    if counted < 0:
        raise DomainError("清点现金不能为负数", field="counted")
    locked(session, User, actor.id)  # one close at a time per cashier
    earlier = session.exec(select(CashClose).where(CashClose.branch_id == actor.branch_id,
                                                   CashClose.request_key == request_key)).first()
    if earlier is not None:
        return earlier
    last = _last_close(session, actor.id)
    if last is not None and last.status == CashCloseStatus.COUNTED:
        raise DomainError(f"上次交班（{last.number}）的差异还没有说明原因，请先说明")
    account = _cash_account(session, actor.branch_id)
    now = utc_now()
    start = last.created_at if last is not None else None
    expected = _cash_taken(session, account.id, actor.id, start, now)
    close = CashClose(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, PREFIX, local_day(now)),
                      cashier_id=actor.id, account_id=account.id, shift_start=start, expected=expected,
                      counted=counted, request_key=request_key, created_at=now)
    if counted == expected:
        close.status, close.closed_at = CashCloseStatus.CLOSED, now
    session.add(close)
    session.flush()
    audit.record(session, actor, "cash_close.count", "cash_close", close.id, branch_id=close.branch_id,
                 number=close.number, expected=str(expected), counted=str(counted))
    session.flush()
    return close


def explain(session: Session, actor: User, close_id, reason: str) -> CashClose:
    """The reason for a count's difference: the close is done, and the difference enters the cash journal."""
    require(actor, Permission.CLOSE_SHIFT)
    close = _own_close(session, actor, close_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明差异原因", field="reason")
    if len(reason) > 200:
        raise DomainError("差异原因不能超过200字", field="reason")
    now = utc_now()
    moved = session.execute(update(CashClose).where(CashClose.id == close.id,
                                                    CashClose.status == CashCloseStatus.COUNTED)
                            .values(status=CashCloseStatus.CLOSED, reason=reason, closed_at=now)
                            .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise DomainError(f"交班{close.number}已经说明过差异")
    session.refresh(close)
    difference = close.counted - close.expected
    cash_book.post_account(session, actor, close.account_id, difference, (DOCUMENT, close.id),
                           f"{close.number} 交班{'长款' if difference > 0 else '短款'}：{reason}")
    audit.record(session, actor, "cash_close.explain", "cash_close", close.id, branch_id=close.branch_id,
                 number=close.number, difference=str(difference), reason=reason)
    session.flush()
    return close


def _own_close(session: Session, actor: User, close_id) -> CashClose:
    try:
        close_id = int(close_id)
    except (TypeError, ValueError):
        raise NotFound("交班记录不存在") from None
    close = row_in_branch(session, actor, CashClose, close_id, "交班记录不存在")
    if close.cashier_id != actor.id:
        raise DomainError("只能说明自己交班的差异")
    return close


@dataclass(frozen=True)
class CloseSheet:
    close: CashClose
    cashier: User
    payments: list[Payment]
    by_method: dict[str, tuple[Decimal, int]]


def close_sheet(session: Session, actor: User, close_id) -> CloseSheet:
    """A close of the branch with its shift's receipts, to print."""
    require(actor, Permission.VIEW_CASH_BOOK)
    try:
        close_id = int(close_id)
    except (TypeError, ValueError):
        raise NotFound("交班记录不存在") from None
    close = row_in_branch(session, actor, CashClose, close_id, "交班记录不存在")
    payments = _payments(session, close.cashier_id, close.shift_start, close.created_at)
    return CloseSheet(close=close, cashier=session.get(User, close.cashier_id), payments=payments,
                      by_method=_by_method(payments))


def recent_closes(session: Session, actor: User, limit: int = 30) -> list[tuple[CashClose, User]]:
    """The branch's latest closes, every cashier's."""
    require(actor, Permission.VIEW_CASH_BOOK)
    return list(session.exec(select(CashClose, User).join(User, User.id == CashClose.cashier_id)
                             .where(CashClose.branch_id == actor.branch_id)
                             .order_by(col(CashClose.id).desc()).limit(limit)).all())
