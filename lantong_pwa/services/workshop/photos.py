"""Walk-around and workshop photos: checked to be real images, turned upright, stripped of metadata (GPS
included), stored as a ≤1600 px JPEG plus a thumbnail under the data directory with random names.

Decoding is what costs memory (a 49-megapixel PNG of 150 KB decodes to 200 MB), so: an image over ``MAX_PIXELS``
is refused from its header, before anything is decoded; a JPEG is decoded at the smallest scale still at least
``MAX_SIDE`` (``Image.draft``); the full-size pixels are shrunk in place as soon as they are decoded; and at most
``DECODES_AT_ONCE`` photos are decoded at once in a process (the rest wait their turn)."""

from __future__ import annotations

import io
import re
import secrets
import threading
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session, col, select

from lantong_pwa.errors import DomainError, NotFound
from lantong_pwa.services.platform import audit
from lantong_pwa.services.platform.locking import locked
from lantong_pwa.services.platform.permissions import Permission, require, row_in_branch
from lantong_pwa.services.workshop import order_actions, order_status
from lantong_pwa.services.workshop.order_actions import Action
from lantong_pwa.settings import get_settings
from models import Photo, User, Vehicle, WorkOrder

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
THUMB_SIDE = 320
JPEG_QUALITY = 85
# Refuse images that would decode to more pixels than this (decompression bombs) before decoding them.
MAX_PIXELS = 40_000_000
# Pillow's own guard for any other decode in the process: it refuses above twice this, and would warn above it, but
# photos over it are refused here with a message instead, so the warning would only fill the log.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
DECODES_AT_ONCE = 2
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)
# The key a device gives each shot (random, made in the browser): letters, digits and dashes.
CLIENT_KEY = re.compile(r"[A-Za-z0-9-]{16,64}")


def _checked_image(data: bytes) -> Image.Image:
    """The image, opened lazily (only its header read) and checked: a real image of at most ``MAX_PIXELS``."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError("照片不能超过15MB", field="photos")
    if not data:
        raise DomainError("照片文件为空", field="photos")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError("照片像素过大（超过4000万像素），无法处理", field="photos")
            probe.verify()
        return Image.open(io.BytesIO(data))
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("文件不是可识别的图片（支持JPEG、PNG、WebP等）", field="photos") from None


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Decode ``image`` no larger than needed for a ``MAX_SIDE`` photo, upright and in RGB."""
    try:
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale; others: no effect
        image.load()
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)  # in place: the full size is let go
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("文件不是可识别的图片（支持JPEG、PNG、WebP等）", field="photos") from None
    return ImageOps.exif_transpose(image).convert("RGB")


