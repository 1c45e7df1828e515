import pytest
from sqlmodel import select

from lantong_pwa.errors import FormErrors, NotFound, PermissionDenied
from lantong_pwa.services.workshop import vehicles
from lantong_pwa.services.workshop.vehicles import CustomerForm, Registration, VehicleForm, VinWarning
from models import AuditEvent, Customer, Vehicle
from tests.factories import add_vehicle

GOOD_VIN = "1M8GDM9AXKP042788"
BAD_CHECK_DIGIT_VIN = "LSVAU2180N2183927"


def registration(**vehicle_fields) -> Registration:
    fields = dict(plate="粤b 88k99", vin=GOOD_VIN, make="丰田", model="卡罗拉", year="2021", mileage="35000",
                  next_inspection_date="2027-05-01", compulsory_policy_end="2027-01-15")
    fields.update(vehicle_fields)
    return Registration(vehicle=VehicleForm(**fields), customer=CustomerForm(name="周女士", mobile="139 1111 2222"))


def counts(session):
    return len(session.exec(select(Customer)).all()), len(session.exec(select(Vehicle)).all())


def test_register_customer_and_vehicle_in_one_step(session, shop):
    vehicle = vehicles.register_vehicle(session, shop.advisor, registration())
    owner = session.get(Customer, vehicle.customer_id)
    assert (vehicle.plate, vehicle.vin, vehicle.mileage, vehicle.year) == ("粤B88K99", GOOD_VIN, 35000, 2021)
    assert str(vehicle.next_inspection_date) == "2027-05-01"
    assert (owner.name, owner.mobile, owner.branch_id) == ("周女士", "13911112222", shop.branch.id)
    assert len(vehicle.qr_token) >= 32
    actions = {e.action for e in session.exec(select(AuditEvent))}
    assert {"customer.create", "vehicle.create"} <= actions


def test_every_bad_field_is_reported_and_nothing_saved(session, shop):
    bad = Registration(
        vehicle=VehicleForm(plate="粤B1234", vin="SHORT", year="1800", mileage="-5",
                            next_inspection_date="2027/05/01"),
        customer=CustomerForm(name="", mobile="12345"),
    )
    with pytest.raises(FormErrors) as caught:
        vehicles.register_vehicle(session, shop.advisor, bad)
    assert set(caught.value.errors) == {"plate", "vin", "year", "mileage", "next_inspection_date",
                                        "customer_name", "mobile"}
    assert "手机号" in caught.value.errors["mobile"]
    assert counts(session) == (0, 0)


def test_vin_check_digit_warning_can_be_overridden(session, shop):
    with pytest.raises(VinWarning):
        vehicles.register_vehicle(session, shop.advisor, registration(vin=BAD_CHECK_DIGIT_VIN))
    assert counts(session) == (0, 0)
    confirmed = registration(vin=BAD_CHECK_DIGIT_VIN)
    confirmed.accept_vin_warning = True
    assert vehicles.register_vehicle(session, shop.advisor, confirmed).vin == BAD_CHECK_DIGIT_VIN


def test_duplicate_plate_and_vin_are_refused(session, shop):
    vehicles.register_vehicle(session, shop.advisor, registration())
    with pytest.raises(FormErrors) as caught:
        vehicles.register_vehicle(session, shop.advisor, registration(vin=""))
    assert "已登记" in caught.value.errors["plate"]
    with pytest.raises(FormErrors) as caught:
        vehicles.register_vehicle(session, shop.advisor, registration(plate="粤B77777"))
    assert "vin" in caught.value.errors
    assert counts(session) == (1, 1)


def test_a_returning_customer_is_reused_by_mobile(session, shop):
    first = vehicles.register_vehicle(session, shop.advisor, registration())
    second = vehicles.register_vehicle(session, shop.advisor, registration(plate="粤B66666", vin=""))
    assert first.customer_id == second.customer_id


def test_a_mobile_registered_to_someone_else_is_flagged(session, shop):
    vehicles.register_vehicle(session, shop.advisor, registration())
    other = Registration(vehicle=VehicleForm(plate="粤B66666"), customer=CustomerForm(name="别人", mobile="13911112222"))
    with pytest.raises(FormErrors) as caught:
        vehicles.register_vehicle(session, shop.advisor, other)
    assert "周女士" in caught.value.errors["mobile"]


