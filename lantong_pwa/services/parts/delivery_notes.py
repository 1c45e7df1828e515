"""出库单 of a work order, one per warehouse (P8): what the clerk handed over from each warehouse — the parts picked
for the order (三包 parts marked), net of what came back to that warehouse — for the technician to sign."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from lantong_pwa.errors import NotFound
from lantong_pwa.services.parts.stock import ISSUED_TO_ORDERS
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from models import Branch, PartLine, Payer, StockMove, StockMoveKind, User, Vehicle, Warehouse, WorkOrder


@dataclass(frozen=True)
class NoteLine:
    line: PartLine
    quantity: Decimal  # issued from this warehouse, net of returns to it
    warranty: bool


@dataclass(frozen=True)
class DeliveryNote:
    warehouse: Warehouse
    lines: list[NoteLine]
    last_move_at: datetime


@dataclass(frozen=True)
class OrderNotes:
    branch: Branch
    order: WorkOrder
    vehicle: Vehicle
    notes: list[DeliveryNote]  # by warehouse, in the order they were set up


def order_notes(session: Session, actor: User, order_id) -> OrderNotes:
    require(actor, Permission.MOVE_STOCK)
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise NotFound("工单不存在") from None
    order = row_in_branch(session, actor, WorkOrder, order_id, "工单不存在")
    moves = session.exec(select(StockMove).where(
        StockMove.work_order_id == order.id,
        col(StockMove.kind).in_([*ISSUED_TO_ORDERS, StockMoveKind.RETURN])).order_by(StockMove.id)).all()
    net: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    last: dict[int, datetime] = {}
    for move in moves:
        net[(move.warehouse_id, move.part_line_id)] -= move.quantity
        last[move.warehouse_id] = move.created_at
    lines = {line.id: line for line in session.exec(select(PartLine).where(PartLine.work_order_id == order.id))}
    warehouses = {w.id: w for w in session.exec(select(Warehouse).where(col(Warehouse.id).in_(list(last) or [-1])))}
    notes = []
    for warehouse_id in sorted(last):
        entries = [NoteLine(line=lines[line_id], quantity=quantity, warranty=lines[line_id].payer == Payer.WARRANTY)
                   for (wid, line_id), quantity in net.items() if wid == warehouse_id and quantity > 0]
        if entries:
            entries.sort(key=lambda entry: (entry.line.position, entry.line.id))
            notes.append(DeliveryNote(warehouse=warehouses[warehouse_id], lines=entries,
                                      last_move_at=last[warehouse_id]))
    return OrderNotes(branch=session.get(Branch, order.branch_id), order=order,
                      vehicle=session.get(Vehicle, order.vehicle_id), notes=notes)
