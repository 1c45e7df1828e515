"""Order queries (R14) and the Excel export, on the same fixed day as the figures tests."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.workshop import reports
from tests.services.platform.test_figures import DAY, NOW, WEEK_AGO, scene  # noqa: F401 - the shared scene fixture


def numbers(hits) -> list[str]:
    return [hit.order.number for hit in hits]


def test_search_by_number_plate_date_status(session, shop, scene):  # noqa: F811
    advisor = shop.advisor
    assert numbers(reports.search_orders(session, advisor, number="1120-000")) == [
        "WX20261120-0003", "WX20261120-0002", "WX20261120-0001"], "newest first; other branch left out"
    assert numbers(reports.search_orders(session, advisor, plate_fragment="b 12 345")) == [
        "WX20261120-0001", "WX20261113-0001"], "the plate's tail, typed loosely"
    assert numbers(reports.search_orders(session, advisor, date_from=DAY - timedelta(days=1),
                                         date_to=DAY - timedelta(days=1))) == ["WX20261119-0001"]
    assert numbers(reports.search_orders(session, advisor, status="in_progress")) == ["WX20261120-0002"]
    assert numbers(reports.search_orders(session, advisor, date_to=WEEK_AGO)) == ["WX20261113-0001"], \
        "up to and including that day"
    assert len(reports.search_orders(session, advisor, date_from=DAY - timedelta(days=1))) == 4, "from that day on"
    assert len(reports.search_orders(session, advisor)) == 5
    assert len(reports.search_orders(session, advisor, limit=2)) == 2


def test_search_by_technician_and_part(session, shop, scene):  # noqa: F811
    advisor = shop.advisor
    assert numbers(reports.search_orders(session, advisor, technician_id=scene.tech2.id)) == [
        "WX20261120-0002", "WX20261120-0001", "WX20261119-0001"]
    assert numbers(reports.search_orders(session, advisor, technician_id=scene.tech1.id)) == ["WX20261120-0001"]
    assert numbers(reports.search_orders(session, advisor, part_code_or_name="scp")) == ["WX20261120-0001"]
    assert numbers(reports.search_orders(session, advisor, part_code_or_name="刹车片")) == ["WX20261120-0001"]
    assert reports.search_orders(session, advisor, part_code_or_name="%") == [], "wildcards are matched literally"


def test_search_amounts_are_settled_totals_or_planned_lines(session, shop, scene):  # noqa: F811
    hits = {hit.order.number: hit for hit in reports.search_orders(session, shop.cashier)}
    settled = hits["WX20261120-0001"]
    assert settled.settled and settled.amount == Decimal("600.00")  # 630 gross − 30 order discount
    assert settled.plate == "粤B12345" and settled.customer_name == "刘先生"
    planned = hits["WX20261120-0002"]
    assert not planned.settled and planned.amount == Decimal("180.00")
    assert hits["WX20261119-0001"].amount == Decimal("120.00"), "the reopened settlement is not the total"


def test_search_is_scoped_to_the_branch(session, shop, scene):  # noqa: F811
    stranger = shop.other_branch_advisor
    assert numbers(reports.search_orders(session, stranger)) == ["WX20261120-0001"]
    assert reports.search_orders(session, stranger, plate_fragment="2345") == []
    assert len(reports.search_orders(session, shop.admin)) == 6, "the admin searches every branch"
    assert len(reports.search_orders(session, shop.admin, plate_fragment="9999")) == 1


def test_search_refuses_bad_input_and_other_roles(session, shop, scene):  # noqa: F811
    with pytest.raises(DomainError, match="工单状态不正确"):
        reports.search_orders(session, shop.advisor, status="lost")
    with pytest.raises(DomainError, match="开始日期不能晚于结束日期"):
        reports.search_orders(session, shop.advisor, date_from=DAY, date_to=WEEK_AGO)
    for role in ("technician", "parts_clerk"):
        with pytest.raises(PermissionDenied):
            reports.search_orders(session, shop.users[role])


def test_technician_list_for_the_filter(session, shop, scene):  # noqa: F811
    assert reports.technicians(session, shop.advisor) == sorted(
        [(scene.tech1.id, "维修技师"), (scene.tech2.id, "李师傅")], key=lambda row: row[1])
    assert reports.technicians(session, shop.other_branch_advisor) == []


def test_export_opens_back_in_openpyxl(session, shop, scene):  # noqa: F811
    hits = reports.search_orders(session, shop.advisor, plate_fragment="b12345")
    data = reports.export_xlsx(reports.order_table(hits), reports.ORDER_HEADERS, "工单查询")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "工单查询"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == reports.ORDER_HEADERS
    assert rows[1] == ("WX20261120-0001", "2026-11-20 09:00", "粤B12345", None, "刘先生", "已结清", 600, "是")
    assert rows[2][0] == "WX20261113-0001" and rows[2][6] == 100, "its settlement total"
    assert len(rows) == 3
    assert sheet["A1"].font.bold and sheet["G2"].number_format == "0.00"

    performance = reports.technician_performance(session, shop.manager, DAY, DAY, now=NOW)
    data = reports.export_xlsx(reports.technician_table(performance), reports.TECHNICIAN_HEADERS, "技师绩效")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [reports.TECHNICIAN_HEADERS, ("维修技师", 2, 2.5, 3.5, 71.4, 310),
                    ("李师傅", 2, 1.5, 2.5, 60, 190)]


def test_export_of_nothing_is_just_the_headers():
    data = reports.export_xlsx([], reports.TECHNICIAN_HEADERS, "技师绩效")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [reports.TECHNICIAN_HEADERS]
