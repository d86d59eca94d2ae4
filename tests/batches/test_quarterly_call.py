"""The quarterly call, told as files: what each affiliate is called for 2026Q1 and why."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caisse.batches import quarterly_call
from caisse.batches.models import BatchRun, Notice
from caisse.errors import InvalidInput
from caisse.ledger import load
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.references import for_quarter
from caisse.rules.contributions import provisional
from caisse.store.db import session_scope

FEE = "0.0405"


def notice_of(url, party, period="2026Q1"):
    with session_scope(url) as s:
        return s.scalar(select(Notice).where(Notice.key == f"quarterly-call/{period}/{party}"))


def test_an_affiliate_with_23000_in_2023_is_called_1315_24_for_2026q1(db_url, fund):
    ana = fund.person(category="main", start=dt.date(2012, 5, 1), incomes={2023: "23000.00"})
    summary = quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    assert (summary.debtors, summary.notices, summary.skipped) == (1, 1, {})
    # 23,000.00 × 1.07236269 (2026 revaluation coefficient [S3]) = 24,664.34; × 20.50 % / 4 = 1,264.05;
    # + management fee 4.05 % = 1,315.24
    expected = provisional(2026, "main", reference_income="23000.00", fee_rate=FEE)
    assert (expected.quarterly, expected.quarterly_total) == (126405, 131524)
    with session_scope(db_url) as s:
        posting = load(s, f"quarterly-call/2026Q1/{ana}")
    lines = {e.account: e for e in posting.entries if e.account != "income"}
    assert lines["contribution"].amount_cents == 126405
    assert lines["management_fee"].amount_cents == 131524 - 126405
    assert lines["contribution"].rule == "AR n° 38 art. 11 §3"
    assert lines["contribution"].parameter == "revaluation_coefficient@2026-01-01"
    assert "24664.34" in lines["contribution"].explanation["text"]
    n = notice_of(db_url, ana)
    assert (n.amount_cents, n.due_date, n.language) == (131524, dt.date(2026, 3, 31), "fr")
    assert n.reference == "".join(ch for ch in for_quarter(ana, 2026, 1).ogm if ch.isdigit())


def test_a_starter_pays_the_minimum_of_his_category_and_one_quarter_later(db_url, fund):
    bob = fund.person(category="main", start=dt.date(2026, 2, 2), requested_on=dt.date(2026, 1, 20))
    late = fund.person(category="main", start=dt.date(2026, 1, 5), requested_on=dt.date(2026, 3, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    # 2026 main minimum 890.42 [S3] + 4.05 % = 926.48
    assert notice_of(db_url, bob).amount_cents == 92648
    assert notice_of(db_url, bob).due_date == dt.date(2026, 6, 30)  # affiliated in time: extra quarter [S21]
    assert notice_of(db_url, late).due_date == dt.date(2026, 3, 31)  # affiliated late: no extra quarter
    with session_scope(db_url) as s:
        c = next(e for e in load(s, f"quarterly-call/2026Q1/{bob}").entries if e.account == "contribution")
    assert (c.amount_cents, c.rule, c.parameter) == (89042, "AR n° 38 art. 13bis", "main_minimum_income@2026-01-01")


def test_categories_exemptions_and_chosen_income(db_url, fund):
    small = fund.person(category="complementary", incomes={2023: "1500.00"})  # under the exemption threshold
    student = fund.person(category="student", start=dt.date(2025, 9, 1))  # starter on the complementary basis
    spouse = fund.person(category="helping_spouse", incomes={2023: "3000.00"})  # floored at the spouse minimum
    reduced = fund.person(category="main", incomes={2023: "90000.00"}, estimate=(2026, "20000.00"))
    before = fund.person(category="main", start=dt.date(2026, 4, 1))  # starts next quarter: not called
    summary = quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    assert summary.exempt == 1 and notice_of(db_url, small) is None and notice_of(db_url, before) is None
    assert notice_of(db_url, student).amount_cents == provisional(2026, "student", starter=True).quarterly == 9851
    assert notice_of(db_url, spouse).amount_cents == provisional(
        2026, "helping_spouse", reference_income="3000.00").quarterly == 39116  # 7,632.44 × 20.50 % / 4
    assert notice_of(db_url, reduced).amount_cents == provisional(2026, "main", chosen_income="20000.00").quarterly


def test_unpublished_figures_skip_with_the_reason_and_invent_nothing(db_url, fund):
    old = fund.person(category="main", incomes={2021: "30000.00"})
    new = fund.person(category="main", start=dt.date(2023, 6, 1))
    summary = quarterly_call.run(db_url, "2024Q1", fee_rate="0")
    assert (summary.debtors, summary.skipped) == (2, {}) and notice_of(db_url, new, "2024Q1") is not None
    # 2024: 30,000.00 (2021) × 656.54/553.21 (AR 17-12-2023) = 35,603.48; × 20.50 % / 4 = 1,824.68
    assert notice_of(db_url, old, "2024Q1").amount_cents == 182468
    summary27 = quarterly_call.run(db_url, "2027Q1", fee_rate=FEE)
    assert summary27.debtors == 0 and sum(summary27.skipped.values()) == 2
    assert all("UnknownParameter" in r for r in summary27.skipped)


def test_no_income_to_base_it_on_is_skipped(db_url, fund):
    fund.person(category="main", start=dt.date(2010, 1, 1))
    summary = quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    assert summary.debtors == 0 and "no tax income of 2023 known on 1 January 2026" in next(iter(summary.skipped))


def test_rerunning_a_finished_batch_posts_nothing(db_url, fund):
    for _ in range(5):
        fund.person(incomes={2023: "40000.00"})
    first = quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    again = quarterly_call.run(db_url, "2026Q1", fee_rate="0.10")  # other parameters: the batch is finished
    assert again.finished_before and (again.debtors, again.amount_cents) == (first.debtors, first.amount_cents)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(LedgerTransaction)) == 5
        assert s.scalar(select(func.count()).select_from(Notice)) == 5
        run = s.scalar(select(BatchRun))
        assert (run.status, run.debtors, run.attempts) == ("finished", 5, 1)
        assert run_check(s).ok


@pytest.mark.parametrize("bad", ["2026-Q5", "Q1 2026", "2026Q0", "", "1999Q1"])
def test_a_bad_quarter_is_refused(db_url, bad):
    with pytest.raises(InvalidInput, match="quarter"):
        quarterly_call.run(db_url, bad)


def _state(url):
    with session_scope(url) as s:
        report = run_check(s)
        assert report.ok, report.breaches
        keys = sorted(s.scalars(select(LedgerTransaction.key)))
        entries = sorted(s.execute(select(LedgerEntry.party_id, LedgerEntry.account, LedgerEntry.amount_cents,
                                          LedgerEntry.due_date)).all())
        notices = sorted(s.execute(select(Notice.key, Notice.amount_cents, Notice.due_date, Notice.reference)).all())
        return report.totals.line(), keys, entries, notices


CHILD = """
import sys
from caisse.batches import quarterly_call
def progress(done, total):
    print(done, flush=True)
