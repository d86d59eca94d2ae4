"""audit rows sealed after the fact: a read is written at once without taking the chain's head (``hash``,
``prev_hash`` empty), and sealed into the chain shortly after, in order, by the sealer (``services/audit.py``);
``seq`` is a row's place in the chain (rows chained before this migration keep none: they come first, in id
order). The append-only trigger lets exactly one change through: sealing a row not yet sealed (``seq``,
``prev_hash`` and ``hash`` from empty to set, every other column unchanged). Stop the servers of the previous
version before upgrading: they would chain rows with no place after sealed ones, which ``verify`` reports.

Revision ID: 0030_auditseal
Revises: 0031_bridgingrights
Create Date: 2026-12-04 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0030_auditseal'
down_revision = '0031_bridgingrights'
branch_labels = None
depends_on = None

_SEALS_ONLY_PG = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the only change allowed: a row written unsealed gets its place and hashes, nothing else moves
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.seq IS NULL
       AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.seq IS NOT NULL
       AND (to_jsonb(NEW) - 'hash' - 'prev_hash' - 'seq') = (to_jsonb(OLD) - 'hash' - 'prev_hash' - 'seq') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$"""

_APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"""

_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "party_id", "origin", "reason", "detail")
_SEALS_ONLY_SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN NOT ("
    "OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.seq IS NULL "
    "AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.seq IS NOT NULL AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _COLUMNS)
    + ") BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def _sqlite_triggers(update_trigger: str) -> None:
    op.execute(update_trigger)
    op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the batch below copies the table, which drops its triggers: made again after
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index('ix_audit_log_seq', ['seq'], unique=True)
        batch_op.create_index('ix_audit_log_unsealed', ['id'], unique=False,
                              postgresql_where=sa.text('hash IS NULL'), sqlite_where=sa.text('hash IS NULL'))
    if sqlite:
        _sqlite_triggers(_SEALS_ONLY_SQLITE)
    else:
        op.execute(_SEALS_ONLY_PG)


def downgrade() -> None:
    """Only when every row is sealed (``caisse audit verify`` seals them); the chain order of rows sealed out of id
    order is lost, so the chain may then no longer verify."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_unsealed')
        batch_op.drop_index('ix_audit_log_seq')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('seq')
    if sqlite:
        _sqlite_triggers("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                         "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    else:
        op.execute(_APPEND_ONLY_PG)
