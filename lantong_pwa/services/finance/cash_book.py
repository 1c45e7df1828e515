"""Cash and bank (资金, F3): the branch's money accounts, which account each payment method's money goes to, the
journal of each account with its running balance, opening balances and transfers between accounts.

Documents that move money (a customer's payment, a member-card top-up, a payment to a supplier) call ``post_method``
inside their own transaction: the account is locked, its balance moves, and one journal entry records the amount
and the balance after it. A method mapped to no account (会员卡, 挂账) moves no money. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, FormErrors
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.timezone import local_day, local_day_bounds
from models import (
    AccountKind,
    AccountTransfer,
    JournalEntry,
    MethodAccount,
    MoneyAccount,
    PartyPaymentMethod,
    PaymentMethod,
    User,
)
from models.common import utc_now

ZERO = Decimal("0.00")
TRANSFER_PREFIX = "ZZ"  # 资金转账
OPENING = "opening"  # the document type of an account's opening balance
# Every branch starts with these accounts, and each method's money goes to one of them until a manager says else.
DEFAULT_ACCOUNTS = ((AccountKind.CASH, "现金"), (AccountKind.BANK, "基本户"), (AccountKind.WECHAT, "微信商户"),
                    (AccountKind.ALIPAY, "支付宝商户"))
DEFAULT_METHODS = {PaymentMethod.CASH.value: AccountKind.CASH, PaymentMethod.CARD.value: AccountKind.BANK,
                   PaymentMethod.WECHAT.value: AccountKind.WECHAT, PaymentMethod.ALIPAY.value: AccountKind.ALIPAY,
                   PartyPaymentMethod.BANK_TRANSFER.value: AccountKind.BANK}
METHOD_LABELS = {PaymentMethod.CASH.value: "现金", PaymentMethod.CARD.value: "银行卡",
                 PaymentMethod.WECHAT.value: "微信", PaymentMethod.ALIPAY.value: "支付宝",
                 PartyPaymentMethod.BANK_TRANSFER.value: "银行转账"}
DOCUMENT_LABELS = {"payment": "收款", "member_card_top_up": "会员卡充值", "party_payment": "付款",
                   "party_receipt": "往来收款", "account_transfer": "转账", OPENING: "期初余额",
                   "cash_close": "交班长短款", "expense": "费用支出"}


def ensure_accounts(session: Session, branch_id: int) -> None:
    """Give a branch without accounts the default ones and map every method to them (a new branch, the demo)."""
    if session.exec(select(MoneyAccount.id).where(MoneyAccount.branch_id == branch_id)).first() is not None:
        return
    by_kind = {}
    for kind, name in DEFAULT_ACCOUNTS:
        by_kind[kind] = MoneyAccount(branch_id=branch_id, kind=kind, name=name)
        session.add(by_kind[kind])
    session.flush()
    session.add_all(MethodAccount(branch_id=branch_id, method=method, account_id=by_kind[kind].id)
                    for method, kind in DEFAULT_METHODS.items())
    session.flush()


def _post(session: Session, actor: User | None, account_id: int, amount: Decimal, document: tuple[str, int | None],
          summary: str) -> JournalEntry:
    account = locked(session, MoneyAccount, account_id)
    account.balance = to_fen(account.balance + amount)
    session.add(account)
    entry = JournalEntry(branch_id=account.branch_id, account_id=account.id, amount=amount,
                         balance_after=account.balance, document_type=document[0], document_id=document[1],
                         summary=summary[:120], user_id=actor.id if actor else None)
    session.add(entry)
    session.flush()
    return entry


def post_account(session: Session, actor: User, account_id: int, amount: Decimal, document: tuple[str, int],
                 summary: str) -> JournalEntry | None:
    """Money in (+) or out (−) of one account for ``document`` (a cash count's difference); nothing for zero."""
    return None if amount == 0 else _post(session, actor, account_id, amount, document, summary)


def account_of_method(session: Session, branch_id: int, method: str) -> MoneyAccount | None:
    row = session.exec(select(MethodAccount.account_id).where(MethodAccount.branch_id == branch_id,
                                                              MethodAccount.method == str(method))).first()
    return None if row is None else session.get(MoneyAccount, row)


def post_method(session: Session, actor: User, branch_id: int, method: str, amount: Decimal,
                document: tuple[str, int], summary: str) -> JournalEntry | None:
    """Money in (+) or out (−) by ``method`` for ``document``: posted to the method's account, or nowhere for a
    method that moves no money (会员卡, 挂账)."""
    account = account_of_method(session, branch_id, method)
    if account is None or amount == 0:
        return None
    return _post(session, actor, account.id, amount, document, summary)


# --- what a manager sets up -------------------------------------------------------------------------------------


def accounts(session: Session, actor: User, *, active_only: bool = False) -> list[MoneyAccount]:
    require(actor, Permission.VIEW_CASH_BOOK)
    statement = select(MoneyAccount).where(MoneyAccount.branch_id == actor.branch_id).order_by(MoneyAccount.id)
    if active_only:
        statement = statement.where(MoneyAccount.is_active)
    return list(session.exec(statement).all())


def method_accounts(session: Session, actor: User) -> dict[str, int]:
    """Method → account id, for the methods that move money."""
    require(actor, Permission.VIEW_CASH_BOOK)
    return {m: a for m, a in session.exec(select(MethodAccount.method, MethodAccount.account_id)
                                          .where(MethodAccount.branch_id == actor.branch_id)).all()}


def create_account(session: Session, actor: User, kind: str, name: str, account_number: str = "") -> MoneyAccount:
    require(actor, Permission.MANAGE_MONEY_ACCOUNTS)
    errors = {}
    try:
        kind = AccountKind(kind)
    except ValueError:
        errors["kind"] = "请选择账户类型"
    name, account_number = (name or "").strip(), (account_number or "").strip()
    if not name:
        errors["name"] = "请填写账户名称"
    elif len(name) > 32:
        errors["name"] = "账户名称不能超过32个字"
    elif session.exec(select(MoneyAccount.id).where(MoneyAccount.branch_id == actor.branch_id,
                                                    MoneyAccount.name == name)).first() is not None:
        errors["name"] = f"已有名为“{name}”的账户"
    if len(account_number) > 40:
        errors["account_number"] = "账号不能超过40个字符"
    if errors:
        raise FormErrors(errors)
    account = MoneyAccount(branch_id=actor.branch_id, kind=kind, name=name, account_number=account_number)
    session.add(account)
    session.flush()
    audit.record(session, actor, "money_account.create", "money_account", account.id, branch_id=account.branch_id,
                 kind=kind.value, name=name)
    session.flush()
    return account


def map_method(session: Session, actor: User, method: str, account_id) -> MethodAccount:
    """From now on, ``method``'s money goes to ``account_id`` (entries already made stay where they are)."""
    require(actor, Permission.MANAGE_MONEY_ACCOUNTS)
    if method not in METHOD_LABELS:
        raise DomainError("这种方式不经过资金账户", field="method")
    account = _account(session, actor, account_id, "account_id")
    if not account.is_active:
        raise DomainError(f"账户“{account.name}”已停用", field="account_id")
    row = session.exec(select(MethodAccount).where(MethodAccount.branch_id == actor.branch_id,
                                                   MethodAccount.method == method)).first()
    row = row or MethodAccount(branch_id=actor.branch_id, method=method, account_id=account.id)
    before = row.account_id if row.id else None
    row.account_id = account.id
    session.add(row)
    session.flush()
    if before != account.id:
        audit.record(session, actor, "money_account.map_method", "money_account", account.id,
                     branch_id=account.branch_id, method=method, before=before)
    return row


def _account(session: Session, actor: User, account_id, field: str) -> MoneyAccount:
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise DomainError("请选择账户", field=field) from None
    return row_in_branch(session, actor, MoneyAccount, account_id, "账户不存在")


def _amount(text, field: str, label: str) -> Decimal:
    amount = to_fen(parse_decimal(text, field, label))
    if amount <= 0:
        raise DomainError(f"{label}应大于0", field=field)
    return amount


def set_opening_balance(session: Session, actor: User, account_id, amount_text) -> JournalEntry:
    """期初余额: what an account held when the shop started keeping its journal here; only while it has no entries
    (afterwards a correction is a transfer or a new document)."""
    require(actor, Permission.MANAGE_MONEY_ACCOUNTS)
    account = locked(session, MoneyAccount, _account(session, actor, account_id, "account_id").id)
    amount = to_fen(parse_decimal(amount_text, "opening", "期初余额"))
    if session.exec(select(JournalEntry.id).where(JournalEntry.account_id == account.id)).first() is not None:
        raise DomainError(f"“{account.name}”已有收支记录，不能再设期初余额", field="opening")
    if amount == 0:
        raise DomainError("期初余额不能为0", field="opening")
    entry = _post(session, actor, account.id, amount, (OPENING, None), "期初余额")
    audit.record(session, actor, "money_account.opening", "money_account", account.id, branch_id=account.branch_id,
                 amount=str(amount))
    session.flush()
    return entry


def transfer(session: Session, actor: User, from_account_id, to_account_id, amount_text, note: str,
             request_key: str) -> AccountTransfer:
    """Move money between two accounts of the branch (cash banked …); never more than the source holds. A resent
    request returns the first transfer."""
    require(actor, Permission.TRANSFER_MONEY)
    if not request_key:
        raise DomainError("请刷新页面后重试")
    earlier = session.exec(select(AccountTransfer).where(AccountTransfer.branch_id == actor.branch_id,
                                                         AccountTransfer.request_key == request_key)).first()
    if earlier is not None:
        return earlier
    errors, source, target, amount = {}, None, None, None
    for field, value in (("from_account_id", from_account_id), ("to_account_id", to_account_id)):
        try:
            account = _account(session, actor, value, field)
            if not account.is_active:
                raise DomainError(f"账户“{account.name}”已停用", field=field)
            source, target = (account, target) if field == "from_account_id" else (source, account)
        except DomainError as error:
            errors[field] = error.message
    if source and target and source.id == target.id:
        errors["to_account_id"] = "转入账户不能与转出账户相同"
    try:
        amount = _amount(amount_text, "amount", "金额")
    except DomainError as error:
        errors["amount"] = error.message
    note = (note or "").strip()
    if len(note) > 120:
        errors["note"] = "备注不能超过120字"
    if errors:
        raise FormErrors(errors)
    # Lock both accounts in id order (two transfers the other way round never wait on each other in a cycle).
    for account_id in sorted((source.id, target.id)):
        locked(session, MoneyAccount, account_id)
    earlier = session.exec(select(AccountTransfer).where(AccountTransfer.branch_id == actor.branch_id,
                                                         AccountTransfer.request_key == request_key)).first()
    if earlier is not None:  # the same request finished while this one waited for the lock
        return earlier
    source = session.get(MoneyAccount, source.id)
    if source.balance < amount:
        raise DomainError(f"“{source.name}”余额¥{source.balance}，不够转出¥{amount}", field="amount")
    now = utc_now()
    moved = AccountTransfer(branch_id=actor.branch_id, number=next_number(session, actor.branch_id, TRANSFER_PREFIX,
                                                                           local_day(now)),
                            from_account_id=source.id, to_account_id=target.id, amount=amount, note=note,
                            request_key=request_key, user_id=actor.id, created_at=now)
    session.add(moved)
    session.flush()
    summary = f"{moved.number} {source.name}→{target.name}" + (f" {note}" if note else "")
    _post(session, actor, source.id, -amount, ("account_transfer", moved.id), summary)
    _post(session, actor, target.id, amount, ("account_transfer", moved.id), summary)
    audit.record(session, actor, "money_account.transfer", "account_transfer", moved.id, branch_id=moved.branch_id,
                 number=moved.number, amount=str(amount), from_account=source.id, to_account=target.id)
    session.flush()
    return moved


# --- the journal ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journal:
    account: MoneyAccount
    date_from: date
    date_to: date
    opening: Decimal  # the balance before ``date_from``
    entries: list[JournalEntry]  # oldest first, each with its running balance
    received: Decimal
    paid: Decimal
    closing: Decimal


def journal(session: Session, actor: User, account_id, date_from: date, date_to: date) -> Journal:
    """An account's journal (日记账) for the shop days ``date_from`` … ``date_to``: opening balance, each entry with
    the balance after it, totals in and out, closing balance."""
    require(actor, Permission.VIEW_CASH_BOOK)
    account = _account(session, actor, account_id, "account_id")
    if date_to < date_from:
        raise DomainError("结束日期不能早于开始日期", field="to")
    start, end = local_day_bounds(date_from)[0], local_day_bounds(date_to)[1]
    before = session.exec(select(func.sum(JournalEntry.amount)).where(JournalEntry.account_id == account.id,
                                                                      JournalEntry.created_at < start)).one()
    opening = to_fen(Decimal(str(before or 0)))
    entries = list(session.exec(select(JournalEntry).where(JournalEntry.account_id == account.id,
                                                           JournalEntry.created_at >= start,
                                                           JournalEntry.created_at < end)
                                .order_by(col(JournalEntry.id))).all())
    received = sum((e.amount for e in entries if e.amount > 0), ZERO)
    paid = -sum((e.amount for e in entries if e.amount < 0), ZERO)
    return Journal(account=account, date_from=date_from, date_to=date_to, opening=opening, entries=entries,
                   received=received, paid=paid, closing=opening + received - paid)
