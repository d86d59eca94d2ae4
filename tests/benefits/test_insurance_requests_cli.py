"""`caisse benefits request / forward / export-requests / request-decision / requests`: the assimilation and
continued-insurance requests from the command line; bad input is one line naming the option, exit 2, nothing
written."""

from __future__ import annotations

from helpers import contributions, d, quarters
from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.benefits.models import InsuranceRequest
from caisse.cli import app
from caisse.store.db import session_scope

runner = CliRunner()


def run(db_url, *args):
    return runner.invoke(app, ["benefits", *args, "--db", db_url])


def test_a_continued_insurance_filed_exported_and_granted_from_the_command_line(db_url, fund, tmp_path):
    marc = fund.person(category="main", start=d("2015-01-01"), end=d("2026-02-15"), language="de")
    contributions(db_url, marc, paid=quarters("2025Q2", "2026Q1"))
    r = run(db_url, "request", "--person", str(marc), "--kind", "continued_insurance", "--option", "pension_health",
            "--no-other-status", "--today", "2026-04-02")
    assert r.exit_code == 0, r.output
    assert r.output == "request 1: continued_insurance for person 1, quarters 2026Q2–2028Q1; to forward to INASTI " \
                       "(case 1)\n"
    r = run(db_url, "export-requests", "--output-dir", str(tmp_path), "--today", "2026-04-10")
    assert r.exit_code == 0 and r.output.startswith("1 request(s) written to ")
    assert run(db_url, "export-requests", "--output-dir", str(tmp_path)).output == "nothing to send\n"
    r = run(db_url, "request-decision", "--request", "1", "--outcome", "granted", "--decided-on", "2026-05-15",
            "--reference", "RSVZ-9", "--quarters", "2026Q2,2026Q3,2026Q4,2027Q1", "--today", "2026-05-20")
    assert r.output == "request 1: granted for 2026Q2, 2026Q3, 2026Q4, 2027Q1\n", r.output
    r = run(db_url, "requests", "--person", str(marc))
    assert r.output == ("request 1: continued_insurance 2026Q2–2028Q1 — granted; requested 2026-04-02, forwarded "
                        "2026-04-10 to INASTI, decided 2026-05-15 (case 1)\n")


def test_an_assimilation_forwarded_by_hand(db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"))
    r = run(db_url, "request", "--person", str(eva), "--kind", "illness_assimilation", "--incapacity-start",
            "2026-01-12", "--today", "2026-01-20")
    assert r.output == ("request 1: illness_assimilation for person 1, quarters from 2026Q1; to forward to the "
                        "competent institution (case 1)\n"), r.output
    r = run(db_url, "forward", "--request", "1", "--institution", "INASTI", "--on", "2026-01-22",
            "--today", "2026-01-23")
    assert r.output == "request 1: forwarded to INASTI on 2026-01-22\n"
    r = run(db_url, "request-decision", "--request", "1", "--outcome", "granted", "--decided-on", "2026-02-10",
            "--reference", "X", "--today", "2026-02-11")
    assert (r.exit_code, r.output) == (2, "error: quarters: the quarters the institution assimilated (the "
                                          "incapacity has no end on the request)\n")


def test_bad_input_is_one_line_naming_the_option_exit_2_nothing_written(db_url, fund):
    active = fund.person(category="main", start=d("2015-01-01"))
    later = fund.person(category="main", start=d("2015-01-01"), end=d("2026-09-30"))
    cases = [
        (["request", "--person", str(active), "--kind", "continued_insurance", "--option", "pension",
          "--no-other-status", "--today", "2026-03-01"], "error: person: still active as a self-employed"),
        (["request", "--person", str(later), "--kind", "continued_insurance", "--option", "pension",
          "--no-other-status", "--today", "2026-03-01"], "error: cessation-date: in the future"),
        (["request", "--person", "999", "--kind", "continued_insurance", "--today", "2026-03-01"],
         "error: person: no person 999"),
        (["request", "--person", str(active), "--kind", "illness_assimilation", "--incapacity-start", "2026-13-01"],
         "error: incapacity-start:"),
        (["request", "--person", str(active), "--kind", "illness_assimilation", "--today", "2026-03-01"],
         "error: incapacity-start: is required"),
        (["request", "--person", str(active), "--kind", "holiday"], "error: kind: one of"),
        (["forward", "--request", "7"], "error: request: no request 7"),
        (["request-decision", "--request", "7", "--outcome", "granted", "--decided-on", "2026-01-01",
          "--reference", "R"], "error: request: no request 7"),
        (["request-decision", "--request", "7", "--outcome", "granted", "--decided-on", "2026-02-30",
          "--reference", "R"], "error: decided-on:"),
    ]
    for args, message in cases:
        r = run(db_url, *args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.startswith(message) and r.output.count("\n") == 1, (args, r.output)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(InsuranceRequest)) == 0
    assert run(db_url, "request", "--help").exit_code == 0


def test_a_request_withdrawn_from_the_command_line_on_the_persons_word(db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"))
    run(db_url, "request", "--person", str(eva), "--kind", "illness_assimilation", "--incapacity-start",
        "2026-01-12", "--today", "2026-01-20")
    run(db_url, "forward", "--request", "1", "--institution", "INAMI", "--on", "2026-01-22", "--today", "2026-01-23")
    for args, message in (
            (["request-withdraw", "--request", "7", "--reason", "letter"], "error: request: no request 7\n"),
            (["request-withdraw", "--request", "1", "--reason", " "], "error: reason: say how the person asked"),
            (["request-withdraw", "--request", "1", "--reason", "x" * 501], "error: reason: at most 500")):
        r = run(db_url, *args)
        assert r.exit_code == 2 and r.output.startswith(message) and r.output.count("\n") == 1, (args, r.output)
    with session_scope(db_url) as s:
        assert s.get(InsuranceRequest, 1).status == "forwarded"
    r = run(db_url, "request-withdraw", "--request", "1", "--reason", "her letter of 2 February: back at work",
            "--today", "2026-02-03")
    assert r.output == ("request 1: withdrawn on 2026-02-03; tell INAMI, which had it since 2026-01-22 (case 1 "
                        "stays open)\n"), r.output
    assert run(db_url, "requests", "--person", str(eva)).output == (
        "request 1: illness_assimilation from 2026Q1 — withdrawn; requested 2026-01-20, forwarded 2026-01-22 to "
        "INAMI, decided -, withdrawn 2026-02-03 (case 1)\n")
    r = run(db_url, "request-withdraw", "--request", "1", "--reason", "again", "--today", "2026-02-04")
    assert (r.exit_code, r.output) == (2, "error: request: request 1 is withdrawn: only a request not decided yet "
                                          "can be withdrawn\n")
