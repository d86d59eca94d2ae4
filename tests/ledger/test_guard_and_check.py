"""The ledger refuses to be rewritten, and `caisse ledger check` notices when someone managed to anyway."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_helpers import call_quarter, new_party
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from caisse.cli import app
from caisse.ledger import receive_payment
from caisse.store.db import engine_for, session_scope

runner = CliRunner()


def _story(url: str) -> int:
    with session_scope(url) as s:
        ana = new_party(s)
        call_quarter(s, ana, "2025Q1", 87171, 2659)
        receive_payment(s, "coda/g/1/1", dt.date(2025, 3, 20), 50000, ana)
        receive_payment(s, "coda/g/1/2", dt.date(2025, 3, 21), 1234, None)
    return ana


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entry SET amount_cents = amount_cents + 1",
    "DELETE FROM ledger_entry",
    "UPDATE ledger_transaction SET booked_on = booked_on",
    "DELETE FROM ledger_transaction",
])
def test_entries_and_transactions_cannot_be_updated_or_deleted(db_url, statement):
    _story(db_url)
    with pytest.raises(DBAPIError, match="append-only"), engine_for(db_url).begin() as conn:
        conn.execute(text(statement))


def test_check_passes_on_a_healthy_ledger_and_prints_totals_last(db_url):
    _story(db_url)
    result = runner.invoke(app, ["ledger", "check", "--db", db_url])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "transactions=4 debts=898.30 payments=512.34 open=398.30 unmatched=12.34"


def _drop_guard(conn, dialect: str) -> None:
    if dialect == "postgresql":
        conn.execute(text("DROP TRIGGER ledger_entry_append_only ON ledger_entry"))
    else:
        conn.execute(text("DROP TRIGGER ledger_entry_no_update"))


def test_check_fails_on_an_unbalanced_transaction_inserted_behind_the_api(db_url):
    _story(db_url)
    with engine_for(db_url).begin() as conn:
        tid = conn.execute(text("SELECT id FROM ledger_transaction WHERE key = 'coda/g/1/1'")).scalar()
        conn.execute(text("INSERT INTO ledger_entry (transaction_id, account, amount_cents) "
                          "VALUES (:t, 'bank', 100)"), {"t": tid})
    result = runner.invoke(app, ["ledger", "check", "--db", db_url])
    assert result.exit_code == 1
    assert "BREACH: unbalanced transaction coda/g/1/1: entries sum to 1.00" in result.output
    assert "BREACH: sum of all entries is 1.00, not 0.00" in result.output
    assert result.output.strip().splitlines()[-1].startswith("transactions=4 ")


def test_check_fails_when_an_amount_was_changed_after_dropping_the_guard(db_url):
    _story(db_url)
    engine = engine_for(db_url)
    with engine.begin() as conn:
        _drop_guard(conn, engine.dialect.name)
        conn.execute(text("UPDATE ledger_entry SET account = 'income' WHERE account = 'credit'"))
    result = runner.invoke(app, ["ledger", "check", "--db", db_url])
    assert result.exit_code == 1
    assert "orphan payment coda/g/1/1: money lands on income" in result.output


def test_statement_command(db_url, tmp_path):
    ana = _story(db_url)
    pdf = tmp_path / "statement.pdf"
    result = runner.invoke(app, ["ledger", "statement", "--debtor", str(ana), "--db", db_url, "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "2025Q1" in result.output and "398.30" in result.output
    from sqlalchemy import select

    from caisse.store.db import session_scope
    from caisse.store.models import AuditLog

    with session_scope(db_url) as s:  # a read of a debtor's account is audited: who, which file, what, from where
        row = s.scalar(select(AuditLog).where(AuditLog.entity == "account_statement").order_by(AuditLog.id))
        assert (row.action, row.party_id, row.origin) == ("read", ana, "cli") and row.actor.startswith("cli:")
        assert "pdf" in row.detail["what"]
    unknown = runner.invoke(app, ["ledger", "statement", "--debtor", "999999", "--db", db_url])
    assert unknown.exit_code != 0
