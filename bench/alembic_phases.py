"""Where `alembic check` spends its time, phase by phase, in one process.

    target/bench-venv/bin/python bench/alembic_phases.py CHECKED_URL REFERENCE_URL [RUNS]

Prints the median of RUNS (default 10) for: reflecting the reference database (the model side
of bench/alembic/env.py), and comparing it with the checked database
(`alembic.autogenerate.compare_metadata`, the work of `alembic check` once the model exists),
plus the one-off interpreter import of alembic + SQLAlchemy + PyMySQL.
"""

import statistics
import sys
import time

started = time.perf_counter()
from alembic.autogenerate import compare_metadata  # noqa: E402
from alembic.migration import MigrationContext  # noqa: E402
from sqlalchemy import MetaData, create_engine, pool  # noqa: E402
import pymysql  # noqa: E402,F401

imported = time.perf_counter() - started


def reflect(url):
    engine = create_engine(url, poolclass=pool.NullPool)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    engine.dispose()
    return metadata


def compare(url, metadata):
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diffs = compare_metadata(context, metadata)
    engine.dispose()
    return diffs


def main():
    checked, reference = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    reflections, comparisons = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        metadata = reflect(reference)
        t1 = time.perf_counter()
        diffs = compare(checked, metadata)
        t2 = time.perf_counter()
        reflections.append(t1 - t0)
        comparisons.append(t2 - t1)
    ms = lambda xs: f"{statistics.median(xs) * 1000:7.1f} ms"  # noqa: E731
    print(f"alembic phases ({runs} runs, {len(metadata.tables)} tables, {len(diffs)} differences):")
    print(f"  import alembic + sqlalchemy   {imported * 1000:7.1f} ms (once)")
    print(f"  reflect reference (model)     {ms(reflections)}")
    print(f"  compare_metadata (check)      {ms(comparisons)}")


main()
