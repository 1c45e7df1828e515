"""Each role's navigation: a deliberate order per role (home first), exactly the pages its permissions open, at most
four tabs on a phone."""

import pytest

from lantong_pwa.services.platform.permissions import role_allows
from models import Role
from state.platform.session import NAV_PAGES, PHONE_TABS, ROLE_HOME, ROLE_NAV, nav_for


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lists_every_page_it_may_open_once_home_first(role):
    listed = ROLE_NAV[role]
    assert len(listed) == len(set(listed))
    assert set(listed) == {path for path, (_label, permission) in NAV_PAGES.items()
                           if role_allows(role.value, permission)}
    items = nav_for(role.value)
    assert [path for path, _label in items] == list(listed)
    assert items[0][0] == ROLE_HOME[role]


def phone_tabs(role: str) -> list[str]:
    return [label for _path, label in nav_for(role)][:PHONE_TABS]


def test_phone_tabs_lead_with_what_each_role_does_first():
    # The manager runs the shop from a phone: figures, queries and satisfaction, not intake and tasks.
    assert phone_tabs("manager") == ["数据", "查询", "满意度", "在修"]
    assert phone_tabs("admin") == ["用户", "设置", "数据", "查询"]
    assert phone_tabs("advisor") == ["接车", "在修", "车辆", "关怀"]
    assert phone_tabs("cashier") == ["收银", "在修", "客户", "查询"]
    assert [label for _path, label in nav_for("technician")] == ["任务", "在修", "车辆"]
    assert [label for _path, label in nav_for("parts_clerk")] == ["配件", "采购", "档案", "在修", "进销存", "调拨",
                                                                  "盘点", "车辆", "供应商", "导入", "领用", "应付", "费用"]
    assert ["/parts/transfers", "调拨"] in nav_for("manager") and ["/parts/transfers", "调拨"] in nav_for("admin")
    assert ["/purchasing", "采购"] in nav_for("manager")  # approves orders above the branch's amount
    assert ["/parts/ledger", "进销存"] in nav_for("manager")
    assert ["/parts/prices/adjust", "调价"] in nav_for("manager")
    assert ["/finance/expenses", "费用"] in nav_for("advisor") and ["/finance/profit", "利润"] in nav_for("manager")
    assert "用户" not in [label for _path, label in nav_for("manager")]
    assert ["/admin/branches", "门店"] in nav_for("admin")  # after 更多: set up once, rarely changed
    assert "门店" not in [label for _path, label in nav_for("manager")]
    assert nav_for("") == []


def test_every_navigable_page_has_an_icon_of_its_own():
    """A page missing from NAV_ICONS shows a plain circle in the side navigation and under 更多."""
    from pages.layout import NAV_ICONS

    assert sorted(set(NAV_PAGES) - set(NAV_ICONS)) == []
    assert len(set(NAV_ICONS.values())) == len(NAV_ICONS)
