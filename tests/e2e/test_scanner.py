"""The in-app scanner in the production build, on a phone, fed real images two ways:

- through Chromium's fake camera (``--use-file-for-fake-video-capture`` with a Y4M video written here with Pillow),
  in a browser of its own per video: the sheet opens the rear camera, reads the code, and stops the camera;
- through the photo input the sheet offers when there is no camera (the shared browser has none): a PNG of the code.

The technician's QR of a vehicle card lands on that vehicle's card with 我的维修项目 and the start button; another QR
is refused with a message. The parts clerk's Code 128 and EAN-13 part codes pick their lines, moving the ledger once;
an unknown code gets the pick list's message and moves nothing.

Headless Chromium on Linux has no ``BarcodeDetector``, so most of these tests exercise the ZXing fallback (zxing-wasm),
and check that nothing (its .wasm file included) is fetched from anywhere but the app's own server. Where a phone has
one, a stand-in ``BarcodeDetector`` shows that the scanner uses it instead, and only when it reads all three formats.
Other test modules share the server: every vehicle, order and part used here is made here through the services.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlmodel import func, select

from lantong_pwa.services.parts import stock
from lantong_pwa.services.workshop import dispatch, work_orders
from lantong_pwa.services.workshop.vehicle_cards import url_qr_png
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm, PartLineInput
from models import JobLine, Part, PartLine, StockMoveKind, User, Vehicle, Warehouse
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, sign_in, wait_hydrated
from tests.factories import add_part, add_vehicle

pytestmark = pytest.mark.e2e

JOB = "扫码开工检查"
CODE_128_PART = "SCAN-128-01"
EAN_13_PART = "6901234567892"  # a valid EAN-13 (check digit 2)
# Wraps getUserMedia to keep every stream the page opened, so a test can tell whether the camera was stopped.
RECORD_STREAMS = """
window.__streams = [];
if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    window.__streams.push({constraints, stream});
    return stream;
  };
}
"""
# A phone's own BarcodeDetector, standing in for Android Chrome's: it reads the formats in window.__nativeFormats and
# "sees" window.__nativeText on every image it is given, keeping each image's size.
NATIVE_DETECTOR = """
window.__detected = [];
window.BarcodeDetector = class {
  static async getSupportedFormats() { return window.__nativeFormats; }
  constructor(options) { window.__detectorFormats = options.formats; }
  async detect(image) {
    window.__detected.push([image.width, image.height]);
    return [{format: 'qr_code', rawValue: window.__nativeText}];
  }
};
"""
CAMERA_STATE = """() => window.__streams.map(s => ({
  facingMode: s.constraints.video.facingMode,
  live: s.stream.getTracks().filter(t => t.readyState === 'live').length}))"""


# --- images -----------------------------------------------------------------------------------------------------


def barcode_png(text: str, barcode_format) -> bytes:
    image = Image.fromarray(zxingcpp.create_barcode(text, barcode_format).to_image(scale=4))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def blank_png(size: tuple[int, int]) -> bytes:
    """A plain white PNG of ``size``."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def write_y4m(png: bytes | None, path: Path, size: tuple[int, int] = (640, 480), frames: int = 5) -> Path:
    """A short Y4M video (4:2:0, the format Chromium's fake camera reads) of the image centred on white."""
    width, height = size
    frame = Image.new("RGB", size, "white")
    if png is not None:
        code = Image.open(io.BytesIO(png)).convert("RGB")
        code.thumbnail((width - 40, height - 40))
        frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
                     + (b"FRAME\n" + planes) * frames)
    return path


# --- the scene --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TechnicianScene:
    token: str
    job_line_id: int


@dataclass(frozen=True)
class PickScene:
    order_id: int
    lines: dict[str, int]  # part code → parts line id


def _user(session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def _new_vehicle(session, branch_id: int) -> Vehicle:
    n = (session.exec(select(func.max(Vehicle.id))).one() or 0) + 1
    return add_vehicle(session, branch_id, plate=f"粤S{n:05d}", mobile=f"1370000{n:04d}", owner_name="扫码测试",
                       make="本田", model="飞度")


@pytest.fixture
def technician_scene(server) -> TechnicianScene:
    """A new vehicle with an open order whose one job line is dispatched to the demo technician ``tech``."""
    with server.orm() as session:
        advisor, tech = _user(session, "advisor"), _user(session, "tech")
        vehicle = _new_vehicle(session, advisor.branch_id)
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=vehicle.id, mileage_in="1000", fuel_level=2, complaint="扫码测试",
            job_lines=[JobLineInput(name=JOB, hours="1", rate="100")]))
        dispatch.assign_order(session, advisor, order.id, technician_id=tech.id)
        line_id = session.exec(select(JobLine.id).where(JobLine.work_order_id == order.id)).one()
        return TechnicianScene(token=vehicle.qr_token, job_line_id=line_id)


def _part(session, branch_id: int, code: str, name: str) -> Part:
    return session.exec(select(Part).where(Part.branch_id == branch_id, Part.code == code)).first() \
        or add_part(session, branch_id, code=code, name=name, price="30.00")


