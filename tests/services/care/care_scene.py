"""A small branch with customers, settled orders, follow-ups and complaints, built by hand for the customer file,
satisfaction and churn tests (both engines). "Today" is Friday 2026-11-20 in the shop (Asia/Shanghai).

Customers of the branch (spending = their own share of standing settlements):
- 刘先生 13800138001, 粤B12345 and 粤B67890: settled 2026-03-10 (¥500; an earlier reopened settlement of ¥999 does
  not count), 2026-06-10 (¥300, plus ¥100 warranty), 2026-11-18 (¥400, ¥150 of it on account); a cancelled order
  2026-11-01; an order in the workshop since 2026-11-19 (planned ¥180).
- 王女士 13800138002, 粤B23456: settled 2025-05-01 (¥2,000) and 2025-08-01 (¥1,000).
- 张先生 13800138003, 粤B34567: settled 2026-01-10 (¥100).
- 赵女士 13800138004, 粤B45678: settled 2026-09-01 (¥200).
The other branch: 外店客户 粤A12345, settled 2026-11-02 (¥5,000), with a follow-up and a complaint in November.

Follow-ups (overall; quality, speed, attitude, price, environment):
- f1 刘 order 2026-03-10 (advisor 服务顾问, tech1), answered 2026-11-05: 5; 5 4 5 4 5.
- f2 刘 order 2026-06-10 (advisor 李顾问; line 1 tech1, line 2 tech1 + tech2), answered 2026-11-10: 2; 2 3 4 1 –,
  "not solved" → complaint A (open).
- f3 王 order 2025-08-01 (advisor 服务顾问, tech2), answered 2026-11-20 23:30 (still November): 4; 4 4 4 3 4.
- f4 赵 order 2026-09-01 (tech1), answered 2026-10-31 23:30 (October): 1.
- f5 张 order 2026-01-10: still open.
- f6 刘 order 2026-11-18: answered 2026-12-01 00:10 (December).
Complaints: A (f2, 2026-11-10, open), B (刘 order 2026-11-18, walk-in 2026-11-19, resolved), C (刘 order 2026-03-10,
2026-10-15, closed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

import models
from models import (
    ComplaintSource,
    ComplaintStatus,
    FollowUpChannel,
    FollowUpStatus,
    PaymentMethod,
    SettlementStatus,
    WorkOrderStatus,
)
from lantong_pwa.timezone import SHOP_TZ
from tests.factories import add_vehicle
from tests.services.platform.test_figures import add_job, add_order, add_payment, add_settlement

TODAY = date(2026, 11, 20)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHOP_TZ).astimezone(UTC)


def settled_order(session: Session, vehicle, advisor, number: str, day: date, customer: str, *,
                  warranty: str = "0", technicians=()) -> models.WorkOrder:
    order = add_order(session, vehicle, advisor, number, at(day, 9), WorkOrderStatus.CLOSED,
                      completed_at=at(day, 11), settled_at=at(day, 12), closed_at=at(day, 12))
    for position, shares in enumerate(technicians):
        add_job(session, order, f"项目{position + 1}", "1.00", "120.00", shares, position=position)
    total = str(int(customer) + int(warranty))
    add_settlement(session, order, advisor, at(day, 12), labor=total, customer=customer, warranty=warranty)
    return order


def follow_up(session: Session, order: models.WorkOrder, answered: datetime | None, overall: int | None = None,
              *aspects: int | None, comment: str = "", unsolved: bool = False,
              channel: FollowUpChannel = FollowUpChannel.LINK) -> models.FollowUp:
    ratings = dict(zip(("quality", "speed", "attitude", "price", "environment"), aspects, strict=False))
    row = models.FollowUp(
        branch_id=order.branch_id, work_order_id=order.id, customer_id=order.customer_id, vehicle_id=order.vehicle_id,
        status=FollowUpStatus.ANSWERED if answered else FollowUpStatus.OPEN, due_on=TODAY - timedelta(days=30),
        link_nonce=secrets.token_urlsafe(16), link_expires_at=at(TODAY + timedelta(days=30)),
        answered_at=answered, answered_via=channel if answered else None, overall=overall, comment=comment,
        problem_unsolved=unsolved, created_at=at(TODAY - timedelta(days=40)), **ratings)
    session.add(row)
    session.flush()
    return row


def complaint(session: Session, order: models.WorkOrder, number: str, created: datetime, status: ComplaintStatus,
              summary: str, *, source: ComplaintSource = ComplaintSource.WALK_IN,
              follow_up_row: models.FollowUp | None = None) -> models.Complaint:
    row = models.Complaint(branch_id=order.branch_id, number=number, customer_id=order.customer_id,
                           vehicle_id=order.vehicle_id, work_order_id=order.id,
                           follow_up_id=follow_up_row.id if follow_up_row else None, source=source, summary=summary,
                           status=status, created_at=created, updated_at=created)
    session.add(row)
    session.flush()
    return row


@dataclass
class Care:
    liu: models.Customer
    wang: models.Customer
    zhang: models.Customer
    zhao: models.Customer
    far: models.Customer
    advisor2: models.User
    tech2: models.User
    liu_car: models.Vehicle
    liu_second_car: models.Vehicle
    orders: dict[str, models.WorkOrder]
    complaints: dict[str, models.Complaint]


@pytest.fixture
def care(session, shop) -> Care:
    s = shop
    advisor, tech1 = s.advisor, s.technician
    advisor2 = models.User(username="advisor2", display_name="李顾问", password_hash="x", role=models.Role.ADVISOR,
                           branch_id=s.branch.id)
    tech2 = models.User(username="tech2", display_name="李师傅", password_hash="x", role=models.Role.TECHNICIAN,
                        branch_id=s.branch.id)
    session.add_all([advisor2, tech2])
    session.flush()
    liu_car = add_vehicle(session, s.branch.id, plate="粤B12345", mobile="13800138001", owner_name="刘先生",
                          make="丰田", model="卡罗拉")
    liu = session.get(models.Customer, liu_car.customer_id)
    liu_second = models.Vehicle(branch_id=s.branch.id, customer_id=liu.id, plate="粤B67890", qr_token="liu-second-car",
                                make="本田", model="雅阁")
    session.add(liu_second)
    wang_car = add_vehicle(session, s.branch.id, plate="粤B23456", mobile="13800138002", owner_name="王女士")
    zhang_car = add_vehicle(session, s.branch.id, plate="粤B34567", mobile="13800138003", owner_name="张先生")
    zhao_car = add_vehicle(session, s.branch.id, plate="粤B45678", mobile="13800138004", owner_name="赵女士")
    far_car = add_vehicle(session, s.other_branch.id, plate="粤A12345", mobile="13800138009", owner_name="外店客户")

    o1 = settled_order(session, liu_car, advisor, "WX20260310-0001", date(2026, 3, 10), "500",
                       technicians=[[(tech1, "100")]])
    add_settlement(session, o1, advisor, at(date(2026, 3, 10), 11), labor="999", customer="999",
                   status=SettlementStatus.REOPENED, number="JS-OLD")
    o2 = settled_order(session, liu_car, advisor2, "WX20260610-0001", date(2026, 6, 10), "300", warranty="100",
                       technicians=[[(tech1, "100")], [(tech1, "50"), (tech2, "50")]])
    o3 = settled_order(session, liu_second, advisor, "WX20261118-0001", date(2026, 11, 18), "400",
                       technicians=[[(tech1, "100")]])
    add_payment(session, session.exec(
        select(models.Settlement).where(models.Settlement.work_order_id == o3.id)).one(),
        s.cashier, PaymentMethod.ON_ACCOUNT, "150", at(date(2026, 11, 18), 12, 30))
    add_order(session, liu_car, advisor, "WX20261101-0001", at(date(2026, 11, 1)), WorkOrderStatus.CANCELLED)
    o_open = add_order(session, liu_car, advisor, "WX20261119-0001", at(date(2026, 11, 19)),
                       WorkOrderStatus.IN_PROGRESS)
    add_job(session, o_open, "空调检修", "1.50", "180.00", [(tech2, "100")])
    settled_order(session, wang_car, advisor, "WX20250501-0001", date(2025, 5, 1), "2000")
    w2 = settled_order(session, wang_car, advisor, "WX20250801-0001", date(2025, 8, 1), "1000",
                       technicians=[[(tech2, "100")]])
    z1 = settled_order(session, zhang_car, advisor, "WX20260110-0001", date(2026, 1, 10), "100")
    zh1 = settled_order(session, zhao_car, advisor, "WX20260901-0001", date(2026, 9, 1), "200",
                        technicians=[[(tech1, "100")]])
    far_order = settled_order(session, far_car, s.other_branch_advisor, "WX20261102-0001", date(2026, 11, 2), "5000")

    follow_up(session, o1, at(date(2026, 11, 5)), 5, 5, 4, 5, 4, 5, comment="师傅很专业")
    f2 = follow_up(session, o2, at(date(2026, 11, 10)), 2, 2, 3, 4, 1, None, comment="还是有异响", unsolved=True)
    follow_up(session, w2, at(date(2026, 11, 20), 23, 30), 4, 4, 4, 4, 3, 4, channel=FollowUpChannel.PHONE)
    follow_up(session, zh1, at(date(2026, 10, 31), 23, 30), 1)
    follow_up(session, z1, None)
    follow_up(session, o3, at(date(2026, 12, 1), 0, 10), 3)
    far_follow_up = follow_up(session, far_order, at(date(2026, 11, 3)), 5)

    complaints = {
        "A": complaint(session, o2, "TS20261110-0001", at(date(2026, 11, 10), 10, 5), ComplaintStatus.OPEN,
                       "回访：问题未解决，还是有异响", source=ComplaintSource.FOLLOW_UP, follow_up_row=f2),
        "B": complaint(session, o3, "TS20261119-0001", at(date(2026, 11, 19)), ComplaintStatus.RESOLVED,
                       "洗车不干净"),
        "C": complaint(session, o1, "TS20261015-0001", at(date(2026, 10, 15)), ComplaintStatus.CLOSED, "等待时间长"),
    }
    complaint(session, far_order, "TS20261103-0001", at(date(2026, 11, 3)), ComplaintStatus.OPEN, "外店投诉",
              follow_up_row=far_follow_up)
    session.commit()
    return Care(liu=liu, wang=session.get(models.Customer, wang_car.customer_id),
                zhang=session.get(models.Customer, zhang_car.customer_id),
                zhao=session.get(models.Customer, zhao_car.customer_id),
                far=session.get(models.Customer, far_car.customer_id), advisor2=advisor2, tech2=tech2,
                liu_car=liu_car, liu_second_car=liu_second,
                orders={"o1": o1, "o2": o2, "o3": o3, "open": o_open, "w2": w2, "z1": z1, "zh1": zh1},
                complaints=complaints)
