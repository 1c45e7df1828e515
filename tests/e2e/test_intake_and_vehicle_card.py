"""The intake walk on a tablet and the vehicle card on a phone, in the production build and a real browser.

The walk (sign in → register a new customer and vehicle → open the order with a job and a part → two photos with a
damage note) runs once per module; the card tests read the vehicle it made.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in, wait_hydrated

pytestmark = pytest.mark.e2e

ORDER_NUMBER = re.compile(r"WX\d{8}-\d{4}")
COUNTED_TABLES = ("vehicle", "customer", "work_order", "job_line", "part_line", "photo")


# ---------------------------------------------------------------------------------------------------------------
# helpers


def counts(server) -> dict[str, int]:
    with server.db() as db:
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in COUNTED_TABLES}


def jpeg(colour: tuple[int, int, int], size=(2400, 1800)) -> bytes:
    image = Image.new("RGB", size, colour)
    # A few stripes so the encoder has something to do and the thumbnail is not a flat colour.
    for x in range(0, size[0], 200):
        image.paste((255, 255, 255), (x, 0, x + 20, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def assert_images_loaded(page: Page, images, expected: int) -> None:
    """``expected`` images, each scrolled into view (they may load lazily) and decoded (naturalWidth > 0)."""
    expect(images).to_have_count(expected)
    for index in range(expected):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        expect(image).to_have_attribute("src", re.compile(r"^/api/photos/\d+/thumb$"))
        image.evaluate("img => img.decode ? img.decode().catch(() => null) : null")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())


def start_intake(page: Page) -> None:
    """Sign in as the advisor; the intake page is the advisor's home."""
    sign_in(page, "advisor")
    expect(page).to_have_url(re.compile(r"/intake$"))
    expect(page.locator(".side-nav")).to_contain_text("李顾问")
    wait_hydrated(page, "#start-registration")


def fill_order_form(page: Page, *, mileage: str, complaint: str) -> None:
    page.fill("#mileage_in", mileage)
    page.get_by_role("radio", name="1/2").click()
    expect(page.get_by_role("radio", name="1/2")).to_be_checked()
    page.fill("#complaint", complaint)


# ---------------------------------------------------------------------------------------------------------------
# the walk, once per module


@dataclass(frozen=True)
class Walk:
    page: Page
    plate: str
    token: str
    vehicle_id: int
    order_id: int
    order_number: str
    complaint: str
    note: str
    before: dict[str, int]
    after: dict[str, int]


@pytest.fixture(scope="module")
def walk_page(context_factory):
    context = context_factory("tablet")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def walk(walk_page: Page, server) -> Walk:
    """The advisor's intake of a new customer's car at tablet size, step by step as the issue describes it."""
    page = walk_page
    before = counts(server)
    complaint = "冷车启动异响，怠速抖动"
    note = "左前门划痕约10厘米"

    start_intake(page)
    page.click("#start-registration")
    expect(page.locator("#reg-customer_name")).to_be_visible()
    wait_hydrated(page, "#register-submit")
    page.fill("#reg-customer_name", "王小明")
    page.fill("#reg-mobile", "13712345678")
    page.fill("#reg-plate", "浙a 5b6c7")
    page.fill("#reg-vin", "1M8GDM9AXKP042788")
    page.fill("#reg-make", "本田")
    page.fill("#reg-model", "雅阁")
    page.click("#register-submit")

    # The order form, headed by the plate in its canonical form.
    expect(page.locator("#mileage_in")).to_be_visible()
    expect(page.locator(".plate").first).to_have_text("浙A5B6C7")
    fill_order_form(page, mileage="36800", complaint=complaint)

    page.fill("#job_name", "更换机油机滤")
    page.fill("input[name=job_hours]", "1.5")
    page.fill("input[name=job_rate]", "120")
    page.click("#add-job")
    job_row = page.locator(".line-row", has_text="更换机油机滤")
    expect(job_row).to_contain_text("¥180.00")
    expect(job_row).to_contain_text("1.5 工时")

    page.fill("#part-query", "机油")
    page.press("#part-query", "Enter")
    choice = page.locator(".part-choice").first
    expect(choice).to_be_visible()
    choice_text = choice.inner_text()
    choice.click()
    expect(page.locator(".line-row")).to_have_count(2)
    part_code = choice_text.split()[0]
    expect(page.locator(".line-row").nth(1)).to_contain_text(part_code)

    page.click("#open-order")
    expect(page.locator("#order-number")).to_have_text(ORDER_NUMBER)
    order_number = page.locator("#order-number").inner_text()

    # Two photos chosen from the gallery at once; each is shrunk in the browser and uploads by itself.
    page.set_input_files("#intake-photos input.photo-library-input", files=[
        {"name": "front-left.jpg", "mimeType": "image/jpeg", "buffer": jpeg((200, 30, 30))},
        {"name": "rear.jpg", "mimeType": "image/jpeg", "buffer": jpeg((30, 160, 60))},
    ])
    expect(page.locator("#intake-photos .photo-shot-status")).to_have_text(["已上传", "已上传"])
    gallery = page.locator("#intake-gallery img")
    assert_images_loaded(page, gallery, 2)

    note_input = page.locator("#intake-gallery").get_by_placeholder("损伤备注（可选）").first
    note_input.fill(note)
    note_input.blur()
    expect(page.get_by_text("备注已保存")).to_be_visible()

    with server.db() as db:
        vehicle = db.execute("SELECT id, qr_token FROM vehicle WHERE plate = ?", ("浙A5B6C7",)).fetchone()
        order = db.execute("SELECT id FROM work_order WHERE number = ?", (order_number,)).fetchone()
    assert vehicle is not None and order is not None
    return Walk(page=page, plate="浙A5B6C7", token=vehicle["qr_token"], vehicle_id=vehicle["id"], order_id=order["id"],
                order_number=order_number, complaint=complaint, note=note, before=before, after=counts(server))


