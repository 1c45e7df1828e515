"""The JSON and file routes beside the Reflex app: the health check, photos and QR images for signed-in staff only,
and photo uploads from the photo control."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import Session, select

with warnings.catch_warnings():  # Starlette 1.x prefers ``httpx2``; the installed ``httpx`` works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import lantong_pwa.api
import models
from lantong_pwa.services.platform import auth
from lantong_pwa.services.workshop import dispatch, photos, work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from lantong_pwa.services.workshop.vehicle_cards import card_url
from tests.conftest import PASSWORD
from tests.factories import add_vehicle
from tests.images import flat_png

PRIVATE = "private, no-store"


def jpeg(size=(900, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def client(app_engine, monkeypatch):
    # ``api`` imported ``get_engine`` by name for the health check; the other routes open ``unit_of_work``/``read_scope``.
    monkeypatch.setattr(lantong_pwa.api, "get_engine", lambda: app_engine)
    with TestClient(lantong_pwa.api.api) as test_client:
        yield test_client


@pytest.fixture
def scene(client, shop, session):
    """A vehicle of the shop's branch with one photo (``client`` first: its ``app_engine`` empties the tables)."""
    vehicle = add_vehicle(session, shop.branch.id)
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=jpeg(), note="右后门凹陷")
    return shop, vehicle, photo


def cookie(token: str) -> dict[str, str]:
    return {"cookie": f"{auth.SESSION_COOKIE}={token}"}


def signed_in(session: Session, user) -> dict[str, str]:
    """The cookie of a fresh sign-in by ``user`` (committed: each route looks it up in a session of its own)."""
    token = auth.sign_in(session, user.username, PASSWORD)
    session.commit()
    return cookie(token)


