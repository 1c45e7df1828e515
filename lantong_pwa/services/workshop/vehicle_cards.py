"""QR vehicle cards (X3): the QR image that opens ``<public URL>/v/<token>`` and a printable label; the same QR
images for other links (the follow-up link on the settlement sheet); and which scanned texts are vehicle cards."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage

from sqlmodel import Session

from lantong_pwa.errors import DomainError
from lantong_pwa.services.platform.permissions import Permission, allows, require
from lantong_pwa.services.workshop.vehicles import VehicleMatch, vehicle_by_token
from lantong_pwa.settings import get_settings
from models import Branch, Role, User

# A card link's path after the public URL's own: ``/v/<token>`` (URL-safe base64, see vehicles.new_qr_token).
CARD_PATH = r"/v/([A-Za-z0-9_-]{16,43})/?"


def card_url(qr_token: str) -> str:
    return f"{get_settings().public_url}/v/{qr_token}"


def public_url_is_local() -> bool:
    """Whether QR codes point at this machine only (``LANTONG_PUBLIC_URL`` unset), which no phone can open."""
    host = urlsplit(get_settings().public_url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


LOCAL_LINK_WARNING = (
    "车辆卡二维码现在指向本机地址（{url}），手机扫码打不开。请在服务器上把环境变量 LANTONG_PUBLIC_URL "
    "设为店里手机能访问的地址（例如 http://192.168.1.10:3000 或 https://门店域名），重启蓝通后再打印车辆卡。"
)


@dataclass(frozen=True)
class CardDisclosure:
    """What a person is shown on a vehicle card and in the vehicle search that leads to it."""
    owner_contact_and_prices: bool  # the owner's mobile, and rates, unit prices, line amounts and totals
    link_warning: str = ""  # in Chinese, with the fix, for those who can have it fixed; "" when there is none


def card_disclosure(session: Session, actor: User | None) -> CardDisclosure:
    """A technician sees what the job needs (no mobile, no prices) unless the branch lets technicians see more;
    admins and managers are told, with what to do, when the QR codes point at this machine only."""
    require(actor, Permission.VIEW_VEHICLES)
    everything = allows(actor, Permission.VIEW_CONTACT_AND_PRICES) or (
        Role(actor.role) == Role.TECHNICIAN and session.get(Branch, actor.branch_id).technicians_see_contact_and_prices)
    warn = public_url_is_local() and allows(actor, Permission.FIX_SETUP)
    return CardDisclosure(owner_contact_and_prices=everything,
                          link_warning=LOCAL_LINK_WARNING.format(url=get_settings().public_url) if warn else "")


def qr_png(qr_token: str, *, box_size: int = 10) -> bytes:
    """A PNG of the QR code for the vehicle's card URL, with the quiet zone scanners need."""
    return url_qr_png(card_url(qr_token), box_size=box_size)


def url_qr_png(url: str, *, box_size: int = 10) -> bytes:
    """A PNG of a QR code encoding ``url`` (vehicle cards, follow-up links)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4, image_factory=PilImage)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(url: str, *, box_size: int = 6) -> str:
    """The QR code of ``url`` as an inline image (a printed sheet shows it without another request)."""
    return "data:image/png;base64," + base64.b64encode(url_qr_png(url, box_size=box_size)).decode()


def card_token(text: str) -> str | None:
    """The vehicle token in a scanned text if it is a card link, ``<LANTONG_PUBLIC_URL>/v/<token>`` (scheme and host
    compared without case, a trailing slash allowed, the query ignored); ``None`` for anything else."""
    scanned, ours = urlsplit((text or "").strip()), urlsplit(get_settings().public_url)
    if (scanned.scheme.lower(), scanned.netloc.lower()) != (ours.scheme.lower(), ours.netloc.lower()):
        return None
    match = re.fullmatch(re.escape(ours.path) + CARD_PATH, scanned.path)
    return match.group(1) if match else None


def scanned_vehicle(session: Session, actor: User | None, text: str) -> VehicleMatch:
    """The vehicle whose card was scanned, under the same checks as opening the card; ``DomainError`` when the text
    is no vehicle card (不是蓝通车辆卡) or names no vehicle the actor may see."""
    require(actor, Permission.VIEW_VEHICLES)
    token = card_token(text)
    if token is None:
        raise DomainError("不是蓝通车辆卡")
    return vehicle_by_token(session, actor, token)
