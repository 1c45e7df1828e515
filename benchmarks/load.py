"""Many phones at once: ``python -m benchmarks.load [--phones N] [--seconds S] [--redis [--processes P]]``.

Starts the production app over a fresh data directory with the demo data and a working day on it
(``benchmarks.lighthouse.stage_workshop_day``): embedded mode (SQLite, one process) by default, or with ``--redis``
P app processes of one worker each (default one per core) behind nginx on a fresh PostgreSQL database and a Redis
database of its own, as ``deploy/`` sets a chain up (``prod_server.start_cluster``). Then drives N simulated
phones over the event socket (``lantong_pwa.socket_phone``), each signed in as its role and doing that role's round,
one event every 3 s on average (a think time drawn uniformly from 0–6 s), spread over branches of 50 phones (the demo
branch, then new ones, as a chain's central deployment serves them); every event of these rounds changes the
screen, and it counts as answered when that change arrives (``SocketPhone.send(whole=False)``):

- technician (half the phones, each its own account with its own open order): open 我的任务, start or pause a line;
- advisor (a quarter): search a plate, open the board;
- cashier: open the queue;
- manager: today's figures.

Prints one JSON object: events per second; p50, p95 and p99 in ms for each kind of event and for all; errors (an
event with no answer, a dropped connection); ``/ping``'s p95 during the run; the server's peak memory (resident
set of its whole process tree, sampled each second) and the CPU time it spent per event; and how busy the machine's
CPUs were (the server, its databases and these phones share them). Targets on a 2-core
machine: embedded 50 phones p95 ≤ 150 ms with 0 errors; Redis 200 phones p95 ≤ 200 ms with 0 errors. Phones sign
in before the clock starts.
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
import redis

from lantong_pwa import prod_server
from lantong_pwa.socket_phone import PhoneError, SocketPhone

DEMO_PASSWORD = "lantong123"
THINK_S = (0.0, 6.0)  # uniform: 3 s between a phone's events on average
SIGN_IN_AT_ONCE = 4  # sign-ins hash a password; this many at a time while the phones get ready
ROLE_SHARES = (("technician", 0.50), ("advisor", 0.25), ("cashier", 0.15), ("manager", 0.10))
PHONES_PER_BRANCH = 50  # a big shop: a chain's phones are spread over its branches this many at a time
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


@dataclass(frozen=True)
class Account:
    """Who one phone signs in as, and (a technician) the job line it clocks."""
    username: str
    role: str
    line_id: int | None = None


def staff_the_chain(session, phones: int) -> list[Account]:
    """The accounts of ``phones`` phones, in branches of ``PHONES_PER_BRANCH``: the demo branch first, then new
    branches ``LB01``… with an advisor, a cashier and a manager each (phones of one role in a branch share its
    account, each phone its own session). Every technician phone gets an account of its own with an open order of
    two job lines assigned to it, on a new vehicle of its branch. One password hash for all: hashing is what
    sign-in measures, not what the setup should spend its time on."""
    from sqlmodel import select

    from lantong_pwa.services.platform import auth, branches
    from lantong_pwa.services.workshop import dispatch, work_orders
    from lantong_pwa.services.workshop.vehicles import new_qr_token
    from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
    from models import Customer, JobLine, Role, User, Vehicle

    password_hash = auth.hash_demo_password(DEMO_PASSWORD)
    staff: list[dict[str, User]] = [{role: session.exec(select(User).where(User.username == role)).one()
                                     for role in ("advisor", "cashier", "manager")}]
    roles = roles_for(phones)
    for index in range(1, -(-phones // PHONES_PER_BRANCH)):
        branch = branches.create_branch_from_command_line(session, branches.BranchForm(
            code=f"LB{index:02d}", name=f"压测门店{index}"))
        people = {role: User(username=f"bench_{role}{index}", display_name=f"{role}{index}", password_hash=password_hash,
                             role=Role(role), branch_id=branch.id) for role in ("advisor", "cashier", "manager")}
        session.add_all(people.values())
        staff.append(people)
    session.flush()

    accounts = []
    for phone, role in enumerate(roles):
        people = staff[phone % len(staff)]
        if role != "technician":
            accounts.append(Account(people[role].username, role))
            continue
        advisor = people["advisor"]
        technician = User(username=f"bench_tech{phone}", display_name=f"技师{phone}", password_hash=password_hash,
                          role=Role.TECHNICIAN, branch_id=advisor.branch_id)
        owner = Customer(branch_id=advisor.branch_id, name=f"车主{phone}", mobile=f"139{phone:08d}")
        session.add_all([technician, owner])
        session.flush()
        vehicle = Vehicle(branch_id=advisor.branch_id, customer_id=owner.id, plate=f"粤B{70000 + phone:05d}",
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
        accounts.append(Account(technician.username, role, line))
    return accounts


def stage_the_day(database_url: str, phones: int) -> list[Account]:
    """On the demo data: a working day, and the phones' branches, accounts and orders, committed."""
    from sqlmodel import Session

    from benchmarks.lighthouse import stage_workshop_day
    from lantong_pwa.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            stage_workshop_day(session)
            staffed = staff_the_chain(session, phones)
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

    def event(state: type, handler: str, path: str, payload: Callable[[], dict] = dict):
        return lambda phone: phone.send(state, handler, payload(), path=path, whole=False)

    if role == "technician":
        return [("tasks.load", event(TasksState, "load", "/tasks")),
                ("tasks.start", event(TasksState, "start", "/tasks", lambda: {"line_id": line_id})),
                ("tasks.load", event(TasksState, "load", "/tasks")),
                ("tasks.pause", event(TasksState, "pause", "/tasks", lambda: {"line_id": line_id}))]
    if role == "advisor":
        return [("intake.search", event(IntakeState, "search", "/intake",
                                        lambda: {"form": {"query": random.choice(PLATE_FRAGMENTS)}})),
                ("board.load", event(BoardState, "load", "/orders"))]
    if role == "cashier":
        return [("cashier.load", event(CashierState, "load", "/cashier"))]
    return [("figures.load", event(FiguresState, "load", "/figures"))]


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


