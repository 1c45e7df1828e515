"""Buying parts on a phone: 采购 (plan, orders, receipts), one purchase order, 收货 by scanning, a receipt with 采退,
the printed order and the supplier's link."""

from __future__ import annotations

import reflex as rx

from pages.components import (
    back_link,
    banner_error,
    card,
    empty_note,
    field_error,
    hidden_input,
    labelled,
    page_loading,
    printable_sheet,
    sheet_header,
    status_badge,
)
from pages.layout import page
from pages.parts.part_search import part_line_card, part_search
from pages.scanner import scan_button
from state.parts.purchasing import (
    STATUS_COLOURS,
    ActionButton,
    Choice,
    OrderLineRow,
    OrderRow,
    PlanRow,
    PurchaseOrderPrintState,
    PurchaseOrderState,
    PurchasingState,
    ReceiptLineRow,
    ReceiptRow,
    ReceiptState,
    ReceiveLine,
    ReceiveState,
    SheetLine,
    SupplierOrderState,
)

P = PurchasingState
O = PurchaseOrderState
R = ReceiveState
C = ReceiptState


def _status_badge(label, value) -> rx.Component:
    return status_badge(label, value, STATUS_COLOURS)


# --- /purchasing ------------------------------------------------------------------------------------------------


def _supplier_option(choice: Choice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.id)


def _plan_row(row: PlanRow) -> rx.Component:
    key = row.part_id.to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(rx.vstack(rx.text(row.name, weight="bold", size="4"),
                                rx.text(row.code, size="2", color_scheme="gray"), spacing="0"),
                      rx.spacer(), width="100%"),
            rx.text(row.figures, size="2"),
            rx.text(row.reasons, size="2", color_scheme="orange"),
            rx.grid(
                rx.vstack(
                    rx.text("采购数量", size="1", color_scheme="gray"),
                    rx.hstack(rx.input(name="quantity." + key, default_value=row.quantity, size="3",
                                       input_mode="decimal", width="6em", aria_label="采购数量",
                                       key=P.plan_key + "-q-" + key),
                              rx.text(row.unit, size="2"), align="center"),
                    field_error(P.plan_errors, "quantity." + key),
                    spacing="1"),
                rx.vstack(
                    rx.text("供应商", size="1", color_scheme="gray"),
                    rx.el.select(
                        rx.el.option("选择供应商", value=""),
                        rx.foreach(row.suppliers, _supplier_option),
                        name="supplier_id." + key, default_value=row.supplier_id, class_name="native-select",
                        aria_label="供应商", key=P.plan_key + "-s-" + key,
                    ),
                    field_error(P.plan_errors, "supplier_id." + key),
                    spacing="1", width="100%"),
                columns="2", spacing="3", width="100%",
            ),
            rx.text("建议：", row.supplier_reason, size="1", color_scheme="gray"),
            spacing="2", width="100%",
        ),
        width="100%",
        class_name="plan-row",
    )


def plan_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("缺货与低于安全库存的配件（已扣除在途和草稿）", size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(rx.icon("refresh-cw"), "重新生成", variant="soft", size="3", on_click=P.build_plan,
                      id="plan-build"),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(
            P.plan.length() > 0,
            rx.form(
                rx.vstack(
                    field_error(P.plan_errors, "form"),
                    rx.foreach(P.plan, _plan_row),
                    rx.text("数量填0的配件不下单。每个供应商生成一张采购单草稿。", size="2", color_scheme="gray"),
                    hidden_input("request_key", P.plan_key),
                    rx.button(rx.icon("file-plus"), "生成采购单", type="submit", size="4", width="100%",
                              id="plan-submit"),
                    width="100%", spacing="3",
                ),
                on_submit=P.create_orders,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(P.plan_built, empty_note("没有需要采购的配件"), page_loading()),
        ),
        width="100%", spacing="3",
    )


def _order_row(row: OrderRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(rx.text(row.supplier, weight="bold", size="4"), rx.spacer(),
                          _status_badge(row.status, row.status_value), width="100%", align="center"),
                rx.hstack(rx.text(row.number, size="2", color_scheme="gray"), rx.spacer(),
                          rx.text(row.total, weight="medium"), width="100%"),
                rx.text(row.created, size="1", color_scheme="gray"),
                spacing="1", width="100%",
            ),
            class_name="tap-card", width="100%",
        ),
        href=row.url, underline="none", width="100%",
    )


