"""The Alembic migrations build exactly the schema the models describe, on every engine."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import current_revision, head_revision
from tests.conftest import ENGINES


@pytest.fixture(scope="module", params=ENGINES)
def migrated(request, database_factory) -> Engine:
    """A fresh database of each engine, upgraded to head by the migrations alone."""
    engine = make_engine(database_factory(request.param))
    yield engine
    engine.dispose()


def differences(engine: Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def copy_of_model_metadata() -> sa.MetaData:
    copy = sa.MetaData(naming_convention=SQLModel.metadata.naming_convention)
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(copy)
    return copy


def flatten(diffs: list) -> list[tuple]:
    """compare_metadata nests column modifications in lists; flatten to one tuple per change."""
    flat = []
    for diff in diffs:
        flat.extend(diff if isinstance(diff, list) else [diff])
    return flat


def test_there_is_exactly_one_head():
    assert head_revision() is not None


def test_upgraded_database_is_at_head(migrated):
    assert current_revision(migrated) == head_revision()


def test_models_and_migrations_do_not_drift(migrated):
    diffs = differences(migrated, SQLModel.metadata)
    assert diffs == [], f"models differ from the migrated schema; write a migration: {diffs}"


def test_every_model_table_exists_after_upgrade(migrated):
    tables = set(sa.inspect(migrated).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


# The drift check above is only worth something if it would notice a change; these prove that it does.


def test_unchanged_copy_of_the_models_shows_no_drift(migrated):
    assert differences(migrated, copy_of_model_metadata()) == []


def test_drift_check_notices_a_new_table(migrated):
    metadata = copy_of_model_metadata()
    sa.Table("throwaway", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("extra", sa.String(20)))
    diffs = flatten(differences(migrated, metadata))
    assert [(d[0], d[1].name) for d in diffs] == [("add_table", "throwaway")]


def test_drift_check_notices_a_new_column(migrated):
    metadata = copy_of_model_metadata()
    metadata.tables["vehicle"].append_column(sa.Column("paint_code", sa.String(12), nullable=True))
    diffs = flatten(differences(migrated, metadata))
    assert [(d[0], d[2], d[3].name) for d in diffs] == [("add_column", "vehicle", "paint_code")]


def test_drift_check_notices_a_removed_table(migrated):
    metadata = copy_of_model_metadata()
    metadata.remove(metadata.tables["audit_event"])
    kinds = {(d[0], d[1].name) for d in flatten(differences(migrated, metadata)) if d[0] == "remove_table"}
    assert kinds == {("remove_table", "audit_event")}


def test_drift_check_notices_a_changed_column_type(migrated):
    metadata = copy_of_model_metadata()
    metadata.tables["vehicle"].c.mileage.type = sa.String(10)
    diffs = flatten(differences(migrated, metadata))
    assert [(d[0], d[2], d[3]) for d in diffs] == [("modify_type", "vehicle", "mileage")]


ISSUE_2_ROWS = [
    "INSERT INTO branch (id, code, name, address, phone, created_at) VALUES (1, 'B1', '店', '', '', :now)",
    "INSERT INTO \"user\" (id, username, display_name, password_hash, role, branch_id, is_active, failed_logins, "
    "created_at) VALUES (1, 'adv', '顾问', 'x', 'advisor', 1, true, 0, :now)",
    "INSERT INTO customer (id, branch_id, name, mobile, kind, notes, created_at) "
    "VALUES (1, 1, '客户', '13800138000', 'individual', '', :now)",
    "INSERT INTO vehicle (id, branch_id, customer_id, plate, make, model, colour, engine_no, mileage, insurer, "
    "qr_token, created_at) VALUES (1, 1, 1, '粤B12345', '', '', '', '', 100, '', 'tok', :now)",
    "INSERT INTO part (id, branch_id, code, name, brand, unit, sale_price, cost, is_active, created_at) "
    "VALUES (1, 1, 'P1', '滤清器', '', '个', 58, 20, true, :now)",
    "INSERT INTO work_order (id, branch_id, number, status, vehicle_id, customer_id, advisor_id, mileage_in, "
    "fuel_level, complaint, created_at, updated_at) VALUES (1, 1, 'WX20261126-0001', 'open', 1, 1, 1, 100, 2, '异响', "
    ":now, :now)",
    "INSERT INTO job_line (id, branch_id, work_order_id, position, name, hours, amount, created_at) "
    "VALUES (1, 1, 1, 0, '检查', 1, 120, :now)",
    "INSERT INTO part_line (id, branch_id, work_order_id, part_id, position, part_code, part_name, unit, quantity, "
    "unit_price, amount, created_at) VALUES (1, 1, 1, 1, 0, 'P1', '滤清器', '个', 1, 58, 58, :now)",
]
# The same rows in a database at head: 0010 dropped the account lock's column.
ROWS_AT_HEAD = [row.replace("is_active, failed_logins, ", "is_active, ").replace("true, 0, :now", "true, :now")
                for row in ISSUE_2_ROWS]


@pytest.mark.parametrize("kind", ENGINES)
def test_each_migration_upgrades_a_database_that_holds_data(kind, database_factory):
    """Rows written under the first schema survive every later migration, and new columns get their defaults."""
    from alembic import command
    from lantong_pwa.migrations import alembic_config
    from models.common import utc_now

    url = database_factory(kind)
    config = alembic_config(url)
    command.downgrade(config, "base")
    command.upgrade(config, "0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in ISSUE_2_ROWS:
            connection.execute(sa.text(statement), {"now": utc_now()})
    engine.dispose()

    command.upgrade(config, "head")

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT status, payer, discount FROM job_line")).one() == ("pending",
                                                                                                      "customer", 0)
        assert connection.execute(sa.text("SELECT picked_quantity FROM part_line")).scalar_one() == 0
        assert connection.execute(sa.text("SELECT vat_rate FROM branch")).scalar_one() == 13
        # 0009: an existing branch stays open, with no tax ID, bank account or header of its own yet
        assert connection.execute(sa.text("SELECT status, closed_at, tax_id, bank_account, header FROM branch")
                                  ).one() == ("open", None, "", "", "")
        assert connection.execute(sa.text("SELECT number FROM work_order")).scalar_one() == "WX20261126-0001"
        # 0010: the account lock is gone (sign-ins are throttled per address instead), the account stays
        assert connection.execute(sa.text('SELECT username FROM "user"')).scalar_one() == "adv"
    assert not {"failed_logins", "locked_until"} & {c["name"] for c in sa.inspect(engine).get_columns("user")}
    engine.dispose()


BEFORE_INTEGRITY = "0005_technician_card_view"
SETTLEMENT_ROW = (
    "INSERT INTO settlement (id, branch_id, work_order_id, number, status, labor_total, parts_total, other_total, "
    "gross, order_discount, customer_amount, warranty_amount, insurance_amount, internal_amount, vat_rate, vat_amount, "
    "parts_cost, billed_hours, created_by_id, created_at, reopen_reason) "
    "VALUES ({id}, 1, 1, '{number}', '{status}', 100, 0, 0, 100, 0, 100, 0, 0, 0, 13, 11.5, 0, 1, 1, :now, '')")
PAYMENT_ROW = (
    "INSERT INTO payment (id, branch_id, settlement_id, number, method, amount, change, request_key, created_by_id, "
    "created_at) VALUES ({id}, 1, {settlement_id}, '{number}', 'cash', {amount}, 0, '{number}', 1, :now)")
BROKEN_ROWS = [
    SETTLEMENT_ROW.format(id=1, number="JS-1", status="active"),
    SETTLEMENT_ROW.format(id=2, number="JS-2", status="active"),  # a second active settlement of the order
    SETTLEMENT_ROW.format(id=3, number="JS-3", status="reopened"),
    PAYMENT_ROW.format(id=1, settlement_id=3, number="SK-1", amount=10),  # on a reopened settlement
    PAYMENT_ROW.format(id=2, settlement_id=1, number="SK-2", amount=150),  # above the 100 owed
    "UPDATE part_line SET picked_quantity = 1, returned_quantity = 2",  # returned more than picked
]


@pytest.mark.parametrize("kind", ENGINES)
def test_the_integrity_migration_stops_on_rows_that_break_its_rules(kind, database_factory):
    """The migration adding the constraints names the rows that already break them and changes nothing; once they
    are corrected it goes through, and each settlement's paid amount is the sum of its payments."""
    from alembic import command
    from lantong_pwa.migrations import alembic_config
    from models.common import utc_now

    url = database_factory(kind)
    config = alembic_config(url)
    command.downgrade(config, BEFORE_INTEGRITY)
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in [*ISSUE_2_ROWS, *BROKEN_ROWS]:
            connection.execute(sa.text(statement), {"now": utc_now()})

    with pytest.raises(RuntimeError) as caught:
        command.upgrade(config, "head")
    message = str(caught.value)
    assert "迁移已停止" in message
    assert "一个工单有多张有效结算单" in message and "work_order=WX20261126-0001, settlement=JS-1" in message
    assert "settlement=JS-2" in message
    assert "收款记在已撤销的结算单上" in message and "payment=SK-1, settlement=JS-3" in message
    assert "收款合计超过结算单应收金额" in message and "settlement=JS-1" in message
    assert "配件行退料多于领料" in message and "part_line=1" in message
    assert current_revision(engine) == BEFORE_INTEGRITY
    assert "paid_amount" not in {c["name"] for c in sa.inspect(engine).get_columns("settlement")}

    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE settlement SET status = 'reopened' WHERE number = 'JS-2'"))
        connection.execute(sa.text("DELETE FROM payment WHERE number = 'SK-1'"))
        connection.execute(sa.text("UPDATE payment SET amount = 60 WHERE number = 'SK-2'"))
        connection.execute(sa.text("UPDATE part_line SET returned_quantity = 0"))
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT number, paid_amount FROM settlement ORDER BY id")).all() == [
            ("JS-1", 60), ("JS-2", 0), ("JS-3", 0)]
    assert current_revision(engine) == head_revision()
    engine.dispose()


