"""Finding vehicles and the vehicle card that a QR code opens (``/v/<token>``)."""

from __future__ import annotations

import reflex as rx

from lantong_pwa.errors import form_errors
from lantong_pwa.services.workshop import photos, progress, vehicles, work_orders
from lantong_pwa.services.platform.permissions import Permission, allows, role_allows
from lantong_pwa.services.workshop.vehicle_cards import card_disclosure, card_url
from lantong_pwa.services.workshop.vehicles import VinWarning
from models import Branch
from state.platform.form_input import customer_form, vehicle_form, vin_confirmed
from state.platform.session import SessionState
from state.workshop.tasks import TaskGroupView, clock_tap, task_groups
from state.platform.views import Letterhead, OrderView, VehicleView, letterhead, order_views, vehicle_view


async def search_vehicles(state: SessionState, form: dict) -> None:
    """Fill ``state.query``/``results``/``error``/``searched`` (a vehicle search box) with the vehicles whose plate,
    VIN or owner's mobile or name matches what was typed, each shown as the card would show it to this person."""
    state.query = (form.get("query") or "").strip()
    def found_vehicles(db, actor):
        contact = card_disclosure(db, actor).owner_contact_and_prices
        return [vehicle_view(m.vehicle, m.owner, contact=contact)
                for m in vehicles.find_vehicles(db, actor, state.query)]

    found = await state._in_read(found_vehicles)
    state.results = found.value if found.ok else []
    state.error = "" if found.ok else found.error.message
    state.searched = True


class VehicleSearchState(SessionState):
    query: str = ""
    results: list[VehicleView] = []
    searched: bool = False
    error: str = ""

    @rx.event
    async def search(self, form: dict):
        await search_vehicles(self, form)


class VehicleCardState(SessionState):
    found: bool = False
    not_found_message: str = ""
    vehicle: VehicleView = VehicleView()
    open_orders: list[OrderView] = []
    history: list[OrderView] = []
    link: str = ""
    link_warning: str = ""  # for admins and managers: the QR points at localhost, and how to fix it
    shop: Letterhead = Letterhead()  # the vehicle's branch, printed on its label
    # The signed-in technician's own lines on this vehicle: scan the QR, tap 开工.
    my_tasks: list[TaskGroupView] = []

    # Which edit dialog is open: "", "vehicle" or "customer".
    editing: str = ""
    edit_errors: dict[str, str] = {}
    edit_vin_warning: str = ""

    @rx.var
    def can_view_customers(self) -> bool:
        """Offer the owner's customer file (the file itself checks on the server)."""
        return role_allows(self.user_role, Permission.VIEW_CUSTOMERS)

    @rx.event
    async def load(self):
        """``on_load`` of ``/v/<token>``: staff see the card; strangers go to sign in and come back."""
        redirect = await self._guard(Permission.VIEW_VEHICLES)
        if redirect is not None:
            return redirect
        self.editing = ""
        await self._load_card(self.token)
        return None

    async def _load_card(self, token: str) -> None:
        self.found = False
        self.not_found_message = ""

        def card(db, actor):
            match = vehicles.vehicle_by_token(db, actor, token)
            vehicle_photos = photos.photos_of_vehicle(db, actor, match.vehicle.id)
            shown = card_disclosure(db, actor)
            orders = order_views(db, actor, work_orders.vehicle_orders(db, actor, match.vehicle.id), vehicle_photos,
                                 prices=shown.owner_contact_and_prices)
            mine = progress.my_tasks(db, actor, vehicle_id=match.vehicle.id) \
                if allows(actor, Permission.CLOCK_JOBS) else []
            return match, shown, orders, mine, letterhead(db.get(Branch, match.vehicle.branch_id))

        read = await self._in_read(card)
        if not read.ok:  # missing, another branch's, or (on a reload) no longer signed in
            self.not_found_message = read.error.message
            return
        match, shown, orders, mine, self.shop = read.value
        self.my_tasks = task_groups(mine)
        self.found = True
        self.vehicle = vehicle_view(match.vehicle, match.owner, contact=shown.owner_contact_and_prices)
        self.open_orders = [order for order in orders if order.is_open]
        self.history = [order for order in orders if not order.is_open]
        self.link = card_url(match.vehicle.qr_token)
        self.link_warning = shown.link_warning

    @rx.event
    async def refresh(self):
        """Reload the card (after a clock tap or a dispatch), under the same checks as opening it."""
        await self._load_card(self.vehicle.qr_token or self.token)

    async def _tap(self, action: str, line_id: int):
        result = await clock_tap(self, action, line_id)
        await self._load_card(self.vehicle.qr_token or self.token)
        return result

    @rx.event
    async def start_line(self, line_id: int):
        return await self._tap("start", line_id)

    @rx.event
    async def pause_line(self, line_id: int):
        return await self._tap("pause", line_id)

    @rx.event
    async def finish_line(self, line_id: int):
        return await self._tap("finish", line_id)

    @rx.event
    def open_edit(self, which: str):
        self.edit_errors = {}
        self.edit_vin_warning = ""
        self.editing = which if which in ("vehicle", "customer") else ""

    @rx.event
    def close_edit(self):
        self.editing = ""

    async def _saved(self, message: str):
        self.editing = ""
        self.edit_vin_warning = ""
        await self._load_card(self.vehicle.qr_token)
        return rx.toast.success(message)

    @rx.event
    async def save_vehicle(self, form: dict):
        self.edit_errors = {}
        saved = await self._in_unit(lambda db, actor: vehicles.update_vehicle(
            db, actor, self.vehicle.id, vehicle_form(form),
            accept_vin_warning=vin_confirmed(form, self.edit_vin_warning)))
        if isinstance(saved.error, VinWarning):
            self.edit_vin_warning = saved.error.message
            return None
        if not saved.ok:
            self.edit_errors = form_errors(saved.error)
            return None
        return await self._saved("车辆信息已保存")

    @rx.event
    async def save_customer(self, form: dict):
        self.edit_errors = {}
        saved = await self._in_unit(lambda db, actor: vehicles.update_customer(db, actor, self.vehicle.owner_id,
                                                                         customer_form(form)))
        if not saved.ok:
            self.edit_errors = form_errors(saved.error)
            return None
        return await self._saved("客户信息已保存")
