"""Photo uploads: turned upright, stripped of EXIF/GPS, resized, thumbnailed; bad files and bad actors refused."""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager
import time
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

import models
from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.workshop import order_actions, photos
from lantong_pwa.settings import get_settings
from tests.images import flat_png

ORIENTATION = 0x0112
GPS_IFD = 0x8825
RED = (200, 30, 30)
BLUE = (0, 0, 255)


# --- test images, built in memory -------------------------------------------------------------------------------


@cache
def rotated_jpeg_with_gps() -> bytes:
    """A 3000x2000 JPEG as a phone held upright writes it: sensor-landscape pixels plus Orientation=6 and GPS.

    A blue square sits in the stored top-left corner; once turned upright (90° clockwise) it is top-right.
    """
    image = Image.new("RGB", (3000, 2000), RED)
    image.paste(BLUE, (0, 0, 300, 300))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (22.0, 32.0, 0.0)
    gps[3] = "E"
    gps[4] = (113.0, 56.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=80)
    return buffer.getvalue()


def small_jpeg(size=(400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, RED).save(buffer, "JPEG")
    return buffer.getvalue()


def png_with_alpha() -> bytes:
    image = Image.new("RGBA", (800, 600), (10, 120, 200, 255))
    image.paste((0, 0, 0, 0), (0, 0, 400, 600))  # left half fully transparent
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# --- fixtures and helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def vehicle(session, shop) -> models.Vehicle:
    owner = models.Customer(branch_id=shop.branch.id, name="刘建国", mobile="13800138000")
    session.add(owner)
    session.flush()
    car = models.Vehicle(branch_id=shop.branch.id, customer_id=owner.id, plate="粤B12345", qr_token="tok-photos-1")
    session.add(car)
    session.commit()
    return car


def stored_files() -> set[Path]:
    photo_dir = get_settings().photo_dir
    return {path for path in photo_dir.rglob("*") if path.is_file()} if photo_dir.exists() else set()


def photo_rows(session) -> list[models.Photo]:
    return list(session.exec(select(models.Photo)).all())


def assert_refused(session, call, message_part: str) -> DomainError:
    files_before = stored_files()
    with pytest.raises(DomainError) as caught:
        call()
    assert message_part in caught.value.message
    session.rollback()
    assert photo_rows(session) == []
    assert stored_files() == files_before
    return caught.value


# --- storing ----------------------------------------------------------------------------------------------------


def test_input_image_really_carries_orientation_and_gps():
    # Guards the honesty of the stripping test below: the upload does have what must be removed.
    with Image.open(io.BytesIO(rotated_jpeg_with_gps())) as original:
        exif = original.getexif()
        assert original.size == (3000, 2000)
        assert exif[ORIENTATION] == 6
        assert exif.get_ifd(GPS_IFD)[2] == (22.0, 32.0, 0.0)
        assert "exif" in original.info


def test_rotated_photo_is_stored_upright_resized_and_without_metadata(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=rotated_jpeg_with_gps(),
                             note=" 左前门划痕 ")

    # Upright: portrait now, longest side 1600.
    assert (photo.width, photo.height) == (1067, 1600)
    assert photo.note == "左前门划痕"
    assert photo.branch_id == shop.branch.id
    assert photo.taken_by_id == shop.advisor.id

    path = get_settings().photo_dir / photo.file_name
    raw = path.read_bytes()
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert stored.mode == "RGB"
        assert stored.size == (1067, 1600)
        assert max(stored.size) <= photos.MAX_SIDE
        exif = stored.getexif()
        assert len(exif) == 0
        assert ORIENTATION not in exif
        assert len(exif.get_ifd(GPS_IFD)) == 0
        assert "exif" not in stored.info
        assert "icc_profile" not in stored.info
        # The blue corner moved from the stored top-left to the upright top-right.
        top_right = stored.getpixel((stored.width - 20, 20))
        top_left = stored.getpixel((20, 20))
        assert top_right[2] > 200 and top_right[0] < 60
        assert top_left[0] > 150 and top_left[2] < 80
    assert b"Exif\x00\x00" not in raw

    thumb = get_settings().photo_dir / photo.thumb_name
    with Image.open(thumb) as small:
        assert small.format == "JPEG"
        assert max(small.size) <= photos.THUMB_SIDE
        assert small.height > small.width
        assert len(small.getexif()) == 0
    assert photo.file_name != photo.thumb_name

    # The row is there and photo_file() hands back these very files.
    assert [row.id for row in photo_rows(session)] == [photo.id]
    assert photos.photo_file(session, shop.advisor, photo.id) == path
    assert photos.photo_file(session, shop.advisor, photo.id, thumbnail=True) == thumb


def test_png_with_alpha_is_converted_to_jpeg(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=png_with_alpha())
    assert (photo.width, photo.height) == (800, 600)
    with Image.open(get_settings().photo_dir / photo.file_name) as stored:
        assert stored.format == "JPEG"
        assert stored.mode == "RGB"
        assert stored.size == (800, 600)
        right = stored.getpixel((600, 300))
        assert abs(right[2] - 200) < 15 and abs(right[1] - 120) < 15


def test_small_photo_is_not_enlarged(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg((400, 300)))
    assert (photo.width, photo.height) == (400, 300)


def test_photo_can_belong_to_a_work_order_of_the_same_vehicle_only(session, shop, vehicle):
    order = models.WorkOrder(branch_id=shop.branch.id, number="WX20261126-0001", vehicle_id=vehicle.id,
                             customer_id=vehicle.customer_id, advisor_id=shop.advisor.id, mileage_in=1000,
                             fuel_level=2, complaint="异响")
    session.add(order)
    session.commit()
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg(), work_order_id=order.id)
    assert photo.work_order_id == order.id

    files_before = stored_files()
    with pytest.raises(NotFound):
        photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg(), work_order_id=order.id + 999)
    assert stored_files() == files_before