def _filter(label: str, value: str) -> rx.Component:
    return rx.button(label, size="2", variant=rx.cond(P.status_filter == value, "solid", "soft"),
                     on_click=P.filter_orders(value))


def orders_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(_filter("未完成", "open"), _filter("草稿", "draft"), _filter("已下单", "ordered"),
                  _filter("部分到货", "partly_received"), _filter("全部", ""), wrap="wrap", spacing="2"),
        rx.cond(P.orders.length() > 0, rx.vstack(rx.foreach(P.orders, _order_row), width="100%", spacing="2"),
                empty_note("没有采购单")),
        width="100%", spacing="3",
    )


def _receipt_row(row: ReceiptRow) -> rx.Component:
    return rx.link(
        rx.hstack(rx.vstack(rx.text(row.number, weight="medium"), rx.text(row.supplier, " · ", row.created, size="2",
                                                                           color_scheme="gray"), spacing="0"),
                  rx.spacer(), rx.text(row.total), rx.icon("chevron-right", size=16), align="center", width="100%",
                  class_name="line-row"),
        href=row.url, underline="none", width="100%",
    )


def _counter_line(line: Choice) -> rx.Component:
    i = line.id
    return part_line_card(
        line.label, P.remove_counter_part(line.id), P.counter_errors, "line." + i,
        rx.grid(
            rx.vstack(rx.input(name="quantity." + i, placeholder="数量", size="3", input_mode="decimal",
                               aria_label="入库数量", key=P.counter_key + "-q-" + i),
                      field_error(P.counter_errors, "quantity." + i), spacing="1"),
            rx.vstack(rx.input(name="unit_price." + i, placeholder="单价（元）", size="3", input_mode="decimal",
                               aria_label="入库单价", key=P.counter_key + "-p-" + i),
                      field_error(P.counter_errors, "unit_price." + i), spacing="1"),
            columns="2", spacing="3", width="100%",
        ),
        rx.input(name="price_reason." + i, placeholder="单价为0时填写原因", size="2", aria_label="价格原因",
                 key=P.counter_key + "-r-" + i),
        field_error(P.counter_errors, "price_reason." + i),
    )


def _options(choices, placeholder: str, name: str, label: str) -> rx.Component:
    return rx.el.select(rx.el.option(placeholder, value=""), rx.foreach(choices, _supplier_option), name=name,
                        class_name="native-select", aria_label=label, key=P.counter_key)


def counter_section() -> rx.Component:
    """无单入库: goods bought over the counter from a supplier, without a purchase order."""
    return card(
        rx.heading("无单入库（柜台采购）", size="4"),
        *part_search(P.search_counter_parts, P.counter_errors, P.counter_choices, P.add_counter_part),
        rx.form(
            rx.vstack(
                field_error(P.counter_errors, "form"),
                field_error(P.counter_errors, "lines"),
                rx.foreach(P.counter_lines, _counter_line),
                labelled("供应商", _options(P.suppliers, "选择供应商", "supplier_id", "供应商"), P.counter_errors,
                         "supplier_id", required=True),
                labelled("仓库", _options(P.warehouses, "选择仓库", "warehouse_id", "仓库"), P.counter_errors,
                         "warehouse_id", required=True),
                rx.grid(
                    labelled("运费（元）", rx.input(name="freight", placeholder="0", size="3", input_mode="decimal",
                                                  key=P.counter_key), P.counter_errors, "freight"),
                    labelled("备注", rx.input(name="note", size="3", key=P.counter_key), P.counter_errors, "note"),
                    columns="2", spacing="3", width="100%",
                ),
                hidden_input("request_key", P.counter_key),
                rx.button(rx.icon("package-plus"), "确认入库", type="submit", size="4", width="100%",
                          disabled=P.counter_lines.length() == 0, id="counter-submit"),
                width="100%", spacing="3",
            ),
            on_submit=P.counter_receive, reset_on_submit=False, width="100%",
        ),
    )


