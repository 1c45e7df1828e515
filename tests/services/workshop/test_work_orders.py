from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from lantong_pwa.errors import DomainError, FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from lantong_pwa.timezone import SHOP_TZ
from models import JobLine, PartLine, Vehicle, WorkOrder
from models.common import utc_now
from tests.factories import add_part, add_vehicle


def order_form(vehicle, **changes) -> OrderForm:
    values = dict(
        vehicle_id=vehicle.id, mileage_in="70000", fuel_level=2, complaint="刹车异响，方向盘抖动",
        job_lines=[JobLineInput(name="更换前刹车片", hours="1.5", rate="120"),
                   JobLineInput(name="四轮定位", fixed_price="198")],
    )
    values.update(changes)
    return OrderForm(**values)


@pytest.fixture
def vehicle(session, shop):
    return add_vehicle(session, shop.branch.id, mileage=68500)


def test_open_order_with_job_and_part_lines(session, shop, vehicle):
    pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", price="420.00")
    promised = (datetime.now(SHOP_TZ) + timedelta(hours=3)).replace(tzinfo=None, second=0, microsecond=0)
    form = order_form(vehicle, promised_at=promised.isoformat(timespec="minutes"),
                      part_lines=[PartLineInput(part_id=pads.id, quantity="1"),
                                  PartLineInput(part_id=pads.id, quantity="2", unit_price="399.995")])
    order = work_orders.open_work_order(session, shop.advisor, form)

    today = datetime.now(SHOP_TZ).strftime("%Y%m%d")
    assert order.number == f"WX{today}-0001"
    assert (order.mileage_in, order.fuel_level, order.advisor_id) == (70000, 2, shop.advisor.id)
    assert order.promised_at.astimezone(SHOP_TZ).replace(tzinfo=None) == promised
    detail = work_orders.get_order(session, shop.technician, order.id)
    assert [line.amount for line in detail.job_lines] == [Decimal("180.00"), Decimal("198.00")]
    assert [(line.part_name, line.unit_price, line.amount) for line in detail.part_lines] == [
        ("前刹车片", Decimal("420.00"), Decimal("420.00")),
        ("前刹车片", Decimal("400.00"), Decimal("800.00")),
    ]
    assert detail.total == Decimal("1598.00")
    assert session.get(Vehicle, vehicle.id).mileage == 70000


def test_numbers_run_per_branch_and_day(session, shop, vehicle):
    numbers = [work_orders.open_work_order(session, shop.advisor, order_form(vehicle)).number for _ in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]
    elsewhere = add_vehicle(session, shop.other_branch.id, plate="粤B99999", mobile="13700000000")
    other = work_orders.open_work_order(session, shop.other_branch_advisor, order_form(elsewhere))
    assert other.number.endswith("-0001")


def test_bad_order_input_is_reported_per_field_and_saves_nothing(session, shop, vehicle):
    part = add_part(session, shop.branch.id)
    form = order_form(
        vehicle, mileage_in="1000", fuel_level="9", complaint=" ", promised_at="2020-01-01T08:00",
        job_lines=[JobLineInput(name="", hours="1", rate="100"), JobLineInput(name="保养", hours="abc"),
                   JobLineInput(name="检查")],
        part_lines=[PartLineInput(part_id=part.id, quantity="0"), PartLineInput(part_id=999999)],
    )
    with pytest.raises(FormErrors) as caught:
        work_orders.open_work_order(session, shop.advisor, form)
    errors = caught.value.errors
    assert "68500" in errors["mileage_in"]
    assert set(errors) == {"mileage_in", "fuel_level", "complaint", "promised_at", "job_lines.0", "job_lines.1",
                           "job_lines.2", "part_lines.0", "part_lines.1"}
    assert "一口价" in errors["job_lines.2"] and errors["job_lines.2"].startswith("第3个维修项目")
    assert session.exec(select(WorkOrder)).all() == []
    assert session.exec(select(JobLine)).all() == [] and session.exec(select(PartLine)).all() == []
    assert session.get(Vehicle, vehicle.id).mileage == 68500


def test_a_5000_digit_mileage_or_a_rate_of_1_comma_0_gets_a_message(session, shop, vehicle):
    form = order_form(vehicle, mileage_in="9" * 5000, job_lines=[JobLineInput(name="保养", hours="1", rate="1,0")])
    with pytest.raises(FormErrors) as caught:
        work_orders.open_work_order(session, shop.advisor, form)
    assert caught.value.errors["mileage_in"] == "进厂里程过大"
    assert "千位分隔符" in caught.value.errors["job_lines.0"]
    assert session.exec(select(WorkOrder)).all() == []


def test_resent_intake_creates_one_order(session, shop, vehicle):
    first = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, request_key="tap-1"))
    second = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, request_key="tap-1"))
    assert first.id == second.id
    assert len(session.exec(select(WorkOrder)).all()) == 1
    assert len(session.exec(select(JobLine)).all()) == 2


