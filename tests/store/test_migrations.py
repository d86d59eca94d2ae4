"""The schema is made by the migrations only; the models must describe exactly that schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caisse.store.db import engine_for
from caisse.store.migrate import downgrade, upgrade
from caisse.store.schema import metadata


def test_models_and_migrations_agree(db_url):
    with engine_for(db_url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"render_as_batch": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_migrations_go_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)
    with engine_for(url).connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None


def test_partial_indexes_of_the_models_are_partial_in_the_migrated_database(db_url):
    """Alembic's comparison ignores an index's WHERE: the models' partial indexes are checked here."""
    from sqlalchemy import Index

    dialect = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    partial = {ix.name: str(ix.dialect_options[dialect]["where"]) for table in metadata.tables.values()
               for ix in table.indexes if isinstance(ix, Index) and ix.dialect_options[dialect]["where"] is not None}
    assert "ix_ledger_transaction_corrects_id" in partial
    with engine_for(db_url).connect() as conn:
        for name, where in partial.items():
            sql = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %(n)s" if dialect == "postgresql"
                else "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n", {"n": name}).scalar()
            assert sql is not None, name
            assert where.replace("(", "").replace(")", "").lower() in sql.replace("(", "").replace(")", "").lower(), \
                (name, sql)
