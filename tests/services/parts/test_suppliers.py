"""Suppliers and their offers (issue 15 item 2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import func, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.parts import catalogue, suppliers
from models import AuditEvent, PaymentTerms, Supplier, SupplierPart
from tests.conftest import refusal
from tests.factories import add_part

D = Decimal


def supplier_form(**fields) -> dict:
    values = {"code": "", "name": "广州宏达汽配", "contact": "陈经理", "phone": "020-88886666",
              "address": "广州市白云区汽配城A12", "tax_id": "91440101mA5cxxxx1x", "bank_account": "工行白云支行 6222",
              "terms": "monthly", "terms_days": "30"}
    values.update(fields)
    return values


def test_terms_read_and_written_as_people_do():
    assert suppliers.parse_terms("现结") == (PaymentTerms.CASH, 0)
    assert suppliers.parse_terms("") == (PaymentTerms.CASH, 0)
    assert suppliers.parse_terms("月结30天") == (PaymentTerms.MONTHLY, 30)
    assert suppliers.parse_terms("月结 45 天") == (PaymentTerms.MONTHLY, 45)
    assert suppliers.parse_terms("月结") == (PaymentTerms.MONTHLY, 0)
    assert suppliers.parse_terms("60天") == (PaymentTerms.DAYS, 60)
    assert suppliers.parse_terms("账期15天") == (PaymentTerms.DAYS, 15)
    for bad in ("下个月", "0天", "月结400天", "-3天"):
        with pytest.raises(DomainError):
            suppliers.parse_terms(bad)
    assert [suppliers.terms_label(t, d) for t, d in (("cash", 0), ("monthly", 30), ("days", 60))] == [
        "现结", "月结30天", "60天"]


def test_create_edit_and_deactivate_a_supplier(session, shop):
    made = suppliers.save_supplier(session, shop.parts_clerk, supplier_form())
    second = suppliers.save_supplier(session, shop.parts_clerk, supplier_form(name="深圳配件", contact="王", terms="cash"))
    session.commit()
    assert (made.code, made.tax_id, made.terms, made.terms_days) == ("GYS0001", "91440101MA5CXXXX1X",
                                                                    PaymentTerms.MONTHLY, 30)
    assert (second.code, second.terms, second.terms_days) == ("GYS0002", PaymentTerms.CASH, 0)
    suppliers.save_supplier(session, shop.manager, supplier_form(code="GYS0001", terms="days", terms_days="60",
                                                                 phone="13800138000"), supplier_id=made.id)
    session.commit()
    session.expire_all()
    made = session.get(Supplier, made.id)
    assert (made.terms, made.terms_days, made.phone) == (PaymentTerms.DAYS, 60, "13800138000")
    assert [s.code for s in suppliers.list_suppliers(session, shop.advisor, "宏达")] == ["GYS0001"]
    assert [s.code for s in suppliers.list_suppliers(session, shop.advisor, "陈经理")] == ["GYS0001"]
    suppliers.set_supplier_active(session, shop.parts_clerk, made.id, False)
    assert [s.code for s in suppliers.list_suppliers(session, shop.advisor)] == ["GYS0002", "GYS0001"]
    assert [s.code for s in suppliers.list_suppliers(session, shop.advisor, include_inactive=False)] == ["GYS0002"]
    assert not suppliers.is_usable(made) and suppliers.is_usable(second)
    actions = sorted(session.exec(select(AuditEvent.action).where(AuditEvent.entity == "supplier")).all())
    assert actions == ["supplier.create", "supplier.create", "supplier.deactivate", "supplier.update"]


def test_bad_supplier_input_is_refused_field_by_field(session, shop):
    suppliers.save_supplier(session, shop.parts_clerk, supplier_form(code="HD"))
    with refusal(session, FormErrors) as caught:
        suppliers.save_supplier(session, shop.parts_clerk, supplier_form(code="hd", name=" ", terms="days",
                                                                         terms_days="0", address="址" * 201))
    assert caught.value.errors == {"code": "编码HD已存在", "name": "请输入名称", "address": "地址不能超过200个字",
                                   "terms_days": "账期天数应在1到365之间"}
    with refusal(session, FormErrors) as caught:
        suppliers.save_supplier(session, shop.parts_clerk, supplier_form(terms="monthly", terms_days="abc"))
    assert caught.value.errors == {"terms_days": "账期天数应为整数"}
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 1
    for role in ("advisor", "technician", "cashier"):
        with pytest.raises(PermissionDenied):
            suppliers.save_supplier(session, shop.users[role], supplier_form(code="X"))


def test_offers_one_per_supplier_and_part(session, shop):
    clerk = shop.parts_clerk
    supplier = suppliers.save_supplier(session, clerk, supplier_form(code="HD"))
    other = suppliers.save_supplier(session, clerk, supplier_form(code="SZ", name="深圳配件"))
    part = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    offer = suppliers.save_offer(session, clerk, supplier.id, part.id,
                                 {"price": "260", "min_quantity": "4", "lead_days": "3"})
    assert (offer.price, offer.min_quantity, offer.lead_days) == (D("260.00"), D("4.00"), 3)
    again = suppliers.save_offer(session, clerk, supplier.id, part.id, {"price": "255.5", "min_quantity": "",
                                                                         "lead_days": ""})
    assert again.id == offer.id and (again.price, again.min_quantity, again.lead_days) == (D("255.50"), D("0.00"), 0)
    suppliers.save_offer(session, clerk, other.id, part.id, {"price": "240", "lead_days": "7"})
    session.commit()
    assert [(o.supplier.code, o.offer.price) for o in suppliers.offers_for_part(session, shop.advisor, part.id)] == [
        ("SZ", D("240.00")), ("HD", D("255.50"))]
    assert [o.part.code for o in suppliers.offers_of_supplier(session, shop.advisor, supplier.id)] == ["SCP-01"]

    with refusal(session, FormErrors) as caught:
        suppliers.save_offer(session, clerk, supplier.id, part.id, {"price": "-1", "min_quantity": "x",
                                                                     "lead_days": "400"})
    assert caught.value.errors == {"price": "单价不能为负数", "min_quantity": "最小订量应为数字",
                                   "lead_days": "供货周期（天）应在0到365之间"}
    with refusal(session, FormErrors) as caught:
        suppliers.save_offer(session, clerk, supplier.id, 99999, {"price": "1"})
    assert caught.value.errors == {"part_id": "请选择配件目录中的配件"}
    retired = add_part(session, shop.branch.id, code="OLD", name="旧件", is_active=False)
    with refusal(session, FormErrors) as caught:
        suppliers.save_offer(session, clerk, supplier.id, retired.id, {"price": "1"})
    assert caught.value.errors == {"part_id": "配件OLD已停用，不能添加报价"}
    suppliers.set_supplier_active(session, clerk, other.id, False)
    session.commit()
    with refusal(session, FormErrors, match="已停用"):
        suppliers.save_offer(session, clerk, other.id, part.id, {"price": "1"})

    suppliers.remove_offer(session, clerk, offer.id)
    assert session.exec(select(func.count()).select_from(SupplierPart)).one() == 1
    with pytest.raises(NotFound):
        suppliers.remove_offer(session, clerk, offer.id)
    actions = sorted(session.exec(select(AuditEvent.action).where(AuditEvent.entity == "supplier_part")).all())
    assert actions == ["supplier_part.create", "supplier_part.create", "supplier_part.remove",
                       "supplier_part.update"]
    assert catalogue.is_orderable(part)
