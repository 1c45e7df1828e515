"""A generated month of a branch's money, every step through the services (settlements shared with insurers and
manufacturers, some reopened; payments in cash, by WeChat and on account; collections, some over what is owed;
supplier receipts, returns and payments; expenses; money banked; member cards; the cashier's daily closes, some with
a difference): afterwards each account's journal adds up to its balance, each item's open amount is its amount less
its allocations, each party's open items add up to what its documents say it owes, and ``python -m lantong_pwa
check`` finds nothing."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

from sqlmodel import func, select

from lantong_pwa.errors import DomainError
from lantong_pwa.services.cashier import member_cards, settlement
from lantong_pwa.services.finance import (
    cash_book,
    cash_close,
    collecting,
    expense_categories,
    expenses,
    payables,
)
from lantong_pwa.services.finance.expenses import ExpenseRequest
from lantong_pwa.services.finance.party_payments import PaymentRequest
from lantong_pwa.services.platform import integrity
from lantong_pwa.timezone import local_day
from models import (
    Allocation,
    CashClose,
    ExpenseCategory,
    JournalEntry,
    MoneyAccount,
    OpenItem,
    PaymentMethod,
    PaymentTerms,
)
from models.common import utc_now
from tests.services.cashier.test_settlement import completed_order, pay
from tests.services.finance.payables_rows import add_receipt, add_return, add_supplier
from tests.services.finance.test_receivables import fleet, shared_terms

D = Decimal
DAYS = 24
PAYERS = (("customer", ""),) * 6 + (("insurance", "平安保险"), ("insurance", "人保财险"), ("warranty", "一汽大众"))


def key() -> str:
    return str(uuid.uuid4())


def test_a_generated_month_leaves_every_account_and_party_in_step(session, shop):
    rng = random.Random(29)
    cash_book.ensure_accounts(session, shop.branch.id)
    expense_categories.seed_defaults(session, shop.branch.id)
    session.commit()
    accounts = {a.name: a for a in cash_book.accounts(session, shop.manager)}
    cash_book.set_opening_balance(session, shop.manager, accounts["现金"].id, "5000")
    cash_book.set_opening_balance(session, shop.manager, accounts["基本户"].id, "200000")
    category = session.exec(select(ExpenseCategory).where(ExpenseCategory.branch_id == shop.branch.id)).first()
    suppliers = [add_supplier(session, shop.branch.id, name, terms=PaymentTerms.MONTHLY, terms_days=30)
                 for name in ("华南汽配", "博世授权", "米其林经销")]
    session.commit()
    receipts, customers, card = [], [], None
    for day in range(DAYS):
        for n in range(rng.randint(1, 3)):
            order = completed_order(session, shop, plate=f"粤B{day:02d}{n}M{rng.randint(0, 9)}")
            customer = fleet(session, order, limit="100000", terms=PaymentTerms.MONTHLY, days=30)
            customers.append(customer.id)
            payers = [rng.choice(PAYERS) for _ in range(3)]
            done = settlement.settle(session, shop.cashier, order.id, terms=shared_terms(session, order, payers))
            session.commit()
            if rng.random() < 0.25:  # a price was wrong: reopened and settled again, every line the customer's
                try:
                    settlement.reopen(session, shop.manager, done.id, "改价")
                    done = settlement.settle(session, shop.cashier, order.id)
                    session.commit()
                except DomainError as refused:  # an advance already paid a share, or nothing was the customer's
                    assert "不能撤销" in refused.message or "没有可撤销的结算" in refused.message
                    session.rollback()
            owed = done.customer_amount
            if owed > 0:
                first = min(owed, D(rng.randint(1, int(owed))))
                pay(session, shop.cashier, order, rng.choice([PaymentMethod.CASH, PaymentMethod.WECHAT]),
                    str(first), key=key())
                if owed > first:
                    pay(session, shop.cashier, order, PaymentMethod.ON_ACCOUNT, str(owed - first), key=key())
                session.commit()
        supplier = rng.choice(suppliers)
        receipt, _ = add_receipt(session, shop.parts_clerk, supplier, local_day(utc_now()),
                                 amount=str(rng.randint(300, 5000)))
        receipts.append(receipt)
        if rng.random() < 0.3:
            add_return(session, shop.parts_clerk, rng.choice(receipts), local_day(utc_now()),
                       str(rng.randint(10, 200)))
        session.commit()
        for kind, parties in (("customer", customers), ("insurer", None), ("manufacturer", None)):
            ids = parties or [row for row in session.exec(
                select(OpenItem.party_id).where(OpenItem.party_kind == kind).distinct())]
            if ids and rng.random() < 0.5:  # some pay part, some more than they owe (an advance)
                collecting.collect(session, shop.cashier, kind, rng.choice(ids), PaymentRequest(
                    method=rng.choice(["bank_transfer", "wechat", "cash"]), amount=str(rng.randint(50, 3000)),
                    request_key=key()))
                session.commit()
        if rng.random() < 0.4:
            payables.pay_supplier(session, shop.cashier, rng.choice(suppliers).id, PaymentRequest(
                method="bank_transfer", amount=str(rng.randint(100, 4000)), request_key=key()))
            session.commit()
        if rng.random() < 0.3:
            asked = expenses.request_expense(session, shop.advisor, ExpenseRequest(
                category_id=category.id, amount=str(rng.randint(20, 800)), payee="五金店", request_key=key()))
            expenses.approve(session, shop.manager, asked.id)
            expenses.pay(session, shop.cashier, asked.id, accounts["现金"].id, key())
            session.commit()
        if card is None and customers:
            card = member_cards.issue_card(session, shop.cashier, customers[0])
        member_cards.top_up(session, shop.cashier, card.id, str(rng.randint(100, 500)), key(),
                            method=rng.choice(["cash", "alipay"]))
        session.commit()
        if rng.random() < 0.3:
            try:
                cash_book.transfer(session, shop.manager, accounts["现金"].id, accounts["基本户"].id,
                                   str(rng.randint(100, 2000)), "存现", key())
                session.commit()
            except DomainError:  # the drawer held less than that
                session.rollback()
        since = session.exec(select(func.max(CashClose.created_at))).one()
        taken = session.exec(select(func.coalesce(func.sum(JournalEntry.amount), 0)).where(
            JournalEntry.account_id == accounts["现金"].id, JournalEntry.user_id == shop.cashier.id,
            JournalEntry.document_type != "cash_close", *([JournalEntry.created_at > since] if since else []))).one()
        counted = D(str(taken)) + rng.choice([D("0"), D("0"), D("-5.50"), D("10")])
        close = cash_close.count(session, shop.cashier, str(max(counted, D("0"))), key())
        session.commit()
        if close.counted != close.expected:
            cash_close.explain(session, shop.cashier, close.id, "找零差错")
            session.commit()

    session.expire_all()
    for account in session.exec(select(MoneyAccount).where(MoneyAccount.branch_id == shop.branch.id)):
        journal = session.exec(select(func.coalesce(func.sum(JournalEntry.amount), 0))
                               .where(JournalEntry.account_id == account.id)).one()
        assert D(str(journal)) == account.balance, account.name
    allocated = {item_id: D(str(total)) for item_id, total in session.exec(
        select(Allocation.debit_item_id, func.sum(Allocation.amount)).group_by(Allocation.debit_item_id))}
    credited = {item_id: D(str(total)) for item_id, total in session.exec(
        select(Allocation.credit_item_id, func.sum(Allocation.amount)).group_by(Allocation.credit_item_id))}
    items = session.exec(select(OpenItem)).all()
    assert {i.source for i in items} >= {"on_account", "insurance_share", "warranty_share", "goods_receipt",
                                         "purchase_return", "party_payment", "reversal"}
    for item in items:
        if item.amount > 0:
            assert item.open_amount == item.amount - allocated.get(item.id, D("0")), item.number
        else:
            assert item.open_amount == item.amount + credited.get(item.id, D("0")), item.number
    assert integrity.check(session) == []