def receipts_section() -> rx.Component:
    return rx.vstack(
        rx.cond(P.can_receive, counter_section()),
        card(rx.heading("最近入库", size="4"),
             rx.cond(P.receipts.length() > 0, rx.foreach(P.receipts, _receipt_row), empty_note("还没有入库单")),
             rx.text("在入库单里可以办理采购退货（采退）。", size="2", color_scheme="gray")),
        width="100%", spacing="3",
    )


def _tab(label: str, value: str) -> rx.Component:
    return rx.tabs.trigger(label, value=value, class_name="stock-tab")


@page("采购")
def purchasing_page():
    return [
        banner_error(P.error),
        rx.tabs.root(
            rx.tabs.list(_tab("采购计划", "plan"), _tab("采购单", "orders"), _tab("入库单", "receipts"), size="2",
                         width="100%"),
            rx.tabs.content(plan_section(), value="plan", padding_top="1rem"),
            rx.tabs.content(orders_section(), value="orders", padding_top="1rem"),
            rx.tabs.content(receipts_section(), value="receipts", padding_top="1rem"),
            value=P.tab, on_change=P.set_tab, width="100%",
        ),
    ]


# --- /purchasing/orders/<id> ------------------------------------------------------------------------------------


def _figure(label: str, value) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="4", weight="bold"),
                     spacing="0", align="center", min_width="3em")


def _line_view(line: OrderLineRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.vstack(rx.text(line.name, weight="bold", size="4"),
                                rx.text(line.code, size="2", color_scheme="gray"), spacing="0"),
                      rx.spacer(), rx.text(line.amount, weight="medium"), width="100%", align="start"),
            rx.hstack(_figure("订购", line.quantity), _figure("单价", line.unit_price), _figure("已到", line.received),
                      _figure("未到", line.outstanding), _figure("取消", line.cancelled), spacing="3", wrap="wrap"),
            spacing="2", width="100%",
        ),
        width="100%",
    )


def _line_edit(line: OrderLineRow, index: rx.Var) -> rx.Component:
    i = index.to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(line.name, weight="bold", size="4"), rx.text(line.code, size="2", color_scheme="gray"),
                      align="center", wrap="wrap"),
            rx.grid(
                rx.vstack(rx.text("数量（0 删除）", size="1", color_scheme="gray"),
                          rx.input(name="quantity." + i, default_value=line.quantity, size="3", input_mode="decimal",
                                   aria_label="数量", key=O.version.to_string() + "-q-" + i),
                          field_error(O.edit_errors, "quantity." + i), spacing="1"),
                rx.vstack(rx.text("单价（元）", size="1", color_scheme="gray"),
                          rx.input(name="unit_price." + i, default_value=line.unit_price, size="3",
                                   input_mode="decimal", aria_label="单价", key=O.version.to_string() + "-p-" + i),
                          field_error(O.edit_errors, "unit_price." + i), spacing="1"),
                columns="2", spacing="3", width="100%",
            ),
            spacing="2", width="100%",
        ),
        width="100%",
    )


def _action_button(button: ActionButton) -> rx.Component:
    return rx.button(button.label, size="3", color_scheme=rx.match(button.colour, ("red", "red"),
                                                                   ("orange", "orange"), ("gray", "gray"), "blue"),
                     on_click=O.act(button.action), id="po-" + button.action, flex="1")


def _editor() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                field_error(O.edit_errors, "form"),
                field_error(O.edit_errors, "lines"),
                rx.foreach(O.lines, _line_edit),
                labelled("备注", rx.input(name="note", default_value=O.note, size="3", key=O.version.to_string()),
                         O.edit_errors, "note"),
                rx.button(rx.icon("save"), "保存", type="submit", size="3", width="100%", id="po-save",
                          variant="soft"),
                width="100%", spacing="2",
            ),
            on_submit=O.save_lines, reset_on_submit=False, width="100%",
        ),
        card(
            rx.heading("添加配件", size="3"),
            *part_search(O.search_parts, O.edit_errors, O.part_choices, O.add_part),
        ),
        width="100%", spacing="3",
    )


