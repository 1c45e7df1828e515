"""Demo data for a first look: one branch, a user per role, a parts catalogue and a few customers with vehicles.

Loaded only into an empty database, so running it again never touches real data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from lantong_pwa.services import auth
from lantong_pwa.services.vehicles import new_qr_token
from models import Branch, Customer, CustomerKind, Part, Role, User, Vehicle

DEMO_PASSWORD = "lantong123"
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN),
    ("manager", "王店长", Role.MANAGER),
    ("advisor", "李顾问", Role.ADVISOR),
    ("tech", "张师傅", Role.TECHNICIAN),
    ("parts", "赵库管", Role.PARTS_CLERK),
    ("cashier", "陈收银", Role.CASHIER),
)
DEMO_PARTS = (
    ("JY-5W30-4L", "全合成机油 5W-30 4L", "美孚", "桶", "368.00", "245.00"),
    ("JL-TY-001", "机油滤清器", "曼牌", "个", "58.00", "28.50"),
    ("KL-TY-002", "空气滤清器", "曼牌", "个", "85.00", "41.00"),
    ("KT-TY-003", "空调滤清器", "博世", "个", "95.00", "45.00"),
    ("SCP-QL-01", "前刹车片（套）", "博世", "套", "420.00", "260.00"),
    ("SCP-HL-01", "后刹车片（套）", "博世", "套", "360.00", "220.00"),
    ("HHS-NGK-01", "火花塞", "NGK", "支", "65.00", "32.00"),
    ("YS-WIPER-24", "雨刮片 24寸", "博世", "片", "88.00", "40.00"),
    ("DP-6QW-60", "蓄电池 60Ah", "瓦尔塔", "个", "680.00", "450.00"),
    ("FDY-DOT4-1L", "刹车油 DOT4 1L", "博世", "瓶", "78.00", "36.00"),
)
DEMO_VEHICLES = (
    ("刘建国", "13800138000", CustomerKind.INDIVIDUAL, "粤B12345", "LSVAU2181N2183927", "大众", "帕萨特", 2019, "黑色", 68500),
    ("深圳市顺达物流有限公司", "13912345678", CustomerKind.FLEET, "粤BD12345", None, "比亚迪", "汉EV", 2022, "白色", 45200),
    ("陈美玲", "13698765432", CustomerKind.INDIVIDUAL, "粤A8K2M6", None, "丰田", "凯美瑞", 2020, "银色", 52300),
)


def is_empty(session: Session) -> bool:
    return session.exec(select(Branch)).first() is None


def seed_demo(session: Session) -> bool:
    """Load the demo data into an empty database; return whether anything was loaded."""
    if not is_empty(session):
        return False
    branch = Branch(code="SZ01", name="蓝通汽修（深圳南山店）", address="深圳市南山区科技园南路88号", phone="0755-86001234")
    session.add(branch)
    session.flush()
    password_hash = auth.hash_password(DEMO_PASSWORD)
    for username, display_name, role in DEMO_USERS:
        session.add(User(username=username, display_name=display_name, password_hash=password_hash, role=role,
                         branch_id=branch.id))
    for code, name, brand, unit, price, cost in DEMO_PARTS:
        session.add(Part(branch_id=branch.id, code=code, name=name, brand=brand, unit=unit,
                         sale_price=Decimal(price), cost=Decimal(cost)))
    for name, mobile, kind, plate, vin, make, model, year, colour, mileage in DEMO_VEHICLES:
        owner = Customer(branch_id=branch.id, name=name, mobile=mobile, kind=kind)
        session.add(owner)
        session.flush()
        session.add(Vehicle(branch_id=branch.id, customer_id=owner.id, plate=plate, vin=vin, make=make, model=model,
                            year=year, colour=colour, mileage=mileage, qr_token=new_qr_token(),
                            next_inspection_date=date(2027, 3, 15)))
    session.commit()
    return True
