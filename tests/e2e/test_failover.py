"""A chain's server losing one of its processes, in the production build and a real browser: two app processes
behind Debian's nginx, on one PostgreSQL database (fresh, of its own) and one Redis, laid out as ``deploy/`` lays it
out (``prod_server.start_cluster``).

A phone signs in and starts an order at 开单 (a new customer and vehicle, a job line added). The process holding
its websocket is stopped. The phone reconnects through nginx to the other process and carries on: still signed in,
the order form as it was (its job line is the server's state, kept in Redis), and 开单 opens exactly one order. A
photo uploaded to one process is served by the other (one photo directory), and signing out leaves no key of the
phone's old client token in Redis.

Needs ``LANTONG_TEST_POSTGRES_URL`` (``.ci/run`` sets it) and Redis at 127.0.0.1:6379, whose database 14 the test
has to itself and empties afterwards (``LANTONG_TEST_FAILOVER_REDIS_URL`` names another).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from lantong_pwa import prod_server
from lantong_pwa.db import make_engine
from lantong_pwa.reflex_internals import CLIENT_TOKEN_STORAGE_KEY
from lantong_pwa.services.platform import auth
from lantong_pwa.services.workshop import work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import User
from tests.conftest import POSTGRES_URL, _create_postgres_database, _drop_postgres_database
from tests.e2e.conftest import PHONE, sign_in, wait_hydrated
from tests.factories import add_vehicle
from tests.state.harness import jpeg_bytes
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

REDIS_URL = os.environ.get("LANTONG_TEST_FAILOVER_REDIS_URL", "redis://127.0.0.1:6379/14")


def established_to(port: int) -> int:
    """Open TCP connections to ``port`` on this machine: between nginx and an app process, only websockets stay
    open (nginx keeps no idle connections to its upstream here)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def serving(cluster: prod_server.Cluster) -> list[int]:
    """The processes (by index) holding a websocket."""
    return [index for index, port in enumerate(cluster.ports)
            if cluster.processes[index] is not None and established_to(port)]


@pytest.fixture(scope="module")
def redis_client() -> Iterator:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is not answering ({error}): set LANTONG_TEST_REDIS_URL")
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_client) -> Iterator[prod_server.Cluster]:
    if not POSTGRES_URL:
        pytest.skip("the chain runs on PostgreSQL: set LANTONG_TEST_POSTGRES_URL (.ci/run does)")
    for tool in prod_server.missing_tools():
        pytest.fail(f"{tool} is missing: run `bash .ci/test` (it sources .ci/setup) to install it")
    database_url = _create_postgres_database()
    work_dir = tmp_path_factory.mktemp("cluster")
    try:
        try:
            chain = prod_server.start_cluster(work_dir, database_url=database_url, redis_url=REDIS_URL, processes=2)
        except prod_server.ServerError as error:
            pytest.fail(str(error))
        try:
            yield chain
        finally:
            chain.stop()
    finally:
        _drop_postgres_database(database_url)


def advisors_order(cluster: prod_server.Cluster) -> int:
    """An open order of the demo advisor's branch (opened through the service, committed)."""
    engine = make_engine(cluster.env["LANTONG_DATABASE_URL"])
    try:
        with Session(engine) as session:
            advisor = session.exec(select(User).where(User.username == "advisor")).one()
            vehicle = add_vehicle(session, advisor.branch_id, plate=f"桂A{secrets.randbelow(10**5):05d}",
                                  mobile=f"136{secrets.randbelow(10**8):08d}")
            order = work_orders.open_work_order(session, advisor, OrderForm(
                vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="拍照",
                job_lines=[JobLineInput(name="检查", hours="1", rate="100")]))
            session.commit()
            return order.id
    finally:
        engine.dispose()


