"""Who may ask a dispensation, for which quarter and until when — the pure rules (legislation §5), with the notes'
own example: a dispensation of Q4 2020 is asked by 31/12/2021 at the latest."""

from __future__ import annotations

import datetime as dt

import pytest

from caisse.errors import InvalidInput
from caisse.recovery.relief_rules import (
    DispensationAsk,
    QuarterFacts,
    buyback_deadline,
    check_dispensation,
    check_waiver,
    request_deadline,
)
from caisse.services.calendar import Quarter

Q = Quarter.parse
MIN = 89042


def facts(q="2026Q1", category="main", **kw) -> QuarterFacts:
    base = dict(charged_contribution=MIN, open_contribution=MIN, main_minimum=MIN)
    return QuarterFacts(Q(q), category, **{**base, **kw})


def ask(*quarters, today=dt.date(2026, 4, 10), affiliated=8, **kw) -> DispensationAsk:
    base = dict(signed_personally=True, asked_by_accountant=False, informed_on=dt.date(2026, 4, 9), window_months=12,
                min_quarters=4, grounds="a long illness this winter")
    return DispensationAsk(today, list(quarters), affiliated, **{**base, **kw})


def test_the_notes_example_q4_2020_is_asked_by_31_december_2021():
    assert request_deadline(Q("2020Q4"), 12) == dt.date(2021, 12, 31)
    assert buyback_deadline(Q("2020Q4"), 5) == dt.date(2025, 12, 31)
    assert check_dispensation(ask(facts("2020Q4"), today=dt.date(2021, 12, 31),
                                  informed_on=dt.date(2021, 12, 1))).periods == ["2020Q4"]
    with pytest.raises(InvalidInput) as err:
        check_dispensation(ask(facts("2020Q4"), today=dt.date(2022, 1, 1), informed_on=dt.date(2021, 12, 1)))
    assert err.value.field == "quarters[0]" and "by 2021-12-31" in err.value.message


@pytest.mark.parametrize("category, charged, allowed", [
    ("main", MIN, True), ("helping_spouse", MIN, True), ("post_pension", 20000, True),
    ("art37", MIN, True), ("art37", MIN - 1, False), ("student", 30000, False), ("complementary", MIN, False)])
def test_categories(category, charged, allowed):
    f = facts(category=category, charged_contribution=charged, open_contribution=charged)
    if allowed:
        assert check_dispensation(ask(f)).amount_cents == charged
    else:
        with pytest.raises(InvalidInput) as err:
            check_dispensation(ask(f))
        assert err.value.field == "category"


def test_four_quarters_of_affiliation_first_except_for_a_primostarter():
    with pytest.raises(InvalidInput) as err:
        check_dispensation(ask(facts(), affiliated=2))
    assert err.value.field == "party_id" and "at least 4" in err.value.message
    assert check_dispensation(ask(facts(primostarter=True), affiliated=2)).periods == ["2026Q1"]


def test_the_current_quarter_may_be_asked_the_next_one_not_and_a_paid_one_not():
    assert check_dispensation(ask(facts("2026Q2"))).periods == ["2026Q2"]
    for f, words in ((facts("2026Q3"), "future quarter"), (facts(open_contribution=0), "is paid"),
                     (facts(charged_contribution=0, open_contribution=0), "no contribution was called"),
                     (facts(pending=True), "already asked")):
        with pytest.raises(InvalidInput) as err:
            check_dispensation(ask(f))
        assert words in err.value.message


def test_a_waiver_needs_the_quarter_paid_and_a_ground_of_the_list():
    paid = facts(open_contribution=0, surcharges=2671)
    assert check_waiver(dt.date(2026, 5, 1), [paid], "in hospital for three months", "hardship").amount_cents == 2671
    with pytest.raises(InvalidInput) as err:
        check_waiver(dt.date(2026, 5, 1), [paid], "the letter never came", "mail_not_received")
    assert err.value.field == "ground_kind"
    with pytest.raises(InvalidInput) as err:
        check_waiver(dt.date(2026, 5, 1), [facts(open_contribution=0, open_management_fee=2700, surcharges=2671)],
                     "in hospital for three months", "hardship")
    assert err.value.field == "quarters[0]" and "27.00 EUR still open" in err.value.message
