"""Mobile speed and quality budgets: ``python -m benchmarks.lighthouse [--runs N] [--reports DIR]``.

Builds and starts the production app on a free port over a fresh data directory with the demo data, and runs
Lighthouse (npm, pinned, installed into ``.tools/`` when missing; mobile preset with simulated throttling; Debian's
Chromium) on the login page, 接车开单 (advisor), 我的任务 (technician), a demo vehicle's card (advisor) and 经营数据
(manager). The demo data gets a workshop day first (``stage_workshop_day``), so those screens are measured full,
not empty. Then it builds a blank Reflex app (``reflex init --template blank``) the same way, as the reference.
Prints one JSON object: per page the performance, accessibility and best-practices scores, the total blocking time
and largest contentful paint (ms), the bytes transferred on a first load (no cache, no service worker), and each
page's transfer as a multiple of the blank app's. With ``--runs N`` each page is measured N times and the run with
the median performance score is shown. Targets: scores ≥ 0.90 / 0.95 / 0.95, transfer ≤ 1.5× blank.

Sign-in: Reflex reads its session cookie from ``document.cookie`` in the browser, so a ``Cookie`` request header
(Lighthouse's ``--extra-headers``) would not sign anyone in. Instead each role gets a session token from the auth
service, Playwright writes it as a cookie into a Chromium profile, and Lighthouse runs Chromium on that profile
(Lighthouse keeps cookies when it clears a site's storage). Needs the test extras (Playwright): ``bash .ci/test``
installs them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from lantong_pwa import prod_server
from lantong_pwa.chromium import CHROMIUM, CHROMIUM_ARGS

LIGHTHOUSE_VERSION = "12.8.2"  # 13.x needs Node ≥ 22; these machines have Node 20
TOOLS = prod_server.REPO / ".tools"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
DEMO_PLATE = "粤B12345"
# page name → (path, the demo user signed in, or None)
PAGES = {
    "login": ("/login", None),
    "intake": ("/intake", "advisor"),
    "my_tasks": ("/tasks", "tech"),
    "vehicle_card": ("/v/{token}", "advisor"),
    "daily_figures": ("/figures", "manager"),
}
LIGHTHOUSE_TIMEOUT = 300  # seconds per page


def ensure_lighthouse() -> None:
    version = TOOLS / "node_modules" / "lighthouse" / "package.json"
    if LIGHTHOUSE.exists() and json.loads(version.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--save-exact", "--prefix", str(TOOLS),
                    f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


def page_figures(report: dict) -> dict:
    """The scores, the two timings that decide most of the performance score here (total blocking time and largest
    contentful paint, in ms) and the first-load transfer bytes of one Lighthouse JSON report."""
    figures = {category: report["categories"][category]["score"] for category in CATEGORIES}
    audits = report["audits"]
    figures["tbt_ms"] = round(audits["total-blocking-time"]["numericValue"])
    figures["lcp_ms"] = round(audits["largest-contentful-paint"]["numericValue"])
    figures["transfer_bytes"] = int(audits["total-byte-weight"]["numericValue"])
    return figures


def median_run(runs: list[dict]) -> dict:
    """Of several runs' figures, the run with the median performance score (the lower middle for an even count):
    one run's figures together, as Lighthouse advises for variance (a busy machine swings single runs)."""
    return sorted(runs, key=lambda figures: figures["performance"])[(len(runs) - 1) // 2]


def summary(pages: dict[str, dict], blank: dict) -> dict:
    """Each page's figures with its transfer as a multiple of the blank Reflex app's, plus the blank app's."""
    return {
        "pages": {name: figures | {"transfer_ratio": round(figures["transfer_bytes"] / blank["transfer_bytes"], 2)}
                  for name, figures in pages.items()},
        "blank_reflex_app": blank,
    }


def stage_workshop_day(session) -> None:
    """A morning on the demo branch, made through the services as the staff would: 张师傅 (``tech``) has two cars'
    lines (one clocked on), and a third car was repaired by 李师傅, picked, completed, settled and paid by WeChat,
    so my tasks, the vehicle card and the daily figures have what a working day puts on them."""
    from sqlmodel import select

    from lantong_pwa.services.cashier import payments, settlement
    from lantong_pwa.services.parts import stock
    from lantong_pwa.services.workshop import completion, dispatch, job_clock, work_orders
    from lantong_pwa.services.cashier.payments import PaymentRequest
    from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
    from models import JobLine, Part, PartLine, PaymentMethod, User, Vehicle, Warehouse

    def user(username: str) -> User:
        return session.exec(select(User).where(User.username == username)).one()

    def part(code: str) -> int:
        return session.exec(select(Part.id).where(Part.code == code)).one()

    def open_order(plate: str, complaint: str, jobs: list[tuple[str, str]], parts: list[tuple[str, str]],
                   technician: User):
        vehicle = session.exec(select(Vehicle).where(Vehicle.plate == plate)).one()
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in=str(vehicle.mileage + 120), fuel_level=2, complaint=complaint,
            job_lines=[JobLineInput(name=name, hours=hours, rate="120") for name, hours in jobs],
            part_lines=[PartLineInput(part_id=part(code), quantity=quantity) for code, quantity in parts]))
        dispatch.assign_order(session, advisor, order.id, technician_id=technician.id)
        lines = session.exec(select(JobLine.id).where(JobLine.work_order_id == order.id)
                             .order_by(JobLine.position)).all()
        return order, lines

    advisor, parts_clerk, cashier = user("advisor"), user("parts"), user("cashier")
    tech, tech2 = user("tech"), user("tech2")
    _, passat = open_order("粤B12345", "保养到期，刹车有异响", [("常规保养", "1.0"), ("更换前刹车片", "1.5")],
                           [("JY-5W30-4L", "1"), ("JL-TY-001", "1"), ("SCP-QL-01", "1")], tech)
    job_clock.start(session, tech, passat[0])
    open_order("粤A8K2M6", "空调不凉", [("空调检修", "2.0"), ("更换空调滤清器", "0.5")], [("KT-TY-003", "1")], tech)
    order, lines = open_order("粤BD12345", "更换雨刮、检查底盘", [("底盘检查", "0.5"), ("更换雨刮片", "0.3")],
                              [("YS-WIPER-24", "2")], tech2)
    for line_id in lines:
        job_clock.start(session, tech2, line_id)
        job_clock.finish(session, tech2, line_id)
    warehouse = session.exec(select(Warehouse.id).where(Warehouse.code == "ZK")).one()
    for line in session.exec(select(PartLine).where(PartLine.work_order_id == order.id)).all():
        stock.pick(session, parts_clerk, line.id, warehouse, line.quantity)
    completion.complete_order(session, advisor, order.id)
    settlement.settle(session, cashier, order.id)
    owed = settlement.order_figures(session, order).customer_amount
    payments.take_payment(session, cashier, order.id, PaymentRequest(method=PaymentMethod.WECHAT, amount=str(owed),
                                                                     request_key="lighthouse-day"))
    session.commit()  # services only flush: the staged day is one unit of work


