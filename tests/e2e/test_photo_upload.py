"""The photo control on a phone: each photo is shrunk in the browser before it leaves, uploaded with a progress bar,
and a failed upload is resent with 重试 and stored once.

What the browser sends is caught on its way to the server (``page.route``) and checked here in Python.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import Page, Route, expect
from sqlmodel import select

from lantong_pwa.services.workshop import dispatch, work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from models import JobLine, User, Vehicle
from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

RED, BLUE = (220, 20, 20), (20, 60, 200)


def camera_jpeg() -> bytes:
    """A 4000×3000 shot as a phone stores it: sideways pixels with EXIF orientation 6 (turn 90° clockwise to view)
    and the place it was taken (GPS). The stored top-left quarter is red, so upright it is the top-right quarter."""
    image = Image.new("RGB", (4000, 3000), BLUE)
    image.paste(RED, (0, 0, 2000, 1500))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (22.0, 32.0, 10.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (113.0, 56.0, 5.0),
    })
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def assert_shrunk_upright_and_clean(body: bytes) -> None:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        assert image.size == (1200, 1600), "upright (portrait) with the longest side at 1600 px"
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.GPSInfo not in exif
        assert exif.get(ExifTags.Base.Orientation, 1) == 1, "no orientation left to apply"
        rgb = image.convert("RGB")
        for point, colour in (((900, 400), RED), ((300, 400), BLUE), ((900, 1200), BLUE)):
            assert all(abs(a - b) < 40 for a, b in zip(rgb.getpixel(point), colour)), (point, rgb.getpixel(point))


def open_an_order_on_a_phone(page: Page, server) -> str:
    """Sign in as the advisor, open an order for a demo car, and land on the photo step; returns its number."""
    sign_in(page, "advisor")
    expect(page).to_have_url(re.compile(r"/intake$"))
    wait_hydrated(page, "#intake-query")
    page.fill("#intake-query", "8K2M6")
    page.press("#intake-query", "Enter")
    page.locator(".pick-vehicle", has_text="粤A8K2M6").click()
    expect(page.locator("#mileage_in")).to_be_visible()
    page.fill("#mileage_in", str(server.scalar("SELECT mileage FROM vehicle WHERE plate = '粤A8K2M6'") + 10))
    page.get_by_role("radio", name="1/2").click()
    page.fill("#complaint", "拍照测试：车身划痕")
    page.click("#open-order")
    expect(page.locator("#order-number")).to_have_text(re.compile(r"WX\d{8}-\d{4}"))
    return page.locator("#order-number").inner_text()


def test_a_phone_photo_is_shrunk_before_upload_and_a_dropped_upload_is_retried_once(server, new_context):
    page = new_context("phone").new_page()
    number = open_an_order_on_a_phone(page, server)
    order_id = server.scalar("SELECT id FROM work_order WHERE number = ?", number)

    control = page.locator("#intake-photos")
    camera = control.locator("input.photo-camera-input")
    expect(camera).to_have_attribute("accept", "image/*")
    expect(camera).to_have_attribute("capture", "environment")
    expect(control.locator("input.photo-library-input")).to_have_attribute("multiple", "")
    for button in (control.locator("label.photo-capture-button").nth(i) for i in range(2)):
        assert button.bounding_box()["height"] >= 44

    bodies: list[bytes] = []
    held: list[Route] = []

    def intercept(route: Route) -> None:
        bodies.append(route.request.post_data_buffer)
        if len(bodies) == 1:
            # The server stores the photo, but the answer never reaches the phone (the Wi-Fi dropped).
            route.fetch()
            route.abort("connectionreset")
        else:
            held.append(route)  # answered below, once the progress bar has been seen

    page.route(f"**/api/orders/{order_id}/photos", intercept)
    count_photos = "SELECT count(*) FROM photo WHERE work_order_id = ?"

    camera.set_input_files(files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])
    shot = control.locator(".photo-shot")
    expect(shot).to_have_count(1)
    expect(shot.locator(".photo-shot-status")).to_have_text("上传失败，请检查网络后重试")
    retry = shot.get_by_role("button", name="重试")
    expect(retry).to_be_visible()
    assert retry.bounding_box()["height"] >= 44
    assert server.scalar(count_photos, order_id) == 1, "the first attempt reached the server"
    expect(page.locator("#intake-gallery img")).to_have_count(0)

    retry.click()  # no new file chosen: the shrunk photo kept in the page is sent again
    progress = shot.get_by_role("progressbar")
    expect(shot.locator(".photo-shot-status")).to_contain_text("上传中")
    expect(progress).to_be_visible()
    assert len(held) == 1
    held[0].continue_()
    expect(shot.locator(".photo-shot-status")).to_have_text("已上传")
    expect(progress).to_have_js_property("value", 100)
    expect(page.locator("#intake-gallery img")).to_have_count(1)

    assert len(bodies) == 2 and bodies[0] == bodies[1], "重试 resends the same shrunk image"
    assert len(bodies[0]) < len(camera_jpeg())
    assert_shrunk_upright_and_clean(bodies[0])

    with server.db() as db:
        rows = db.execute("SELECT * FROM photo WHERE work_order_id = ?", (order_id,)).fetchall()
    assert len(rows) == 1, "a resend after a dropped connection stores the photo once"
    [row] = rows
    assert (row["width"], row["height"]) == (1200, 1600) and row["client_key"]
    stored = server.data_dir / "photos" / row["file_name"]
    assert stored.is_file() and (server.data_dir / "photos" / row["thumb_name"]).is_file()
    same_name = list((server.data_dir / "photos").rglob(stored.name.removesuffix(".jpg") + "*"))
    assert len(same_name) == 2  # the image and its thumbnail, nothing left over from the first attempt


def test_a_technician_adds_several_photos_to_a_job_line_on_a_phone(server, new_context):
    with server.orm() as session:
        advisor = session.exec(select(User).where(User.username == "advisor")).one()
        tech = session.exec(select(User).where(User.username == "tech")).one()
        vehicle = session.exec(select(Vehicle).where(Vehicle.plate == "粤BD12345")).one()
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in=str((vehicle.mileage or 0) + 10), fuel_level=2, complaint="拍照测试",
            job_lines=[JobLineInput(name="检查底盘拍照", hours="1", rate="100")]))
        dispatch.assign_order(session, advisor, order.id, technician_id=tech.id)
        line_id = session.exec(select(JobLine).where(JobLine.work_order_id == order.id)).one().id

    page = new_context("phone").new_page()
    sign_in(page, "tech")
    expect(page).to_have_url(re.compile(r"/tasks$"))
    wait_hydrated(page, f"#more-{line_id}")
    page.click(f"#more-{line_id}")
    control = page.get_by_role("dialog").locator("#line-photos")
    expect(control).to_be_visible()

    # Two shots from the gallery at once, then one more with the camera: each adds to the list.
    gallery = control.locator("input.photo-library-input")
    gallery.set_input_files(files=[
        {"name": f"part-{n}.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()} for n in (1, 2)])
    expect(control.locator(".photo-shot-done")).to_have_count(2)
    control.locator("input.photo-camera-input").set_input_files(
        files=[{"name": "part-3.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])
    expect(control.locator(".photo-shot-done")).to_have_count(3)
    expect(control.locator(".photo-shot-status")).to_have_text(["已上传"] * 3)

    # A file the browser cannot decode goes as it is, and the server's answer is shown (nothing to retry).
    not_an_image = "不是照片".encode() * 50
    sent: list[bytes] = []

    def pass_on(route: Route) -> None:
        sent.append(route.request.post_data_buffer)
        route.continue_()

    page.route(f"**/api/job-lines/{line_id}/photos", pass_on)
    gallery.set_input_files(files=[{"name": "scan.heic", "mimeType": "image/heic", "buffer": not_an_image}])
    refused = control.locator(".photo-shot").nth(3)
    expect(refused.locator(".photo-shot-status")).to_contain_text("不是可识别的图片")
    assert sent == [not_an_image]
    expect(refused.get_by_role("button", name="重试")).to_have_count(0)

    with server.db() as db:
        rows = db.execute("SELECT * FROM photo WHERE work_order_id = ?", (order.id,)).fetchall()
    assert len(rows) == 3
    assert {row["note"] for row in rows} == {"检查底盘拍照"}
    assert {(row["width"], row["height"]) for row in rows} == {(1200, 1600)}

