"""Each role's navigation: its home first, only pages its permissions open, at most four tabs on a phone."""

import pytest

from lantong_pwa.services.platform.permissions import role_allows
from models import Role
from state.platform.session import NAV_PAGES, PHONE_TABS, ROLE_HOME, nav_for


@pytest.mark.parametrize("role", list(Role))
def test_nav_starts_at_home_and_offers_only_permitted_pages(role):
    items = nav_for(role.value)
    assert items[0][0] == ROLE_HOME[role]
    assert all(role_allows(role.value, NAV_PAGES[path][1]) for path, _label in items)
    hidden = set(NAV_PAGES) - {path for path, _label in items}
    assert all(not role_allows(role.value, NAV_PAGES[path][1]) for path in hidden)


def test_examples_of_what_people_see():
    assert [label for _path, label in nav_for("technician")] == ["任务", "在修", "车辆"]
    assert [label for _path, label in nav_for("manager")][:PHONE_TABS] == ["数据", "在修", "接车", "任务"]
    assert "用户" not in [label for _path, label in nav_for("manager")]
    assert nav_for("") == []