# --- refusing bad files -----------------------------------------------------------------------------------------


def test_file_over_15_mb_is_refused_and_nothing_stored(session, shop, vehicle):
    # A valid JPEG padded past the limit: only its size is wrong.
    data = small_jpeg() + b"\0" * (photos.MAX_UPLOAD_BYTES + 1)
    assert len(data) > 15 * 1024 * 1024
    error = assert_refused(
        session, lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=data), "15MB")
    assert error.field == "photos"


def test_text_file_named_jpg_is_refused_and_nothing_stored(session, shop, vehicle):
    data = "这不是图片，只是改了扩展名的文本文件。\n".encode() * 20
    error = assert_refused(
        session, lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=data), "不是可识别的图片")
    assert error.field == "photos"


def test_empty_file_is_refused(session, shop, vehicle):
    assert_refused(session, lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=b""), "为空")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # what the app ignores too
def test_an_image_over_40_megapixels_is_refused_before_it_is_decoded(session, shop, vehicle, monkeypatch):
    decoded = []
    monkeypatch.setattr(photos, "_upright_rgb", lambda image: decoded.append(image) or image)
    data = flat_png(7000, 7000)  # 49 megapixels in 160 KB
    assert len(data) < 200_000
    error = assert_refused(
        session, lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=data), "像素过大")
    assert error.field == "photos" and decoded == []
    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS == 40_000_000


def test_a_large_jpeg_is_decoded_at_reduced_size(session, shop, vehicle, monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGB", (6400, 4800), RED).save(buffer, "JPEG", quality=70)
    decoded_sizes = []
    thumbnail = Image.Image.thumbnail

    def spy(image, *args, **kwargs):
        decoded_sizes.append(image.size)
        return thumbnail(image, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "thumbnail", spy)
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=buffer.getvalue())
    assert decoded_sizes[0] == (3200, 2400)  # JPEG decoded at half scale, still above 1600 px
    assert (photo.width, photo.height) == (1600, 1200)


def test_at_most_two_photos_are_decoded_at_once(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()
    upright = photos._upright_rgb

    def slow_decode(image):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return upright(image)

    monkeypatch.setattr(photos, "_upright_rgb", slow_decode)
    threads = [threading.Thread(target=photos._stored_files, args=(small_jpeg(),)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == photos.DECODES_AT_ONCE == 2


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_jpeg_is_refused_and_nothing_stored(session, shop, vehicle, keep):
    whole = rotated_jpeg_with_gps()
    data = whole[: int(len(whole) * keep)]
    assert data.startswith(b"\xff\xd8")  # still looks like a JPEG from the outside
    assert_refused(
        session, lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=data), "不是可识别的图片")


def test_note_over_200_characters_is_refused(session, shop, vehicle):
    error = assert_refused(
        session,
        lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg(), note="划" * 201),
        "200",
    )
    assert error.field == "note"


def test_note_of_exactly_200_characters_is_accepted(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg(), note="划" * 200)
    assert len(photo.note) == 200


# --- who may ----------------------------------------------------------------------------------------------------


def test_technician_may_add_a_photo(session, shop, vehicle):
    photo = photos.add_photo(session, shop.technician, vehicle_id=vehicle.id, data=small_jpeg())
    assert photo.taken_by_id == shop.technician.id
    assert (get_settings().photo_dir / photo.file_name).is_file()


@pytest.mark.parametrize("role", ["parts_clerk", "cashier"])
def test_roles_without_add_photos_are_refused(session, shop, vehicle, role):
    files_before = stored_files()
    with pytest.raises(PermissionDenied):
        photos.add_photo(session, getattr(shop, role), vehicle_id=vehicle.id, data=small_jpeg())
    assert photo_rows(session) == []
    assert stored_files() == files_before


def test_user_of_another_branch_gets_not_found(session, shop, vehicle):
    files_before = stored_files()
    with pytest.raises(NotFound) as caught:
        photos.add_photo(session, shop.other_branch_advisor, vehicle_id=vehicle.id, data=small_jpeg())
    assert not isinstance(caught.value, PermissionDenied)
    assert photo_rows(session) == []
    assert stored_files() == files_before

    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg())
    with pytest.raises(NotFound):
        photos.photo_file(session, shop.other_branch_advisor, photo.id)
    with pytest.raises(NotFound):
        photos.photos_of_vehicle(session, shop.other_branch_advisor, vehicle.id)