@pytest.mark.parametrize("kind", ENGINES)
def test_the_database_refuses_what_must_never_happen(kind, database_factory):
    """At head, the rules hold even against code that skips the services."""
    from models.common import utc_now

    url = database_factory(kind)
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in [*ROWS_AT_HEAD, SETTLEMENT_ROW.format(id=1, number="JS-1", status="active"),
                          SETTLEMENT_ROW.format(id=3, number="JS-3", status="reopened"),
                          PAYMENT_ROW.format(id=2, settlement_id=1, number="SK-2", amount=60)]:
            connection.execute(sa.text(statement), {"now": utc_now()})
        connection.execute(sa.text("UPDATE settlement SET paid_amount = 60 WHERE id = 1"))
    refused = [
        SETTLEMENT_ROW.format(id=2, number="JS-2", status="active"),  # a second active settlement
        PAYMENT_ROW.format(id=1, settlement_id=3, number="SK-1", amount=10),  # a payment on a reopened one
        "UPDATE settlement SET paid_amount = 101 WHERE id = 1",  # paid above the customer amount
        "UPDATE settlement SET status = 'reopened' WHERE id = 1",  # reopening a paid settlement
        PAYMENT_ROW.format(id=3, settlement_id=1, number="SK-3", amount=0),  # nothing paid is not a payment
        "UPDATE part_line SET picked_quantity = 1, returned_quantity = 2",  # returned above picked
        "UPDATE branch SET status = 'closed'",  # closed without the date it closed
        "UPDATE branch SET closed_at = :now",  # a closing date on an open branch
    ]
    for statement in refused:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.text(statement), {"now": utc_now()})
    engine.dispose()
