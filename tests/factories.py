"""Small builders for test rows that skip the services' validation (for setting the scene, not for testing it)."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from lantong_pwa.services.workshop.vehicles import new_qr_token
from models import Customer, Part, Vehicle


def add_vehicle(session: Session, branch_id: int, plate: str = "粤B12345", mobile: str = "13800138000",
                owner_name: str = "刘先生", **fields) -> Vehicle:
    owner = Customer(branch_id=branch_id, name=owner_name, mobile=mobile)
    session.add(owner)
    session.flush()
    vehicle = Vehicle(branch_id=branch_id, customer_id=owner.id, plate=plate, qr_token=new_qr_token(), **fields)
    session.add(vehicle)
    session.commit()
    return vehicle


def add_part(session: Session, branch_id: int, code: str = "JL-001", name: str = "机油滤清器",
             price: str = "58.00", **fields) -> Part:
    part = Part(branch_id=branch_id, code=code, name=name, unit="个", sale_price=Decimal(price),
                cost=Decimal("20.00"), **fields)
    session.add(part)
    session.commit()
    return part


def xlsx_bytes(rows: list[list]) -> bytes:
    """A workbook whose first sheet holds ``rows``, as a spreadsheet upload would bring it."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
