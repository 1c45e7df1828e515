"""Vehicle search (``/vehicles``), the vehicle card a QR code opens (``/v/<token>``) and its printable label."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, field_error, labelled, page_loading, plate
from pages.workshop.dispatch import dispatch_button, dispatch_dialog
from pages.layout import page
from pages.workshop.tasks import task_line
from pages.workshop.vehicle_forms import consent_badges, customer_fields, vehicle_fields
from state.workshop.vehicles import VehicleCardState, VehicleSearchState
from state.platform.views import OrderView, VehicleView


# What a vehicle search box finds (services/workshop/vehicles.find_vehicles).
SEARCH_PLACEHOLDER = "车牌（可输后3–4位）、VIN、车主手机号或姓名"


def search_form(state=VehicleSearchState, placeholder: str = SEARCH_PLACEHOLDER) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="query", placeholder=placeholder, size="3", flex="1", auto_focus=True,
                     aria_label="搜索车辆", enter_key_hint="search", id="vehicle-query"),
            rx.button(rx.icon("search"), "查找", size="3", type="submit"),
            width="100%",
        ),
        on_submit=state.search,
        width="100%",
    )


def vehicle_summary(vehicle: VehicleView) -> rx.Component:
    return rx.card(
        rx.hstack(
            plate(vehicle.plate),
            rx.vstack(
                rx.text(vehicle.title, weight="bold"),
                rx.text(vehicle.owner_name, rx.cond(vehicle.owner_mobile != "", " · " + vehicle.owner_mobile, ""),
                        size="2", color_scheme="gray"),
                spacing="1",
            ),
            align="center",
            spacing="4",
        ),
        width="100%",
        class_name="tap-card",
    )


def vehicle_row(vehicle: VehicleView) -> rx.Component:
    return rx.link(vehicle_summary(vehicle), href="/v/" + vehicle.qr_token, underline="none", width="100%")


@page("车辆")
def vehicles_page():
    return [
        rx.text("用手机相机扫描车辆卡上的二维码，或在这里查找车辆。", color_scheme="gray"),
        search_form(),
        banner_error(VehicleSearchState.error),
        rx.vstack(
            rx.foreach(VehicleSearchState.results, vehicle_row),
            rx.cond(VehicleSearchState.searched & (VehicleSearchState.results.length() == 0),
                    empty_note("没有找到匹配的车辆")),
            width="100%",
            spacing="2",
        ),
    ]


def info(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(rx.text(label, color_scheme="gray", size="2", min_width="6em"), rx.text(value, size="3"),
                  align="baseline"),
    )


def line_rows(lines: rx.Var) -> rx.Component:
    return rx.foreach(
        lines,
        lambda line: rx.hstack(
            rx.vstack(rx.text(line.name), rx.text(line.detail, size="1", color_scheme="gray"), spacing="0"),
            rx.spacer(),
            rx.text(line.amount),
            width="100%",
            align="center",
        ),
    )


def photo_gallery(photos: rx.Var) -> rx.Component:
    return rx.grid(
        rx.foreach(
            photos,
            lambda photo: rx.link(
                rx.vstack(
                    rx.image(src=photo.thumb_url, alt=rx.cond(photo.note != "", photo.note, "车辆照片"),
                             class_name="photo-thumb", loading="lazy"),
                    rx.cond(photo.note != "", rx.text(photo.note, size="1")),
                    spacing="1",
                ),
                href=photo.url,
                is_external=True,
            ),
        ),
        columns=rx.breakpoints(initial="2", sm="3", md="4"),
        spacing="2",
        width="100%",
        class_name="photo-gallery",
    )


def complete_link(number) -> rx.Component:
    """确认完工 for an order whose every line is finished: its settle page, where completing lives."""
    return rx.link(rx.button(rx.icon("circle-check"), "确认完工", size="3", class_name="complete-link"),
                   href="/cashier/" + number, id="complete-" + number)


def order_card(order: OrderView) -> rx.Component:
    return card(
        rx.hstack(
            rx.text(order.number, weight="bold", size="4", class_name="order-number"),
            rx.badge(order.status, size="2"),
            rx.spacer(),
            rx.text(order.opened, size="2", color_scheme="gray"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.text(order.complaint),
        rx.hstack(
            rx.text("进厂里程 ", order.mileage, size="2", color_scheme="gray"),
            rx.text("油量 ", order.fuel, size="2", color_scheme="gray"),
            rx.cond(order.promised != "", rx.text("预计交车 ", order.promised, size="2", color_scheme="gray")),
            wrap="wrap",
        ),
        rx.cond(order.jobs.length() > 0, rx.vstack(rx.text("维修项目", weight="medium"), line_rows(order.jobs),
                                                   width="100%", spacing="1")),
        rx.cond(order.parts.length() > 0, rx.vstack(rx.text("配件", weight="medium"), line_rows(order.parts),
                                                    width="100%", spacing="1")),
        rx.hstack(rx.cond(order.can_complete, complete_link(order.number)),
                  rx.cond(order.can_dispatch, dispatch_button(order.id)),
                  rx.cond(order.at_the_till,
                          rx.link(rx.button(rx.icon("receipt"), "结算收款", size="3", variant="soft"),
                                  href="/cashier/" + order.number)),
                  rx.spacer(),
                  rx.cond(order.total != "", rx.text("合计 ", order.total, weight="bold")), width="100%",
                  align="center", wrap="wrap"),
        rx.cond(order.photos.length() > 0, photo_gallery(order.photos)),
    )


def local_link_warning() -> rx.Component:
    """For those who can have it fixed (vehicle_cards.card_disclosure): the QR points at this machine only."""
    return rx.cond(
        VehicleCardState.link_warning != "",
        rx.callout(VehicleCardState.link_warning, icon="triangle_alert", color_scheme="amber", size="1",
                   id="local-link-warning"),
    )


def _edit_form(on_submit, *fields: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            field_error(VehicleCardState.edit_errors, "form"),
            *fields,
            rx.hstack(
                rx.button("取消", type="button", variant="soft", color_scheme="gray", size="3",
                          on_click=VehicleCardState.close_edit),
                rx.button("保存", type="submit", size="3", id="save-edit"),
                justify="end", width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def edit_dialog() -> rx.Component:
    """Correct the vehicle's or the owner's details, under the same rules as registration."""
    errors = VehicleCardState.edit_errors
    current = VehicleCardState.vehicle
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                VehicleCardState.editing == "vehicle",
                rx.fragment(
                    rx.dialog.title("编辑车辆信息"),
                    _edit_form(VehicleCardState.save_vehicle,
                               *vehicle_fields(errors, VehicleCardState.edit_vin_warning, current, "edit")),
                ),
                rx.fragment(
                    rx.dialog.title("编辑客户信息"),
                    _edit_form(
                        VehicleCardState.save_customer,
                        *customer_fields(errors, current, "edit"),
                        labelled("备注", rx.text_area(name="notes", default_value=current.owner_notes, rows="2",
                                                    width="100%"), errors, "notes"),
                    ),
                ),
            ),
            max_width="640px",
        ),
        open=VehicleCardState.editing != "",
        on_open_change=lambda _open: VehicleCardState.close_edit(),
    )


def my_lines() -> rx.Component:
    """The signed-in technician's lines on this car, with the clock buttons: scan the QR, tap 开工."""
    return rx.cond(
        VehicleCardState.my_tasks.length() > 0,
        card(
            rx.heading("我的维修项目", size="5"),
            rx.foreach(VehicleCardState.my_tasks, lambda group: rx.foreach(
                group.lines, lambda line: task_line(line, VehicleCardState.start_line, VehicleCardState.pause_line,
                                                    VehicleCardState.finish_line))),
            id="my-lines",
            class_name="task-group",
        ),
    )