@pytest.fixture
def pick_scene(server) -> PickScene:
    """A new order with two parts lines (a Code 128 part code and an EAN-13 one), 5 of each in stock."""
    with server.orm() as session:
        advisor, clerk = _user(session, "advisor"), _user(session, "parts")
        warehouse = session.exec(select(Warehouse).where(Warehouse.branch_id == clerk.branch_id)
                                 .order_by(Warehouse.id)).first()
        parts = [_part(session, clerk.branch_id, CODE_128_PART, "扫码测试滤芯"),
                 _part(session, clerk.branch_id, EAN_13_PART, "扫码测试机油")]
        for part in parts:
            stock.receive_stock(session, clerk, warehouse.id, part.id, "5", "10.00")
        order = work_orders.open_work_order(session, advisor, OrderForm(
            vehicle_id=_new_vehicle(session, advisor.branch_id).id, mileage_in="1000", fuel_level=2,
            complaint="扫码领料测试", job_lines=[JobLineInput(name="保养", hours="1", rate="100")],
            part_lines=[PartLineInput(part_id=part.id, quantity="2") for part in parts]))
        lines = session.exec(select(PartLine).where(PartLine.work_order_id == order.id)).all()
        return PickScene(order_id=order.id, lines={line.part_code: line.id for line in lines})


def picks(server, part_line_id: int) -> list[Decimal]:
    """The ledger's pick movements of one parts line (negative quantities: stock out)."""
    with server.db() as db:
        rows = db.execute("SELECT quantity FROM stock_move WHERE part_line_id = ? AND kind = ?",
                          (part_line_id, StockMoveKind.PICK.value)).fetchall()
    return [Decimal(str(row[0])) for row in rows]


# --- browsers ---------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def offsite(server) -> Iterator[list[str]]:
    """What the pages of a test asked of any other site than the app's server: nothing, checked after the test."""
    asked: list[str] = []
    yield asked
    assert asked == [], f"requests left the app's server: {asked}"


def _watch(context, server, offsite: list[str]) -> None:
    context.on("request", lambda request: None if request.url.startswith((server.url, "data:", "blob:"))
               else offsite.append(request.url))



@pytest.fixture
def camera_page(server, browser, tmp_path, offsite) -> Iterator[Callable[[bytes | None, str], Page]]:
    """``open(png, username)``: a phone page, signed in, in a Chromium of its own (launched by the shared browser's
    Playwright) whose camera films ``png`` (None: a blank white picture)."""
    browsers: list[Browser] = []

    def open_page(png: bytes | None, username: str) -> Page:
        video = write_y4m(png, tmp_path / f"camera{len(browsers)}.y4m")
        camera_browser = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        browsers.append(camera_browser)
        context = camera_browser.new_context(base_url=server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                             permissions=["camera"], **PHONE)
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_STREAMS)
        _watch(context, server, offsite)
        page = context.new_page()
        sign_in(page, username)
        return page

    try:
        yield open_page
    finally:
        for camera_browser in browsers:
            camera_browser.close()


@pytest.fixture
def phone_page(server, new_context, offsite) -> Callable[[str], Page]:
    """``open(username)``: a phone page, signed in, in the shared browser, which has no camera."""
    def open_page(username: str) -> Page:
        context = new_context("phone")
        _watch(context, server, offsite)
        page = context.new_page()
        sign_in(page, username)
        return page

    return open_page


def open_scanner(page: Page) -> None:
    wait_hydrated(page, "#scan-button")
    page.click("#scan-button")
    expect(page.locator("#scanner-sheet")).to_be_visible()


def expect_camera_stopped(page: Page) -> None:
    expect(page.locator("#scanner-sheet")).to_have_count(0)
    streams = page.evaluate(CAMERA_STATE)
    assert streams and all(s["facingMode"] == "environment" for s in streams), streams
    assert all(s["live"] == 0 for s in streams), f"the camera is still on: {streams}"


def scan_photo(page: Page, png: bytes) -> None:
    """Without a camera the sheet says so in Chinese and offers a photo; give it ``png``."""
    expect(page.locator("#scanner-message")).to_contain_text("请拍照或选择图片识别")
    page.set_input_files("#scanner-photo", files=[{"name": "code.png", "mimeType": "image/png", "buffer": png}])


# --- the technician ---------------------------------------------------------------------------------------------


def expect_my_card(page: Page, scene: TechnicianScene) -> None:
    expect(page).to_have_url(re.compile(rf"/v/{re.escape(scene.token)}/?$"))
    mine = page.locator("#my-lines")
    expect(mine).to_contain_text("我的维修项目")
    expect(mine).to_contain_text(JOB)
    expect(page.locator(f"#start-{scene.job_line_id}")).to_be_visible()


def test_technician_scans_a_vehicle_card_with_the_camera(server, camera_page, technician_scene):
    page = camera_page(url_qr_png(f"{server.url}/v/{technician_scene.token}"), "tech")
    page.goto("/tasks")
    open_scanner(page)
    expect_my_card(page, technician_scene)
    expect_camera_stopped(page)


