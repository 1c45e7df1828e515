"""Many phones at once: ``python -m benchmarks.load [--phones N] [--seconds S] [--redis]``.

Starts the production app over a fresh data directory with the demo data and a working day on it
(``benchmarks.lighthouse.stage_workshop_day``): embedded mode (SQLite, one process) by default, or with ``--redis``
several workers behind nginx with PostgreSQL and Redis, as ``deploy/`` sets a chain up. Then drives N simulated
phones over the event socket (``lantong_pwa.socket_phone``), each signed in as its role and doing that role's round,
one event every 3 s on average (a think time drawn uniformly from 0–6 s):

- technician (half the phones, each its own account with its own open order): open 我的任务, start or pause a line;
- advisor (a quarter): search a plate, open the board;
- cashier: open the queue;
- manager: today's figures.

Prints one JSON object: events per second; p50, p95 and p99 in ms for each kind of event and for all; errors (an
event with no answer, a dropped connection); ``/ping``'s p95 during the run; the server's peak memory (resident
set of its whole process tree, sampled each second). An event's time runs from sending it until the server has
finished it (``SocketPhone.send``). Targets on a 2-core machine: embedded 50 phones p95 ≤ 150 ms with 0 errors;
Redis 200 phones p95 ≤ 200 ms with 0 errors. Phones sign in before the clock starts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lantong_pwa import prod_server
from lantong_pwa.socket_phone import PhoneError, SocketPhone

DEMO_PASSWORD = "lantong123"
THINK_S = (0.0, 6.0)  # uniform: 3 s between a phone's events on average
SIGN_IN_AT_ONCE = 4  # sign-ins hash a password; this many at a time while the phones get ready
ROLE_SHARES = (("technician", 0.50), ("advisor", 0.25), ("cashier", 0.15), ("manager", 0.10))
PLATE_FRAGMENTS = ("12345", "B12", "8K2M", "D123", "A8K")


@dataclass
class Tally:
    """What the phones measured: seconds per kind of event, and what failed."""
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def figures_ms(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1), "p99_ms": round(percentile(values, 0.99) * 1000, 1)}


def roles_for(phones: int) -> list[str]:
    """Each phone's role, in the shares of ``ROLE_SHARES`` (technicians take what rounding leaves)."""
    counts = {role: int(phones * share) for role, share in ROLE_SHARES}
    counts["technician"] += phones - sum(counts.values())
    return [role for role, count in counts.items() for _ in range(count)]


def staff_the_shop(session, technicians: int) -> list[tuple[str, int]]:
    """Technician accounts ``bench_tech<i>``, each with an open order of two job lines assigned to them, on new
    vehicles of the demo branch. Returns (username, first job line id) per technician."""
    from sqlmodel import select

    from lantong_pwa.services.platform import auth
    from lantong_pwa.services.workshop import dispatch, work_orders
    from lantong_pwa.services.workshop.vehicles import new_qr_token
    from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
    from models import Customer, JobLine, Role, User, Vehicle

    advisor = session.exec(select(User).where(User.username == "advisor")).one()
    password_hash = auth.hash_password(DEMO_PASSWORD)  # one hash for all: hashing is what sign-in measures
    staffed = []
    for i in range(1, technicians + 1):
        technician = User(username=f"bench_tech{i}", display_name=f"技师{i}", password_hash=password_hash,
                          role=Role.TECHNICIAN, branch_id=advisor.branch_id)
        owner = Customer(branch_id=advisor.branch_id, name=f"车主{i}", mobile=f"139{i:08d}")
        session.add_all([technician, owner])
        session.flush()
        vehicle = Vehicle(branch_id=advisor.branch_id, customer_id=owner.id, plate=f"粤B{70000 + i:05d}",
                          qr_token=new_qr_token(), mileage=10000)
        session.add(vehicle)
        session.flush()
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="10100", fuel_level=2, complaint="例行保养",
            job_lines=[JobLineInput(name="常规保养", hours="1.0", rate="120"),
                       JobLineInput(name="四轮定位", hours="1.0", rate="120")], part_lines=[]))
        dispatch.assign_order(session, advisor, order.id, technician_id=technician.id)
        line = session.exec(select(JobLine.id).where(JobLine.work_order_id == order.id)
                            .order_by(JobLine.position)).first()
        staffed.append((technician.username, line))
    return staffed


