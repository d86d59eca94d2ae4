"""The caseworker's view: the best-solution advice for a debtor (which of reduction, payment plan, dispensation and
waiver apply, what each saves and costs), and the `caisse relief` / `caisse recovery advise` commands — bad input
is one line naming the field, exit code 2, nothing written."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.batches import quarterly_call, surcharges
from caisse.cli import app
from caisse.ledger import receive_payment
from caisse.recovery.advice import advise, situation_of
from caisse.recovery.models import DispensedQuarter, ReliefRequest
from caisse.store.db import session_scope

runner = CliRunner()
MIN_2026 = 89042
LOW_INCOME = {2022: "9000.00", 2023: "9000.00", 2024: "9000.00"}


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def cli(db_url, *args):
    return runner.invoke(app, [*args, "--db", db_url])


def test_the_advice_for_a_debtor_behind_on_two_quarters_one_of_them_paid_late(db_url, fund):
    ana = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    surcharges.run(db_url, d("2026-04-01"))  # Q1: 26.71
    with session_scope(db_url) as s:
        receive_payment(s, "coda/ana/1", d("2026-05-02"), MIN_2026, ana)  # Q1 paid late
    surcharges.run(db_url, d("2026-07-01"))  # Q2 unpaid at its due date: 26.71
    with session_scope(db_url) as s:
        a = advise(situation_of(s, ana, d("2026-07-10")))
    by = {o.kind: o for o in a.options}
    assert (a.owed_cents, a.principal_cents, a.surcharge_cents) == (MIN_2026 + 2 * 2671, MIN_2026, 2 * 2671)
    # already at the main minimum: a reduction cannot go lower
    assert not by["reduction"].applies and "already at the category minimum" in str(by["reduction"].why)
    # the waiver: now for Q1 (paid), later for Q2 (pay 890.42 first)
    w = by["surcharge_waiver"]
    assert w.applies and w.periods == ["2026Q1"] and w.saves_cents == 2671
    assert any("2026Q2 (pay 890.42 EUR first, then up to 26.71 EUR)" in str(c) for c in w.changes)
    # a plan: surcharges keep running — 3 % at each quarter end on what is left, estimated
    p = by["payment_plan"]
    assert p.applies and p.costs_cents > 0 and any("surcharges keep running" in str(c) for c in p.changes)
    # dispensation of Q2: saves 890.42, but the pension rights of Q2 are lost unless 890.42 are paid by 30/06/2031
    disp = by["dispensation"]
    assert disp.applies and disp.periods == ["2026Q2"] and (disp.saves_cents, disp.costs_cents) == (MIN_2026,
                                                                                                     MIN_2026)
    assert any("NO PENSION RIGHTS for 1 quarter(s) unless the 890.42 EUR dispensed are paid within 5 years: 2026Q2 "
               "by 2031-06-30" in str(c) for c in disp.changes)
    assert a.recommended == ["surcharge_waiver", "payment_plan", "dispensation"]


def test_the_advice_for_a_complementary_activity_never_proposes_a_dispensation(db_url, fund):
    bo = fund.person(category="complementary", start=d("2020-01-01"), incomes={2023: "30000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        a = advise(situation_of(s, bo, d("2026-04-10")))
    by = {o.kind: o for o in a.options}
    assert not by["dispensation"].applies and "complementary activity can never be dispensed" in str(by[
        "dispensation"].why)
    assert by["reduction"].applies and by["reduction"].saves_cents > 0  # above the complementary minimum


def test_the_commands_tell_ask_send_and_refuse_with_the_field(db_url, fund, tmp_path):
    eva = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME, language="de")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")

    r = cli(db_url, "relief", "dispensation-request", "--debtor", str(eva), "--quarters", "2026Q1", "--grounds",
            "a long illness this winter", "--signed-personally", "--today", "2026-04-10")
    assert r.exit_code == 2 and r.output.strip().startswith("error: informed_on:")
    r = cli(db_url, "relief", "waiver-request", "--debtor", str(eva), "--quarters", "2026Q1", "--grounds",
            "a long illness this winter", "--ground-kind", "hardship", "--today", "2026-04-10")
    assert r.exit_code == 2 and r.output.startswith("error: quarters[0]: no surcharge was charged on 2026Q1")
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ReliefRequest)) == 0

    pdf = tmp_path / "notice.pdf"
    r = cli(db_url, "relief", "pension-notice", "--debtor", str(eva), "--quarters", "2026Q1", "--output", str(pdf),
            "--today", "2026-04-09")
    assert r.exit_code == 0, r.output
    assert "Rentenansprüche" in r.output and pdf.read_bytes().startswith(b"%PDF")
    case = r.output.strip().split("case ")[-1].split(" ")[0]
    r = cli(db_url, "relief", "dispensation-request", "--debtor", str(eva), "--quarters", "2026Q1", "--grounds",
            "a long illness this winter", "--signed-personally", "--case", case, "--today", "2026-04-10")
    assert r.exit_code == 0, r.output
    assert "dispensation 2026Q1 — requested" in r.output
    rid = r.output.split()[1].rstrip(":")
    r = cli(db_url, "relief", "export", "--kind", "dispensation", "--output-dir", str(tmp_path), "--today",
            "2026-04-11")
    assert r.exit_code == 0 and r.output.startswith("1 requests in ")
    r = cli(db_url, "relief", "waiver-decision", "--request", rid, "--decided-on", "2026-05-01", "--reference",
            "X", "--today", "2026-05-02")
    assert r.exit_code == 2 and "is a dispensation request" in r.output
    r = cli(db_url, "relief", "dispensation-decision", "--request", rid, "--decided-on", "2026-05-01",
            "--reference", "RSVZ-9", "--granted", "2026Q1", "--today", "2026-05-02")
    assert r.exit_code == 2 and r.output.startswith("error: surcharges:")
    r = cli(db_url, "relief", "dispensation-decision", "--request", rid, "--decided-on", "2026-05-01",
            "--reference", "RSVZ-9", "--granted", "2026Q1", "--surcharges", "kept", "--today", "2026-05-02")
    assert r.exit_code == 0, r.output
    # 890.42 is above the fund's default threshold (500.00): a manager must approve on the desk
    assert "awaiting_approval" in r.output and "waiting for a manager" in r.output
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(DispensedQuarter)) == 0

    r = cli(db_url, "recovery", "advise", "--debtor", str(eva), "--as-of", "2026-05-02", "--json")
    assert r.exit_code == 0, r.output
    advice = json.loads(r.output)
    assert advice["owed"] == "890.42"
    assert {o["kind"]: o["applies"] for o in advice["options"]}["dispensation"] is False  # already asked
    r = cli(db_url, "recovery", "advise", "--debtor", str(eva), "--as-of", "2026-13-02")
    assert r.exit_code == 2 and r.output.startswith("error: as_of:")
