"""The cashier's screens: the queue, settling and taking payment for one order, and the printable 结算单."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    back_link,
    banner_error,
    card,
    empty_note,
    field_error,
    labelled,
    page_loading,
    plate,
    printable_sheet,
    sheet_header,
)
from pages.layout import page
from state.cashier.cashier import (
    TOP_UP_OPTIONS,
    CardEntryRow,
    CashierState,
    PaymentRow,
    QueueRow,
    SettlementSheetState,
    SettleState,
    SheetGroup,
    SheetLine,
    TermRow,
)

S = SettleState


def _queue_row(row: QueueRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                plate(row.plate),
                rx.vstack(rx.text(row.title, weight="bold"),
                          rx.text(row.customer, " · ", row.number, size="2", color_scheme="gray"), spacing="0"),
                rx.spacer(),
                rx.vstack(rx.text(row.amount, weight="bold", size="4"), rx.text(row.when, size="1", color_scheme="gray"),
                          spacing="0", align="end"),
                align="center", width="100%", wrap="wrap",
            ),
            class_name="tap-card", width="100%",
        ),
        href=row.url, underline="none", width="100%",
    )


@page("收银")
def cashier_page():
    return [
        banner_error(CashierState.error),
        rx.heading("待结算（已完工）", size="5"),
        rx.cond(CashierState.ready.length() > 0,
                rx.vstack(rx.foreach(CashierState.ready, _queue_row), width="100%", spacing="2", id="ready-list"),
                empty_note("没有待结算的工单")),
        rx.heading("待收款（已结算）", size="5"),
        rx.cond(CashierState.awaiting.length() > 0,
                rx.vstack(rx.foreach(CashierState.awaiting, _queue_row), width="100%", spacing="2",
                          id="awaiting-list"),
                empty_note("没有待收款的工单")),
    ]


# --- one order --------------------------------------------------------------------------------------------------


def _amount_row(label: str, value, strong: bool = False, **props) -> rx.Component:
    return rx.hstack(rx.text(label, color_scheme="gray"), rx.spacer(),
                     rx.text(value, weight="bold" if strong else "regular", size="4" if strong else "3"),
                     width="100%", **props)


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            plate(S.plate, size="7"),
            rx.vstack(rx.text(S.vehicle_title, weight="bold", size="4"),
                      rx.text(S.customer_name, " · ", S.customer_mobile, " · ", S.mileage, size="2",
                              color_scheme="gray"), spacing="1"),
            rx.spacer(),
            rx.badge(S.status_label, size="3", id="order-status"),
            width="100%", align="center", wrap="wrap",
        ),
        rx.text("工单 ", S.order_number_text, size="2", color_scheme="gray"),
        rx.cond(S.qc != "", rx.text(S.qc, size="2", id="qc-result")),
        width="100%", spacing="2",
    )


def _parts_decision() -> rx.Component:
    """What 确认完工 found: parts planned or asked for but never picked, and the three ways on."""
    return rx.cond(
        S.parts_decision.length() > 0,
        rx.vstack(
            rx.text("以下配件还没有领料，完工前请决定：", weight="bold", color_scheme="orange"),
            rx.foreach(S.parts_decision, lambda row: rx.hstack(
                rx.text(row.text, size="2"), rx.spacer(),
                rx.cond(row.can_drop, rx.button(rx.icon("trash-2"), "删除该配件", size="3", variant="soft",
                                                color_scheme="red", type="button", on_click=S.drop_part(row.line_id))),
                width="100%", align="center", wrap="wrap", class_name="unpicked-row")),
            rx.text("需要这些配件：请配件员领料后再确认完工。", size="2", color_scheme="gray"),
            rx.form(
                rx.hstack(
                    rx.input(name="parts_reason", placeholder="仍然完工的原因（必填，记在工单上）", size="3", flex="1",
                             aria_label="仍然完工的原因", id="parts-reason"),
                    rx.button("仍然完工", size="3", type="submit", color_scheme="orange", id="complete-anyway"),
                    width="100%", wrap="wrap",
                ),
                on_submit=S.complete_anyway, reset_on_submit=False, width="100%",
            ),
            rx.button("先去领料", size="3", variant="soft", type="button", on_click=S.close_parts_decision),
            width="100%", spacing="2", id="parts-decision", role="alert",
        ),
    )


def _completion() -> rx.Component:
    return rx.cond(
        S.can_complete | S.can_quality_check | (S.parts_decision.length() > 0),
        card(
            rx.heading("完工与质检", size="4"),
            rx.cond(S.can_complete & (S.parts_decision.length() == 0),
                    rx.button(rx.icon("circle-check"), "确认完工", size="3", on_click=S.complete, id="complete-order")),
            _parts_decision(),
            rx.cond(
                S.can_quality_check,
                rx.form(
                    rx.vstack(
                        rx.radio_group.root(
                            rx.flex(rx.radio_group.item("合格", value="pass", class_name="fuel-option"),
                                    rx.radio_group.item("不合格（退回维修）", value="fail", class_name="fuel-option"),
                                    gap="2", wrap="wrap"),
                            name="qc_result", default_value="pass", size="3",
                        ),
                        rx.input(name="qc_note", placeholder="质检说明（不合格时必填）", size="3", width="100%",
                                 aria_label="质检说明"),
                        rx.button(rx.icon("shield-check"), "记录质检", size="3", variant="soft", type="submit",
                                  id="record-qc"),
                        rx.text("质检须由未参与施工的人员进行；可跳过质检直接结算。", size="1", color_scheme="gray"),
                        spacing="2", width="100%",
                    ),
                    on_submit=S.quality_check, reset_on_submit=True, width="100%",
                ),
            ),
        ),
    )


def _small(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), control, spacing="1", width="100%")


PARTY_LIST = "party-names"
TERMS_FORM = "terms-form"  # the one form 结算 (or 保存结算信息) submits: every term field below belongs to it


def in_terms(label: str) -> dict[str, str]:
    """A term field's attributes: it belongs to the terms form, wherever it stands, and is named for screen readers
    (given here: ``custom_attrs`` replaces the ``aria_label`` prop)."""
    return {"form": TERMS_FORM, "aria-label": label}


def _line_row(row: TermRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(row.kind_label, variant="soft"),
            rx.vstack(rx.text(row.description, weight="medium"), rx.text(row.detail, size="1", color_scheme="gray"),
                      spacing="0"),
            rx.spacer(),
            rx.vstack(rx.text(row.amount), rx.cond(row.net != row.amount, rx.text("实收 ", row.net, size="1",
                                                                                  color_scheme="green")),
                      spacing="0", align="end"),
            width="100%", align="center",
        ),
        rx.cond(
            S.can_edit_terms,
            rx.grid(
                _small("付款方", rx.el.select(rx.foreach(S.payer_options, lambda o: rx.el.option(o[1], value=o[0])),
                                           name="payer." + row.key, default_value=row.payer,
                                           class_name="native-select", custom_attrs=in_terms("付款方"),
                                           on_change=lambda value: S.type_term("payer." + row.key, value))),
                _small("厂家 / 保险公司", rx.input(name="party." + row.key, default_value=row.party,
                                               placeholder="三包、保险必填", size="3",
                                               custom_attrs={**in_terms("厂家或保险公司"), "list": PARTY_LIST},
                                               on_blur=lambda value: S.type_term("party." + row.key, value))),
                _small("折扣（元）", rx.input(name="discount." + row.key, default_value=row.discount,
                                           input_mode="decimal", size="3", custom_attrs=in_terms("折扣"),
                                           on_blur=lambda value: S.type_term("discount." + row.key, value))),
                rx.cond(row.kind == "fee",
                        rx.hstack(rx.icon_button(rx.icon("trash-2"), variant="ghost", color_scheme="red", size="3",
                                                 type="button", on_click=S.remove_fee(row.id), aria_label="删除费用"),
                                  align="end", height="100%")),
                columns="2", spacing="2", width="100%",
            ),
            rx.text(row.payer_label, rx.cond(row.party != "", "（" + row.party + "）", ""), size="2",
                    color_scheme="gray"),
        ),
        spacing="2", width="100%", class_name="line-row",
        key=row.key + "-" + S.terms_version.to_string(),  # remounted with the stored values after 结算 / 保存
    )


def _lines() -> rx.Component:
    return card(
        rx.heading("结算项目", size="4"),
        rx.text("为每一项选择付款方（自费 / 三包 / 保险 / 内部），三包、保险须填写厂家或保险公司；折扣按元填写。"
                "改动随“结算”一起提交。", size="1", color_scheme="gray"),
        rx.cond(S.unpicked.length() > 0,
                rx.callout(rx.vstack(rx.text("计划或申请的配件未领用，不计费：", weight="bold"),
                                     rx.foreach(S.unpicked, lambda text: rx.text(text, size="2")),
                                     rx.cond(S.parts_reason != "", rx.text("完工原因：", S.parts_reason, size="2")),
                                     spacing="1"),
                           icon="package", color_scheme="orange", width="100%", id="unpicked-parts")),
        rx.foreach(S.lines, _line_row),
        # The branch's insurers and manufacturers, offered as the party is typed: one spelling, one party.
        rx.el.datalist(rx.foreach(S.party_names, lambda o: rx.el.option(o[1], value=o[0])), id=PARTY_LIST),
        rx.cond(
            S.can_edit_terms,
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.el.select(rx.el.option("选择其他费用", value=""),
                                     rx.foreach(S.fee_types, lambda o: rx.el.option(o[1], value=o[0])),
                                     name="fee_type", class_name="native-select", aria_label="费用类型",
                                     on_change=S.choose_fee),
                        rx.input(name="fee_amount", placeholder="金额（空：默认）", input_mode="decimal", size="3",
                                 width="9em", aria_label="费用金额"),
                        rx.button(rx.icon("plus"), "加费用", size="3", variant="soft", type="submit", id="add-fee"),
                        wrap="wrap", width="100%",
                    ),
                    on_submit=S.add_fee, reset_on_submit=True, width="100%",
                ),
                rx.hstack(
                    rx.text("整单优惠（从自费部分扣减）", size="2", as_="label", html_for="order-discount"),
                    rx.input(name="order_discount", default_value=S.totals.order_discount_value,
                             key="order-discount-" + S.terms_version.to_string(), input_mode="decimal", size="3",
                             width="8em", id="order-discount", custom_attrs=in_terms("整单优惠"),
                             on_blur=lambda value: S.type_term("order_discount", value)),
                    wrap="wrap", align="center", width="100%",
                ),
                width="100%",
            ),
        ),
    )


def _totals() -> rx.Component:
    t = S.totals
    return card(
        rx.heading(rx.cond(S.settlement_number != "", "结算金额", "结算预览"), size="4"),
        _amount_row("工时费", t.labor),
        _amount_row("配件费", t.parts),
        _amount_row("其他费用", t.other),
        _amount_row("合计（折后）", t.gross, strong=True),
        rx.divider(),
        _amount_row("三包（厂家承担）", t.warranty),
        _amount_row("保险（保险公司承担）", t.insurance),
        _amount_row("内部", t.internal),
        _amount_row("整单优惠", t.order_discount),
        _amount_row("客户应付", t.customer, strong=True, id="customer-amount"),
        rx.text("价格含税，其中增值税（", t.vat_rate, "）", t.vat, size="2", color_scheme="gray"),
        rx.foreach(S.problems, lambda p: rx.text(p, color_scheme="red", size="2", role="alert")),
        rx.cond(
            S.can_settle,
            rx.form(
                rx.vstack(
                    rx.text("下次保养（选填，到期前提醒客户）", size="2", weight="medium"),
                    rx.grid(
                        labelled("下次保养日期", rx.input(name="next_service_date", type="date", size="3", width="100%",
                                                      id="next-service-date"), S.settle_errors, "next_service_date"),
                        labelled("下次保养里程（公里）",
                                 rx.input(name="next_service_mileage", input_mode="numeric", size="3", width="100%",
                                          placeholder=S.next_mileage_hint, id="next-service-mileage"),
                                 S.settle_errors, "next_service_mileage"),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="2", width="100%",
                    ),
                    rx.button(rx.icon("receipt"), "结算", size="4", type="submit", id="settle", width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=S.settle, reset_on_submit=False, width="100%", id=TERMS_FORM,
            ),
            rx.cond(
                S.can_edit_terms,
                rx.form(
                    rx.vstack(
                        rx.text("工单完工后才能结算；付款方、折扣可先保存。", size="2", color_scheme="gray"),
                        rx.button(rx.icon("save"), "保存结算信息", size="3", variant="soft", type="submit",
                                  id="save-terms", width="100%"),
                        spacing="2", width="100%",
                    ),
                    on_submit=S.save_terms, reset_on_submit=False, width="100%", id=TERMS_FORM,
                ),
            ),
        ),
    )


def _payment_row(p: PaymentRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(p.method, " ", p.amount, weight="medium"),
                  rx.text(p.number, " · ", p.when, " · ", p.by, size="1", color_scheme="gray"), spacing="0"),
        rx.spacer(),
        rx.cond(p.change != "", rx.text("实收 ", p.tendered, " 找零 ", p.change, size="2")),
        rx.link(rx.button(rx.icon("printer"), "收据", size="2", variant="soft"), href="/payments/" + p.number + "/print",
                aria_label="打印收据 " + p.number),
        width="100%", class_name="line-row", align="center",
    )


def _method_button(option) -> rx.Component:
    return rx.button(option[1], size="3", type="button",
                     variant=rx.cond(S.pay_method == option[0], "solid", "outline"),
                     on_click=S.choose_method(option[0]), class_name="method-button")


def _on_account() -> rx.Component:
    """挂账: the limit and what the customer owes; with an overdue item, why it is refused and the manager's
    authorisation on this screen (their own username and password, and the reason)."""
    errors = S.override_errors
    return rx.vstack(
        rx.text("挂账额度 ", S.credit_limit, " · 已欠 ", S.owed, size="2", color_scheme="gray", id="on-account-room"),
        rx.cond(
            S.overdue_note != "",
            rx.vstack(
                rx.callout(S.overdue_note, icon="triangle_alert", color_scheme="orange", width="100%",
                           id="overdue-note"),
                field_error(errors, "override"),
                rx.text("经理授权（经理在此输入自己的账号和密码）", size="2", weight="medium"),
                labelled("经理用户名", rx.input(name="override_username", id="override-username", size="3",
                                           width="100%", auto_complete="off", key=S.pay_key + "-u"),
                         errors, "override_username"),
                labelled("经理密码", rx.input(name="override_password", id="override-password", type="password",
                                          size="3", width="100%", auto_complete="off", key=S.pay_key + "-p"),
                         errors, "override_password"),
                labelled("授权原因", rx.input(name="override_reason", id="override-reason", size="3", width="100%",
                                          placeholder="如：老客户，月底统一结", key=S.pay_key + "-r"),
                         errors, "override_reason"),
                spacing="2", width="100%",
            ),
        ),
        spacing="2", width="100%",
    )


def _payment_panel() -> rx.Component:
    return rx.cond(
        S.can_take_payments,
        card(
            rx.heading("收款", size="4"),
            rx.flex(rx.foreach(S.method_options, _method_button), wrap="wrap", gap="2"),
            rx.form(
                rx.vstack(
                    labelled("收款金额", rx.input(name="amount", default_value=S.outstanding_value, key=S.pay_key,
                                              input_mode="decimal", size="3", width="100%", id="pay-amount")),
                    rx.cond(S.pay_method == "cash",
                            labelled("实收现金（找零自动计算）",
                                     rx.input(name="tendered", input_mode="decimal", size="3", width="100%",
                                              key=S.pay_key + "-t", placeholder="不填则等于收款金额",
                                              id="pay-tendered"))),
                    rx.cond(S.pay_method == "member_card",
                            rx.cond(S.cards.length() > 0,
                                    rx.el.select(rx.foreach(S.cards, lambda c: rx.el.option(
                                        c.number + " 余额 " + c.balance, value=c.id.to_string())),
                                        name="card_id", class_name="native-select", aria_label="会员卡"),
                                    rx.text("该客户还没有会员卡", color_scheme="orange", size="2"))),
                    rx.cond(S.pay_method == "on_account", _on_account()),
                    rx.el.input(type="hidden", name="request_key", value=S.pay_key),
                    rx.button(rx.icon("banknote"), "确认收款", size="4", type="submit", width="100%",
                              id="take-payment"),
                    spacing="3", width="100%",
                ),
                on_submit=S.take_payment, reset_on_submit=False, width="100%",
            ),
        ),
    )


def _receipt() -> rx.Component:
    r = S.receipt
    return rx.cond(
        r.number != "",
        rx.callout(
            rx.vstack(
                rx.text("收款成功 · 收据号 ", rx.text.strong(r.number, id="receipt-number")),
                rx.text(r.method, " ", r.amount, " · ", r.when),
                rx.cond(r.change != "", rx.text("实收 ", r.tendered, "，找零 ", rx.text.strong(r.change),
                                                id="receipt-change")),
                spacing="1",
            ),
            icon="circle_check", color_scheme="green", width="100%",
        ),
    )


def _settled() -> rx.Component:
    return rx.cond(
        S.settlement_number != "",
        card(
            rx.hstack(
                rx.heading("结算单 ", S.settlement_number, size="4", id="settlement-number"),
                rx.spacer(),
                rx.link(rx.button(rx.icon("printer"), "打印结算单", size="3", variant="soft"),
                        href="/settlements/" + S.settlement_number + "/print"),
                rx.cond(S.can_invoice,
                        rx.link(rx.button(rx.icon("receipt-text"), "开票", size="3", variant="soft"),
                                href="/finance/invoices?settlement=" + S.settlement_number, id="settlement-invoice")),
                width="100%", align="center", wrap="wrap",
            ),
            _amount_row("未收金额", S.outstanding, strong=True, id="outstanding"),
            rx.foreach(S.payments, _payment_row),
            rx.cond(
                S.can_reopen,
                rx.form(
                    rx.hstack(
                        rx.input(name="reason", placeholder="撤销原因（必填）", size="3", flex="1",
                                 aria_label="撤销原因"),
                        rx.button(rx.icon("undo-2"), "撤销结算", size="3", color_scheme="red", variant="soft",
                                  type="submit", id="reopen"),
                        width="100%", wrap="wrap",
                    ),
                    on_submit=S.reopen, reset_on_submit=True, width="100%",
                ),
            ),
        ),
    )


def _card_entry(e: CardEntryRow) -> rx.Component:
    return rx.hstack(rx.text(e.when, size="1", color_scheme="gray"), rx.text(e.note, size="2"), rx.spacer(),
                     rx.text(e.amount, size="2"), rx.text("余 ", e.balance_after, size="1", color_scheme="gray"),
                     width="100%")


def _member_card() -> rx.Component:
    return rx.cond(
        S.can_use_member_cards,
        card(
            rx.heading("会员卡", size="4"),
            rx.cond(
                S.cards.length() > 0,
                rx.vstack(
                    rx.text(S.cards[0].number, " · 余额 ", rx.text.strong(S.cards[0].balance, id="card-balance")),
                    rx.form(
                        rx.hstack(
                            rx.input(name="top_up_amount", placeholder="充值金额", input_mode="decimal", size="3",
                                     width="9em", aria_label="充值金额", key=S.top_up_key),
                            rx.el.select(*[rx.el.option(label, value=value) for value, label in TOP_UP_OPTIONS],
                                         name="top_up_method", default_value="cash", class_name="native-select",
                                         aria_label="充值方式", id="top-up-method", key=S.top_up_key + "-m",
                                         width="7em"),
                            rx.el.input(type="hidden", name="request_key", value=S.top_up_key),
                            rx.button(rx.icon("wallet"), "充值", size="3", variant="soft", type="submit",
                                      id="top-up"),
                            wrap="wrap",
                        ),
                        on_submit=S.top_up, reset_on_submit=False, width="100%",
                    ),
                    rx.foreach(S.card_entries, _card_entry),
                    width="100%", spacing="2",
                ),
                rx.button(rx.icon("credit-card"), "为", S.customer_name, "办理会员卡", size="3", variant="soft",
                          on_click=S.issue_card, id="issue-card"),
            ),
        ),
    )


@page("结算收款")
def settle_page():
    return rx.cond(
        S.found,
        rx.vstack(
            _header(),
            banner_error(S.error),
            _completion(),
            rx.grid(
                _lines(),
                rx.vstack(_totals(), _settled(), _receipt(), _payment_panel(), _member_card(), width="100%",
                          spacing="3"),
                columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
            ),
            back_link("返回收银台", "/cashier"),
            width="100%", spacing="3",
        ),
        rx.cond(S.error != "",
                rx.vstack(rx.callout(S.error, icon="circle_x", color_scheme="orange", width="100%"),
                          rx.link(rx.button("返回收银台", size="3"), href="/cashier"), spacing="3"),
                page_loading()),
    )


# --- the printable sheet ----------------------------------------------------------------------------------------

T = SettlementSheetState


def _sheet_line(line: SheetLine) -> rx.Component:
    return rx.el.tr(rx.el.td(line.kind), rx.el.td(line.description), rx.el.td(line.quantity, class_name="num"),
                    rx.el.td(line.unit_price, class_name="num wide"), rx.el.td(line.amount, class_name="num wide"),
                    rx.el.td(line.discount, class_name="num"), rx.el.td(line.net, class_name="num"))


def _sheet_group(group: SheetGroup) -> rx.Component:
    return rx.el.tbody(
        # Spans add up to 7 columns on paper and 5 on a phone, where unit price and amount are hidden.
        rx.el.tr(rx.el.th(group.title, col_span=5, class_name="group-title"),
                 rx.el.th(col_span=2, class_name="group-title wide")),
        rx.foreach(group.lines, _sheet_line),
        rx.el.tr(rx.el.td("小计", col_span=4, class_name="num"), rx.el.td(col_span=2, class_name="wide"),
                 rx.el.td(group.subtotal, class_name="num strong")),
    )


def _sheet_total(label: str, value, strong: bool = False) -> rx.Component:
    return rx.el.tr(rx.el.th(label), rx.el.td(value, class_name="num strong" if strong else "num"))


def _sheet_payment(p: PaymentRow) -> rx.Component:
    return rx.el.tr(rx.el.td(p.number), rx.el.td(p.method), rx.el.td(p.amount, class_name="num"), rx.el.td(p.when))


def settlement_sheet_page() -> rx.Component:
    t = T.totals
    return printable_sheet(
        T.found, T.error,
        rx.el.article(
            sheet_header(T.shop, "维修结算单", "结算单号 ", rx.el.strong(T.number), " · 工单号 ", T.order_number,
                         " · 结算时间 ", T.settled_at, tax_details=True),
            rx.cond(T.reopened != "", rx.el.p(T.reopened, class_name="sheet-void")),
            rx.el.table(
                rx.el.tbody(
                    rx.el.tr(rx.el.th("车牌"), rx.el.td(T.plate, class_name="strong"), rx.el.th("车型"),
                             rx.el.td(T.vehicle_title)),
                    rx.el.tr(rx.el.th("VIN"), rx.el.td(T.vin), rx.el.th("进厂里程"), rx.el.td(T.mileage)),
                    rx.el.tr(rx.el.th("客户"), rx.el.td(T.customer_name), rx.el.th("电话"),
                             rx.el.td(T.customer_mobile)),
                ),
                class_name="sheet-info",
            ),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th("类别"), rx.el.th("项目"), rx.el.th("数量/工时", class_name="num"),
                                     rx.el.th("单价", class_name="num wide"), rx.el.th("金额", class_name="num wide"),
                                     rx.el.th("折扣", class_name="num"), rx.el.th("实收", class_name="num"))),
                rx.foreach(T.groups, _sheet_group),
                class_name="sheet-lines",
            ),
            rx.el.div(
                rx.el.table(
                    rx.el.tbody(
                        _sheet_total("工时费", t.labor),
                        _sheet_total("配件费", t.parts),
                        _sheet_total("其他费用", t.other),
                        _sheet_total("合计（折后）", t.gross, strong=True),
                        _sheet_total("三包（厂家承担）", t.warranty),
                        _sheet_total("保险（保险公司承担）", t.insurance),
                        _sheet_total("内部", t.internal),
                        _sheet_total("整单优惠", t.order_discount),
                        _sheet_total("客户应付", t.customer, strong=True),
                        _sheet_total("其中增值税（" + t.vat_rate + "）", t.vat),
                        _sheet_total("已收", T.paid),
                        _sheet_total("未收", T.outstanding, strong=True),
                    ),
                    class_name="sheet-totals",
                ),
                rx.cond(
                    T.payments.length() > 0,
                    rx.el.table(
                        rx.el.thead(rx.el.tr(rx.el.th("收据号"), rx.el.th("方式"), rx.el.th("金额", class_name="num"),
                                             rx.el.th("时间"))),
                        rx.el.tbody(rx.foreach(T.payments, _sheet_payment)),
                        class_name="sheet-payments",
                    ),
                ),
                class_name="sheet-bottom",
            ),
            rx.el.p("客户应付金额（大写）：人民币", rx.el.strong(T.customer_in_capitals), class_name="sheet-capitals",
                    id="sheet-capitals"),
            rx.el.p("价格均含税。工时合计 ", T.billed_hours, " 小时。", class_name="sheet-note"),
            rx.cond(T.warranty != "", rx.el.p("维修质保期：自结算之日起", T.warranty, "。", class_name="sheet-note",
                                              id="sheet-warranty")),
            rx.cond(T.next_service != "", rx.el.p("下次保养：", T.next_service, class_name="sheet-note",
                                                  id="sheet-next-service")),
            rx.el.div(
                rx.el.div("客户签字：", class_name="sign"),
                rx.el.div("服务顾问：", T.advisor, class_name="sign"),
                rx.el.div("收银员：", T.cashier, class_name="sign"),
                class_name="sheet-signatures",
            ),
            rx.cond(
                T.follow_up_qr != "",
                rx.el.div(
                    rx.el.img(src=T.follow_up_qr, alt="回访二维码", class_name="sheet-qr-image"),
                    rx.el.div(rx.el.strong("扫码评价本次服务"),
                              rx.el.p("用手机扫描二维码，为本次维修打分或提出意见。")),
                    class_name="sheet-qr",
                ),
            ),
            rx.el.p("打印时间 ", T.printed_at, class_name="sheet-foot"),
            class_name="settle-sheet",
            id="settle-sheet",
        ),
    )
