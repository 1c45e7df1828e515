"""Excel import (X5): templates, a dry run listing every error by row and column, an all-or-nothing commit, and the
same file twice changing nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, PermissionDenied
from lantong_pwa.services.parts import catalogue, catalogue_import, stock, suppliers
from lantong_pwa.services.parts.catalogue_import import ImportKind, ImportRefused
from models import AuditEvent, Part, PartBarcode, StockBalance, StockMove, Supplier, SupplierPart
from tests.conftest import refusal
from tests.factories import add_part, xlsx_bytes

D = Decimal


def headers(kind: ImportKind) -> list[str]:
    sheet = load_workbook(io.BytesIO(catalogue_import.template_xlsx(kind))).worksheets[0]
    return [cell.value for cell in sheet[1]]


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


PART_HEADERS = ["编码*", "名称*", "品牌", "规格型号", "单位", "分类", "原厂编号", "条码", "售价", "成本", "默认仓库", "库位"]


def test_templates_have_the_columns_with_required_ones_starred():
    assert headers(ImportKind.PARTS) == PART_HEADERS
    assert headers(ImportKind.SUPPLIERS)[:2] == ["编码*", "名称*"] and "结算方式" in headers(ImportKind.SUPPLIERS)
    assert headers(ImportKind.OFFERS) == ["供应商编码*", "配件编码*", "单价*", "最小订量", "供货周期（天）"]
    assert headers(ImportKind.OPENING) == ["配件编码*", "仓库", "数量*", "单位成本*"]
    with pytest.raises(DomainError):
        catalogue_import.template_xlsx("people")


def test_parts_dry_run_lists_every_error_by_row_and_column_then_nothing_is_written(session, shop):
    add_part(session, shop.branch.id, code="OLD-1", name="已有配件")
    catalogue.save_part(session, shop.parts_clerk, {"code": "HAS-BC", "name": "有条码", "barcodes": "111"})
    session.commit()
    data = xlsx_bytes([PART_HEADERS,
                 ["JL-001", "机油滤清器", "博世", "", "", "滤清器", "", 6901234567890, 58, 20.5, "", "A-1"],
                 ["JL-001", "重复", "", "", "", "", "", "", "", "", "", ""],
                 ["SCP-01", "", "", "", "", "", "", "111", "-5", "abc", "无此仓", ""],
                 [None, None, None],
                 ["BC-2", "条码重复", "", "", "", "", "", "6901234567890", "", "", "", ""]])
    report = catalogue_import.dry_run(session, shop.parts_clerk, "parts", data)
    assert [e.text for e in report.errors] == [
        "第3行 编码：与第2行重复",
        "第4行 名称：请输入名称",
        "第4行 条码：条码111已属于配件HAS-BC",
        "第4行 售价：售价不能为负数",
        "第4行 成本：成本应为数字",
        "第4行 默认仓库：没有编码或名称为“无此仓”的仓库",
        "第6行 条码：条码6901234567890与第2行重复",
    ]
    assert report.rows == 4 and not report.ok  # the blank row is skipped
    with refusal(session, ImportRefused) as caught:
        catalogue_import.commit(session, shop.parts_clerk, "parts", data)
    assert "7处错误" in caught.value.message and len(caught.value.report.errors) == 7
    assert count(session, Part) == 2 and count(session, PartBarcode) == 1


def test_a_missing_required_column_or_an_empty_file_is_told(session, shop):
    report = catalogue_import.dry_run(session, shop.parts_clerk, "parts", xlsx_bytes([["编码", "品牌"], ["A", "B"]]))
    assert [e.text for e in report.errors] == ["第1行 名称：缺少这一列（请用配件档案模板）"]
    report = catalogue_import.dry_run(session, shop.parts_clerk, "parts", xlsx_bytes([PART_HEADERS]))
    assert [e.text for e in report.errors] == ["第2行：没有要导入的行"]
    with pytest.raises(DomainError, match="无法打开"):
        catalogue_import.dry_run(session, shop.parts_clerk, "parts", b"PK\x03\x04garbage")
    with pytest.raises(DomainError, match="空的"):
        catalogue_import.dry_run(session, shop.parts_clerk, "parts", b"")


def test_parts_import_creates_updates_and_a_second_run_changes_nothing(session, shop):
    main = stock.create_warehouse(session, shop.parts_clerk, "ZK", "主仓库")
    add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", brand="布雷博")
    session.commit()
    data = xlsx_bytes([PART_HEADERS,
                 ["jl-001", "机油滤清器", "博世", "0986", "", "滤清器", "15400", "6901234567890;6901234567891", 58,
                  20.5, "ZK", "A-1"],
                 ["SCP-01", "前刹车片（陶瓷）", "", "", "", "", "", "", 430, "", "主仓库", ""]])
    report = catalogue_import.dry_run(session, shop.parts_clerk, "parts", data)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert count(session, Part) == 1, "a dry run writes nothing"
    report = catalogue_import.commit(session, shop.parts_clerk, "parts", data, filename="配件.xlsx")
    session.commit()
    assert report.committed
    session.expire_all()
    new = session.exec(select(Part).where(Part.code == "JL-001")).one()
    assert (new.name, new.brand, new.spec, new.unit, new.sale_price, new.cost, new.default_warehouse_id,
            new.shelf, new.is_active) == ("机油滤清器", "博世", "0986", "个", D("58.00"), D("20.50"), main.id, "A-1",
                                          True)
    pads = session.exec(select(Part).where(Part.code == "SCP-01")).one()
    assert (pads.name, pads.brand, pads.sale_price, pads.default_warehouse_id) == (
        "前刹车片（陶瓷）", "布雷博", D("430.00"), main.id), "blank cells keep what the part had"
    assert catalogue.part_by_barcode(session, shop.parts_clerk, "6901234567891").id == new.id
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "import.parts")).one()
    assert "配件.xlsx" in audit.detail

    again = catalogue_import.commit(session, shop.parts_clerk, "parts", data)
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(session, Part) == 2 and count(session, PartBarcode) == 2


def test_csv_in_utf8_or_gbk(session, shop):
    text = "编码,名称,售价\nA-1,火花塞,35\nB-2,雨刮片,48.5\n"
    for data in (text.encode("utf-8-sig"), text.encode("gbk")):
        report = catalogue_import.dry_run(session, shop.parts_clerk, "parts", data)
        assert report.ok and report.created == 2
    catalogue_import.commit(session, shop.parts_clerk, "parts", text.encode("gbk"))
    session.commit()
    assert session.exec(select(Part.name).where(Part.code == "B-2")).one() == "雨刮片"


def test_suppliers_and_their_prices(session, shop):
    add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    add_part(session, shop.branch.id, code="OLD", name="旧件", is_active=False)
    sup = xlsx_bytes([["编码*", "名称*", "联系人", "电话", "地址", "税号", "开户行及账号", "结算方式"],
                ["HD", "广州宏达", "陈经理", "020-1", "", "", "", "月结30天"],
                ["SZ", "深圳配件", "", "", "", "", "", ""],
                ["XX", "坏账期", "", "", "", "", "", "下个月"]])
    report = catalogue_import.dry_run(session, shop.parts_clerk, "suppliers", sup)
    assert [e.text for e in report.errors] == ["第4行 结算方式：结算方式应为“现结”“月结30天”或“30天”"]
    sup = xlsx_bytes([["编码*", "名称*", "联系人", "电话", "地址", "税号", "开户行及账号", "结算方式"],
                ["HD", "广州宏达", "陈经理", "020-1", "", "", "", "月结30天"],
                ["SZ", "深圳配件", "", "", "", "", "", ""]])
    catalogue_import.commit(session, shop.parts_clerk, "suppliers", sup)
    session.commit()
    hd = session.exec(select(Supplier).where(Supplier.code == "HD")).one()
    assert suppliers.terms_label(hd.terms, hd.terms_days) == "月结30天"
    assert catalogue_import.commit(session, shop.parts_clerk, "suppliers", sup).unchanged == 2

    prices = [["供应商编码*", "配件编码*", "单价*", "最小订量", "供货周期（天）"],
              ["HD", "SCP-01", 260, 4, 3], ["SZ", "SCP-01", 240, "", 7]]
    bad = xlsx_bytes([*prices, ["HD", "SCP-01", 1, "", ""], ["NO", "OLD", "", "", "x"]])
    report = catalogue_import.dry_run(session, shop.parts_clerk, "offers", bad)
    assert [e.text for e in report.errors] == [
        "第4行 配件编码：与第2行重复",
        "第5行 供应商编码：没有编码为NO的供应商",
        "第5行 单价：请输入单价",
        "第5行 供货周期（天）：供货周期（天）应为整数",
    ]
    report = catalogue_import.commit(session, shop.parts_clerk, "offers", xlsx_bytes(prices))
    session.commit()
    assert report.created == 2 and count(session, SupplierPart) == 2
    prices[1][2] = 250
    report = catalogue_import.commit(session, shop.parts_clerk, "offers", xlsx_bytes(prices))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)


def test_opening_stock_posts_opening_moves_once(session, shop):
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    oil = stock.create_warehouse(session, clerk, "YP", "油品库")
    pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    stock.receive_stock(session, clerk, main.id, pads.id, "10", "10")
    session.commit()
    rows = [["配件编码*", "仓库", "数量*", "单位成本*"], ["SCP-01", "", 10, 20], ["SCP-01", "YP", 3, 5.5],
            ["SCP-01", "", 10, 20]]
    bad = xlsx_bytes([*rows, ["NONE", "ZZ", 0, -1]])
    report = catalogue_import.dry_run(session, clerk, "opening", bad)
    assert [e.text for e in report.errors] == ["第5行 配件编码：没有编码为NONE的配件",
                                               "第5行 仓库：没有编码或名称为“ZZ”的仓库",
                                               "第5行 数量：数量应大于0", "第5行 单位成本：单位成本不能为负数"]
    with refusal(session, ImportRefused):
        catalogue_import.commit(session, clerk, "opening", bad)
    assert count(session, StockMove) == 1

    report = catalogue_import.commit(session, clerk, "opening", xlsx_bytes(rows))
    session.commit()
    assert report.created == 3
    session.expire_all()
    balance = session.exec(select(StockBalance).where(StockBalance.warehouse_id == main.id)).one()
    assert (balance.on_hand, balance.average_cost) == (D("30.00"), D("16.6667"))  # (10×10 + 20×20) / 30
    assert stock.ledger_balances(session, shop.branch.id)[(pads.id, oil.id)] == (D("3.00"), D("5.5000"))
    again = catalogue_import.commit(session, clerk, "opening", xlsx_bytes(rows))
    session.commit()
    assert (again.created, again.unchanged) == (0, 3) and count(session, StockMove) == 4
    with pytest.raises(PermissionDenied):
        catalogue_import.dry_run(session, shop.manager, "opening", xlsx_bytes(rows))


def test_only_catalogue_managers_import_and_uploads_belong_to_their_sender(session, shop):
    with pytest.raises(PermissionDenied):
        catalogue_import.dry_run(session, shop.advisor, "parts", xlsx_bytes([PART_HEADERS]))
    token = catalogue_import.store_upload(shop.parts_clerk, b"abc", "a.csv")
    assert catalogue_import.load_upload(shop.parts_clerk, token) == (b"abc", "a.csv")
    with pytest.raises(DomainError):
        catalogue_import.load_upload(shop.manager, token)
    with pytest.raises(DomainError):
        catalogue_import.load_upload(shop.parts_clerk, "../../etc/passwd")
    catalogue_import.forget_upload(token)
    with pytest.raises(DomainError, match="过期"):
        catalogue_import.load_upload(shop.parts_clerk, token)
