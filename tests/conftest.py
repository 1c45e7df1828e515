"""Shared fixtures: a migrated database per engine (SQLite always; PostgreSQL when ``LANTONG_TEST_POSTGRES_URL``
names a server), a clean session per test, and a shop with one user per role.

On CI (``CI=true``) a missing or unreachable PostgreSQL is an error, never a silent skip.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import models
from lantong_pwa import db as app_db
from lantong_pwa import settings as app_settings
from lantong_pwa.db import make_engine
from lantong_pwa.errors import DomainError
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.services.platform import auth

POSTGRES_URL = os.environ.get("LANTONG_TEST_POSTGRES_URL", "")
# Redis for the tests of browsers' state kept there (a database of their own; each test deletes what it wrote).
STATE_REDIS_URL = os.environ.get("LANTONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ON_CI = os.environ.get("CI", "").lower() == "true"
ENGINES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "correct-horse-1"


def pytest_sessionstart(session):
    if ON_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI must run the suite on PostgreSQL too: set LANTONG_TEST_POSTGRES_URL")


def pytest_collection_modifyitems(items):
    """Browser tests last: the quick ones report first, and Playwright's event loop starts after the rest ran."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory):
    """Every test process gets its own data directory (photos, secret key)."""
    path = tmp_path_factory.mktemp("data")
    os.environ["LANTONG_DATA_DIR"] = str(path)
    app_settings.get_settings.cache_clear()
    yield path
    app_settings.get_settings.cache_clear()


@pytest.fixture
def trusted_proxies(monkeypatch):
    """``LANTONG_TRUSTED_PROXIES`` for one test (``trusted_proxies("127.0.0.1")``), fresh settings before and after."""

    def trust(value: str) -> None:
        monkeypatch.setenv("LANTONG_TRUSTED_PROXIES", value)
        app_settings.get_settings.cache_clear()

    yield trust
    monkeypatch.undo()
    app_settings.get_settings.cache_clear()


def _create_postgres_database() -> str:
    server = make_url(POSTGRES_URL)
    name = f"lantong_test_{secrets.token_hex(4)}"
    admin = sa_create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        raise RuntimeError(f"PostgreSQL at {server.render_as_string()} is not reachable: {error}") from error
    finally:
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = sa_create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory):
    """Make migrated, empty databases of either engine (``migrated=False``: without even a schema); drops the
    PostgreSQL ones afterwards."""
    made: list[str] = []

    def make(kind: str, *, migrated: bool = True) -> str:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'lantong.db'}"
        else:
            url = _create_postgres_database()
            made.append(url)
        if migrated:
            upgrade_to_head(url)
        return url

    yield make
    for url in made:
        _drop_postgres_database(url)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request, database_factory) -> Engine:
    engine = make_engine(database_factory(request.param))
    yield engine
    engine.dispose()


def clear_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(engine) -> Session:
    clear_tables(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def refusal(session: Session, error: type[DomainError] = DomainError, match: str | None = None):
    """A request the service refuses, as its boundary handles it: the earlier requests are committed, the service
    raises ``error`` (yielded, as ``pytest.raises`` does) and this request's unit of work is rolled back."""
    session.commit()
    with pytest.raises(error, match=match) as caught:
        yield caught
    session.rollback()


@pytest.fixture
def units(engine, monkeypatch):
    """``unit_of_work`` on the test database, beside ``session`` and keeping its rows: for a test that runs a
    service the way the boundary does, or code that opens units itself (a batch job)."""
    monkeypatch.setattr(app_db, "get_engine", lambda: engine)
    return app_db.unit_of_work


@pytest.fixture
def app_engine(engine, units):
    """Point the app's own engine (used by State handlers and routes) at the test database."""
    clear_tables(engine)
    yield engine


@dataclass
class Shop:
    branch: models.Branch
    other_branch: models.Branch
    users: dict[str, models.User]
    other_branch_advisor: models.User

    def __getattr__(self, role: str) -> models.User:
        try:
            return self.users[role]
        except KeyError:
            raise AttributeError(role) from None


_password_hash: list[str] = []


def password_hash() -> str:
    if not _password_hash:
        _password_hash.append(auth.hash_password(PASSWORD, ""))
    return _password_hash[0]


def make_shop(session: Session) -> Shop:
    branch = models.Branch(code="T01", name="测试店")
    other = models.Branch(code="T02", name="另一家店")
    session.add_all([branch, other])
    session.flush()
    users = {}
    for role in models.Role:
        user = models.User(username=role.value.replace("_", ""), display_name=role.label,
                           password_hash=password_hash(), role=role, branch_id=branch.id)
        session.add(user)
        users[role.value] = user
    stranger = models.User(username="otheradvisor", display_name="外店顾问", password_hash=password_hash(),
                           role=models.Role.ADVISOR, branch_id=other.id)
    session.add(stranger)
    session.commit()
    return Shop(branch=branch, other_branch=other, users=users, other_branch_advisor=stranger)


@pytest.fixture
def shop(session) -> Shop:
    return make_shop(session)


@pytest.fixture
def state_redis():
    """A client of ``STATE_REDIS_URL``, or the test fails saying Redis is not answering."""
    redis_module = pytest.importorskip("redis")
    client = redis_module.Redis.from_url(STATE_REDIS_URL)
    try:
        client.ping()
    except redis_module.RedisError as error:
        pytest.fail(f"Redis at {STATE_REDIS_URL} is not answering ({error}): set LANTONG_TEST_REDIS_URL")
    yield client
    client.close()
