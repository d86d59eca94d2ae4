"""Bulk loading for batches, imports and the demo: driver-level ``executemany`` on SQLite, ``COPY`` on
PostgreSQL (dependencies.md §7: 5–6× faster than ORM or dict-based inserts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert tuples (in ``columns`` order) into ``table`` inside the caller's transaction."""
    cols = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        cur = raw.cursor()
        cur.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', rows)
        cur.close()


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each serial sequence past the highest id."""
    if conn.dialect.name != "postgresql":
        return
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)")