def _receipt_link(row: ReceiptRow) -> rx.Component:
    return rx.link(rx.hstack(rx.text(row.number), rx.spacer(), rx.text(row.total), rx.text(row.created, size="2",
                                                                                           color_scheme="gray"),
                             width="100%", class_name="line-row"), href=row.url, width="100%")


@page("采购单")
def purchase_order_page():
    return [
        back_link("采购", "/purchasing"),
        banner_error(O.error),
        rx.cond(
            O.found,
            rx.vstack(
                rx.hstack(rx.vstack(rx.text(O.supplier, weight="bold", size="5"),
                                    rx.text(O.number, " · 入", O.warehouse, size="2", color_scheme="gray"),
                                    spacing="0"),
                          rx.spacer(), _status_badge(O.status, O.status_value), width="100%", align="start"),
                rx.hstack(rx.text("合计 ", rx.text.strong(O.total, id="po-total"), size="4"), rx.spacer(),
                          rx.text(O.people, size="2", color_scheme="gray"), width="100%", align="center",
                          wrap="wrap"),
                rx.cond(O.approval_note != "", rx.callout(O.approval_note, icon="shield-alert",
                                                          color_scheme="orange", width="100%", id="po-approval")),
                rx.cond(O.can_edit, _editor(), rx.vstack(rx.foreach(O.lines, _line_view), width="100%",
                                                        spacing="2")),
                rx.cond(O.buttons.length() > 0, rx.hstack(rx.foreach(O.buttons, _action_button), width="100%",
                                                          wrap="wrap", spacing="2")),
                rx.hstack(
                    rx.cond(O.can_receive, rx.link(rx.button(rx.icon("package-check"), "收货", size="4"),
                                                   href="/purchasing/orders/" + O.order_id.to_string() + "/receive",
                                                   id="po-receive")),
                    rx.link(rx.button(rx.icon("printer"), "打印", size="3", variant="soft"),
                            href="/purchasing/orders/" + O.order_id.to_string() + "/print"),
                    wrap="wrap", spacing="2", width="100%",
                ),
                rx.cond(O.can_share, card(
                    rx.heading("供应商链接", size="3"),
                    rx.text("发给供应商，无需登录即可查看这张采购单。", size="2", color_scheme="gray"),
                    rx.hstack(rx.input(value=O.share_url, read_only=True, size="3", flex="1", id="po-share",
                                       aria_label="供应商链接"),
                              rx.button(rx.icon("copy"), "复制", size="3", variant="soft",
                                        on_click=[rx.set_clipboard(O.share_url), rx.toast.success("已复制")]),
                              width="100%"),
                )),
                rx.cond(O.receipts.length() > 0, card(rx.heading("入库记录", size="3"),
                                                      rx.foreach(O.receipts, _receipt_link))),
                width="100%", spacing="3",
            ),
        ),
    ]


# --- /purchasing/orders/<id>/receive ----------------------------------------------------------------------------


def _receive_line(line: ReceiveLine) -> rx.Component:
    i = line.id.to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(rx.vstack(rx.text(line.name, weight="bold", size="4"),
                                rx.text(line.code, size="2", color_scheme="gray"), spacing="0"),
                      rx.spacer(),
                      rx.text("订 ", line.ordered, " · 到 ", line.received, " · 未到 ", line.outstanding, size="2"),
                      width="100%", align="start", wrap="wrap"),
            rx.grid(
                rx.vstack(rx.text("本次到货", size="1", color_scheme="gray"),
                          rx.hstack(rx.input(name="quantity." + i, default_value=line.quantity, size="3",
                                             input_mode="decimal", placeholder="0", aria_label="本次到货数量",
                                             key=R.receive_key + "-q-" + i + "-" + line.quantity,
                                             id="receive-qty-" + i),
                                    rx.text(line.unit, size="2"), align="center"),
                          field_error(R.errors, "quantity." + i), spacing="1"),
                rx.vstack(rx.text("到货单价（元）", size="1", color_scheme="gray"),
                          rx.input(name="unit_price." + i, default_value=line.unit_price, size="3",
                                   input_mode="decimal", aria_label="到货单价", key=R.receive_key + "-p-" + i),
                          field_error(R.errors, "unit_price." + i), spacing="1"),
                columns="2", spacing="3", width="100%",
            ),
            rx.input(name="price_reason." + i, placeholder="价格不同或为0时填写原因", size="2",
                     aria_label="价格原因", key=R.receive_key + "-r-" + i),
            field_error(R.errors, "price_reason." + i),
            spacing="2", width="100%",
        ),
        width="100%",
        id="receive-line-" + i,
        class_name=rx.cond(R.highlight_id == line.id, "pick-line picked", "pick-line"),
    )


