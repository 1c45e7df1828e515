import pytest

from lantong_pwa.errors import PermissionDenied
from lantong_pwa.services.parts.parts import search_parts
from tests.factories import add_part


def test_search_by_code_or_name_within_branch(session, shop):
    filter_ = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器")
    add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    add_part(session, shop.other_branch.id, code="JL-002", name="机油滤清器")
    add_part(session, shop.branch.id, code="JL-OLD", name="旧机油滤清器", is_active=False)
    assert [p.id for p in search_parts(session, shop.advisor, "jl-")] == [filter_.id]
    assert [p.id for p in search_parts(session, shop.advisor, "机油")] == [filter_.id]
    assert search_parts(session, shop.advisor, "  ") == []
    assert [p.id for p in search_parts(session, shop.parts_clerk, "JL-001")] == [filter_.id]
    for role in ("technician", "cashier"):
        with pytest.raises(PermissionDenied):
            search_parts(session, shop.users[role], "JL")


def test_a_scanned_barcode_finds_its_part(session, shop):
    from models import PartBarcode

    pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片")
    session.add(PartBarcode(branch_id=shop.branch.id, part_id=pads.id, barcode="6901234567890"))
    session.commit()
    assert [p.id for p in search_parts(session, shop.parts_clerk, "6901234567890")] == [pads.id]
    assert search_parts(session, shop.parts_clerk, "690123456789") == [], "a barcode matches whole"
