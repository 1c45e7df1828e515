"""The satisfaction rate (C3) of November 2026 on the hand-built branch of care_scene (both engines)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.care import satisfaction
from tests.services.care.care_scene import care  # noqa: F401 - the fixture

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def people(rows) -> list[tuple]:
    return [(p.name, p.tally.answered, p.tally.satisfied, p.tally.rate, p.tally.average_overall, p.tally.complaints)
            for p in rows]


def test_the_months_rate_and_aspects(session, shop, care):  # noqa: F811
    report = satisfaction.satisfaction(session, shop.manager, NOV_1, NOV_30)
    overall = report.overall
    # f1 (5), f2 (2), f3 (4, answered 23:30 on the 20th); not October's f4, December's f6, the open f5, nor the
    # other branch's.
    assert (overall.answered, overall.satisfied, overall.rate, overall.average_overall) == (3, 2, D("66.7"), D("3.67"))
    assert report.aspects == {"quality": D("3.67"), "speed": D("3.67"), "attitude": D("4.33"), "price": D("2.67"),
                              "environment": D("4.50")}, "environment: f2 left it empty, so (5 + 4) ÷ 2"
    assert (report.complaints_opened, report.complaints_open) == (2, 1), "A still open, B resolved; C was October's"


def test_by_advisor_and_by_technician(session, shop, care):  # noqa: F811
    report = satisfaction.satisfaction(session, shop.manager, NOV_1, NOV_30)
    assert people(report.advisors) == [
        ("服务顾问", 2, 2, D("100.0"), D("4.50"), 1),  # f1, f3; complaint B
        ("李顾问", 1, 0, D("0.0"), D("2.00"), 1),  # f2; complaint A
    ]
    assert people(report.technicians) == [
        ("李师傅", 2, 1, D("50.0"), D("3.00"), 1),  # f2 (one of its two lines), f3; complaint A
        ("维修技师", 2, 1, D("50.0"), D("3.50"), 2),  # f1; f2 once, though on both its lines; complaints A and B
    ]


def test_the_monthly_trend(session, shop, care):  # noqa: F811
    report = satisfaction.satisfaction(session, shop.manager, NOV_1, NOV_30)
    assert [(m.month, m.answered, m.satisfied, m.rate) for m in report.trend] == [
        ("2026-06", 0, 0, None), ("2026-07", 0, 0, None), ("2026-08", 0, 0, None), ("2026-09", 0, 0, None),
        ("2026-10", 1, 0, D("0.0")), ("2026-11", 3, 2, D("66.7"))]
    december = satisfaction.satisfaction(session, shop.manager, date(2026, 12, 1), date(2026, 12, 1), trend_months=2)
    assert [(m.month, m.answered) for m in december.trend] == [("2026-11", 3), ("2026-12", 1)]
    assert december.overall.rate == D("0.0") and december.advisors[0].name == "服务顾问"


def test_a_period_without_answers(session, shop, care):  # noqa: F811
    report = satisfaction.satisfaction(session, shop.manager, date(2026, 7, 1), date(2026, 7, 31))
    assert (report.overall.answered, report.overall.rate, report.overall.average_overall) == (0, None, None)
    assert set(report.aspects.values()) == {None}
    assert report.advisors == [] and report.technicians == [] and report.complaints_opened == 0


def test_branches(session, shop, care):  # noqa: F811
    everyone = satisfaction.satisfaction(session, shop.admin, NOV_1, NOV_30)
    assert (everyone.overall.answered, everyone.overall.satisfied, everyone.complaints_opened) == (4, 3, 3)
    theirs = satisfaction.satisfaction(session, shop.admin, NOV_1, NOV_30, branch_id=shop.other_branch.id)
    assert (theirs.overall.answered, theirs.complaints_open) == (1, 1)
    with pytest.raises(NotFound):
        satisfaction.satisfaction(session, shop.manager, NOV_1, NOV_30, branch_id=shop.other_branch.id)


def test_permissions_and_bad_periods(session, shop, care):  # noqa: F811
    for role in ("advisor", "technician", "cashier", "parts_clerk"):
        with pytest.raises(PermissionDenied):
            satisfaction.satisfaction(session, shop.users[role], NOV_1, NOV_30)
    with pytest.raises(DomainError, match="开始日期不能晚于结束日期"):
        satisfaction.satisfaction(session, shop.manager, NOV_30, NOV_1)
    with pytest.raises(DomainError, match="请选择开始和结束日期"):
        satisfaction.satisfaction(session, shop.manager, None, NOV_30)
    with pytest.raises(DomainError, match="统计区间不能超过366天"):
        satisfaction.satisfaction(session, shop.manager, date(2025, 1, 1), NOV_30)
