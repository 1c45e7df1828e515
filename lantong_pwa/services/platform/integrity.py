"""The invariants money and stock rest on, read over a whole database (``python -m lantong_pwa check``, the race
tests). Each rule is one query; a rule that finds rows reports them by branch and document number.

- An order has at most one active settlement.
- An order's status agrees with its settlement: 已结算 and 已结清 have exactly one active settlement, every other status
  none; 已结清 is paid in full, 已结算 is not.
- A settlement is never paid above its customer amount, money is only taken against an active settlement, and the
  settlement's ``paid_amount`` is the sum of its payments.
- A stock balance's on hand equals the sum of its ledger moves, and its worth (on hand × average cost, to the fen)
  the sum of their value changes.
- A parts line never has more returned than picked.
- A purchase order line's received quantity is the sum of its receipt lines; a receipt line's returned quantity the
  sum of its purchase return lines.
- A money account's balance is the sum of its journal, and each entry's balance after it is the running sum.
- A paid expense has exactly one journal entry, its amount out of the account it was paid from; an unpaid one none.
- An open item's open amount is its amount less its allocations, and each party's open items add up to what its
  documents say it owes (suppliers, customers' 挂账, insurers' and manufacturers' shares; finance/party_checks.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from lantong_pwa.services.finance import party_checks
from lantong_pwa.services.parts.stock import stock_value
from models import (
    Branch,
    Expense,
    ExpenseStatus,
    GoodsReceipt,
    GoodsReceiptLine,
    JournalEntry,
    MoneyAccount,
    Part,
    PartLine,
    Payment,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturnLine,
    Settlement,
    SettlementStatus,
    StockBalance,
    StockMove,
    Warehouse,
    WorkOrder,
    WorkOrderStatus,
)

ZERO = Decimal("0.00")
SETTLED_STATUSES = (WorkOrderStatus.SETTLED, WorkOrderStatus.CLOSED)


@dataclass(frozen=True)
class Problem:
    rule: str  # a stable name, e.g. "two_active_settlements"
    title: str  # what is wrong, as the shop says it
    rows: tuple[str, ...]  # the rows involved, one line each


def _branch_codes(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Branch.id, Branch.code)).all())


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def two_active_settlements(session: Session) -> Problem | None:
    codes = _branch_codes(session)
    doubled = select(Settlement.work_order_id).where(Settlement.status == SettlementStatus.ACTIVE) \
        .group_by(Settlement.work_order_id).having(func.count() > 1)
    rows = session.exec(select(WorkOrder.branch_id, WorkOrder.number, Settlement.number)
                        .join(Settlement, Settlement.work_order_id == WorkOrder.id)
                        .where(col(WorkOrder.id).in_(doubled), Settlement.status == SettlementStatus.ACTIVE)
                        .order_by(WorkOrder.id, Settlement.id)).all()
    found: dict[tuple[int, str], list[str]] = defaultdict(list)
    for branch_id, order_number, settlement_number in rows:
        found[(branch_id, order_number)].append(settlement_number)
    if not found:
        return None
    return Problem("two_active_settlements", "一个工单有多张有效结算单",
                   tuple(f"{codes[b]} 工单{n}：结算单{'、'.join(s)}" for (b, n), s in found.items()))


def status_against_settlement(session: Session) -> Problem | None:
    codes = _branch_codes(session)
    paid = select(Payment.settlement_id, func.sum(Payment.amount).label("paid")).group_by(Payment.settlement_id) \
        .subquery()
    rows = session.exec(
        select(WorkOrder.branch_id, WorkOrder.number, WorkOrder.status, Settlement.number, Settlement.customer_amount,
               paid.c.paid)
        .outerjoin(Settlement, and_(Settlement.work_order_id == WorkOrder.id,
                                    Settlement.status == SettlementStatus.ACTIVE))
        .outerjoin(paid, paid.c.settlement_id == Settlement.id)
        .order_by(WorkOrder.id)).all()
    found = []
    for branch_id, number, status, settlement_number, customer_amount, paid_amount in rows:
        status = WorkOrderStatus(status)
        where = f"{codes[branch_id]} 工单{number}（{status.label}）"
        if status in SETTLED_STATUSES and settlement_number is None:
            found.append(f"{where}：没有有效结算单")
        elif status not in SETTLED_STATUSES and settlement_number is not None:
            found.append(f"{where}：有有效结算单{settlement_number}")
        elif status == WorkOrderStatus.CLOSED and _money(paid_amount) < _money(customer_amount):
            found.append(f"{where}：结算单{settlement_number}应收¥{_money(customer_amount)}，只收了¥{_money(paid_amount)}")
        elif status == WorkOrderStatus.SETTLED and _money(paid_amount) >= _money(customer_amount):
            found.append(f"{where}：结算单{settlement_number}已收齐¥{_money(paid_amount)}，工单却未结清")
    if not found:
        return None
    return Problem("status_against_settlement", "工单状态与结算单不符", tuple(found))


def paid_above_settled(session: Session) -> Problem | None:
    codes = _branch_codes(session)
    paid = select(Payment.settlement_id, func.sum(Payment.amount).label("paid"),
                  func.count(Payment.id).label("payments")).group_by(Payment.settlement_id).subquery()
    rows = session.exec(
        select(Settlement.branch_id, Settlement.number, Settlement.status, Settlement.customer_amount,
               Settlement.paid_amount, paid.c.paid, paid.c.payments)
        .outerjoin(paid, paid.c.settlement_id == Settlement.id)
        .where(or_(paid.c.payments > 0, Settlement.paid_amount != 0))
        .order_by(Settlement.id)).all()
    found = []
    for branch_id, number, status, customer_amount, paid_amount, paid_sum, payments in rows:
        where = f"{codes[branch_id]} 结算单{number}"
        if SettlementStatus(status) != SettlementStatus.ACTIVE and payments:
            found.append(f"{where}（已撤销）：有{payments}笔收款¥{_money(paid_sum)}")
        elif _money(paid_sum) > _money(customer_amount):
            found.append(f"{where}：应收¥{_money(customer_amount)}，已收¥{_money(paid_sum)}")
        if _money(paid_amount) != _money(paid_sum):
            found.append(f"{where}：记为已收¥{_money(paid_amount)}，收款合计¥{_money(paid_sum)}")
    if not found:
        return None
    return Problem("paid_above_settled", "收款超过结算金额、收在已撤销的结算单上，或与已收金额不符", tuple(found))


def stock_against_ledger(session: Session) -> Problem | None:
    codes = _branch_codes(session)
    ledger = {(b, p, w): (_money(q), _money(v)) for b, p, w, q, v in session.exec(
        select(StockMove.branch_id, StockMove.part_id, StockMove.warehouse_id, func.sum(StockMove.quantity),
               func.sum(StockMove.value_change))
        .group_by(StockMove.branch_id, StockMove.part_id, StockMove.warehouse_id)).all()}
    balances = {(b.branch_id, b.part_id, b.warehouse_id): (_money(b.on_hand), stock_value(b.on_hand, b.average_cost))
                for b in session.exec(select(StockBalance)).all()}
    nothing = (ZERO, ZERO)
    wrong = sorted(key for key in set(ledger) | set(balances) if ledger.get(key, nothing) != balances.get(key, nothing))
    if not wrong:
        return None
    parts = dict(session.exec(select(Part.id, Part.code).where(col(Part.id).in_({k[1] for k in wrong}))).all())
    warehouses = dict(session.exec(select(Warehouse.id, Warehouse.code)
                                   .where(col(Warehouse.id).in_({k[2] for k in wrong}))).all())

    def line(key) -> str:
        (kept, worth), (summed, summed_worth) = balances.get(key, nothing), ledger.get(key, nothing)
        b, p, w = key
        text = f"{codes[b]} 配件{parts[p]} 仓库{warehouses[w]}：余额{kept}，流水合计{summed}"
        return text if worth == summed_worth else f"{text}；金额{worth}，流水金额合计{summed_worth}"

    return Problem("stock_against_ledger", "库存余额与流水合计不符", tuple(line(key) for key in wrong))


def returned_above_picked(session: Session) -> Problem | None:
    codes = _branch_codes(session)
    rows = session.exec(
        select(WorkOrder.branch_id, WorkOrder.number, PartLine.id, PartLine.part_code, PartLine.picked_quantity,
               PartLine.returned_quantity)
        .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
        .where(PartLine.picked_quantity - PartLine.returned_quantity < 0)
        .order_by(PartLine.id)).all()
    if not rows:
        return None
    return Problem("returned_above_picked", "配件行退料多于领料", tuple(
        f"{codes[b]} 工单{n} 配件行{line_id}（{code}）：已领{_money(picked)}，已退{_money(returned)}"
        for b, n, line_id, code, picked, returned in rows))


def purchasing_against_documents(session: Session) -> Problem | None:
    """A purchase order line's received quantity is the sum of its receipt lines, and a receipt line's returned
    quantity the sum of its purchase return lines."""
    codes = _branch_codes(session)
    received = select(GoodsReceiptLine.purchase_order_line_id.label("line_id"),
                      func.sum(GoodsReceiptLine.quantity).label("q")) \
        .group_by(GoodsReceiptLine.purchase_order_line_id).subquery()
    returned = select(PurchaseReturnLine.goods_receipt_line_id.label("line_id"),
                      func.sum(PurchaseReturnLine.quantity).label("q")) \
        .group_by(PurchaseReturnLine.goods_receipt_line_id).subquery()
    orders = session.exec(
        select(PurchaseOrder.branch_id, PurchaseOrder.number, PurchaseOrderLine.id,
               PurchaseOrderLine.received_quantity, received.c.q)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .outerjoin(received, received.c.line_id == PurchaseOrderLine.id).order_by(PurchaseOrderLine.id)).all()
    receipts = session.exec(
        select(GoodsReceipt.branch_id, GoodsReceipt.number, GoodsReceiptLine.id,
               GoodsReceiptLine.returned_quantity, returned.c.q)
        .join(GoodsReceipt, GoodsReceipt.id == GoodsReceiptLine.goods_receipt_id)
        .outerjoin(returned, returned.c.line_id == GoodsReceiptLine.id).order_by(GoodsReceiptLine.id)).all()
    found = [f"{codes[branch_id]} {document}{number} 行{line_id}：记为{kept}{_money(recorded)}，{summed_as}{_money(summed)}"
             for rows, document, kept, summed_as in ((orders, "采购单", "已到", "入库合计"),
                                                     (receipts, "入库单", "已退", "采退合计"))
             for branch_id, number, line_id, recorded, summed in rows if _money(recorded) != _money(summed)]
    if not found:
        return None
    return Problem("purchasing_against_documents", "采购单到货数或入库单退货数与单据合计不符", tuple(found))


def accounts_against_journal(session: Session) -> Problem | None:
    """A money account's balance is the sum of its journal entries, and each entry's balance after it is the running
    sum of the entries up to it."""
    codes = _branch_codes(session)
    found, running = [], defaultdict(Decimal)
    for entry in session.exec(select(JournalEntry).order_by(JournalEntry.account_id, JournalEntry.id)):
        running[entry.account_id] += entry.amount
        if _money(running[entry.account_id]) != _money(entry.balance_after):
            found.append(f"{codes[entry.branch_id]} 账户{entry.account_id} 流水{entry.id}：记余额"
                         f"¥{_money(entry.balance_after)}，累计¥{_money(running[entry.account_id])}")
    for account in session.exec(select(MoneyAccount).order_by(MoneyAccount.id)):
        if _money(account.balance) != _money(running.get(account.id)):
            found.append(f"{codes[account.branch_id]} {account.name}：余额¥{_money(account.balance)}，"
                         f"日记账合计¥{_money(running.get(account.id))}")
    if not found:
        return None
    return Problem("accounts_against_journal", "资金账户余额与日记账不符", tuple(found))


def expenses_against_journal(session: Session) -> Problem | None:
    """A paid expense is one journal entry of minus its amount on its account; any other expense has none."""
    entries = (select(JournalEntry.document_id, func.count().label("entries"),
                      func.sum(JournalEntry.amount).label("amount"), func.min(JournalEntry.account_id).label("account"))
               .where(JournalEntry.document_type == "expense").group_by(JournalEntry.document_id).subquery())
    rows = session.exec(select(Expense, entries.c.entries, entries.c.amount, entries.c.account)
                        .outerjoin(entries, entries.c.document_id == Expense.id)
                        .where(or_(Expense.status == ExpenseStatus.PAID, entries.c.entries.is_not(None)))
                        .order_by(Expense.id)).all()
    codes = _branch_codes(session)
    found = [f"{codes[e.branch_id]} {e.number}：{ExpenseStatus(e.status).label} ¥{_money(e.amount)}，日记账{count or 0}笔"
             f" ¥{_money(amount)}" for e, count, amount, account in rows
             if e.status != ExpenseStatus.PAID or count != 1 or _money(amount) != -_money(e.amount)
             or account != e.account_id]
    if not found:
        return None
    return Problem("expenses_against_journal", "费用单与日记账不符", tuple(found))


def items_against_allocations(session: Session) -> Problem | None:
    """An open item's open amount is its amount less its allocations (finance/party_checks.py)."""
    found = party_checks.items_against_allocations(session)
    return Problem("items_against_allocations", "往来未清金额与核销不符", tuple(found)) if found else None


def parties_against_documents(session: Session) -> Problem | None:
    """Each party's open items add up to what its documents say it owes (finance/party_checks.py)."""
    found = party_checks.parties_against_documents(session)
    return Problem("parties_against_documents", "往来单位未清合计与单据不符", tuple(found)) if found else None


RULES = (two_active_settlements, status_against_settlement, paid_above_settled, stock_against_ledger,
         returned_above_picked, purchasing_against_documents, accounts_against_journal, expenses_against_journal,
         items_against_allocations, parties_against_documents)


def check(session: Session) -> list[Problem]:
    """Every broken invariant in the database, with the rows involved; empty when all hold."""
    return [problem for rule in RULES if (problem := rule(session)) is not None]
