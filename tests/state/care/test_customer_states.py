"""The customer screens and the satisfaction and churn screen, driven through their State handlers on the
hand-built branch of tests/services/care/care_scene.py."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

import models
import state.care.satisfaction as satisfaction_state
from state.workshop.vehicles import VehicleCardState
from tests.services.care.care_scene import TODAY, at, care  # noqa: F401 - the fixture
from tests.state.care.customer_cases import file_state, satisfaction_state as make_satisfaction, search_state
from tests.state.harness import drive, make_state, token_for


@pytest.fixture
def shop_today(monkeypatch):
    """The screens' "today" is the scene's 2026-11-20 (noon in the shop)."""
    monkeypatch.setattr(satisfaction_state, "utc_now", lambda: at(TODAY, 12))


def test_advisor_finds_a_customer_and_opens_the_file(app_engine, care, session, shop):  # noqa: F811
    cookie = token_for(session, shop.advisor)
    s = search_state(cookie)
    assert drive(s.load()) is None
    drive(s.search({"query": "2345"}))
    assert s.error == "" and [(r.name, r.plates) for r in s.results] == [
        ("刘先生", ["粤B12345", "粤B67890"]), ("王女士", ["粤B23456"])]

    f = file_state(cookie, s.results[0].id)
    assert drive(f.load()) is None and f.found is True
    assert (f.name, f.mobile, f.kind) == ("刘先生", "13800138001", "个人")
    assert (f.spent, f.visits, f.average, f.first_visit, f.last_visit, f.owed, f.has_debt) == (
        "¥1,200.00", "3", "¥400.00", "2026-03-10", "2026-11-18", "¥150.00", True)
    assert [(v.plate, v.token) for v in f.vehicles] == [("粤B12345", care.liu_car.qr_token),
                                                        ("粤B67890", "liu-second-car")]
    assert [(o.number, o.status, o.amount, o.paid_by_customer) for o in f.orders][:2] == [
        ("WX20261119-0001", "维修中", "¥180.00", ""), ("WX20261118-0001", "已结清", "¥400.00", "¥400.00")]
    assert [(x.stars, x.unsolved, x.low) for x in f.follow_ups] == [
        ("★★★☆☆", False, False), ("★★☆☆☆", True, True), ("★★★★★", False, False)]
    assert f.follow_ups[2].aspects == "维修质量 5 · 维修速度 4 · 服务态度 5 · 价格 4 · 环境 5"
    assert f.follow_ups[2].channel == "客户自助" and f.follow_ups[2].comment == "师傅很专业"
    assert [(c.id, c.status, c.still_open) for c in f.complaints] == [
        (care.complaints["B"].id, "已解决", False), (care.complaints["A"].id, "待处理", True),
        (care.complaints["C"].id, "已关闭", False)]


def test_another_branchs_customer_and_a_bad_id_look_missing(app_engine, care, session, shop):  # noqa: F811
    f = file_state(token_for(session, shop.other_branch_advisor), care.liu.id)
    assert drive(f.load()) is None
    assert f.found is False and f.not_found_message == "记录不存在或无权查看" and f.name == ""
    f = make_state(type(f), token=token_for(session, shop.advisor), path="/customers/abc",
                   route="/customers/[customer_id]", query={"customer_id": "abc"})
    drive(f.load())
    assert f.found is False and f.not_found_message == "客户编号应为整数"


def test_manager_sees_the_satisfaction_and_churn_figures(app_engine, care, session, shop, shop_today):  # noqa: F811
    s = make_satisfaction(token_for(session, shop.manager))
    assert drive(s.load()) is None
    assert (s.date_from, s.date_to) == ("2026-11-01", "2026-11-20"), "this month so far"
    assert (s.rate, s.answered, s.satisfied, s.average) == ("66.7%", "3", "2", "3.67")
    assert (s.complaints_opened, s.complaints_open) == ("2", "1")
    assert s.aspects[3] == ["价格", "2.67"]
    assert [(p.name, p.answered, p.rate, p.complaints, p.low) for p in s.advisors] == [
        ("服务顾问", "2", "100.0%", "1", False), ("李顾问", "1", "0.0%", "1", True)]
    assert [(p.name, p.average) for p in s.technicians] == [("李师傅", "3.00"), ("维修技师", "3.50")]
    assert s.trend[-2:] == [{"name": "10月", "rate": 0.0, "answered": 1.0},
                            {"name": "11月", "rate": 66.7, "answered": 3.0}]
    assert {row.label: row.count for row in s.segments}["重要挽留客户"] == "1"
    assert (s.customers_scored, s.at_risk_total, s.monetary_threshold) == ("4", "2", "¥1,125.00")
    assert [(r.name, r.mobile, r.days_since, r.usual_interval, r.spending) for r in s.at_risk] == [
        ("王女士", "138****8002", "476", "92", "¥3,000.00"), ("张先生", "138****8003", "314", "180", "¥100.00")]

    drive(s.run({"from": "2026-10-01", "to": "2026-10-31"}))
    assert (s.error, s.rate, s.answered, s.complaints_opened) == ("", "0.0%", "1", "1")
    drive(s.run({"from": "2026-10-31", "to": "2026-10-01"}))
    assert s.error == "开始日期不能晚于结束日期" and s.rate == "0.0%", "the last figures stay"
    assert (s.date_from, s.date_to) == ("2026-10-01", "2026-10-31")


def test_the_vehicle_card_links_the_owners_file_and_saves_consent(app_engine, care, session, shop):  # noqa: F811
    token = care.liu_car.qr_token

    def card(user) -> VehicleCardState:
        s = make_state(VehicleCardState, token=token_for(session, user), path=f"/v/{token}", route="/v/[token]",
                       query={"token": token})
        assert drive(s.load()) is None
        return s

    assert card(shop.technician).can_view_customers is False
    s = card(shop.advisor)
    assert s.can_view_customers is True and s.vehicle.owner_id == care.liu.id
    assert (s.vehicle.owner_sms_consent, s.vehicle.owner_webhook_consent) == (False, False)
    drive(s.save_customer({"customer_name": "刘先生", "mobile": "13800138001", "kind": "individual", "sms_consent": "on"}))
    assert s.edit_errors == {} and s.vehicle.owner_sms_consent is True and s.vehicle.owner_webhook_consent is False
    session.expire_all()
    assert session.get(models.Customer, care.liu.id).sms_consent is True
    audit = session.exec(select(models.AuditEvent).where(models.AuditEvent.action == "customer.update")).one()
    assert json.loads(audit.detail) == {"changes": {"sms_consent": [False, True]}}
