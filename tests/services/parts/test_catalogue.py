"""The parts catalogue (issue 15 item 1): create, edit, retire parts with barcodes; search and scan; stock limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.parts import catalogue, parts, stock
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import AuditEvent, Part, PartBarcode, PartLine, Role, StockLimit
from tests.conftest import refusal
from tests.factories import add_part, add_vehicle

D = Decimal


def form(**fields) -> dict:
    values = {"code": "jl-001", "name": "机油滤清器", "brand": "博世", "spec": "0986AF0051", "unit": "个",
              "category": "滤清器", "oe_number": "15400-rta-003", "barcodes": "6901234567890\n6901234567891",
              "sale_price": "58", "cost": "20.5", "default_warehouse_id": "", "shelf": "A-01-02"}
    values.update(fields)
    return values


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_create_a_part_with_every_field_and_barcodes(session, shop):
    main = stock.create_warehouse(session, shop.parts_clerk, "ZK", "主仓库")
    part = catalogue.save_part(session, shop.parts_clerk, form(default_warehouse_id=str(main.id)))
    session.commit()
    assert (part.code, part.name, part.brand, part.spec, part.category, part.oe_number, part.unit, part.shelf) == (
        "JL-001", "机油滤清器", "博世", "0986AF0051", "滤清器", "15400-RTA-003", "个", "A-01-02")
    assert (part.sale_price, part.cost, part.default_warehouse_id, part.is_active) == (D("58.00"), D("20.50"),
                                                                                       main.id, True)
    detail = catalogue.part_detail(session, shop.advisor, part.id)
    assert detail.barcodes == ["6901234567890", "6901234567891"]
    assert [view.warehouse.id for view in detail.limits] == [main.id] and detail.limits[0].limit is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "part.create")).one()
    assert event.entity_id == part.id and "机油滤清器" in event.detail


def test_bad_input_names_each_field_in_chinese_and_changes_nothing(session, shop):
    catalogue.save_part(session, shop.parts_clerk, form())
    with refusal(session, FormErrors) as caught:
        catalogue.save_part(session, shop.parts_clerk, form(code=" JL-001 ", name="", sale_price="-1", cost="abc",
                                                            barcodes="6901234567891", unit="一二三四五六七八九"))
    assert caught.value.errors == {
        "code": "编码JL-001已存在", "name": "请输入名称", "unit": "单位不能超过8个字", "sale_price": "售价不能为负数",
        "cost": "成本应为数字", "barcodes": "条码6901234567891已属于配件JL-001"}
    with refusal(session, FormErrors) as caught:
        catalogue.save_part(session, shop.parts_clerk, form(code="X" * 41, barcodes="69 01", shelf="库" * 21,
                                                            default_warehouse_id="999"))
    assert set(caught.value.errors) == {"code", "shelf", "default_warehouse_id"}
    with refusal(session, FormErrors) as caught:
        catalogue.save_part(session, shop.parts_clerk, form(code="NEW", barcodes="条码一"))
    assert "条码条码一含有不能用的字符" in caught.value.errors["barcodes"]
    assert count(session, Part) == 1 and count(session, PartBarcode) == 2


def test_codes_and_barcodes_are_unique_per_branch_only(session, shop):
    catalogue.save_part(session, shop.parts_clerk, form())
    other_manager = shop.other_branch_advisor
    other_manager.role = Role.MANAGER
    session.add(other_manager)
    session.commit()
    other = catalogue.save_part(session, other_manager, form())
    assert other.branch_id == shop.other_branch.id
    assert count(session, PartBarcode) == 4


def test_edit_replaces_barcodes_and_audits_what_changed(session, shop):
    part = catalogue.save_part(session, shop.parts_clerk, form())
    catalogue.save_part(session, shop.manager, form(name="机油滤芯", barcodes="6901234567891, 6900000000001",
                                                     sale_price="60"), part_id=part.id)
    session.commit()
    session.expire_all()
    detail = catalogue.part_detail(session, shop.parts_clerk, part.id)
    assert (detail.part.name, detail.part.sale_price) == ("机油滤芯", D("60.00"))
    assert detail.barcodes == ["6901234567891", "6900000000001"]
    update = session.exec(select(AuditEvent).where(AuditEvent.action == "part.update")).one()
    assert "机油滤芯" in update.detail and "6900000000001" in update.detail and "brand" not in update.detail
    catalogue.save_part(session, shop.manager, form(name="机油滤芯", barcodes="6901234567891, 6900000000001",
                                                     sale_price="60"), part_id=part.id)
    assert count(session, AuditEvent, AuditEvent.action == "part.update") == 1, "saving with no change audits nothing"


def test_only_catalogue_managers_edit_and_only_their_branch(session, shop):
    part = catalogue.save_part(session, shop.parts_clerk, form())
    session.commit()
    for role in ("advisor", "technician", "cashier"):
        with pytest.raises(PermissionDenied):
            catalogue.save_part(session, shop.users[role], form(code="X1", barcodes=""))
        with pytest.raises(PermissionDenied):
            catalogue.set_part_active(session, shop.users[role], part.id, False)
    with pytest.raises(PermissionDenied):
        catalogue.search_catalogue(session, shop.technician, "JL")
    with pytest.raises(NotFound):
        catalogue.part_detail(session, shop.other_branch_advisor, part.id)


def test_search_by_any_field_and_exact_barcode_first(session, shop):
    filt = catalogue.save_part(session, shop.parts_clerk, form())
    pads = catalogue.save_part(session, shop.parts_clerk, form(
        code="SCP-01", name="前刹车片", brand="布雷博", spec="P85020", category="制动", oe_number="45022-T2A",
        barcodes="1234", sale_price="420"))
    # a part whose code contains the other's barcode: the exact barcode match still comes first
    decoy = catalogue.save_part(session, shop.parts_clerk, form(code="A1234", name="垫片", brand="", spec="",
                                                                category="", oe_number="", barcodes=""))
    session.commit()

    def found(text):
        return [p.code for p in catalogue.search_catalogue(session, shop.advisor, text)]

    assert found("布雷博") == ["SCP-01"]
    assert found("p85020") == ["SCP-01"]
    assert found("制动") == ["SCP-01"]
    assert found("45022") == ["SCP-01"]
    assert found("6901234567890") == ["JL-001"]
    assert found("1234") == ["SCP-01", "A1234", "JL-001"]  # the exact barcode, then by code
    assert found("%") == [] and found("_") == []
    assert found("") == ["A1234", "JL-001", "SCP-01"]
    with pytest.raises(DomainError):
        found("x" * 51)
    assert catalogue.part_by_barcode(session, shop.parts_clerk, " 6901234567891 ").id == filt.id
    assert catalogue.part_by_barcode(session, shop.parts_clerk, "scp-01").id == pads.id
    assert catalogue.part_by_barcode(session, shop.parts_clerk, "999") is None
    assert catalogue.part_by_barcode(session, shop.other_branch_advisor, "6901234567891") is None
    assert decoy.id


def test_a_retired_part_keeps_its_history_but_cannot_be_ordered_or_picked(session, shop):
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    part = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    stock.receive_stock(session, clerk, main.id, part.id, "5", "100")
    vehicle = add_vehicle(session, shop.branch.id)
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="刹车异响",
        job_lines=[JobLineInput(name="换刹车片", hours="1", rate="100")],
        part_lines=[PartLineInput(part_id=part.id, quantity="2")]))
    session.commit()
    line = session.exec(select(PartLine).where(PartLine.work_order_id == order.id)).one()
    stock.pick(session, clerk, line.id, main.id, "1")
    assert catalogue.is_orderable(part)

    catalogue.set_part_active(session, shop.manager, part.id, False)
    session.commit()
    assert not catalogue.is_orderable(session.get(Part, part.id))
    with refusal(session, DomainError, match="已停用，不能领料"):
        stock.pick(session, clerk, line.id, main.id, "1")
    stock.return_part(session, clerk, line.id, main.id, "1")  # what was picked may still come back
    assert parts.search_parts(session, shop.advisor, "SCP") == []  # intake can't add it any more
    assert [p.code for p in catalogue.search_catalogue(session, shop.advisor, "SCP")] == ["SCP-01"]
    assert catalogue.search_catalogue(session, shop.advisor, "SCP", include_retired=False) == []
    assert len(stock.on_hand(session, clerk, part_id=part.id)) == 1, "its stock history stays"

    catalogue.set_part_active(session, shop.parts_clerk, part.id, True)
    stock.pick(session, clerk, line.id, main.id, "1")
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "part")).all()
    assert sorted(actions) == ["part.reactivate", "part.retire"]


def test_stock_limits_max_at_least_min_at_least_zero(session, shop):
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    part = add_part(session, shop.branch.id)
    limit = catalogue.set_stock_limit(session, clerk, part.id, main.id, "2", "10")
    assert (limit.minimum, limit.maximum) == (D("2.00"), D("10.00"))
    session.commit()
    with refusal(session, FormErrors) as caught:
        catalogue.set_stock_limit(session, clerk, part.id, main.id, "5", "3")
    assert caught.value.errors == {"maximum": "最高库存不能低于最低库存"}
    with refusal(session, FormErrors) as caught:
        catalogue.set_stock_limit(session, clerk, part.id, main.id, "-1", "3")
    assert caught.value.errors == {"minimum": "最低库存不能为负数"}
    with refusal(session, FormErrors) as caught:
        catalogue.set_stock_limit(session, clerk, part.id, main.id, "1", "")
    assert "maximum" in caught.value.errors
    with refusal(session, DomainError):
        catalogue.set_stock_limit(session, clerk, part.id, "", "1", "2")
    catalogue.set_stock_limit(session, shop.manager, part.id, main.id, "4", "12")
    detail = catalogue.part_detail(session, clerk, part.id)
    assert (detail.limits[0].limit.minimum, detail.limits[0].limit.maximum) == (D("4.00"), D("12.00"))
    assert catalogue.set_stock_limit(session, clerk, part.id, main.id, "", "") is None
    assert count(session, StockLimit) == 0
    assert [a for a in session.exec(select(AuditEvent.action).where(AuditEvent.action.like("stock_limit.%")))] == [
        "stock_limit.set", "stock_limit.set", "stock_limit.remove"]
    with pytest.raises(PermissionDenied):
        catalogue.set_stock_limit(session, shop.advisor, part.id, main.id, "1", "2")
