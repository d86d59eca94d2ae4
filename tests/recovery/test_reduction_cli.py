"""`caisse recovery reduction-request / reduction-decision / reduction-letter`: the fund records a reduction asked by
letter, decides it and prints the letter; bad input refused in one line naming the field (exit code 2), nothing
written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.cases.models import Case
from caisse.cli._app import app
from caisse.ledger.models import LedgerTransaction
from caisse.recovery.models import ReductionRequest
from caisse.security.authz import Principal
from caisse.services import approvals
from caisse.services.accounts import create_account
from caisse.store.db import session_scope
from caisse.store.models import ProfessionalIncome

runner = CliRunner()


def run(db_url, *args):
    return runner.invoke(app, ["recovery", *args, "--db", db_url])


def test_asked_by_letter_granted_and_printed(db_url, fund, tmp_path):
    ana = fund.person(category="main", incomes={2023: "60000.00"}, language="de")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    asked = run(db_url, "reduction-request", "--debtor", str(ana), "--year", "2026", "--estimate", "20000,00",
                "--justification", "Auftragsrückgang, Bescheinigung des Buchhalters", "--today", "2026-05-15")
    assert asked.exit_code == 0, asked.output
    assert "2026 on 20000.00 EUR, 1025.00 EUR a quarter (1066.51 with the management fee)" in asked.output
    assert "2026Q1: called " in asked.output and "2026Q2: not called yet, on the estimate 1066.51 EUR" in asked.output
    with session_scope(db_url) as s:
        rid = s.scalar(select(ReductionRequest.id))
    pdf = tmp_path / "decision.pdf"
    done = run(db_url, "reduction-decision", "--request", str(rid), "--grant", "--output", str(pdf),
               "--today", "2026-05-20")
    assert done.exit_code == 0, done.output
    assert f"reduction request {rid}: awaiting_approval (approval " in done.output and not pdf.exists()
    with session_scope(db_url) as s:  # Q1 lowered by more than the four-eyes threshold: a manager approves
        manager, _ = create_account(s, Principal.system("setup"), "boss", "Correct horse battery staple 42",
                                    "manager")
        manager_id = manager.id
    with session_scope(db_url) as s:
        approvals.decide(s, Principal(login="boss", role="manager", account_id=manager_id),
                         s.get(ReductionRequest, rid).approval_id, True, "ok", dt.date(2026, 5, 21))
    with session_scope(db_url) as s:
        r = s.get(ReductionRequest, rid)
        assert (r.status, r.quarterly_cents, r.quarterly_total_cents, len(r.corrections)) == (
            "granted", 102500, 106651, 1)
    letter = tmp_path / "again.pdf"
    assert run(db_url, "reduction-letter", "--request", str(rid), "--output", str(letter)).exit_code == 0
    assert letter.read_bytes().startswith(b"%PDF")
    again = run(db_url, "reduction-decision", "--request", str(rid), "--refuse", "--motivation", "x")
    assert again.exit_code == 2 and again.output.startswith(f"error: request: request {rid} is already granted")


@pytest.mark.parametrize(("args", "field"), [
    (["--year", "2026", "--estimate", "20.000,00"], "estimate"),
    (["--year", "2026", "--estimate", "-5"], "estimate"),
    (["--year", "2025", "--estimate", "20000"], "year"),
    (["--year", "2030", "--estimate", "20000"], "year"),
    (["--year", "2026", "--estimate", "20000", "--justification", " "], "justification"),
])
def test_bad_requests_exit_2_naming_the_field_and_write_nothing(db_url, fund, args, field):
    ana = fund.person(category="main", incomes={2023: "60000.00"})
    if "--justification" not in args:
        args = [*args, "--justification", "raison"]
    r = run(db_url, "reduction-request", "--debtor", str(ana), *args, "--today", "2026-05-15")
    assert r.exit_code == 2 and r.output.startswith(f"error: {field}: "), r.output
    assert len(r.output.strip().splitlines()) == 1
    with session_scope(db_url) as s:
        assert not s.scalars(select(Case)).all() and not s.scalars(select(ReductionRequest)).all()


def test_a_refusal_without_motivation_exits_2_and_writes_nothing(db_url, fund):
    ana = fund.person(category="main", incomes={2023: "60000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    assert run(db_url, "reduction-request", "--debtor", str(ana), "--year", "2026", "--estimate", "20000",
               "--justification", "raison", "--today", "2026-05-15").exit_code == 0
    with session_scope(db_url) as s:
        rid = s.scalar(select(ReductionRequest.id))
    r = run(db_url, "reduction-decision", "--request", str(rid), "--refuse", "--today", "2026-05-20")
    assert r.exit_code == 2 and r.output.startswith("error: motivation: ")
    unknown = run(db_url, "reduction-decision", "--request", "999", "--grant")
    assert unknown.exit_code == 2
    with session_scope(db_url) as s:
        assert s.get(ReductionRequest, rid).status == "requested"
        assert not s.scalars(select(ProfessionalIncome).where(ProfessionalIncome.source == "estimate")).all()
        assert not s.scalars(select(LedgerTransaction).where(LedgerTransaction.key.like("reduction/%"))).all()


def test_every_reduction_command_has_help():
    for cmd in ("reduction-request", "reduction-decision", "reduction-letter"):
        r = runner.invoke(app, ["recovery", cmd, "--help"])
        assert r.exit_code == 0 and "--help" in r.output
