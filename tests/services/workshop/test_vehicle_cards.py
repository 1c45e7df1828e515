"""QR vehicle cards: the PNG really scans to ``<LANTONG_PUBLIC_URL>/v/<token>``, and a scanned text counts as a
card only when it is exactly such a link to a vehicle the person may see."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import select

from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.services.workshop import vehicle_cards
from lantong_pwa.services.workshop.vehicle_cards import card_token, card_url, qr_png, scanned_vehicle
from lantong_pwa.services.workshop.vehicles import new_qr_token
from lantong_pwa.settings import get_settings
from lantong_pwa.services.platform import shop_settings
from models import AuditEvent, Role, User
from tests.conftest import password_hash
from tests.factories import add_vehicle


@pytest.fixture
def public_url(monkeypatch):
    """Set ``LANTONG_PUBLIC_URL`` for one test, with fresh settings before and after."""

    def set_url(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("LANTONG_PUBLIC_URL", raising=False)
        else:
            monkeypatch.setenv("LANTONG_PUBLIC_URL", value)
        get_settings.cache_clear()

    get_settings.cache_clear()
    yield set_url
    monkeypatch.undo()
    get_settings.cache_clear()


def scan(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize(
    ("configured", "expected_base"),
    [
        ("https://lantong.example.cn", "https://lantong.example.cn"),
        ("https://lantong.example.cn/", "https://lantong.example.cn"),  # trailing slash does not double up
        ("http://192.168.1.20:3000", "http://192.168.1.20:3000"),
    ],
)
def test_qr_png_scans_to_the_card_url(public_url, configured, expected_base):
    public_url(configured)
    token = new_qr_token()
    expected = f"{expected_base}/v/{token}"
    assert card_url(token) == expected
    assert scan(qr_png(token)) == [expected]


def test_qr_png_follows_a_changed_public_url(public_url):
    token = new_qr_token()
    public_url("https://a.example.cn")
    assert scan(qr_png(token)) == [f"https://a.example.cn/v/{token}"]
    public_url("https://b.example.cn")
    assert scan(qr_png(token)) == [f"https://b.example.cn/v/{token}"]


def test_qr_png_defaults_to_localhost_when_no_public_url_is_set(public_url, monkeypatch):
    monkeypatch.delenv("LANTONG_PORT", raising=False)
    public_url(None)
    token = new_qr_token()
    assert scan(qr_png(token)) == [f"http://localhost:3000/v/{token}"]


def test_different_tokens_give_different_codes(public_url):
    public_url("https://lantong.example.cn")
    first, second = new_qr_token(), new_qr_token()
    assert first != second
    assert scan(qr_png(first)) == [f"https://lantong.example.cn/v/{first}"]
    assert scan(qr_png(second)) == [f"https://lantong.example.cn/v/{second}"]


def test_box_size_scales_the_image_and_it_still_scans(public_url):
    public_url("https://lantong.example.cn")
    token = new_qr_token()
    small, large = qr_png(token, box_size=4), qr_png(token, box_size=12)
    small_size = Image.open(io.BytesIO(small)).size
    large_size = Image.open(io.BytesIO(large)).size
    assert large_size[0] == small_size[0] * 3
    assert small_size[0] == small_size[1]
    for png in (small, large):
        assert scan(png) == [f"https://lantong.example.cn/v/{token}"]


@pytest.mark.parametrize(("url", "local"), [("http://localhost:3000", True), ("http://127.0.0.1:3000", True),
                                            ("http://192.168.1.20:3000", False), ("https://shop.example.cn", False)])
def test_a_local_public_url_is_flagged(monkeypatch, url, local):
    monkeypatch.setenv("LANTONG_PUBLIC_URL", url)
    get_settings.cache_clear()
    try:
        assert vehicle_cards.public_url_is_local() is local
    finally:
        get_settings.cache_clear()


def test_technicians_see_what_the_job_needs_unless_the_branch_allows_more(session, shop):
    def shown(role: Role) -> bool:
        return vehicle_cards.card_disclosure(session, shop.users[role]).owner_contact_and_prices

    assert {role: shown(role) for role in Role} == {role: role != Role.TECHNICIAN for role in Role}
    shop_settings.set_technicians_see_contact_and_prices(session, shop.manager, True)
    assert all(shown(role) for role in Role)
    stranger = User(username="othertech", display_name="外店技师", password_hash=password_hash(),
                    role=Role.TECHNICIAN, branch_id=shop.other_branch.id)
    session.add(stranger)
    session.flush()
    assert not vehicle_cards.card_disclosure(session, stranger).owner_contact_and_prices  # its own branch decides
    shop_settings.set_technicians_see_contact_and_prices(session, shop.admin, False)
    assert not shown(Role.TECHNICIAN)
    changes = session.exec(select(AuditEvent).where(
        AuditEvent.action == "branch.technicians_see_contact_and_prices")).all()
    assert [event.user_id for event in changes] == [shop.manager.id, shop.admin.id]
    with pytest.raises(PermissionDenied):
        shop_settings.set_technicians_see_contact_and_prices(session, shop.technician, True)
    with pytest.raises(PermissionDenied):
        vehicle_cards.card_disclosure(session, None)


@pytest.mark.parametrize("url", ["http://localhost:3000", "http://127.0.0.1:3000"])
def test_only_admins_and_managers_are_told_to_set_the_public_url(session, shop, public_url, url):
    public_url(url)
    for role in Role:
        warning = vehicle_cards.card_disclosure(session, shop.users[role]).link_warning
        if role in (Role.ADMIN, Role.MANAGER):
            assert "LANTONG_PUBLIC_URL" in warning and url in warning and "手机能访问的地址" in warning, role
        else:
            assert warning == "", role
    public_url("http://192.168.1.20:3000")
    assert vehicle_cards.card_disclosure(session, shop.admin).link_warning == ""


TOKEN = "mukiGzTyKN940omB1MGDU2XYYU4c38OG"  # as new_qr_token makes them: 32 URL-safe characters


@pytest.mark.parametrize("scanned", [
    f"https://lantong.example.cn/v/{TOKEN}",
    f"  https://lantong.example.cn/v/{TOKEN}\n",  # scanners may add whitespace
    f"https://lantong.example.cn/v/{TOKEN}/",
    f"HTTPS://Lantong.Example.CN/v/{TOKEN}",
    f"https://lantong.example.cn/v/{TOKEN}?from=label",
])
def test_a_card_link_of_this_shop_gives_its_token(public_url, scanned):
    public_url("https://lantong.example.cn")
    assert card_token(scanned) == TOKEN


@pytest.mark.parametrize("scanned", [
    "",
    TOKEN,  # a bare token is no link
    f"/v/{TOKEN}",
    f"https://other.example.cn/v/{TOKEN}",  # another site
    f"http://lantong.example.cn/v/{TOKEN}",  # another scheme
    f"https://lantong.example.cn:8443/v/{TOKEN}",  # another port
    f"https://lantong.example.cn.evil.cn/v/{TOKEN}",
    f"https://lantong.example.cn/v/{TOKEN}/label",  # the printable label, not the card
    f"https://lantong.example.cn/f/{TOKEN}",  # a follow-up link
    f"https://lantong.example.cn/x/v/{TOKEN}",
    "https://lantong.example.cn/v/short",
    "https://lantong.example.cn/v/" + "a" * 44,
    "https://lantong.example.cn/v/abc$defghijklmnopqrstuvw",
    "6901234567892",  # a part's EAN-13
    "JL-TY-001",
])
def test_anything_else_is_no_card(public_url, scanned):
    public_url("https://lantong.example.cn")
    assert card_token(scanned) is None


def test_a_public_url_with_a_path_keeps_it_in_card_links(public_url):
    public_url("https://shop.example.cn/lantong/")
    assert card_token(card_url(TOKEN)) == TOKEN
    assert card_token(f"https://shop.example.cn/v/{TOKEN}") is None


def test_a_scanned_card_is_the_vehicle_under_the_cards_checks(public_url, session, shop):
    public_url("https://lantong.example.cn")
    vehicle = add_vehicle(session, shop.branch.id)
    other = add_vehicle(session, shop.other_branch.id, plate="粤A54321", mobile="13900139000")
    assert scanned_vehicle(session, shop.technician, card_url(vehicle.qr_token)).vehicle.id == vehicle.id
    assert scanned_vehicle(session, shop.parts_clerk, card_url(vehicle.qr_token)).vehicle.id == vehicle.id
    with pytest.raises(NotFound, match="未找到该车辆卡"):
        scanned_vehicle(session, shop.technician, card_url(new_qr_token()))
    with pytest.raises(NotFound):  # another branch's card looks like no card at all
        scanned_vehicle(session, shop.technician, card_url(other.qr_token))


def test_a_scanned_text_that_is_no_card_is_told_in_chinese(public_url, session, shop):
    public_url("https://lantong.example.cn")
    with pytest.raises(DomainError, match="不是蓝通车辆卡"):
        scanned_vehicle(session, shop.technician, "https://example.com/v/not-a-lantong-card")


def test_nobody_signed_in_learns_nothing_from_a_scan(public_url, session, shop):
    public_url("https://lantong.example.cn")
    vehicle = add_vehicle(session, shop.branch.id)
    for text in (card_url(vehicle.qr_token), "https://example.com/"):
        with pytest.raises(PermissionDenied, match="请先登录"):
            scanned_vehicle(session, None, text)
