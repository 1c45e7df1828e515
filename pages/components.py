"""Small building blocks shared by the screens."""

from __future__ import annotations

import reflex as rx


def plate(text: rx.Var | str, size: str = "6") -> rx.Component:
    """A licence plate as it looks on the car: white on blue, or on green for 8-character new-energy plates."""
    return rx.badge(
        text,
        size="3",
        class_name=rx.cond(rx.Var.create(text).length() == 8, "plate plate-green", "plate"),
        font_size=rx.match(size, ("9", "2.6rem"), ("7", "1.8rem"), "1.35rem"),
    )


def field_error(errors: rx.Var, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color_scheme="red", size="2", role="alert", class_name="field-error"),
    )


def labelled(label: str, control: rx.Component, errors: rx.Var | None = None, key: str = "",
             required: bool = False) -> rx.Component:
    """``label`` above ``control``, tied to it when the control has an id (screen readers announce the label, a
    tap on it focuses the field)."""
    tie = {"custom_attrs": {"htmlFor": control.id}} if control.id is not None else {}
    return rx.vstack(
        rx.text(label, rx.cond(required, rx.text.span(" *", color_scheme="red")), size="2", weight="medium",
                as_="label", **tie),
        control,
        field_error(errors, key) if errors is not None else rx.fragment(),
        spacing="1",
        width="100%",
    )


def back_link(label: str, href: str) -> rx.Component:
    """Back to the list a screen was opened from: a chevron and the list's name, a thumb's height tall."""
    return rx.link(rx.icon("chevron-left", size=20), label, href=href, size="3", class_name="back-link")


def sideways_scroll(name: str) -> dict:
    """Props of a box whose table a phone scrolls sideways: a named region that a keyboard can focus and scroll."""
    return {"width": "100%", "overflow_x": "auto", "tab_index": 0, "role": "region", "aria_label": name}


def hidden_input(name: str, value) -> rx.Component:
    """A value the form sends with what was typed (its request key, say)."""
    return rx.el.input(type="hidden", name=name, value=value, read_only=True)


def status_badge(label, value, colours: dict[str, str]) -> rx.Component:
    """A document's status as a badge, coloured by its value (``colours``: value → Radix colour)."""
    return rx.badge(label, color_scheme=rx.match(value, *colours.items(), "gray"), size="2")


def card(*children, **props) -> rx.Component:
    props.setdefault("width", "100%")
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), size="2", **props)


def banner_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def empty_note(text: str) -> rx.Component:
    return rx.text(text, color_scheme="gray", size="2")



def page_loading(**props) -> rx.Component:
    """The spinner a screen shows while its data arrives over the socket.

    It stays invisible for its first second (``.page-loading`` in app.css): a load that quick never flashes a
    spinner, and the prerendered page frame paints without an animation keeping an old phone's main thread busy.
    Spinners inside buttons are not this one; they show at once.
    """
    props.setdefault("padding", "2em")
    return rx.center(rx.spinner(size="3"), class_name="page-loading", role="status", aria_label="正在加载",
                     width="100%", **props)


def download_button(url, element_id: str, label: str = "导出Excel") -> rx.Component:
    """An Excel download: a document navigation (not the client router), so the browser saves what the route sends;
    shown once there is a URL."""
    return rx.cond(
        url != "",
        rx.link(rx.button(rx.icon("file-spreadsheet"), label, variant="soft", size="3", type="button"),
                href=url, download="", reload_document=True, id=element_id),
    )


def print_bar(back: bool = True) -> rx.Component:
    """打印 and (unless a page opened from a shared link, with nowhere to go back to) 返回 under a printable sheet;
    not printed."""
    return rx.hstack(
        rx.button(rx.icon("printer"), "打印", on_click=rx.call_script("window.print()"), size="3"),
        *([rx.button("返回", variant="soft", size="3", on_click=rx.call_script("history.back()"))] if back else []),
        class_name="no-print", justify="center", padding="1em",
    )


def sheet_header(shop, title: str, *facts, tax_details: bool = False) -> rx.Component:
    """The head of a printable sheet: the shop's letterhead (``Letterhead``; with ``tax_details``, its tax ID and
    bank account as a 结算单 prints them), the sheet's title and a line of ``facts`` (number, date …)."""
    details = [rx.cond(shop.tax_id != "", rx.el.p("税号 ", shop.tax_id)),
               rx.cond(shop.bank_account != "", rx.el.p("开户行及账号 ", shop.bank_account))] if tax_details else []
    return rx.el.header(rx.el.h1(shop.header), rx.cond(shop.contact != "", rx.el.p(shop.contact)), *details,
                        rx.el.h2(title), rx.el.p(*facts), class_name="sheet-header")


def sheet_or_error(found, error, sheet: rx.Component) -> rx.Component:
    """The sheet once its state has ``found`` it, else the error or the spinner."""
    return rx.cond(found, sheet, rx.cond(error != "", rx.callout(error, icon="circle_x", color_scheme="orange",
                                                                 id="sheet-error"), page_loading()))


def printable_sheet(found, error, sheet: rx.Component, back: bool = True) -> rx.Component:
    """A printable sheet's page (结算单, 收据, 对账单 …): ``sheet_or_error``, with 打印 and 返回 below."""
    return rx.box(sheet_or_error(found, error, sheet), print_bar(back), class_name="sheet-page")
