"""Consent to be contacted (短信 / 微信·Webhook) on registration and on the customer edit; changes are audited."""

from __future__ import annotations

import json

from sqlmodel import select

import models
from lantong_pwa.services.workshop import vehicles
from lantong_pwa.services.workshop.vehicles import CustomerForm, Registration, VehicleForm
from state.platform.form_input import customer_form


def audit_rows(session, action: str) -> list[dict]:
    return [json.loads(row.detail) for row in session.exec(
        select(models.AuditEvent).where(models.AuditEvent.action == action).order_by(models.AuditEvent.id)).all()]


def test_registration_keeps_the_consent_given(session, shop):
    vehicle = vehicles.register_vehicle(session, shop.advisor, Registration(
        vehicle=VehicleForm(plate="粤B55555"),
        customer=CustomerForm(name="周女士", mobile="13911112222", sms_consent=True)))
    owner = session.get(models.Customer, vehicle.customer_id)
    assert (owner.sms_consent, owner.webhook_consent) == (True, False)
    assert audit_rows(session, "customer.create") == [{"sms_consent": True, "webhook_consent": False}]


def test_a_changed_consent_is_audited_and_an_unchanged_one_is_not(session, shop):
    vehicle = vehicles.register_vehicle(session, shop.advisor, Registration(
        vehicle=VehicleForm(plate="粤B55555"), customer=CustomerForm(name="周女士", mobile="13911112222")))
    form = CustomerForm(name="周女士", mobile="13911112222", webhook_consent=True)
    owner = vehicles.update_customer(session, shop.manager, vehicle.customer_id, form)
    assert (owner.sms_consent, owner.webhook_consent) == (False, True)
    vehicles.update_customer(session, shop.manager, vehicle.customer_id, form)
    assert audit_rows(session, "customer.update") == [{"changes": {"webhook_consent": [False, True]}}]


def test_the_form_reads_ticked_boxes_only():
    ticked = customer_form({"customer_name": "周女士", "mobile": "13911112222", "sms_consent": "on"})
    assert (ticked.sms_consent, ticked.webhook_consent) == (True, False)
    assert customer_form({"webhook_consent": "true"}).webhook_consent is True
    assert customer_form({"sms_consent": ""}).sms_consent is False