def test_without_a_camera_a_photo_of_the_card_opens_it(server, phone_page, technician_scene):
    page = phone_page("tech")
    page.goto("/tasks")
    open_scanner(page)
    scan_photo(page, url_qr_png(f"{server.url}/v/{technician_scene.token}"))
    expect_my_card(page, technician_scene)


def test_a_qr_code_that_is_no_vehicle_card_is_refused(phone_page):
    page = phone_page("tech")
    page.goto("/tasks")
    open_scanner(page)
    scan_photo(page, url_qr_png("https://example.com/v/not-a-lantong-card"))
    expect(page.get_by_text("不是蓝通车辆卡")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/tasks/?$"))
    expect(page.locator("#scanner-sheet")).to_have_count(0)


def test_cancel_closes_the_camera(camera_page):
    page = camera_page(None, "tech")
    page.goto("/tasks")
    open_scanner(page)
    expect(page.locator("#scanner-message")).to_have_text("将二维码或条码对准框内")
    page.get_by_role("button", name="取消").click()
    expect_camera_stopped(page)


def test_leaving_the_page_closes_the_camera(camera_page):
    page = camera_page(None, "tech")
    page.goto("/orders")
    wait_hydrated(page, "a[href='/tasks']")
    page.get_by_role("link", name="任务").click()  # within the app: the same document keeps the streams known
    open_scanner(page)
    expect(page.locator("#scanner-message")).to_have_text("将二维码或条码对准框内")
    page.go_back()  # as the phone's back button does
    expect(page).to_have_url(re.compile(r"/orders/?$"))
    expect_camera_stopped(page)


def native_detector_page(phone_page, formats: list[str], text: str) -> Page:
    page = phone_page("tech")
    page.context.add_init_script(NATIVE_DETECTOR)
    page.context.add_init_script(f"window.__nativeFormats = {formats!r}; window.__nativeText = {text!r};")
    page.goto("/tasks")
    return page


def test_a_phone_with_its_own_barcode_detector_reads_with_it_and_loads_no_zxing(server, phone_page,
                                                                                technician_scene):
    url = f"{server.url}/v/{technician_scene.token}"
    page = native_detector_page(phone_page, ["ean_13", "qr_code", "code_128", "upc_a"], url)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    open_scanner(page)
    scan_photo(page, blank_png((3000, 2000)))  # the stand-in reads any picture; it gets this one scaled down
    expect_my_card(page, technician_scene)
    assert page.evaluate("window.__detectorFormats") == ["qr_code", "code_128", "ean_13"]
    assert page.evaluate("window.__detected") == [[1280, 853]]
    assert not [url for url in fetched if "zxing" in url]


def test_a_barcode_detector_missing_a_format_is_passed_over_for_zxing(server, phone_page, technician_scene):
    page = native_detector_page(phone_page, ["qr_code"], "https://example.com/never-read")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    open_scanner(page)
    scan_photo(page, url_qr_png(f"{server.url}/v/{technician_scene.token}"))
    expect_my_card(page, technician_scene)
    assert page.evaluate("window.__detected") == []
    assert [url for url in fetched if url.endswith(".wasm") and "zxing_reader" in url]


# --- the parts clerk --------------------------------------------------------------------------------------------


def open_pick_list(page: Page, scene: PickScene) -> None:
    page.goto(f"/parts/orders/{scene.order_id}")
    expect(page.get_by_text("扫码测试滤芯")).to_be_visible()


def expect_picked_once(page: Page, server, part_line_id: int) -> None:
    expect(page.get_by_text("已领料 1")).to_be_visible()
    expect(page.locator(f"#pick-line-{part_line_id}")).to_have_class(re.compile(r"\bpicked\b"))
    assert picks(server, part_line_id) == [Decimal(-1)]


def test_parts_clerk_scans_a_code_128_part_with_the_camera(server, camera_page, pick_scene):
    page = camera_page(barcode_png(CODE_128_PART, zxingcpp.BarcodeFormat.Code128), "parts")
    open_pick_list(page, pick_scene)
    open_scanner(page)
    expect_picked_once(page, server, pick_scene.lines[CODE_128_PART])
    expect_camera_stopped(page)
    assert picks(server, pick_scene.lines[EAN_13_PART]) == []


def test_parts_clerk_scans_an_ean_13_photo(server, phone_page, pick_scene):
    page = phone_page("parts")
    open_pick_list(page, pick_scene)
    open_scanner(page)
    scan_photo(page, barcode_png(EAN_13_PART, zxingcpp.BarcodeFormat.EAN13))
    expect_picked_once(page, server, pick_scene.lines[EAN_13_PART])
    assert picks(server, pick_scene.lines[CODE_128_PART]) == []


def test_an_unknown_part_code_moves_nothing(server, phone_page, pick_scene):
    page = phone_page("parts")
    open_pick_list(page, pick_scene)
    open_scanner(page)
    scan_photo(page, barcode_png("NO-SUCH-PART", zxingcpp.BarcodeFormat.Code128))
    expect(page.get_by_text("没有编码为NO-SUCH-PART的配件")).to_be_visible()
    assert all(picks(server, line_id) == [] for line_id in pick_scene.lines.values())