# ---------------------------------------------------------------------------------------------------------------
# tests


def test_advisor_registers_opens_order_and_adds_photos_on_a_tablet(walk: Walk, server):
    # The intake screen still shows both photos, each thumbnail served and decoded.
    assert_images_loaded(walk.page, walk.page.locator("#intake-gallery img"), 2)

    delta = {table: walk.after[table] - walk.before[table] for table in COUNTED_TABLES}
    assert delta == {"vehicle": 1, "customer": 1, "work_order": 1, "job_line": 1, "part_line": 1, "photo": 2}

    with server.db() as db:
        vehicle = db.execute("SELECT * FROM vehicle WHERE id = ?", (walk.vehicle_id,)).fetchone()
        owner = db.execute("SELECT * FROM customer WHERE id = ?", (vehicle["customer_id"],)).fetchone()
        order = db.execute("SELECT * FROM work_order WHERE id = ?", (walk.order_id,)).fetchone()
        jobs = db.execute("SELECT * FROM job_line WHERE work_order_id = ?", (walk.order_id,)).fetchall()
        parts = db.execute("SELECT * FROM part_line WHERE work_order_id = ?", (walk.order_id,)).fetchall()
        photos = db.execute("SELECT * FROM photo WHERE work_order_id = ? ORDER BY id", (walk.order_id,)).fetchall()

    assert (vehicle["plate"], vehicle["vin"], vehicle["make"], vehicle["model"]) == (
        "浙A5B6C7", "1M8GDM9AXKP042788", "本田", "雅阁")
    assert vehicle["mileage"] == 36800
    assert (owner["name"], owner["mobile"]) == ("王小明", "13712345678")
    assert ORDER_NUMBER.fullmatch(order["number"])
    assert (order["vehicle_id"], order["mileage_in"], order["fuel_level"], order["complaint"]) == (
        walk.vehicle_id, 36800, 2, walk.complaint)
    assert len(jobs) == 1 and jobs[0]["name"] == "更换机油机滤"
    assert float(jobs[0]["amount"]) == 180.0
    assert len(parts) == 1 and "机油" in parts[0]["part_name"]

    assert len(photos) == 2
    assert all(photo["vehicle_id"] == walk.vehicle_id for photo in photos)
    assert [photo["note"] for photo in photos] == [walk.note, ""]
    for photo in photos:
        image_path = server.data_dir / "photos" / photo["file_name"]
        thumb_path = server.data_dir / "photos" / photo["thumb_name"]
        assert image_path.is_file() and thumb_path.is_file()
        with Image.open(image_path) as image:
            assert image.format == "JPEG"
            assert max(image.size) <= 1600
            assert image.size == (photo["width"], photo["height"]) == (1600, 1200)
            assert not image.getexif(), "stored photos carry no EXIF"
        with Image.open(thumb_path) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) <= 320