def scalar(cluster: prod_server.Cluster, sql: str, **params):
    engine = create_engine(cluster.env["LANTONG_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


ORDER_FORM = {"#complaint": "切换前填写：空调不凉", "#mileage_in": "5600"}
ORDERS_OF_PLATE = ("SELECT count(*) FROM work_order JOIN vehicle ON vehicle.id = work_order.vehicle_id "
                   "WHERE vehicle.plate = :plate")


def start_an_order(page: Page, plate: str) -> None:
    """开单 for a new customer's vehicle, with a job line added and the order not yet opened."""
    wait_hydrated(page, "#start-registration")
    page.click("#start-registration")
    wait_hydrated(page, "#register-submit")
    registration = {"#reg-customer_name": "切换测试", "#reg-mobile": f"137{secrets.randbelow(10**8):08d}",
                    "#reg-plate": plate, "#reg-make": "五菱"}
    for field, value in registration.items():
        page.fill(field, value)
    page.click("#register-submit")
    expect(page).to_have_url(re.compile(r"/intake\?vehicle="))
    wait_hydrated(page, "#open-order")
    for field, value in {"#job_name": "空调检修", "input[name=job_fixed]": "120"}.items():
        page.fill(field, value)
    page.click("#add-job")
    expect(page.locator(".line-row", has_text="空调检修")).to_contain_text("¥120.00")
    for field, value in ORDER_FORM.items():
        page.fill(field, value)
    page.get_by_role("radio", name="1/2").click()


def test_a_phone_carries_on_through_the_other_process_when_its_own_stops(cluster, browser, redis_client):
    context = browser.new_context(base_url=cluster.url, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, "advisor")
        expect(page).to_have_url(re.compile(r"/intake"))

        # A photo sent to one process is served by the other: both keep photos in the one photo directory.
        cookie = {auth.SESSION_COOKIE: next(c["value"] for c in context.cookies() if c["name"] == auth.SESSION_COOKIE)}
        order_id = advisors_order(cluster)
        photo = jpeg_bytes(size=(640, 480))
        with httpx.Client(cookies=cookie, timeout=30) as client:
            sent = client.post(f"{cluster.app_url(0)}/api/orders/{order_id}/photos", content=photo,
                               headers={"content-type": "image/jpeg", "x-photo-key": secrets.token_hex(8)})
            assert sent.status_code == 200, sent.text
            served = client.get(f"{cluster.app_url(1)}/api/photos/{sent.json()['id']}")
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.content[:2] == b"\xff\xd8" and len(served.content) > 1000

        plate = f"桂B{secrets.randbelow(10**5):05d}"
        start_an_order(page, plate)
        [before] = wait_until(lambda: serving(cluster) if len(serving(cluster)) == 1 else None,
                              "exactly one process holds the phone's websocket")
        other = 1 - before

        cluster.stop_app(before)
        wait_until(lambda: established_to(cluster.ports[other]), "the phone reconnects to the other process")

        # Carries on where it was: still signed in, the form as it was, its job line from the state in Redis.
        expect(page.locator("#connection-down")).to_have_count(0)
        expect(page.locator("#open-order")).to_be_enabled()
        expect(page).to_have_url(re.compile(r"/intake\?vehicle="))
        for field, value in ORDER_FORM.items():
            expect(page.locator(field)).to_have_value(value)
        expect(page.get_by_role("radio", name="1/2")).to_be_checked()
        expect(page.locator(".line-row", has_text="空调检修")).to_contain_text("¥120.00")
        expect(page.locator(".draft-hint")).to_have_count(0)  # nothing came back from a draft: the server had it
        assert scalar(cluster, ORDERS_OF_PLATE, plate=plate) == 0

        page.click("#open-order")
        number = page.locator("#order-number")
        expect(number).to_have_text(re.compile(r"\S"))
        assert scalar(cluster, ORDERS_OF_PLATE, plate=plate) == 1
        assert scalar(cluster, "SELECT count(*) FROM job_line JOIN work_order ON work_order.id = job_line.work_order_id"
                               " WHERE work_order.number = :number", number=number.inner_text()) == 1

        # Signing out drops the state of the phone's client token from Redis (its state is named by the token bound
        # to the session, web_session.py); the page carries on under a new one.
        token = page.evaluate(f"window.sessionStorage.getItem('{CLIENT_TOKEN_STORAGE_KEY}')")
        def signed_in_keys() -> list:
            return [key for key in redis_client.scan_iter(match=f"{token}.*") if b".anon_" not in key]

        assert signed_in_keys(), "the phone's state is in Redis"
        page.click("#tab-more")
        page.get_by_role("menuitem", name="退出登录").click()
        expect(page).to_have_url(re.compile(r"/login"))
        wait_hydrated(page, "#username")
        wait_until(lambda: not signed_in_keys(), "no key of the signed-out client token is left in Redis")
        assert page.evaluate(f"window.sessionStorage.getItem('{CLIENT_TOKEN_STORAGE_KEY}')") not in (None, token)
    except BaseException:
        page.screenshot(path=str(cluster.work_dir / "failover.png"), full_page=True)
        raise
    finally:
        context.close()
