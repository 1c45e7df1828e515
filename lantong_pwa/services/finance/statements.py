"""Statements (对账单) of any party: every document of the party in a period — receipts and returns, 挂账 and
insurers' shares, payments and receipts of money — in order with the balance after each, from the balance before
the period (期初) to the balance at its end (期末). One month of one party reads its items by the party's index.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, func, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.finance.allocation import of_party
from lantong_pwa.services.platform.parsing import to_fen
from models import Direction, OpenItem, OpenItemSource, PartyKind, PartyPayment, PartyPaymentMethod

ZERO = Decimal("0.00")


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
    kind: str = ""  # the document's name: 进货入库, 挂账, 付款 or 收款 …


@dataclass
class Statement:
    party_id: int
    name: str
    date_from: date
    date_to: date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal
    direction: Direction = Direction.PAYABLE

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


def month_period(month: str) -> tuple[date, date]:
    """The first and last day of a month given as ``YYYY-MM``."""
    text = (month or "").strip()
    try:
        year, number = int(text[:4]), int(text[5:7])
        first = date(year, number, 1)
    except ValueError:
        raise DomainError("请选择对账月份", field="month") from None
    if len(text) != 7 or text[4] != "-":
        raise DomainError("请选择对账月份", field="month")
    return first, first.replace(day=calendar.monthrange(year, number)[1])


def party_statement(session: Session, branch_id: int, party_kind: PartyKind, party_id: int, direction: Direction,
                    name: str, date_from: date, date_to: date) -> Statement:
    """The statement of a party the caller found with the actor's rights."""
    where = of_party(party_kind, party_id, direction, branch_id)
    opening = to_fen(Decimal(session.exec(select(func.coalesce(func.sum(OpenItem.amount), 0))
                                          .where(*where, OpenItem.document_date < date_from)).one() or 0))
    items = session.exec(select(OpenItem, PartyPayment.method, PartyPayment.reference)
                         .outerjoin(PartyPayment, (OpenItem.source == OpenItemSource.PARTY_PAYMENT)
                                    & (PartyPayment.id == OpenItem.source_id))
                         .where(*where, OpenItem.document_date >= date_from, OpenItem.document_date <= date_to)
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
                                   due_on=item.due_on, kind=document_label(item.source, direction)))
    return Statement(party_id=party_id, name=name, date_from=date_from, date_to=date_to, opening=opening,
                     lines=lines, closing=balance, direction=Direction(direction))


def document_label(source: OpenItemSource | str, direction: Direction | str) -> str:
    """What a statement calls a document: money from a party is a 收款, to a party a 付款."""
    source = OpenItemSource(source)
    if source == OpenItemSource.PARTY_PAYMENT and Direction(direction) == Direction.RECEIVABLE:
        return "收款"
    return source.label


STATEMENT_HEADERS = ("日期", "单据类型", "单号", "摘要", "应付增加", "应付减少", "余额", "到期日")
RECEIVABLE_HEADERS = ("日期", "单据类型", "单号", "摘要", "应收增加", "应收减少", "余额", "到期日")


def headers(direction: Direction | str) -> tuple[str, ...]:
    return RECEIVABLE_HEADERS if Direction(direction) == Direction.RECEIVABLE else STATEMENT_HEADERS


def statement_table(statement: Statement) -> list[list]:
    """The statement as spreadsheet rows: 期初余额, the documents, 本期合计 and 期末余额."""
    rows: list[list] = [[statement.date_from.isoformat(), "期初余额", "", "", "", "", statement.opening, ""]]
    rows += [[line.document_date.isoformat(), line.kind, line.number, line.summary, line.increase,
              line.decrease, line.balance, line.due_on.isoformat()] for line in statement.lines]
    rows.append(["", "本期合计", "", "", statement.increases, statement.decreases, "", ""])
    rows.append([statement.date_to.isoformat(), "期末余额", "", "", "", "", statement.closing, ""])
    return rows
