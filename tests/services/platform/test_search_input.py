"""Every search box: ``%`` and ``_`` are matched literally (they list nothing here), and a 100,000-character search
is refused with a Chinese message before it reaches the database."""

from __future__ import annotations

import pytest

from lantong_pwa.errors import DomainError
from lantong_pwa.services.care import customers
from lantong_pwa.services.parts import parts
from lantong_pwa.services.platform.validation import SEARCH_MAX, search_text
from lantong_pwa.services.workshop import job_clock, reports, vehicles, work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from tests.factories import add_part, add_vehicle

SEARCHES = {
    "vehicles": lambda session, shop, q: vehicles.find_vehicles(session, shop.advisor, q),
    "customers": lambda session, shop, q: customers.find_customers(session, shop.manager, q),
    "parts": lambda session, shop, q: parts.search_parts(session, shop.advisor, q),
    "parts to request": lambda session, shop, q: job_clock.parts_to_request(session, shop.technician, q),
    "orders by number": lambda session, shop, q: reports.search_orders(session, shop.advisor, number=q),
    "orders by plate": lambda session, shop, q: reports.search_orders(session, shop.advisor, plate_fragment=q),
    "orders by part": lambda session, shop, q: reports.search_orders(session, shop.advisor, part_code_or_name=q),
}
# What each search finds with an ordinary query, so "nothing for a wildcard" is not "nothing at all".
ORDINARY = {"vehicles": "12345", "customers": "刘", "parts": "JL", "parts to request": "滤清", "orders by number": "WX",
            "orders by plate": "12345", "orders by part": "滤清"}


@pytest.fixture
def scene(session, shop):
    vehicle = add_vehicle(session, shop.branch.id, plate="粤B12345", owner_name="刘先生")
    part = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器")
    work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="保养",
        job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
        part_lines=[PartLineInput(part_id=part.id, quantity="1")]))
    session.commit()
    return shop


@pytest.mark.parametrize("search", SEARCHES, ids=list(SEARCHES))
def test_wildcards_are_matched_literally(session, scene, search):
    run = SEARCHES[search]
    assert run(session, scene, ORDINARY[search]), "the ordinary query finds the scene"
    for wildcard in ("%%", "__", "%", "_%_"):
        assert run(session, scene, wildcard) == [], wildcard


@pytest.mark.parametrize("search", SEARCHES, ids=list(SEARCHES))
def test_a_100000_character_search_gets_a_message(session, scene, search):
    with pytest.raises(DomainError, match=f"搜索内容不能超过{SEARCH_MAX}个字"):
        SEARCHES[search](session, scene, "粤" * 100_000)


def test_search_text_is_stripped_and_capped():
    assert search_text("  粤B1 ") == "粤B1"
    assert search_text(None) == "" and search_text(12345) == ""  # a payload of the wrong type finds nothing
    assert search_text("a" * SEARCH_MAX) == "a" * SEARCH_MAX
    with pytest.raises(DomainError) as caught:
        search_text("a" * (SEARCH_MAX + 1), field="part_query")
    assert caught.value.field == "part_query"