def test_admin_sees_photos_of_every_branch(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg())
    assert photos.photo_file(session, shop.admin, photo.id).is_file()


def test_photo_file_without_a_signed_in_user_is_refused(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg())
    with pytest.raises(PermissionDenied):
        photos.photo_file(session, None, photo.id)
    with pytest.raises(PermissionDenied):
        photos.photo_file(session, None, photo.id, thumbnail=True)


def test_missing_vehicle_is_not_found(session, shop):
    with pytest.raises(NotFound):
        photos.add_photo(session, shop.advisor, vehicle_id=999_999, data=small_jpeg())


def test_photo_file_whose_file_is_gone_is_not_found(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg())
    (get_settings().photo_dir / photo.file_name).unlink()
    with pytest.raises(NotFound):
        photos.photo_file(session, shop.advisor, photo.id)


# --- listing ----------------------------------------------------------------------------------------------------


def test_photos_of_vehicle_are_newest_first(session, shop, vehicle):
    first = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg(), note="第一张")
    second = photos.add_photo(session, shop.technician, vehicle_id=vehicle.id, data=small_jpeg(), note="第二张")
    assert [p.id for p in photos.photos_of_vehicle(session, shop.technician, vehicle.id)] == [second.id, first.id]

    # Ordered by when they were taken, not by id: make the first one the newest.
    first.created_at = second.created_at + timedelta(minutes=5)
    session.add(first)
    session.commit()
    listed = photos.photos_of_vehicle(session, shop.cashier, vehicle.id)
    assert [p.note for p in listed] == ["第一张", "第二张"]


def test_damage_note_can_be_written_after_upload(session, shop, vehicle):
    photo = photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg())
    assert photos.set_note(session, shop.advisor, photo.id, "  左前门凹陷 ").note == "左前门凹陷"
    with pytest.raises(DomainError):
        photos.set_note(session, shop.advisor, photo.id, "长" * 201)
    for outsider in (shop.cashier, shop.technician):  # only intake roles write damage notes
        with pytest.raises(PermissionDenied):
            photos.set_note(session, outsider, photo.id, "x")
    with pytest.raises(NotFound):
        photos.set_note(session, shop.other_branch_advisor, photo.id, "x")
    assert session.get(models.Photo, photo.id).note == "左前门凹陷"


# --- a resend of the same shot (the photo control's key) ----------------------------------------------------------

KEY = "3f2a9c0e5b7d41c6a8e2f0b4d6c8a1e3"


@pytest.fixture
def order(session, shop, vehicle) -> models.WorkOrder:
    order = models.WorkOrder(branch_id=shop.branch.id, number="WX20261126-0002", vehicle_id=vehicle.id,
                             customer_id=vehicle.customer_id, advisor_id=shop.advisor.id, mileage_in=1000,
                             fuel_level=2, complaint="划痕")
    session.add(order)
    session.commit()
    return order


def test_the_same_shot_sent_again_is_stored_once(session, shop, order):
    files_before = stored_files()
    first = photos.add_order_photo(session, shop.advisor, order.id, rotated_jpeg_with_gps(), client_key=KEY)
    files = stored_files()
    assert len(files - files_before) == 2  # the image and its thumbnail
    audits = session.exec(select(models.AuditEvent).where(models.AuditEvent.action == "photo.add")).all()

    again = photos.add_order_photo(session, shop.advisor, order.id, rotated_jpeg_with_gps(), client_key=KEY)

    assert again.id == first.id and again.client_key == KEY
    assert (first.vehicle_id, first.work_order_id) == (order.vehicle_id, order.id)
    assert [p.id for p in photo_rows(session)] == [first.id]
    assert stored_files() == files
    assert session.exec(select(models.AuditEvent).where(models.AuditEvent.action == "photo.add")).all() == audits


def test_shots_without_a_key_or_with_different_keys_are_separate_photos(session, shop, order):
    photos.add_order_photo(session, shop.advisor, order.id, small_jpeg())
    photos.add_order_photo(session, shop.advisor, order.id, small_jpeg())
    photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(), client_key=KEY)
    photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(), client_key=KEY[::-1])
    assert len(photo_rows(session)) == 4


