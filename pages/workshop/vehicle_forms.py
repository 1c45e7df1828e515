"""The customer and vehicle fields, shared by registration at intake and the edit dialogs on the vehicle card."""

from __future__ import annotations

import reflex as rx

from pages.components import card, labelled
from state.platform.views import VehicleView


def text_field(errors: rx.Var, label: str, name: str, value: rx.Var | str = "", *, required: bool = False,
               error_key: str | None = None, id_prefix: str = "reg", **props) -> rx.Component:
    props.setdefault("size", "3")
    return labelled(label, rx.input(name=name, id=f"{id_prefix}-{name}", default_value=value, width="100%", **props),
                    errors, error_key or name, required=required)


def _starting_values(current: VehicleView | None, draft: rx.Var | None):
    """``value(name, attribute)``: a field's starting value, from a draft (form values by field name, as the form
    submits them), from the view being edited (by attribute), or empty."""
    if draft is not None:
        return lambda name, _attribute: draft[name]
    if current is not None:
        return lambda _name, attribute: getattr(current, attribute)
    return lambda _name, _attribute: ""


def customer_fields(errors: rx.Var, current: VehicleView | None = None, id_prefix: str = "reg",
                    draft: rx.Var | None = None) -> list[rx.Component]:
    """Owner details; ``current`` fills them for an edit, ``draft`` with a restored draft."""
    value = _starting_values(current, draft)

    def ticked(name: str, attribute: str) -> rx.Var | bool:
        if draft is not None:
            return draft[name] == "on"  # a ticked checkbox submits "on"
        return getattr(current, attribute) if current is not None else False

    return [
        text_field(errors, "客户姓名 / 单位", "customer_name", value("customer_name", "owner_name"), required=True,
                   id_prefix=id_prefix),
        text_field(errors, "手机号", "mobile", value("mobile", "owner_mobile"), required=True, type="tel",
                   input_mode="numeric", max_length=13, id_prefix=id_prefix),
        labelled("客户类型", rx.select.root(
            rx.select.trigger(width="100%", aria_label="客户类型"),
            rx.select.content(rx.select.item("个人", value="individual"), rx.select.item("单位", value="company"),
                              rx.select.item("车队", value="fleet")),
            name="kind", size="3",
            default_value=value("kind", "owner_kind_value") if current is not None or draft is not None
            else "individual",
        ), errors, "kind"),
        text_field(errors, "生日", "birthday", value("birthday", "owner_birthday"), type="date", id_prefix=id_prefix),
        consent_box("sms_consent", "同意接收短信提醒", ticked("sms_consent", "owner_sms_consent"), id_prefix),
        consent_box("webhook_consent", "同意接收微信/Webhook通知", ticked("webhook_consent", "owner_webhook_consent"),
                    id_prefix),
    ]


def consent_badges(sms: rx.Var, webhook: rx.Var) -> rx.Component:
    """What the customer agreed to be contacted by, as two badges."""
    return rx.hstack(
        rx.badge(rx.cond(sms, "✓ 短信提醒", "✗ 短信提醒"), color_scheme=rx.cond(sms, "green", "gray"), variant="soft"),
        rx.badge(rx.cond(webhook, "✓ 微信/Webhook", "✗ 微信/Webhook"), color_scheme=rx.cond(webhook, "green", "gray"),
                 variant="soft"),
        spacing="2",
        wrap="wrap",
    )


def consent_box(name: str, label: str, checked: rx.Var | bool, id_prefix: str) -> rx.Component:
    """What the customer agreed to be contacted by (reminders, follow-up links); a changed answer is audited."""
    return rx.box(
        # The high-level checkbox wraps box and text in one <label>: a tap on the words ticks it too.
        rx.checkbox(label, name=name, id=f"{id_prefix}-{name.replace('_', '-')}", default_checked=checked, size="3"),
        min_height="44px",
        display="flex",
        align_items="center",
    )


def vehicle_fields(errors: rx.Var, vin_warning: rx.Var, current: VehicleView | None = None,
                   id_prefix: str = "reg", draft: rx.Var | None = None) -> list[rx.Component]:
    """The vehicle card, then the inspection and insurance card; ``current`` fills them for an edit, ``draft`` with a
    restored draft."""
    value = _starting_values(current, draft)
    field = lambda label, name, source=None, **props: text_field(  # noqa: E731 - a local shorthand
        errors, label, name, value(name, source or name), id_prefix=id_prefix, **props)
    return [
        card(
            rx.heading("车辆", size="4"),
            field("车牌号", "plate", required=True, placeholder="如 粤B12345", auto_capitalize="characters"),
            field("VIN（车架号）", "vin", max_length=17, auto_capitalize="characters"),
            rx.cond(
                vin_warning != "",
                rx.callout(
                    rx.vstack(
                        rx.text(vin_warning),
                        rx.hstack(rx.checkbox(name="accept_vin", id=f"{id_prefix}-accept-vin"),
                                  rx.el.label("已核对，按此VIN保存", html_for=f"{id_prefix}-accept-vin")),
                    ),
                    icon="triangle_alert", color_scheme="amber", width="100%",
                ),
            ),
            rx.grid(field("品牌", "make"), field("车型", "model"), field("年款", "year", input_mode="numeric"),
                    field("颜色", "colour"), columns="2", spacing="3", width="100%"),
            field("发动机号", "engine_no"),
            field("当前里程（公里）", "mileage", "mileage_km", input_mode="numeric"),
            field("购车日期", "purchase_date", type="date"),
        ),
        card(
            rx.heading("年检与保险", size="4"),
            field("下次年检日期", "next_inspection_date", "next_inspection", type="date"),
            field("保险公司", "insurer"),
            field("交强险到期日", "compulsory_policy_end", "compulsory_end", type="date"),
            field("商业险到期日", "commercial_policy_end", "commercial_end", type="date"),
        ),
    ]