def assert_refused(response, status: int, message: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": message}
    assert response.headers["cache-control"] == PRIVATE
    assert not response.content.startswith(b"\xff\xd8") and not response.content.startswith(b"\x89PNG")


# --- health -----------------------------------------------------------------------------------------------------


def test_health_reports_the_database_at_the_newest_schema(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok" and report["database"] == "ok"
    assert report["schema_at_head"] is True
    assert report["schema_revision"] == report["schema_head"] and report["schema_head"]


def test_health_reports_an_unmigrated_database_as_an_error(client, monkeypatch, tmp_path):
    from lantong_pwa.db import make_engine

    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(lantong_pwa.api, "get_engine", lambda: empty)
    response = client.get("/api/health")
    empty.dispose()
    assert response.status_code == 503
    assert response.json()["schema_at_head"] is False


# --- photos -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/thumb"], ids=["photo", "thumb"])
def test_photos_need_a_session(scene, client, suffix):
    _, _, photo = scene
    assert_refused(client.get(f"/api/photos/{photo.id}{suffix}"), 401, "请先登录")
    assert_refused(client.get(f"/api/photos/{photo.id}{suffix}", headers=cookie("bogus-token")), 401, "请先登录")


@pytest.mark.parametrize("suffix", ["", "/thumb"], ids=["photo", "thumb"])
def test_another_branchs_user_cannot_tell_the_photo_exists(scene, client, session, suffix):
    shop, _, photo = scene
    response = client.get(f"/api/photos/{photo.id}{suffix}", headers=signed_in(session, shop.other_branch_advisor))
    assert_refused(response, 404, "记录不存在或无权查看")


@pytest.mark.parametrize("role", ["technician", "cashier", "parts_clerk", "advisor"])
def test_staff_of_the_branch_get_the_photo_and_its_thumbnail(scene, client, session, role):
    shop, _, photo = scene
    headers = signed_in(session, shop.users[role])

    full = client.get(f"/api/photos/{photo.id}", headers=headers)
    thumb = client.get(f"/api/photos/{photo.id}/thumb", headers=headers)

    for response in (full, thumb):
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["cache-control"] == PRIVATE
        assert response.content.startswith(b"\xff\xd8")
    assert Image.open(io.BytesIO(full.content)).size == (900, 600)
    assert max(Image.open(io.BytesIO(thumb.content)).size) == photos.THUMB_SIDE
    assert full.content == (photos.get_settings().photo_dir / photo.file_name).read_bytes()


def test_an_admin_sees_photos_of_every_branch(client, shop, session):
    other_vehicle = add_vehicle(session, shop.other_branch.id, plate="粤A00001")
    photo = photos.add_photo(session, shop.other_branch_advisor, vehicle_id=other_vehicle.id, data=jpeg())
    response = client.get(f"/api/photos/{photo.id}", headers=signed_in(session, shop.admin))
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"


def test_an_unknown_photo_is_not_found(scene, client, session):
    shop, _, photo = scene
    response = client.get(f"/api/photos/{photo.id + 1000}", headers=signed_in(session, shop.technician))
    assert_refused(response, 404, "照片不存在")


def test_a_signed_out_or_disabled_cookie_gets_no_photo(scene, client, session):
    shop, _, photo = scene
    token = auth.sign_in(session, shop.technician.username, PASSWORD)
    session.commit()
    assert client.get(f"/api/photos/{photo.id}", headers=cookie(token)).status_code == 200
    auth.sign_out(session, token)
    session.commit()
    assert_refused(client.get(f"/api/photos/{photo.id}", headers=cookie(token)), 401, "请先登录")

    token = auth.sign_in(session, shop.cashier.username, PASSWORD)
    user = session.get(models.User, shop.cashier.id)
    user.is_active = False
    session.add(user)
    session.commit()
    assert_refused(client.get(f"/api/photos/{photo.id}/thumb", headers=cookie(token)), 401, "请先登录")


# --- QR codes ---------------------------------------------------------------------------------------------------


def test_the_qr_image_needs_a_session(scene, client):
    _, vehicle, _ = scene
    assert_refused(client.get(f"/api/vehicles/{vehicle.qr_token}/qr.png"), 401, "请先登录")
    assert_refused(client.get(f"/api/vehicles/{vehicle.qr_token}/qr.png", headers=cookie("bogus")), 401, "请先登录")


def test_staff_get_a_qr_that_opens_the_vehicle_card(scene, client, session):
    shop, vehicle, _ = scene
    response = client.get(f"/api/vehicles/{vehicle.qr_token}/qr.png", headers=signed_in(session, shop.technician))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == PRIVATE
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    decoded = [r.text for r in zxingcpp.read_barcodes(image.convert("L")) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert decoded == [card_url(vehicle.qr_token)]


def test_an_unknown_or_foreign_qr_token_is_not_found(scene, client, session):
    shop, vehicle, _ = scene
    staff = signed_in(session, shop.technician)
    assert_refused(client.get("/api/vehicles/no-such-token/qr.png", headers=staff), 404, "未找到该车辆卡")
    foreign = signed_in(session, shop.other_branch_advisor)
    assert_refused(client.get(f"/api/vehicles/{vehicle.qr_token}/qr.png", headers=foreign), 404,
                   "记录不存在或无权查看")


# --- photo uploads from the photo control ------------------------------------------------------------------------

SHOT_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


@pytest.fixture
def workshop(client, shop, session):
    """An open order of the shop's branch with one job line, given to the technician."""
    vehicle = add_vehicle(session, shop.branch.id)
    order = work_orders.open_work_order(session, shop.advisor, OrderForm(
        vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="异响",
        job_lines=[JobLineInput(name="检查底盘", hours="1", rate="100")]))
    dispatch.assign_order(session, shop.advisor, order.id, technician_id=shop.technician.id)
    line = session.exec(select(models.JobLine).where(models.JobLine.work_order_id == order.id)).one()
    return order, line


def order_photos(session, order) -> list[models.Photo]:
    session.expire_all()
    return list(session.exec(select(models.Photo).where(models.Photo.work_order_id == order.id)).all())


def post_photo(client, path: str, headers: dict[str, str], data: bytes | None = None, key: str = SHOT_KEY):
    return client.post(path, content=jpeg() if data is None else data,
                       headers={**headers, "content-type": "image/jpeg", "x-photo-key": key})


def test_an_advisor_uploads_an_order_photo_and_a_resend_stores_it_once(workshop, client, session, shop):
    order, _ = workshop
    headers = signed_in(session, shop.advisor)
    first = post_photo(client, f"/api/orders/{order.id}/photos", headers)
    again = post_photo(client, f"/api/orders/{order.id}/photos", headers)
    assert first.status_code == again.status_code == 200
    assert first.headers["cache-control"] == PRIVATE
    [photo] = order_photos(session, order)
    assert first.json() == again.json() == {"id": photo.id}
    assert (photo.client_key, photo.vehicle_id, photo.taken_by_id) == (SHOT_KEY, order.vehicle_id, shop.advisor.id)
    assert (photo.width, photo.height) == (900, 600)


def test_the_assigned_technician_uploads_a_line_photo(workshop, client, session, shop):
    order, line = workshop
    response = post_photo(client, f"/api/job-lines/{line.id}/photos", signed_in(session, shop.technician))
    assert response.status_code == 200
    [photo] = order_photos(session, order)
    assert response.json() == {"id": photo.id} and photo.note == "检查底盘"


@pytest.mark.parametrize("route", ["order", "line"])
def test_uploads_need_a_session_and_the_role(workshop, client, session, shop, route):
    order, line = workshop
    path = f"/api/orders/{order.id}/photos" if route == "order" else f"/api/job-lines/{line.id}/photos"
    assert_refused(post_photo(client, path, {}), 401, "请先登录")
    assert_refused(post_photo(client, path, cookie("bogus-token")), 401, "请先登录")
    for user in (shop.cashier, shop.parts_clerk):
        response = post_photo(client, path, signed_in(session, user))
        assert response.status_code == 403 and response.json()["error"]
    response = post_photo(client, path, signed_in(session, shop.other_branch_advisor))
    assert response.status_code in (403, 404) and response.json()["error"]
    assert order_photos(session, order) == []


def test_a_technician_not_on_the_line_cannot_add_its_photo(workshop, client, session, shop):
    order, line = workshop
    colleague = models.User(username="tech9", display_name="王师傅", password_hash=shop.technician.password_hash,
                            role=models.Role.TECHNICIAN, branch_id=shop.branch.id)
    session.add(colleague)
    session.commit()
    assert_refused(post_photo(client, f"/api/job-lines/{line.id}/photos", signed_in(session, colleague)), 403,
                   "只能操作派给自己的维修项目")
    assert order_photos(session, order) == []


def test_an_upload_over_15_mb_or_not_an_image_is_refused(workshop, client, session, shop):
    order, _ = workshop
    headers = signed_in(session, shop.advisor)
    path = f"/api/orders/{order.id}/photos"
    too_big = jpeg() + b"\0" * photos.MAX_UPLOAD_BYTES
    assert_refused(post_photo(client, path, headers, too_big), 413, "照片不能超过15MB")
    response = post_photo(client, path, headers, "不是图片".encode() * 100)
    assert response.status_code == 400 and "不是可识别的图片" in response.json()["error"]
    assert_refused(post_photo(client, path, headers, key="bad key"), 400, "照片标识无效")
    assert order_photos(session, order) == []


# --- uploads cannot exhaust the server --------------------------------------------------------------------------


def test_a_body_sent_at_a_trickle_is_cut_off_after_the_body_timeout(monkeypatch):
    """A sender at a byte every 0.2 s, with ``LANTONG_BODY_TIMEOUT=1``: refused after about a second (before any
    session is looked at) and the connection is closed."""
    monkeypatch.setenv("LANTONG_BODY_TIMEOUT", "1")
    sent: list[dict] = []

    async def trickle():
        await asyncio.sleep(0.2)
        return {"type": "http.request", "body": b"x", "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/orders/1/photos", "raw_path": b"/api/orders/1/photos",
             "query_string": b"", "headers": [(b"content-length", b"1000")], "http_version": "1.1",
             "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 1234), "root_path": ""}
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(lantong_pwa.api.api(scope, trickle, send), 10))
    assert 0.9 < time.monotonic() - started < 5
    start = sent[0]
    assert start["status"] == 408 and (b"connection", b"close") in start["headers"]
    assert json.loads(sent[1]["body"]) == {"error": "上传超时，请检查网络后重试"}


PROBE = r"""
import json, sys, threading
from starlette.testclient import TestClient
import lantong_pwa.api

def peak_kb():  # the most this process has ever had resident
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

path, cookie, warm_up, big = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read(), open(sys.argv[4], "rb").read()
headers = {"cookie": cookie, "content-type": "image/png"}
with TestClient(lantong_pwa.api.api) as client:
    assert client.post(path, content=warm_up, headers=headers).status_code == 200  # Pillow, database, threads
    before = peak_kb()
    answers = [None] * 3
    def upload(i):
        response = client.post(path, content=big, headers=headers)
        answers[i] = [response.status_code, response.json()]
    threads = [threading.Thread(target=upload, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"grown_mb": (peak_kb() - before) / 1024, "answers": answers}))
"""


def test_three_49_megapixel_pngs_at_once_grow_the_server_by_150_mb_at_most(workshop, client, session, shop, engine,
                                                                           tmp_path):
    """In a process of its own (its peak resident memory is its own): three 160 KB PNGs that would each decode to
    150 MB, sent at once, are refused from their headers; the process's peak grows by far less than 150 MB."""
    order, _ = workshop
    (tmp_path / "small.jpg").write_bytes(jpeg())
    (tmp_path / "big.png").write_bytes(flat_png(7000, 7000))
    env = {**os.environ, "LANTONG_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, f"/api/orders/{order.id}/photos", signed_in(session, shop.advisor)["cookie"],
         str(tmp_path / "small.jpg"), str(tmp_path / "big.png")],
        env=env, cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["grown_mb"] <= 150
    assert report["answers"] == [[400, {"error": "照片像素过大（超过4000万像素），无法处理"}]] * 3
    assert len(order_photos(session, order)) == 1  # the warm-up photo only
