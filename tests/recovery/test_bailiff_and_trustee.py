"""After the enforcement order: the file handed to a bailiff, the bailiff's status files (service of the contrainte,
payments, costs, outcome), a bankruptcy with its trustee, and the periodic statement to every debtor in arrears."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from caisse.batches import arrears_statements, quarterly_call, surcharges
from caisse.batches import recovery as batch
from caisse.batches.models import Notice
from caisse.config import Settings
from caisse.documents.notices import notice_pdf
from caisse.errors import InvalidInput
from caisse.ledger import balances, receive_payment
from caisse.ledger.check import run_check
from caisse.recovery import bankruptcy, service
from caisse.recovery.models import (
    RecoveryHandover,
    RecoveryHandoverLine,
    RecoveryStatusLine,
)
from caisse.recovery.partner_status import import_status
from caisse.recovery.partners import add_partner, handover
from caisse.security.authz import Principal
from caisse.services import approvals
from caisse.store.db import session_scope

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
SURCHARGE = 2671  # 3 % of 890.42, half-up (art. 44 AR 19-12-1967)
CLERK = Principal.system("cli:recovery-officer")
MANAGER = Principal(login="boss", role="manager", account_id=1)
SETTINGS = Settings(four_eyes_threshold_cents=50_000)
STATUS_HEADER = "partner_ref,our_reference,file_number,event_date,served_on,paid,costs,outcome,note\n"


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def stage(url, party):
    with session_scope(url) as s:
        f = service.file_of(s, party)
        return None if f is None else (f.stage, f.closing_reason)


def owed(url, party, accounts=("contribution", "management_fee", "surcharge", "costs")):
    with session_scope(url) as s:
        return {(b.account, b.period): b.balance_cents for b in balances(s, party_id=party, accounts=accounts)
                if b.balance_cents}


def to_bailiff(url, party) -> None:
    """The dunning batch, one stage per run, up to the bailiff (the personal contact logged on the way)."""
    for day in ("2026-04-16", "2026-05-16", "2026-06-16", "2026-07-17"):
        batch.run(url, d(day))
    assert stage(url, party) == ("personal_contact", None)
    with session_scope(url) as s:
        service.log_contact(s, CLERK, party, d("2026-07-20"), "called: cannot pay, refuses a plan")
    batch.run(url, d("2026-08-05"))
    assert stage(url, party) == ("enforcement", None)
    batch.run(url, d("2026-09-06"))  # the contrainte goes to a bailiff to be served
    assert stage(url, party) == ("bailiff", None)


@pytest.fixture
def partners(db_url):
    with session_scope(db_url) as s:
        add_partner(s, CLERK, "HUI-GENT", "bailiff", "Meester Peeters, gerechtsdeurwaarder",
                    "Veldstraat 1; 9000 Gent", "peeters@deurwaarder.example", "nl")
        add_partner(s, CLERK, "HUI-LIEGE", "bailiff", "Maître Lambert, huissier de justice",
                    "Rue Féronstrée 2; 4000 Liège", "lambert@huissier.example", "fr")
        add_partner(s, CLERK, "AV-BXL", "lawyer", "Maître Dubois, avocate", "Avenue Louise 3; 1050 Bruxelles",
                    "dubois@avocat.example", "fr")


@pytest.fixture
def manager(db_url):
    from caisse.services.accounts import create_account

    with session_scope(db_url) as s:
        create_account(s, Principal.system("setup"), "boss", "Correct horse battery staple 42", "manager")


def test_a_starter_who_falls_behind_is_called_and_pays_via_the_bailiff(db_url, fund, partners, tmp_path):
    ana = fund.person(category="main", start=d("2025-01-01"), language="nl")  # a starter: pays the minimum
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")  # 890.42 due on 31 March, never paid
    to_bailiff(db_url, ana)
    surcharges.run(db_url, d("2026-09-06"))
    # 3 % at the end of Q1 and of Q2; the contrainte issued on 5 August (Q3) stops them at the end of Q2 for now
    assert owed(db_url, ana) == {("contribution", "2026Q1"): MIN_2026, ("surcharge", "2026Q1"): 2 * SURCHARGE}

    # the hand-over: one CSV and one cover letter to the Dutch-speaking bailiff, recorded with its checksum
    result = handover(db_url, d("2026-09-07"), tmp_path, CLERK)
    assert [(h.key, h.debtors, h.amount_cents) for h in result.files] == [
        ("handover/HUI-GENT/2026-09-07", 1, MIN_2026 + 2 * SURCHARGE)]
    rows = list(csv.DictReader(io.StringIO(result.files[0].csv_path.read_text(encoding="utf-8"))))
    assert len(rows) == 1
    line = rows[0]
    assert (line["file_number"], line["period"], line["principal"], line["accessories"], line["total"]) == (
        str(ana), "2026Q1", "890.42", "53.42", "943.84")
    assert line["our_reference"] == f"{ana}-1-bailiff" and line["enforcement_order"] == f"C2026-{ana}-1"
    assert line["enforcement_date"] == "2026-08-05" and line["structured_communication"].startswith("+++")
    letter = result.files[0].pdf_path.read_bytes()
    assert letter.startswith(b"%PDF") and b"Overdracht van dwangbevelen" in letter
    # never handed twice for the same step
    again = handover(db_url, d("2026-09-10"), tmp_path / "again", CLERK)
    assert again.files == [] and not (tmp_path / "again").exists()
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(RecoveryHandoverLine)) == 1
        assert len(s.scalar(select(RecoveryHandover.csv_sha256))) == 64

    # the bailiff served the contrainte on 5 October (Q4): surcharges run until the end of Q3, not Q2
    served = STATUS_HEADER + f"GENT-2026-0001,{ana}-1-bailiff,{ana},2026-10-05,2026-10-05,,,,betekend\n"
    r = import_status(db_url, served.encode(), "HUI-GENT", CLERK, d("2026-10-06"), filename="status-1.csv")
    assert (r.accepted, r.rejected, r.served) == (1, [], 1)
    surcharges.run(db_url, d("2026-10-06"))
    assert owed(db_url, ana)[("surcharge", "2026Q1")] == 3 * SURCHARGE
    surcharges.run(db_url, d("2027-01-02"))  # nothing after the cut-off, not even the 7 % of 1 January
    assert owed(db_url, ana)[("surcharge", "2026Q1")] == 3 * SURCHARGE

    # she pays the bailiff everything, his costs included; one line of the file is malformed
    everything = MIN_2026 + 3 * SURCHARGE + 15000
    status = (STATUS_HEADER
              + f"GENT-2026-0002,{ana}-1-bailiff,{ana},2027-01-08,,{everything / 100:.2f},150.00,paid,betaald\n"
              + f"GENT-2026-0003,{ana}-1-bailiff,{ana},2027-01-08,,12;50,,,\n")
    r = import_status(db_url, status.encode(), "HUI-GENT", CLERK, d("2027-01-09"), filename="status-2.csv")
    assert (r.accepted, r.paid_cents, r.costs_cents, r.closed) == (1, everything, 15000, {"paid": 1})
    assert [str(x) for x in r.rejected] == [
        "line 3: paid: '12;50' is not an amount (EUR, '.' as decimal mark, at most 2 decimals, ≥ 0)"]
    assert stage(db_url, ana) == ("closed", "paid")
    assert owed(db_url, ana) == {}  # every period settled: contribution, surcharges, the bailiff's costs
    with session_scope(db_url) as s:
        report = run_check(s)
        assert report.ok, report.breaches
        kept = s.scalars(select(RecoveryStatusLine).where(RecoveryStatusLine.status == "rejected")).all()
        assert [(k.line, k.error) for k in kept] == [(3, "paid: '12;50' is not an amount (EUR, '.' as decimal "
                                                        "mark, at most 2 decimals, ≥ 0)")]
        assert "GENT-2026-0003" in kept[0].raw
        costs = [b for b in balances(s, party_id=ana, accounts=("costs",))]
        assert [(b.period, b.balance_cents) for b in costs] == [("2027Q1", 0)]
    # the same file again changes nothing
    r = import_status(db_url, status.encode(), "HUI-GENT", CLERK, d("2027-01-10"))
    assert r.already_imported
    # the rejected line corrected and sent again alone: the accepted one is not booked twice
    fixed = (STATUS_HEADER + f"GENT-2026-0002,{ana}-1-bailiff,{ana},2027-01-08,,{everything / 100:.2f},150.00,,\n"
             + f"GENT-2026-0003,{ana}-1-bailiff,{ana},2027-01-08,,,,,nothing more\n")
    r = import_status(db_url, fixed.encode(), "HUI-GENT", CLERK, d("2027-01-10"))
    assert (r.already, r.accepted, r.paid_cents, [str(x) for x in r.rejected]) == (
        1, 0, 0, ["line 3: event_date: the line reports nothing (no service date, payment, costs or outcome)"])


def test_a_malformed_status_line_is_rejected_with_its_line_and_field_and_kept(db_url, fund, partners, tmp_path):
    bo = fund.person(category="main", start=d("2025-01-01"), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_bailiff(db_url, bo)
    assert handover(db_url, d("2026-09-07"), tmp_path, CLERK).files[0].partner == "HUI-LIEGE"  # speaks French
    status = (STATUS_HEADER
              + f"LG-1,{bo}-1-bailiff,{bo},2026-10-01,2026-08-01,,,,\n"  # served before the contrainte existed
              + f"LG-2,{bo}-1-bailiff,{bo},2026-10-01,,100.00,,,\n"  # good: 100 EUR collected
              + f"LG-3,{bo}-1-bailiff,{bo + 1},2026-10-01,,10.00,,,\n"  # another debtor's file number
              + f"LG-4,{bo}-1-bailiff,{bo},2026-10-01,,,,vanished,\n"  # not an outcome
              + f"LG-5,{bo}-1-bailiff,{bo},2026-13-01,,5.00,,,\n"  # not a date
              + f"LG-6,{bo}-1-bailiff,{bo},2026-10-01,,5.00\n"  # columns missing
              + f"LG-7,999-1-bailiff,{bo},2026-10-01,,5.00,,,\n")  # not handed to this bailiff
    r = import_status(db_url, status.encode(), "HUI-LIEGE", CLERK, d("2026-10-02"))
    assert [(x.line, x.field) for x in r.rejected] == [(2, "served_on"), (4, "file_number"), (5, "outcome"),
                                                       (6, "event_date"), (7, "columns"), (8, "our_reference")]
    assert "before the contrainte was issued (2026-08-05)" in r.rejected[0].message
    assert (r.accepted, r.paid_cents) == (1, 10000)
    with session_scope(db_url) as s:
        lines = s.scalars(select(RecoveryStatusLine).order_by(RecoveryStatusLine.line)).all()
        assert [(ln.line, ln.status) for ln in lines] == [(2, "rejected"), (3, "accepted"), (4, "rejected"),
                                                          (5, "rejected"), (6, "rejected"), (7, "rejected"),
                                                          (8, "rejected")]
    assert owed(db_url, bo)[("contribution", "2026Q1")] == MIN_2026 - 10000  # imputed on the oldest principal
    # a file that is not a status file at all is refused whole, nothing written
    with pytest.raises(InvalidInput) as err:
        import_status(db_url, b"niss,amount\n1,2\n", "HUI-LIEGE", CLERK, d("2026-10-02"))
    assert err.value.field == "line 1"
    with pytest.raises(InvalidInput) as err:
        import_status(db_url, status.encode() + b"\n", "NOBODY", CLERK, d("2026-10-02"))
    assert err.value.field == "partner"


def test_a_bankrupt_debtor_gets_a_claim_declared_a_dividend_and_the_rest_written_off(db_url, fund, manager,
                                                                                      tmp_path):
    cy = fund.person(category="main", start=d("2025-01-01"), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    surcharges.run(db_url, d("2026-04-01"))
    batch.run(db_url, d("2026-04-16"))
    assert stage(db_url, cy) == ("reminder", None)
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as err:
            bankruptcy.record(s, CLERK, cy, d("2026-05-20"), "Tribunal de l'entreprise de Liège", "", "x", "fr",
                              d("2026-05-21"))
        assert err.value.field == "trustee_name"
        b = bankruptcy.record(s, CLERK, cy, d("2026-05-20"), "Tribunal de l'entreprise de Liège",
                              "Maître Renard, curatrice", "Place Saint-Lambert 4; 4000 Liège", "nl",
                              d("2026-05-21"), court_ref="F/26/123", trustee_email="renard@curatele.example")
        bid = b.id
    # recovery stops: the claim goes to the trustee
    summary = batch.run(db_url, d("2026-06-01"))
    assert summary.skipped == {"bankruptcy open: the claim is declared to the trustee": 1}
    assert stage(db_url, cy) == ("reminder", None)

    with session_scope(db_url) as s:
        pdf = bankruptcy.claim(s, CLERK, bid, d("2026-06-02"))
        b = s.get(type(b), bid)
        # owed on the day of the judgment: Q1 (due), its 3 % surcharge, Q2 (called, not yet due on 20 May)
        assert [(ln["period"], ln["account"], ln["amount"], ln["not_yet_due"]) for ln in b.claim_lines] == [
            ("2026Q1", "contribution", MIN_2026, False), ("2026Q1", "surcharge", SURCHARGE, False),
            ("2026Q2", "contribution", MIN_2026, True)]
        assert b.claim_cents == 2 * MIN_2026 + SURCHARGE
    assert pdf.startswith(b"%PDF") and b"Aangifte van schuldvordering" in pdf and b"Voorrecht" in pdf
    (tmp_path / "claim.pdf").write_bytes(pdf)

    with session_scope(db_url) as s:  # the trustee's dividend, imputed on the oldest principal first
        bankruptcy.dividend(s, CLERK, bid, 30000, d("2026-11-15"), "F/26/123-dividend-1", d("2026-11-16"))
        bankruptcy.dividend(s, CLERK, bid, 30000, d("2026-11-15"), "F/26/123-dividend-1", d("2026-11-16"))  # again
    assert owed(db_url, cy) == {("contribution", "2026Q1"): MIN_2026 - 30000, ("surcharge", "2026Q1"): SURCHARGE,
                                ("contribution", "2026Q2"): MIN_2026}

    with session_scope(db_url) as s:
        made = bankruptcy.close(s, CLERK, bid, d("2026-12-01"), "procedure closed for lack of assets",
                                d("2026-12-02"), SETTINGS)
        assert [(a.payload["account"], a.payload["period"], a.amount_cents, a.status) for a in made] == [
            ("contribution", "2026Q1", MIN_2026 - 30000, "pending"), ("surcharge", "2026Q1", SURCHARGE, "executed"),
            ("contribution", "2026Q2", MIN_2026, "pending")]
        pending = [a.id for a in made if a.status == "pending"]
    assert stage(db_url, cy) == ("closed", "insolvency")
    assert owed(db_url, cy)[("contribution", "2026Q1")] == MIN_2026 - 30000  # nothing given up before four eyes
    with session_scope(db_url) as s:
        for a in pending:
            approvals.decide(s, MANAGER, a, True, "trustee's final report seen", d("2026-12-03"))
    assert owed(db_url, cy) == {}
    with session_scope(db_url) as s:
        assert run_check(s).ok


def test_every_debtor_in_arrears_receives_a_statement_once(db_url, fund):
    ana, bo, cy = (fund.person(category="main", start=d("2025-01-01"), language=lang) for lang in ("nl", "fr", "de"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        receive_payment(s, "coda/s/1", d("2026-03-20"), MIN_2026, bo)  # bo paid in time
        bankruptcy.record(s, CLERK, cy, d("2026-05-02"), "Unternehmensgericht Eupen", "RA Schmitz",
                          "Klosterstraße 1; 4700 Eupen", "de", d("2026-05-03"))
    summary = arrears_statements.run(db_url, d("2026-06-30"))
    assert (summary.debtors, summary.notices, summary.amount_cents) == (1, 1, MIN_2026)
    assert summary.skipped == {"bankruptcy open: the claim is declared to the trustee": 1}
    assert arrears_statements.run(db_url, d("2026-06-30")).finished_before
    with session_scope(db_url) as s:
        notices = s.scalars(select(Notice).where(Notice.kind == "statement")).all()
        assert [(n.party_id, n.amount_cents, n.period, n.language) for n in notices] == [(ana, MIN_2026, "2026Q2",
                                                                                          "nl")]
        pdf = notice_pdf(s, notices[0].id)
    assert pdf.startswith(b"%PDF") and b"Rekeninguittreksel" in pdf


def test_the_commands_hand_over_import_and_report_rejected_lines(db_url, fund, tmp_path):
    from typer.testing import CliRunner

    from caisse.cli import app

    def invoke(*args):
        return CliRunner().invoke(app, [*map(str, args), "--db", db_url])

    ana = fund.person(category="main", start=d("2025-01-01"), language="nl")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_bailiff(db_url, ana)
    bad = invoke("recovery", "partner", "add", "--code", "X", "--kind", "bailiff", "--name", "n", "--address", "a",
                 "--email", "a@b.be", "--language", "nl")
    assert bad.exit_code == 2 and bad.output.startswith("error: code:")
    ok = invoke("recovery", "partner", "add", "--code", "HUI-GENT", "--kind", "bailiff", "--name", "Meester Peeters",
                "--address", "Veldstraat 1; 9000 Gent", "--email", "peeters@deurwaarder.example", "--language", "nl")
    assert ok.exit_code == 0, ok.output
    out = invoke("recovery", "handover", "--as-of", "2026-09-07", "--output-dir", tmp_path)
    assert out.exit_code == 0 and "handover/HUI-GENT/2026-09-07: 1 debtor(s), 890.42 EUR" in out.output
    assert (tmp_path / "handover-HUI-GENT-2026-09-07.csv").exists()
    again = invoke("recovery", "handover-again", "--key", "handover/HUI-GENT/2026-09-07", "--output-dir",
                   tmp_path / "copy")
    assert again.exit_code == 0 and "differs" not in again.output
    assert (tmp_path / "copy" / "handover-HUI-GENT-2026-09-07.csv").read_bytes() == (
        tmp_path / "handover-HUI-GENT-2026-09-07.csv").read_bytes()
    # the CSV names debtors: only who hands files over may write it again, and each file's read is audited
    from caisse.recovery.partners import write_again
    from caisse.security.authz import Forbidden
    from caisse.store.models import AuditLog

    with pytest.raises(Forbidden):
        write_again(db_url, "handover/HUI-GENT/2026-09-07", tmp_path / "x", Principal(login="eve", role="auditor"))
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "recovery_handover", AuditLog.action == "read", AuditLog.party_id == ana)) == 1
    status = tmp_path / "status.csv"
    status.write_text(STATUS_HEADER + f"G-1,{ana}-1-bailiff,{ana},2026-10-05,2026-10-05,,,,\n"
                      + f"G-2,{ana}-1-bailiff,{ana},2026-10-05,,,-3.00,,\n", encoding="utf-8")
    result = invoke("recovery", "status-import", status, "--partner", "HUI-GENT", "--today", "2026-10-06")
    assert result.exit_code == 1
    assert "1 accepted" in result.stdout and "rejected: line 3: costs: '-3.00' is not an amount" in result.stderr
    assert invoke("recovery", "status-import", status, "--partner", "HUI-GENT").stdout.startswith("already imported")
    shown = invoke("recovery", "show", "--debtor", ana)
    assert f"hand-over {ana}-1-bailiff to HUI-GENT" in shown.output and "served 2026-10-05" in shown.output
    run = invoke("run", "arrears-statements", "--as-of", "2026-10-06")
    assert run.exit_code == 0 and "arrears-statements/2026-10-06: finished" in run.output


def test_a_file_sent_to_court_goes_to_a_lawyer_and_the_summons_date_stops_the_surcharges(db_url, fund, partners,
                                                                                          tmp_path):
    eva = fund.person(category="main", start=d("2025-01-01"), language="nl")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for day in ("2026-04-16", "2026-05-16", "2026-06-16", "2026-07-17"):
        batch.run(db_url, d(day))
    with session_scope(db_url) as s:  # the summons route instead of a contrainte
        service.log_contact(s, CLERK, eva, d("2026-07-20"), "called: contests the debt")
        service.move(s, CLERK, eva, "court", "she contests: the labour court decides", d("2026-08-03"))
    result = handover(db_url, d("2026-08-04"), tmp_path, CLERK)
    # no lawyer speaks Dutch: the first active lawyer; no contrainte in this cycle
    assert [(h.partner, h.kind, h.debtors) for h in result.files] == [("AV-BXL", "lawyer", 1)]
    row = next(csv.DictReader(io.StringIO(result.files[0].csv_path.read_text(encoding="utf-8"))))
    assert (row["our_reference"], row["enforcement_order"], row["enforcement_date"]) == (f"{eva}-1-court", "", "")
    assert b"Transmission de dossiers pour proc" in result.files[0].pdf_path.read_bytes()
    surcharges.run(db_url, d("2026-10-13"))  # the court step (3 August, Q3) stands for the summons: Q1 and Q2
    assert owed(db_url, eva)[("surcharge", "2026Q1")] == 2 * SURCHARGE
    wrong = STATUS_HEADER + f"AV-76,{eva}-1-bailiff,{eva},2026-10-12,,10.00,,,\n"  # no such hand-over
    assert [(x.line, x.field) for x in import_status(db_url, wrong.encode(), "AV-BXL", CLERK,
                                                     d("2026-10-13")).rejected] == [(2, "our_reference")]
    summons = STATUS_HEADER + f"AV-77,{eva}-1-court,{eva},2026-10-12,2026-10-12,,,,citation\n"
    assert import_status(db_url, summons.encode(), "AV-BXL", CLERK, d("2026-10-13")).served == 1
    surcharges.run(db_url, d("2026-10-14"))  # summoned in Q4: the 3 % of 30 September is due too
    assert owed(db_url, eva)[("surcharge", "2026Q1")] == 3 * SURCHARGE
    with pytest.raises(InvalidInput) as err:
        import_status(db_url, b"\xff", "AV-BXL", CLERK, d("2026-10-13"))
    assert err.value.field == "file"
