"""The follow-up in the browser: an order is paid in full and closes; the advisor sends the follow-up link; the
customer opens it on a phone (no account), sees only the masked plate and a surname, answers with a low rating and
"问题未解决"; the link then takes no second answer; the manager, on a phone, finds the new complaint on /complaints,
takes it through to resolved, and sees the satisfaction figures change on /satisfaction."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from models import Branch, FollowUp, PaymentMethod, User
from tests.e2e.conftest import sign_in, wait_hydrated
from tests.services.cashier.test_settlement import pay, settled_order

pytestmark = pytest.mark.e2e
PLATE = "粤B67890"


def close_an_order(server) -> int:
    """A demo order for 粤B67890 (owner 刘先生) settled and paid in full by the demo cashier: its follow-up's id."""
    with server.orm() as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        shop = SimpleNamespace(branch=session.get(Branch, users["advisor"].branch_id), advisor=users["advisor"],
                               cashier=users["cashier"])
        order = settled_order(session, shop, plate=PLATE)
        pay(session, shop.cashier, order, PaymentMethod.WECHAT, "416", key="e2e-follow-up")
        return session.exec(select(FollowUp.id).where(FollowUp.work_order_id == order.id)).one()


def satisfaction_figures(page) -> tuple[str, str]:
    page.goto("/satisfaction")
    rate = page.locator("#sat-rate .figure-value")
    expect(rate).not_to_have_text("")
    return rate.inner_text(), page.locator("#sat-rate").inner_text()


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing scrolls sideways"


def test_customer_answers_on_a_phone_and_the_manager_sees_the_complaint(server, new_context):
    follow_up_id = close_an_order(server)
    assert server.scalar("SELECT due_on FROM follow_up WHERE id = ?", follow_up_id) is not None

    manager = new_context("phone").new_page()
    sign_in(manager, "manager")
    rate_before, tally_before = satisfaction_figures(manager)
    complaints_before = server.scalar("SELECT count(*) FROM complaint")

    # The advisor sends the personal link from the follow-up page (the reminder centre opens it).
    advisor = new_context("tablet").new_page()
    sign_in(advisor, "advisor")
    advisor.goto(f"/follow-ups/{follow_up_id}")
    link = advisor.locator("#follow-up-link")
    expect(link).to_contain_text("/f/")
    url = link.inner_text().strip()
    assert url.startswith(server.url + "/f/")
    wait_hydrated(advisor, "#send-link")
    advisor.click("#send-link")
    expect(advisor.get_by_text(re.compile("回访链接(待发送|已发送)|未发送："))).to_be_visible()
    assert server.scalar("SELECT count(*) FROM notification WHERE follow_up_id = ? AND message_type = 'follow_up'",
                         follow_up_id) == 1

    # The customer, on a phone, with no account.
    customer = new_context("phone").new_page()
    customer.goto(url.removeprefix(server.url))
    wait_hydrated(customer, "#overall-2")
    body = customer.locator("body")
    expect(body).to_contain_text("刘先生/女士")
    expect(body).to_contain_text("粤B***90")
    assert PLATE not in body.inner_text() and "13800067890" not in body.inner_text()
    no_sideways_scroll(customer, 390)
    star = customer.locator("#overall-5").bounding_box()
    assert star["width"] >= 44 and star["height"] >= 44, "stars are thumb-sized"
    customer.click("#submit-follow-up")  # nothing rated yet: told, nothing saved
    expect(customer.get_by_text("请为“总体评价”打1到5星")).to_be_visible()
    assert server.scalar("SELECT status FROM follow_up WHERE id = ?", follow_up_id) == "open"
    for field, stars in (("overall", 2), ("quality", 3), ("speed", 2), ("attitude", 4), ("price", 3),
                         ("environment", 4)):
        customer.click(f"#{field}-{stars}")
    customer.fill("#comment", "刹车还有异响")
    customer.get_by_text("问题未解决，需要门店联系我").click()
    customer.screenshot(path=str(server.artifacts / "follow-up-form-phone.png"), full_page=True)
    customer.click("#submit-follow-up")
    expect(customer.locator("#follow-up-thanks")).to_contain_text("感谢您的评价")
    assert server.scalar("SELECT overall FROM follow_up WHERE id = ?", follow_up_id) == 2
    assert server.scalar("SELECT count(*) FROM complaint") == complaints_before + 1

    # The same link again: a clear page, nothing taken.
    customer.reload()
    expect(customer.locator("#follow-up-notice")).to_contain_text("已提交过本次服务的评价")
    # An altered link: a clear page too.
    address = url.removeprefix(server.url)
    customer.goto(address[:-2] + ("yy" if address.endswith("xx") else "xx"))  # surely another signature
    expect(customer.locator("#follow-up-notice")).to_contain_text("链接无效")

    # The manager, on a phone, finds the complaint and works it.
    manager.goto("/complaints")
    row = manager.locator("#complaint-list a").first
    expect(row).to_contain_text(PLATE)
    expect(row).to_contain_text("问题未解决")
    expect(row).to_contain_text("待处理")
    no_sideways_scroll(manager, 390)
    manager.screenshot(path=str(server.artifacts / "complaints-phone.png"), full_page=True)
    row.click()
    expect(manager).to_have_url(re.compile(r"/complaints/\d+$"))
    expect(manager.locator("#complaint-summary-text")).to_contain_text("刹车还有异响")
    manager.get_by_role("button", name="开始处理").click()
    resolution = manager.locator("#resolution")
    expect(resolution).to_be_visible()
    resolution.fill("已约客户明天返修，免工时费")
    manager.get_by_role("button", name="标记已解决").click()
    expect(manager.get_by_role("button", name="关闭投诉")).to_be_visible()
    assert server.scalar("SELECT status FROM complaint ORDER BY id DESC LIMIT 1") == "resolved"
    no_sideways_scroll(manager, 390)
    manager.screenshot(path=str(server.artifacts / "complaint-detail-phone.png"), full_page=True)

    # 查看回访: the customer's answer beside the calls, on the phone too.
    manager.get_by_role("button", name="查看回访").click()
    expect(manager).to_have_url(re.compile(f"/follow-ups/{follow_up_id}$"))
    expect(manager.locator("body")).to_contain_text("★★☆☆☆ 2")
    expect(manager.get_by_role("button", name=re.compile("投诉 TS"))).to_be_visible()
    expect(manager.get_by_role("button", name="记录电话回访")).to_be_visible()
    no_sideways_scroll(manager, 390)
    manager.screenshot(path=str(server.artifacts / "follow-up-detail-phone.png"), full_page=True)

    # The satisfaction figures count the new answer.
    rate_after, tally_after = satisfaction_figures(manager)
    assert tally_after != tally_before, (tally_before, tally_after)
    if rate_before not in ("0.0%", "—", "-", ""):
        assert rate_after != rate_before
