"""A branch set up for buying parts: warehouses, parts with barcodes, two suppliers with offers."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel import Session, select

from lantong_pwa.services.parts import purchase_orders, receiving, stock
from lantong_pwa.services.parts.purchase_orders import LineInput
from lantong_pwa.services.parts.receiving import ReceiptForm, ReceiptLineInput
from models import (
    Branch,
    PartBarcode,
    PaymentTerms,
    PurchaseOrder,
    PurchaseOrderStatus,
    StockBalance,
    Supplier,
    SupplierPart,
)
from tests.factories import add_part

D = Decimal


def key() -> str:
    return str(uuid.uuid4())


class Buying:
    def __init__(self, session: Session, shop):
        self.session = session
        self.shop = shop
        self.clerk = shop.parts_clerk
        self.manager = shop.manager
        self.main = stock.create_warehouse(session, self.clerk, "ZK", "主仓库")
        session.commit()
        self.pads = add_part(session, shop.branch.id, code="SCP-01", name="前刹车片", price="420.00")
        self.filter = add_part(session, shop.branch.id, code="JL-001", name="机油滤清器", price="58.00")
        session.add(PartBarcode(branch_id=shop.branch.id, part_id=self.pads.id, barcode="6901234567892"))
        self.acme = Supplier(branch_id=shop.branch.id, code="GYS01", name="华南汽配", terms=PaymentTerms.MONTHLY,
                             terms_days=30)
        self.beta = Supplier(branch_id=shop.branch.id, code="GYS02", name="鹏程配件")
        session.add_all([self.acme, self.beta])
        session.flush()
        session.add_all([
            SupplierPart(branch_id=shop.branch.id, supplier_id=self.acme.id, part_id=self.pads.id, price=D("300.00"),
                         min_quantity=D("2.00"), lead_days=2),
            SupplierPart(branch_id=shop.branch.id, supplier_id=self.beta.id, part_id=self.pads.id, price=D("280.00"),
                         min_quantity=D("4.00"), lead_days=5),
            SupplierPart(branch_id=shop.branch.id, supplier_id=self.acme.id, part_id=self.filter.id,
                         price=D("20.00"), min_quantity=D("0.00"), lead_days=1),
        ])
        session.commit()

    def set_branch(self, **values) -> None:
        branch = self.session.get(Branch, self.shop.branch.id)
        for name, value in values.items():
            setattr(branch, name, value)
        self.session.add(branch)
        self.session.commit()

    def order(self, *lines: tuple, supplier=None, status: PurchaseOrderStatus | None = None) -> PurchaseOrder:
        """A draft (``lines``: (part, quantity, price)), then moved on to ``status`` through the services."""
        order = purchase_orders.create_order(
            self.session, self.clerk, (supplier or self.acme).id, self.main.id,
            [LineInput(part_id=part.id, quantity=str(qty), unit_price=str(price)) for part, qty, price in lines],
            request_key=key())
        self.session.commit()
        steps = {PurchaseOrderStatus.APPROVED: 1, PurchaseOrderStatus.ORDERED: 2}.get(status, 0)
        if steps >= 1:
            if purchase_orders.needs_approval(self.session, order):
                purchase_orders.approve(self.session, self.manager, order.id)
            else:
                purchase_orders.submit(self.session, self.clerk, order.id)
        if steps >= 2:
            purchase_orders.place(self.session, self.clerk, order.id)
        self.session.commit()
        return self.reload(order)

    def reload(self, order: PurchaseOrder) -> PurchaseOrder:
        return self.session.exec(select(PurchaseOrder).where(PurchaseOrder.id == order.id)
                                 .execution_options(populate_existing=True)).one()

    def receive(self, order: PurchaseOrder | None, *lines: tuple, freight="0", request_key=None, supplier=None,
                actor=None):
        """``lines``: (order line or part, quantity[, price[, reason]])."""
        entries = []
        for line in lines:
            target, qty, *rest = line
            price = rest[0] if rest else None
            reason = rest[1] if len(rest) > 1 else ""
            if order is not None:
                entries.append(ReceiptLineInput(order_line_id=target.id, quantity=str(qty),
                                                unit_price=None if price is None else str(price),
                                                price_reason=reason))
            else:
                entries.append(ReceiptLineInput(part_id=target.id, quantity=str(qty), unit_price=str(price),
                                                price_reason=reason))
        result = receiving.receive(self.session, actor or self.clerk, ReceiptForm(
            lines=entries, purchase_order_id=order.id if order else None,
            supplier_id=(supplier or self.acme).id if order is None else None, freight=freight,
            warehouse_id=self.main.id if order is None else None,
            request_key=request_key or key()))
        self.session.commit()
        return result

    def lines(self, order: PurchaseOrder):
        return purchase_orders.order_lines(self.session, order.id)

    def balance(self, part) -> StockBalance:
        self.session.expire_all()
        return self.session.exec(select(StockBalance).where(StockBalance.part_id == part.id,
                                                            StockBalance.warehouse_id == self.main.id)).one()
