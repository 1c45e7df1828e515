"""内部领料 and 赠品出库: slips posted at average cost to an expense category, never below zero, never twice, and
what finance reads per category and month."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.finance import expense_categories
from lantong_pwa.services.parts import stock, stock_issues, stock_report
from lantong_pwa.services.parts.stock_issues import IssueForm, IssueLineInput
from lantong_pwa.services.platform import branches
from lantong_pwa.services.platform.branches import BranchForm
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from lantong_pwa.timezone import local_day
from models import (
    AuditEvent,
    ExpenseCategory,
    ExpenseKind,
    Role,
    StockBalance,
    StockIssue,
    StockIssueLine,
    StockMove,
    StockMoveKind,
    User,
)
from models.common import utc_now
from tests.conftest import password_hash, refusal
from tests.factories import add_part, add_vehicle
from tests.races import race

D = Decimal


class Scene:
    def __init__(self, session, shop):
        self.session = session
        self.shop = shop
        self.clerk = shop.parts_clerk
        expense_categories.seed_defaults(session, shop.branch.id)
        self.main = stock.create_warehouse(session, self.clerk, "MAIN", "主仓库")
        self.rags = add_part(session, shop.branch.id, code="HZ-01", name="擦车布", price="5.00")
        self.wax = add_part(session, shop.branch.id, code="XC-02", name="洗车液", price="30.00")
        stock.receive_stock(session, self.clerk, self.main.id, self.rags.id, "10", "2")
        stock.receive_stock(session, self.clerk, self.main.id, self.rags.id, "10", "3")  # average 2.5
        stock.receive_stock(session, self.clerk, self.main.id, self.wax.id, "4", "12.3333")
        session.commit()

    def category(self, name: str) -> ExpenseCategory:
        return self.session.exec(select(ExpenseCategory).where(ExpenseCategory.branch_id == self.shop.branch.id,
                                                               ExpenseCategory.name == name)).one()

    def form(self, *lines, key="k1", kind="internal_use", category="洗车房", **fields) -> IssueForm:
        return IssueForm(kind=kind, warehouse_id=self.main.id, expense_category_id=self.category(category).id,
                         lines=[IssueLineInput(part.id, quantity) for part, quantity in lines], request_key=key,
                         **fields)

    def on_hand(self, part) -> Decimal:
        self.session.expire_all()
        return self.session.exec(select(StockBalance.on_hand).where(StockBalance.part_id == part.id)).one()


@pytest.fixture
def scene(session, shop) -> Scene:
    return Scene(session, shop)


def test_internal_use_leaves_at_average_cost_and_is_charged_to_its_category(session, scene):
    done = stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "4"), (scene.wax, "1"),
                                                                      recipient="洗车房小王"))
    issue = done.issue
    assert issue.number.startswith("CK") and issue.kind == "internal_use"
    assert issue.expense_category_id == scene.category("洗车房").id
    assert [(line.quantity, line.unit_cost, line.value) for line in done.lines] == [
        (D("4.00"), D("2.5000"), D("10.00")), (D("1.00"), D("12.3333"), D("12.33"))]
    assert issue.total == D("22.33")
    moves = session.exec(select(StockMove).where(StockMove.document_type == "stock_issue")).all()
    assert {(m.kind, m.quantity, m.document_id) for m in moves} == {
        (StockMoveKind.INTERNAL_USE, D("-4.00"), issue.id), (StockMoveKind.INTERNAL_USE, D("-1.00"), issue.id)}
    assert {line.stock_move_id for line in done.lines} == {m.id for m in moves}
    assert scene.on_hand(scene.rags) == D("16.00")
    assert session.exec(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "stock_issue.create")).one() == 1
    assert stock.rebuild_balances(session, scene.shop.branch.id) == []
    shown = stock_report.documents(session, {("stock_issue", issue.id)})[("stock_issue", issue.id)]
    assert (shown.label, shown.number, shown.url) == ("出库单", issue.number, f"/parts/issues/{issue.id}")


def test_a_gift_goes_to_promotion_and_names_its_customer_or_order(session, scene):
    vehicle = add_vehicle(session, scene.shop.branch.id)
    order = work_orders.open_work_order(session, scene.shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="保养", hours="1", rate="100")]))
    gift = stock_issues.create_issue(session, scene.clerk, IssueForm(
        kind="gift", warehouse_id=scene.main.id, work_order_number=order.number.lower(),
        lines=[IssueLineInput(scene.rags.id, "2")], request_key="g1")).issue
    assert gift.expense_category_id == scene.category("促销赠品").id and gift.work_order_id == order.id
    assert session.exec(select(StockMove.kind).where(StockMove.document_id == gift.id,
                                                     StockMove.document_type == "stock_issue")).all() == ["gift"]
    with refusal(session, FormErrors) as caught:
        stock_issues.create_issue(session, scene.clerk, IssueForm(
            kind="gift", warehouse_id=scene.main.id, lines=[IssueLineInput(scene.rags.id, "1")], request_key="g2"))
    assert caught.value.errors == {"recipient": "请填写受赠客户或关联工单"}
    with refusal(session, FormErrors) as caught:
        stock_issues.create_issue(session, scene.clerk, IssueForm(
            kind="gift", warehouse_id=scene.main.id, work_order_number="WX0", recipient="x",
            lines=[IssueLineInput(scene.rags.id, "1")], request_key="g3"))
    assert caught.value.errors == {"work_order_number": "本店没有工单WX0"}


def test_stock_never_goes_negative_and_a_refused_slip_changes_nothing(session, scene):
    with refusal(session, match=r"洗车液（XC-02）库存不足：主仓库现有4，本次要领用5") as caught:
        stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "3"), (scene.wax, "5")))
    assert caught.value.field == "quantity.1"  # next to the second line
    assert scene.on_hand(scene.rags) == D("20.00"), "the first line went back too"
    assert session.exec(select(func.count()).select_from(StockIssue)).one() == 0
    assert session.exec(select(func.count()).select_from(StockIssueLine)).one() == 0


def test_bad_input_is_told_next_to_its_field(session, scene):
    promotion = scene.category("促销赠品")
    with refusal(session, FormErrors) as caught:
        stock_issues.create_issue(session, scene.clerk, IssueForm(
            kind="internal_use", warehouse_id="x", expense_category_id=promotion.id, recipient="长" * 61,
            lines=[IssueLineInput(scene.rags.id, "-1"), IssueLineInput("999999", "1"),
                   IssueLineInput(scene.rags.id, "1")], request_key="bad"))
    assert caught.value.errors == {"warehouse_id": "请选择仓库", "expense_category_id": "请选择费用类别",
                                   "recipient": "领用人/受赠人不能超过60字", "quantity.0": "数量不能为负数",
                                   "part.1": "请选择本店配件目录中的配件", "part.2": "擦车布已在单上，请合并数量"}
    with refusal(session, FormErrors) as caught:
        stock_issues.create_issue(session, scene.clerk, scene.form())
    assert caught.value.errors == {"lines": "请添加要出库的配件"}
    with refusal(session, match="请选择出库类型"):
        stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "1"), kind="stolen"))
    other_part = add_part(session, scene.shop.other_branch.id, code="HZ-01", name="外店擦车布")
    with refusal(session, FormErrors) as caught:
        stock_issues.create_issue(session, scene.clerk, scene.form((other_part, "1")))
    assert caught.value.errors == {"part.0": "请选择本店配件目录中的配件"}
    assert scene.on_hand(scene.rags) == D("20.00")


def test_a_resent_slip_posts_once(session, scene):
    first = stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "2"), key="same"))
    session.commit()
    again = stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "2"), key="same"))
    assert again.resent and again.issue.id == first.issue.id
    assert [line.id for line in again.lines] == [line.id for line in first.lines]
    assert scene.on_hand(scene.rags) == D("18.00")
    with refusal(session, match="请刷新页面后重试"):
        stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "2"), key=""))


def test_only_the_parts_clerk_issues_and_slips_stay_in_their_branch(session, scene):
    for role in (r for r in Role if r != Role.PARTS_CLERK):
        with refusal(session, PermissionDenied):
            stock_issues.create_issue(session, scene.shop.users[role.value], scene.form((scene.rags, "1")))
    issue = stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "1"))).issue
    assert stock_issues.get_issue(session, scene.shop.manager, issue.id).id == issue.id
    stranger = User(username="otherclerk", display_name="外店库管", password_hash=password_hash(),
                    role=Role.PARTS_CLERK, branch_id=scene.shop.other_branch.id)
    session.add(stranger)
    with pytest.raises(NotFound):
        stock_issues.get_issue(session, stranger, issue.id)
    assert stock_issues.recent_issues(session, stranger) == []
    with pytest.raises(PermissionDenied):
        stock_issues.get_issue(session, scene.shop.technician, issue.id)
    with pytest.raises(NotFound):
        stock_issues.get_issue(session, scene.clerk, "abc")
    assert [(i.id, c.name) for i, c in stock_issues.recent_issues(session, scene.clerk)] == [(issue.id, "洗车房")]
    shown = stock_issues.printable(session, scene.shop.manager, issue.id)
    assert (shown.warehouse.name, shown.category.name, shown.clerk, shown.branch.id) == (
        "主仓库", "洗车房", scene.clerk.display_name, scene.shop.branch.id)
    assert [(line.quantity, part.code) for line, part in shown.lines] == [(D("1.00"), "HZ-01")]


def test_categories_are_seeded_per_branch_and_gifts_use_promotion(session, scene, shop):
    names = [c.name for c in stock_issues.categories_for(session, scene.clerk, "internal_use")]
    assert names == ["店内耗材", "洗车房", "工具损耗", "办公用品", "其他费用"]
    assert [c.name for c in stock_issues.categories_for(session, scene.clerk, "gift")] == ["促销赠品"]
    expense_categories.seed_defaults(session, shop.branch.id)  # idempotent
    assert session.exec(select(func.count()).select_from(ExpenseCategory)
                        .where(ExpenseCategory.branch_id == shop.branch.id)).one() == 6
    created = branches.create_branch(session, shop.admin, BranchForm(code="T09", name="新开店"))
    assert {(c.name, c.kind) for c in expense_categories.active_categories(session, created.id)} == {
        (name, kind) for name, kind in expense_categories.DEFAULT_CATEGORIES}
    promotion = scene.category("促销赠品")
    promotion.is_active = False
    session.add(promotion)
    with refusal(session, FormErrors) as caught:
        stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "1"), kind="gift", recipient="客户"))
    assert caught.value.errors == {"expense_category_id": "本店没有启用的促销费用类别，请先在设置中添加"}


def test_usage_by_category_and_month_is_what_finance_books(session, scene):
    stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "4"), key="a"))  # 10.00 洗车房
    stock_issues.create_issue(session, scene.clerk, scene.form((scene.wax, "1"), key="b"))  # 12.33 洗车房
    stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "2"), key="c", category="店内耗材"))
    earlier = stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "1"), key="d")).issue
    earlier.created_at = utc_now() - timedelta(days=40)
    session.add(earlier)
    stock_issues.create_issue(session, scene.clerk, scene.form((scene.rags, "1"), kind="gift", key="e",
                                                               recipient="刘先生"))
    session.commit()
    today = local_day(utc_now())
    then = local_day(earlier.created_at)
    rows = stock_issues.usage_by_month(session, scene.shop.manager, then, today)
    month, before = today.strftime("%Y-%m"), then.strftime("%Y-%m")
    assert [(r.month, r.category, r.kind, r.value) for r in rows] == [
        (before, "洗车房", ExpenseKind.INTERNAL_USE, D("2.50")),
        (month, "店内耗材", ExpenseKind.INTERNAL_USE, D("5.00")),
        (month, "洗车房", ExpenseKind.INTERNAL_USE, D("22.33")),
        (month, "促销赠品", ExpenseKind.PROMOTION, D("2.50")),
    ]
    assert [r.category for r in stock_issues.usage_by_month(session, scene.shop.manager, today, today)] == [
        "店内耗材", "洗车房", "促销赠品"]
    with pytest.raises(PermissionDenied):
        stock_issues.usage_by_month(session, scene.shop.cashier, today, today)


def test_two_clerks_issuing_the_last_unit_at_once_take_it_once(app_engine, session, scene):
    """Run on PostgreSQL too (LANTONG_TEST_POSTGRES_URL): the balance's row lock decides."""
    last = add_part(session, scene.shop.branch.id, code="XC-09", name="镀膜剂", price="88.00")
    stock.receive_stock(session, scene.clerk, scene.main.id, last.id, "1", "40")
    forms = [scene.form((last, "1"), key=f"race-{i}") for i in range(2)]
    session.commit()
    clerk_id = scene.clerk.id

    results = race([lambda own, form=form: stock_issues.create_issue(own, own.get(User, clerk_id), form)
                    for form in forms])

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and "镀膜剂（XC-09）库存不足：主仓库现有0" in refused[0].message
    assert scene.on_hand(last) == D("0.00")
    assert session.exec(select(func.count()).select_from(StockIssue)).one() == 1
    assert stock.rebuild_balances(session, scene.shop.branch.id) == []


def test_a_resend_racing_its_first_request_posts_once(app_engine, session, scene):
    form = scene.form((scene.rags, "3"), key="twice")
    session.commit()
    clerk_id = scene.clerk.id

    results = race([lambda own: stock_issues.create_issue(own, own.get(User, clerk_id), form)] * 2)

    assert len({r.issue.id for r in results}) == 1 and sorted(r.resent for r in results) == [False, True]
    assert scene.on_hand(scene.rags) == D("17.00")
