"""The `caisse affiliate` commands: one line naming the field on bad input, exit 2, nothing written."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.cli import app
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Party

runner = CliRunner()

PERSON = ["affiliate", "person", "--niss", "85073003328", "--first-name", "Ana", "--last-name", "Peeters",
          "--birth-date", "1985-07-30", "--language", "nl", "--street", "Meir", "--house-number", "1",
          "--postal-code", "2000", "--city", "Antwerpen", "--iban", "BE71096123456769"]


def run(db_url, *args):
    return runner.invoke(app, [*args, "--db", db_url])


def rows(db_url, model) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_every_command_has_help():
    for cmd in (["--help"], ["affiliate", "--help"], ["affiliate", "person", "--help"], ["demo", "--help"],
                ["serve", "--help"], ["db", "upgrade", "--help"], ["affiliate", "show", "--help"]):
        result = runner.invoke(app, cmd)
        assert result.exit_code == 0, (cmd, result.output)


def test_register_affiliate_show_and_cease(db_url):
    assert run(db_url, *PERSON).output.strip() == "person 1 registered"
    r = run(db_url, "affiliate", "start", "--person", "1", "--start-date", "2026-01-01", "--category", "main",
            "--requested-on", "2025-12-01")
    assert r.exit_code == 0 and r.output.strip() == "affiliation 1: affiliated"
    r = run(db_url, "affiliate", "start", "--person", "1", "--start-date", "2027-01-01", "--category",
            "complementary", "--requested-on", "2026-12-01")
    assert r.exit_code == 2 and "start_date: overlaps affiliation 1" in r.output
    shown = run(db_url, "affiliate", "show", "1", "--reason", "phone call")
    assert "85.07.30-033.28" in shown.output and "main 2026-01-01" in shown.output
    r = run(db_url, "affiliate", "cease", "--affiliation", "1", "--end-date", "2026-06-30", "--reason", "stopped")
    assert r.exit_code == 0 and "ceased on 2026-06-30" in r.output


def test_bad_niss_is_one_line_exit_2_and_nothing_written(db_url):
    args = list(PERSON)
    args[args.index("85073003328")] = "85073003329"
    result = run(db_url, *args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: niss: national number (NISS) check digits do not match (typing error?)"]
    assert rows(db_url, Party) == 0 and rows(db_url, AuditLog) == 0


def test_an_impossible_date_names_the_field(db_url):
    run(db_url, *PERSON)
    r = run(db_url, "affiliate", "start", "--person", "1", "--start-date", "2026-02-30", "--category", "main")
    assert r.exit_code == 2 and r.output.startswith("error: start_date: not a date")


def test_company_needs_a_director(db_url):
    r = run(db_url, "affiliate", "company", "--kbo", "0403170701", "--name", "X", "--legal-form", "SRL",
            "--language", "fr", "--street", "Rue", "--house-number", "1", "--postal-code", "1000", "--city",
            "Bruxelles", "--affiliation-start", "2024-01-01")
    assert r.exit_code == 2 and r.output.startswith("error: directors:")
    assert rows(db_url, Party) == 0
