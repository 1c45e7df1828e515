"""The /figures and /reports screens driven in-process, as the allowed roles, on the figures tests' fixed day."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from models import Role
from state.platform.figures import FiguresState, _change
from state.workshop.reports import ReportsState
from state.platform.session import ROLE_HOME
from tests.services.platform.test_figures import scene  # noqa: F401 - the fixed day
from tests.state.harness import drive, make_state, token_for


@pytest.fixture
def screen(app_engine, shop, scene):  # noqa: F811 - app_engine first: it empties the tables the handlers use
    return shop, scene


def cards(s: FiguresState) -> dict[str, tuple[str, str, str, str]]:
    return {c.key: (c.value, c.week_ago, c.change, c.tone) for c in s.cards}


def test_the_manager_lands_on_the_figures():
    assert ROLE_HOME[Role.MANAGER] == "/figures"


def test_manager_sees_the_day_beside_a_week_earlier(screen, session):
    shop, _ = screen
    s = make_state(FiguresState, token=token_for(session, shop.manager), path="/figures")
    assert drive(s.load()) is None and s.error == "" and s.day  # today, whatever it is
    drive(s.pick_day("2026-11-20"))
    assert s.error == "" and s.day == "2026-11-20"
    assert s.day_label == "2026-11-20 周五" and s.week_ago_label == "2026-11-13 周五"
    assert s.branch_name == "测试店" and s.picks_branch is False and s.branch_options == [[str(shop.branch.id), "测试店"]]
    assert s.comparison == [], "a manager has one branch: no comparison"
    shown = cards(s)
    assert shown["car_count"] == ("3", "1", "▲ 200.0%", "green")
    assert shown["total_sales"] == ("¥720.00", "¥100.00", "▲ 620.0%", "green")
    assert shown["aro"] == ("¥360.00", "¥100.00", "▲ 260.0%", "green")
    assert shown["collections"][:2] == ("¥400.00", "¥100.00")
    assert shown["receivables"] == ("¥100.00", "¥0.00", "▲ 新增", "green")
    assert shown["parts_margin"] == ("40.0%", "—", "—", "gray")
    assert shown["labor_rate"][:2] == ("¥125.00", "¥100.00")
    assert shown["billed_hours"][:2] == ("4.00", "1.00")
    assert shown["late_orders"] == ("1", "0", "▲ 新增", "red"), "more late cars is worse"
    assert {p["name"]: (p["current"], p["week_ago"]) for p in s.revenue_chart} == {
        "工时": (500.0, 100.0), "配件": (200.0, 0.0), "其他": (50.0, 0.0)}
    assert {p["name"]: p["current"] for p in s.collections_chart}["挂账"] == 100.0
    exact = {method: amount for method, _label, amount in s.collections}
    assert exact["on_account"] == "¥100.00" and s.collections[-1][1] == "挂账"
    assert sum(Decimal(a.lstrip("¥").replace(",", "")) for m, _, a in s.collections if m != "on_account") == 400
    assert dict(s.payer_split)["保险"] == "¥120.00"
    assert [(t.name, t.billed) for t in s.technicians] == [("维修技师", "2.50"), ("李师傅", "1.50")]

    drive(s.shift_day(-7))
    assert s.day == "2026-11-13" and cards(s)["car_count"][0] == "1"


def test_manager_cannot_pick_another_branch(screen, session):
    shop, _ = screen
    s = make_state(FiguresState, token=token_for(session, shop.manager), path="/figures")
    drive(s.pick_day("2026-11-20"))
    before = s.cards
    drive(s.pick_branch(str(shop.other_branch.id)))
    assert s.error == "记录不存在或无权查看" and s.cards == before and s.branch_name == "测试店"
    drive(s.pick_day("not a day"))
    assert s.error == "日期格式应为年-月-日"


def test_admin_picks_one_branch_or_all(screen, session):
    shop, _ = screen
    s = make_state(FiguresState, token=token_for(session, shop.admin), path="/figures")
    drive(s.load())
    assert s.branch == "all" and s.picks_branch is True
    assert [name for _, name in s.branch_options] == ["全部门店", "测试店", "另一家店"]
    drive(s.pick_day("2026-11-20"))
    assert s.branch_name == "全部门店" and cards(s)["settled"][0] == "3"
    # 全部门店 compares the branches side by side, in whole yuan, with their sum.
    assert [(r.name, r.closed, r.cars, r.sales, r.aro, r.collections) for r in s.comparison] == [
        ("测试店", False, "3", "¥720", "¥360", "¥400"), ("另一家店", False, "1", "¥1,000", "¥1,000", "¥1,000")]
    total = s.comparison_total
    assert (total.name, total.cars, total.sales, total.aro, total.collections) == (
        "合计", "4", "¥1,720", "¥573", "¥1,400")
    drive(s.pick_branch(str(shop.other_branch.id)))
    assert s.branch_name == "另一家店" and cards(s)["total_sales"][0] == "¥1,000.00"
    assert s.comparison == [], "one branch: nothing to compare"
    assert s.day == "2026-11-20", "the day stays when the branch changes"


def test_changes_read_like_a_manager_expects():
    assert _change(5, 4) == ("▲ 25.0%", "green")
    assert _change(3, 4) == ("▼ 25.0%", "red")
    assert _change(2, 2) == ("持平", "gray")
    assert _change(None, 2) == ("—", "gray")
    assert _change(2, 0) == ("▲ 新增", "green")
    assert _change(3, 5, lower_is_better=True) == ("▼ 40.0%", "green")


def test_advisor_searches_and_gets_an_export_link(screen, session):
    shop, scene_ = screen
    s = make_state(ReportsState, token=token_for(session, shop.advisor), path="/reports")
    assert drive(s.load()) is None
    assert s.shows_performance is False and s.performance == [], "advisors see no technician figures"
    assert sorted(name for _, name in s.technician_options) == sorted(["维修技师", "李师傅"])
    drive(s.search({"plate": "b12345", "from": "2026-11-01", "to": "", "technician": ""}))
    assert s.error == ""
    assert [(r.number, r.plate, r.status, r.amount) for r in s.results] == [
        ("WX20261120-0001", "粤B12345", "已结清", "¥600.00"), ("WX20261113-0001", "粤B12345", "已结清", "¥100.00")]
    url = urlparse(s.orders_export_url)
    assert url.path == "/api/reports/orders.xlsx"
    assert parse_qs(url.query) == {"plate": ["b12345"], "from": ["2026-11-01"]}
    drive(s.search({"technician": str(scene_.tech1.id)}))
    assert [r.number for r in s.results] == ["WX20261120-0001"]
    drive(s.search({"from": "2026-13-01"}))
    assert s.error == "开始日期格式应为年-月-日" and s.results == [] and s.orders_export_url == ""


def test_manager_runs_the_technician_report(screen, session):
    shop, _ = screen
    s = make_state(ReportsState, token=token_for(session, shop.manager), path="/reports")
    drive(s.load())
    assert s.shows_performance is True and s.performance_error == ""
    assert s.report_from.endswith("-01") and s.performance_export_url.startswith("/api/reports/technicians.xlsx?")
    drive(s.run_performance({"from": "2026-11-20", "to": "2026-11-20"}))
    assert [(r.name, r.lines, r.billed, r.revenue) for r in s.performance] == [
        ("维修技师", "2", "2.50", "¥310.00"), ("李师傅", "2", "1.50", "¥190.00")]
    assert s.performance_export_url == "/api/reports/technicians.xlsx?from=2026-11-20&to=2026-11-20"
    drive(s.run_performance({"from": "2026-11-20", "to": "2026-11-01"}))
    assert s.performance_error == "开始日期不能晚于结束日期" and s.performance == []
