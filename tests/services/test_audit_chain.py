"""The audit log cannot be changed behind the application's back, and tampering is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from caisse.cli import app
from caisse.services import audit
from caisse.store.db import engine_for, session_scope
from caisse.store.models import AuditLog

runner = CliRunner()


def write_some(db_url, n=5):
    with session_scope(db_url) as s:
        for i in range(n):
            audit.record(s, "caseworker:a", "read", "person", i, party_id=i, reason="phone call")


def verify(db_url):
    return runner.invoke(app, ["audit", "verify", "--db", db_url])


def test_an_intact_chain_verifies(db_url):
    write_some(db_url)
    write_some(db_url, 3)  # a second transaction continues the chain
    result = verify(db_url)
    assert result.exit_code == 0 and "intact: 8 rows" in result.output


def test_the_database_refuses_updates_and_deletes(db_url):
    write_some(db_url)
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), engine_for(db_url).begin() as conn:
            conn.execute(text(sql))


@pytest.fixture
def unguarded(db_url):
    """Drop the append-only trigger (as an attacker with database access would) and put it back afterwards."""
    with engine_for(db_url).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_update ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
    yield db_url
    with engine_for(db_url).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log "
                              "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"))


@pytest.mark.parametrize("tamper, message", [
    ("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 3", "row 3: content does not match"),
    ("DELETE FROM audit_log WHERE id = 2", "row 3: link broken"),
    ("DELETE FROM audit_log WHERE id = 5", "head does not match"),
])
def test_tampering_is_detected(unguarded, tamper, message):
    db_url = unguarded
    write_some(db_url)
    with engine_for(db_url).begin() as conn:
        conn.execute(text(tamper))
    result = verify(db_url)
    assert result.exit_code == 1 and message in result.output


# ---------------------------------------------------------------- reads written unsealed, sealed after


def read_some(db_url, parties):
    """Page reads: written without taking the chain's head (as the portal's home page does)."""
    with session_scope(db_url) as s:
        for pid in parties:
            audit.record_read(s, "affiliate:a", "portal_home", pid, party_id=pid)


def chain(db_url):
    with engine_for(db_url).connect() as conn:
        return conn.execute(text("SELECT id, seq, hash FROM audit_log ORDER BY id")).all()


def test_a_read_is_in_the_log_at_once_and_verify_seals_it_into_the_chain(db_url):
    write_some(db_url, 2)
    read_some(db_url, [41, 42])
    rows = chain(db_url)
    assert [r.seq for r in rows] == [1, 2, None, None]  # committed, in the file's history, not yet sealed
    with session_scope(db_url) as s:
        assert s.execute(text("SELECT COUNT(*) FROM audit_log WHERE party_id = 42")).scalar() == 1
    result = verify(db_url)
    assert result.exit_code == 0 and "intact: 4 rows (2 sealed now)" in result.output
    assert [r.seq for r in chain(db_url)] == [1, 2, 3, 4]
    assert "intact: 4 rows" in verify(db_url).output  # sealed once: nothing left to seal


def test_the_next_chained_write_seals_the_waiting_reads_first(db_url):
    read_some(db_url, [7])
    write_some(db_url, 1)
    assert [r.seq for r in chain(db_url)] == [1, 2]
    assert "intact: 2 rows" in verify(db_url).output


def test_a_read_committed_after_a_later_one_was_sealed_takes_the_next_place(db_url):
    """Two pages: the one that got the higher id commits first and is sealed; the other commits after — it is
    sealed at the next place, and the chain verifies."""
    row = {"at": audit._now(), "actor": "affiliate:a", "action": "read", "entity": "portal_home"}
    with engine_for(db_url).begin() as conn:
        conn.execute(AuditLog.__table__.insert(), [{**row, "id": 20, "party_id": 2}])
    with engine_for(db_url).begin() as conn:
        assert audit.seal(conn) == 1
    with engine_for(db_url).begin() as conn:
        conn.execute(AuditLog.__table__.insert(), [{**row, "id": 10, "party_id": 1}])
    assert "intact: 2 rows (1 sealed now)" in verify(db_url).output
    assert [(r.id, r.seq) for r in chain(db_url)] == [(10, 2), (20, 1)]


def test_a_row_waiting_for_its_seal_cannot_be_changed_or_removed(db_url):
    read_some(db_url, [5])
    for sql in ("UPDATE audit_log SET party_id = 6",
                "UPDATE audit_log SET actor = 'someone else', seq = 1, prev_hash = 'x', hash = 'y'",
                "UPDATE audit_log SET hash = 'y'",  # a seal without its place
                "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), engine_for(db_url).begin() as conn:
            conn.execute(text(sql))
    assert "intact: 1 rows (1 sealed now)" in verify(db_url).output
    with pytest.raises(DBAPIError), engine_for(db_url).begin() as conn:  # sealed: sealed once, for good
        conn.execute(text(f"UPDATE audit_log SET seq = 1, prev_hash = '{audit.ZERO}', hash = 'y'"))


def test_a_forged_seal_is_detected(db_url):
    """The database lets a waiting row be sealed once: sealed by anyone but the sealer, the chain breaks."""
    write_some(db_url, 2)
    read_some(db_url, [5])
    with engine_for(db_url).begin() as conn:
        head = conn.execute(text("SELECT last_hash FROM audit_head")).scalar()
        conn.execute(text("UPDATE audit_log SET seq = 3, prev_hash = :p, hash = :h WHERE hash IS NULL"),
                     {"p": head, "h": "f" * 64})
    result = verify(db_url)
    assert result.exit_code == 1 and "row 3: content does not match" in result.output


@pytest.mark.parametrize("tamper, message", [
    ("UPDATE audit_log SET party_id = 99 WHERE id = 3", "row 3: content does not match"),
    ("DELETE FROM audit_log WHERE id = 2", "row 3: link broken"),
    ("DELETE FROM audit_log WHERE id = 4", "head does not match"),
])
def test_tampering_with_sealed_reads_is_detected(unguarded, tamper, message):
    db_url = unguarded
    write_some(db_url, 1)
    read_some(db_url, [1, 2, 3])
    assert verify(db_url).exit_code == 0  # sealed
    with engine_for(db_url).begin() as conn:
        conn.execute(text(tamper))
    result = verify(db_url)
    assert result.exit_code == 1 and message in result.output
