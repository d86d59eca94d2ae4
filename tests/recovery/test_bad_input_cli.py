"""Bad input on the recovery and buy-back commands a recovery officer types by hand: the dates of the contrainte
(service, opposition), of the formal notice (presentation, the debtor's letter), a director's call, a buy-back and
its notice. Each bad value — an unknown file, an impossible date, a date before the act it follows, a date in the
future, a negative number, a file in the wrong state — ends with exit code 2 and one line ``error: field: reason``
on stderr, and nothing is written (every table counted before and after)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from test_bailiff_and_trustee import CLERK, d, partners, stage  # noqa: F401 - fixture ``partners``
from test_buyback_story import eva  # noqa: F401 - fixture ``eva``
from test_contrainte_story import to_enforcement, to_formal_notice
from test_director_joint_call_story import story  # noqa: F401 - fixture ``story``
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.cli._app import app
from caisse.recovery import service
from caisse.recovery.partners import handover
from caisse.store.db import session_scope
from caisse.store.schema import metadata

UNKNOWN = "999999"
ONE_LINE = re.compile(r"error: [a-z_]+(\[\d+\])?: \S.*\n")


def counts(url) -> dict[str, int]:
    """How many rows each table holds: "nothing written" is every count unchanged."""
    with session_scope(url) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in metadata.sorted_tables}


def refused(url, cases) -> None:
    """Each ``(args, field, words)`` exits 2 with one ``error: field: …`` line containing ``words``; no row moves."""
    runner = CliRunner()
    before = counts(url)
    for args, field, words in cases:
        out = runner.invoke(app, [*args, "--db", url])
        assert out.exit_code == 2, (args, out.output, out.exception)
        assert ONE_LINE.fullmatch(out.output), (args, out.output)
        assert out.output.startswith(f"error: {field}: ") and words in out.output, (args, out.output)
    assert counts(url) == before


def test_the_contrainte_dates_refuse_bad_values_and_write_nothing(db_url, fund, partners, tmp_path):  # noqa: F811
    ana = fund.person(category="main", start=d("2025-01-01"), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_enforcement(db_url, ana)  # the contrainte is issued on 5 August
    a = str(ana)
    served = ["recovery", "served", "--debtor"]
    opposed = ["recovery", "opposition", "--debtor"]
    # at `enforcement`, not handed to a bailiff yet: neither a service nor an opposition
    refused(db_url, [
        ([*served, a, "--on", "2026-08-20", "--today", "2026-08-21"], "served_on", "not handed to a bailiff"),
        ([*opposed, a, "--on", "2026-08-20", "--note", "citation", "--today", "2026-08-21"], "opposed_on",
         "no contrainte served"),
    ])
    batch.run(db_url, d("2026-08-06"))
    handover(db_url, d("2026-08-07"), tmp_path, CLERK)
    refused(db_url, [
        ([*served, UNKNOWN, "--on", "2026-08-20", "--today", "2026-08-21"], "debtor", UNKNOWN),
        ([*served, "-4", "--on", "2026-08-20", "--today", "2026-08-21"], "debtor", "-4"),
        ([*served, a, "--on", "2026-02-30", "--today", "2026-08-21"], "served_on", "not a date"),
        ([*served, a, "--on", "20-08-2026", "--today", "2026-08-21"], "served_on", "not a date"),
        ([*served, a, "--on", "2026-08-01", "--today", "2026-08-21"], "served_on",
         "before the contrainte was issued (2026-08-05)"),
        ([*served, a, "--on", "2026-08-22", "--today", "2026-08-21"], "served_on", "in the future"),
        ([*served, a, "--on", "2026-08-20", "--today", "2026-13-01"], "today", "not a date"),
        ([*opposed, a, "--on", "2026-08-20", "--note", "citation", "--today", "2026-08-21"], "opposed_on",
         "no contrainte served"),
    ])
    with session_scope(db_url) as s:
        service.record_service(s, CLERK, ana, d("2026-08-20"), d("2026-08-21"))
    refused(db_url, [
        ([*served, a, "--on", "2026-08-19", "--today", "2026-08-21"], "served_on", "already recorded as 2026-08-20"),
        ([*opposed, UNKNOWN, "--on", "2026-08-25", "--note", "citation", "--today", "2026-08-26"], "debtor",
         UNKNOWN),
        ([*opposed, a, "--on", "2026-08-32", "--note", "citation", "--today", "2026-08-26"], "opposed_on",
         "not a date"),
        ([*opposed, a, "--on", "2026-08-19", "--note", "citation", "--today", "2026-08-26"], "opposed_on",
         "before the service of the contrainte (2026-08-20)"),
        ([*opposed, a, "--on", "2026-08-27", "--note", "citation", "--today", "2026-08-26"], "opposed_on",
         "in the future"),
        ([*opposed, a, "--on", "2026-08-25", "--note", "  ", "--today", "2026-08-26"], "reason", "say why"),
    ])
    assert stage(db_url, ana) == ("bailiff", None)


def test_the_formal_notice_dates_refuse_bad_values_and_write_nothing(db_url, fund):
    bo = fund.person(category="main", start=d("2025-01-01"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    batch.run(db_url, d("2026-04-16"))  # a reminder only: no formal notice yet
    b = str(bo)
    presented = ["recovery", "notice-presented", "--debtor"]
    contest = ["recovery", "contest", "--debtor"]
    refused(db_url, [
        ([*presented, b, "--on", "2026-04-20", "--today", "2026-04-21"], "presented_on", "no formal notice"),
        ([*contest, b, "--kind", "contest", "--received-on", "2026-04-20", "--note", "wrong", "--today",
          "2026-04-21"], "received_on", "no formal notice"),
    ])
    to_formal_notice(db_url, bo)  # the formal notice is dated 16 June
    refused(db_url, [
        ([*presented, UNKNOWN, "--on", "2026-06-19", "--today", "2026-06-25"], "debtor", UNKNOWN),
        ([*presented, b, "--on", "2026-06-31", "--today", "2026-06-25"], "presented_on", "not a date"),
        ([*presented, b, "--on", "2026-06-10", "--today", "2026-06-25"], "presented_on",
         "before the formal notice (2026-06-16)"),
        ([*presented, b, "--on", "2026-06-26", "--today", "2026-06-25"], "presented_on", "in the future"),
        ([*contest, UNKNOWN, "--kind", "contest", "--received-on", "2026-06-20", "--note", "wrong", "--today",
          "2026-06-25"], "debtor", UNKNOWN),
        ([*contest, b, "--kind", "refusal", "--received-on", "2026-06-20", "--note", "wrong", "--today",
          "2026-06-25"], "kind", "contest, terms"),
        ([*contest, b, "--kind", "contest", "--received-on", "2026-02-29", "--note", "wrong", "--today",
          "2026-06-25"], "received_on", "not a date"),
        ([*contest, b, "--kind", "contest", "--received-on", "2026-06-15", "--note", "wrong", "--today",
          "2026-06-25"], "received_on", "before the formal notice (2026-06-16)"),
        ([*contest, b, "--kind", "contest", "--received-on", "2026-06-26", "--note", "wrong", "--today",
          "2026-06-25"], "received_on", "in the future"),
        ([*contest, b, "--kind", "contest", "--received-on", "2026-06-20", "--note", "", "--today",
          "2026-06-25"], "reason", "say why"),
    ])
    with session_scope(db_url) as s:
        service.record_contestation(s, CLERK, bo, "contest", d("2026-06-20"), "the surcharges are wrong",
                                    d("2026-06-25"))
    refused(db_url, [  # a contestation recorded is not turned into a mere request for terms
        ([*contest, b, "--kind", "terms", "--received-on", "2026-06-21", "--note", "asks terms", "--today",
          "2026-06-25"], "kind", "already recorded (on 2026-06-20)"),
    ])


def test_a_directors_call_refuses_bad_values_and_writes_nothing(db_url, story):  # noqa: F811
    ann, dirk, eve, co = story
    call = ["recovery", "director-call", "--reason", "the company does not pay"]
    refused(db_url, [
        ([*call, "--company", UNKNOWN, "--director", str(dirk), "--as-of", "2026-03-02"], "company", UNKNOWN),
        ([*call, "--company", str(co), "--director", UNKNOWN, "--as-of", "2026-03-02"], "director", UNKNOWN),
        ([*call, "--company", str(dirk), "--director", str(dirk), "--as-of", "2026-03-02"], "company",
         f"no company with file number {dirk}"),
        ([*call, "--company", str(co), "--director", str(dirk), "--as-of", "2026-02-30"], "as_of", "not a date"),
        ([*call, "--company", str(co), "--director", str(dirk), "--as-of", "2999-01-01"], "as_of", "in the future"),
        ([*call, "--company", str(co), "--director", str(eve), "--as-of", "2026-03-02"], "director",
         "has no mandate at company"),
        ([*call, "--company", str(co), "--director", str(dirk), "--as-of", "2026-03-02", "--period", "20x5"],
         "period", "20x5"),
        ([*call, "--company", str(co), "--director", str(ann), "--as-of", "2026-03-02", "--period", "2025"],
         "period", "outside the mandate"),
        (["recovery", "director-call", "--reason", " ", "--company", str(co), "--director", str(dirk), "--as-of",
          "2026-03-02"], "reason", "say why"),
    ])


def test_a_buy_back_and_its_notice_refuse_bad_values_and_write_nothing(db_url, eva, tmp_path):  # noqa: F811
    e = str(eva)
    buy = ["relief", "buyback", "--debtor"]
    out = str(tmp_path / "n.pdf")
    refused(db_url, [
        ([*buy, UNKNOWN, "--quarters", "2026Q1", "--today", "2027-01-10"], "debtor", UNKNOWN),
        ([*buy, e, "--quarters", "2026Q5", "--today", "2027-01-10"], "quarters[0]", "2026Q5"),
        ([*buy, e, "--quarters", "", "--today", "2027-01-10"], "quarters", "at least one quarter"),
        ([*buy, e, "--quarters", "2026Q1,2026Q1", "--today", "2027-01-10"], "quarters[1]", "named twice"),
        ([*buy, e, "--quarters", "2026Q2", "--today", "2027-01-10"], "quarters[0]", "was not dispensed"),
        ([*buy, e, "--quarters", "2026Q1", "--today", "2031-04-01"], "quarters[0]", "window of 2026Q1 ended"),
        ([*buy, e, "--quarters", "2026Q1", "--today", "2027-02-30"], "today", "not a date"),
        ([*buy, e, "--quarters", "2026Q1", "--today", "2027-01-10", "--output", str(tmp_path / "no" / "n.pdf")],
         "output", "no such directory"),
        (["relief", "buyback-notice", "--request", UNKNOWN, "--output", out], "request", UNKNOWN),
        (["relief", "buyback-notice", "--request", "-1", "--output", out], "request", "-1"),
    ])
    assert not (tmp_path / "n.pdf").exists()
    ok = CliRunner().invoke(app, [*buy, e, "--quarters", "2026Q1", "--today", "2027-01-10", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    with session_scope(db_url) as s:
        from caisse.recovery.models import BuybackRequest

        rid = s.scalar(select(BuybackRequest.id))
    refused(db_url, [
        ([*buy, e, "--quarters", "2026Q1", "--today", "2027-01-11"], "quarters[0]", "already in buy-back request 1"),
        (["relief", "buyback-notice", "--request", str(rid), "--output", str(tmp_path / "no" / "n.pdf")], "output",
         "no such directory"),
    ])


@pytest.mark.parametrize("command", [["recovery", "served"], ["recovery", "opposition"], ["recovery", "contest"],
                                     ["recovery", "notice-presented"], ["recovery", "director-call"],
                                     ["relief", "buyback"], ["relief", "buyback-notice"]])
def test_each_command_has_its_help(command):
    out = CliRunner().invoke(app, [*command, "--help"])
    assert out.exit_code == 0 and "Usage" in out.output