def _receive_scanned(code) -> list:
    return [rx.set_value("receive-code", code),
            rx.call_script("document.getElementById('receive-code').form.requestSubmit()")]


@page("收货")
def receive_page():
    return [
        back_link("采购单", "/purchasing/orders/" + R.order_id.to_string()),
        banner_error(R.error),
        rx.cond(
            R.found,
            rx.vstack(
                rx.vstack(rx.text(R.supplier, weight="bold", size="5"),
                          rx.text(R.number, " · ", R.status, size="2", color_scheme="gray"), spacing="0"),
                rx.cond(R.last_receipt != "", rx.callout("已入库 " + R.last_receipt, icon="circle-check",
                                                         color_scheme="green", width="100%", id="receive-done")),
                rx.foreach(R.flags, lambda text: rx.callout("价格差异：" + text, icon="triangle-alert",
                                                            color_scheme="orange", width="100%")),
                rx.cond(~R.can_receive, rx.callout("采购单" + R.status + "，不能收货", icon="info",
                                                   color_scheme="gray", width="100%", id="receive-closed")),
                rx.cond(R.can_receive, scan_button(_receive_scanned, "扫码收货")),
                rx.cond(R.can_receive, rx.form(
                    rx.hstack(rx.input(name="code", id="receive-code", placeholder="扫描或输入条码/编码", size="3",
                                       flex="1", aria_label="条码", auto_complete="off"),
                              rx.button(rx.icon("scan-barcode"), "加一", type="submit", size="3"),
                              width="100%", align="center"),
                    on_submit=R.scan, reset_on_submit=False, width="100%",
                )),
                rx.cond(R.can_receive, rx.form(
                    rx.vstack(
                        field_error(R.errors, "form"),
                        field_error(R.errors, "lines"),
                        rx.foreach(R.lines, _receive_line),
                        rx.grid(
                            labelled("运费（元）", rx.input(name="freight", placeholder="0", size="3",
                                                          input_mode="decimal", key=R.receive_key, id="freight"),
                                     R.errors, "freight"),
                            labelled("备注", rx.input(name="note", size="3", key=R.receive_key), R.errors, "note"),
                            columns="2", spacing="3", width="100%",
                        ),
                        rx.text("运费按金额分摊到各行成本。", size="2", color_scheme="gray"),
                        hidden_input("request_key", R.receive_key),
                        rx.button(rx.icon("package-check"), "确认收货", type="submit", size="4", width="100%",
                                  id="receive-submit"),
                        width="100%", spacing="3",
                    ),
                    on_submit=R.receive, reset_on_submit=False, width="100%",
                )),
                width="100%", spacing="3",
            ),
        ),
    ]


# --- /purchasing/receipts/<id> ----------------------------------------------------------------------------------


def _receipt_line(line: ReceiptLineRow) -> rx.Component:
    i = line.id.to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(rx.vstack(rx.text(line.name, weight="bold", size="4"),
                                rx.text(line.code, size="2", color_scheme="gray"), spacing="0"),
                      rx.spacer(), rx.text("入库成本 ", line.unit_cost, size="2"), width="100%", align="start"),
            rx.text("数量 ", line.quantity, " · 单价 ", line.unit_price, " · 运费 ", line.freight_share, " · 已退 ",
                    line.returned, size="2"),
            rx.cond(line.price_reason != "", rx.text("原因：", line.price_reason, size="2", color_scheme="gray")),
            rx.cond(C.can_return & line.can_return, rx.hstack(
                rx.text("退货数量", size="2"),
                rx.input(name="quantity." + i, placeholder="最多" + line.returnable, size="3", width="7em",
                         input_mode="decimal", aria_label="退货数量", key=C.version.to_string() + "-" + i,
                         id="return-qty-" + i),
                align="center")),
            field_error(C.return_errors, "quantity." + i),
            spacing="2", width="100%",
        ),
        width="100%",
    )


