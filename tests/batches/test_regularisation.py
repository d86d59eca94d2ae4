"""Tax incomes arrive, the year is regularised quarter by quarter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.batches import framework, quarterly_call, regularisation
from caisse.batches.models import Notice, TaxIncomeParked
from caisse.batches.tax_income import import_file
from caisse.errors import Conflict, InvalidInput
from caisse.ledger import balances, load
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.money import fmt
from caisse.rules.contributions import contribution
from caisse.rules.contributions import regularisation as rule
from caisse.store.db import session_scope
from caisse.store.models import ProfessionalIncome

HEADER = "niss,year,net_professional_income,assessment_date\n"


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_complementary_with_6200_in_2024_pays_the_difference_each_quarter(db_url, fund, tmp_path):
    eva = fund.person(category="complementary", start=dt.date(2024, 1, 1), language="nl")
    for q in range(1, 5):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0")  # starter: 1,865.45 × 20.50 % / 4 = 95.60 [S5]
    with session_scope(db_url) as s:
        assert sum(b.balance_cents for b in balances(s, party_id=eva, accounts=("contribution",))) == 4 * 9560
    result = import_file(db_url, write(tmp_path, "tax.csv", f"{fund.niss_of(eva)},2024,6200.00,2025-09-15\n"),
                         today=dt.date(2026, 5, 1))
    assert (result.imported, result.parked) == (1, 0)
    summary = regularisation.run(db_url, 2024, notice_date=dt.date(2026, 5, 10), fee_rate="0")
    # definitive: 6,200.00 × 20.50 % / 4 = 317.75 a quarter; minus 95.60 called = 222.15 a quarter
    assert contribution(2024, "complementary", "6200.00").quarterly == 31775
    assert (summary.debtors, summary.amount_cents) == (1, 4 * 22215)
    assert rule(2024, "complementary", "6200.00", "382.40").difference == 4 * 22215
    with session_scope(db_url) as s:
        notice = s.scalar(select(Notice).where(Notice.kind == "regularisation"))
        assert (notice.amount_cents, notice.due_date, notice.language) == (88860, dt.date(2026, 9, 30), "nl")
        posting = load(s, f"regularisation/2024/{eva}/2025-09-15/2024Q3")
        line = next(e for e in posting.entries if e.account == "contribution")
        assert (line.amount_cents, line.due_date, posting.kind) == (22215, dt.date(2026, 9, 30), "regularisation")
        assert run_check(s).ok
    assert regularisation.run(db_url, 2024, notice_date=dt.date(2026, 5, 10)).finished_before


def test_a_lower_income_gives_a_credit_and_a_revision_is_regularised_again(db_url, fund, tmp_path):
    leo = fund.person(category="main", start=dt.date(2024, 1, 1))
    for q in range(1, 5):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0")  # 864.15 a quarter (2024 minimum [S13])
    import_file(db_url, write(tmp_path, "a.csv", f"{fund.niss_of(leo)},2024,80000.00,2025-10-01\n"),
                today=dt.date(2026, 1, 10))
    first = regularisation.run(db_url, 2024, notice_date=dt.date(2026, 1, 20), fee_rate="0")
    up = contribution(2024, "main", "80000.00").quarterly - 86415
    assert first.amount_cents == 4 * up
    import_file(db_url, write(tmp_path, "b.csv", f"{fund.niss_of(leo)},2024,10000.00,2026-02-01\n"),
                today=dt.date(2026, 3, 1))
    second = regularisation.run(db_url, 2024, notice_date=dt.date(2026, 3, 2), fee_rate="0")
    assert second.amount_cents == -4 * up  # back to the minimum: the supplement is credited
    with session_scope(db_url) as s:
        total = sum(b.balance_cents for b in balances(s, party_id=leo, accounts=("contribution",)))
        assert total == 4 * 86415
        notice = s.scalar(select(Notice).where(Notice.key.like(f"regularisation/2024/{leo}/2026-02-01")))
        assert notice.amount_cents < 0 and notice.due_date is None


def test_tax_income_file_bad_rows_are_named_and_nothing_is_written(db_url, fund, tmp_path):
    ana = fund.person()
    good = fund.niss_of(ana)
    bad = write(tmp_path, "bad.csv", f"{good},2024,6200.00,2025-09-15\n"
                                     f"{good[:-1]}0,2024,10.00,2025-09-15\n"
                                     f"{good},2023,12 000,2025-09-15\n"
                                     f"{good},2024,100.00,2025-13-40\n")
    with pytest.raises(InvalidInput) as err:
        import_file(db_url, bad, today=dt.date(2026, 5, 1))
    text = str(err.value)
    assert "line 3: niss" in text and "line 4: net_professional_income" in text and "line 5: assessment_date" in text
    header = tmp_path / "h.csv"
    header.write_text("nn,year\n1,2\n")
    with pytest.raises(InvalidInput, match="line 1: header"):
        import_file(db_url, header, today=dt.date(2026, 5, 1))
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ProfessionalIncome)) == 0


def test_unknown_niss_is_parked_and_a_file_imported_twice_is_refused(db_url, fund, tmp_path):
    ana = fund.person()
    from caisse.demo.identities import make_niss

    stranger = make_niss(dt.date(1970, 3, 3), 33)
    path = write(tmp_path, "t.csv", f"{fund.niss_of(ana)},2024,6200.00,2025-09-15\n{stranger},2024,1.00,2025-09-15\n")
    result = import_file(db_url, path, today=dt.date(2026, 5, 1))
    assert (result.imported, result.parked) == (1, 1)
    with session_scope(db_url) as s:
        parked = s.scalar(select(TaxIncomeParked))
        assert (parked.niss, parked.line, parked.amount_cents) == (stranger, 3, 100)
    with pytest.raises(Conflict, match="already imported"):
        import_file(db_url, path, today=dt.date(2026, 5, 1))
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ProfessionalIncome)) == 1
    # the same incomes in another file: recognised as already on file
    again = import_file(db_url, write(tmp_path, "t2.csv", f"{fund.niss_of(ana)},2024,6200.00,2025-09-15\n\n"),
                        today=dt.date(2026, 5, 1))
    assert (again.imported, again.already_on_file) == (0, 1)


def test_regularisation_refuses_a_notice_date_inside_the_year(db_url):
    with pytest.raises(InvalidInput, match="notice_date"):
        regularisation.run(db_url, 2024, notice_date=dt.date(2024, 12, 1))


def _regularisation_state(url):
    with session_scope(url) as s:
        assert run_check(s).ok
        postings = sorted((t.key, e.account, e.amount_cents, e.due_date) for t, e in s.execute(
            select(LedgerTransaction, LedgerEntry).join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .where(LedgerTransaction.kind == "regularisation")).all())
        notices = sorted(s.execute(select(Notice.key, Notice.amount_cents, Notice.due_date)
                                   .where(Notice.kind == "regularisation")).all())
        return postings, notices


def test_a_regularisation_stopped_after_its_postings_writes_every_notice_when_run_again_the_next_day(
        db_url, fund, tmp_path, monkeypatch):
    people = [fund.person(category="main", start=dt.date(2020, 1, 1), incomes={2021: "30000.00"})
              for _ in range(12)]
    for q in range(1, 5):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0.0405", allow_estimates=True)
    rows = "".join(f"{fund.niss_of(p)},2024,{40000 + 1000 * i}.00,2025-10-01\n" for i, p in enumerate(people))
    import_file(db_url, write(tmp_path, "tax.csv", rows), today=dt.date(2026, 1, 5))

    def dies(*_a, **_k):  # the machine stops after the ledger postings, before the first notice is written
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(framework, "_insert_notices", dies)
    with pytest.raises(KeyboardInterrupt):
        regularisation.run(db_url, 2024, notice_date=dt.date(2026, 1, 12), fee_rate="0.0405")
    monkeypatch.undo()
    stopped_postings, stopped_notices = _regularisation_state(db_url)
    assert stopped_postings and not stopped_notices
    # run again the next day without a date: it resumes the stopped run (same notice date), posts nothing twice
    again = regularisation.run(db_url, 2024, fee_rate="0.0405")
    assert (again.debtors, again.notices, again.posted) == (12, 12, 0)
    postings, notices = _regularisation_state(db_url)
    assert postings == stopped_postings and len(notices) == 12
    with session_scope(db_url) as s:
        called = {p: sum(b.balance_cents for b in balances(s, party_id=p, accounts=("contribution", "management_fee"))
                         if b.period.startswith("2024")) - next(n[1] for n in notices if n[0].split("/")[2] == str(p))
                  for p in people}
    for key, amount, due in notices:
        pid = int(key.split("/")[2])
        income = f"{40000 + 1000 * people.index(pid)}.00"
        # each notice is the rule's difference: definitive on the 2024 income − provisional called (with fees)
        assert amount == rule(2024, "main", income, fmt(called[pid]), fee_rate="0.0405").difference
        assert due == dt.date(2026, 6, 30)  # notice in 2026Q1: due the last day of the next quarter
    # and a later run for the same assessment changes nothing
    assert regularisation.run(db_url, 2024, notice_date=dt.date(2026, 2, 1), fee_rate="0.0405").posted == 0
    assert _regularisation_state(db_url) == (postings, notices)
