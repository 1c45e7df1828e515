"""Churn analysis (C2) on the hand-built branch of care_scene, as of 2026-11-20 (both engines).

Spending: 刘 ¥1,200, 王 ¥3,000, 张 ¥100, 赵 ¥200; the mean, ¥1,125, divides high from low.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lantong_pwa.errors import NotFound, PermissionDenied
from lantong_pwa.services.care import churn
from lantong_pwa.services.workshop import reports
from tests.services.care.care_scene import TODAY, care  # noqa: F401 - the fixture

D = Decimal


def scores(result) -> dict[str, tuple]:
    return {c.name: (c.visits, c.visits_last_year, c.first_visit, c.last_visit, c.days_since, c.spending,
                     c.usual_interval, c.segment_label, c.at_risk) for c in result.customers}


def test_every_customers_scores_and_segment(session, shop, care):  # noqa: F811
    result = churn.churn_analysis(session, shop.manager, TODAY)
    assert result.monetary_threshold == D("1125.00")
    assert scores(result) == {
        # recent, 3 visits this year, high spending; in the workshop right now anyway
        "刘先生": (3, 3, date(2026, 3, 10), date(2026, 11, 18), 2, D("1200.00"), D("126.5"), "重要价值客户", False),
        # long gone, high spending: 476 days > 1.5 × 92
        "王女士": (2, 0, date(2025, 5, 1), date(2025, 8, 1), 476, D("3000.00"), D("92.0"), "重要挽留客户", True),
        # one visit: the default 180-day interval; 314 > 270
        "张先生": (1, 1, date(2026, 1, 10), date(2026, 1, 10), 314, D("100.00"), D("180"), "一般挽留客户", True),
        "赵女士": (1, 1, date(2026, 9, 1), date(2026, 9, 1), 80, D("200.00"), D("180"), "一般发展客户", False),
    }
    assert [c.name for c in result.customers] == ["王女士", "刘先生", "赵女士", "张先生"], "most valuable first"
    assert [c.name for c in result.at_risk] == ["王女士", "张先生"]
    assert result.at_risk[0].plates == ("粤B23456",) and result.at_risk[0].overdue_days == 384
    assert dict((label, n) for _key, label, n in result.segment_counts) == {
        "重要价值客户": 1, "重要发展客户": 0, "重要保持客户": 0, "重要挽留客户": 1, "一般价值客户": 0,
        "一般发展客户": 1, "一般保持客户": 0, "一般挽留客户": 1}


def test_as_of_an_earlier_day_later_orders_do_not_count(session, shop, care):  # noqa: F811
    result = churn.churn_analysis(session, shop.manager, date(2026, 2, 1))
    assert {c.name: (c.visits, c.days_since) for c in result.customers} == {"王女士": (2, 184), "张先生": (1, 22)}
    assert [c.name for c in result.at_risk] == ["王女士"]  # 184 > 138


def test_customers_in_the_workshop_are_not_at_risk_and_short_intervals_have_a_floor(session, shop, care):  # noqa: F811
    result = churn.churn_analysis(session, shop.manager, date(2027, 6, 1))
    liu = next(c for c in result.customers if c.name == "刘先生")
    assert liu.days_since == 195 and liu.days_since > 1.5 * 126.5
    assert liu.at_risk is False, "an order of his is in the workshop"
    assert churn._usual_interval(3, date(2026, 1, 1), date(2026, 1, 11)) == D("30"), "5 days is floored at 30"


def test_branches_and_permissions(session, shop, care):  # noqa: F811
    everyone = churn.churn_analysis(session, shop.admin, TODAY)
    assert len(everyone.customers) == 5 and everyone.customers[0].name == "外店客户"
    assert [c.name for c in churn.churn_analysis(session, shop.admin, TODAY, shop.other_branch.id).customers] == [
        "外店客户"]
    with pytest.raises(NotFound):
        churn.churn_analysis(session, shop.manager, TODAY, shop.other_branch.id)
    for role in ("advisor", "technician", "cashier", "parts_clerk"):
        with pytest.raises(PermissionDenied):
            churn.churn_analysis(session, shop.users[role], TODAY)


def test_the_excel_rows_put_those_at_risk_first(session, shop, care):  # noqa: F811
    result = churn.churn_analysis(session, shop.manager, TODAY)
    data = reports.export_xlsx(churn.churn_table(result), churn.CHURN_HEADERS, "客户流失分析")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == churn.CHURN_HEADERS
    assert rows[1] == ("王女士", "13800138002", "粤B23456", "2025-05-01", "2025-08-01", 476, 2, 0, 92, 3000,
                       "重要挽留客户", "是")
    assert [row[0] for row in rows[1:]] == ["王女士", "张先生", "刘先生", "赵女士"]
    assert rows[3][2] == "粤B12345、粤B67890"