@page("入库单")
def receipt_page():
    return [
        back_link("采购", "/purchasing"),
        banner_error(C.error),
        rx.cond(
            C.found,
            rx.vstack(
                rx.hstack(rx.vstack(rx.text(C.supplier, weight="bold", size="5"),
                                    rx.text(C.number, " · ", C.created, " · 入", C.warehouse, size="2",
                                            color_scheme="gray"), spacing="0"),
                          rx.spacer(), width="100%"),
                rx.cond(C.order_number != "", rx.link("采购单 ", C.order_number, href=C.order_url)),
                rx.text("运费 ", C.freight, " · 合计 ", C.total, size="3"),
                rx.form(
                    rx.vstack(
                        rx.foreach(C.lines, _receipt_line),
                        rx.cond(C.can_return, rx.vstack(
                            field_error(C.return_errors, "form"),
                            field_error(C.return_errors, "lines"),
                            labelled("退货原因", rx.input(name="reason", size="3", key=C.version.to_string()),
                                     C.return_errors, "reason"),
                            rx.text("按入库成本退出，不按平均成本；退货金额冲减应付供应商的款项。", size="2",
                                    color_scheme="gray"),
                            hidden_input("request_key", C.return_key),
                            rx.button(rx.icon("undo-2"), "采购退货", type="submit", size="4", width="100%",
                                      color_scheme="orange", id="return-submit"),
                            width="100%", spacing="2",
                        )),
                        width="100%", spacing="3",
                    ),
                    on_submit=C.return_goods, reset_on_submit=False, width="100%",
                ),
                rx.cond(C.returns.length() > 0, card(rx.heading("采退记录", size="3"),
                                                     rx.foreach(C.returns, lambda t: rx.text(t, class_name="line-row",
                                                                                             id="return-row")))),
                width="100%", spacing="3",
            ),
        ),
    ]


# --- the printed order (/purchasing/orders/<id>/print) and the supplier's link (/po/<token>) --------------------


def _sheet_line(line: SheetLine) -> rx.Component:
    return rx.el.tr(rx.el.td(line.position), rx.el.td(line.code), rx.el.td(line.name, " ", line.spec),
                    rx.el.td(line.quantity, " ", line.unit, class_name="num"),
                    rx.el.td(line.unit_price, class_name="num"), rx.el.td(line.amount, class_name="num"))


def _order_sheet(state, back: bool) -> rx.Component:
    s = state.sheet
    return printable_sheet(state.found, state.error, rx.el.article(
        sheet_header(s, "采购订单", "单号 ", rx.el.strong(s.number, id="sheet-number"), " · ", s.status, " · 日期 ",
                     s.created),
        rx.el.table(rx.el.tbody(
            rx.el.tr(rx.el.th("供应商"), rx.el.td(s.supplier, class_name="strong"), rx.el.th("联系"),
                     rx.el.td(s.supplier_contact)),
            rx.el.tr(rx.el.th("收货仓库"), rx.el.td(s.warehouse), rx.el.th("预计到货"), rx.el.td(s.expected_on)),
        ), class_name="sheet-info"),
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th("#"), rx.el.th("编码"), rx.el.th("配件"),
                                 rx.el.th("数量", class_name="num"), rx.el.th("单价", class_name="num"),
                                 rx.el.th("金额", class_name="num"))),
            rx.el.tbody(rx.foreach(s.lines, _sheet_line)),
            rx.el.tfoot(rx.el.tr(rx.el.td("合计", col_span=5, class_name="num"),
                                 rx.el.td(s.total, class_name="num strong"))),
            class_name="sheet-lines",
        ),
        rx.cond(s.note != "", rx.el.p("备注：", s.note, class_name="sheet-note")),
        rx.el.p("价格均含税。", class_name="sheet-note"),
        class_name="settle-sheet",
        id="po-sheet",
    ), back=back)


def purchase_order_print_page() -> rx.Component:
    return _order_sheet(PurchaseOrderPrintState, back=True)


def supplier_order_page() -> rx.Component:
    return _order_sheet(SupplierOrderState, back=False)