def test_a_drafts_lines_are_priced_again_and_a_line_that_no_longer_prices_is_left_out(session, shop):
    pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", price="420.00")
    elsewhere = add_part(session, shop.other_branch.id, code="SCP-02", name="外店配件", price="1.00")
    quoted = work_orders.quote_draft_lines(
        session, shop.advisor,
        [JobLineInput(name="更换前刹车片", hours="1.5", rate="120"), JobLineInput(name="", fixed_price="1")],
        [PartLineInput(part_id=pads.id, quantity="2"), PartLineInput(part_id=elsewhere.id, quantity="1")])
    assert [(line["name"], line["amount"]) for line in quoted.job_lines] == [("更换前刹车片", Decimal("180.00"))]
    assert [(line["part_id"], line["amount"]) for line in quoted.part_lines] == [(pads.id, Decimal("840.00"))]
    assert quoted.problems == ["草稿中的一行未恢复：维修项目缺少名称", "草稿中的一行未恢复：该配件不在配件目录中"]


def test_the_order_a_request_key_opened_is_found_for_its_vehicle_only(session, shop, vehicle):
    other = add_vehicle(session, shop.branch.id, plate="粤B99998", mobile="13700000001")
    order = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, request_key="draft-1"))
    assert work_orders.order_of_request(session, shop.advisor, vehicle.id, "draft-1").id == order.id
    assert work_orders.order_of_request(session, shop.advisor, vehicle.id, "draft-2") is None
    assert work_orders.order_of_request(session, shop.advisor, other.id, "draft-1") is None
    with pytest.raises(NotFound):
        work_orders.order_of_request(session, shop.other_branch_advisor, vehicle.id, "draft-1")
    with pytest.raises(PermissionDenied):
        work_orders.order_of_request(session, shop.technician, vehicle.id, "draft-1")


@pytest.mark.parametrize("role", ["technician", "parts_clerk", "cashier"])
def test_only_intake_roles_price_a_draft(session, shop, role):
    with pytest.raises(PermissionDenied):
        work_orders.quote_draft_lines(session, shop.users[role], [], [])
    with pytest.raises(PermissionDenied):
        work_orders.quote_draft_lines(session, None, [], [])


@pytest.mark.parametrize("role", ["technician", "parts_clerk", "cashier"])
def test_only_intake_roles_open_orders(session, shop, vehicle, role):
    with pytest.raises(PermissionDenied):
        work_orders.open_work_order(session, shop.users[role], order_form(vehicle))
    assert session.exec(select(WorkOrder)).all() == []


def test_other_branches_cannot_open_or_read(session, shop, vehicle):
    with pytest.raises(NotFound):
        work_orders.open_work_order(session, shop.other_branch_advisor, order_form(vehicle))
    order = work_orders.open_work_order(session, shop.advisor, order_form(vehicle))
    with pytest.raises(NotFound):
        work_orders.get_order(session, shop.other_branch_advisor, order.id)
    with pytest.raises(NotFound):
        work_orders.vehicle_orders(session, shop.other_branch_advisor, vehicle.id)


def test_vehicle_history_is_newest_first_with_lines(session, shop, vehicle):
    old = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, complaint="保养"))
    old.created_at = utc_now() - timedelta(days=200)
    session.add(old)
    session.commit()
    new = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, mileage_in="80000"))
    history = work_orders.vehicle_orders(session, shop.technician, vehicle.id)
    assert [d.order.id for d in history] == [new.id, old.id]
    assert [line.name for line in history[1].job_lines] == ["更换前刹车片", "四轮定位"]


def test_typed_hours_and_rates_are_rounded_before_the_amount(session, shop, vehicle):
    form = order_form(vehicle, job_lines=[JobLineInput(name="诊断", hours="0.333", rate="100.015")])
    order = work_orders.open_work_order(session, shop.advisor, form)
    line = work_orders.get_order(session, shop.advisor, order.id).job_lines[0]
    assert (line.hours, line.rate, line.amount) == (Decimal("0.33"), Decimal("100.02"), Decimal("33.01"))


def test_job_line_amount_rounds_half_up_to_the_fen():
    assert work_orders.job_line_amount(Decimal("0.50"), Decimal("100.01"), None) == Decimal("50.01")
    assert work_orders.job_line_amount(Decimal("1.25"), Decimal("100.01"), None) == Decimal("125.01")
    assert work_orders.job_line_amount(Decimal("3"), Decimal("100"), Decimal("99.995")) == Decimal("100.00")


def test_a_single_line_is_priced_by_the_same_rule():
    assert work_orders.priced_job_line(JobLineInput(name="保养", hours="1", rate="88.8"))["amount"] == Decimal("88.80")
    with pytest.raises(DomainError) as caught:
        work_orders.priced_job_line(JobLineInput(name="保养", hours="1"))
    assert "单价" in caught.value.message


def test_open_orders_board_lists_the_branch_orders_by_promise(session, shop, vehicle):
    later = (datetime.now(SHOP_TZ) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    sooner = (datetime.now(SHOP_TZ) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    a = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, promised_at=later))
    b = work_orders.open_work_order(session, shop.advisor, order_form(vehicle))
    c = work_orders.open_work_order(session, shop.advisor, order_form(vehicle, promised_at=sooner))
    board = work_orders.open_orders(session, shop.technician)
    assert [order.id for order, _vehicle in board] == [c.id, a.id, b.id]
    assert work_orders.open_orders(session, shop.other_branch_advisor) == []