def prepare_data(env: dict[str, str], database_url: str, technicians: int) -> list[tuple[str, int]]:
    """Demo data, a working day on it, and the technicians' accounts and orders, committed."""
    from sqlmodel import Session

    from benchmarks.lighthouse import stage_workshop_day
    from lantong_pwa.db import make_engine

    prod_server.prepare_demo_data(env)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            stage_workshop_day(session)
            staffed = staff_the_shop(session, technicians)
            session.commit()
    finally:
        engine.dispose()
    return staffed


def round_of(role: str, line_id: int | None) -> list[tuple[str, Callable[[SocketPhone], Awaitable]]]:
    """The events one phone of ``role`` sends, in turn: (kind, send)."""
    from state.cashier.cashier import CashierState
    from state.platform.figures import FiguresState
    from state.workshop.board import BoardState
    from state.workshop.intake import IntakeState
    from state.workshop.tasks import TasksState

    if role == "technician":
        return [("tasks.load", lambda p: p.send(TasksState, "load", path="/tasks")),
                ("tasks.start", lambda p: p.send(TasksState, "start", {"line_id": line_id}, path="/tasks")),
                ("tasks.load", lambda p: p.send(TasksState, "load", path="/tasks")),
                ("tasks.pause", lambda p: p.send(TasksState, "pause", {"line_id": line_id}, path="/tasks"))]
    if role == "advisor":
        return [("intake.search", lambda p: p.send(IntakeState, "search",
                                                   {"form": {"query": random.choice(PLATE_FRAGMENTS)}},
                                                   path="/intake")),
                ("board.load", lambda p: p.send(BoardState, "load", path="/orders"))]
    if role == "cashier":
        return [("cashier.load", lambda p: p.send(CashierState, "load", path="/cashier"))]
    return [("figures.load", lambda p: p.send(FiguresState, "load", path="/figures"))]


@dataclass
class Run:
    """What the phones share: the sign-in slots, when all are ready, when to start and stop, and the tally."""
    phones: int
    tally: Tally = field(default_factory=Tally)
    sign_in_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SIGN_IN_AT_ONCE))
    all_ready: asyncio.Event = field(default_factory=asyncio.Event)
    start: asyncio.Event = field(default_factory=asyncio.Event)
    stop_at: float = float("inf")
    ready: int = 0

    def one_ready(self) -> None:
        self.ready += 1
        if self.ready == self.phones:
            self.all_ready.set()


async def phone_life(url: str, username: str, role: str, line_id: int | None, run: Run) -> None:
    """One phone: connect and sign in, wait for the start, then its role's round until the stop."""
    phone = SocketPhone(url)
    try:
        try:
            async with run.sign_in_slots:
                await phone.connect()
                await phone.sign_in(username, DEMO_PASSWORD)
        except Exception as error:  # noqa: BLE001 - a phone that cannot get ready is an error of the run
            run.tally.errors.append(f"{username} could not sign in: {error!r}")
            return
        finally:
            run.one_ready()
        await run.start.wait()
        steps = round_of(role, line_id)
        step = random.randrange(len(steps))
        while True:
            await asyncio.sleep(random.uniform(*THINK_S))
            if time.monotonic() >= run.stop_at:
                return
            kind, send = steps[step % len(steps)]
            step += 1
            try:
                answer = await send(phone)
            except (PhoneError, Exception) as error:  # noqa: BLE001 - a lost event is what the benchmark counts
                run.tally.errors.append(f"{kind}: {error!r}")
                return
            run.tally.seconds[kind].append(answer.seconds)
    finally:
        try:
            await phone.close()
        except Exception:  # noqa: BLE001 - closing a connection that already broke
            pass


