"""配件档案, 供应商 and 导入 driven as a browser would: create a part with barcodes, find it by a scan, retire it, set
limits; a supplier with terms and an offer; an import's dry run with errors, then a good file committed."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import func, select

import models
from lantong_pwa.services.parts import catalogue_import, stock
from state.parts.catalogue import CatalogueState
from state.parts.imports import ImportState
from state.parts.suppliers import SuppliersState
from tests.factories import add_part, xlsx_bytes
from tests.state.harness import drive, is_toast, make_state, token_for

D = Decimal


def test_clerk_creates_finds_by_scan_edits_and_retires_a_part(app_engine, session, shop):
    main = stock.create_warehouse(session, shop.parts_clerk, "ZK", "主仓库")
    session.commit()
    cookie = token_for(session, shop.parts_clerk)
    s = make_state(CatalogueState, token=cookie, path="/parts/catalogue")
    assert drive(s.load()) is None
    assert s.rows == [] and [w.name for w in s.warehouses] == ["主仓库"] and s.can_edit

    s.new_part()
    assert s.editing_id == -1 and s.values["default_warehouse_id"] == str(main.id)
    drive(s.save({"code": "", "name": "", "sale_price": "-1", "barcodes": ""}))
    assert s.errors == {"code": "请输入编码", "name": "请输入名称", "sale_price": "售价不能为负数"}
    assert session.exec(select(func.count()).select_from(models.Part)).one() == 0
    result = drive(s.save({"code": "jl-001", "name": "机油滤清器", "brand": "博世", "sale_price": "58",
                           "cost": "20", "barcodes": "6901234567890\n6901234567891", "shelf": "A-1",
                           "default_warehouse_id": str(main.id)}))
    assert is_toast(result, "success") and s.errors == {}
    assert s.editing_id > 0 and s.values["code"] == "JL-001" and s.barcodes == "6901234567890\n6901234567891"
    assert [r.code for r in s.rows] == ["JL-001"]
    assert [(row.warehouse, row.minimum, row.maximum, row.figures) for row in s.limits] == [
        ("主仓库", "", "", "库存 0 · 在途 0")]

    drive(s.save_limit({"warehouse_id": str(main.id), "minimum": "5", "maximum": "2"}))
    assert s.limit_errors == {f"{main.id}-maximum": "最高库存不能低于最低库存"}
    drive(s.save_limit({"warehouse_id": str(main.id), "minimum": "2", "maximum": "10"}))
    assert s.limit_errors == {} and (s.limits[0].minimum, s.limits[0].maximum) == ("2", "10")

    part = session.exec(select(models.Part).where(models.Part.code == "JL-001")).one()
    stock.receive_stock(session, shop.parts_clerk, main.id, part.id, "7", "20")
    session.commit()
    s.close_form()
    drive(s.scan("6901234567891"))
    assert s.limits[0].figures == "库存 7 · 在途 0"
    assert s.values["name"] == "机油滤清器" and [r.code for r in s.rows] == ["JL-001"]
    result = drive(s.scan("000"))
    assert is_toast(result, "info") and s.rows == []

    drive(s.open_part(s.editing_id))
    drive(s.set_active(False))
    assert s.active is False
    drive(s.search({"query": "博世"}))
    assert [(r.code, r.active) for r in s.rows] == [("JL-001", False)]


def test_a_supplier_with_terms_and_an_offer(app_engine, session, shop):
    part = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    cookie = token_for(session, shop.manager)
    s = make_state(SuppliersState, token=cookie, path="/suppliers")
    assert drive(s.load()) is None and s.rows == []
    s.new_supplier()
    s.choose_terms("monthly")
    drive(s.save({"name": "广州宏达", "contact": "陈经理", "terms": "monthly", "terms_days": "abc"}))
    assert s.errors == {"terms_days": "账期天数应为整数"}
    result = drive(s.save({"name": "广州宏达", "contact": "陈经理", "terms": "monthly", "terms_days": "30"}))
    assert is_toast(result, "success")
    assert [(r.code, r.detail) for r in s.rows] == [("GYS0001", "陈经理 · 月结30天")]
    assert s.editing_id > 0 and s.values["terms"] == "monthly"

    drive(s.search_offer_parts({"part_query": "刹车"}))
    assert [c.label for c in s.part_choices] == ["前刹车片（SCP-01）"]
    s.choose_offer_part(part.id)
    drive(s.save_offer({"price": "-2"}))
    assert s.offer_errors == {"price": "单价不能为负数"}
    drive(s.save_offer({"price": "260", "min_quantity": "4", "lead_days": "3"}))
    assert [(o.part, o.price, o.min_quantity, o.lead_days) for o in s.offers] == [
        ("前刹车片（SCP-01）", "¥260.00", "4", "3")]
    s.edit_offer(s.offers[0].id)
    assert s.offer_part_id == part.id and s.offer_values == {"price": "260.00", "min_quantity": "4", "lead_days": "3"}
    drive(s.save_offer({"price": "255", "min_quantity": "4", "lead_days": "3"}))
    assert [o.price for o in s.offers] == ["¥255.00"] and s.offer_part_id == 0
    drive(s.remove_offer(s.offers[0].id))
    assert s.offers == []


def test_import_dry_run_then_commit(app_engine, session, shop):
    cookie = token_for(session, shop.parts_clerk)
    s = make_state(ImportState, token=cookie, path="/parts/import")
    assert drive(s.load()) is None
    assert [k.label for k in s.kinds] == ["配件档案", "供应商", "供应商报价", "期初库存"]
    assert s.template_url == "/api/imports/parts/template.xlsx"

    bad = catalogue_import.store_upload(shop.parts_clerk, xlsx_bytes([["编码*", "名称*", "售价"], ["A-1", "", "x"]]))
    drive(s.uploaded(bad))
    assert s.checked and not s.can_commit
    assert [(e.row, e.column, e.message) for e in s.error_rows] == [("第2行", "名称", "请输入名称"),
                                                                     ("第2行", "售价", "售价应为数字")]
    good = catalogue_import.store_upload(shop.parts_clerk, xlsx_bytes([["编码*", "名称*", "售价"], ["A-1", "火花塞", 35]]))
    drive(s.uploaded(good))
    assert s.summary == "共 1 行：新建 1，更新 0，不变 0" and s.can_commit
    s.mark_busy("commit")
    assert s.busy == "正在导入…"
    result = drive(s.commit())
    assert s.busy == ""
    assert is_toast(result, "success") and s.done == "已导入配件档案：新建 1，更新 0，不变 0"
    session.expire_all()
    assert session.exec(select(models.Part.sale_price).where(models.Part.code == "A-1")).one() == D("35.00")
    drive(s.uploaded("f" * 32))
    assert s.error == "上传的文件已过期，请重新上传"
    s.set_kind("opening")
    assert s.template_url == "/api/imports/opening/template.xlsx" and s.token == ""
