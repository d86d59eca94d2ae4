"""`caisse cases assign-caseworker` and `caisse account contact`: a manager's decision from the command line,
bad input refused in one line naming the field (exit code 2)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from typer.testing import CliRunner

from caisse.cli._app import app
from caisse.security.authz import Principal
from caisse.services import accounts, caseworkers
from caisse.store.db import session_scope
from caisse.store.models import FileCaseworker
from support.people import register_someone

runner = CliRunner()


def run(db_url, *args):
    return runner.invoke(app, [*args, "--db", db_url])


def test_a_file_gets_its_named_caseworker_from_the_command_line(db_url):
    with session_scope(db_url) as s:
        ana = register_someone(s, seq=21)
        ana.party.team = "t1"
        pid = ana.id
        accounts.create_account(s, Principal.system("t"), "sophie@fund.test", "x", "caseworker", team="t1",
                                demo=True)
    contact = run(db_url, "account", "contact", "sophie@fund.test", "--name", "Sophie Lambert", "--phone",
                  "+32 2 555 01 01", "--email", "sophie.lambert@fund.test")
    assert contact.exit_code == 0, contact.output
    done = run(db_url, "cases", "assign-caseworker", "--party", str(pid), "--account", "Sophie@fund.test")
    assert done.exit_code == 0 and f"file {pid}: caseworker sophie@fund.test" in done.output
    with session_scope(db_url) as s:
        row = s.scalar(select(FileCaseworker))
        assert (row.party_id, row.valid_from, row.valid_to) == (pid, dt.date.today(), None)
        assert caseworkers.current(s, pid)[1].display_name == "Sophie Lambert"
    again = run(db_url, "cases", "assign-caseworker", "--party", str(pid), "--account", "nobody@fund.test")
    assert again.exit_code == 2 and "account" in again.output and "nobody@fund.test" in again.output
    bad_email = run(db_url, "account", "contact", "sophie@fund.test", "--email", "not an address")
    assert bad_email.exit_code == 2 and "email" in bad_email.output
