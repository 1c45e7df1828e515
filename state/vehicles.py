"""Finding vehicles and the vehicle card that a QR code opens (``/v/<token>``)."""

from __future__ import annotations

import reflex as rx

from lantong_pwa.db import session_scope
from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services import photos, vehicles, work_orders
from lantong_pwa.services.permissions import Permission
from lantong_pwa.services.vehicle_cards import card_url
from state.session import SessionState
from state.views import OrderView, VehicleView, order_view, vehicle_view


def matching_vehicles(state: SessionState, query: str) -> list[VehicleView]:
    """Vehicles whose plate, VIN or owner's mobile matches, shaped for the screen; raises ``DomainError``."""
    with session_scope() as db:
        return [vehicle_view(m.vehicle, m.owner) for m in vehicles.find_vehicles(db, state._actor(db), query)]


class VehicleSearchState(SessionState):
    query: str = ""
    results: list[VehicleView] = []
    searched: bool = False
    error: str = ""

    @rx.event
    def search(self, form: dict):
        self.query = (form.get("query") or "").strip()
        self.error = ""
        try:
            self.results = matching_vehicles(self, self.query)
        except DomainError as error:
            self.error = error.message
            self.results = []
        self.searched = True


class VehicleCardState(SessionState):
    found: bool = False
    not_found_message: str = ""
    vehicle: VehicleView = VehicleView()
    open_orders: list[OrderView] = []
    history: list[OrderView] = []
    link: str = ""

    @rx.event
    def load(self):
        """``on_load`` of ``/v/<token>``: staff see the card; strangers go to sign in and come back."""
        redirect = self._guard(Permission.VIEW_VEHICLES)
        if redirect is not None:
            return redirect
        self.found = False
        self.not_found_message = ""
        token = self.token
        with session_scope() as db:
            actor = self._actor(db)
            try:
                match = vehicles.vehicle_by_token(db, actor, token)
                details = work_orders.vehicle_orders(db, actor, match.vehicle.id)
                vehicle_photos = photos.photos_of_vehicle(db, actor, match.vehicle.id)
            except NotFound as error:
                self.found = False
                self.not_found_message = error.message
                return None
        self.found = True
        self.vehicle = vehicle_view(match.vehicle, match.owner)
        orders = [order_view(detail, vehicle_photos) for detail in details]
        self.open_orders = [order for order in orders if order.is_open]
        self.history = [order for order in orders if not order.is_open]
        self.link = card_url(match.vehicle.qr_token)
        return None
