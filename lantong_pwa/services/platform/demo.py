"""Demo data for a first look: one branch, a user per role, a parts catalogue with stock, suppliers and barcodes, a
few customers with vehicles (the fleet on 月结 with a credit limit), insurers and a manufacturer, and one settled
accident repair whose insurer's share and fleet's 挂账 are open items.

Loaded only into an empty database, so running it again never touches real data.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from lantong_pwa.services.care import reminders
from lantong_pwa.services.cashier import payments, settlement
from lantong_pwa.services.finance import cash_book, expense_categories
from lantong_pwa.services.parts import stock
from lantong_pwa.services.platform import auth
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.vehicles import new_qr_token
from lantong_pwa.timezone import local_day
from models import (
    Branch,
    Counterparty,
    Customer,
    CustomerKind,
    FeeType,
    JobLineStatus,
    Part,
    PartBarcode,
    PartyKind,
    Payer,
    PaymentMethod,
    PaymentTerms,
    Role,
    StockBalance,
    StockMove,
    StockMoveKind,
    Supplier,
    SupplierPart,
    Team,
    TeamMember,
    User,
    Vehicle,
    Warehouse,
    WorkOrderStatus,
)
from models.common import utc_now

DEMO_PASSWORD = "lantong123"
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN),
    ("manager", "王店长", Role.MANAGER),
    ("advisor", "李顾问", Role.ADVISOR),
    ("tech", "张师傅", Role.TECHNICIAN),
    ("tech2", "李师傅", Role.TECHNICIAN),
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
# Other fees the cashier can add at settlement (name, default amount).
DEMO_FEE_TYPES = (("外加工", "0.00"), ("材料费", "30.00"), ("管理费", "20.00"), ("拖车费", "150.00"))
# Warehouses and opening stock (part code → warehouse code, quantity), at each part's catalogue cost.
DEMO_WAREHOUSES = (("ZK", "主仓库"), ("YP", "油品库"))
DEMO_OPENING_STOCK = (("JY-5W30-4L", "YP", "24"), ("FDY-DOT4-1L", "YP", "12"), ("JL-TY-001", "ZK", "30"),
                      ("KL-TY-002", "ZK", "15"), ("KT-TY-003", "ZK", "15"), ("SCP-QL-01", "ZK", "6"),
                      ("SCP-HL-01", "ZK", "4"), ("HHS-NGK-01", "ZK", "32"), ("YS-WIPER-24", "ZK", "10"),
                      ("DP-6QW-60", "ZK", "3"))
# Suppliers (code, name, contact, phone, terms, days) and what each offers: part code → (supplier code, price,
# minimum order, lead days). Each part has a barcode (a valid EAN-13) and a shelf in its warehouse.
DEMO_SUPPLIERS = (
    ("GYS001", "深圳华南汽配有限公司", "黄经理", "0755-83211234", PaymentTerms.MONTHLY, 30),
    ("GYS002", "广州东方汽车配件商行", "周小姐", "020-87654321", PaymentTerms.DAYS, 15),
    ("GYS003", "美孚润滑油深圳代理", "吴先生", "13510012345", PaymentTerms.CASH, 0),
)
DEMO_OFFERS = {
    "JY-5W30-4L": (("GYS003", "238.00", "6", 1), ("GYS001", "248.00", "1", 2)),
    "JL-TY-001": (("GYS001", "27.50", "10", 2), ("GYS002", "26.80", "20", 4)),
    "KL-TY-002": (("GYS001", "40.00", "5", 2),),
    "KT-TY-003": (("GYS001", "44.00", "5", 2), ("GYS002", "43.00", "10", 4)),
    "SCP-QL-01": (("GYS001", "255.00", "2", 2), ("GYS002", "258.00", "1", 3)),
    "SCP-HL-01": (("GYS001", "215.00", "2", 2),),
    "HHS-NGK-01": (("GYS002", "31.00", "20", 4),),
    "YS-WIPER-24": (("GYS002", "38.50", "10", 4),),
    "DP-6QW-60": (("GYS001", "445.00", "1", 3),),
    "FDY-DOT4-1L": (("GYS003", "35.00", "12", 1), ("GYS001", "36.00", "1", 2)),
}
DEMO_SHELVES = {"JY-5W30-4L": "Y-01", "FDY-DOT4-1L": "Y-02", "JL-TY-001": "A-01", "KL-TY-002": "A-02",
                "KT-TY-003": "A-03", "SCP-QL-01": "B-01", "SCP-HL-01": "B-02", "HHS-NGK-01": "A-04",
                "YS-WIPER-24": "C-01", "DP-6QW-60": "C-02"}
DEMO_VEHICLES = (
    ("刘建国", "13800138000", CustomerKind.INDIVIDUAL, "粤B12345", "LSVAU2181N2183927", "大众", "帕萨特", 2019, "黑色", 68500),
    ("深圳市顺达物流有限公司", "13912345678", CustomerKind.FLEET, "粤BD12345", None, "比亚迪", "汉EV", 2022, "白色", 45200),
    ("陈美玲", "13698765432", CustomerKind.INDIVIDUAL, "粤A8K2M6", None, "丰田", "凯美瑞", 2020, "银色", 52300),
)
# What the reminder centre (客户关怀中心) has to show on first start, in days from the day the demo is loaded:
# plate -> vehicle dates; mobile -> customer details.
DEMO_VEHICLE_DATES = {
    "粤B12345": {"next_inspection_date": 5, "compulsory_policy_end": -2, "insurer": "中国人保"},
    "粤BD12345": {"commercial_policy_end": 20, "compulsory_policy_end": 200, "insurer": "平安保险"},
    "粤A8K2M6": {"next_service_date": 25, "next_service_mileage": 57300},
}
DEMO_CUSTOMER_CARE = {
    "13800138000": {"sms_consent": True},  # 刘建国 agreed to text reminders
    "13698765432": {"birthday": 10},  # 陈美玲's birthday is ten days away
}


def is_empty(session: Session) -> bool:
    return session.exec(select(Branch)).first() is None


def seed_demo(session: Session) -> bool:
    """Load the demo data into an empty database; return whether anything was loaded."""
    if not is_empty(session):
        return False
    branch = Branch(code="SZ01", name="蓝通汽修（深圳南山店）", address="深圳市南山区科技园南路88号", phone="0755-86001234")
    session.add(branch)
    session.flush()
    password_hash = auth.hash_demo_password(DEMO_PASSWORD)  # the demo only: lantong123 breaks the rules
    for username, display_name, role in DEMO_USERS:
        session.add(User(username=username, display_name=display_name, password_hash=password_hash, role=role,
                         branch_id=branch.id))
    session.flush()
    _seed_team(session, branch.id)
    expense_categories.seed_defaults(session, branch.id)
    for name, amount in DEMO_FEE_TYPES:
        session.add(FeeType(branch_id=branch.id, name=name, default_amount=Decimal(amount)))
    for code, name, brand, unit, price, cost in DEMO_PARTS:
        session.add(Part(branch_id=branch.id, code=code, name=name, brand=brand, unit=unit,
                         sale_price=Decimal(price), cost=Decimal(cost), shelf=DEMO_SHELVES[code]))
    today = local_day(utc_now())
    for name, mobile, kind, plate, vin, make, model, year, colour, mileage in DEMO_VEHICLES:
        care = dict(DEMO_CUSTOMER_CARE.get(mobile, {}))
        if "birthday" in care:
            care["birthday"] = (today + timedelta(days=care["birthday"])).replace(year=1988)  # a leap year
        fleet = kind == CustomerKind.FLEET
        owner = Customer(branch_id=branch.id, name=name, mobile=mobile, kind=kind,
                         credit_limit=Decimal("20000.00") if fleet else Decimal("0.00"),
                         terms=PaymentTerms.MONTHLY if fleet else PaymentTerms.CASH, terms_days=30 if fleet else 0,
                         **care)
        session.add(owner)
        session.flush()
        dates = {"next_inspection_date": 104, **DEMO_VEHICLE_DATES.get(plate, {})}
        dates = {field: today + timedelta(days=value) if field.endswith(("_date", "_end")) else value
                 for field, value in dates.items()}
        session.add(Vehicle(branch_id=branch.id, customer_id=owner.id, plate=plate, vin=vin, make=make, model=model,
                            year=year, colour=colour, mileage=mileage, qr_token=new_qr_token(), **dates))
    _seed_stock(session, branch.id)
    cash_book.ensure_accounts(session, branch.id)
    _seed_suppliers(session, branch.id)
    _seed_counterparties(session, branch.id)
    session.flush()
    reminders.build_reminders(session, today)
    _seed_accident_repair(session, branch.id)
    return True


# Insurers and manufacturers (往来单位): name, kind, contact, phone, tax ID, terms, days.
DEMO_COUNTERPARTIES = (
    ("平安保险", PartyKind.INSURER, "孙理赔", "95511", "91440300MA5DEMO01X", PaymentTerms.MONTHLY, 30),
    ("中国人保", PartyKind.INSURER, "钱专员", "95518", "91440300MA5DEMO02X", PaymentTerms.DAYS, 45),
    ("比亚迪汽车", PartyKind.MANUFACTURER, "服务站索赔员", "400-830-3666", "", PaymentTerms.MONTHLY, 60),
)


def _seed_counterparties(session: Session, branch_id: int) -> None:
    for name, kind, contact, phone, tax_id, terms, days in DEMO_COUNTERPARTIES:
        session.add(Counterparty(branch_id=branch_id, kind=kind, name=name, contact=contact, phone=phone,
                                 tax_id=tax_id, terms=terms, terms_days=days))


def _seed_accident_repair(session: Session, branch_id: int) -> None:
    """The fleet's van after a scrape, through the real services: 平安保险 pays the paintwork, the fleet the wheel
    alignment on account (挂账). Both become open items, so 往来 and the 挂账 screens have something to show."""
    users = {u.username: u for u in session.exec(select(User).where(User.branch_id == branch_id)).all()}
    van = session.exec(select(Vehicle).where(Vehicle.branch_id == branch_id, Vehicle.plate == "粤BD12345")).one()
    order = work_orders.open_work_order(session, users["advisor"], work_orders.OrderForm(
        vehicle_id=van.id, mileage_in=str(van.mileage), fuel_level=3, complaint="左前门刮擦，保险理赔",
        job_lines=[work_orders.JobLineInput(name="左前门钣金喷漆", fixed_price="1800"),
                   work_orders.JobLineInput(name="四轮定位", fixed_price="200")]))
    for line in settlement.order_lines(session, order.id).jobs:  # the workshop's part, done
        line.status = JobLineStatus.FINISHED
        session.add(line)
    order.status = WorkOrderStatus.COMPLETED
    order.completed_at = utc_now()
    session.add(order)
    session.flush()
    paint = settlement.order_lines(session, order.id).jobs[0]
    settled = settlement.settle(session, users["cashier"], order.id, terms=settlement.Terms(lines=(
        settlement.LineTerms("job", paint.id, Payer.INSURANCE.value, "平安保险"),)))
    payments.take_payment(session, users["cashier"], order.id, payments.PaymentRequest(
        method=PaymentMethod.ON_ACCOUNT.value, amount=str(settled.customer_amount), request_key="demo-on-account"))


def _seed_team(session: Session, branch_id: int) -> None:
    """One workshop team (机修一组) of the two demo technicians, led by 张师傅."""
    technicians = session.exec(select(User).where(User.branch_id == branch_id, User.role == Role.TECHNICIAN)
                               .order_by(User.id)).all()
    team = Team(branch_id=branch_id, name="机修一组", leader_id=technicians[0].id)
    session.add(team)
    session.flush()
    session.add_all(TeamMember(team_id=team.id, user_id=user.id) for user in technicians)


def _seed_stock(session: Session, branch_id: int) -> None:
    """Two warehouses and opening stock, as ledger rows (期初) with balances that agree with them."""
    clerk = session.exec(select(User).where(User.branch_id == branch_id, User.role == Role.PARTS_CLERK)).first()
    warehouses = {}
    for code, name in DEMO_WAREHOUSES:
        warehouses[code] = Warehouse(branch_id=branch_id, code=code, name=name)
        session.add(warehouses[code])
    session.flush()
    parts = {p.code: p for p in session.exec(select(Part).where(Part.branch_id == branch_id)).all()}
    for part_code, warehouse_code, quantity in DEMO_OPENING_STOCK:
        part, warehouse = parts[part_code], warehouses[warehouse_code]
        cost = part.cost.quantize(Decimal("0.0001"))
        session.add(StockMove(branch_id=branch_id, part_id=part.id, warehouse_id=warehouse.id,
                              kind=StockMoveKind.OPENING, quantity=Decimal(quantity), unit_cost=cost,
                              value_change=stock.stock_value(Decimal(quantity), cost), note="演示期初库存",
                              user_id=clerk.id))
        session.add(StockBalance(branch_id=branch_id, part_id=part.id, warehouse_id=warehouse.id,
                                 on_hand=Decimal(quantity), average_cost=cost))
        part.default_warehouse_id = warehouse.id
        session.add(part)


def ean13(twelve_digits: str) -> str:
    """The EAN-13 code of 12 digits: they and their check digit."""
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(twelve_digits))
    return twelve_digits + str(-total % 10)


def _seed_suppliers(session: Session, branch_id: int) -> None:
    """Suppliers with their offers, and a barcode on every demo part, so buying and scanning work on first start."""
    suppliers = {}
    for code, name, contact, phone, terms, days in DEMO_SUPPLIERS:
        suppliers[code] = Supplier(branch_id=branch_id, code=code, name=name, contact=contact, phone=phone,
                                   terms=terms, terms_days=days)
        session.add(suppliers[code])
    session.flush()
    parts = session.exec(select(Part).where(Part.branch_id == branch_id).order_by(Part.id)).all()
    for number, part in enumerate(parts, start=1):
        session.add(PartBarcode(branch_id=branch_id, part_id=part.id, barcode=ean13(f"6920000{number:05d}")))
        for supplier_code, price, minimum, lead_days in DEMO_OFFERS[part.code]:
            session.add(SupplierPart(branch_id=branch_id, supplier_id=suppliers[supplier_code].id, part_id=part.id,
                                     price=Decimal(price), min_quantity=Decimal(minimum), lead_days=lead_days))
