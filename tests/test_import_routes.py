"""导入's two routes: the templates (``/api/imports/<kind>/template.xlsx``) and the upload (``POST /api/imports``),
for those who manage the catalogue only, the upload capped in size and kept for its sender."""

from __future__ import annotations

from lantong_pwa.services.parts import catalogue_import
from tests.test_api_routes import PRIVATE, client, cookie, signed_in  # noqa: F401 - fixtures and helpers
from tests.test_report_routes import assert_refused, sheet_rows


def test_templates_for_catalogue_managers_only(client, session, shop):  # noqa: F811
    url = "/api/imports/parts/template.xlsx"
    assert_refused(client.get(url), 401, "请先登录")
    for role in ("advisor", "technician", "cashier"):
        assert_refused(client.get(url, headers=signed_in(session, shop.users[role])), 403, "您没有权限执行此操作")
    response = client.get(url, headers=signed_in(session, shop.parts_clerk))
    assert response.status_code == 200 and response.headers["cache-control"] == PRIVATE
    assert sheet_rows(response)[0][:2] == ("编码*", "名称*")
    assert_refused(client.get("/api/imports/people/template.xlsx", headers=signed_in(session, shop.manager)), 400,
                   "请选择要导入的内容")
    # opening stock moves stock: the parts clerk's
    assert_refused(client.get("/api/imports/opening/template.xlsx", headers=signed_in(session, shop.manager)), 403,
                   "您没有权限执行此操作")


def test_upload_keeps_the_file_for_its_sender_within_the_size_cap(client, session, shop, monkeypatch):  # noqa: F811
    assert_refused(client.post("/api/imports", content=b"a,b"), 401, "请先登录")
    assert_refused(client.post("/api/imports", content=b"a,b", headers=signed_in(session, shop.advisor)), 403,
                   "您没有权限执行此操作")
    headers = signed_in(session, shop.parts_clerk)
    response = client.post("/api/imports", content=b"a,b", headers={**headers, "x-file-name": "%E9%85%8D.csv"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert catalogue_import.load_upload(shop.parts_clerk, token) == (b"a,b", "配.csv")
    monkeypatch.setattr(catalogue_import, "MAX_UPLOAD_BYTES", 10)
    response = client.post("/api/imports", content=b"x" * 11, headers=headers)
    assert response.status_code == 413 and response.json() == {"error": "文件不能超过20MB"}
