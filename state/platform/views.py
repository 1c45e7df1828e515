"""Records shaped for the screens: text already formatted in Chinese and shop time, so pages only lay them out."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from sqlmodel import Session

from lantong_pwa.services.platform.branches import header_of
from lantong_pwa.services.workshop import order_actions
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.services.workshop.work_orders import OPEN_STATUSES, OrderDetail
from lantong_pwa.timezone import format_local
from models import FUEL_LEVEL_LABELS, Branch, Customer, CustomerKind, Photo, User, Vehicle, WorkOrderStatus


def money(amount: Decimal | None) -> str:
    return "" if amount is None else f"¥{amount:,.2f}"


def quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclasses.dataclass
class Letterhead:
    """What the 结算单 and the vehicle label print at the top: the branch's header and, where set, its details."""
    header: str = ""
    contact: str = ""  # "地址 · 电话 …", whichever are set
    tax_id: str = ""
    bank_account: str = ""


def letterhead(branch: Branch) -> Letterhead:
    contact = " · ".join(part for part in (branch.address, f"电话 {branch.phone}" if branch.phone else "") if part)
    return Letterhead(header=header_of(branch), contact=contact, tax_id=branch.tax_id,
                      bank_account=branch.bank_account)


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


@dataclasses.dataclass
class VehicleView:
    id: int = 0
    plate: str = ""
    title: str = ""  # make, model, year
    colour: str = ""
    vin: str = ""
    engine_no: str = ""
    mileage: str = ""
    next_inspection: str = ""
    insurer: str = ""
    compulsory_end: str = ""
    commercial_end: str = ""
    purchase_date: str = ""
    next_service: str = ""  # "2027-06-01 / 55,000 公里": whichever comes first
    qr_token: str = ""
    owner_id: int = 0
    owner_name: str = ""
    owner_mobile: str = ""
    owner_kind: str = ""
    # The raw values, to fill the edit forms.
    make: str = ""
    model: str = ""
    year: str = ""
    mileage_km: str = ""
    owner_kind_value: str = ""
    owner_birthday: str = ""
    owner_notes: str = ""
    owner_sms_consent: bool = False
    owner_webhook_consent: bool = False


def vehicle_view(vehicle: Vehicle, owner: Customer, *, contact: bool = True) -> VehicleView:
    """The vehicle and its owner; without ``contact`` (a technician, see vehicle_cards.card_disclosure) the owner's
    mobile and what they agreed to be contacted by stay out."""
    title = " ".join(part for part in (vehicle.make, vehicle.model, f"{vehicle.year}款" if vehicle.year else "") if part)
    return VehicleView(
        id=vehicle.id,
        plate=vehicle.plate,
        title=title or "未填写车型",
        colour=vehicle.colour,
        vin=vehicle.vin or "",
        engine_no=vehicle.engine_no,
        mileage=f"{vehicle.mileage:,} 公里",
        next_inspection=str(vehicle.next_inspection_date or ""),
        insurer=vehicle.insurer,
        compulsory_end=str(vehicle.compulsory_policy_end or ""),
        commercial_end=str(vehicle.commercial_policy_end or ""),
        purchase_date=str(vehicle.purchase_date or ""),
        next_service=" / ".join(p for p in (str(vehicle.next_service_date or ""), f"{vehicle.next_service_mileage:,} 公里"
                                          if vehicle.next_service_mileage else "") if p),
        qr_token=vehicle.qr_token,
        owner_id=owner.id,
        owner_name=owner.name,
        owner_mobile=owner.mobile if contact else "",
        owner_kind=CustomerKind(owner.kind).label,
        make=vehicle.make,
        model=vehicle.model,
        year=str(vehicle.year or ""),
        mileage_km=str(vehicle.mileage),
        owner_kind_value=CustomerKind(owner.kind).value,
        owner_birthday=str(owner.birthday or ""),
        owner_notes=owner.notes,
        owner_sms_consent=owner.sms_consent and contact,
        owner_webhook_consent=owner.webhook_consent and contact,
    )


@dataclasses.dataclass
class LineView:
    name: str = ""
    detail: str = ""
    amount: str = ""


@dataclasses.dataclass
class PhotoView:
    id: int = 0
    url: str = ""
    thumb_url: str = ""
    note: str = ""
    taken: str = ""


def photo_view(photo: Photo) -> PhotoView:
    return PhotoView(id=photo.id, url=f"/api/photos/{photo.id}", thumb_url=f"/api/photos/{photo.id}/thumb",
                     note=photo.note, taken=format_local(photo.created_at))


@dataclasses.dataclass
class OrderView:
    id: int = 0
    number: str = ""
    status: str = ""
    is_open: bool = False
    # What the signed-in person may do with it (order_actions): 确认完工, 派工, 结算收款 lead to their screens.
    can_complete: bool = False
    can_dispatch: bool = False
    at_the_till: bool = False
    opened: str = ""
    promised: str = ""
    mileage: str = ""
    fuel: str = ""
    complaint: str = ""
    jobs: list[LineView] = dataclasses.field(default_factory=list)
    parts: list[LineView] = dataclasses.field(default_factory=list)
    total: str = ""
    photos: list[PhotoView] = dataclasses.field(default_factory=list)


def order_view(detail: OrderDetail, photos: list[Photo] = (), actions: frozenset[Action] = frozenset(), *,
               prices: bool = True) -> OrderView:
    """The order with its lines and what the person may do with it (``actions``); without ``prices`` (a
    technician, see vehicle_cards.card_disclosure) no rate, unit price, amount or total is in it."""
    order = detail.order
    status = WorkOrderStatus(order.status)

    def priced(amount: Decimal | None) -> str:
        return money(amount) if prices else ""

    return OrderView(
        id=order.id,
        number=order.number,
        status=status.label,
        is_open=status in OPEN_STATUSES,
        can_complete=Action.COMPLETE in actions,
        can_dispatch=Action.DISPATCH in actions,
        at_the_till=bool(actions & {Action.SETTLE, Action.TAKE_PAYMENT, Action.REOPEN_SETTLEMENT}),
        opened=format_local(order.created_at),
        promised=format_local(order.promised_at),
        mileage=f"{order.mileage_in:,} 公里",
        fuel=FUEL_LEVEL_LABELS.get(order.fuel_level, ""),
        complaint=order.complaint,
        jobs=[
            LineView(
                name=line.name,
                detail="一口价" if line.fixed_price is not None else " × ".join(
                    part for part in (f"{quantity(line.hours)} 工时", priced(line.rate)) if part),
                amount=priced(line.amount),
            )
            for line in detail.job_lines
        ],
        parts=[
            LineView(name=f"{line.part_name}（{line.part_code}）",
                     detail=" × ".join(part for part in (f"{quantity(line.quantity)} {line.unit}",
                                                          priced(line.unit_price)) if part),
                     amount=priced(line.amount))
            for line in detail.part_lines
        ],
        total=priced(detail.total),
        photos=[photo_view(photo) for photo in photos if photo.work_order_id == order.id],
    )


def order_views(db: Session, actor: User | None, details: list[OrderDetail], photos: list[Photo] = (), *,
                prices: bool = True) -> list[OrderView]:
    """The orders as cards, each offering what ``actor`` may do with it now."""
    allowed = order_actions.allowed_each(db, actor, [detail.order for detail in details])
    return [order_view(detail, photos, allowed[detail.order.id], prices=prices) for detail in details]
