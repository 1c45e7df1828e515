import json
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.cashier import settlement
from lantong_pwa.services.platform import shop_settings
from models import AuditEvent, Branch, FeeType


def test_manager_sets_the_vat_rate_and_it_is_audited(session, shop):
    assert shop_settings.set_vat_rate(session, shop.manager, "9").vat_rate == Decimal("9.00")
    assert settlement.branch_vat_rate(session, shop.branch.id) == Decimal("9.00")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "branch.vat_rate")).one()
    assert event.user_id == shop.manager.id


@pytest.mark.parametrize("rate", ["-1", "31", "abc", ""])
def test_bad_vat_rates_change_nothing(session, shop, rate):
    with pytest.raises(DomainError):
        shop_settings.set_vat_rate(session, shop.manager, rate)
    assert session.get(Branch, shop.branch.id).vat_rate == Decimal("13.00")


def test_fee_types_are_added_offered_and_withdrawn(session, shop):
    fee = shop_settings.add_fee_type(session, shop.admin, " 喷漆外加工 ", "300")
    assert (fee.name, fee.default_amount) == ("喷漆外加工", Decimal("300.00"))
    assert [f.id for f in settlement.fee_types(session, shop.cashier)] == [fee.id]
    shop_settings.set_fee_type_active(session, shop.manager, fee.id, False)
    assert settlement.fee_types(session, shop.cashier) == []
    with pytest.raises(FormErrors) as caught:
        shop_settings.add_fee_type(session, shop.manager, "喷漆外加工", "x")
    assert set(caught.value.errors) == {"fee_name", "fee_amount"}
    with pytest.raises(NotFound):
        shop_settings.set_fee_type_active(session, _other_manager(session, shop), fee.id, True)


def _other_manager(session, shop):
    from models import Role, User
    from tests.conftest import password_hash

    user = User(username="othermanager", display_name="外店店长", password_hash=password_hash(), role=Role.MANAGER,
                branch_id=shop.other_branch.id)
    session.add(user)
    session.commit()
    return user


@pytest.mark.parametrize("role", ["advisor", "technician", "parts_clerk", "cashier"])
def test_only_managers_and_admins_change_settings(session, shop, role):
    actor = shop.users[role]
    with pytest.raises(PermissionDenied):
        shop_settings.set_vat_rate(session, actor, "6")
    with pytest.raises(PermissionDenied):
        shop_settings.add_fee_type(session, actor, "拖车费", "100")
    assert session.exec(select(FeeType)).all() == []


def test_manager_sets_the_repair_warranty_and_it_is_audited(session, shop):
    branch = shop_settings.set_warranty(session, shop.manager, "90", "10000")
    assert (branch.warranty_days, branch.warranty_km) == (90, 10000)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "branch.warranty")).one()
    detail = json.loads(event.detail)
    assert (event.user_id, detail["before"], detail["after"]) == (
        shop.manager.id, {"warranty_days": 30, "warranty_km": 5000}, {"warranty_days": 90, "warranty_km": 10000})
    assert shop_settings.warranty_text(90, 10000) == "90天或10,000公里（以先到者为准）"
    assert shop_settings.warranty_text(90, 0) == "90天"
    assert shop_settings.warranty_text(None, None) == ""


@pytest.mark.parametrize(("days", "km", "field"), [("0", "5000", "warranty_days"), ("1096", "5000", "warranty_days"),
                                                   ("30", "-1", "warranty_km"), ("30", "abc", "warranty_km"),
                                                   ("", "5000", "warranty_days")])
def test_bad_warranty_changes_nothing(session, shop, days, km, field):
    with pytest.raises(FormErrors) as refused:
        shop_settings.set_warranty(session, shop.manager, days, km)
    assert field in refused.value.errors
    branch = session.get(Branch, shop.branch.id)
    assert (branch.warranty_days, branch.warranty_km) == (30, 5000)
