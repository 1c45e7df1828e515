"""Customers and their vehicles: find one at the counter, or register owner and vehicle in one step."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from lantong_pwa.errors import DomainError, FormErrors, NotFound
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.parsing import parse_date, parse_int
from lantong_pwa.services.platform.permissions import Permission, require, require_branch, row_in_branch, sees_all_branches
from lantong_pwa.services.platform.validation import (
    check_vin,
    contains,
    normalize_mobile,
    normalize_plate,
    plate_query,
    search_text,
)
from lantong_pwa.timezone import local_day
from models import Customer, CustomerKind, User, Vehicle
from models.common import utc_now

SEARCH_LIMIT = 20


class VinWarning(DomainError):
    """The VIN's check digit does not match; saving again with ``accept_vin_warning`` keeps it."""


@dataclass(frozen=True)
class CustomerForm:
    name: str
    mobile: str
    kind: str = CustomerKind.INDIVIDUAL.value
    birthday: str = ""
    notes: str = ""
    sms_consent: bool = False  # 同意接收短信提醒
    webhook_consent: bool = False  # 同意接收微信/Webhook通知


@dataclass(frozen=True)
class VehicleForm:
    plate: str
    vin: str = ""
    make: str = ""
    model: str = ""
    year: str = ""
    colour: str = ""
    engine_no: str = ""
    mileage: str = ""
    next_inspection_date: str = ""
    insurer: str = ""
    compulsory_policy_end: str = ""
    commercial_policy_end: str = ""
    purchase_date: str = ""  # 购车日期: the first service after purchase is reminded from it


@dataclass(frozen=True)
class VehicleMatch:
    vehicle: Vehicle
    owner: Customer


@dataclass
class Registration:
    """Either ``customer_id`` of an existing customer, or the details of a new one."""

    vehicle: VehicleForm
    customer: CustomerForm | None = None
    customer_id: int | None = None
    accept_vin_warning: bool = False
    request_key: str | None = None


def new_qr_token() -> str:
    """An unguessable token for the vehicle's QR card (192 random bits)."""
    return secrets.token_urlsafe(24)


def find_vehicles(session: Session, actor: User, query: str) -> list[VehicleMatch]:
    """Vehicles whose plate contains the text (so the last 3–4 characters are enough), whose VIN contains it,
    or whose owner's mobile or name contains it; in the actor's branch. What was typed is matched literally
    (``%`` and ``_`` are no wildcards)."""
    require(actor, Permission.VIEW_VEHICLES)
    query = search_text(query)
    text = plate_query(query)
    if len(text) < 2:
        return []
    conditions = [contains(Vehicle.plate, text), contains(Customer.name, query, ignore_case=True)]
    if len(text) >= 6:
        conditions.append(contains(Vehicle.vin, text))
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and digits == text:
        conditions.append(contains(Customer.mobile, digits))
    statement = (
        select(Vehicle, Customer)
        .join(Customer, Customer.id == Vehicle.customer_id)
        .where(or_(*conditions))
        .order_by(Vehicle.plate)
        .limit(SEARCH_LIMIT)
    )
    if not sees_all_branches(actor):
        statement = statement.where(Vehicle.branch_id == actor.branch_id)
    return [VehicleMatch(vehicle=v, owner=c) for v, c in session.exec(statement).all()]


def get_vehicle(session: Session, actor: User, vehicle_id: int) -> VehicleMatch:
    require(actor, Permission.VIEW_VEHICLES)
    vehicle = row_in_branch(session, actor, Vehicle, vehicle_id, "车辆不存在")
    return VehicleMatch(vehicle=vehicle, owner=session.get(Customer, vehicle.customer_id))


def vehicle_by_token(session: Session, actor: User, token: str) -> VehicleMatch:
    require(actor, Permission.VIEW_VEHICLES)
    vehicle = session.exec(select(Vehicle).where(Vehicle.qr_token == (token or ""))).first()
    if vehicle is None:
        raise NotFound("未找到该车辆卡")
    require_branch(actor, vehicle.branch_id)
    return VehicleMatch(vehicle=vehicle, owner=session.get(Customer, vehicle.customer_id))


