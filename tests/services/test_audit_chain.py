"""The audit log cannot be changed behind the application's back, and tampering is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from caisse.cli import app
from caisse.services import audit
from caisse.store.db import engine_for, session_scope

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
