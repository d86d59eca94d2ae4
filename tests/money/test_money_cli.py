"""The money commands: `caisse import coda`, `caisse export ...`, `caisse reconcile ...`, `caisse mandate ...`.
Bad input: one line naming the field, exit 2, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from money_helpers import OTHER_IBAN, call_quarter, coda, count, new_debtor, ogm, pay
from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.cli import app
from caisse.collection.models import BankFile, BankLine, ReconciliationItem, SepaMandate
from caisse.exchange.sepa import validate
from caisse.ledger import open_items
from caisse.ledger.models import LedgerTransaction

runner = CliRunner()
DAY = dt.date(2026, 3, 20)


def run(db_url, *args):
    return runner.invoke(app, [*args, "--db", db_url])


def one_line_error(result, field: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}"), result.output


@pytest.mark.parametrize("cmd", [["import", "coda"], ["export", "sepa-dd"], ["export", "credit-transfers"],
                                 ["reconcile", "list"], ["reconcile", "assign"], ["reconcile", "refund"],
                                 ["reconcile", "acknowledge"], ["reconcile", "return"], ["reconcile", "fund-account"],
                                 ["mandate", "add"], ["mandate", "amend"], ["mandate", "revoke"],
                                 ["mandate", "list"], ["mandate", "rhythm"]])
def test_every_money_command_has_help(cmd):
    assert runner.invoke(app, [*cmd, "--help"]).exit_code == 0


def test_import_book_export_and_reconcile_from_the_command_line(db, db_url, tmp_path, monkeypatch):
    import caisse.collection.credit_transfers as credit_transfers

    monkeypatch.setattr(credit_transfers, "_now", lambda: dt.datetime(2026, 3, 24, 9, 0))  # the day the file is made
    jean = new_debtor(db, iban=OTHER_IBAN)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    statement = tmp_path / "march.coda"
    statement.write_bytes(coda(pay(90_000, DAY, ogm=ogm(jean, "2026Q1")),
                                    pay(1_000, DAY, text="?", iban="BE62510007547061", name="A. Payer")))
    r = run(db_url, "import", "coda", str(statement))
    assert r.exit_code == 0 and "booked=1" in r.output and "to reconcile: 1" in r.output, r.output
    r = run(db_url, "import", "coda", str(statement))
    assert r.exit_code == 0 and "already imported" in r.output
    r = run(db_url, "reconcile", "list")
    assert r.exit_code == 0 and "no_reference" in r.output and "1 item(s)" in r.output
    from caisse.store.models import AuditLog

    payer = db.scalar(select(BankLine.counterparty_iban).where(BankLine.counterparty_iban.is_not(None)))
    assert payer and payer not in r.output and f"{payer[:4]} xxxx xxxx {payer[-4:]}" in r.output  # masked in lists
    db.rollback()
    listed = db.scalar(select(AuditLog).where(AuditLog.entity == "reconciliation_item").order_by(AuditLog.id))
    assert listed.action == "read" and listed.origin == "cli" and listed.detail["items"]
    item = db.scalar(select(ReconciliationItem.id))
    r = run(db_url, "reconcile", "assign", str(item), "--debtor", str(jean))
    assert r.exit_code == 0 and "assigned to debtor" in r.output, r.output
    assert open_items(db, jean) == []
    r = run(db_url, "reconcile", "show", str(item))
    assert r.exit_code == 0 and '"resolution": "assigned"' in r.output
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "reconciliation_item", AuditLog.detail.is_not(None))) >= 2
    from caisse.ledger import refund

    refund(db, "refund/cli", jean, 7_760, DAY)
    db.commit()
    out = tmp_path / "ct.xml"
    # the fund's bank pays on TARGET2 business days, from the day the file is made
    for day, reason in (
            ("2026-03-28", "2026-03-28 is not a TARGET2 business day (Saturday); the next one is 2026-03-30"),
            ("2026-04-06", "2026-04-06 is not a TARGET2 business day (Easter Monday); the next one is 2026-04-07"),
            ("2026-03-23", "2026-03-23 is in the past for a file made on 2026-03-24; the first possible date is "
                           "2026-03-24")):
        r = run(db_url, "export", "credit-transfers", "--execution-date", day, "--output", str(out))
        assert r.exit_code == 2 and r.output.strip() == f"error: --execution-date: {reason}", r.output
        assert not out.exists()
    r = run(db_url, "export", "credit-transfers", "--execution-date", "2026-03-25", "--output", str(out))
    assert r.exit_code == 0 and "1 credit transfers" in r.output, r.output
    validate(out.read_bytes())


def test_mandates_and_a_collection_from_the_command_line(db, db_url, tmp_path, monkeypatch):
    import caisse.collection.direct_debit as direct_debit

    monkeypatch.setattr(direct_debit, "_now", lambda: dt.datetime(2026, 4, 10, 9, 0))  # the day the file is made
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    r = run(db_url, "mandate", "add", "--debtor", str(jean), "--iban", OTHER_IBAN, "--signed-on", "2026-01-15")
    assert r.exit_code == 0 and "CAISSE-" in r.output, r.output
    out = tmp_path / "dd.xml"
    # the bank collects on TARGET2 business days, and needs the file one business day before (D-1)
    for day, words in (("2026-04-18", "not a TARGET2 business day (Saturday); the next one is 2026-04-20"),
                       ("2026-04-06", "not a TARGET2 business day (Easter Monday)"),
                       ("2026-04-10", "too early for a file made on 2026-04-10")):
        r = run(db_url, "export", "sepa-dd", "--collection-date", day, "--output", str(out))
        one_line_error(r, "collection_date")
        assert words in r.output and not out.exists()
    r = run(db_url, "export", "sepa-dd", "--collection-date", "2026-04-20", "--output", str(out))
    assert r.exit_code == 0 and "1 direct debits, 832.40 EUR" in r.output, r.output
    validate(out.read_bytes())
    first = out.read_bytes()
    r = run(db_url, "export", "sepa-dd", "--collection-date", "2026-04-20", "--output", str(out))
    assert r.exit_code == 0 and "nothing new" in r.output and out.read_bytes() == first
    r = run(db_url, "mandate", "list")
    assert "active" in r.output
    reference = db.scalar(select(SepaMandate.reference))
    # the debtor moves to another bank: the mandate stays, the next collection says SMNDA
    r = run(db_url, "mandate", "amend", reference, "--iban", "BE71 0961 2345 6769", "--on", "2026-04-25")
    assert r.exit_code == 0, r.output
    assert r.output == (f"mandate {reference} amended on 2026-04-25: BE71 0961 2345 6769; the next collection tells "
                        "the debtor's bank\n")
    call_quarter(db, jean, "2026Q2")
    db.commit()
    r = run(db_url, "export", "sepa-dd", "--collection-date", "2026-04-21", "--due-by", "2026-06-30",
            "--output", str(out))
    assert r.exit_code == 0 and "1 direct debits" in r.output, r.output
    validate(out.read_bytes())
    assert b"<AmdmntInd>true</AmdmntInd>" in out.read_bytes() and b"<Id>SMNDA</Id>" in out.read_bytes()
    r = run(db_url, "mandate", "revoke", reference, "--on", "2026-05-01")
    assert r.exit_code == 0
    r = run(db_url, "export", "sepa-dd", "--collection-date", "2026-07-20", "--output", str(tmp_path / "n.xml"))
    assert r.exit_code == 0 and "nothing to collect" in r.output and not (tmp_path / "n.xml").exists()


def test_bad_input_for_every_command(db, db_url, tmp_path):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    good = tmp_path / "good.coda"
    good.write_bytes(coda(pay(83_240, DAY, ogm=ogm(jean, "2026Q1"))))
    broken = tmp_path / "broken.coda"
    broken.write_bytes(good.read_bytes().replace(b"\r\n", b"X\r\n", 1))
    empty = tmp_path / "empty.coda"
    empty.write_bytes(b"")
    # a broken file among good ones: none is imported
    r = run(db_url, "import", "coda", str(good), str(broken))
    one_line_error(r, "file")
    assert "broken.coda" in r.output and "line 1" in r.output and "no file was imported" in r.output
    one_line_error(run(db_url, "import", "coda", str(tmp_path / "missing.coda")), "file")
    one_line_error(run(db_url, "import", "coda", str(empty)), "file")
    assert count(db, BankFile) == 0 and count(db, LedgerTransaction) == 1
    xml = str(tmp_path / "x.xml")
    one_line_error(run(db_url, "export", "sepa-dd", "--collection-date", "20-03-2026", "--output", xml),
                   "collection_date")
    one_line_error(run(db_url, "export", "sepa-dd", "--collection-date", "2026-03-20", "--due-by", "soon",
                       "--output", xml), "due_by")
    one_line_error(run(db_url, "export", "sepa-dd", "--collection-date", "2026-03-20",
                       "--output", str(tmp_path / "nodir" / "x.xml")), "output")
    one_line_error(run(db_url, "export", "credit-transfers", "--execution-date", "2026-02-30", "--output", xml),
                   "--execution-date")
    one_line_error(run(db_url, "export", "credit-transfers", "--execution-date", "2026-03-25",
                       "--output", str(tmp_path)), "output")
    one_line_error(run(db_url, "reconcile", "list", "--reason", "nope"), "reason")
    one_line_error(run(db_url, "reconcile", "show", "12"), "reconciliation item")
    one_line_error(run(db_url, "reconcile", "assign", "12", "--debtor", str(jean)), "reconciliation item")
    one_line_error(run(db_url, "reconcile", "assign", "12", "--debtor", str(jean), "--amount-cents", "5"),
                   "request_id")
    one_line_error(run(db_url, "reconcile", "refund", "12", "--reason", "x"), "reconciliation item")
    one_line_error(run(db_url, "reconcile", "acknowledge", "12", "--note", "x"), "reconciliation item")
    one_line_error(run(db_url, "reconcile", "return", "12", "--payment-key", "x"), "reconciliation item")
    one_line_error(run(db_url, "reconcile", "fund-account", "BE12"), "iban")
    one_line_error(run(db_url, "reconcile", "fund-account", OTHER_IBAN, "--from", "yesterday"), "valid_from")
    one_line_error(run(db_url, "mandate", "add", "--debtor", "424242", "--iban", OTHER_IBAN,
                       "--signed-on", "2026-01-01"), "debtor")
    one_line_error(run(db_url, "mandate", "add", "--debtor", str(jean), "--iban", "BE00",
                       "--signed-on", "2026-01-01"), "iban")
    one_line_error(run(db_url, "mandate", "add", "--debtor", str(jean), "--iban", OTHER_IBAN,
                       "--signed-on", "01/01/2026"), "signed_on")
    one_line_error(run(db_url, "mandate", "revoke", "NOPE", "--on", "2026-01-01"), "mandate")
    one_line_error(run(db_url, "mandate", "amend", "NOPE", "--iban", OTHER_IBAN), "mandate")
    one_line_error(run(db_url, "mandate", "amend", "NOPE"), "iban")
    one_line_error(run(db_url, "mandate", "amend", "NOPE", "--iban", OTHER_IBAN, "--on", "soon"), "on")
    one_line_error(run(db_url, "mandate", "revoke", "NOPE", "--on", "never"), "on")
    one_line_error(run(db_url, "mandate", "add", "--debtor", str(jean), "--iban", OTHER_IBAN,
                       "--signed-on", "2026-01-01", "--rhythm", "weekly"), "rhythm")
    one_line_error(run(db_url, "mandate", "rhythm", "NOPE", "--rhythm", "weekly"), "rhythm")
    one_line_error(run(db_url, "mandate", "rhythm", "NOPE", "--rhythm", "monthly"), "mandate")
    assert count(db, SepaMandate) == 0 and count(db, ReconciliationItem) == 0


def test_a_mandate_collected_monthly_from_the_command_line(db, db_url, tmp_path, monkeypatch):
    import caisse.collection.direct_debit as direct_debit

    monkeypatch.setattr(direct_debit, "_now", lambda: dt.datetime(2026, 1, 28, 9, 0))  # the day the file is made
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    r = run(db_url, "mandate", "add", "--debtor", str(jean), "--iban", OTHER_IBAN, "--signed-on", "2026-01-15",
            "--rhythm", "monthly")
    assert r.exit_code == 0 and r.output.endswith("signed 2026-01-15, collected monthly\n"), r.output
    reference = db.scalar(select(SepaMandate.reference))
    assert " monthly " in run(db_url, "mandate", "list").output
    out = tmp_path / "dd.xml"
    r = run(db_url, "export", "sepa-dd", "--collection-date", "2026-02-05", "--output", str(out))
    assert r.exit_code == 0 and "1 direct debits, 416.20 EUR (1 with a monthly instalment)" in r.output, r.output
    validate(out.read_bytes())  # February, month 2 of the quarter: half of 832.40
    r = run(db_url, "mandate", "rhythm", reference, "--rhythm", "quarterly")
    assert r.output == f"mandate {reference} collected quarterly\n"
    r = run(db_url, "mandate", "rhythm", reference, "--rhythm", "quarterly")
    assert r.exit_code == 0 and r.output == f"mandate {reference} collected quarterly (unchanged)\n"
