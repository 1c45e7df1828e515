"""The customer file (C1) on the hand-built branch of care_scene (both engines)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lantong_pwa.errors import NotFound, PermissionDenied
from lantong_pwa.services.care import customers
from lantong_pwa.timezone import local_day
from models import ComplaintStatus, FollowUpStatus
from tests.services.care.care_scene import care  # noqa: F401 - the fixture

D = Decimal


def names(hits) -> list[str]:
    return [hit.customer.name for hit in hits]


def test_find_by_name_mobile_or_plate(session, shop, care):  # noqa: F811
    advisor = shop.advisor
    assert names(customers.find_customers(session, advisor, "刘")) == ["刘先生"]
    assert names(customers.find_customers(session, advisor, "0138003")) == ["张先生"], "a mobile fragment"
    assert names(customers.find_customers(session, advisor, "b 67890")) == ["刘先生"], "the second car's plate"
    hits = customers.find_customers(session, advisor, "2345")
    assert names(hits) == ["刘先生", "王女士"], "粤B12345 and 粤B23456; not the other branch's 粤A12345"
    assert hits[0].plates == ["粤B12345", "粤B67890"]
    assert customers.find_customers(session, advisor, "刘%") == [], "LIKE wildcards are taken literally"
    assert customers.find_customers(session, advisor, "  ") == []


def test_the_admin_finds_in_every_branch_and_others_only_in_theirs(session, shop, care):  # noqa: F811
    assert names(customers.find_customers(session, shop.admin, "2345")) == ["刘先生", "外店客户", "王女士"]
    assert names(customers.find_customers(session, shop.other_branch_advisor, "2345")) == ["外店客户"]


def test_the_customer_file(session, shop, care):  # noqa: F811
    result = customers.customer_file(session, shop.cashier, care.liu.id)
    assert result.customer.name == "刘先生" and result.customer.mobile == "13800138001"
    assert [v.plate for v in result.vehicles] == ["粤B12345", "粤B67890"]
    assert [(o.order.number, o.plate, o.amount, o.settled) for o in result.orders] == [
        ("WX20261119-0001", "粤B12345", D("180.00"), False),
        ("WX20261118-0001", "粤B67890", D("400.00"), True),
        ("WX20261101-0001", "粤B12345", D("0.00"), False),
        ("WX20260610-0001", "粤B12345", D("400.00"), True),  # ¥300 the customer's, ¥100 warranty
        ("WX20260310-0001", "粤B12345", D("500.00"), True),  # the reopened ¥999 settlement no longer counts
    ]
    assert result.customer_amounts == {care.orders["o1"].id: D("500.00"), care.orders["o2"].id: D("300.00"),
                                       care.orders["o3"].id: D("400.00")}
    spending = result.spending
    assert (spending.total, spending.visits, spending.average, spending.owed) == (
        D("1200.00"), 3, D("400.00"), D("150.00"))
    assert (local_day(spending.first_visit), local_day(spending.last_visit)) == (date(2026, 3, 10), date(2026, 11, 18))


def test_follow_ups_and_complaints_in_the_file(session, shop, care):  # noqa: F811
    result = customers.customer_file(session, shop.manager, care.liu.id)
    assert [(f.work_order_id, f.overall, f.comment) for f in result.follow_ups] == [
        (care.orders["o3"].id, 3, ""),  # answered 2026-12-01
        (care.orders["o2"].id, 2, "还是有异响"),
        (care.orders["o1"].id, 5, "师傅很专业"),
    ]
    assert all(f.status == FollowUpStatus.ANSWERED for f in result.follow_ups)
    assert [(c.number, c.status) for c in result.complaints] == [
        ("TS20261119-0001", ComplaintStatus.RESOLVED), ("TS20261110-0001", ComplaintStatus.OPEN),
        ("TS20261015-0001", ComplaintStatus.CLOSED)]


def test_a_customer_without_visits(session, shop, care):  # noqa: F811
    result = customers.customer_file(session, shop.advisor, care.zhang.id)
    assert result.spending.visits == 1 and result.spending.total == D("100.00")
    assert [f.status for f in result.follow_ups] == [FollowUpStatus.OPEN]
    assert result.complaints == []


def test_other_branches_and_roles_without_the_permission_see_nothing(session, shop, care):  # noqa: F811
    with pytest.raises(NotFound):
        customers.customer_file(session, shop.other_branch_advisor, care.liu.id)
    with pytest.raises(NotFound, match="客户不存在"):
        customers.customer_file(session, shop.advisor, 999_999)
    assert customers.customer_file(session, shop.admin, care.far.id).spending.total == D("5000.00")
    for role in ("technician", "parts_clerk"):
        with pytest.raises(PermissionDenied):
            customers.customer_file(session, shop.users[role], care.liu.id)
        with pytest.raises(PermissionDenied):
            customers.find_customers(session, shop.users[role], "刘")
    with pytest.raises(PermissionDenied, match="请先登录"):
        customers.find_customers(session, None, "刘")
