"""Alembic environment of the schema-check benchmark.

The model side (`target_metadata`) is SQLAlchemy's reflection of a reference database loaded
from the same DDL as the checked one, so `alembic check` compares the Eyened schema with itself,
as `migration check` does. Upstream builds `target_metadata` by importing the Python ORM instead;
reflecting costs a comparable amount of catalog queries (bench/alembic_phases.py times it apart).

Options follow upstream's env.py (`compare_type` is Alembic's default, True) plus
`compare_server_default=True`, because `migration check` compares server defaults too.
"""

import os

from alembic import context
from sqlalchemy import MetaData, create_engine, pool

database_url = os.environ["BENCH_DATABASE_URL"]
reference_url = os.environ.get("BENCH_REFERENCE_URL", database_url)


def reflect(url: str) -> MetaData:
    metadata = MetaData()
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        metadata.reflect(bind=engine)
    finally:
        engine.dispose()
    return metadata


target_metadata = reflect(reference_url)


def run_migrations_online() -> None:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the benchmark runs Alembic online only")
run_migrations_online()