quarterly_call.run({url!r}, "2026Q1", fee_rate="0.0405", progress=progress, chunk=100)
print("finished", flush=True)
"""


def test_killed_by_sigkill_half_way_then_rerun_ends_as_an_uninterrupted_run(db_url, fund, tmp_path):
    import caisse

    with fund.together():
        for i in range(1500):
            fund.person(incomes={2023: f"{20000 + 37 * i}.00"} if i % 3 else None,
                        start=dt.date(2025, 1, 1) if i % 3 == 0 else dt.date(2014, 1, 1))
    env = {**os.environ, "PYTHONPATH": str(Path(caisse.__file__).parents[1])}
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(url=db_url)], stdout=subprocess.PIPE, text=True,
                             env=env)
    for line in child.stdout:
        if line.strip() == "finished" or int(line) >= 300:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    with session_scope(db_url) as s:
        done = s.scalar(select(func.count()).select_from(LedgerTransaction))
        assert s.scalar(select(BatchRun.status)) == "running"
    assert 300 <= done < 1500
    resumed = quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    assert resumed.posted == 1500 - done and resumed.debtors == 1500
    killed_then_resumed = _state(db_url)
    # the same fund, run without interruption, in a fresh database
    other = tmp_path / "clean.sqlite"
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as src, sqlite3.connect(other) as dst:
            src.backup(dst)  # a copy of the file would miss what is still in its write-ahead log
        clean = f"sqlite:///{other}"
        from sqlalchemy import text

        from caisse.store.db import engine_for

        with engine_for(clean).begin() as conn:  # back to the fund before any batch (triggers off for the copy)
            for t in ("ledger_entry", "ledger_transaction"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_delete"))
            for t in ("notice", "batch_run", "ledger_entry", "ledger_transaction"):
                conn.execute(text(f"DELETE FROM {t}"))
        quarterly_call.run(clean, "2026Q1", fee_rate="0.0405")
        assert _state(clean) == killed_then_resumed
        engine_for(clean).dispose()
    else:
        totals, keys, entries, notices = killed_then_resumed
        assert len(keys) == 1500 and len(notices) == 1500


TWIN = """
import json, sys
from caisse.batches import quarterly_call
s = quarterly_call.run({url!r}, "2026Q1", fee_rate="0.0405", chunk=50)
print(json.dumps([s.posted, s.already, s.finished_before]))
"""


def test_two_processes_started_at_once_do_not_double_post(db_url, fund):
    import json

    import caisse

    with fund.together():
        for i in range(300):
            fund.person(incomes={2023: f"{15000 + 101 * i}.00"})
    env = {**os.environ, "PYTHONPATH": str(Path(caisse.__file__).parents[1])}
    twins = [subprocess.Popen([sys.executable, "-c", TWIN.format(url=db_url)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outputs = [t.communicate(timeout=300) for t in twins]
    assert [t.returncode for t in twins] == [0, 0], [err[-2000:] for _out, err in outputs]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
    assert sum(posted for posted, _already, _before in results) == 300
    totals, keys, entries, notices = _state(db_url)
    assert len(keys) == 300 and len(notices) == 300 and len(entries) == 300 * 4
