"""Walk-around intake on a tablet (R3): find or register the vehicle, open the work order, add photos."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import reflex as rx

from lantong_pwa.errors import form_errors
from lantong_pwa.services.parts import parts
from lantong_pwa.services.workshop import photos, vehicles, work_orders
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.services.workshop.vehicles import Registration, VinWarning
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import FUEL_LEVEL_LABELS
from state.platform.drafts import draft_fields, draft_key, draft_list, draft_request_key, forget_draft
from state.platform.form_input import REGISTRATION_FIELDS, customer_form, vehicle_form, vin_confirmed
from state.platform.session import SessionState, new_request_key
from state.workshop.vehicles import search_vehicles
from state.platform.views import OrderView, PhotoView, VehicleView, money, order_views, photo_view, quantity, vehicle_view

ORDER_FIELDS = ("mileage_in", "fuel_level", "complaint", "promised_at")  # the order form's own fields
JOB_FIELDS = ("job_name", "job_hours", "job_rate", "job_fixed")  # a job line being typed (each input's id too)


@dataclasses.dataclass
class JobRow:
    name: str = ""
    hours: str = ""
    rate: str = ""
    fixed_price: str = ""
    detail: str = ""
    amount: str = ""  # formatted for the screen
    value: str = "0"  # the amount as a plain decimal, for the running total


@dataclasses.dataclass
class PartRow:
    part_id: int = 0
    label: str = ""
    unit: str = ""
    quantity: str = "1"
    unit_price: str = ""
    amount: str = ""
    value: str = "0"


@dataclasses.dataclass
class PartChoice:
    id: int = 0
    code: str = ""
    name: str = ""
    price: str = ""


def _job_row(priced: dict) -> JobRow:
    return JobRow(
        name=priced["name"], hours=str(priced["hours"]), rate=str(priced["rate"] or ""),
        fixed_price=str(priced["fixed_price"] or ""),
        detail="一口价" if priced["fixed_price"] is not None else
        f"{quantity(priced['hours'])} 工时 × {money(priced['rate'])}",
        amount=money(priced["amount"]), value=str(priced["amount"]))


def _part_row(priced: dict) -> PartRow:
    return PartRow(part_id=priced["part_id"], label=f"{priced['part_name']}（{priced['part_code']}）",
                   unit=priced["unit"], quantity=quantity(priced["quantity"]), unit_price=money(priced["unit_price"]),
                   amount=money(priced["amount"]), value=str(priced["amount"]))


def _draft_part_input(line: dict) -> PartLineInput | None:
    try:
        return PartLineInput(part_id=int(line.get("part_id")), quantity=str(line.get("quantity", "")))
    except (TypeError, ValueError):
        return None


def _clear_job_fields() -> list:
    """Empty the job-line inputs once their line is added (a refused line keeps what was typed)."""
    return [rx.set_value(name, "") for name in JOB_FIELDS]


def _blank_registration() -> dict[str, str]:
    return {**dict.fromkeys(REGISTRATION_FIELDS, ""), "kind": "individual"}


def _show_address(path: str):
    """Put ``path`` in the address bar without navigating, so a reload comes back to the same step."""
    return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(path)})")


class IntakeState(SessionState):
    # "search" → "register" (new customer) → "order" → "photos"
    step: str = "search"
    query: str = ""
    results: list[VehicleView] = []
    searched: bool = False
    error: str = ""

    register_errors: dict[str, str] = {}
    vin_warning: str = ""
    register_key: str = ""
    # The registration form's starting values (a restored draft); a new version remounts the form with them.
    register_defaults: dict[str, str] = _blank_registration()
    register_form_version: int = 0
    register_draft_restored: bool = False

    vehicle: VehicleView = VehicleView()
    history: list[OrderView] = []

    job_rows: list[JobRow] = []
    part_rows: list[PartRow] = []
    part_choices: list[PartChoice] = []
    line_error: str = ""
    typed_job: dict[str, str] = {}  # a job line typed but not added yet: 开单 adds it, or stops and says why
    job_error: str = ""  # beside the job-line inputs
    order_errors: dict[str, str] = {}
    order_key: str = ""
    order_defaults: dict[str, str] = dict.fromkeys(ORDER_FIELDS, "")
    order_form_version: int = 0
    order_draft_restored: bool = False

    _work_user_id: int = 0  # who the work in progress belongs to
    order_id: int = 0
    order_number: str = ""
    photos: list[PhotoView] = []

    @rx.var
    def fuel_options(self) -> list[list[str]]:
        return [[str(level), label] for level, label in FUEL_LEVEL_LABELS.items()]

    @rx.var
    def order_line_errors(self) -> list[str]:
        """Messages about lines or the whole form, which have no input to stand beside."""
        return [message for key, message in self.order_errors.items()
                if key.startswith(("job_lines", "part_lines", "form"))]

    @rx.var
    def lines_total(self) -> str:
        return money(sum((Decimal(row.value) for row in [*self.job_rows, *self.part_rows]), Decimal("0.00")))

    @rx.var
    def register_draft_key(self) -> str:
        return draft_key(self.user_id, "register")

    @rx.var
    def order_draft_key(self) -> str:
        return draft_key(self.user_id, f"order:{self.vehicle.id}")

    @rx.var
    def order_draft_lines(self) -> dict[str, list[dict[str, str]]]:
        """The lines added so far, as the order's draft keeps them (what ``open_order`` sends for each)."""
        return {
            "job_lines": [{"name": r.name, "hours": r.hours, "rate": r.rate, "fixed_price": r.fixed_price}
                          for r in self.job_rows],
            "part_lines": [{"part_id": str(r.part_id), "quantity": r.quantity} for r in self.part_rows],
        }

    def _fresh_registration(self) -> None:
        self.register_defaults = _blank_registration()
        self.register_form_version += 1
        self.register_draft_restored = False
        self.register_key = new_request_key()

    def _fresh_order_form(self) -> None:
        self.job_rows = []
        self.part_rows = []
        self.order_defaults = dict.fromkeys(ORDER_FIELDS, "")
        self.order_form_version += 1
        self.order_draft_restored = False
        self.order_key = new_request_key()

    def _same_work(self, token: str) -> bool:
        """Reflex runs ``load`` again after every reconnect (and on a reload of the tab): the same person on the
        same step keeps the work in progress (search results, lines, request key); the drafts refill a reloaded
        page's fields."""
        if self._work_user_id != self.user_id:
            return False
        return (self.step == "order" and token != "" and token == self.vehicle.qr_token) or (
            self.step in ("search", "register") and not token)

    def _reset(self) -> None:
        self._work_user_id = self.user_id
        self.step = "search"
        self.query = ""
        self.results = []
        self.searched = False
        self.error = ""
        self.register_errors = {}
        self.vin_warning = ""
        self._fresh_registration()
        self.vehicle = VehicleView()
        self.history = []
        self._fresh_order_form()
        self.part_choices = []
        self.line_error = ""
        self.typed_job = {}
        self.job_error = ""
        self.order_errors = {}
        self.order_id = 0
        self.order_number = ""
        self.photos = []

    @rx.event
    async def load(self):
        redirect = await self._guard(Permission.INTAKE)
        if redirect is not None:
            return redirect
        token = self.router.url.query_parameters.get("vehicle", "")
        if self._same_work(token):
            return None
        self._reset()
        if token:
            shown = await self._in_read(lambda db, actor: self._select(
                db, actor, vehicles.vehicle_by_token(db, actor, token).vehicle.id))
            if not shown.ok:
                self.error = shown.error.message
        return None

    @rx.event
    def start_over(self):
        self._reset()
        return _show_address("/intake")

    @rx.event
    async def search(self, form: dict):
        await search_vehicles(self, form)

    def _select(self, db, actor, vehicle_id: int) -> None:
        match = vehicles.get_vehicle(db, actor, vehicle_id)
        vehicle_photos = photos.photos_of_vehicle(db, actor, vehicle_id)
        self.vehicle = vehicle_view(match.vehicle, match.owner)
        self.history = order_views(db, actor, work_orders.vehicle_orders(db, actor, vehicle_id), vehicle_photos)
        self.step = "order"

    @rx.event
    async def select_vehicle(self, vehicle_id: int):
        self.error = ""
        shown = await self._in_read(lambda db, actor: self._select(db, actor, vehicle_id))
        if not shown.ok:
            self.error = shown.error.message
            return None
        return _show_address(f"/intake?vehicle={self.vehicle.qr_token}")

    @rx.event
    def start_registration(self):
        self.register_errors = {}
        self.vin_warning = ""
        self.step = "register"

    @rx.event
    def back_to_search(self):
        self.step = "search"

    @rx.event
    async def register(self, form: dict):
        """Register owner and vehicle; a VIN check-digit mismatch asks once for confirmation."""
        self.register_errors = {}
        registration = Registration(
            vehicle=vehicle_form(form),
            customer=customer_form(form),
            accept_vin_warning=vin_confirmed(form, self.vin_warning),
            request_key=self.register_key,
        )
        registered = await self._in_unit(lambda db, actor: vehicles.register_vehicle(db, actor, registration))
        if isinstance(registered.error, VinWarning):
            self.vin_warning = registered.error.message
            return None
        if not registered.ok:
            self.register_errors = form_errors(registered.error)
            return None
        vehicle = registered.value
        shown = await self._in_read(lambda db, actor: self._select(db, actor, vehicle.id))
        if not shown.ok:
            self.error = shown.error.message
            return None
        # Like the order's key, this one lives until the next intake, so a repeated submit finds this vehicle.
        self.vin_warning = ""
        self.register_draft_restored = False
        return [forget_draft(self.register_draft_key), _show_address(f"/intake?vehicle={self.vehicle.qr_token}"),
                rx.toast.success(f"已登记 {vehicle.plate}")]

    @rx.event
    def restore_register_draft(self, draft: dict):
        """Refill the registration form from the draft the browser kept, with its request key: if the first submit
        reached the server, submitting again finds that vehicle."""
        fields = draft_fields(draft, self.register_draft_key, REGISTRATION_FIELDS)
        if fields is None or self.step != "register" or not any(v for k, v in fields.items() if k != "kind"):
            return
        self.register_defaults = {**fields, "kind": fields["kind"] or "individual"}
        self.register_key = draft_request_key(draft, self.register_key)
        self.register_form_version += 1
        self.register_draft_restored = True
        self.vin_warning = ""

    @rx.event
    def discard_register_draft(self):
        self._fresh_registration()
        self.register_errors = {}
        self.vin_warning = ""
        return forget_draft(self.register_draft_key)

    @rx.event
    def type_job(self, field: str, value: str):
        """What is in a job-line input when it loses focus: 开单 must not lose a line typed but not added."""
        if field in JOB_FIELDS:
            self.typed_job = {**self.typed_job, field: value}

    async def _add_job(self, form: dict) -> bool:
        """Price the typed job line and add it; a refusal is shown beside the inputs, which keep what was typed."""
        self.job_error = ""
        line = JobLineInput(name=form.get("job_name", ""), hours=form.get("job_hours", ""),
                            rate=form.get("job_rate", ""), fixed_price=form.get("job_fixed", ""))
        priced = await self._in_read(lambda db, actor: work_orders.quote_job_line(actor, line))
        if not priced.ok:
            self.job_error = priced.error.message
            return False
        self.job_rows.append(_job_row(priced.value))
        self.typed_job = {}
        return True

    @rx.event
    async def add_job_line(self, form: dict):
        return _clear_job_fields() if await self._add_job(form) else None

    @rx.event
    def remove_job_line(self, index: int):
        if 0 <= index < len(self.job_rows):
            self.job_rows.pop(index)

    @rx.event
    async def search_parts(self, form: dict):
        self.line_error = ""
        searched = await self._in_read(lambda db, actor: parts.search_parts(db, actor, form.get("part_query", "")))
        if not searched.ok:
            self.line_error = searched.error.message
            return
        found = searched.value
        self.part_choices = [PartChoice(id=p.id, code=p.code, name=p.name, price=money(p.sale_price)) for p in found]
        if not found:
            self.line_error = "没有找到匹配的配件"

    async def _price_part(self, part_id: int, quantity_text: str) -> PartRow | None:
        priced = await self._in_read(lambda db, actor: work_orders.quote_part_line(
            db, actor, PartLineInput(part_id=part_id, quantity=quantity_text)))
        if not priced.ok:
            self.line_error = priced.error.message
            return None
        return _part_row(priced.value)

    @rx.event
    async def add_part(self, part_id: int):
        self.line_error = ""
        for index, row in enumerate(self.part_rows):
            if row.part_id == part_id:
                return IntakeState.set_part_quantity(index, quantity(Decimal(row.quantity) + 1))
        row = await self._price_part(part_id, "1")
        if row is not None:
            self.part_rows.append(row)
            self.part_choices = []
        return None

    @rx.event
    async def set_part_quantity(self, index: int, quantity_text: str):
        self.line_error = ""
        if not 0 <= index < len(self.part_rows):
            return
        row = await self._price_part(self.part_rows[index].part_id, quantity_text)
        if row is not None:
            self.part_rows[index] = row

    @rx.event
    def remove_part_line(self, index: int):
        if 0 <= index < len(self.part_rows):
            self.part_rows.pop(index)

    @rx.event
    async def open_order(self, form: dict):
        self.order_errors = {}
        added = []
        if any(str(value).strip() for value in self.typed_job.values()):  # typed, 添加项目 never tapped
            if not await self._add_job(self.typed_job):
                self.job_error = f"这一行维修项目还没有添加：{self.job_error}"
                return rx.toast.error(self.job_error)
            added = _clear_job_fields()
        order_form = OrderForm(
            vehicle_id=self.vehicle.id,
            mileage_in=form.get("mileage_in", ""),
            fuel_level=form.get("fuel_level", ""),
            complaint=form.get("complaint", ""),
            promised_at=form.get("promised_at", ""),
            job_lines=[JobLineInput(name=r.name, hours=r.hours, rate=r.rate, fixed_price=r.fixed_price)
                       for r in self.job_rows],
            part_lines=[PartLineInput(part_id=r.part_id, quantity=r.quantity) for r in self.part_rows],
            request_key=self.order_key,
        )
        opened = await self._in_unit(lambda db, actor: work_orders.open_work_order(db, actor, order_form))
        if not opened.ok:
            self.order_errors = form_errors(opened.error)
            return added or None  # the typed line is on the list now: its inputs empty
        # The key stays until the next intake (``_reset``): a second tap's submit, already queued behind this one,
        # must find this order instead of opening another.
        return [*added, *self._opened(opened.value, "已开单")]

    def _opened(self, order, told: str):
        """On to the photos of the order just opened; its draft is done with."""
        self.order_id = order.id
        self.order_number = order.number
        self.step = "photos"
        self.order_draft_restored = False
        return [forget_draft(self.order_draft_key), rx.toast.success(f"{told} {order.number}")]

    @rx.event
    async def restore_order_draft(self, draft: dict):
        """Refill the order form from the draft the browser kept for this vehicle: its fields, its request key (a
        resubmit finds the order the first submit opened) and its lines, each priced again."""
        fields = draft_fields(draft, self.order_draft_key, ORDER_FIELDS)
        if fields is None or self.step != "order":
            return None
        jobs = [JobLineInput(**{name: str(line.get(name, "")) for name in ("name", "hours", "rate", "fixed_price")})
                for line in draft_list(draft, "job_lines")]
        parts = [part for line in draft_list(draft, "part_lines") if (part := _draft_part_input(line)) is not None]
        if not (any(fields.values()) or jobs or parts):
            return None
        key = draft_request_key(draft, self.order_key)
        found = await self._in_read(lambda db, actor: (work_orders.order_of_request(db, actor, self.vehicle.id, key),
                                                 work_orders.quote_draft_lines(db, actor, jobs, parts)))
        if not found.ok:
            self.line_error = found.error.message
            return None
        opened, quoted = found.value
        if opened is not None:  # the submit reached the server, its answer did not reach the browser
            self.order_key = key
            return self._opened(opened, "该草稿已开单")
        self.job_rows = [_job_row(priced) for priced in quoted.job_lines]
        self.part_rows = [_part_row(priced) for priced in quoted.part_lines]
        self.line_error = "；".join(quoted.problems)
        self.order_defaults = fields
        self.order_key = key
        self.order_form_version += 1
        self.order_draft_restored = True
        return None

    @rx.event
    def discard_order_draft(self):
        self._fresh_order_form()
        self.order_errors = {}
        self.line_error = ""
        return forget_draft(self.order_draft_key)

    @rx.event
    async def photo_uploaded(self, photo_id: int):
        """Show a photo the photo control has just stored for this order, once, ready for its damage note."""
        found = await self._in_read(lambda db, actor: photos.order_photo(db, actor, photo_id, self.order_id))
        if not found.ok:
            return rx.toast.error(found.error.message)
        photo = found.value
        if all(view.id != photo.id for view in self.photos):
            self.photos.append(photo_view(photo))
        return None

    @rx.event
    async def save_photo_note(self, photo_id: int, note: str):
        saved = await self._in_unit(lambda db, actor: photos.set_note(db, actor, photo_id, note))
        if not saved.ok:
            return rx.toast.error(saved.error.message)
        photo = saved.value
        for view in self.photos:
            if view.id == photo.id:
                view.note = photo.note
        return rx.toast.success("备注已保存")
