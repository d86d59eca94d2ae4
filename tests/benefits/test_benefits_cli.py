"""`caisse benefits ...` from the command line: claim, decide, show, decision-pdf, follow-up; one-line errors."""

from __future__ import annotations

from helpers import contributions, d, iban, quarters
from typer.testing import CliRunner

from caisse.cli import app

runner = CliRunner()


def run(db_url, *args):
    return runner.invoke(app, ["benefits", *args, "--db", db_url])


def test_a_bereavement_claim_from_the_command_line(db_url, fund, tmp_path):
    ana = fund.person(category="main", start=d("2015-01-01"), language="nl")
    iban(db_url, ana)
    contributions(db_url, ana, paid=quarters("2024Q3", "2024Q4"))
    r = run(db_url, "claim", "--person", str(ana), "--kind", "bereavement", "--death-date", "2025-03-01",
            "--start", "2025-03-10", "--end", "2025-03-21", "--days", "10", "--received", "2025-03-05")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("claim 1: bereavement") and "decision due by 2025-07-05" in r.output
    r = run(db_url, "decide", "--claim", "1", "--today", "2025-03-25")
    assert r.output == ("claim 1: granted 1035.30 EUR; credit transfer queued, payment due by 2025-04-30\n"
                        "  gross; withholding: not applied — rate not recorded\n")
    r = run(db_url, "show", "--claim", "1")
    assert "status granted (granted)" in r.output and "[ok] Contributions paid for 2" in r.output
    assert "bereavement_daily=103.53 from 2025-02-01 (fund)" in r.output
    assert run(db_url, "reproduce", "--claim", "1").output == "claim 1: the same decision\n"
    out = tmp_path / "decision.pdf"
    r = run(db_url, "decision-pdf", "--claim", "1", "--output", str(out))
    assert r.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    r = runner.invoke(app, ["export", "credit-transfers", "--execution-date", "2025-03-27", "--output",
                            str(tmp_path / "ct.xml"), "--db", db_url])
    assert r.exit_code == 0, r.output
    assert b"1035.30" in (tmp_path / "ct.xml").read_bytes()
    r = run(db_url, "follow-up", "--as-of", "2025-03-28")
    assert r.output == ("paid and closed 1; flagged late 0; refused claims closed 0; undecided past the decision "
                        "deadline 0\n")


def test_bad_input_is_one_line_naming_the_option_exit_2(db_url, fund):
    ana = fund.person(category="main", start=d("2015-01-01"))
    cases = [
        (["claim", "--person", str(ana), "--kind", "holiday", "--start", "2025-01-01"], "error: kind: one of"),
        (["claim", "--person", str(ana), "--kind", "bereavement", "--start", "2025-01-01", "--end", "2025-01-02",
          "--days", "2"], "error: death-date: required for a bereavement claim"),
        (["claim", "--person", str(ana), "--kind", "bridging_right", "--case", "bankruptcy", "--event-date",
          "2024-05-20", "--start", "2024-06-01", "--days", "3", "--months", "1"], "error: days: either days"),
        (["claim", "--person", str(ana), "--kind", "carer", "--start", "2025-13-01", "--months", "1"],
         "error: start:"),
        (["claim", "--person", "999", "--kind", "carer", "--start", "2025-01-01", "--months", "1"],
         "error: person 999 not found"),
        (["decide", "--claim", "7"], "error: claim 7 not found"),
        (["decision-pdf", "--claim", "7", "--output", "/tmp/x.pdf"], "error: claim 7 not found"),
    ]
    for args, message in cases:
        r = run(db_url, *args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.startswith(message) and r.output.count("\n") == 1, (args, r.output)
    contributions(db_url, ana, paid=quarters("2024Q1", "2025Q1"))
    r = run(db_url, "claim", "--person", str(ana), "--kind", "bridging_right", "--case", "bankruptcy",
            "--event-date", "2025-04-01", "--start", "2025-05-01", "--months", "1", "--no-professional-activity",
            "--no-replacement-income", "--received", "2025-04-02")
    assert r.exit_code == 0
    r = run(db_url, "decide", "--claim", "1", "--today", "2025-05-02")  # 2025 amount: an estimate only
    assert r.exit_code == 2 and "ESTIMATE" in r.output and r.output.count("\n") == 1
    r = run(db_url, "decision-pdf", "--claim", "1", "--output", "/tmp/x.pdf")
    assert r.exit_code == 2 and r.output.startswith("error: claim: claim 1 is not decided yet")


def test_a_grant_without_a_bank_account_on_file_warns(db_url, fund):
    ben = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, ben, paid=quarters("2024Q3", "2024Q4"))
    run(db_url, "claim", "--person", str(ben), "--kind", "bereavement", "--death-date", "2025-03-01", "--start",
        "2025-03-10", "--end", "2025-03-11", "--days", "2", "--received", "2025-03-05")
    r = run(db_url, "decide", "--claim", "1", "--today", "2025-03-25")
    assert r.exit_code == 0 and r.stdout.startswith("claim 1: granted 207.06 EUR")  # 2 × 103.53
    assert r.stderr.startswith("warning: no bank account on file for person")


