"""Expenses (F4): a request, tiered approval (nobody approves their own), payment once from an account into its
journal, the storeroom's internal use among the expenses, statistics by category and month, and the categories a
manager keeps."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select, update

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import cash_book, expense_categories, expenses
from lantong_pwa.services.finance.expenses import APPROVE, PAY, REJECT, WITHDRAW, ExpenseRequest
from lantong_pwa.services.parts import stock, stock_issues
from lantong_pwa.services.parts.stock_issues import IssueForm, IssueLineInput
from lantong_pwa.services.platform import integrity
from lantong_pwa.timezone import SHOP_TZ, local_day
from models import AuditEvent, Expense, ExpenseCategory, ExpenseKind, ExpenseStatus, JournalEntry, MoneyAccount, Role
from models.common import utc_now
from tests.conftest import password_hash, refusal
from tests.factories import add_part
from tests.races import race

D = Decimal


def add_user(session, shop, role: Role, username: str):
    from models import User
    user = User(username=username, display_name=username, password_hash=password_hash(), role=role,
                branch_id=shop.branch.id)
    session.add(user)
    session.commit()
    return user


class Scene:
    def __init__(self, session, shop):
        self.session, self.shop = session, shop
        expense_categories.seed_defaults(session, shop.branch.id)
        cash_book.ensure_accounts(session, shop.branch.id)
        session.flush()
        self.cash = self.account("现金")
        cash_book.set_opening_balance(session, shop.manager, self.cash.id, "1000")
        self.second_manager = add_user(session, shop, Role.MANAGER, "manager2")
        self.second_admin = add_user(session, shop, Role.ADMIN, "admin2")
        session.commit()

    def account(self, name: str) -> MoneyAccount:
        return self.session.exec(select(MoneyAccount).where(MoneyAccount.branch_id == self.shop.branch.id,
                                                            MoneyAccount.name == name)).one()

    def category(self, name: str = "办公用品") -> ExpenseCategory:
        return self.session.exec(select(ExpenseCategory).where(ExpenseCategory.branch_id == self.shop.branch.id,
                                                               ExpenseCategory.name == name)).one()

    def ask(self, who, amount="300", *, key=None, category="办公用品", payee="文具店", note="打印纸") -> Expense:
        return expenses.request_expense(self.session, who, ExpenseRequest(
            category_id=self.category(category).id, amount=amount, payee=payee, note=note,
            request_key=key or str(uuid.uuid4())))

    def balance(self, account=None) -> Decimal:
        self.session.expire_all()
        return self.session.get(MoneyAccount, (account or self.cash).id).balance

    def reread(self, expense) -> Expense:
        self.session.expire_all()
        return self.session.get(Expense, expense.id)


@pytest.fixture
def scene(session, shop) -> Scene:
    return Scene(session, shop)


def test_a_request_approved_and_paid_posts_to_the_cash_journal(session, shop, scene):
    asked = scene.ask(shop.advisor, "300.50")
    assert (asked.status, asked.approvals_needed, asked.number[:2]) == (ExpenseStatus.PENDING, 1, "BX")
    assert expenses.allowed_actions(shop.manager, asked) == [APPROVE, REJECT]
    assert expenses.allowed_actions(shop.advisor, asked) == [WITHDRAW]
    assert expenses.allowed_actions(shop.cashier, asked) == []
    approved = expenses.approve(session, shop.manager, asked.id)
    assert (approved.status, approved.first_approver_id) == (ExpenseStatus.APPROVED, shop.manager.id)
    assert expenses.allowed_actions(shop.cashier, approved) == [PAY]
    paid = expenses.pay(session, shop.cashier, asked.id, scene.cash.id, "pay-1")
    session.commit()
    assert (paid.status, paid.account_id, paid.paid_by_id) == (ExpenseStatus.PAID, scene.cash.id, shop.cashier.id)
    assert scene.balance() == D("699.50")
    entry = session.exec(select(JournalEntry).where(JournalEntry.document_type == "expense")).one()
    assert (entry.account_id, entry.amount, entry.balance_after, entry.document_id) == (
        scene.cash.id, D("-300.50"), D("699.50"), asked.id)
    assert asked.number in entry.summary and "办公用品" in entry.summary
    book = cash_book.journal(session, shop.cashier, scene.cash.id, local_day(utc_now()), local_day(utc_now()))
    assert [(e.document_type, e.amount) for e in book.entries][-1] == ("expense", D("-300.50"))
    assert expenses.allowed_actions(shop.cashier, paid) == [] and expenses.allowed_actions(shop.advisor, paid) == []
    assert [a for a in session.exec(select(AuditEvent.action).where(AuditEvent.entity == "expense")
                                       .order_by(AuditEvent.id)).all()] == [
        "expense.request", "expense.approve", "expense.pay"]
    assert integrity.check(session) == []


def test_a_resent_request_makes_one_expense(session, shop, scene):
    first = scene.ask(shop.advisor, key="same")
    again = scene.ask(shop.advisor, "999", key="same")
    assert again.id == first.id and again.amount == D("300.00")
    assert session.exec(select(func.count()).select_from(Expense)).one() == 1


def test_bad_input_is_told_next_to_its_field(session, shop, scene):
    with refusal(session, FormErrors) as caught:
        expenses.request_expense(session, shop.advisor, ExpenseRequest(category_id="x", amount="-1", payee="",
                                                                       request_key="k"))
    assert set(caught.value.errors) == {"category_id", "amount", "payee"}
    foreign = ExpenseCategory(branch_id=shop.other_branch.id, name="外店类别")
    session.add(foreign)
    session.commit()
    with refusal(session, FormErrors) as caught:
        expenses.request_expense(session, shop.advisor, ExpenseRequest(category_id=foreign.id, amount="1",
                                                                       payee="某人", request_key="k"))
    assert caught.value.errors == {"category_id": "请选择费用类别"}
    with refusal(session, PermissionDenied):
        scene.ask(shop.technician)
    assert session.exec(select(func.count()).select_from(Expense)).one() == 0


def test_nobody_approves_their_own(session, shop, scene):
    own = scene.ask(shop.manager)
    assert expenses.allowed_actions(shop.manager, own) == [WITHDRAW]
    with refusal(session, PermissionDenied, match="不能审批自己"):
        expenses.approve(session, shop.manager, own.id)
    with refusal(session, PermissionDenied, match="不能审批自己"):
        expenses.reject(session, shop.manager, own.id, "不要了")
    assert scene.reread(own).status == ExpenseStatus.PENDING
    # the table refuses it too
    with pytest.raises(IntegrityError):
        session.execute(update(Expense).where(Expense.id == own.id).values(
            status=ExpenseStatus.APPROVED, first_approver_id=shop.manager.id))
        session.flush()
    session.rollback()
    assert expenses.approve(session, scene.second_manager, own.id).status == ExpenseStatus.APPROVED


def test_above_the_branchs_amount_head_office_approves_too(session, shop, scene):
    assert expenses.approval_amount(session, shop.branch.id) == D("2000.00")
    small, large = scene.ask(shop.cashier, "2000"), scene.ask(shop.cashier, "2000.01")
    assert (small.approvals_needed, large.approvals_needed) == (1, 2)
    first = expenses.approve(session, shop.manager, large.id)
    assert first.status == ExpenseStatus.PENDING_SECOND
    assert expenses.allowed_actions(shop.manager, first) == []
    assert expenses.allowed_actions(scene.second_manager, first) == []
    assert expenses.allowed_actions(shop.admin, first) == [APPROVE, REJECT]
    with refusal(session, PermissionDenied, match="总部复核"):
        expenses.approve(session, scene.second_manager, large.id)
    with refusal(session, DomainError, match="待复核，不能支付"):
        expenses.pay(session, shop.cashier, large.id, scene.cash.id, "p")
    done = expenses.approve(session, shop.admin, large.id)
    assert (done.status, done.second_approver_id) == (ExpenseStatus.APPROVED, shop.admin.id)
    session.commit()
    # An admin's first approval never counts twice: the second comes from another admin.
    bigger = scene.ask(shop.cashier, "5000")
    expenses.approve(session, shop.admin, bigger.id)
    again = expenses.approve(session, shop.admin, bigger.id)  # a resend: nothing more happens
    assert again.status == ExpenseStatus.PENDING_SECOND and again.second_approver_id is None
    assert expenses.allowed_actions(shop.admin, again) == []
    assert expenses.approve(session, scene.second_admin, bigger.id).status == ExpenseStatus.APPROVED
    session.commit()


def test_the_amount_is_a_branch_setting_for_new_requests(session, shop, scene):
    waiting = scene.ask(shop.advisor, "3000")
    branch = expenses.set_approval_amount(session, shop.manager, "5000")
    assert branch.expense_approval_amount == D("5000.00")
    assert waiting.approvals_needed == 2 and scene.ask(shop.advisor, "3000").approvals_needed == 1
    with refusal(session, DomainError, match="大于0"):
        expenses.set_approval_amount(session, shop.manager, "0")
    with refusal(session, PermissionDenied):
        expenses.set_approval_amount(session, shop.cashier, "100")


def test_rejected_and_withdrawn_expenses_go_no_further(session, shop, scene):
    rejected = scene.ask(shop.advisor)
    with refusal(session, DomainError, match="驳回原因"):
        expenses.reject(session, shop.manager, rejected.id, " ")
    done = expenses.reject(session, shop.manager, rejected.id, "没有发票")
    assert (done.status, done.reason, done.decided_by_id) == (ExpenseStatus.REJECTED, "没有发票", shop.manager.id)
    with refusal(session, DomainError, match="已驳回"):
        expenses.approve(session, scene.second_manager, rejected.id)
    withdrawn = scene.ask(shop.advisor)
    with refusal(session, PermissionDenied, match="只能撤回自己"):
        expenses.withdraw(session, shop.cashier, withdrawn.id)
    expenses.approve(session, shop.manager, withdrawn.id)
    assert expenses.withdraw(session, shop.advisor, withdrawn.id).status == ExpenseStatus.WITHDRAWN
    with refusal(session, DomainError, match="已撤回，不能支付"):
        expenses.pay(session, shop.cashier, withdrawn.id, scene.cash.id, "p")
    assert scene.balance() == D("1000.00")


def test_paid_once_never_beyond_the_account_and_only_from_the_branch(session, shop, scene):
    big = scene.ask(shop.advisor, "1500")
    expenses.approve(session, shop.manager, big.id)
    with refusal(session, DomainError, match="不够支付") as caught:
        expenses.pay(session, shop.cashier, big.id, scene.cash.id, "p1")
    assert caught.value.field == "account_id"
    foreign = MoneyAccount(branch_id=shop.other_branch.id, kind="cash", name="外店现金", balance=D("0"))
    session.add(foreign)
    session.commit()
    with refusal(session, NotFound):
        expenses.pay(session, shop.cashier, big.id, foreign.id, "p1")
    small = scene.ask(shop.advisor, "100")
    expenses.approve(session, shop.manager, small.id)
    first = expenses.pay(session, shop.cashier, small.id, scene.cash.id, "p2")
    assert expenses.pay(session, shop.cashier, small.id, scene.cash.id, "p2").id == first.id  # resent
    with refusal(session, DomainError, match="已支付"):
        expenses.pay(session, shop.manager, small.id, scene.cash.id, "p3")
    with refusal(session, PermissionDenied):
        expenses.pay(session, shop.advisor, big.id, scene.cash.id, "p4")
    assert scene.balance() == D("900.00")
    assert session.exec(select(func.count()).select_from(JournalEntry)
                        .where(JournalEntry.document_type == "expense")).one() == 1


def test_others_and_other_branches_do_not_see_an_expense(session, shop, scene):
    asked = scene.ask(shop.advisor)
    assert expenses.get_expense(session, shop.cashier, asked.id).id == asked.id
    with refusal(session, NotFound):
        expenses.get_expense(session, shop.parts_clerk, asked.id)  # not theirs, nor do they see expenses
    with refusal(session, NotFound):
        expenses.get_expense(session, shop.other_branch_advisor, asked.id)
    with refusal(session, PermissionDenied):
        expenses.get_expense(session, shop.technician, asked.id)
    mine = expenses.month_list(session, shop.parts_clerk, local_day(utc_now()))
    assert mine == []


def test_paying_twice_at_once_pays_once(app_engine, session, shop, scene):
    asked = scene.ask(shop.advisor, "600")
    expenses.approve(session, shop.manager, asked.id)
    bank = scene.account("基本户")
    cash_book.set_opening_balance(session, shop.manager, bank.id, "5000")
    session.commit()
    results = race([lambda s: expenses.pay(s, shop.cashier, asked.id, scene.cash.id, "race-a"),
                    lambda s: expenses.pay(s, shop.manager, asked.id, bank.id, "race-b"),
                    lambda s: expenses.pay(s, shop.cashier, asked.id, scene.cash.id, "race-c")])
    paid = [r for r in results if isinstance(r, Expense)]
    assert len(paid) == 1 and all(("状态已变化" in r.message or "已支付" in r.message) for r in results if isinstance(r, DomainError))
    assert session.exec(select(func.count()).select_from(JournalEntry)
                        .where(JournalEntry.document_type == "expense")).one() == 1
    assert scene.balance() + scene.balance(bank) == D("5400.00")
    assert integrity.check(session) == []


def test_a_resent_request_at_once_makes_one_expense(app_engine, session, shop, scene):
    category = scene.category().id
    results = race([lambda s: expenses.request_expense(s, shop.advisor, ExpenseRequest(
        category_id=category, amount="50", payee="快递", request_key="double-tap"))] * 3)
    assert len({r.id for r in results}) == 1
    assert session.exec(select(func.count()).select_from(Expense)).one() == 1


def test_two_managers_approving_at_once_approve_once(app_engine, session, shop, scene):
    asked = scene.ask(shop.advisor, "3000")
    session.commit()
    results = race([lambda s: expenses.approve(s, shop.manager, asked.id),
                    lambda s: expenses.approve(s, scene.second_manager, asked.id)])
    assert sum(isinstance(r, Expense) for r in results) == 1
    assert scene.reread(asked).status == ExpenseStatus.PENDING_SECOND


# --- internal use, the month's list and statistics -----------------------------------------------------------


def _internal_use(session, shop, category: str, quantity: str, key: str):
    clerk = shop.parts_clerk
    warehouse = stock.create_warehouse(session, clerk, f"W{key}", f"仓库{key}")
    part = add_part(session, shop.branch.id, code=f"HZ-{key}", name="擦车布", price="5.00")
    stock.receive_stock(session, clerk, warehouse.id, part.id, "100", "2.5")
    category_id = session.exec(select(ExpenseCategory.id).where(ExpenseCategory.branch_id == shop.branch.id,
                                                                ExpenseCategory.name == category)).one()
    return stock_issues.create_issue(session, clerk, IssueForm(
        kind="internal_use", warehouse_id=warehouse.id, expense_category_id=category_id,
        lines=[IssueLineInput(part.id, quantity)], request_key=key, recipient="洗车房小王")).issue


def test_internal_use_appears_among_the_expenses_and_in_the_statistics(session, shop, scene):
    issue = _internal_use(session, shop, "洗车房", "4", "i1")  # ¥10.00 at cost
    paid = scene.ask(shop.advisor, "120", category="洗车房")
    expenses.approve(session, shop.manager, paid.id)
    expenses.pay(session, shop.cashier, paid.id, scene.cash.id, "p")
    waiting = scene.ask(shop.advisor, "80", category="办公用品")
    session.commit()
    today = local_day(utc_now())
    lines = expenses.month_list(session, shop.manager, today)
    assert {(line.number, line.status, line.amount) for line in lines} == {
        (issue.number, "内部领料", D("10.00")), (paid.number, "已支付", D("120.00")),
        (waiting.number, "待审批", D("80.00"))}
    assert [line.expense_id is None for line in lines if line.number == issue.number] == [True]
    assert {line.number for line in expenses.month_list(session, shop.manager, today, status="pending")} == {
        waiting.number}
    assert {line.number for line in expenses.month_list(session, shop.advisor, today)} == {
        paid.number, waiting.number}  # a requester sees their own, no internal use
    report = expenses.statistics(session, shop.manager, today.year)
    month = today.month - 1
    by_name = {row.name: row for row in report.rows}
    assert set(by_name) == {"洗车房"}  # only paid expenses and internal use count
    assert (by_name["洗车房"].paid[month], by_name["洗车房"].used[month], by_name["洗车房"].total) == (
        D("120.00"), D("10.00"), D("130.00"))
    table = expenses.statistics_table(report)
    assert table[-3][0] == "合计" and table[-3][-1] == D("130.00")
    assert table[-2][-1] == D("120.00") and table[-1][-1] == D("10.00")
    assert len(table[0]) == len(expenses.STATISTICS_HEADERS)
    with refusal(session, PermissionDenied):
        expenses.statistics(session, shop.advisor, today.year)


def test_a_payment_counts_in_the_month_it_was_paid(session, shop, scene):
    asked = scene.ask(shop.advisor, "70")
    expenses.approve(session, shop.manager, asked.id)
    expenses.pay(session, shop.cashier, asked.id, scene.cash.id, "p")
    # Paid on the shop's 1 January at 00:30 (31 December in UTC): it counts in January of the shop's year.
    session.execute(update(Expense).where(Expense.id == asked.id).values(
        paid_at=datetime(2025, 1, 1, 0, 30, tzinfo=SHOP_TZ).astimezone(UTC)))
    session.commit()
    assert expenses.paid_by_month(session, shop.branch.id, 2025) == {(scene.category().id, 1): D("70.00")}
    assert expenses.paid_by_month(session, shop.branch.id, 2024) == {}


# --- categories ----------------------------------------------------------------------------------------------


def test_a_manager_adds_renames_and_retires_categories(session, shop, scene):
    added = expense_categories.add_category(session, shop.manager, "水电费", "other")
    assert (added.kind, added.is_active) == (ExpenseKind.OTHER, True)
    with refusal(session, FormErrors) as caught:
        expense_categories.add_category(session, shop.manager, "水电费", "weird")
    assert set(caught.value.errors) == {"name", "kind"}
    renamed = expense_categories.rename_category(session, shop.manager, added.id, "水电燃气")
    assert renamed.name == "水电燃气"
    with refusal(session, DomainError, match="已有名为"):
        expense_categories.rename_category(session, shop.manager, added.id, "洗车房")
    retired = expense_categories.set_category_active(session, shop.manager, added.id, False)
    assert not retired.is_active
    with refusal(session, FormErrors, match="已停用"):
        expenses.request_expense(session, shop.advisor, ExpenseRequest(category_id=added.id, amount="1",
                                                                       payee="电力局", request_key="k"))
    with refusal(session, DomainError, match="至少保留一个"):
        expense_categories.set_category_active(session, shop.manager, scene.category("促销赠品").id, False)
    with refusal(session, PermissionDenied):
        expense_categories.add_category(session, shop.cashier, "房租", "other")
    with refusal(session, NotFound):
        expense_categories.rename_category(session, shop.manager, "abc", "x")
    names = [c.name for c in expense_categories.all_categories(session, shop.manager)]
    assert names[-1] == "水电燃气" and "洗车房" in names


def test_awaiting_lists_what_each_person_may_do(session, shop, scene):
    small = scene.ask(shop.advisor, "100")
    large = scene.ask(shop.advisor, "3000")
    own = scene.ask(shop.manager, "50")
    assert {e.id for e, _c, _b in expenses.awaiting(session, shop.manager)} == {small.id, large.id}
    expenses.approve(session, shop.manager, large.id)
    expenses.approve(session, scene.second_manager, own.id)
    assert {e.id for e, _c, _b in expenses.awaiting(session, shop.admin)} == {small.id, large.id}
    assert {e.id for e, _c, _b in expenses.awaiting(session, shop.cashier)} == {own.id}
    assert expenses.awaiting(session, shop.advisor) == []


def test_today_is_a_shop_day(session, shop, scene):
    assert expenses.month_bounds(date(2026, 12, 15)) == (
        datetime(2026, 11, 30, 16, 0, tzinfo=UTC), datetime(2026, 12, 31, 16, 0, tzinfo=UTC))


def test_the_check_finds_a_paid_expense_without_its_journal_entry(session, shop, scene):
    asked = scene.ask(shop.advisor, "40")
    expenses.approve(session, shop.manager, asked.id)
    expenses.pay(session, shop.cashier, asked.id, scene.cash.id, "p")
    session.commit()
    assert integrity.check(session) == []
    session.execute(update(JournalEntry).where(JournalEntry.document_type == "expense").values(amount=D("-4.00")))
    session.commit()
    problems = {p.rule: p for p in integrity.check(session)}
    assert asked.number in problems["expenses_against_journal"].rows[0]
