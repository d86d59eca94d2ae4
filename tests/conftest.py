"""Shared fixtures: every database test runs on SQLite **and** on a real PostgreSQL.

``db_url`` is parametrised ``sqlite`` / ``postgresql``. The schema comes from the Alembic migrations
(never ``create_all``): migrated once per worker, then each test gets a clean copy (SQLite: a copy of a
migrated template file; PostgreSQL: a per-worker database whose tables are truncated after each test).
In CI (``CI=true``) a PostgreSQL that cannot be found or started is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
# Cheap password hashing in tests (the production cost is set in caisse.config).
os.environ.setdefault("CAISSE_ARGON2_TIME_COST", "1")
os.environ.setdefault("CAISSE_ARGON2_MEMORY_KIB", "8")

import pg  # noqa: E402
from caisse.store.db import engine_for, session_scope  # noqa: E402
from caisse.store.migrate import upgrade  # noqa: E402
from caisse.store.schema import metadata  # noqa: E402

_cluster = None


def pytest_configure(config):
    global _cluster
    if hasattr(config, "workerinput"):  # xdist worker: the controller already decided
        return
    url, _cluster, how = pg.find_or_start()
    if url:
        os.environ["CAISSE_TEST_POSTGRES_URL"] = url
        os.environ["CAISSE_TEST_POSTGRES_HOW"] = how
    else:
        os.environ["CAISSE_TEST_POSTGRES_MISSING"] = how
        banner = "!" * 78
        sys.stderr.write(f"\n{banner}\n!! PostgreSQL tests will be SKIPPED: {how}\n{banner}\n")


def pytest_unconfigure(config):
    if _cluster is not None and not hasattr(config, "workerinput"):
        _cluster.stop()


def pytest_report_header(config):
    how = os.environ.get("CAISSE_TEST_POSTGRES_HOW") or os.environ.get("CAISSE_TEST_POSTGRES_MISSING")
    return f"caisse: PostgreSQL = {how}"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    engine_for(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database():
    base = os.environ.get("CAISSE_TEST_POSTGRES_URL")
    if not base:
        reason = os.environ.get("CAISSE_TEST_POSTGRES_MISSING", "no PostgreSQL")
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    name = f"caisse_{_worker()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = base.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    engine_for(url).dispose()
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


_ZERO_HASH = "0" * 64


def _clean_postgres(url: str) -> None:
    """Empty the worker's database as a fresh migration leaves it, touching only what the last test wrote.

    One query finds the tables that hold rows and the sequences that were used; only those are emptied and
    restarted: a DELETE without triggers when we are superuser (far cheaper than a TRUNCATE, which creates new files
    for each table), else one TRUNCATE of those tables.
    The audit head goes back to the migration's initial row.
    """
    tables = [t.name for t in metadata.sorted_tables if t.name != "audit_head"]
    probe = " union all ".join(f"select '{name}' where exists (select 1 from \"{name}\")" for name in tables)
    with engine_for(url).begin() as conn:
        holding = {row[0] for row in conn.execute(text(probe))}
        dirty = [name for name in reversed(tables) if name in holding]
        if dirty and conn.execute(text("select rolsuper from pg_roles where rolname = current_user")).scalar():
            # the append-only ledger's triggers refuse a DELETE: a superuser skips triggers for this transaction
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for name in dirty:
                conn.execute(text(f'DELETE FROM "{name}"'))
        elif dirty:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{name}"' for name in dirty) + " CASCADE"))
        used = conn.execute(text("select schemaname, sequencename from pg_sequences where last_value is not null"))
        for schema, sequence in used.all():
            conn.execute(text(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART'))
        conn.execute(text("DELETE FROM audit_head"))
        conn.execute(text("INSERT INTO audit_head (id, last_hash, count) VALUES (1, :zero, 0)"), {"zero": _ZERO_HASH})


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A migrated, empty database; the test may commit freely."""
    if request.param == "sqlite":
        path = tmp_path / "fund.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        yield url
        engine_for(url).dispose()
    else:
        url = request.getfixturevalue("postgres_database")
        _clean_postgres(url)
        yield url


@pytest.fixture
def session(db_url):
    with session_scope(db_url) as s:
        yield s