async def phone_life(url: str, account: Account, run: Run) -> None:
    """One phone: connect and sign in, wait for the start, then its role's round until the stop."""
    phone = SocketPhone(url)
    try:
        try:
            async with run.sign_in_slots:
                await phone.connect()
                await phone.sign_in(account.username, DEMO_PASSWORD)
        except Exception as error:  # noqa: BLE001 - a phone that cannot get ready is an error of the run
            run.tally.errors.append(f"{account.username} could not sign in: {error!r}")
            return
        finally:
            run.one_ready()
        await run.start.wait()
        steps = round_of(account.role, account.line_id)
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


def _group_stats(group: int) -> list[list[str]]:
    """The ``/proc/<pid>/stat`` fields (after the command) of every process in process group ``group``."""
    stats = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            stats.append(fields)
    return stats


def group_rss_bytes(group: int) -> int:
    """The resident memory of process group ``group`` (a server and every worker it started)."""
    return sum(int(fields[21]) for fields in _group_stats(group)) * os.sysconf("SC_PAGE_SIZE")


def machine_cpu_ticks() -> tuple[int, int, int]:
    """(busy, stolen, total) CPU ticks of the whole machine so far (``/proc/stat``); stolen: taken by the host of a
    virtual machine, which the server never had."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle, stolen = ticks[3] + ticks[4], ticks[7]  # idle and iowait; steal
    return sum(ticks) - idle - stolen, stolen, sum(ticks)


def _own_cpu_seconds() -> float:
    """The CPU time this process (the simulated phones) has used."""
    times = os.times()
    return times.user + times.system


def group_cpu_seconds(group: int) -> float:
    """The CPU time (user and system) the live processes of ``group`` have used."""
    return sum(int(fields[11]) + int(fields[12]) for fields in _group_stats(group)) / os.sysconf("SC_CLK_TCK")


async def drive(url: str, server_groups: list[int], accounts: list[Account], seconds: float) -> dict:
    """Every phone signs in first; the clock starts once the last one is ready (or has failed). Meanwhile this
    pings the server and samples its memory once a second."""
    run = Run(phones=len(accounts))
    phones = [asyncio.create_task(phone_life(url, account, run)) for account in accounts]
    await run.all_ready.wait()
    pings, peak_rss = [], 0
    cpu_before = sum(group_cpu_seconds(group) for group in server_groups)
    machine_before, phones_before = machine_cpu_ticks(), _own_cpu_seconds()
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
            peak_rss = max(peak_rss, sum(group_rss_bytes(group) for group in server_groups))
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - sent)))
    await asyncio.gather(*phones)
    elapsed = time.monotonic() - started
    server_cpu = sum(group_cpu_seconds(group) for group in server_groups) - cpu_before
    machine_busy, machine_stolen, machine_total = (after - before for after, before
                                                   in zip(machine_cpu_ticks(), machine_before))
    phones_cpu = _own_cpu_seconds() - phones_before
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
        "server_cpu_ms_per_event": round(server_cpu * 1000 / len(every), 1) if every else None,
        "machine_cpu_busy": round(machine_busy / machine_total, 2) if machine_total else None,
        "machine_cpu_stolen": round(machine_stolen / machine_total, 2) if machine_total else None,
        "phones_cpu_cores": round(phones_cpu / elapsed, 2),
        "server_cpu_cores": round(server_cpu / elapsed, 2),
    }


def run_embedded(phones: int, seconds: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="lantong-load-"))
    data_dir = work / "data"
    port = prod_server.free_port()
    url = f"http://127.0.0.1:{port}"
    env = prod_server.lantong_env(data_dir, port)
    os.environ["LANTONG_DATA_DIR"] = str(data_dir)  # the hashes and tokens this process makes use the app's key
    prod_server.prepare_demo_data(env)
    accounts = stage_the_day(f"sqlite:///{data_dir / 'lantong.db'}", phones)
    log_path = work / "lantong.log"
    with log_path.open("wb") as log:
        process = prod_server.start(prod_server.REPO, port, env, log)
        try:
            prod_server.wait_ready(process, url, log_path, paths=("/api/health", "/"))
            result = asyncio.run(drive(url, [process.pid], accounts, seconds))
        finally:
            prod_server.stop(process)
    return {"mode": "embedded", "workers": 1, **result, "log": str(log_path)}


def fresh_postgres_database(server_url: str) -> str:
    """A new empty database on the PostgreSQL server at ``server_url``; its URL."""
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"lantong_load_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, database_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)'))
    admin.dispose()


def run_cluster(phones: int, seconds: float, *, postgres_url: str, redis_url: str, processes: int) -> dict:
    """A chain as ``deploy/`` lays it out (``prod_server.start_cluster``): ``processes`` app processes of one worker
    each behind nginx, on a fresh PostgreSQL database and Redis."""
    work = Path(tempfile.mkdtemp(prefix="lantong-load-cluster-"))
    database_url = fresh_postgres_database(postgres_url)
    try:
        chain = prod_server.start_cluster(work, database_url=database_url, redis_url=redis_url,
                                          processes=processes, workers=1)
        try:
            os.environ["LANTONG_DATA_DIR"] = chain.env["LANTONG_DATA_DIR"]
            accounts = stage_the_day(database_url, phones)
            result = asyncio.run(drive(chain.url, [p.pid for p in chain.processes] + [chain.nginx.pid], accounts,
                                       seconds))
        finally:
            chain.stop()
    finally:
        drop_postgres_database(postgres_url, database_url)
        redis.Redis.from_url(redis_url).flushdb()
    return {"mode": "redis", "processes": processes, "workers": processes, **result, "logs": str(work)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--redis", action="store_true", help="several workers behind nginx, PostgreSQL and Redis")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2,
                        help="--redis: app processes of one worker each (default: one per core, as deploy/ advises)")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="--redis: a PostgreSQL server to make a fresh database on")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12", help="--redis: a Redis database of its own (emptied afterwards)")
    args = parser.parse_args()
    random.seed(7)
    if args.redis:
        result = run_cluster(args.phones, args.seconds, postgres_url=args.postgres, redis_url=args.redis_url,
                             processes=args.processes)
    else:
        result = run_embedded(args.phones, args.seconds)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
