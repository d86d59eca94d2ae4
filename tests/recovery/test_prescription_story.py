"""A debt that prescribes: five years from 1 January after the year it is due for (AR n° 38 art. 16 §2), unless
something interrupts the clock — then written off, the quarter's pension rights lost, the file closed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from caisse.batches import prescription as batch
from caisse.errors import InvalidInput
from caisse.ledger import DebtLine, balances, charge, load, receive_payment
from caisse.ledger.models import LedgerTransaction
from caisse.recovery import service
from caisse.recovery.models import PrescribedQuarter, RecoveryFile, RecoveryStep
from caisse.recovery.prescription import report
from caisse.security.authz import Principal
from caisse.store.db import session_scope

CLERK = Principal.system("cli:recovery-officer")
Q = 89042  # one quarter's contribution, in cents


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def call(url, party, period, due, booked, cents=Q, account="contribution", kind="charge"):
    with session_scope(url) as s:
        charge(s, f"test-call/{party}/{period}/{account}/{kind}", party, period, d(due), d(booked),
               [DebtLine(account, cents, "RD38 art.12 §1", "test")], kind=kind)


def open_cents(url, party, account="contribution", period="2021Q2") -> int:
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=(account,)) if b.period == period)


def file_stage(url, party):
    with session_scope(url) as s:
        f = service.file_of(s, party)
        return None if f is None else (f.stage, f.closing_reason)


LATER = d("2032-01-01")  # the runs replay dates after the real clock


def test_a_2021_quarter_never_paid_nor_pursued_prescribes_on_1_january_2027_and_is_written_off(db_url, fund):
    ben = fund.person(category="main", start=d("2015-01-01"), end=d("2021-12-31"))
    call(db_url, ben, "2021Q2", "2021-06-30", "2021-04-05")
    call(db_url, ben, "2021Q2", "2021-06-30", "2021-04-05", cents=3100, account="management_fee")
    call(db_url, ben, "2021Q2", "2021-09-30", "2021-09-30", cents=2671, account="surcharge")
    with session_scope(db_url) as s:  # an old recovery file that stopped at the reminder
        s.add(RecoveryFile(party_id=ben, cycle=1, stage="reminder", stage_since=d("2021-07-15"),
                           opened_on=d("2021-07-15")))

    # not on 30 June 2026 (five years after the due date): the 5 years run from 1 January 2022
    rep = report(db_url, d("2026-06-30"), within_days=90)
    assert rep["debts"] == 0
    rep = report(db_url, d("2026-12-01"), within_days=31)
    assert [(r["debtor"], r["period"], r["kind"], r["open"], r["prescription_date"], r["last_interruption"],
             r["status"]) for r in rep["rows"]] == [
        (ben, "2021Q2", "contribution", "890.42", "2027-01-01", None, "prescribes soon"),
        (ben, "2021Q2", "management_fee", "31.00", "2027-01-01", None, "prescribes soon"),
        (ben, "2021Q2", "surcharge", "26.71", "2027-01-01", None, "prescribes soon")]

    from typer.testing import CliRunner

    from caisse.cli import _app

    out = CliRunner().invoke(_app.app, ["recovery", "prescription-report", "--as-of", "2026-12-01", "--within-days",
                                        "31", "--json", "--db", db_url])
    assert out.exit_code == 0 and json.loads(out.output)["amount"] == "948.13", out.output
    table = CliRunner().invoke(_app.app, ["recovery", "prescription-report", "--as-of", "2026-12-01",
                                          "--within-days", "31", "--db", db_url]).output
    assert "3 debts, 948.13 EUR" in table and "2027-01-01" in table and "none" in table

    summary = batch.run(db_url, d("2026-12-31"), today=LATER)
    assert summary.details["debts written off"] == 0 and open_cents(db_url, ben) == Q

    summary = batch.run(db_url, d("2027-01-01"), today=LATER)
    assert summary.details["debts written off"] == 3 and summary.amount_cents == Q + 3100 + 2671
    assert summary.details["quarters without pension rights"] == 1
    assert summary.details["files closed (prescribed)"] == 1
    assert open_cents(db_url, ben) == 0 and open_cents(db_url, ben, "surcharge") == 0
    assert file_stage(db_url, ben) == ("closed", "prescribed")
    with session_scope(db_url) as s:
        w = load(s, f"prescription/{ben}/contribution/2021Q2/2027-01-01")
        assert w.kind == "write_off" and w.reference == "2021Q2"
        assert {(e.account, e.amount_cents, e.rule, e.parameter) for e in w.entries} == {
            ("write_off", Q, batch.RULE, "prescription_years@2005-10-11"),
            ("contribution", -Q, batch.RULE, "prescription_years@2005-10-11")}
        assert w.entries[0].explanation["legal_start"] == "2022-01-01"
        pq = s.scalar(select(PrescribedQuarter).where(PrescribedQuarter.party_id == ben))
        assert (pq.period, pq.prescribed_on, pq.written_off_cents) == ("2021Q2", d("2027-01-01"), Q)
        step = s.scalar(select(RecoveryStep).where(RecoveryStep.party_id == ben))
        assert step.closing_reason == "prescribed" and step.to_stage == "closed"

    shown = CliRunner().invoke(_app.app, ["recovery", "show", "--debtor", str(ben), "--db", db_url]).output
    assert "stage closed (prescribed)" in shown and "2021Q2: 890.42 EUR written off, no pension right" in shown

    # rerun: nothing; another day: nothing left to write off
    assert batch.run(db_url, d("2027-01-01"), today=LATER).finished_before
    assert batch.run(db_url, d("2027-02-01"), today=LATER).details["debts written off"] == 0
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(LedgerTransaction).where(
            LedgerTransaction.kind == "write_off")) == 3


def formal_notice_by_hand(url, party, days):
    for to, day in zip(("reminder", "statement", "formal_notice"), days, strict=True):
        with session_scope(url) as s:
            service.move(s, CLERK, party, to, "arrears", d(day))


def test_a_formal_notice_in_between_interrupts_the_clock_and_the_debt_is_not_yet_prescribed(db_url, fund):
    fay = fund.person(category="main", start=d("2015-01-01"))
    eli = fund.person(category="main", start=d("2015-01-01"))
    ida = fund.person(category="main", start=d("2015-01-01"))
    for who in (fay, eli, ida):
        call(db_url, who, "2021Q2", "2021-06-30", "2021-04-05")
    # Fay got her formal notice (registered letter) in 2021, before the five years even started: it changes nothing
    formal_notice_by_hand(db_url, fay, ("2021-07-16", "2021-08-16", "2021-09-16"))
    # Eli's file was taken up in 2025: the formal notice of 12 March 2025 starts five new years
    formal_notice_by_hand(db_url, eli, ("2025-01-10", "2025-02-10", "2025-03-12"))
    with session_scope(db_url) as s:  # Ida paid something in 2024: she acknowledged her debt
        receive_payment(s, "coda/ida/2024", d("2024-03-15"), 10000, ida)

    rep = report(db_url, d("2026-12-01"), within_days=3000)
    by = {r["debtor"]: r for r in rep["rows"]}
    assert (by[fay]["last_interruption"], by[fay]["last_interruption_kind"]) == ("2021-09-16", "formal_notice")
    assert by[fay]["prescription_date"] == "2027-01-01"
    assert (by[eli]["last_interruption"], by[eli]["last_interruption_kind"]) == ("2025-03-12", "formal_notice")
    assert by[eli]["prescription_date"] == "2030-03-13"
    assert (by[ida]["last_interruption"], by[ida]["last_interruption_kind"]) == ("2024-03-15", "payment")
    assert by[ida]["prescription_date"] == "2029-03-16" and by[ida]["open"] == "790.42"

    summary = batch.run(db_url, d("2027-01-01"), today=LATER)
    assert summary.details["debts written off"] == 1  # Fay's only
    assert open_cents(db_url, fay) == 0 and file_stage(db_url, fay) == ("closed", "prescribed")
    assert open_cents(db_url, eli) == Q and open_cents(db_url, ida) == Q - 10000
    assert file_stage(db_url, eli) == ("formal_notice", None)


def test_a_payment_plan_asked_is_an_acknowledgement_and_proceedings_hold_the_write_off(db_url, fund):
    jo = fund.person(category="main", start=d("2015-01-01"))
    kim = fund.person(category="main", start=d("2015-01-01"))
    call(db_url, jo, "2020Q4", "2020-12-31", "2020-10-05")
    call(db_url, kim, "2020Q4", "2020-12-31", "2020-10-05")
    with session_scope(db_url) as s:  # Jo asked a plan in the portal in 2022 (an acknowledgement of his debt)
        from caisse.cases.service import open_case

        open_case(s, Principal.system("portal"), jo, "payment_plan", "Payment plan", "Schedule: …", d("2022-05-10"),
                  channel="portal")
        s.add(RecoveryFile(party_id=kim, cycle=1, stage="court", stage_since=d("2023-01-10"),
                           opened_on=d("2021-02-01")))  # Kim was summoned before the labour court
    rep = report(db_url, d("2026-01-01"), within_days=0)
    assert [(r["debtor"], r["status"]) for r in rep["rows"]] == [(kim, "proceedings running: not written off")]
    summary = batch.run(db_url, d("2026-01-01"), today=LATER)
    assert summary.details["debts written off"] == 0
    assert list(summary.skipped.values()) == [1] and "proceedings running" in list(summary.skipped)[0]
    jo_row = {r["debtor"]: r for r in report(db_url, d("2027-05-11"), within_days=0)["rows"]}[jo]
    assert (jo_row["prescription_date"], jo_row["last_interruption_kind"]) == ("2027-05-11", "plan asked")


def test_a_starters_regularisation_does_not_prescribe_before_the_third_year_after_the_start(db_url, fund):
    lea = fund.person(category="main", start=d("2019-04-01"))
    call(db_url, lea, "2019Q2", "2021-03-31", "2021-01-15", kind="regularisation")
    rep = report(db_url, d("2026-01-01"), within_days=3000)
    # due for 2019, but the supplement fell due in 2021 and she started in 2019: from 1 January 2022
    assert rep["rows"][0]["legal_start"] == "2022-01-01" and rep["rows"][0]["prescription_date"] == "2027-01-01"


@pytest.mark.parametrize("bad", ["not-a-date", "2026-02-30", "1900-01-01"])
def test_a_prescription_run_with_an_impossible_date_is_refused_naming_the_field(db_url, bad):
    from typer.testing import CliRunner

    from caisse.cli import _app

    result = CliRunner().invoke(_app.app, ["run", "prescription", "--as-of", bad, "--db", db_url])
    assert result.exit_code == 2 and result.output.startswith("error: as_of:"), result.output
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
    with pytest.raises(InvalidInput) as err:
        report(db_url, d("2026-01-01"), within_days=-1)
    assert err.value.field == "within_days"


def test_a_payment_acknowledges_every_open_debt_or_only_the_one_it_settles_as_the_fund_chooses(db_url, fund):
    from dataclasses import replace

    from caisse.recovery.prescription import debts
    from caisse.rules.prescription import policy
    from caisse.store.db import engine_for

    max_ = fund.person(category="main", start=d("2015-01-01"))
    call(db_url, max_, "2021Q1", "2021-03-31", "2021-01-05")
    call(db_url, max_, "2021Q2", "2021-06-30", "2021-04-05")
    with session_scope(db_url) as s:  # 100 EUR in 2024, imputed on the oldest quarter (2021Q1)
        receive_payment(s, "coda/max/2024", d("2024-03-15"), 10000, max_)
    wide = policy(d("2027-01-01"))
    narrow = replace(wide, payment_interrupts_every_open_debt=False)
    with engine_for(db_url).connect() as conn:
        for p, q2 in ((wide, "2029-03-16"), (narrow, "2027-01-01")):
            got = debts(conn, d("2027-01-01"), p, horizon=d("2036-01-01"))
            dates = {str(per): str(day) for per, day in zip(got.period, got.prescribed_on, strict=True)}
            assert dates == {"2021Q1": "2029-03-16", "2021Q2": q2}


def test_a_run_for_a_date_after_today_is_refused_and_a_past_date_writes_off_only_what_is_still_open(db_url, fund):
    """A typo in the year must not write the fund off; a payment booked after the run's date stays the payment of
    the debt, never becomes credit to refund."""
    ana = fund.person(category="main", start=d("2015-01-01"))
    call(db_url, ana, "2021Q2", "2021-06-30", "2021-04-05")
    with pytest.raises(InvalidInput) as err:
        batch.run(db_url, d("2027-01-01"), today=d("2026-12-31"))
    assert err.value.field == "as_of"
    with session_scope(db_url) as s:
        open_before = sum(b.balance_cents for b in balances(s, party_id=ana, accounts=("contribution",)))
        receive_payment(s, "coda/ana/2027-03", d("2027-03-01"), 10_000, ana)  # after the date of the run below
    summary = batch.run(db_url, d("2027-01-01"), today=d("2027-03-02"))
    assert summary.amount_cents == open_before - 10_000
    with session_scope(db_url) as s:
        left = [b for b in balances(s, party_id=ana) if b.account == "contribution"]
    assert all(b.balance_cents == 0 for b in left)
