"""Interest on a benefit paid late (Charter art. 20): computed from the legal interest rates the fund entered with
their source, never guessed — a day late without a rate entered leaves it to a caseworker, with the days late.

The rates below are TEST figures (4 % and 5 %), not the legal interest rate of any year."""

from __future__ import annotations

import pytest
from helpers import contributions, d, iban, quarters
from sqlalchemy import select

from caisse.benefits import interest, service
from caisse.benefits.models import ClaimStep
from caisse.cases.models import Case, CaseMessage
from caisse.collection.credit_transfers import export_credit_transfers
from caisse.config import get_settings
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")
RATES = interest.parse({"rates": [
    {"from": "2024-01-01", "to": "2024-12-31", "rate": "0.04", "source": "test rate 2024",
     "entered_by": "test", "entered_on": "2024-01-10"},
    {"from": "2025-01-01", "to": "2025-12-31", "rate": "0.05", "source": "test rate 2025",
     "entered_by": "test", "entered_on": "2025-01-10"}]})


def test_interest_runs_from_the_day_after_the_payment_deadline_at_the_rate_entered():
    # 1,638.26 due 20-9-2024, paid 7-10-2024: 17 days × 4 % / 365 = 3.0521… → 3.05
    out = interest.compute(163_826, d("2024-09-20"), d("2024-10-07"), RATES)
    assert (out["interest"], out["days"], out["interest_from"], out["interest_cents"]) == (
        "computed", 17, "2024-09-21", 305)
    assert out["periods"] == [{"from": "2024-09-21", "to": "2024-10-07", "days": 17, "rate": "0.04",
                               "source": "test rate 2024", "entered_by": "test", "entered_on": "2024-01-10"}]


def test_across_two_rates_each_period_bears_its_own_and_the_sum_is_rounded_once():
    # 11 days of 2024 at 4 % + 10 days of 2025 at 5 % on 1,638.26: 1.9747… + 2.2444… = 4.2191 → 4.22
    out = interest.compute(163_826, d("2024-12-20"), d("2025-01-10"), RATES)
    assert (out["days"], out["interest_cents"]) == (21, 422)
    assert [(p["days"], p["rate"]) for p in out["periods"]] == [(11, "0.04"), (10, "0.05")]


def test_a_day_without_a_rate_entered_is_not_guessed():
    out = interest.compute(163_826, d("2025-12-20"), d("2026-01-10"), RATES)
    assert out["interest"] == "not computed" and "interest_cents" not in out
    assert (out["days"], out["days_without_rate"]) == (21, 10)
    assert out["without_rate"] == [{"from": "2026-01-01", "to": "2026-01-10", "days": 10}]
    assert "will not guess" in out["why"]
    # paid on its deadline: nothing late, nothing due
    assert interest.compute(163_826, d("2024-09-20"), d("2024-09-20"), RATES)["interest_cents"] == 0


@pytest.mark.parametrize("bad, says", [
    ({"from": "2024-01-01", "to": "2024-12-31", "rate": "0.04", "entered_by": "x", "entered_on": "2024-01-02"},
     "source missing"),
    ({"from": "2024-01-01", "to": "2024-12-31", "rate": "4.5", "source": "s", "entered_by": "x",
      "entered_on": "2024-01-02"}, "a share of the amount"),
    ({"from": "2024-06-01", "to": "2025-06-30", "rate": "0.04", "source": "s", "entered_by": "x",
      "entered_on": "2024-01-02"}, "overlaps"),
])
def test_a_rate_is_entered_with_its_source_by_whom_and_when_and_periods_do_not_overlap(bad, says):
    good = {"from": "2025-01-01", "to": "2025-12-31", "rate": "0.05", "source": "s", "entered_by": "x",
            "entered_on": "2025-01-02"}
    with pytest.raises(interest.RateFileError, match=says):
        interest.parse({"rates": [good, bad]})


def test_the_shipped_file_enters_no_rate():
    get_settings.cache_clear()
    assert interest.entered() == ()


def late_carer(db_url, fund):
    """1 month of carer leave (1,638.26) granted 20-5-2024, due by 20-9-2024, paid 7-10-2024 (no IBAN before)."""
    bram = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, bram, paid=quarters("2023Q3", "2024Q3"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, bram, "carer", {"start": d("2024-06-01"), "months": 1}, d("2024-05-15")).id
        service.decide(s, DESK, cid, d("2024-05-20"))
    iban(db_url, bram, since=d("2024-10-01"))
    export_credit_transfers(db_url, d("2024-10-07"))
    return cid


def _task(s, cid):
    c = s.scalar(select(Case).where(Case.key == f"benefit/interest/{cid}"))
    body = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == c.id).order_by(CaseMessage.id)).first()
    return c, body


def test_a_late_payment_with_a_rate_entered_carries_its_interest_ordered_with_no_task(db_url, fund, tmp_path,
                                                                                      monkeypatch):
    path = tmp_path / "legal_interest.yaml"
    path.write_text('rates:\n  - {from: 2024-01-01, to: 2024-12-31, rate: "0.04", source: "test rate", '
                    "entered_by: test, entered_on: 2024-01-10}\n", encoding="utf-8")
    monkeypatch.setenv("CAISSE_LEGAL_INTEREST_FILE", str(path))
    get_settings.cache_clear()
    cid = late_carer(db_url, fund)  # the run of 7 October paid the interest with the benefit (test_benefit_payments)
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-10-10"))
        [step] = s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "interest_due"))
        assert (step.detail["interest"], step.detail["days"], step.detail["interest_cents"]) == ("computed", 17, 305)
        assert step.detail["ordered"] == f"benefit/claim/{cid}/interest"
        assert s.scalar(select(Case).where(Case.key == f"benefit/interest/{cid}")) is None  # nothing left to do


def test_a_late_payment_without_a_rate_entered_is_flagged_for_a_caseworker_with_the_days_late(db_url, fund):
    get_settings.cache_clear()
    cid = late_carer(db_url, fund)
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-10-10"))
        [step] = s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "interest_due"))
        assert step.detail["interest"] == "not computed" and step.detail["days_without_rate"] == 17
        task, body = _task(s, cid)
        assert task.subject.startswith("Late interest not computed") and task.status == "open"
        assert "17 days late" in body and "2024-09-21 to 2024-10-07" in body