def find_customers_by_mobile(session: Session, actor: User, mobile: str) -> list[Customer]:
    require(actor, Permission.INTAKE)
    return list(
        session.exec(
            select(Customer).where(Customer.branch_id == actor.branch_id, Customer.mobile == mobile)
        ).all()
    )


def _customer_values(form: CustomerForm, errors: dict[str, str]) -> dict:
    values: dict = {}
    name = (form.name or "").strip()
    if not name:
        errors["customer_name"] = "请输入客户姓名或单位名称"
    elif len(name) > 64:
        errors["customer_name"] = "客户名称不能超过64个字"
    values["name"] = name
    try:
        values["mobile"] = normalize_mobile(form.mobile)
    except DomainError as error:
        errors["mobile"] = error.message
    try:
        values["kind"] = CustomerKind(form.kind)
    except ValueError:
        errors["kind"] = "请选择客户类型"
    try:
        values["birthday"] = parse_date(form.birthday, "birthday", "生日")
    except DomainError as error:
        errors["birthday"] = error.message
    values["notes"] = (form.notes or "").strip()[:500]
    values["sms_consent"] = bool(form.sms_consent)
    values["webhook_consent"] = bool(form.webhook_consent)
    return values


def _vehicle_values(form: VehicleForm, errors: dict[str, str]) -> tuple[dict, str | None]:
    values: dict = {}
    vin_warning = None
    try:
        values["plate"] = normalize_plate(form.plate)
    except DomainError as error:
        errors["plate"] = error.message
    values["vin"] = None
    if (form.vin or "").strip():
        try:
            checked = check_vin(form.vin)
            values["vin"] = checked.vin
            vin_warning = checked.warning
        except DomainError as error:
            errors["vin"] = error.message
    for name, label, maximum in (("make", "品牌", 32), ("model", "车型", 48), ("colour", "颜色", 16),
                                 ("engine_no", "发动机号", 32), ("insurer", "保险公司", 48)):
        text = (getattr(form, name) or "").strip()
        if len(text) > maximum:
            errors[name] = f"{label}不能超过{maximum}个字"
        values[name] = text
    parsers = (
        ("year", lambda: parse_int(form.year, "year", "年款", minimum=1950, maximum=date.today().year + 1,
                                   required=False)),
        ("mileage", lambda: parse_int(form.mileage, "mileage", "里程", maximum=3_000_000, required=False) or 0),
        ("next_inspection_date", lambda: parse_date(form.next_inspection_date, "next_inspection_date", "下次年检日期")),
        ("compulsory_policy_end", lambda: parse_date(form.compulsory_policy_end, "compulsory_policy_end", "交强险到期日")),
        ("commercial_policy_end", lambda: parse_date(form.commercial_policy_end, "commercial_policy_end", "商业险到期日")),
        ("purchase_date", lambda: parse_date(form.purchase_date, "purchase_date", "购车日期")),
    )
    for name, parse in parsers:
        try:
            values[name] = parse()
        except DomainError as error:
            errors[name] = error.message
    if values.get("purchase_date") and values["purchase_date"] > local_day(utc_now()):
        errors["purchase_date"] = "购车日期不能晚于今天"
    return values, vin_warning


def _ensure_unique(session: Session, branch_id: int, values: dict, vehicle_id: int | None = None) -> None:
    """Plates and VINs are unique within a branch (``vehicle_id`` is the vehicle being edited, if any)."""
    for field, message in (("plate", f"车牌{values['plate']}已登记，请直接搜索该车"), ("vin", "该VIN已登记在另一辆车上")):
        if not values[field]:
            continue
        clash = session.exec(
            select(Vehicle.id).where(Vehicle.branch_id == branch_id, getattr(Vehicle, field) == values[field],
                                     Vehicle.id != (vehicle_id or 0))
        ).first()
        if clash is not None:
            raise FormErrors({field: message})


def _changes(row, values: dict) -> dict:
    """Apply ``values`` to ``row``; return what changed as ``{field: [old, new]}`` for the audit trail."""
    changed = {}
    for field, value in values.items():
        if getattr(row, field) != value:
            changed[field] = [getattr(row, field), value]
            setattr(row, field, value)
    return changed