def tree_rss_bytes(root_pid: int) -> int:
    """The resident memory of ``root_pid``'s process group (the server and every worker it started)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != root_pid:
                continue
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


async def drive(url: str, server_pid: int, accounts: list[tuple[str, str, int | None]], seconds: float) -> dict:
    """Every phone signs in first; the clock starts once the last one is ready (or has failed). Meanwhile this
    pings the server and samples its memory once a second."""
    run = Run(phones=len(accounts))
    phones = [asyncio.create_task(phone_life(url, username, role, line_id, run))
              for username, role, line_id in accounts]
    await run.all_ready.wait()
    pings, peak_rss = [], 0
    started = time.monotonic()
    run.stop_at = started + seconds
    run.start.set()
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while time.monotonic() < run.stop_at:
            sent = time.perf_counter()
            try:
                (await http.get("/ping")).raise_for_status()
                pings.append(time.perf_counter() - sent)
            except httpx.HTTPError as error:
                run.tally.errors.append(f"/ping: {error!r}")
            peak_rss = max(peak_rss, tree_rss_bytes(server_pid))
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - sent)))
    await asyncio.gather(*phones)
    elapsed = time.monotonic() - started
    every = [s for values in run.tally.seconds.values() for s in values]
    return {
        "phones": len(accounts),
        "seconds": round(elapsed, 1),
        "events": len(every),
        "events_per_s": round(len(every) / elapsed, 1),
        "all": figures_ms(every) if every else {},
        "kinds": {kind: figures_ms(values) for kind, values in sorted(run.tally.seconds.items())},
        "errors": len(run.tally.errors),
        "error_samples": run.tally.errors[:5],
        "ping_p95_ms": round(percentile(pings, 0.95) * 1000, 1) if pings else None,
        "server_peak_rss_mb": round(peak_rss / 2**20),
    }


def accounts_for(roles: list[str], technicians: list[tuple[str, int]]) -> list[tuple[str, str, int | None]]:
    """(username, role, job line) per phone: each technician phone has its own account; the other roles share the
    demo accounts (each phone its own session)."""
    demo = {"advisor": "advisor", "cashier": "cashier", "manager": "manager"}
    techs = iter(technicians)
    accounts = []
    for role in roles:
        if role == "technician":
            username, line_id = next(techs)
            accounts.append((username, role, line_id))
        else:
            accounts.append((demo[role], role, None))
    return accounts


def run_embedded(phones: int, seconds: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="lantong-load-"))
    data_dir = work / "data"
    port = prod_server.free_port()
    url = f"http://127.0.0.1:{port}"
    env = prod_server.lantong_env(data_dir, port)
    roles = roles_for(phones)
    os.environ["LANTONG_DATA_DIR"] = str(data_dir)  # the hashes and tokens this process makes use the app's key
    technicians = prepare_data(env, f"sqlite:///{data_dir / 'lantong.db'}", roles.count("technician"))
    log_path = work / "lantong.log"
    with log_path.open("wb") as log:
        process = prod_server.start(prod_server.REPO, port, env, log)
        try:
            prod_server.wait_ready(process, url, log_path, paths=("/api/health", "/"))
            result = asyncio.run(drive(url, process.pid, accounts_for(roles, technicians), seconds))
        finally:
            prod_server.stop(process)
    return {"mode": "embedded", "workers": 1, **result, "log": str(log_path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--redis", action="store_true", help="several workers behind nginx, PostgreSQL and Redis")
    args = parser.parse_args()
    random.seed(7)
    if args.redis:
        raise SystemExit("--redis: see run_cluster (lands with deploy/)")
    print(json.dumps(run_embedded(args.phones, args.seconds), ensure_ascii=False))


if __name__ == "__main__":
    main()
