"""进销存 screens driven as a browser would: the summary's presets, filters and pages, and a part's detail."""

from __future__ import annotations

import pytest

from lantong_pwa.services.parts import stock
from lantong_pwa.timezone import local_day
from models.common import utc_now
from state.parts import ledger
from state.parts.ledger import LedgerDetailState, LedgerState
from tests.factories import add_part
from tests.state.harness import drive, make_state, token_for


@pytest.fixture
def parts(app_engine, shop, session):
    clerk = shop.parts_clerk
    main = stock.create_warehouse(session, clerk, "ZK", "主仓库")
    made = [add_part(session, shop.branch.id, code=f"LS-{n:03d}", name=f"配件{n}", price="10") for n in range(53)]
    for part in made:
        stock.receive_stock(session, clerk, main.id, part.id, "2", "1.005")
    session.commit()
    return main, made


def test_the_summary_pages_filters_and_links_to_a_part(app_engine, session, shop, parts):
    main, made = parts
    cookie = token_for(session, shop.manager)
    s = make_state(LedgerState, token=cookie, path="/parts/ledger")
    drive(s.load())
    today = local_day(utc_now())
    assert (s.date_from, s.date_to, s.preset) == (today.replace(day=1).isoformat(), today.isoformat(), "month")
    assert s.warehouses == [[str(main.id), "主仓库"]]
    assert s.row_count == 53 and len(s.rows) == ledger.PAGE_SIZE and s.page_label == "第1/2页，共53个配件"
    assert s.rows[0].code == "LS-000" and s.rows[0].closing == "2 · ¥2.01"  # 2 × 1.005, to the fen
    assert s.total.closing == "106 · ¥106.53"
    assert [(f.label, f.quantity, f.value) for f in s.total_in] == [("入库", "106", "¥106.53")]
    assert s.export_url.startswith("/api/parts/ledger.xlsx?from=")

    drive(s.turn(1))
    assert [r.code for r in s.rows] == ["LS-050", "LS-051", "LS-052"]
    drive(s.apply({"from": s.date_from, "to": s.date_to, "warehouse": str(main.id), "q": "LS-007"}))
    assert [r.code for r in s.rows] == ["LS-007"] and s.page == 0
    assert s.rows[0].url == f"/parts/ledger/{made[7].id}?{s.filters}" and f"warehouse={main.id}" in s.filters

    drive(s.choose_preset("last_month"))
    assert s.rows == [] and s.date_to < today.replace(day=1).isoformat()
    drive(s.apply({"from": "2026-12-02", "to": "2026-12-01", "q": ""}))
    assert s.error == "开始日期不能晚于结束日期" and s.export_url == ""

    d = make_state(LedgerDetailState, token=cookie, path=f"/parts/ledger/{made[7].id}",
                   route="/parts/ledger/[ledger_part]",
                   query={"ledger_part": str(made[7].id), "from": today.isoformat(), "to": today.isoformat(),
                          "q": "LS-007"})
    drive(d.load())
    assert d.title == "LS-007 配件7" and d.opening == "0 · ¥0.00" and d.closing == "2 · ¥2.01"
    assert [(m.kind, m.quantity_in, m.value, m.running) for m in d.moves] == [("入库", "2", "¥2.01", "2 · ¥2.01")]
    assert d.back_url == f"/parts/ledger?from={today.isoformat()}&to={today.isoformat()}&q=LS-007"
