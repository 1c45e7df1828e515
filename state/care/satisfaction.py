"""Satisfaction and churn (``/satisfaction``, C2 and C3): the rate of a period by advisor and technician, the
monthly trend, the churn segments and the customers at risk, with the Excel download of the analysis."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx

from lantong_pwa.services.care import churn, satisfaction
from lantong_pwa.services.workshop import reports
from lantong_pwa.services.platform.permissions import Permission
from lantong_pwa.services.care.satisfaction import ASPECTS, PersonTally
from lantong_pwa.timezone import local_day
from models.common import utc_now
from state.platform.session import SessionState
from state.platform.views import mask_mobile, money

AT_RISK_SHOWN = 50  # on screen; the download has everyone
CHURN_EXPORT_URL = "/api/reports/churn.xlsx"


@dataclasses.dataclass
class PersonRow:
    name: str = ""
    answered: str = ""
    satisfied: str = ""
    rate: str = ""
    average: str = ""
    complaints: str = ""
    low: bool = False  # a rate under 80%


@dataclasses.dataclass
class SegmentRow:
    key: str = ""
    label: str = ""
    count: str = ""


@dataclasses.dataclass
class AtRiskRow:
    customer_id: int = 0
    name: str = ""
    mobile: str = ""
    plates: str = ""
    last_visit: str = ""
    days_since: str = ""
    usual_interval: str = ""
    visits: str = ""
    spending: str = ""
    segment: str = ""


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def rating(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def person_row(person: PersonTally) -> PersonRow:
    tally = person.tally
    return PersonRow(name=person.name, answered=str(tally.answered), satisfied=str(tally.satisfied),
                     rate=percent(tally.rate), average=rating(tally.average_overall), complaints=str(tally.complaints),
                     low=tally.rate is not None and tally.rate < 80)


class SatisfactionState(SessionState):
    date_from: str = ""
    date_to: str = ""
    error: str = ""
    rate: str = ""
    answered: str = ""
    satisfied: str = ""
    average: str = ""
    complaints_opened: str = ""
    complaints_open: str = ""
    aspects: list[list[str]] = []  # [[label, average]]
    advisors: list[PersonRow] = []
    technicians: list[PersonRow] = []
    trend: list[dict[str, str | float]] = []  # {"name": "2026-11", "rate": 66.7}
    segments: list[SegmentRow] = []
    customers_scored: str = ""
    at_risk: list[AtRiskRow] = []
    at_risk_total: str = ""
    monetary_threshold: str = ""
    churn_error: str = ""

    @rx.event
    async def load(self):
        redirect = await self._guard(Permission.VIEW_CARE_FIGURES)
        if redirect is not None:
            return redirect
        today = local_day(utc_now())
        date_from, date_to = reports.default_report_range(today)
        await self._period({"from": date_from.isoformat(), "to": date_to.isoformat()})
        await self._churn()
        return None

    @rx.event
    async def run(self, form: dict):
        await self._period(form)

    async def _period(self, form: dict) -> None:
        dates = {"from": str(form.get("from") or "").strip(), "to": str(form.get("to") or "").strip()}
        read = await self._in_read(lambda db, actor: satisfaction.satisfaction(db, actor, *reports.report_dates(dates)))
        self.error = "" if read.ok else read.error.message
        if not read.ok:
            return
        result = read.value
        self.date_from, self.date_to = dates["from"], dates["to"]
        overall = result.overall
        self.rate = percent(overall.rate)
        self.answered, self.satisfied = str(overall.answered), str(overall.satisfied)
        self.average = rating(overall.average_overall)
        self.complaints_opened, self.complaints_open = str(result.complaints_opened), str(result.complaints_open)
        self.aspects = [[label, rating(result.aspects[name])] for name, label in ASPECTS]
        self.advisors = [person_row(p) for p in result.advisors]
        self.technicians = [person_row(p) for p in result.technicians]
        # Short month names ("11月"), so six of them fit under a phone-wide chart.
        self.trend = [{"name": f"{int(m.month[5:])}月", "rate": float(m.rate or 0), "answered": float(m.answered)}
                      for m in result.trend]

    async def _churn(self) -> None:
        read = await self._in_read(lambda db, actor: churn.churn_analysis(db, actor, local_day(utc_now())))
        self.churn_error = "" if read.ok else read.error.message
        if not read.ok:
            return
        result = read.value
        self.segments = [SegmentRow(key=key, label=label, count=str(count))
                         for key, label, count in result.segment_counts]
        self.customers_scored = str(len(result.customers))
        self.monetary_threshold = money(result.monetary_threshold)
        self.at_risk_total = str(len(result.at_risk))
        self.at_risk = [AtRiskRow(
            customer_id=c.customer_id, name=c.name, mobile=mask_mobile(c.mobile), plates="、".join(c.plates),
            last_visit=c.last_visit.isoformat(), days_since=str(c.days_since), usual_interval=f"{c.usual_interval:.0f}",
            visits=str(c.visits), spending=money(c.spending), segment=c.segment_label)
            for c in result.at_risk[:AT_RISK_SHOWN]]
