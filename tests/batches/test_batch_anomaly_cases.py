"""A batch that cannot call some files (no income to base it on, a legal figure not published) or that fails
puts a case in the work queue: one per anomaly and batch, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from caisse.batches import quarterly_call
from caisse.batches.framework import run_batch
from caisse.cases.models import Case, CaseMessage
from caisse.store.db import session_scope

FEE = "0.0405"


def anomaly_cases(url) -> list[tuple[str, str, str]]:
    with session_scope(url) as s:
        return [(c.key, c.subject, c.status) for c in s.scalars(select(Case).where(Case.kind == "batch_anomaly")
                                                                .order_by(Case.id))]


def test_files_left_out_of_a_call_open_one_batch_anomaly_case(db_url, fund):
    lost = [fund.person(category="main", start=dt.date(2010, 1, 1)) for _ in range(2)]  # no income on file
    fund.person(incomes={2023: "40000.00"})
    summary = quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    assert summary.debtors == 1 and summary.anomalies
    [(key, subject, status)] = anomaly_cases(db_url)
    assert key.startswith("batch/quarterly-call/2026Q1/") and status == "open"
    assert "2 file(s) skipped" in subject and "no tax income of 2023" in subject
    with session_scope(db_url) as s:
        body = s.scalar(select(CaseMessage.body).join(Case, Case.id == CaseMessage.case_id)
                        .where(Case.key == key))
        assert all(str(pid) in body for pid in lost)
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)  # finished: nothing new
    assert len(anomaly_cases(db_url)) == 1


def test_a_call_with_nothing_left_out_opens_no_case(db_url, fund):
    fund.person(incomes={2023: "40000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    assert anomaly_cases(db_url) == []


def test_a_failed_batch_opens_a_case_once(db_url):
    def broken(_params, _summary):
        raise RuntimeError("disk full")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            run_batch(db_url, "test/broken", "test", {}, broken)
    [(key, subject, status)] = anomaly_cases(db_url)
    assert (key, subject, status) == ("batch/test/broken/failed", "Batch test/broken failed", "open")


def test_a_notice_row_that_breaks_a_rule_is_refused_naming_it_not_taken_for_a_concurrent_run(db_url, fund):
    """A notice of an unknown kind is a bug to report as such — not "keys kept appearing concurrently", which sends
    whoever reads it looking for a second batch process."""
    from caisse.batches.framework import NOTICE_COLUMNS, insert_keyed
    from caisse.batches.models import Notice

    someone = fund.person(incomes={2023: "40000.00"})
    row = ("notice/test/1", "mystery", someone, "2026Q1", 100, dt.date(2026, 3, 31), "000000000097",
           "fr", "test", dt.datetime(2026, 1, 5))
    with pytest.raises(Exception) as refused:
        insert_keyed(db_url, Notice.__table__, NOTICE_COLUMNS, [row], what="notices")
    assert "kind" in str(refused.value) and "concurrently" not in str(refused.value)
    with session_scope(db_url) as s:
        assert s.scalar(select(Notice.id)) is None