def _card_body() -> rx.Component:
    v = VehicleCardState.vehicle
    return rx.vstack(
        rx.hstack(
            plate(v.plate, size="9"),
            rx.vstack(rx.heading(v.title, size="5"), rx.text(v.colour, color_scheme="gray"), spacing="1"),
            align="center",
            spacing="4",
            wrap="wrap",
        ),
        my_lines(),
        rx.grid(
            card(
                rx.heading("车主", size="4"),
                rx.text(v.owner_name, " ", rx.badge(v.owner_kind), size="4"),
                rx.cond(v.owner_mobile != "", rx.fragment(
                    rx.link(rx.hstack(rx.icon("phone", size=18), rx.text(v.owner_mobile), align="center", spacing="2"),
                            href="tel:" + v.owner_mobile, class_name="tel-link"),
                    consent_badges(v.owner_sms_consent, v.owner_webhook_consent),
                )),
                rx.cond(VehicleCardState.can_view_customers,
                        rx.link(rx.button(rx.icon("contact"), "客户档案", size="3", variant="soft"),
                                href="/customers/" + v.owner_id.to_string(), id="owner-file")),
            ),
            card(
                rx.heading("车辆信息", size="4"),
                info("VIN", v.vin),
                info("发动机号", v.engine_no),
                info("当前里程", v.mileage),
                info("购车日期", v.purchase_date),
                info("下次保养", v.next_service),
                info("下次年检", v.next_inspection),
                info("保险公司", v.insurer),
                info("交强险到期", v.compulsory_end),
                info("商业险到期", v.commercial_end),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.cond(
                VehicleCardState.can_intake,
                rx.hstack(
                    rx.link(rx.button(rx.icon("clipboard-plus"), "为此车开单", size="3"),
                            href="/intake?vehicle=" + v.qr_token),
                    rx.button(rx.icon("pencil"), "编辑车辆", size="3", variant="soft", id="edit-vehicle",
                              on_click=VehicleCardState.open_edit("vehicle")),
                    rx.button(rx.icon("user-pen"), "编辑客户", size="3", variant="soft", id="edit-customer",
                              on_click=VehicleCardState.open_edit("customer")),
                    wrap="wrap",
                ),
            ),
            rx.link(rx.button(rx.icon("printer"), "打印车辆卡", size="3", variant="soft"),
                    href="/v/" + v.qr_token + "/label"),
            wrap="wrap",
        ),
        rx.heading("在修工单", size="5"),
        rx.cond(VehicleCardState.open_orders.length() > 0,
                rx.vstack(rx.foreach(VehicleCardState.open_orders, order_card), width="100%"),
                empty_note("当前没有在修工单")),
        rx.heading("维修历史", size="5"),
        rx.cond(VehicleCardState.history.length() > 0,
                rx.vstack(rx.foreach(VehicleCardState.history, order_card), width="100%"),
                empty_note("暂无历史工单")),
        rx.image(src="/api/vehicles/" + v.qr_token + "/qr.png", alt="车辆二维码", width="160px", height="160px"),
        edit_dialog(),
        dispatch_dialog(),
        rx.text(VehicleCardState.link, size="1", color_scheme="gray", class_name="card-link"),
        local_link_warning(),
        width="100%",
        spacing="4",
    )


@page("车辆卡")
def vehicle_card_page():
    return rx.cond(
        VehicleCardState.found,
        _card_body(),
        rx.cond(
            VehicleCardState.not_found_message != "",
            rx.vstack(
                rx.callout(VehicleCardState.not_found_message, icon="circle_x", color_scheme="orange", size="3",
                           id="card-not-found", width="100%"),
                rx.text("请确认二维码完整清晰，或按车牌查找该车。", color_scheme="gray"),
                rx.link(rx.button(rx.icon("search"), "按车牌查找", size="3"), href="/vehicles"),
                spacing="3",
            ),
            page_loading(),
        ),
    )


def vehicle_label_page() -> rx.Component:
    """A label for a label printer or an A6 sheet: the branch's header, plate, make and model, QR code, the branch's
    address and phone. Prints without the shell."""
    v = VehicleCardState.vehicle
    return rx.box(
        rx.cond(
            VehicleCardState.found,
            rx.vstack(
                rx.text(VehicleCardState.shop.header, class_name="label-header"),
                rx.text(v.plate, class_name="label-plate"),
                rx.text(v.title, class_name="label-title"),
                rx.image(src="/api/vehicles/" + v.qr_token + "/qr.png", alt="车辆二维码", class_name="label-qr"),
                rx.text("扫码查看车辆档案", class_name="label-foot"),
                rx.cond(VehicleCardState.shop.contact != "",
                        rx.text(VehicleCardState.shop.contact, class_name="label-foot")),
                rx.box(local_link_warning(), class_name="no-print"),
                align="center",
                spacing="2",
                class_name="label-sheet",
            ),
            rx.text(VehicleCardState.not_found_message),
        ),
        rx.hstack(
            rx.button(rx.icon("printer"), "打印", on_click=rx.call_script("window.print()"), size="3"),
            rx.link(rx.button("返回车辆卡", variant="soft", size="3"), href="/v/" + v.qr_token),
            class_name="no-print",
            justify="center",
            padding="1em",
        ),
    )
