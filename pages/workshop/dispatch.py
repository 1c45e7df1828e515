"""The dispatch dialog (派工), shared by the progress board and the vehicle card."""

from __future__ import annotations

import reflex as rx

from pages.components import banner_error
from state.workshop.dispatch import Choice, DispatchLine, DispatchState, ShareCell


def dispatch_button(order_id) -> rx.Component:
    return rx.cond(
        DispatchState.can_dispatch,
        rx.button(rx.icon("user-round-cog"), "派工", size="3", variant="soft", on_click=DispatchState.open(order_id),
                  id="dispatch-" + order_id.to_string()),
    )


def _share_cell(cell: ShareCell) -> rx.Component:
    return rx.vstack(
        rx.text(cell.name, size="2", as_="label"),
        rx.input(name="share_" + cell.technician_id, default_value=cell.share, placeholder="%", input_mode="decimal",
                 size="3", width="100%", aria_label=cell.name + "的分成比例"),
        spacing="1",
    )


def _line_form(line: DispatchLine) -> rx.Component:
    key = line.id.to_string()
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(rx.text(line.name, weight="bold", size="4"), rx.badge(line.status), rx.spacer(),
                          rx.text(line.assignees, size="2", color_scheme="gray"), wrap="wrap", width="100%",
                          align="center"),
                rx.el.input(type="hidden", name="line_id", value=key),
                rx.grid(rx.foreach(line.cells, _share_cell), columns=rx.breakpoints(initial="3", sm="4"),
                        spacing="2", width="100%"),
                rx.cond(DispatchState.line_errors.contains(key),
                        rx.text(DispatchState.line_errors[key], color_scheme="red", size="2", role="alert")),
                rx.button("保存此项派工", size="3", type="submit", id="assign-line-" + key),
                spacing="2",
                width="100%",
            ),
            on_submit=DispatchState.assign_line,
            reset_on_submit=False,
            key=key + line.assignees,  # fresh inputs once the assignments change
        ),
        width="100%",
    )


def _target_option(choice: Choice) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def dispatch_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("派工 · ", DispatchState.plate, " ", DispatchState.order_number),
            rx.vstack(
                banner_error(DispatchState.error),
                rx.heading("整单派工", size="4"),
                rx.form(
                    rx.hstack(
                        rx.select.root(
                            rx.select.trigger(placeholder="选择技师或班组…", id="dispatch-target", flex="1",
                                              aria_label="派给"),
                            rx.select.content(rx.foreach(DispatchState.targets, _target_option)),
                            name="target", size="3",
                        ),
                        rx.button("整单派出", size="3", type="submit", id="assign-order"),
                        width="100%",
                        wrap="wrap",
                    ),
                    on_submit=DispatchState.assign_order,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.text("派给班组时，每个项目由组员平均分成。", size="1", color_scheme="gray"),
                rx.divider(),
                rx.heading("按项目派工", size="4"),
                rx.text("填写每位技师的分成比例（%），合计100；只派给一人时填100，留空表示不参与。", size="2",
                        color_scheme="gray"),
                rx.foreach(DispatchState.lines, _line_form),
                rx.dialog.close(rx.button("完成", size="3", variant="soft", color_scheme="gray", width="100%",
                                          on_click=DispatchState.close)),
                spacing="3",
                width="100%",
            ),
            max_width="720px",
        ),
        open=DispatchState.order_id != 0,
        on_open_change=lambda _open: DispatchState.close(),
    )
