"""Engines and sessions. SQLite gets foreign keys and WAL; PostgreSQL uses psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    from caisse.config import get_settings

    # the pool holds what a server worker's threads use at once (``web_threads``): a connection opened beyond it
    # would be closed after each use, and PostgreSQL starts a process for every new one
    return create_engine(url, pool_pre_ping=True, pool_size=get_settings().db_pool_size, max_overflow=10)


@lru_cache(maxsize=16)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@lru_cache(maxsize=16)
def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written)."""
    session = session_factory(url)()
    try:
        yield session
    except BaseException:
        end(session, commit=False)
        raise
    end(session, commit=True)


def end(session: Session, commit: bool) -> None:
    """The end of a unit of work: commit (rolled back if the commit fails) or roll back; then closed."""
    try:
        if commit:
            try:
                session.commit()
            except BaseException:
                session.rollback()
                raise
        else:
            session.rollback()
    finally:
        session.close()


def among(column, values, dialect: str):
    """``column IN (values)`` for a long list: on PostgreSQL ``column = ANY(:array)`` — one parameter instead of one
    per value (a statement with 20,000 placeholders costs the driver more to convert than the server to run)."""
    if dialect == "postgresql":
        from sqlalchemy import ARRAY, any_, bindparam

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
