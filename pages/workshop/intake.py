"""Intake (接车) on a tablet: find or register the vehicle, open the order with its lines, add photos."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error, card, empty_note, field_error, labelled, plate
from pages.drafts import draft_hint, form_draft
from pages.layout import page
from pages.photo_capture import photo_capture
from pages.workshop.vehicle_forms import customer_fields, vehicle_fields
from pages.workshop.vehicles import SEARCH_PLACEHOLDER, order_card, vehicle_summary
from state.workshop.intake import IntakeState, JobRow, PartChoice, PartRow
from state.platform.views import PhotoView, VehicleView

ERRORS = IntakeState.register_errors


def _pick(vehicle: VehicleView) -> rx.Component:
    return rx.el.button(vehicle_summary(vehicle), on_click=IntakeState.select_vehicle(vehicle.id), type="button",
                        class_name="pick-vehicle")


def search_step() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder=SEARCH_PLACEHOLDER, size="3", flex="1",
                         aria_label="查找车辆", id="intake-query", auto_focus=True),
                rx.button(rx.icon("search"), "查找", size="3", type="submit"),
                width="100%",
            ),
            on_submit=IntakeState.search,
            reset_on_submit=False,
            width="100%",
        ),
        banner_error(IntakeState.error),
        rx.foreach(IntakeState.results, _pick),
        rx.cond(IntakeState.searched & (IntakeState.results.length() == 0), empty_note("没有找到匹配的车辆")),
        rx.button(rx.icon("user-plus"), "新客户 / 新车登记", size="3", variant="soft",
                  on_click=IntakeState.start_registration, id="start-registration"),
        width="100%",
        spacing="3",
    )


def register_step() -> rx.Component:
    return rx.vstack(
        draft_hint(IntakeState.register_draft_restored, IntakeState.discard_register_draft),
        form_draft(IntakeState.register_draft_key, "register-form", IntakeState.restore_register_draft,
                   generation=IntakeState.register_key),
        register_form(),
        width="100%",
        spacing="3",
    )


def register_form() -> rx.Component:
    defaults = IntakeState.register_defaults
    return rx.form(
        rx.vstack(
            field_error(ERRORS, "form"),
            rx.grid(
                card(rx.heading("客户", size="4"), *customer_fields(ERRORS, draft=defaults)),
                *vehicle_fields(ERRORS, IntakeState.vin_warning, draft=defaults),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button("返回查找", type="button", variant="soft", size="3", on_click=IntakeState.back_to_search),
                rx.button(rx.icon("check"), "登记并开单", type="submit", size="3", id="register-submit"),
                justify="end",
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
        on_submit=IntakeState.register,
        reset_on_submit=False,
        width="100%",
        id="register-form",
        key=IntakeState.register_form_version.to_string(),  # a restored draft remounts it with its values
    )


def _job_row(row: JobRow, index: int) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row.name, weight="medium"), rx.text(row.detail, size="1", color_scheme="gray"), spacing="0"),
        rx.spacer(),
        rx.text(row.amount),
        rx.icon_button(rx.icon("trash-2"), variant="ghost", color_scheme="red", size="3", type="button",
                       on_click=IntakeState.remove_job_line(index), aria_label="删除维修项目"),
        width="100%",
        align="center",
        class_name="line-row",
    )


def _part_row(row: PartRow, index: int) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row.label, weight="medium"), rx.text(row.unit_price, " / ", row.unit, size="1",
                                                                 color_scheme="gray"), spacing="0"),
        rx.spacer(),
        rx.input(default_value=row.quantity, key=row.part_id.to_string() + "-" + row.quantity, width="5em", size="3",
                 input_mode="decimal", aria_label="数量",
                 on_blur=lambda value: IntakeState.set_part_quantity(index, value)),
        rx.text(row.amount, min_width="6em", text_align="right"),
        rx.icon_button(rx.icon("trash-2"), variant="ghost", color_scheme="red", size="3", type="button",
                       on_click=IntakeState.remove_part_line(index), aria_label="删除配件"),
        width="100%",
        align="center",
        class_name="line-row",
    )


def _part_choice(choice: PartChoice) -> rx.Component:
    return rx.button(choice.code, " ", choice.name, " ", choice.price, variant="outline", size="3", type="button",
                     on_click=IntakeState.add_part(choice.id), class_name="part-choice")


def _job_input(name: str, placeholder: str, label: str, **props) -> rx.Component:
    """A job-line input; what it holds when it loses focus is told to the state, so 开单 adds a line typed but
    not added."""
    return rx.input(name=name, id=name, placeholder=placeholder, size="3", aria_label=label,
                    on_blur=lambda value: IntakeState.type_job(name, value), **props)


def lines_section() -> rx.Component:
    return card(
        rx.heading("维修项目", size="4"),
        rx.foreach(IntakeState.job_rows, _job_row),
        rx.form(
            rx.grid(
                _job_input("job_name", "项目名称，如 更换前刹车片", "项目名称", grid_column=rx.breakpoints(
                    initial="span 2", md="auto")),
                _job_input("job_hours", "工时", "工时", input_mode="decimal"),
                _job_input("job_rate", "工时单价", "工时单价", input_mode="decimal"),
                _job_input("job_fixed", "或一口价", "一口价", input_mode="decimal"),
                rx.button(rx.icon("plus"), "添加项目", type="submit", size="3", variant="soft", id="add-job"),
                # The name is the widest field, room for its placeholder: a row of its own on a phone, the first
                # and widest column from a tablet up.
                grid_template_columns=rx.breakpoints(initial="repeat(2, minmax(0, 1fr))",
                                                     md="minmax(15em, 2fr) repeat(3, minmax(5em, 1fr)) auto"),
                spacing="2",
                width="100%",
            ),
            on_submit=IntakeState.add_job_line,
            reset_on_submit=False,  # a refused line keeps what was typed; an added one is cleared by the state
            width="100%",
        ),
        rx.cond(IntakeState.job_error != "",
                rx.text(IntakeState.job_error, color_scheme="red", size="2", role="alert", id="job-error")),
        rx.heading("配件", size="4"),
        rx.foreach(IntakeState.part_rows, _part_row),
        rx.form(
            rx.hstack(
                rx.input(name="part_query", placeholder="配件编码、名称或条码", size="3", flex="1", aria_label="查找配件",
                         id="part-query"),
                rx.button(rx.icon("search"), "查配件", type="submit", size="3", variant="soft"),
                width="100%",
            ),
            on_submit=IntakeState.search_parts,
            reset_on_submit=False,
            width="100%",
        ),
        rx.flex(rx.foreach(IntakeState.part_choices, _part_choice), wrap="wrap", gap="2"),
        banner_error(IntakeState.line_error),
        rx.hstack(rx.spacer(), rx.text("预计合计 ", IntakeState.lines_total, weight="bold", size="4"), width="100%"),
    )


ORDER_ERRORS = IntakeState.order_errors
ORDER_DEFAULTS = IntakeState.order_defaults


def order_step() -> rx.Component:
    v = IntakeState.vehicle
    return rx.vstack(
        rx.hstack(
            plate(v.plate, size="7"),
            rx.vstack(rx.text(v.title, weight="bold", size="4"),
                      rx.text(v.owner_name, " · ", v.owner_mobile, " · ", v.mileage, color_scheme="gray", size="2"),
                      spacing="1"),
            rx.spacer(),
            rx.button("换一辆车", variant="soft", size="3", on_click=IntakeState.start_over),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            IntakeState.history.length() > 0,
            rx.accordion.root(
                rx.accordion.item(
                    header=rx.text("历史维修记录（", IntakeState.history.length(), "单）"),
                    content=rx.vstack(rx.foreach(IntakeState.history, order_card), width="100%"),
                    value="history",
                ),
                collapsible=True,
                type="single",
                width="100%",
                variant="soft",
            ),
            empty_note("该车暂无历史维修记录"),
        ),
        draft_hint(IntakeState.order_draft_restored, IntakeState.discard_order_draft),
        form_draft(IntakeState.order_draft_key, "order-form", IntakeState.restore_order_draft,
                   generation=IntakeState.order_key, snapshot=IntakeState.order_draft_lines),
        rx.form(
            card(
                rx.heading("接车信息", size="4"),
                rx.grid(
                    labelled("进厂里程（公里）", rx.input(name="mileage_in", id="mileage_in", input_mode="numeric",
                                                     size="3", width="100%", default_value=ORDER_DEFAULTS["mileage_in"],
                                                     placeholder="上次 " + IntakeState.vehicle.mileage), ORDER_ERRORS, "mileage_in", required=True),
                    labelled("预计交车时间", rx.input(name="promised_at", id="promised_at", type="datetime-local",
                                                   size="3", width="100%", default_value=ORDER_DEFAULTS["promised_at"]),
                             ORDER_ERRORS, "promised_at"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                labelled("油量", rx.radio_group.root(
                    rx.flex(
                        rx.foreach(IntakeState.fuel_options,
                                   lambda option: rx.radio_group.item(option[1], value=option[0],
                                                                      class_name="fuel-option")),
                        gap="2", wrap="wrap",
                    ),
                    name="fuel_level", size="3", id="fuel_level", default_value=ORDER_DEFAULTS["fuel_level"],
                ), ORDER_ERRORS, "fuel_level", required=True),
                labelled("故障描述", rx.text_area(name="complaint", id="complaint", rows="3", size="3", width="100%",
                                              default_value=ORDER_DEFAULTS["complaint"],
                                              placeholder="客户描述的故障现象"), ORDER_ERRORS, "complaint",
                         required=True),
            ),
            id="order-form",
            key=IntakeState.order_form_version.to_string(),  # a restored draft remounts it with its values
            on_submit=IntakeState.open_order,
            reset_on_submit=False,
            width="100%",
        ),
        lines_section(),
        rx.cond(ORDER_ERRORS.length() > 0,
                rx.callout("请修正标红的内容后再开单", icon="triangle_alert", color_scheme="red", width="100%")),
        rx.foreach(IntakeState.order_line_errors, lambda message: rx.text(message, color_scheme="red", size="2",
                                                                          role="alert")),
        rx.hstack(
            rx.spacer(),
            rx.button(rx.icon("file-check"), "开单", size="4", type="submit", custom_attrs={"form": "order-form"},
                      id="open-order"),
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


def _photo_tile(photo: PhotoView) -> rx.Component:
    return rx.vstack(
        rx.image(src=photo.thumb_url, alt="车辆照片", class_name="photo-thumb"),
        rx.input(default_value=photo.note, placeholder="损伤备注（可选）", size="3", width="100%",
                 aria_label="损伤备注", on_blur=lambda note: IntakeState.save_photo_note(photo.id, note)),
        spacing="1",
        class_name="photo-tile",
    )


def photos_step() -> rx.Component:
    return rx.vstack(
        rx.callout(rx.text("已开单 ", rx.text.strong(IntakeState.order_number, id="order-number"),
                           "，可以继续拍摄环车照片。"), icon="circle_check", color_scheme="green", width="100%"),
        card(
            rx.heading("环车照片", size="4"),
            photo_capture(id="intake-photos", prompt="可连续拍摄多张，每张拍完自动上传，上传后可填写损伤备注。",
                          upload_url="/api/orders/" + IntakeState.order_id.to_string() + "/photos",
                          on_uploaded=IntakeState.photo_uploaded),
            rx.grid(rx.foreach(IntakeState.photos, _photo_tile), columns=rx.breakpoints(initial="2", md="3"),
                    spacing="3", width="100%", id="intake-gallery"),
        ),
        rx.hstack(
            rx.link(rx.button(rx.icon("car"), "查看车辆卡", variant="soft", size="3"),
                    href="/v/" + IntakeState.vehicle.qr_token),
            rx.button(rx.icon("plus"), "接待下一辆", size="3", on_click=IntakeState.start_over),
            justify="end",
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


@page("接车开单")
def intake_page():
    return rx.match(
        IntakeState.step,
        ("register", register_step()),
        ("order", order_step()),
        ("photos", photos_step()),
        search_step(),
    )
