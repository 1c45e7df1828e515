"""Queries (``/reports``, R14): find work orders, the technician performance report, and their Excel downloads.

The download links point at ``/api/reports/*.xlsx`` with the filters of the last search; the route runs the same
service function with the signed-in user's rights, so a link never shows more than the screen did.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import reflex as rx

from lantong_pwa.services.workshop import reports
from lantong_pwa.services.platform.permissions import Permission, allows
from lantong_pwa.timezone import local_day
from models import WorkOrderStatus
from models.common import utc_now
from state.platform.session import SessionState
from state.platform.views import money

FILTER_KEYS = ("number", "plate", "from", "to", "status", "technician", "part")


@dataclasses.dataclass
class OrderResultRow:
    number: str = ""
    opened: str = ""
    plate: str = ""
    vehicle: str = ""
    customer: str = ""
    status: str = ""
    amount: str = ""
    settled: bool = False


@dataclasses.dataclass
class TechnicianReportRow:
    name: str = ""
    lines: str = ""
    billed: str = ""
    clocked: str = ""
    efficiency: str = ""
    revenue: str = ""


class ReportsState(SessionState):
    technician_options: list[list[str]] = []  # [[id, name]]
    results: list[OrderResultRow] = []
    searched: bool = False
    error: str = ""
    orders_export_url: str = ""

    shows_performance: bool = False
    report_from: str = ""
    report_to: str = ""
    performance: list[TechnicianReportRow] = []
    performance_error: str = ""
    performance_export_url: str = ""

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [[status.value, status.label] for status in WorkOrderStatus]

    @rx.event
    async def load(self):
        shown = await self._in_read(lambda db, actor: (reports.technicians(db, actor),
                                                 allows(actor, Permission.VIEW_FIGURES)),
                                    page=Permission.VIEW_REPORTS)
        if shown.redirect is not None:
            return shown.redirect
        if not shown.ok:
            self.error = shown.error.message
            return None
        technicians, self.shows_performance = shown.value
        self.technician_options = [[str(i), name] for i, name in technicians]
        date_from, date_to = reports.default_report_range(local_day(utc_now()))
        self.report_from, self.report_to = date_from.isoformat(), date_to.isoformat()
        if self.shows_performance:
            await self._performance({"from": self.report_from, "to": self.report_to})
        return None

    @rx.event
    async def search(self, form: dict):
        self.error = ""
        filters = {key: str(form.get(key) or "").strip() for key in FILTER_KEYS}
        found = await self._in_read(lambda db, actor: reports.search_orders(db, actor, **reports.order_filters(filters)))
        if not found.ok:
            self.error = found.error.message
            self.results = []
            self.orders_export_url = ""
            return
        hits = found.value
        self.results = [
            OrderResultRow(number=number, opened=opened, plate=plate, vehicle=vehicle, customer=customer,
                           status=status, amount=money(amount), settled=settled == "是")
            for number, opened, plate, vehicle, customer, status, amount, settled in reports.order_table(hits)
        ]
        self.searched = True
        given = {key: value for key, value in filters.items() if value}
        self.orders_export_url = "/api/reports/orders.xlsx" + (f"?{urlencode(given)}" if given else "")

    async def _performance(self, form: dict) -> None:
        self.performance_error = ""
        dates = {"from": str(form.get("from") or "").strip(), "to": str(form.get("to") or "").strip()}
        found = await self._in_read(lambda db, actor: reports.technician_performance(db, actor, *reports.report_dates(dates)))
        if not found.ok:
            self.performance_error = found.error.message
            self.performance = []
            self.performance_export_url = ""
            return
        rows = found.value
        self.report_from, self.report_to = dates["from"], dates["to"]
        self.performance = [
            TechnicianReportRow(name=row.name, lines=str(row.lines), billed=f"{row.billed_hours:.2f}",
                                clocked=f"{row.clocked_hours:.2f}",
                                efficiency="—" if row.efficiency is None else f"{row.efficiency:.1f}%",
                                revenue=money(row.labor_revenue))
            for row in rows
        ]
        self.performance_export_url = f"/api/reports/technicians.xlsx?{urlencode(dates)}"

    @rx.event
    async def run_performance(self, form: dict):
        await self._performance(form)