def test_life_events_and_an_undue_benefit_from_the_command_line(db_url, fund, tmp_path):
    from sqlalchemy import update

    from caisse.store.db import session_scope
    from caisse.store.models import Person

    marc = fund.person(category="main", start=d("2015-01-01"))
    iban(db_url, marc)
    contributions(db_url, marc, paid=quarters("2022Q3", "2022Q4"))
    r = run(db_url, "event", "--person", str(marc), "--kind", "birth", "--date", "2023-03-10", "--known-on",
            "2023-04-12", "--parent", "co-parent", "--start", "2023-03-13", "--end", "2023-04-07", "--days", "10")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"event 1: birth of 2023-03-10 for person {marc}: claim 1 granted automatically")
    r = run(db_url, "event", "--person", str(marc), "--kind", "birth", "--date", "2023-03-10", "--parent",
            "co-parent")
    assert "already recorded (claim 1 granted automatically)" in r.output
    r = run(db_url, "event", "--person", str(marc), "--kind", "wedding", "--date", "2023-03-10")
    assert r.exit_code == 2 and r.output.startswith("error: kind: one of birth, bankruptcy")
    r = run(db_url, "event", "--person", str(marc), "--kind", "incapacity", "--date", "2023-05-02", "--reason", "x")
    assert r.exit_code == 2 and r.output.startswith("error: reason: not a fact of a incapacity event")

    runner.invoke(app, ["export", "credit-transfers", "--execution-date", "2023-04-14", "--output",
                        str(tmp_path / "ct.xml"), "--db", db_url])
    run(db_url, "follow-up", "--as-of", "2023-04-20")
    r = run(db_url, "undue", "--claim", "1", "--amount", "96.60", "--ground", "overlap", "--finding",
            "Le 13/03/2023 était déjà indemnisé.", "--today", "2023-05-10")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("undue 1: 96.60 EUR of claim 1 claimed back, due by 2023-06-09")
    out = tmp_path / "undue.pdf"
    assert run(db_url, "undue-pdf", "--undue", "1", "--output", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")

    with session_scope(db_url) as s:  # born 1958-06-15: 65 in 2023 (before 2025), pension from 1-7-2023
        s.execute(update(Person).where(Person.id == marc).values(birth_date=d("1958-06-15")))
    r = runner.invoke(app, ["run", "life-events", "--as-of", "2023-07-31", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "pension_age informed" in r.output


def test_a_set_off_proposed_at_the_grant_is_decided_from_the_command_line(db_url, fund):
    from test_benefit_undue_and_charter import DESK, bereavement, granted_carer

    from caisse.benefits import undue
    from caisse.store.db import session_scope

    bram, carer = granted_carer(db_url, fund)
    with session_scope(db_url) as s:
        undue.claim_back(s, DESK, carer, 81_913, "amount", "Halftijds in juli.", d("2024-08-20"))
        later = bereavement(s, bram)
    r = run(db_url, "decide", "--claim", str(later), "--today", "2024-10-02")
    assert r.exit_code == 0, r.output
    assert "granted 1015.00 EUR; set-off against undue benefits to decide" in r.output
    assert "proposed 819.13 EUR" in r.output and "the payment waits" in r.output
    r = run(db_url, "set-off", "--claim", str(later), "--withhold", "1015.01", "--today", "2024-10-03")
    assert r.exit_code == 2 and r.output.startswith("error: withhold: more than the benefit")
    r = run(db_url, "set-off", "--claim", str(later), "--withhold", "819.13", "--today", "2024-10-03")
    assert r.exit_code == 0, r.output
    assert r.output == f"claim {later}: withheld 819.13 EUR, undue 1: 819.13; to transfer 195.87 EUR " \
                       f"(ledger benefit/claim/{later})\n"


def test_information_asked_reminded_and_a_notification_from_the_command_line(db_url, fund):
    ana = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, ana, paid=quarters("2023Q4", "2024Q1"))
    assert run(db_url, "claim", "--person", str(ana), "--kind", "carer", "--start", "2024-06-01", "--months", "1",
               "--received", "2024-05-15").exit_code == 0
    r = run(db_url, "remind", "--claim", "1", "--today", "2024-06-01")
    assert (r.exit_code, r.output) == (2, "error: claim: claim 1 waits for no information: ask for it first\n")
    r = run(db_url, "ask-info", "--claim", "1", "--what", "  ", "--today", "2024-06-01")
    assert (r.exit_code, r.output) == (2, "error: what: say which document is missing\n")
    r = run(db_url, "ask-info", "--claim", "1", "--what", "the medical certificate", "--today", "2024-06-01")
    assert r.output == ("claim 1: information asked on 2024-06-01; the decision deadline is suspended until it "
                        "arrives (Charter art. 10)\n")
    r = run(db_url, "remind", "--claim", "1", "--today", "2024-07-10")
    assert r.output == ("claim 1: reminder sent on 2024-07-10; without an answer it may be decided on the information "
                        "the fund has from 2024-08-11 (Charter art. 11)\n")
    assert "reminder sent 2024-07-10" in run(db_url, "show", "--claim", "1").output
    r = run(db_url, "follow-up", "--as-of", "2024-08-11")
    assert r.output.endswith("claim 1: information still missing a month after the reminder — may be decided on the "
                             "information the fund has (Charter art. 11): caisse benefits decide --claim 1\n")
    r = run(db_url, "info-received", "--claim", "1", "--today", "2024-08-20")
    assert r.output == "claim 1: information received; decision due by 2024-12-04\n"
    assert run(db_url, "decide", "--claim", "1", "--today", "2024-08-21").exit_code == 0
    for args, message in (
            (["notified", "--claim", "1", "--on", "2024-13-01"], "error: on: not a date"),
            (["notified", "--claim", "1", "--on", "2024-08-20", "--today", "2024-08-22"],
             "error: on: before the decision of 2024-08-21"),
            (["notified", "--claim", "9", "--on", "2024-08-22"], "error: claim 9 not found")):
        r = run(db_url, *args)
        assert r.exit_code == 2 and r.output.startswith(message) and r.output.count("\n") == 1, (args, r.output)
    r = run(db_url, "notified", "--claim", "1", "--on", "2024-08-23", "--registered", "--today", "2024-08-26")
    assert r.output == "claim 1: decision notified on 2024-08-23 (registered); appeal until 2024-11-23\n"


def test_a_bridging_right_with_the_declarations_and_the_quarters_used_elsewhere(db_url, fund):
    ana = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"))
    iban(db_url, ana)
    contributions(db_url, ana, paid=quarters("2022Q3", "2024Q1"))
    facts = ["claim", "--person", str(ana), "--kind", "bridging_right", "--case", "bankruptcy", "--event-date",
             "2024-05-20", "--start", "2024-06-01", "--months", "3", "--single", "--received", "2024-05-27"]
    assert run(db_url, *facts).exit_code == 0
    r = run(db_url, "decide", "--claim", "1", "--today", "2024-06-10")  # nothing declared yet: not decided
    assert r.exit_code == 2 and r.output.startswith("error: professional_activity: the person has not declared")
    r = run(db_url, *facts, "--no-professional-activity", "--no-replacement-income", "--rights-quarters-before", "3")
    assert r.exit_code == 0, r.output
    r = run(db_url, "decide", "--claim", "2", "--today", "2024-06-10")
    assert r.output.splitlines()[0] == "claim 2: granted 4914.78 EUR; credit transfer queued, payment due by 2024-10-10"
    assert ("  health-care rights kept without contributions: 2024Q2 (4 of the 4 quarters of the career); not kept: "
            "2024Q3 (career quarters used)") in r.output.splitlines()
    r = run(db_url, "show", "--claim", "2", "--lang", "fr")
    assert "[ok] Droits en soins de santé et indemnités/maternité maintenus sans cotisations pour 2024Q2" in r.output
    assert "rights_maintained" in r.output
    r = run(db_url, *facts, "--rights-quarters-before", "9")
    assert r.exit_code == 2 and r.output == "error: rights-quarters-before: must be a whole number from 0 to 8\n"
