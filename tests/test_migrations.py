"""The Alembic migrations build exactly the schema the models describe, on every engine."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from tests.conftest import ENGINES
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import current_revision, head_revision


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
