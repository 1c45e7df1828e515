"""What the shop owes (应付, issue 15 item 8): paying a party, allocating credits against debits, ageing by due date,
and the statement (对账单).

The rules work on open items of any party kind and direction (models/open_item.py), so the finance module can use
them for customers, insurers and manufacturers; only ``pay`` and the screens' reads are about suppliers now.

- **Allocating (核销).** A credit (a negative item: a payment, a return) settles debits (positive items) of the same
  party, branch and direction. Debits are taken oldest first — by due date, then document date, then id — unless the
  payer chose them. Every allocation runs with the party's row locked (``locking.locked``), so two allocations for
  one party happen one after the other, and moves each item's ``open_amount`` with a compare-and-set UPDATE (the
  database's ``open_within_amount`` check refuses an over-allocation too).
- **Credits.** ``apply_credits`` settles every open credit of a party against its open debits; a return's credit
  goes to its own receipt first. A payment calls it after allocating itself, so a party never keeps an open credit
  beside an open debit after a payment; what is left of an overpayment stays an open credit (预付, an advance).
- **Paying.** One ``PartyPayment`` and its negative item, audited; a request key makes a resend find the first.
- **Ageing.** Open debits by days past their due date: 未到期, 1–30, 31–60, 61–90, 90天以上; open credits apart.
- **Statement.** Every document of the party in a period with a running balance, from the balance before it (期初).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, update
from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.finance import cash_book, open_items
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.numbering import next_number
from lantong_pwa.services.platform.parsing import parse_decimal, to_fen
from lantong_pwa.services.platform.permissions import Permission, require, require_branch, sees_all_branches
from lantong_pwa.timezone import local_day
from models import (
    Allocation,
    Counterparty,
    Customer,
    Direction,
    OpenItem,
    OpenItemSource,
    PartyKind,
    PartyPayment,
    PartyPaymentMethod,
    PurchaseReturn,
    Supplier,
    User,
)
from models.common import utc_now

ZERO = Decimal("0.00")
PAYMENT_PREFIX = "FK"  # 付款单
STALE = "应付记录已变化，请刷新后重试"
MAX_CHOSEN = 200

# The tables behind each party kind (a party's branch, name and lock).
PARTY_MODELS: dict[PartyKind, type] = {PartyKind.SUPPLIER: Supplier, PartyKind.CUSTOMER: Customer,
                                       PartyKind.INSURER: Counterparty, PartyKind.MANUFACTURER: Counterparty}

AGE_BUCKETS = ("未到期", "逾期1–30天", "逾期31–60天", "逾期61–90天", "逾期90天以上")


# --- parties ---------------------------------------------------------------------------------------------------


def _party_model(party_kind: PartyKind | str) -> type:
    model = PARTY_MODELS.get(PartyKind(party_kind))
    if model is None:
        raise DomainError(f"暂不支持{PartyKind(party_kind).label}往来")
    return model


def party_row(session: Session, actor: User, party_kind: PartyKind | str, party_id: int):
    """The party, if it exists and ``actor`` may see its branch; ``NotFound`` otherwise."""
    row = session.get(_party_model(party_kind), party_id)
    if row is None:
        raise NotFound(f"{PartyKind(party_kind).label}不存在")
    require_branch(actor, row.branch_id)
    return row


def lock_party(session: Session, party_kind: PartyKind | str, party_id: int):
    """Take the party's row lock: the allocations of one party happen one after the other."""
    return locked(session, _party_model(party_kind), party_id)


# --- allocating ------------------------------------------------------------------------------------------------


def _of_party(party_kind: PartyKind | str, party_id: int, direction: Direction | str, branch_id: int):
    """The party's items (every document: statements)."""
    return (OpenItem.branch_id == branch_id, OpenItem.party_kind == PartyKind(party_kind),
            OpenItem.party_id == party_id, OpenItem.direction == Direction(direction))


def _open_of_party(party_kind: PartyKind | str, party_id: int, direction: Direction | str, branch_id: int):
    """The party's items with something open: ``open_amount <> 0`` said as it is lets the partial index
    ix_open_item_open serve the query."""
    return (*_of_party(party_kind, party_id, direction, branch_id), OpenItem.open_amount != 0)


OLDEST_FIRST = (col(OpenItem.due_on), col(OpenItem.document_date), col(OpenItem.id))


def open_debits(session: Session, branch_id: int, party_kind: PartyKind | str, party_id: int,
                direction: Direction | str = Direction.PAYABLE) -> list[OpenItem]:
    """The party's debits with something open, oldest first."""
    return list(session.exec(select(OpenItem).where(*_open_of_party(party_kind, party_id, direction, branch_id),
                                                    OpenItem.open_amount > 0)
                             .order_by(*OLDEST_FIRST).execution_options(populate_existing=True)).all())


