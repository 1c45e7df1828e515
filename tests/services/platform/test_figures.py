"""The manager's daily figures and the technician report on a small fixed day, computed by hand (both engines).

The day is Friday 2026-11-20 in the shop (Asia/Shanghai); "now" is 20:00 that evening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

import models
from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.finance import receivables
from lantong_pwa.services.platform import figures
from lantong_pwa.services.workshop import reports
from lantong_pwa.timezone import SHOP_TZ, local_day
from models import PaymentMethod, SettlementLineKind, SettlementStatus, WorkOrderStatus
from tests.factories import add_vehicle

DAY = date(2026, 11, 20)
WEEK_AGO = DAY - timedelta(days=7)
NOW = datetime(2026, 11, 20, 20, 0, tzinfo=SHOP_TZ).astimezone(UTC)
D = Decimal


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHOP_TZ).astimezone(UTC)


# --- scene builders: rows straight into the tables, as the workshop services would leave them ------------------


def add_order(session: Session, vehicle: models.Vehicle, user: models.User, number: str, opened: datetime,
              status: WorkOrderStatus, **fields) -> models.WorkOrder:
    order = models.WorkOrder(branch_id=vehicle.branch_id, number=number, status=status, vehicle_id=vehicle.id,
                             customer_id=vehicle.customer_id, advisor_id=user.id, mileage_in=1000, fuel_level=2,
                             complaint="保养", created_at=opened, updated_at=opened, **fields)
    session.add(order)
    session.flush()
    return order


def add_job(session: Session, order: models.WorkOrder, name: str, hours: str, amount: str,
            shares: list[tuple[models.User, str]], discount: str = "0", position: int = 0) -> models.JobLine:
    line = models.JobLine(branch_id=order.branch_id, work_order_id=order.id, name=name, hours=D(hours),
                          rate=D("120"), amount=D(amount), discount=D(discount), position=position)
    session.add(line)
    session.flush()
    for technician, share in shares:
        session.add(models.JobAssignment(branch_id=order.branch_id, job_line_id=line.id, technician_id=technician.id,
                                         share_percent=D(share), assigned_by_id=technician.id))
    session.flush()
    return line


def add_part_line(session: Session, order: models.WorkOrder, part: models.Part, amount: str) -> models.PartLine:
    line = models.PartLine(branch_id=order.branch_id, work_order_id=order.id, part_id=part.id, part_code=part.code,
                           part_name=part.name, unit=part.unit, quantity=D("1"), unit_price=D(amount),
                           amount=D(amount), picked_quantity=D("1"))
    session.add(line)
    session.flush()
    return line


def add_settlement(session: Session, order: models.WorkOrder, user: models.User, created: datetime, *,
                   labor="0", parts="0", other="0", discount="0", customer="0", warranty="0", insurance="0",
                   internal="0", parts_cost="0", labor_hours=(), status=SettlementStatus.ACTIVE,
                   number: str | None = None) -> models.Settlement:
    gross = D(labor) + D(parts) + D(other)
    settlement = models.Settlement(
        branch_id=order.branch_id, work_order_id=order.id, number=number or f"JS-{order.number}", status=status,
        labor_total=D(labor), parts_total=D(parts), other_total=D(other), gross=gross, order_discount=D(discount),
        customer_amount=D(customer), warranty_amount=D(warranty), insurance_amount=D(insurance),
        internal_amount=D(internal), vat_rate=D("13"), parts_cost=D(parts_cost),
        billed_hours=sum((D(h) for h in labor_hours), D("0")), created_by_id=user.id, created_at=created)
    session.add(settlement)
    session.flush()
    for hours in labor_hours:
        session.add(models.SettlementLine(settlement_id=settlement.id, kind=SettlementLineKind.LABOR,
                                          description="工时", quantity=D(hours), unit_price=D("0"), amount=D("0"),
                                          net=D("0"), payer="customer", hours=D(hours)))
    if D(parts):
        session.add(models.SettlementLine(settlement_id=settlement.id, kind=SettlementLineKind.PART,
                                          description="配件", quantity=D("1"), unit_price=D(parts), amount=D(parts),
                                          net=D(parts), payer="customer", cost=D(parts_cost), hours=D("3")))
    session.flush()
    return settlement


def add_payment(session: Session, settlement: models.Settlement, user: models.User, method: PaymentMethod,
                amount: str, created: datetime) -> None:
    number = f"SK{settlement.id}-{created:%d%H%M}"
    payment = models.Payment(branch_id=settlement.branch_id, settlement_id=settlement.id, number=number,
                             method=method, amount=D(amount), request_key=number, created_by_id=user.id,
                             created_at=created)
    session.add(payment)
    settlement.paid_amount += D(amount)
    session.add(settlement)
    session.flush()
    if method == PaymentMethod.ON_ACCOUNT:  # as payments.take_payment does: what the customer owes
        order = session.get(models.WorkOrder, settlement.work_order_id)
        receivables.post_on_account(session, payment, session.get(models.Customer, order.customer_id),
                                    local_day(created))


def clock(session: Session, line: models.JobLine, technician: models.User, start: datetime,
          end: datetime | None) -> None:
    session.add(models.TimeEntry(branch_id=line.branch_id, job_line_id=line.id, technician_id=technician.id,
                                 started_at=start, ended_at=end))
    session.flush()


@dataclass
class Scene:
    tech1: models.User
    tech2: models.User
    order_a: models.WorkOrder
    order_b: models.WorkOrder


@pytest.fixture
def scene(session, shop) -> Scene:
    s = shop
    tech1 = s.technician
    tech2 = models.User(username="tech2", display_name="李师傅", password_hash="x", role=models.Role.TECHNICIAN,
                        branch_id=s.branch.id)
    session.add(tech2)
    session.flush()
    v1 = add_vehicle(session, s.branch.id, plate="粤B12345", mobile="13800138001")
    v2 = add_vehicle(session, s.branch.id, plate="粤B23456", mobile="13800138002", owner_name="王女士")
    v3 = add_vehicle(session, s.branch.id, plate="粤B34567", mobile="13800138003")
    far = add_vehicle(session, s.other_branch.id, plate="粤A99999", mobile="13800138009")
    part = models.Part(branch_id=s.branch.id, code="SCP-01", name="前刹车片", unit="套", sale_price=D("200"),
                       cost=D("120"))
    session.add(part)
    session.flush()

    # A: opened, completed and settled today; customer, warranty and an order discount; paid three ways.
    a = add_order(session, v1, s.advisor, "WX20261120-0001", at(DAY, 9), WorkOrderStatus.CLOSED,
                  promised_at=at(DAY, 17), completed_at=at(DAY, 11), settled_at=at(DAY, 12))
    jl1 = add_job(session, a, "常规保养", "2.00", "240.00", [(tech1, "100")])
    jl2 = add_job(session, a, "更换刹车片", "1.00", "150.00", [(tech1, "50"), (tech2, "50")], discount="10", position=1)
    add_part_line(session, a, part, "200.00")
    sa_ = add_settlement(session, a, s.cashier, at(DAY, 12), labor="380", parts="200", other="50", discount="30",
                         customer="500", warranty="100", parts_cost="120", labor_hours=("2.00", "1.00"))
    add_payment(session, sa_, s.cashier, PaymentMethod.CASH, "300", at(DAY, 12, 5))
    add_payment(session, sa_, s.cashier, PaymentMethod.WECHAT, "100", at(DAY, 12, 10))
    add_payment(session, sa_, s.cashier, PaymentMethod.ON_ACCOUNT, "100", at(DAY, 12, 15))

    # B: opened today, still in the bay, promised at 15:00 (late at 20:00).
    b = add_order(session, v2, s.advisor, "WX20261120-0002", at(DAY, 10), WorkOrderStatus.IN_PROGRESS,
                  promised_at=at(DAY, 15))
    jl3 = add_job(session, b, "空调检修", "1.50", "180.00", [(tech2, "100")])

    # C: opened yesterday, settled today (insurance pays), after an earlier settlement was reopened.
    c = add_order(session, v3, s.advisor, "WX20261119-0001", at(DAY - timedelta(days=1), 16),
                  WorkOrderStatus.SETTLED, completed_at=at(DAY - timedelta(days=1), 18), settled_at=at(DAY, 9, 30))
    add_job(session, c, "钣金", "1.00", "120.00", [(tech2, "100")])
    add_settlement(session, c, s.cashier, at(DAY, 9), labor="999", customer="999", labor_hours=("5.00",),
                   status=SettlementStatus.REOPENED, number="JS-C-OLD")
    add_settlement(session, c, s.cashier, at(DAY, 9, 30), labor="120", insurance="120", labor_hours=("1.00",))

    # D: opened today and cancelled: no car, not opened.
    add_order(session, v3, s.advisor, "WX20261120-0003", at(DAY, 13), WorkOrderStatus.CANCELLED)

    # The job clocks: tech1 3.5 h today (one stretch from before midnight), tech2 2.5 h (one clock still running).
    clock(session, jl1, tech1, at(DAY - timedelta(days=1), 23), at(DAY, 1))
    clock(session, jl1, tech1, at(DAY, 9, 10), at(DAY, 11, 10))
    clock(session, jl2, tech1, at(DAY, 10), at(DAY, 10, 30))
    clock(session, jl2, tech2, at(DAY, 10, 30), at(DAY, 11))
    clock(session, jl3, tech2, at(DAY, 18), None)
    clock(session, jl1, tech1, at(DAY + timedelta(days=1), 8), at(DAY + timedelta(days=1), 9))  # tomorrow

    # A week earlier: one order, opened, settled and paid in cash.
    e = add_order(session, v1, s.advisor, "WX20261113-0001", at(WEEK_AGO, 10), WorkOrderStatus.CLOSED,
                  completed_at=at(WEEK_AGO, 13), settled_at=at(WEEK_AGO, 15))
    se = add_settlement(session, e, s.cashier, at(WEEK_AGO, 15), labor="100", customer="100", labor_hours=("1.00",))
    add_payment(session, se, s.cashier, PaymentMethod.CASH, "100", at(WEEK_AGO, 15, 5))

    # The other branch, same day: only the admin's "all branches" sees it.
    o = add_order(session, far, s.other_branch_advisor, "WX20261120-0001", at(DAY, 9), WorkOrderStatus.CLOSED,
                  completed_at=at(DAY, 10), settled_at=at(DAY, 11))
    so = add_settlement(session, o, s.other_branch_advisor, at(DAY, 11), labor="1000", customer="1000",
                        labor_hours=("8.00",))
    add_payment(session, so, s.other_branch_advisor, PaymentMethod.CARD, "1000", at(DAY, 11, 5))
    session.commit()
    return Scene(tech1=tech1, tech2=tech2, order_a=a, order_b=b)


def test_the_days_figures_as_computed_by_hand(session, shop, scene):
    result = figures.daily_figures(session, shop.manager, DAY, now=NOW)
    day = result.current
    assert result.branch_id == shop.branch.id and result.branch_name == "测试店"
    assert (day.car_count, day.orders_opened, day.orders_completed, day.orders_settled) == (3, 2, 1, 2)
    assert (day.labor_sales, day.parts_sales, day.other_sales) == (D("500.00"), D("200.00"), D("50.00"))
    assert day.order_discounts == D("30.00") and day.total_sales == D("720.00")
    assert (day.customer_sales, day.warranty_sales, day.insurance_sales, day.internal_sales) == (
        D("500.00"), D("100.00"), D("120.00"), D("0.00"))
    assert day.customer_sales + day.warranty_sales + day.insurance_sales + day.internal_sales == day.total_sales
    assert day.billed_hours == D("4.00"), "labor lines only; the reopened settlement's lines are left out"
    assert day.aro == D("360.00")
    assert day.effective_labor_rate == D("125.00")
    assert day.parts_margin == D("40.0")
    assert day.collections == {PaymentMethod.CASH: D("300.00"), PaymentMethod.CARD: D("0.00"),
                               PaymentMethod.WECHAT: D("100.00"), PaymentMethod.ALIPAY: D("0.00"),
                               PaymentMethod.MEMBER_CARD: D("0.00")}
    assert day.collections_total == D("400.00") and day.new_receivables == D("100.00")
    assert (day.open_orders, day.late_orders) == (1, 1)


def test_technician_efficiency_is_billed_share_over_clocked_hours(session, shop, scene):
    day = figures.daily_figures(session, shop.manager, DAY, now=NOW).current
    rows = {t.name: (t.billed_hours, t.clocked_hours, t.efficiency) for t in day.technicians}
    assert rows == {
        "维修技师": (D("2.50"), D("3.50"), D("71.4")),  # 2 h + half of 1 h billed; 1 + 2 + 0.5 h clocked
        "李师傅": (D("1.50"), D("2.50"), D("60.0")),  # half of 1 h + 1 h; 0.5 h + a clock running 18:00–20:00
    }
    assert [t.name for t in day.technicians] == ["维修技师", "李师傅"], "most billed first"
    assert day.technician_efficiency == D("66.7")  # 4 ÷ 6


def test_the_same_weekday_a_week_earlier(session, shop, scene):
    week_ago = figures.daily_figures(session, shop.manager, DAY, now=NOW).week_ago
    assert week_ago.day == WEEK_AGO
    assert (week_ago.car_count, week_ago.orders_opened, week_ago.orders_completed, week_ago.orders_settled) == (
        1, 1, 1, 1)
    assert week_ago.labor_sales == D("100.00") and week_ago.total_sales == D("100.00")
    assert week_ago.aro == D("100.00") and week_ago.billed_hours == D("1.00")
    assert week_ago.effective_labor_rate == D("100.00") and week_ago.parts_margin is None
    assert week_ago.collections[PaymentMethod.CASH] == D("100.00") and week_ago.new_receivables == D("0.00")
    assert week_ago.technicians == []
    assert (week_ago.open_orders, week_ago.late_orders) == (0, 0), "counted at the end of that day"
    assert week_ago.as_of == at(WEEK_AGO + timedelta(days=1), 0)


def test_open_orders_are_counted_as_of_the_end_of_a_past_day(session, shop, scene):
    # At the end of the day before, order C (opened 16:00, settled the next morning) was still in the bay.
    before = figures.daily_figures(session, shop.manager, DAY - timedelta(days=1), now=NOW).current
    assert (before.open_orders, before.late_orders) == (1, 0)
    # At 11:30 the same day: A (settled at 12:00) and B were in the bay, C had been settled at 9:30; none late yet.
    midday = figures.daily_figures(session, shop.manager, DAY, now=at(DAY, 11, 30)).current
    assert (midday.open_orders, midday.late_orders) == (2, 0)
    # ...and a future day has nothing yet.
    future = figures.daily_figures(session, shop.manager, DAY + timedelta(days=2), now=NOW).current
    assert future.orders_opened == 0 and future.technicians == [] and future.collections_total == D("0.00")


def test_manager_sees_only_their_own_branch(session, shop, scene):
    with pytest.raises(NotFound):
        figures.daily_figures(session, shop.manager, DAY, branch_id=shop.other_branch.id, now=NOW)
    own = figures.daily_figures(session, shop.manager, DAY, branch_id=shop.branch.id, now=NOW)
    assert own.current.labor_sales == D("500.00")
    assert figures.branch_choices(session, shop.manager) == [(shop.branch.id, "测试店")]


def test_admin_sees_one_branch_or_all(session, shop, scene):
    everything = figures.daily_figures(session, shop.admin, DAY, now=NOW)
    assert everything.branch_id is None and everything.branch_name == "全部门店"
    assert everything.current.orders_settled == 3 and everything.current.labor_sales == D("1500.00")
    assert everything.current.collections[PaymentMethod.CARD] == D("1000.00")
    assert everything.current.car_count == 4
    other = figures.daily_figures(session, shop.admin, DAY, branch_id=shop.other_branch.id, now=NOW)
    assert other.current.labor_sales == D("1000.00") and other.current.orders_settled == 1
    assert other.current.billed_hours == D("8.00") and other.branch_name == "另一家店"
    assert [name for _, name in figures.branch_choices(session, shop.admin)] == ["测试店", "另一家店"]
    with pytest.raises(NotFound):
        figures.daily_figures(session, shop.admin, DAY, branch_id=999_999, now=NOW)


def test_admin_compares_the_branches_side_by_side(session, shop, scene):
    rows = figures.branch_comparison(session, shop.admin, DAY, now=NOW)
    assert [(r.name, r.is_open, r.figures.car_count, r.figures.total_sales, r.figures.aro,
             r.figures.collections_total) for r in rows] == [
        ("测试店", True, 3, D("720.00"), D("360.00"), D("400.00")),
        ("另一家店", True, 1, D("1000.00"), D("1000.00"), D("1000.00"))]
    # Each branch's figures are the ones its own screen shows.
    assert rows[0].figures == figures.daily_figures(session, shop.admin, DAY, shop.branch.id, now=NOW).current
    # A manager's "comparison" is their own branch alone.
    assert [r.name for r in figures.branch_comparison(session, shop.manager, DAY, now=NOW)] == ["测试店"]


def test_a_closed_branch_is_compared_on_the_days_it_was_open(session, shop, scene):
    other = session.get(models.Branch, shop.other_branch.id)
    other.status, other.closed_at = models.BranchStatus.CLOSED, at(DAY, 18)  # closed that evening
    session.commit()
    [_, closed] = figures.branch_comparison(session, shop.admin, DAY, now=NOW)
    assert (closed.name, closed.is_open, closed.figures.total_sales) == ("另一家店", False, D("1000.00"))
    assert figures.daily_figures(session, shop.admin, DAY, now=NOW).current.labor_sales == D("1500.00")
    later = figures.branch_comparison(session, shop.admin, DAY + timedelta(days=1), now=NOW)
    assert [r.name for r in later] == ["测试店"]


@pytest.mark.parametrize("role", ["advisor", "technician", "parts_clerk", "cashier"])
def test_other_roles_may_not_see_the_figures(session, shop, scene, role):
    with pytest.raises(PermissionDenied):
        figures.daily_figures(session, shop.users[role], DAY, now=NOW)
    with pytest.raises(PermissionDenied):
        reports.technician_performance(session, shop.users[role], DAY, DAY)
    with pytest.raises(PermissionDenied):
        figures.branch_comparison(session, shop.users[role], DAY, now=NOW)


def test_technician_performance_over_a_range(session, shop, scene):
    rows = reports.technician_performance(session, shop.manager, DAY, DAY, now=NOW)
    assert [(r.name, r.lines, r.billed_hours, r.clocked_hours, r.labor_revenue, r.efficiency) for r in rows] == [
        ("维修技师", 2, D("2.50"), D("3.50"), D("310.00"), D("71.4")),  # 240 + half of (150 − 10)
        ("李师傅", 2, D("1.50"), D("2.50"), D("190.00"), D("60.0")),  # half of 140 + 120
    ]
    later = at(DAY + timedelta(days=1), 10)
    week = {r.name: r for r in reports.technician_performance(session, shop.manager, WEEK_AGO,
                                                              DAY + timedelta(days=1), now=later)}
    # The stretch across midnight now counts whole (2 h), and tomorrow's hour is in the range: 2 + 2 + 0.5 + 1.
    assert week["维修技师"].clocked_hours == D("5.50")
    assert week["李师傅"].clocked_hours == D("16.50"), "the running clock counts up to now (18:00 to 10:00)"
    with pytest.raises(DomainError, match="开始日期不能晚于结束日期"):
        reports.technician_performance(session, shop.manager, DAY, WEEK_AGO)
    with pytest.raises(DomainError, match="不能超过366天"):
        reports.technician_performance(session, shop.manager, date(2025, 1, 1), date(2026, 6, 1))
    assert reports.technician_performance(session, shop.admin, DAY, DAY, branch_id=shop.other_branch.id) == []
