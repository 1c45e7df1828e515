from __future__ import annotations

import reflex as rx

from pages.components import card, field_error, labelled
from pages.layout import page
from state.platform.settings import FeeTypeRow, SettingsState, TeamRow

ERRORS = SettingsState.errors


def _fee_row(row: FeeTypeRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.name, weight="medium", min_width="7em"),
        rx.text("默认 ", row.default_amount, color_scheme="gray"),
        rx.spacer(),
        rx.cond(row.active,
                rx.button("停用", size="2", variant="soft", color_scheme="red",
                          on_click=SettingsState.set_fee_type_active(row.id, False)),
                rx.button("启用", size="2", variant="soft", color_scheme="green",
                          on_click=SettingsState.set_fee_type_active(row.id, True))),
        width="100%",
        align="center",
        class_name="line-row",
        opacity=rx.cond(row.active, "1", "0.55"),
    )


def _team_row(row: TeamRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(row.name, weight="bold"), rx.cond(row.leader != "", rx.badge("组长 ", row.leader))),
        rx.text(row.members, size="2", color_scheme="gray"),
        spacing="1",
        class_name="line-row",
        width="100%",
    )


@page("门店设置")
def settings_page():
    return [
        field_error(ERRORS, "form"),
        card(
            rx.heading("增值税率", size="4"),
            rx.text("价格均为含税价；结算单按此税率显示其中的增值税。已生成的结算单不受影响。", size="2", color_scheme="gray"),
            rx.form(
                rx.hstack(
                    rx.input(name="vat_rate", default_value=SettingsState.vat_rate, key=SettingsState.vat_rate,
                             input_mode="decimal", size="3", width="8em", aria_label="增值税率（%）", id="vat-rate"),
                    rx.text("%"),
                    rx.button("保存", type="submit", size="3"),
                    align="center",
                ),
                on_submit=SettingsState.save_vat_rate,
                reset_on_submit=False,
            ),
            field_error(ERRORS, "vat_rate"),
        ),
        card(
            rx.heading("售后回访", size="4"),
            rx.text("工单结清后第几天提醒回访（1–60天），只影响之后结清的工单。", size="2", color_scheme="gray"),
            rx.form(
                rx.hstack(
                    rx.input(name="follow_up_days", default_value=SettingsState.follow_up_days,
                             key=SettingsState.follow_up_days, input_mode="numeric", size="3", width="6em",
                             aria_label="回访天数", id="follow-up-days"),
                    rx.text("天"),
                    rx.button("保存", type="submit", size="3"),
                    align="center",
                ),
                on_submit=SettingsState.save_follow_up_days,
                reset_on_submit=False,
            ),
            field_error(ERRORS, "follow_up_days"),
        ),
        card(
            rx.heading("维修质保期", size="4"),
            rx.text("印在结算单上：质保天数或行驶里程，以先到者为准（里程填0表示不限里程）。只影响之后的结算单。", size="2",
                    color_scheme="gray"),
            rx.form(
                rx.hstack(
                    rx.input(name="warranty_days", default_value=SettingsState.warranty_days,
                             key=SettingsState.warranty_days, input_mode="numeric", size="3", width="6em",
                             aria_label="质保天数", id="warranty-days"),
                    rx.text("天或"),
                    rx.input(name="warranty_km", default_value=SettingsState.warranty_km,
                             key=SettingsState.warranty_km, input_mode="numeric", size="3", width="7em",
                             aria_label="质保里程（公里）", id="warranty-km"),
                    rx.text("公里"),
                    rx.button("保存", type="submit", size="3"),
                    align="center",
                    wrap="wrap",
                ),
                on_submit=SettingsState.save_warranty,
                reset_on_submit=False,
            ),
            field_error(ERRORS, "warranty_days"),
            field_error(ERRORS, "warranty_km"),
        ),
        card(
            rx.heading("车辆卡", size="4"),
            rx.text("技师默认只看到维修所需的信息：不显示车主手机号，也不显示工时费、配件单价和金额。", size="2",
                    color_scheme="gray"),
            rx.text(rx.switch(checked=SettingsState.technicians_see_contact_and_prices, size="3",
                              on_change=SettingsState.save_technicians_see_contact_and_prices,
                              id="technicians-see-contact-and-prices"),
                    "技师可见客户电话和价格", as_="label", size="3"),
        ),
        card(
            rx.heading("其他费用类型", size="4"),
            rx.text("结算时可添加的费用，如外加工、材料费、管理费。", size="2", color_scheme="gray"),
            rx.foreach(SettingsState.fee_types, _fee_row),
            rx.form(
                rx.hstack(
                    rx.input(name="fee_name", placeholder="费用名称", size="3", flex="1", aria_label="费用名称"),
                    rx.input(name="fee_amount", placeholder="金额", input_mode="decimal", size="3", width="5.5em",
                             aria_label="默认金额"),
                    rx.button(rx.icon("plus"), "添加", type="submit", size="3", variant="soft"),
                    width="100%",
                    spacing="2",
                ),
                on_submit=SettingsState.add_fee_type,
                reset_on_submit=True,
                width="100%",
            ),
            field_error(ERRORS, "fee_name"),
            field_error(ERRORS, "fee_amount"),
        ),
        card(
            rx.heading("班组", size="4"),
            rx.foreach(SettingsState.teams, _team_row),
            rx.form(
                rx.vstack(
                    labelled("班组名称", rx.input(name="team_name", id="team-name", size="3", width="100%"), ERRORS,
                             "name", required=True),
                    labelled("成员", rx.flex(rx.foreach(SettingsState.technicians, lambda t: rx.checkbox(
                        t[1], name="member_" + t[0], id="member-" + t[0], size="3",
                    )), gap="2", wrap="wrap"), ERRORS, "members", required=True),
                    labelled("组长", rx.select.root(
                        rx.select.trigger(placeholder="选择组长（可不选）", width="100%", aria_label="组长"),
                        rx.select.content(rx.foreach(SettingsState.technicians,
                                                     lambda t: rx.select.item(t[1], value=t[0]))),
                        name="leader", size="3"), ERRORS, "leader"),
                    rx.button(rx.icon("users"), "新建班组", type="submit", size="3"),
                    width="100%",
                ),
                on_submit=SettingsState.create_team,
                reset_on_submit=True,
                width="100%",
            ),
        ),
    ]