def update_vehicle(session: Session, actor: User, vehicle_id: int, form: VehicleForm, *,
                   accept_vin_warning: bool = False) -> Vehicle:
    """Correct a vehicle's details (plate, VIN, insurance and inspection dates …) under the registration rules.

    The recorded mileage never goes down here; it only rises with a later work order or this form.
    """
    require(actor, Permission.INTAKE)
    vehicle = row_in_branch(session, actor, Vehicle, vehicle_id, "车辆不存在")
    errors: dict[str, str] = {}
    values, vin_warning = _vehicle_values(form, errors)
    if "mileage" in values and values["mileage"] < vehicle.mileage:
        errors["mileage"] = f"里程不能小于已记录的{vehicle.mileage}公里"
    if errors:
        raise FormErrors(errors)
    _ensure_unique(session, vehicle.branch_id, values, vehicle.id)
    if vin_warning and values["vin"] != vehicle.vin and not accept_vin_warning:
        raise VinWarning(vin_warning, field="vin")
    changed = _changes(vehicle, values)
    if changed:
        session.add(vehicle)
        audit.record(session, actor, "vehicle.update", "vehicle", vehicle.id, branch_id=vehicle.branch_id,
                     changes=changed)
        session.flush()
    return vehicle


def update_customer(session: Session, actor: User, customer_id: int, form: CustomerForm) -> Customer:
    require(actor, Permission.INTAKE)
    customer = row_in_branch(session, actor, Customer, customer_id, "客户不存在")
    errors: dict[str, str] = {}
    values = _customer_values(form, errors)
    if errors:
        raise FormErrors(errors)
    clash = session.exec(select(Customer.id).where(Customer.branch_id == customer.branch_id,
                                                   Customer.mobile == values["mobile"],
                                                   Customer.id != customer.id)).first()
    if clash is not None:
        raise FormErrors({"mobile": "该手机号已登记为另一位客户"})
    changed = _changes(customer, values)
    if changed:
        session.add(customer)
        audit.record(session, actor, "customer.update", "customer", customer.id, branch_id=customer.branch_id,
                     changes=changed)
        session.flush()
    return customer


def register_vehicle(session: Session, actor: User, registration: Registration) -> Vehicle:
    """Register a vehicle for an existing or a new customer, in one transaction.

    A repeated submit with the same ``request_key`` returns the vehicle the first one created.
    """
    require(actor, Permission.INTAKE)
    if registration.request_key:
        earlier = session.exec(
            select(Vehicle).where(Vehicle.branch_id == actor.branch_id, Vehicle.request_key == registration.request_key)
        ).first()
        if earlier is not None:
            return earlier
    errors: dict[str, str] = {}
    vehicle_values, vin_warning = _vehicle_values(registration.vehicle, errors)
    customer_values = None
    if registration.customer_id is None:
        customer_values = _customer_values(registration.customer or CustomerForm(name="", mobile=""), errors)
    if errors:
        raise FormErrors(errors)

    _ensure_unique(session, actor.branch_id, vehicle_values)
    if vin_warning and not registration.accept_vin_warning:
        raise VinWarning(vin_warning, field="vin")

    if registration.customer_id is not None:
        owner = session.get(Customer, registration.customer_id)
        if owner is None or owner.branch_id != actor.branch_id:
            raise NotFound("客户不存在")
    else:
        owner = session.exec(
            select(Customer).where(Customer.branch_id == actor.branch_id, Customer.mobile == customer_values["mobile"])
        ).first()
        if owner is not None and owner.name != customer_values["name"]:
            raise FormErrors({"mobile": f"该手机号已登记为客户“{owner.name}”，请核对或选择该客户"})
        if owner is None:
            owner = Customer(branch_id=actor.branch_id, **customer_values)
            session.add(owner)
            session.flush()
            audit.record(session, actor, "customer.create", "customer", owner.id, sms_consent=owner.sms_consent,
                         webhook_consent=owner.webhook_consent)

    vehicle = Vehicle(
        branch_id=actor.branch_id,
        customer_id=owner.id,
        qr_token=new_qr_token(),
        request_key=registration.request_key,
        **vehicle_values,
    )
    session.add(vehicle)
    session.flush()
    audit.record(session, actor, "vehicle.create", "vehicle", vehicle.id, plate=vehicle.plate)
    session.flush()
    return vehicle