def _save_jpeg(image: Image.Image, side: int, path: Path) -> tuple[int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh RGB image carries no EXIF, ICC or XMP blocks, so nothing of the original's metadata is written.
    clean = Image.new("RGB", copy.size)
    clean.paste(copy)
    clean.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return clean.size


def _stored_files(data: bytes) -> tuple[str, str, int, int]:
    """Check, decode and store the photo and its thumbnail (at most ``DECODES_AT_ONCE`` at a time); answers their
    names under the photo directory and the photo's size."""
    image = _checked_image(data)
    name = secrets.token_hex(16)
    relative_image = f"{name[:2]}/{name}.jpg"
    relative_thumb = f"{name[:2]}/{name}_t.jpg"
    photo_dir = get_settings().photo_dir
    with _decoding:
        upright = _upright_rgb(image)
        width, height = _save_jpeg(upright, MAX_SIDE, photo_dir / relative_image)
        _save_jpeg(upright, THUMB_SIDE, photo_dir / relative_thumb)
    return relative_image, relative_thumb, width, height


def add_photo(
    session: Session,
    actor: User,
    *,
    vehicle_id: int,
    data: bytes,
    note: str = "",
    work_order_id: int | None = None,
    job_line_id: int | None = None,
    client_key: str | None = None,
) -> Photo:
    """Store one uploaded photo of a vehicle (optionally of one of its work orders, while it still takes work) with
    an optional damage note. Who may add one to an order is for the caller: ``add_order_photo`` (intake roles) and
    ``job_clock.add_line_photo`` (the line's technician or a lead).

    With a ``client_key``, sending the same shot again (a retry after a dropped connection, when the first attempt
    may have been stored) returns the photo already stored instead of storing a second one."""
    require(actor, Permission.ADD_PHOTOS)
    vehicle = row_in_branch(session, actor, Vehicle, vehicle_id, "车辆不存在")
    if work_order_id is not None:
        order = session.get(WorkOrder, work_order_id)
        if order is None or order.vehicle_id != vehicle.id:
            raise NotFound("工单不存在")
        order_status.guard_workable(session, order, "添加照片")  # none on a settled, closed or cancelled order
    note = _checked_note(note)
    if client_key is not None and not CLIENT_KEY.fullmatch(client_key):
        raise DomainError("照片标识无效", field="photos")
    stored = _stored_shot(session, actor, client_key, vehicle.id, work_order_id)
    if stored is not None:
        return stored
    relative_image, relative_thumb, width, height = _stored_files(data)
    photo_dir = get_settings().photo_dir

    photo = Photo(
        branch_id=vehicle.branch_id,
        vehicle_id=vehicle.id,
        work_order_id=work_order_id,
        job_line_id=job_line_id,
        note=note,
        file_name=relative_image,
        thumb_name=relative_thumb,
        width=width,
        height=height,
        taken_by_id=actor.id,
        client_key=client_key,
    )
    if client_key is not None:
        # The same shot's other attempt may have been stored while this one was being processed: look again under
        # the vehicle's write lock (which that attempt held until it committed) and keep the stored one.
        locked(session, Vehicle, vehicle.id)
        stored = _stored_shot(session, actor, client_key, vehicle.id, work_order_id)
        if stored is not None:
            for relative in (relative_image, relative_thumb):
                (photo_dir / relative).unlink(missing_ok=True)
            return stored
    session.add(photo)
    session.flush()
    audit.record(session, actor, "photo.add", "photo", photo.id, branch_id=vehicle.branch_id,
                 work_order_id=work_order_id)
    session.flush()
    return photo


def _stored_shot(session: Session, actor: User, client_key: str | None, vehicle_id: int,
                 work_order_id: int | None) -> Photo | None:
    """The photo already stored under ``client_key``; a key used by someone else or for another vehicle is refused."""
    if client_key is None:
        return None
    photo = session.exec(select(Photo).where(Photo.client_key == client_key)).first()
    if photo is None:
        return None
    if (photo.taken_by_id, photo.vehicle_id, photo.work_order_id) != (actor.id, vehicle_id, work_order_id):
        raise DomainError("照片标识已被使用", field="photos")
    return photo


def add_order_photo(session: Session, actor: User, work_order_id: int, data: bytes, *,
                    client_key: str | None = None) -> Photo:
    """A walk-around photo taken for a work order (intake, by an intake role), kept with the order's vehicle."""
    order = _intake_order(session, actor, work_order_id)
    return add_photo(session, actor, vehicle_id=order.vehicle_id, data=data, work_order_id=order.id,
                     client_key=client_key)


def order_photo(session: Session, actor: User, photo_id: int, work_order_id: int) -> Photo:
    """One photo of a work order, for the screen that has just uploaded it."""
    require(actor, Permission.ADD_PHOTOS)
    photo = row_in_branch(session, actor, Photo, photo_id, "照片不存在")
    if photo.work_order_id != work_order_id:
        raise NotFound("照片不存在")
    return photo


def _checked_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError("照片备注不能超过200字", field="note")
    return note


def _intake_order(session: Session, actor: User, work_order_id: int) -> WorkOrder:
    """The order, if ``actor`` may add intake photos to it or change their damage notes now; raises otherwise."""
    require(actor, Permission.INTAKE)
    order = row_in_branch(session, actor, WorkOrder, work_order_id, "工单不存在")
    order_actions.require_action(session, actor, order, Action.PHOTOS)
    return order


def set_note(session: Session, actor: User, photo_id: int, note: str) -> Photo:
    """Write or change the note of a photo while its order still takes work: a job line's photo by the line's
    technician, a team lead or a manager; any other (the intake's damage notes) by an intake role."""
    require(actor, Permission.ADD_PHOTOS)
    photo = row_in_branch(session, actor, Photo, photo_id, "照片不存在")
    note = _checked_note(note)
    if photo.job_line_id is not None:
        from lantong_pwa.services.workshop.job_clock import workable_line  # it stores line photos through here

        workable_line(session, actor, photo.job_line_id, "修改照片备注")
    elif photo.work_order_id is None:
        require(actor, Permission.INTAKE)
    else:
        order = _intake_order(session, actor, photo.work_order_id)
        order_status.guard_workable(session, order, "修改照片备注")
    photo.note = note
    session.add(photo)
    audit.record(session, actor, "photo.note", "photo", photo.id, branch_id=photo.branch_id)
    session.flush()
    return photo


def photos_of_vehicle(session: Session, actor: User, vehicle_id: int) -> list[Photo]:
    require(actor, Permission.VIEW_VEHICLES)
    row_in_branch(session, actor, Vehicle, vehicle_id, "车辆不存在")
    return list(session.exec(
        select(Photo).where(Photo.vehicle_id == vehicle_id).order_by(col(Photo.created_at).desc(), col(Photo.id).desc())
    ).all())


def photo_file(session: Session, actor: User | None, photo_id: int, *, thumbnail: bool = False) -> Path:
    """The stored file of a photo, for a signed-in user allowed to see it; raises otherwise."""
    require(actor, Permission.VIEW_VEHICLES)
    photo = row_in_branch(session, actor, Photo, photo_id, "照片不存在")
    path = get_settings().photo_dir / (photo.thumb_name if thumbnail else photo.file_name)
    if not path.is_file():
        raise NotFound("照片文件丢失")
    return path
