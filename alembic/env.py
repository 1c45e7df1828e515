"""Alembic environment: the target is every SQLModel table in ``models``; the URL comes from Lantong's settings
unless the caller put a connection or URL on the config (the CLI and the tests do)."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from lantong_pwa.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from lantong_pwa.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
