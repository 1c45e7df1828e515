"""The installable PWA: the manifest and its icons, the service worker controlling the page, the offline page
when the network is gone, and no installability errors in Chromium."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from lantong_pwa.chromium import CHROMIUM, CHROMIUM_ARGS
from lantong_pwa.reflex_internals import EVENT_SOCKET_PATH
from models import Vehicle
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.e2e
DEMO_PLATE = "粤B12345"  # a demo vehicle


def test_manifest_names_the_app_and_its_icons(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        manifest = client.get("/manifest.json").json()
        assert manifest["name"] == "蓝通维修"
        assert manifest["short_name"]
        assert manifest["lang"] == "zh-CN"
        assert manifest["display"] == "standalone"
        assert manifest["scope"] == "/"
        assert manifest["theme_color"] == "#1d4ed8"
        assert manifest["background_color"]
        sizes = set()
        for icon in manifest["icons"]:
            response = client.get(icon["src"])
            assert response.status_code == 200
            image = Image.open(io.BytesIO(response.content))
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add((icon["sizes"], icon.get("purpose", "any")))
        assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes

        # The start URL lands a stranger on the login page (each role's home is checked in the browser below).
        assert manifest["start_url"] == "/"
        assert client.get("/sw.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))
        assert "网络已断开" in client.get("/offline.html").text


def test_pages_answer_at_their_own_address_without_a_redirect(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for path in ("/login", "/tasks", "/admin/users"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 200, path
            assert '<html lang="zh-CN"' in response.text
        assert client.get("/login/", follow_redirects=False).status_code == 200
        assert client.get("/api/health", follow_redirects=False).status_code == 200


def test_pages_paint_from_their_html_and_fetch_their_scripts_after_the_first_paint(server, new_context):
    with server.orm() as session:
        token = session.exec(select(Vehicle.qr_token).where(Vehicle.plate == DEMO_PLATE)).one()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        login = client.get("/login").text
        card = client.get(f"/v/{token}").text
    head = login.split("<body>")[0]
    assert "modulepreload" not in head
    assert "link.rel='modulepreload'" in login.split("<body>")[1]  # added back after the first paint
    assert "蓝通维修" in login.split("<body>")[1]  # the form is in the HTML, not only in the scripts
    # A page with a parameter answers with its own prerendered frame, naming its own scripts from the start.
    assert "modulepreload" not in card.split("<body>")[0]
    assert "车辆卡</h1>" in card
    assert '"routes/[v].$[token]._index"' in card

    page = new_context("phone").new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "advisor")
    page.goto(f"/v/{token}")
    expect(page.locator(".plate").first).to_have_text(DEMO_PLATE)
    # The preloads come back after the first paint, and the frame hydrates without a mismatch.
    assert page.evaluate("document.head.querySelectorAll('link[rel=modulepreload]').length") > 10
    assert errors == []


def test_a_phone_loads_my_tasks_in_a_few_script_files_the_ui_kit_in_one(server, new_context):
    page = new_context("phone").new_page()
    sign_in(page, "tech")
    fresh = new_context("phone").new_page()  # nothing cached: every script the page needs is fetched
    fresh.context.add_cookies(page.context.cookies())
    scripts = []
    fresh.on("request", lambda request: request.resource_type == "script" and scripts.append(request.url))
    fresh.goto("/tasks")
    expect(fresh.get_by_role("button", name="扫码")).to_be_enabled()
    fresh.wait_for_load_state("networkidle")
    names = [url.rsplit("/", 1)[1] for url in scripts]
    assert len([name for name in names if name.startswith("ui-")]) == 1
    assert len(names) <= 16, names  # 36 when every Radix component and icon was a file of its own


def test_on_a_phone_the_more_tab_stays_in_place_when_the_roles_tabs_arrive(server, new_context):
    # The page before its state: its websocket answered by nobody, so the tab bar has only 更多.
    waiting = new_context("phone").new_page()
    waiting.route_web_socket(re.compile(re.escape(EVENT_SOCKET_PATH)), lambda _socket: None)
    waiting.goto("/tasks")
    expect(waiting.locator(".tab-link")).to_have_count(1)
    painted = waiting.locator("#tab-more").bounding_box()

    page = new_context("phone").new_page()
    sign_in(page, "tech")
    page.goto("/tasks")
    expect(page.locator(".tab-bar a.tab-link").first).to_be_visible()
    assert page.locator("#tab-more").bounding_box() == painted


def test_a_screen_waiting_for_its_data_shows_its_spinner_only_after_a_second(server, new_context):
    with server.orm() as session:
        token = session.exec(select(Vehicle.qr_token).where(Vehicle.plate == DEMO_PLATE)).one()
    frame = httpx.get(f"{server.url}/v/{token}", timeout=10).text
    assert re.search(r'class="[^"]*\bpage-loading\b[^"]*"><span class="rt-Spinner', frame)  # in the painted frame

    page = new_context("phone").new_page()
    sign_in(page, "advisor")
    # A socket that never answers: the card's data never arrives, as on a stalled workshop connection.
    page.route_web_socket(re.compile(re.escape(EVENT_SOCKET_PATH)), lambda socket: None)
    page.goto(f"/v/{token}")
    spinner = page.locator(".page-loading .rt-Spinner")
    # A spinner that has just appeared is invisible (a copy of the page's own, taken now, is at its first frame) …
    just_shown = page.evaluate("""() => {
        const loading = document.querySelector('.page-loading');
        const copy = loading.cloneNode(true);
        loading.after(copy);
        const visibility = getComputedStyle(copy.querySelector('.rt-Spinner')).visibility;
        copy.remove();
        return visibility;
    }""")
    assert just_shown == "hidden"
    # … and shows once the second is over, while the data is still missing.
    expect(spinner).to_be_visible(timeout=5_000)
    expect(page.get_by_role("status", name="正在加载")).to_be_visible()


@pytest.fixture
def installable_context(tmp_path, server, browser):
    """A normal (non-incognito) Chromium profile at phone size: Chromium judges installability only there.
    Started through the session's Playwright (``browser.browser_type``): a second Playwright can't run beside it."""
    context = browser.browser_type.launch_persistent_context(
        user_data_dir=str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
        base_url=server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE,
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def _wait_controlled(page) -> None:
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_installed_app_sends_a_stranger_to_login_a_technician_to_tasks_and_falls_back_offline(
        installable_context, server):
    context = installable_context
    page = context.pages[0] if context.pages else context.new_page()

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    registration = page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)")
    assert registration == f"{server.url}/sw.js"
    _wait_controlled(page)

    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest["errors"]

    sign_in(page, "tech", navigate=False)
    page.goto("/")  # the manifest's start URL
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()

    # What the worker keeps is the shell and hashed build files only: no page, no /api/ answer of this user.
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert "/offline.html" in cached
    assert any(path.startswith("/assets/") for path in cached)
    assert all(path.startswith(("/assets/", "/icons/")) or path in ("/offline.html", "/manifest.json")
               for path in cached), cached

    context.set_offline(True)
    try:
        page.goto("/tasks")
        expect(page.get_by_role("heading", name="网络已断开")).to_be_visible()
        expect(page.get_by_role("button", name="重试")).to_be_visible()
        # Back online, 重试 reloads the page the person was on.
        context.set_offline(False)
        page.get_by_role("button", name="重试").click()
        expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    finally:
        context.set_offline(False)