def test_existing_customer_can_be_chosen(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    second = vehicles.register_vehicle(
        session, shop.advisor, Registration(vehicle=VehicleForm(plate="粤B22222"), customer_id=vehicle.customer_id))
    assert second.customer_id == vehicle.customer_id


def test_resent_registration_creates_one_vehicle(session, shop):
    first = registration()
    first.request_key = "form-1"
    again = registration()
    again.request_key = "form-1"
    assert vehicles.register_vehicle(session, shop.advisor, first).id == \
        vehicles.register_vehicle(session, shop.advisor, again).id
    assert counts(session) == (1, 1)


@pytest.mark.parametrize("role", ["technician", "parts_clerk", "cashier"])
def test_only_intake_roles_register(session, shop, role):
    with pytest.raises(PermissionDenied):
        vehicles.register_vehicle(session, shop.users[role], registration())
    assert counts(session) == (0, 0)


def test_find_by_plate_fragment_vin_and_mobile(session, shop):
    target = add_vehicle(session, shop.branch.id, plate="粤A8K2M6", mobile="13698765432", vin=GOOD_VIN)
    add_vehicle(session, shop.branch.id, plate="粤B12345", mobile="13800138000")
    for query in ("k2m6", "8K2M", "粤A8K2M6", "042788", GOOD_VIN.lower(), "13698765432", "8765432"):
        found = vehicles.find_vehicles(session, shop.technician, query)
        assert [m.vehicle.id for m in found] == [target.id], query
    assert vehicles.find_vehicles(session, shop.technician, "Z") == []


def test_find_by_the_owners_name(session, shop):
    zhou = add_vehicle(session, shop.branch.id, plate="粤A8K2M6", mobile="13698765432", owner_name="周晓明")
    fleet = add_vehicle(session, shop.branch.id, plate="粤B12345", mobile="13800138000",
                        owner_name="Shenzhen Fleet 车队")
    for query, expected in (("周晓明", zhou), ("晓明", zhou), (" 周晓 ", zhou), ("fleet", fleet), ("车队", fleet)):
        assert [m.vehicle.id for m in vehicles.find_vehicles(session, shop.advisor, query)] == [expected.id], query
    assert [m.owner.name for m in vehicles.find_vehicles(session, shop.advisor, "刘先生")] == []


def test_percent_and_underscore_are_matched_literally(session, shop):
    add_vehicle(session, shop.branch.id, plate="粤A8K2M6", mobile="13698765432", owner_name="周晓明")
    percent = add_vehicle(session, shop.branch.id, plate="粤B12345", mobile="13800138000", owner_name="100%车行")
    for query in ("周_", "%晓", "_晓明", "%%", "__"):
        assert vehicles.find_vehicles(session, shop.advisor, query) == [], query
    assert [m.vehicle.id for m in vehicles.find_vehicles(session, shop.advisor, "0%车")] == [percent.id]


def test_search_and_cards_stay_inside_the_branch(session, shop):
    vehicle = add_vehicle(session, shop.branch.id)
    assert vehicles.find_vehicles(session, shop.other_branch_advisor, "12345") == []
    with pytest.raises(NotFound):
        vehicles.vehicle_by_token(session, shop.other_branch_advisor, vehicle.qr_token)
    assert vehicles.vehicle_by_token(session, shop.admin, vehicle.qr_token).vehicle.id == vehicle.id


def test_unknown_card_token_and_anonymous_visitors(session, shop):
    add_vehicle(session, shop.branch.id)
    with pytest.raises(NotFound):
        vehicles.vehicle_by_token(session, shop.technician, "no-such-token")
    with pytest.raises(PermissionDenied):
        vehicles.find_vehicles(session, None, "12345")


def test_vehicle_details_can_be_corrected(session, shop):
    vehicle = vehicles.register_vehicle(session, shop.advisor, registration())
    form = VehicleForm(plate="粤B88K99", vin="", make="丰田", model="卡罗拉双擎", year="2021", mileage="36000",
                       insurer="平安保险", compulsory_policy_end="2027-02-01", commercial_policy_end="2027-02-01")
    updated = vehicles.update_vehicle(session, shop.advisor, vehicle.id, form)
    assert (updated.model, updated.mileage, updated.vin, updated.insurer) == ("卡罗拉双擎", 36000, None, "平安保险")
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "vehicle.update")).one()
    assert "卡罗拉双擎" in audit.detail


def test_vehicle_edit_keeps_the_rules(session, shop):
    vehicle = vehicles.register_vehicle(session, shop.advisor, registration())
    add_vehicle(session, shop.branch.id, plate="粤B77777", mobile="13500000000")
    for changes, field in ((dict(plate="粤B77777"), "plate"), (dict(mileage="100"), "mileage"),
                           (dict(plate="bad"), "plate")):
        with pytest.raises(FormErrors) as caught:
            vehicles.update_vehicle(session, shop.advisor, vehicle.id,
                                    VehicleForm(**{**dict(plate="粤B88K99", mileage="35000"), **changes}))
        assert field in caught.value.errors
    with pytest.raises(VinWarning):
        vehicles.update_vehicle(session, shop.advisor, vehicle.id,
                                VehicleForm(plate="粤B88K99", vin=BAD_CHECK_DIGIT_VIN, mileage="35000"))
    with pytest.raises(PermissionDenied):
        vehicles.update_vehicle(session, shop.technician, vehicle.id, VehicleForm(plate="粤B88K99"))
    with pytest.raises(NotFound):
        vehicles.update_vehicle(session, shop.other_branch_advisor, vehicle.id, VehicleForm(plate="粤B88K99"))
    session.refresh(vehicle)
    assert (vehicle.plate, vehicle.mileage, vehicle.vin) == ("粤B88K99", 35000, GOOD_VIN)


def test_customer_details_can_be_corrected(session, shop):
    vehicle = vehicles.register_vehicle(session, shop.advisor, registration())
    other = add_vehicle(session, shop.branch.id, plate="粤B77777", mobile="13500000000")
    updated = vehicles.update_customer(session, shop.advisor, vehicle.customer_id,
                                       CustomerForm(name="周丽", mobile="13911112223", kind="company",
                                                    birthday="1990-05-04", notes="老客户"))
    assert (updated.name, updated.mobile, str(updated.birthday), updated.notes) == ("周丽", "13911112223",
                                                                                    "1990-05-04", "老客户")
    with pytest.raises(FormErrors) as caught:
        vehicles.update_customer(session, shop.advisor, vehicle.customer_id,
                                 CustomerForm(name="周丽", mobile="13500000000"))
    assert "mobile" in caught.value.errors
    assert session.get(Customer, other.customer_id).mobile == "13500000000"