def open_credits(session: Session, branch_id: int, party_kind: PartyKind | str, party_id: int,
                 direction: Direction | str = Direction.PAYABLE) -> list[OpenItem]:
    """The party's credits with something open, oldest first (by document date, then id)."""
    return list(session.exec(select(OpenItem).where(*_open_of_party(party_kind, party_id, direction, branch_id),
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
        raise NotFound("付款记录不存在")
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


# --- paying ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: str
    request_key: str
    item_ids: tuple[int, ...] = ()  # the debits chosen to pay; empty: oldest first
    reference: str = ""  # bank slip or voucher number
    note: str = ""


def _earlier(session: Session, branch_id: int, key: str) -> PartyPayment | None:
    return session.exec(select(PartyPayment).where(PartyPayment.branch_id == branch_id,
                                                   PartyPayment.request_key == key)).first()


def pay_supplier(session: Session, actor: User, supplier_id: int, request: PaymentRequest) -> PartyPayment:
    """Pay a supplier (现金 or 银行转账): the payment, its credit item allocated to the chosen debits or oldest first,
    then every open credit applied; an overpayment stays open as an advance. A resent request key returns the first
    payment."""
    require(actor, Permission.PAY_SUPPLIERS)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return _pay(session, actor, PartyKind.SUPPLIER, supplier, Direction.PAYABLE, request)


def _pay(session: Session, actor: User, party_kind: PartyKind, party, direction: Direction,
         request: PaymentRequest) -> PartyPayment:
    key = (request.request_key or "").strip()
    if not key or len(key) > 36:
        raise DomainError("请求无效，请刷新页面后重试")
    earlier = _earlier(session, party.branch_id, key)
    if earlier is not None:
        return earlier
    errors: dict[str, str] = {}
    try:
        method = PartyPaymentMethod(request.method)
    except ValueError:
        errors["method"] = "请选择付款方式"
    try:
        amount = to_fen(parse_decimal(request.amount, "amount", "付款金额"))
        if amount <= 0:
            errors["amount"] = "付款金额应大于0"
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

    lock_party(session, party_kind, party.id)  # payments of one party one after the other
    earlier = _earlier(session, party.branch_id, key)
    if earlier is not None:  # the same request finished while this one waited
        return earlier
    now = utc_now()
    day = local_day(now)
    payment = PartyPayment(branch_id=party.branch_id, number=next_number(session, party.branch_id, PAYMENT_PREFIX, day),
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
                          ("party_payment", payment.id),
                          f"{'收款' if money_in else '付款'} {payment.number} {getattr(party, 'name', '')}")
    paid = allocate(session, actor, party_kind, party.id, direction, credit.id, chosen or None)
    applied = apply_credits(session, actor, party_kind, party.id, direction, branch_id=party.branch_id)
    audit.record(session, actor, "party_payment.pay", "party_payment", payment.id, branch_id=party.branch_id,
                 number=payment.number, party_kind=party_kind.value, party_id=party.id, method=method.value,
                 amount=str(amount), reference=reference,
                 allocations=[[a.debit_item_id, a.credit_item_id, str(a.amount)] for a in (*paid, *applied)],
                 advance=str(-credit.open_amount))
    session.flush()
    return payment


# --- reading ---------------------------------------------------------------------------------------------------


def _branch_of(actor: User, branch_id: int | None) -> int:
    if branch_id is None or branch_id == actor.branch_id:
        return actor.branch_id
    if not sees_all_branches(actor):
        raise NotFound("记录不存在或无权查看")
    return branch_id


@dataclass
class AgeingRow:
    party_id: int
    name: str
    buckets: list[Decimal] = field(default_factory=lambda: [ZERO] * len(AGE_BUCKETS))
    credits: Decimal = ZERO  # open credits (advances, returns not yet applied), negative
    balance: Decimal = ZERO  # what is owed: the debits' open amounts plus the credits

    @property
    def overdue(self) -> Decimal:
        return sum(self.buckets[1:], ZERO)


def _age_query(branch_id: int, party_kind: PartyKind, direction: Direction, today: date, party_id: int | None):
    cutoffs = [today, today - timedelta(days=30), today - timedelta(days=60), today - timedelta(days=90)]
    debit = OpenItem.open_amount > 0

    def bucket(index: int):
        conditions = [debit]
        if index < len(cutoffs):
            conditions.append(OpenItem.due_on >= cutoffs[index])
        if index > 0:
            conditions.append(OpenItem.due_on < cutoffs[index - 1])
        return func.coalesce(func.sum(case((and_(*conditions), OpenItem.open_amount), else_=0)), 0)

    columns = [bucket(i) for i in range(len(AGE_BUCKETS))]
    credits = func.coalesce(func.sum(case((OpenItem.open_amount < 0, OpenItem.open_amount), else_=0)), 0)
    query = (select(OpenItem.party_id, *columns, credits)
             .where(OpenItem.branch_id == branch_id, OpenItem.party_kind == party_kind,
                    OpenItem.direction == direction, OpenItem.open_amount != 0)
             .group_by(OpenItem.party_id))
    if party_id is not None:
        query = query.where(OpenItem.party_id == party_id)
    return query


def _ageing_rows(session: Session, branch_id: int, party_kind: PartyKind, direction: Direction, today: date,
                 party_id: int | None = None) -> list[AgeingRow]:
    rows = []
    for party, *amounts in session.exec(_age_query(branch_id, party_kind, direction, today, party_id)).all():
        money = [to_fen(Decimal(a or 0)) for a in amounts]
        row = AgeingRow(party_id=party, name="", buckets=money[:-1], credits=money[-1])
        row.balance = sum(row.buckets, ZERO) + row.credits
        rows.append(row)
    return rows


def supplier_ageing(session: Session, actor: User, today: date, *, branch_id: int | None = None
                    ) -> tuple[list[AgeingRow], AgeingRow]:
    """Every supplier of the branch with something open, by ageing bucket (most overdue first), and the total."""
    require(actor, Permission.VIEW_PAYABLES)
    branch_id = _branch_of(actor, branch_id)
    rows = _ageing_rows(session, branch_id, PartyKind.SUPPLIER, Direction.PAYABLE, today)
    names = dict(session.exec(select(Supplier.id, Supplier.name)
                              .where(col(Supplier.id).in_([r.party_id for r in rows]))).all()) if rows else {}
    for row in rows:
        row.name = names.get(row.party_id, "")
    rows.sort(key=lambda r: (-r.buckets[4], -r.overdue, -r.balance, r.name))
    total = AgeingRow(party_id=0, name="合计")
    for row in rows:
        total.buckets = [a + b for a, b in zip(total.buckets, row.buckets, strict=True)]
        total.credits += row.credits
        total.balance += row.balance
    return rows, total


def one_supplier_ageing(session: Session, actor: User, supplier_id: int, today: date) -> AgeingRow:
    """One supplier's ageing (zeros when nothing is open)."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    rows = _ageing_rows(session, supplier.branch_id, PartyKind.SUPPLIER, Direction.PAYABLE, today, supplier.id)
    row = rows[0] if rows else AgeingRow(party_id=supplier.id, name="")
    row.name = supplier.name
    return row


AGEING_HEADERS = ("供应商", *AGE_BUCKETS, "未核销预付/退货", "应付余额")


def ageing_table(rows: list[AgeingRow], total: AgeingRow) -> list[list]:
    return [[row.name, *row.buckets, row.credits, row.balance] for row in [*rows, total]]


@dataclass
class OpenItemView:
    id: int
    source: OpenItemSource
    number: str
    document_date: date
    due_on: date
    amount: Decimal
    open_amount: Decimal
    days_overdue: int  # 0 when not yet due


def supplier_open_items(session: Session, actor: User, supplier_id: int, today: date) -> list[OpenItemView]:
    """The supplier's items with something open: debits oldest first (the order a payment takes them), then
    credits."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    items = [*open_debits(session, supplier.branch_id, PartyKind.SUPPLIER, supplier.id),
             *open_credits(session, supplier.branch_id, PartyKind.SUPPLIER, supplier.id)]
    return [OpenItemView(id=i.id, source=OpenItemSource(i.source), number=i.number, document_date=i.document_date,
                         due_on=i.due_on, amount=i.amount, open_amount=i.open_amount,
                         days_overdue=max((today - i.due_on).days, 0) if i.open_amount > 0 else 0) for i in items]


@dataclass
class StatementLine:
    document_date: date
    source: OpenItemSource
    number: str
    summary: str  # a payment's method and voucher
    increase: Decimal  # what the document adds to what is owed (a receipt)
    decrease: Decimal  # what it takes off (a return, a payment)
    balance: Decimal  # owed after it
    due_on: date


@dataclass
class Statement:
    party_id: int
    name: str
    date_from: date
    date_to: date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal

    @property
    def increases(self) -> Decimal:
        return sum((line.increase for line in self.lines), ZERO)

    @property
    def decreases(self) -> Decimal:
        return sum((line.decrease for line in self.lines), ZERO)


MAX_STATEMENT_DAYS = 3 * 366
MAX_STATEMENT_LINES = 5000


def statement_period(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """The period a statement covers: this month so far unless given; at most three years."""
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    if date_from > date_to:
        raise DomainError("开始日期不能晚于结束日期", field="from")
    if (date_to - date_from).days > MAX_STATEMENT_DAYS:
        raise DomainError("对账期间最长三年", field="from")
    return date_from, date_to


def supplier_statement(session: Session, actor: User, supplier_id: int, date_from: date, date_to: date) -> Statement:
    """对账单: the balance owed before ``date_from``, each receipt, return and payment of the period in order with
    the balance after it, and the balance at the end of ``date_to`` (shop days)."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return party_statement(session, supplier.branch_id, PartyKind.SUPPLIER, supplier.id, Direction.PAYABLE,
                           supplier.name, date_from, date_to)


def party_statement(session: Session, branch_id: int, party_kind: PartyKind, party_id: int, direction: Direction,
                    name: str, date_from: date, date_to: date) -> Statement:
    of_party = _of_party(party_kind, party_id, direction, branch_id)
    opening = to_fen(Decimal(session.exec(select(func.coalesce(func.sum(OpenItem.amount), 0))
                                          .where(*of_party, OpenItem.document_date < date_from)).one() or 0))
    items = session.exec(select(OpenItem, PartyPayment.method, PartyPayment.reference)
                         .outerjoin(PartyPayment, (OpenItem.source == OpenItemSource.PARTY_PAYMENT)
                                    & (PartyPayment.id == OpenItem.source_id))
                         .where(*of_party, OpenItem.document_date >= date_from, OpenItem.document_date <= date_to)
                         .order_by(col(OpenItem.document_date), col(OpenItem.created_at), col(OpenItem.id))
                         .limit(MAX_STATEMENT_LINES + 1)).all()
    if len(items) > MAX_STATEMENT_LINES:
        raise DomainError(f"期间内单据超过{MAX_STATEMENT_LINES}张，请缩短对账期间", field="from")
    balance = opening
    lines = []
    for item, method, reference in items:
        balance += item.amount
        summary = " ".join(p for p in (PartyPaymentMethod(method).label if method else "", reference or "") if p)
        lines.append(StatementLine(document_date=item.document_date, source=OpenItemSource(item.source),
                                   number=item.number, summary=summary,
                                   increase=item.amount if item.amount > 0 else ZERO,
                                   decrease=-item.amount if item.amount < 0 else ZERO, balance=balance,
                                   due_on=item.due_on))
    return Statement(party_id=party_id, name=name, date_from=date_from, date_to=date_to, opening=opening,
                     lines=lines, closing=balance)


STATEMENT_HEADERS = ("日期", "单据类型", "单号", "摘要", "应付增加", "应付减少", "余额", "到期日")


def statement_table(statement: Statement) -> list[list]:
    """The statement as spreadsheet rows: 期初余额, the documents, 本期合计 and 期末余额."""
    rows: list[list] = [[statement.date_from.isoformat(), "期初余额", "", "", "", "", statement.opening, ""]]
    rows += [[line.document_date.isoformat(), line.source.label, line.number, line.summary, line.increase,
              line.decrease, line.balance, line.due_on.isoformat()] for line in statement.lines]
    rows.append(["", "本期合计", "", "", statement.increases, statement.decreases, "", ""])
    rows.append([statement.date_to.isoformat(), "期末余额", "", "", "", "", statement.closing, ""])
    return rows


def payments_of(session: Session, actor: User, supplier_id: int, limit: int = 20) -> list[PartyPayment]:
    """The supplier's latest payments, newest first."""
    require(actor, Permission.VIEW_PAYABLES)
    supplier = party_row(session, actor, PartyKind.SUPPLIER, supplier_id)
    return list(session.exec(select(PartyPayment).where(PartyPayment.branch_id == supplier.branch_id,
                                                        PartyPayment.party_kind == PartyKind.SUPPLIER,
                                                        PartyPayment.party_id == supplier.id)
                             .order_by(col(PartyPayment.created_at).desc(), col(PartyPayment.id).desc())
                             .limit(limit)).all())


def balance_of(session: Session, branch_id: int, party_kind: PartyKind | str, party_id: int,
               direction: Direction | str = Direction.PAYABLE) -> Decimal:
    """What is owed: the sum of the party's open amounts (= the sum of its items' amounts)."""
    return to_fen(Decimal(session.exec(select(func.coalesce(func.sum(OpenItem.open_amount), 0))
                                       .where(*_open_of_party(party_kind, party_id, direction, branch_id))).one()
                          or 0))
