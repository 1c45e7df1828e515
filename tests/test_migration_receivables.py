"""Migration 0025 brings in what was owed before it: every 挂账 payment of an active settlement becomes its customer's
open item, every insurer and manufacturer named on a settlement line a counterparty (the line keeps its id), and each
active settlement's shares their open items; a reopened settlement's shares owe nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lantong_pwa.db import make_engine
from tests.conftest import ENGINES

D = Decimal
BEFORE = "0024_expenses"
WHEN = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 1 December 01:00 in Shanghai
TOTALS = ("labor_total, parts_total, other_total, gross, order_discount, customer_amount, warranty_amount, "
          "insurance_amount, internal_amount, vat_rate, vat_amount, parts_cost, billed_hours")
ROWS = [
    "INSERT INTO branch (id, code, name, address, phone, created_at) VALUES (1, 'B1', '店', '', '', :now)",
    "INSERT INTO \"user\" (id, username, display_name, password_hash, role, branch_id, is_active, created_at) "
    "VALUES (1, 'cashier', '收银', 'x', 'cashier', 1, true, :now)",
    "INSERT INTO customer (id, branch_id, name, mobile, kind, notes, credit_limit, created_at) "
    "VALUES (1, 1, '车队', '13800000001', 'fleet', '', 1000, :now)",
    "INSERT INTO vehicle (id, branch_id, customer_id, plate, make, model, colour, engine_no, mileage, insurer, "
    "qr_token, created_at) VALUES (1, 1, 1, '粤B1', '', '', '', '', 0, '', 'q1', :now)",
    "INSERT INTO work_order (id, branch_id, number, status, vehicle_id, customer_id, advisor_id, mileage_in, "
    "fuel_level, complaint, created_at, updated_at) VALUES (1, 1, 'WX1', 'settled', 1, 1, 1, 0, 1, '', :now, :now)",
    f"INSERT INTO settlement (id, branch_id, work_order_id, number, status, {TOTALS}, created_by_id, created_at, "
    "reopen_reason) VALUES (1, 1, 1, 'JS1', 'reopened', 80, 0, 0, 80, 0, 0, 0, 80, 0, 13, 0, 0, 0, 1, :now, '错')",
    f"INSERT INTO settlement (id, branch_id, work_order_id, number, status, {TOTALS}, created_by_id, created_at, "
    "reopen_reason, paid_amount) VALUES (2, 1, 1, 'JS2', 'active', 300, 0, 0, 300, 0, 100, 50, 150, 0, 13, 0, 0, 0, "
    "1, :now, '', 40)",
    "INSERT INTO payment (id, branch_id, settlement_id, number, method, amount, change, request_key, created_by_id, "
    "created_at) VALUES (1, 1, 2, 'SK1', 'on_account', 40, 0, 'k1', 1, :now)",
]
# (settlement, payer, party, net)
LINES = [(1, "insurance", "平安保险", "80"), (2, "customer", "", "100"), (2, "insurance", "平安保险", "100"),
         (2, "insurance", " 平安保险", "50"), (2, "warranty", "一汽大众", "50")]


@pytest.mark.parametrize("kind", ENGINES)
def test_what_was_owed_before_becomes_open_items(kind, database_factory):
    from alembic import command

    from lantong_pwa.migrations import alembic_config

    url = database_factory(kind)
    config = alembic_config(url)
    command.downgrade(config, BEFORE)
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(sa.text(statement), {"now": WHEN})
        for settlement_id, payer, party, net in LINES:
            connection.execute(sa.text(
                "INSERT INTO settlement_line (settlement_id, kind, description, quantity, unit_price, amount, "
                "discount, net, payer, payer_party, cost, hours) VALUES (:s, 'labor', '工时', 1, :n, :n, 0, :n, :p, "
                ":party, 0, 0)").bindparams(sa.bindparam("n", type_=sa.Numeric(12, 2))),
                {"s": settlement_id, "p": payer, "party": party, "n": D(net)})
    engine.dispose()

    command.upgrade(config, "head")

    engine = make_engine(url)
    with engine.connect() as connection:
        parties = dict(connection.execute(sa.text("SELECT name, id FROM counterparty ORDER BY id")).all())
        lines = connection.execute(sa.text("SELECT counterparty_id FROM settlement_line ORDER BY id")).scalars().all()
        items = connection.execute(sa.text(
            "SELECT party_kind, party_id, source, source_id, number, amount, open_amount, document_date, due_on "
            "FROM open_item ORDER BY id")).all()
    engine.dispose()
    assert list(parties) == ["平安保险", "一汽大众"]
    assert lines == [parties["平安保险"], None, parties["平安保险"], parties["平安保险"], parties["一汽大众"]]
    day = date(2026, 12, 1)
    assert [(k, p, s, i, n, D(str(a)), D(str(o)), d if isinstance(d, date) else date.fromisoformat(d))
            for k, p, s, i, n, a, o, d, _due in items] == [
        ("customer", 1, "on_account", 1, "SK1", D("40.00"), D("40.00"), day),
        ("insurer", parties["平安保险"], "insurance_share", 2, "JS2", D("150.00"), D("150.00"), day),
        ("manufacturer", parties["一汽大众"], "warranty_share", 2, "JS2", D("50.00"), D("50.00"), day)]
    command.downgrade(config, BEFORE)  # and back
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM settlement_line")).scalar_one() == len(LINES)
    engine.dispose()