def signed_in_profile(profile: Path, url: str, token: str) -> None:
    """A Chromium profile holding the session cookie for ``url``, as the sign-in route sets it."""
    from playwright.sync_api import sync_playwright

    from lantong_pwa.services.platform import auth

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(str(profile), executable_path=str(CHROMIUM),
                                                                args=CHROMIUM_ARGS)
        context.add_cookies([{"name": auth.SESSION_COOKIE, "value": token, "url": url, "sameSite": "Strict",
                              "httpOnly": True, "expires": int(time.time() + 24 * 3600)}])
        context.close()


def run_lighthouse(url: str, profile: Path, reports: Path | None, name: str) -> dict:
    """One Lighthouse run on ``url`` with Chromium on ``profile``; its process group is stopped whatever
    happens."""
    flags = [*CHROMIUM_ARGS, f"--user-data-dir={profile}"]  # after chrome-launcher's own --user-data-dir: it wins
    output = profile.parent / f"{name}.report.json"
    with (profile.parent / f"{name}.lighthouse.log").open("wb") as log:
        process = subprocess.Popen(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={output}",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(flags)}"],
            env=prod_server.reflex_env() | {"CHROME_PATH": str(CHROMIUM)}, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            process.wait(timeout=LIGHTHOUSE_TIMEOUT)
        finally:
            prod_server.stop(process)
    if process.returncode != 0:
        raise prod_server.ServerError(f"lighthouse failed on {url}:\n{prod_server.tail(Path(log.name))}")
    if reports:
        shutil.copy(output, reports / output.name)
    return page_figures(json.loads(output.read_text()))


