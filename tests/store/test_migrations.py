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
