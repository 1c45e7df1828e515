"""The churn analysis download (``/api/reports/churn.xlsx``): managers and the admin only; the screen's rows."""

from __future__ import annotations

from urllib.parse import quote

from lantong_pwa.services.care import churn
from lantong_pwa.timezone import local_day
from models.common import utc_now
from tests.services.care.care_scene import care  # noqa: F401 - the hand-built branch
from tests.test_api_routes import PRIVATE, client, cookie, signed_in  # noqa: F401 - fixtures and helpers
from tests.test_report_routes import assert_refused, sheet_rows

CHURN = "/api/reports/churn.xlsx"


def test_strangers_and_roles_without_care_figures_are_refused(client, care, session, shop):  # noqa: F811
    assert_refused(client.get(CHURN), 401, "请先登录")
    assert_refused(client.get(CHURN, headers=cookie("not-a-session")), 401, "请先登录")
    for role in ("advisor", "technician", "cashier", "parts_clerk"):
        assert_refused(client.get(CHURN, headers=signed_in(session, shop.users[role])), 403, "您没有权限执行此操作")


def test_manager_downloads_the_churn_analysis_of_their_branch(client, care, session, shop):  # noqa: F811
    response = client.get(CHURN, headers=signed_in(session, shop.manager))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["cache-control"] == PRIVATE
    assert f"filename*=UTF-8''{quote('客户流失分析_')}" in response.headers["content-disposition"]
    rows = sheet_rows(response)
    assert rows[0] == churn.CHURN_HEADERS
    assert {row[0] for row in rows[1:]} == {"刘先生", "王女士", "张先生", "赵女士"}, "not the other branch's"
    assert rows[1][0] == "王女士" and rows[1][-1] == "是", "the most valuable customer at risk first"
    expected = churn.churn_table(churn.churn_analysis(session, shop.manager, local_day(utc_now())))
    assert [list(row[:3]) + [row[5]] for row in rows[1:]] == [row[:3] + [row[5]] for row in expected]


def test_the_admin_downloads_every_branch(client, care, session, shop):  # noqa: F811
    rows = sheet_rows(client.get(CHURN, headers=signed_in(session, shop.admin)))
    assert len(rows) == 1 + 5 and "外店客户" in {row[0] for row in rows[1:]}
