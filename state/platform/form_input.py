"""Submitted form fields turned into the services' input shapes (the field names the shared forms use)."""

from __future__ import annotations

import dataclasses

from lantong_pwa.services.workshop.vehicles import CustomerForm, VehicleForm


# The customer fields of the shared form (pages/workshop/vehicle_forms.py), beside VehicleForm's, which are named as its fields.
CUSTOMER_FIELDS = ("customer_name", "mobile", "kind", "birthday", "sms_consent", "webhook_consent")
REGISTRATION_FIELDS = (*CUSTOMER_FIELDS, *(field.name for field in dataclasses.fields(VehicleForm)))


def vehicle_form(form: dict) -> VehicleForm:
    return VehicleForm(**{field.name: str(form.get(field.name, "")) for field in dataclasses.fields(VehicleForm)})


def ticked(form: dict, name: str) -> bool:
    """A checkbox of the submitted form is ticked (an unticked one sends nothing)."""
    return form.get(name) in ("on", "true", True)


def customer_form(form: dict) -> CustomerForm:
    return CustomerForm(name=form.get("customer_name", ""), mobile=form.get("mobile", ""),
                        kind=form.get("kind", "individual"), birthday=form.get("birthday", ""),
                        notes=form.get("notes", ""), sms_consent=ticked(form, "sms_consent"),
                        webhook_consent=ticked(form, "webhook_consent"))


def vin_confirmed(form: dict, warning_shown: str) -> bool:
    """The advisor ticked "checked, keep this VIN" on a form that showed the check-digit warning."""
    return bool(warning_shown) and ticked(form, "accept_vin")