def test_a_resend_racing_the_first_attempt_keeps_one_photo_and_no_stray_files(session, shop, order, monkeypatch):
    first = photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(), client_key=KEY)
    files = stored_files()
    # The second attempt's look-up ran before the first attempt committed: only the unique key stops it.
    real_lookup = photos._stored_shot
    looked = []

    def late_lookup(*args):
        looked.append(args)
        return None if len(looked) == 1 else real_lookup(*args)

    monkeypatch.setattr(photos, "_stored_shot", late_lookup)
    again = photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(), client_key=KEY)
    assert again.id == first.id and len(looked) == 2
    assert [p.id for p in photo_rows(session)] == [first.id]
    assert stored_files() == files, "the losing attempt's files are removed"


@pytest.mark.parametrize("key", ["short", "x" * 65, "有中文的照片标识照片标识照片标识", "../../etc/passwd0000000"])
def test_a_malformed_key_is_refused(session, shop, order, key):
    assert_refused(session, lambda: photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(),
                                                           client_key=key), "照片标识无效")


def test_a_key_already_used_by_someone_else_or_for_another_order_is_refused(session, shop, order, vehicle):
    photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(), client_key=KEY)
    files = stored_files()
    for call in (
        lambda: photos.add_order_photo(session, shop.manager, order.id, small_jpeg(), client_key=KEY),
        lambda: photos.add_photo(session, shop.advisor, vehicle_id=vehicle.id, data=small_jpeg(), client_key=KEY),
    ):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.message == "照片标识已被使用"
    assert len(photo_rows(session)) == 1 and stored_files() == files


def test_order_photos_follow_the_order_and_its_branch(session, shop, order):
    photo = photos.add_order_photo(session, shop.advisor, order.id, small_jpeg())
    assert photos.order_photo(session, shop.advisor, photo.id, order.id).id == photo.id
    with pytest.raises(NotFound):
        photos.order_photo(session, shop.advisor, photo.id, order.id + 1)
    for actor, error in ((shop.other_branch_advisor, NotFound), (shop.cashier, PermissionDenied),
                         (None, PermissionDenied)):
        with pytest.raises(error):
            photos.order_photo(session, actor, photo.id, order.id)
        with pytest.raises(error):
            photos.add_order_photo(session, actor, order.id, small_jpeg())
    with pytest.raises(NotFound):
        photos.add_order_photo(session, shop.advisor, order.id + 999, small_jpeg())
    assert len(photo_rows(session)) == 1


# --- within a branch: who adds intake photos and notes, and never on a finished order ------------------------------


def test_only_intake_roles_add_intake_photos_and_write_their_damage_notes(session, shop, order):
    photo = photos.add_order_photo(session, shop.advisor, order.id, small_jpeg())
    assert photos.set_note(session, shop.manager, photo.id, "右后门划痕").note == "右后门划痕"
    session.commit()
    with refused_and_kept(session, PermissionDenied, "没有权限"):
        photos.set_note(session, shop.technician, photo.id, "技师改写")
    with refused_and_kept(session, PermissionDenied, "没有权限"):
        photos.add_order_photo(session, shop.technician, order.id, small_jpeg())
    assert session.get(models.Photo, photo.id).note == "右后门划痕"
    assert len(photo_rows(session)) == 1
    assert order_actions.Action.PHOTOS in order_actions.allowed(session, shop.advisor, order)
    assert order_actions.Action.PHOTOS not in order_actions.allowed(session, shop.technician, order)


@pytest.mark.parametrize("status", [models.WorkOrderStatus.SETTLED, models.WorkOrderStatus.CLOSED,
                                    models.WorkOrderStatus.CANCELLED])
def test_no_photos_or_note_changes_on_a_finished_order(session, shop, order, status):
    photo = photos.add_order_photo(session, shop.advisor, order.id, small_jpeg(), client_key=KEY)
    order.status = status
    session.add(order)
    session.commit()
    assert order_actions.Action.PHOTOS not in order_actions.allowed(session, shop.manager, order)
    files = stored_files()
    for add in (lambda: photos.add_order_photo(session, shop.manager, order.id, small_jpeg()),
                lambda: photos.add_photo(session, shop.manager, vehicle_id=order.vehicle_id, data=small_jpeg(),
                                         work_order_id=order.id),
                lambda: photos.set_note(session, shop.manager, photo.id, "改写")):
        with refused_and_kept(session, DomainError, status.label):
            add()
    assert stored_files() == files
    assert [(p.id, p.note) for p in photo_rows(session)] == [(photo.id, "")]


@contextmanager
def refused_and_kept(session, error, message_part):
    with pytest.raises(error) as caught:
        yield
    assert message_part in caught.value.message
    session.rollback()