def test_technician_opens_the_vehicle_card_on_a_phone(walk: Walk, new_context):
    page = new_context("phone").new_page()
    page.goto(f"/v/{walk.token}")

    # Not signed in: the card sends the visitor to sign in, remembering where to come back to.
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert parse_qs(urlsplit(page.url).query)["next"] == [f"/v/{walk.token}"]
    sign_in(page, "tech", navigate=False)
    expect(page).to_have_url(re.compile(rf"/v/{re.escape(walk.token)}$"))

    expect(page.locator(".plate").first).to_have_text(walk.plate)
    order = page.locator(".rt-Card", has=page.locator(".order-number", has_text=walk.order_number))
    expect(order).to_have_count(1)
    expect(order).to_contain_text(walk.complaint)
    expect(order).to_contain_text("更换机油机滤")
    expect(order).to_contain_text(walk.note)
    assert_images_loaded(page, order.locator(".photo-gallery img"), 2)

    # Phone layout: the bottom tab bar, no side navigation.
    expect(page.locator(".tab-bar")).to_be_visible()
    expect(page.locator(".side-nav")).to_be_hidden()

    # The same card on a tablet: side navigation, no tab bar.
    tablet = new_context("tablet").new_page()
    tablet.goto(f"/v/{walk.token}")
    sign_in(tablet, "tech", navigate=False)
    expect(tablet).to_have_url(re.compile(rf"/v/{re.escape(walk.token)}$"))
    expect(tablet.locator(".plate").first).to_have_text(walk.plate)
    expect(tablet.locator(".side-nav")).to_be_visible()
    expect(tablet.locator(".side-nav")).to_contain_text("张师傅")
    expect(tablet.locator(".tab-bar")).to_be_hidden()


def test_strangers_reach_neither_the_card_nor_its_photos(walk: Walk, server, new_context):
    context = new_context("phone")
    page = context.new_page()
    page.goto(f"/v/{walk.token}")
    expect(page).to_have_url(re.compile(r"/login\?"))
    assert urlsplit(page.url).path == "/login"
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_text(walk.plate)).to_have_count(0)

    with server.db() as db:
        photo_id = db.execute("SELECT id FROM photo WHERE vehicle_id = ? ORDER BY id", (walk.vehicle_id,)).fetchone()[0]
    for path in (f"/api/photos/{photo_id}", f"/api/photos/{photo_id}/thumb", f"/api/vehicles/{walk.token}/qr.png"):
        assert context.request.get(path).status == 401, path
        assert httpx.get(server.url + path).status_code == 401, path

    # Signed in, the photo is served; an unknown card token says so instead of showing an empty card.
    sign_in(page, "tech")
    assert context.request.get(f"/api/photos/{photo_id}").status == 200
    page.goto("/v/not-a-real-token")
    expect(page.locator("#card-not-found")).to_be_visible()
    expect(page.locator("#card-not-found")).to_contain_text("未找到")


def test_registration_rejects_a_short_plate_and_a_bad_mobile(server, new_context):
    page = new_context("tablet").new_page()
    start_intake(page)
    before = counts(server)

    page.click("#start-registration")
    wait_hydrated(page, "#register-submit")
    page.fill("#reg-customer_name", "赵六")
    page.fill("#reg-mobile", "12345")
    page.fill("#reg-plate", "粤B1234")
    page.click("#register-submit")

    plate_error = page.locator(".field-error").filter(has_text="7位")
    mobile_error = page.locator(".field-error").filter(has_text="手机号")
    expect(plate_error).to_be_visible()
    expect(mobile_error).to_be_visible()
    # Each message stands under its own field.
    for field, message, other in (("#reg-plate", "7位", "手机号"), ("#reg-mobile", "手机号", "7位")):
        labelled = page.locator("div").filter(has=page.locator(field)).filter(has=page.locator(".field-error")).last
        expect(labelled.locator(".field-error")).to_have_count(1)
        expect(labelled.locator(".field-error")).to_contain_text(message)
        expect(labelled.locator(".field-error")).not_to_contain_text(other)
    expect(page.locator("#mileage_in")).to_have_count(0)
    assert counts(server) == before


def test_a_double_tap_on_open_order_opens_one_order(server, new_context):
    page = new_context("tablet").new_page()
    start_intake(page)
    page.fill("#intake-query", "8K2M6")
    page.press("#intake-query", "Enter")
    page.locator(".pick-vehicle", has_text="粤A8K2M6").click()
    expect(page.locator("#mileage_in")).to_be_visible()
    expect(page.locator(".plate").first).to_have_text("粤A8K2M6")

    with server.db() as db:
        vehicle_id, mileage = db.execute("SELECT id, mileage FROM vehicle WHERE plate = '粤A8K2M6'").fetchone()
    count_orders = "SELECT count(*) FROM work_order WHERE vehicle_id = ?"
    before = server.scalar(count_orders, vehicle_id)

    fill_order_form(page, mileage=str(mileage + 1200), complaint="空调不制冷")
    page.dblclick("#open-order")
    expect(page.locator("#order-number")).to_have_text(ORDER_NUMBER)
    opened = page.locator("#order-number").inner_text()
    # The server handles a page's events one at a time, in order: once 接待下一辆 has answered, a second submit, had
    # the double tap sent one, has been handled too.
    page.get_by_role("button", name="接待下一辆").click()
    expect(page.locator("#intake-query")).to_be_visible()
    assert server.scalar(count_orders, vehicle_id) == before + 1
    assert opened == server.scalar("SELECT number FROM work_order WHERE vehicle_id = ? ORDER BY id DESC", vehicle_id)