def measure(url: str, profile: Path, reports: Path | None, name: str, runs: int) -> dict:
    return median_run([run_lighthouse(url, profile, reports, f"{name}-{run}") for run in range(1, runs + 1)])


def measure_lantong(work: Path, reports: Path | None, runs: int) -> dict[str, dict]:
    from sqlmodel import Session, select

    from lantong_pwa import settings
    from lantong_pwa.db import make_engine
    from lantong_pwa.services.platform import auth
    from lantong_pwa.services.platform.demo import DEMO_PASSWORD
    from models import Vehicle

    data_dir = work / "data"
    port = prod_server.free_port()
    url = f"http://127.0.0.1:{port}"
    env = prod_server.lantong_env(data_dir, port)
    prod_server.prepare_demo_data(env)
    # Sign-in tokens are keyed with the data directory's secret, so this process reads the app's settings too.
    os.environ["LANTONG_DATA_DIR"] = str(data_dir)
    settings.get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{data_dir / 'lantong.db'}")
    with Session(engine) as session:
        stage_workshop_day(session)
        token = session.exec(select(Vehicle.qr_token).where(Vehicle.plate == DEMO_PLATE)).one()
        profiles = {}
        for name, (_, username) in PAGES.items():
            profiles[name] = work / name / "profile"
            profiles[name].parent.mkdir(parents=True)
            if username:
                signed_in_profile(profiles[name], url, auth.sign_in(session, username, DEMO_PASSWORD))
        session.commit()  # the sign-ins' sessions: services only flush
    engine.dispose()

    log_path = work / "lantong.log"
    with log_path.open("wb") as log:
        process = prod_server.start(prod_server.REPO, port, env, log)
        try:
            prod_server.wait_ready(process, url, log_path, paths=("/api/health", "/"))
            return {name: measure(url + path.format(token=token), profiles[name], reports, name, runs)
                    for name, (path, _) in PAGES.items()}
        finally:
            prod_server.stop(process)


def measure_blank_app(work: Path, reports: Path | None, runs: int) -> dict:
    app_dir = work / "blank_app"
    app_dir.mkdir()
    env = prod_server.reflex_env()
    subprocess.run([str(prod_server.REPO / ".venv" / "bin" / "reflex"), "init", "--template", "blank"], cwd=app_dir,
                   env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=300)
    port = prod_server.free_port()
    url = f"http://127.0.0.1:{port}"
    profile = work / "blank" / "profile"
    profile.parent.mkdir()
    log_path = work / "blank.log"
    with log_path.open("wb") as log:
        process = prod_server.start(app_dir, port, env, log)
        try:
            prod_server.wait_ready(process, url, log_path)
            return measure(url + "/", profile, reports, "blank", runs)
        finally:
            prod_server.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; the median run is shown")
    parser.add_argument("--reports", type=Path, help="keep each page's full Lighthouse JSON report in this directory")
    args = parser.parse_args()
    missing = prod_server.missing_tools()
    if missing:
        raise SystemExit(f"missing {', '.join(map(str, missing))}: run `bash .ci/test` first (it installs them)")
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
    ensure_lighthouse()
    with tempfile.TemporaryDirectory(prefix="lantong-lighthouse-") as work:
        pages = measure_lantong(Path(work), args.reports, args.runs)
        blank = measure_blank_app(Path(work), args.reports, args.runs)
    print(json.dumps(summary(pages, blank), ensure_ascii=False))


if __name__ == "__main__":
    main()
