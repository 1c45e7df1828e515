"""The Excel export routes: signed-in staff with the right role only; a Chinese file name; the screen's rows."""

from __future__ import annotations

import io
from urllib.parse import quote

from openpyxl import load_workbook

from lantong_pwa.services.workshop import reports
from tests.services.platform.test_figures import scene  # noqa: F401 - the fixed day of the figures tests
from tests.test_api_routes import PRIVATE, client, cookie, signed_in  # noqa: F401 - fixtures and helpers

ORDERS = "/api/reports/orders.xlsx"
TECHNICIANS = "/api/reports/technicians.xlsx?from=2026-11-20&to=2026-11-20"


def sheet_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def assert_refused(response, status: int, message: str) -> None:
    assert response.status_code == status
    assert response.json() == {"error": message}
    assert response.headers["cache-control"] == PRIVATE
    assert not response.content.startswith(b"PK"), "no workbook"


def test_anonymous_and_stale_cookies_get_401(client, scene):  # noqa: F811
    for url in (ORDERS, TECHNICIANS):
        assert_refused(client.get(url), 401, "请先登录")
        assert_refused(client.get(url, headers=cookie("not-a-session")), 401, "请先登录")


def test_roles_without_the_permission_get_403(client, scene, session, shop):  # noqa: F811
    for role in ("technician", "parts_clerk"):
        assert_refused(client.get(ORDERS, headers=signed_in(session, shop.users[role])), 403, "您没有权限执行此操作")
    for role in ("technician", "advisor", "cashier"):
        assert_refused(client.get(TECHNICIANS, headers=signed_in(session, shop.users[role])), 403,
                       "您没有权限执行此操作")


def test_manager_downloads_the_order_search(client, scene, session, shop):  # noqa: F811
    response = client.get(ORDERS, params={"plate": "B12345", "from": "2026-11-01", "to": "2026-11-30"},
                          headers=signed_in(session, shop.manager))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["cache-control"] == PRIVATE
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('工单查询_')}" in disposition and disposition.endswith(".xlsx")
    rows = sheet_rows(response)
    assert rows[0] == reports.ORDER_HEADERS
    assert [row[0] for row in rows[1:]] == ["WX20261120-0001", "WX20261113-0001"]
    assert rows[1][6] == 600


def test_advisor_downloads_orders_of_their_own_branch_only(client, scene, session, shop):  # noqa: F811
    mine = sheet_rows(client.get(ORDERS, headers=signed_in(session, shop.advisor)))
    theirs = sheet_rows(client.get(ORDERS, headers=signed_in(session, shop.other_branch_advisor)))
    assert len(mine) == 1 + 5 and [row[0] for row in theirs[1:]] == ["WX20261120-0001"]
    assert {row[2] for row in theirs[1:]} == {"粤A99999"}


def test_manager_downloads_the_technician_report(client, scene, session, shop):  # noqa: F811
    response = client.get(TECHNICIANS, headers=signed_in(session, shop.manager))
    assert response.status_code == 200
    assert f"filename*=UTF-8''{quote('技师绩效_')}" in response.headers["content-disposition"]
    rows = sheet_rows(response)
    assert rows[0] == reports.TECHNICIAN_HEADERS
    assert [(row[0], row[1], row[2], row[5]) for row in rows[1:]] == [("维修技师", 2, 2.5, 310), ("李师傅", 2, 1.5, 190)]


def test_bad_input_is_a_400_with_a_chinese_message(client, scene, session, shop):  # noqa: F811
    headers = signed_in(session, shop.manager)
    assert_refused(client.get(ORDERS, params={"from": "20-11-2026"}, headers=headers), 400, "开始日期格式应为年-月-日")
    assert_refused(client.get(ORDERS, params={"status": "gone"}, headers=headers), 400, "工单状态不正确")
    assert_refused(client.get(ORDERS, params={"technician": "x"}, headers=headers), 400, "技师应为整数")
    assert_refused(client.get("/api/reports/technicians.xlsx", headers=headers), 400, "请选择开始和结束日期")
