"""Intake lookups on a busy branch: ``python -m benchmarks.intake [--vehicles N] [--url DATABASE_URL]``.

Generates N vehicles with owners (default 50,000) and a work order with lines for every vehicle in a fresh
database, then times the functions the intake screen calls: vehicle search by plate fragment, by mobile and by
VIN, and a vehicle's history. Prints one JSON object with median milliseconds.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from lantong_pwa.db import make_engine
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.services.workshop import vehicles, work_orders
from lantong_pwa.services.platform.validation import PROVINCES
from models import Branch, Customer, JobLine, Role, User, Vehicle, WorkOrder
from models.common import utc_now

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIAL = LETTERS + "0123456789"


def _plate(rng: random.Random) -> str:
    return rng.choice(PROVINCES) + rng.choice(LETTERS) + "".join(rng.choice(SERIAL) for _ in range(5))


def seed(session: Session, count: int, rng: random.Random) -> tuple[User, list[Vehicle]]:
    branch = Branch(code="B1", name="基准门店")
    session.add(branch)
    session.flush()
    user = User(username="bench", display_name="基准", password_hash="x", role=Role.ADVISOR, branch_id=branch.id)
    session.add(user)
    session.flush()
    plates = set()
    while len(plates) < count:
        plates.add(_plate(rng))
    now = utc_now()
    customers = [dict(branch_id=branch.id, name=f"客户{i}", mobile=f"13{i:09d}", kind="individual", notes="",
                      created_at=now) for i in range(count)]
    session.execute(insert(Customer), customers)
    vehicle_rows = [dict(branch_id=branch.id, customer_id=i + 1, plate=plate, vin=f"LBV{i:014d}", make="大众",
                         model="朗逸", colour="", engine_no="", insurer="", mileage=10000, qr_token=f"t{i:031d}",
                         created_at=now) for i, plate in enumerate(sorted(plates))]
    session.execute(insert(Vehicle), vehicle_rows)
    orders = [dict(branch_id=branch.id, number=f"WX{i:012d}", status="closed", vehicle_id=i + 1, customer_id=i + 1,
                   advisor_id=user.id, mileage_in=10000, fuel_level=2, complaint="保养",
                   created_at=now - timedelta(days=i % 900), updated_at=now) for i in range(count)]
    session.execute(insert(WorkOrder), orders)
    lines = [dict(branch_id=branch.id, work_order_id=i + 1, position=0, name="常规保养", hours=Decimal("1.00"),
                  rate=Decimal("120.00"), amount=Decimal("120.00"), created_at=now) for i in range(count)]
    session.execute(insert(JobLine), lines)
    session.commit()
    return user, [Vehicle(**row) for row in vehicle_rows]


def median_ms(call, repeats: int = 25) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, default=50_000)
    parser.add_argument("--url", help="database URL of an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    rng = random.Random(7)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        user, rows = seed(session, args.vehicles, rng)
        seed_s = round(time.perf_counter() - started, 2)
        sample = rows[len(rows) // 2]
        owner_mobile = f"13{len(rows) // 2:09d}"
        figures = {
            "vehicles": len(rows),
            "engine": engine.dialect.name,
            "seed_s": seed_s,
            "plate_fragment_search_ms": median_ms(lambda: vehicles.find_vehicles(session, user, sample.plate[-4:])),
            "full_plate_search_ms": median_ms(lambda: vehicles.find_vehicles(session, user, sample.plate)),
            "mobile_search_ms": median_ms(lambda: vehicles.find_vehicles(session, user, owner_mobile)),
            "vin_search_ms": median_ms(lambda: vehicles.find_vehicles(session, user, sample.vin)),
            "vehicle_history_ms": median_ms(lambda: work_orders.vehicle_orders(session, user, len(rows) // 2 + 1)),
        }
    engine.dispose()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
