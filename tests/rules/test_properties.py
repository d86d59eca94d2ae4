"""Properties of the contribution scale, and the vectorised engine equal to the single-affiliate one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from caisse.rules.contributions import CATEGORIES, contribution, quarterly_vector, quarterly_vector_years, year_params

YEARS = st.sampled_from([2024, 2025, 2026])
CATS = st.sampled_from(CATEGORIES)
INCOME = st.integers(min_value=0, max_value=30_000_000)   # cents, up to 300,000 EUR
FEES = st.sampled_from([None, "0.0305", "0.039", "0.0395", "0.0405", "0.0425"])


def single(year, category, cents, primostarter=False, fee=None):
    r = contribution(year, category, cents, primostarter=primostarter, fee_rate=fee)
    return r.annual, r.quarterly, r.quarterly_total


@settings(max_examples=150, deadline=None)
@given(year=YEARS, rows=st.lists(st.tuples(CATS, INCOME, st.booleans()), min_size=1, max_size=40), fee=FEES)
def test_vectorised_equals_single_affiliate(year, rows, fee):
    cats = np.array([CATEGORIES.index(c) for c, _, _ in rows], np.int8)
    inc = np.array([i for _, i, _ in rows], np.int64)
    primo = np.array([p and c == "main" for c, _, p in rows])
    from caisse.rules.contributions import parse_fee_rate

    a, q, t = quarterly_vector(inc, cats, primo, year_params(year), parse_fee_rate(fee))
    for j, (c, i, p) in enumerate(rows):
        sa, sq, st_ = single(year, c, i, p and c == "main", fee)
        assert (a[j], q[j]) == (sa, sq)
        if fee is not None:
            assert t[j] == st_


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(st.tuples(YEARS, CATS, INCOME), min_size=1, max_size=40))
def test_mixed_years_in_one_batch_equal_single_affiliate(rows):
    years = sorted({y for y, _, _ in rows})
    idx = np.array([years.index(y) for y, _, _ in rows])
    cats = np.array([CATEGORIES.index(c) for _, c, _ in rows], np.int8)
    inc = np.array([i for _, _, i in rows], np.int64)
    a, q, _ = quarterly_vector_years(inc, cats, idx, [year_params(y) for y in years])
    for j, (y, c, i) in enumerate(rows):
        assert (a[j], q[j]) == single(y, c, i)[:2]


@settings(max_examples=150, deadline=None)
@given(year=YEARS, category=CATS, a=INCOME, b=INCOME)
def test_a_higher_income_never_pays_less(year, category, a, b):
    lo, hi = sorted((a, b))
    assert single(year, category, lo)[1] <= single(year, category, hi)[1]


@settings(max_examples=60, deadline=None)
@given(year=YEARS, below=st.integers(min_value=0, max_value=1_000_000))
def test_main_activity_under_the_floor_pays_the_minimum(year, below):
    yp = year_params(year)
    minimum = single(year, "main", yp.cents("main_minimum_income"))[1]
    income = max(0, yp.cents("main_minimum_income") - 1 - below)
    assert single(year, "main", income)[1] == minimum


@settings(max_examples=60, deadline=None)
@given(year=YEARS, category=st.sampled_from(["main", "complementary", "student", "helping_spouse", "art37",
                                             "post_pension"]), above=st.integers(0, 10**9))
def test_above_the_ceiling_everyone_pays_the_maximum(year, category, above):
    yp = year_params(year)
    ceiling = yp.cents("ceiling")
    assert single(year, category, ceiling + above)[1] == single(year, category, ceiling)[1]


@settings(max_examples=60, deadline=None)
@given(year=YEARS, category=CATS, which=st.sampled_from(["first_threshold", "ceiling"]))
def test_continuous_at_the_first_threshold_and_the_ceiling(year, category, which):
    """One cent more of income at a bracket boundary changes the quarterly amount by at most a cent."""
    at = year_params(year).cents(which)
    assert abs(single(year, category, at + 1)[1] - single(year, category, at - 1)[1]) <= 1


@settings(max_examples=40, deadline=None)
@given(year=YEARS)
def test_main_activity_continuous_at_the_minimum(year):
    at = year_params(year).cents("main_minimum_income")
    assert single(year, "main", at)[1] == single(year, "main", at - 1)[1]
    assert single(year, "main", at + 1)[1] - single(year, "main", at)[1] <= 1


def test_complementary_jumps_at_the_exemption_threshold_as_the_law_says():
    at = year_params(2025).cents("complementary_exemption_threshold")
    assert single(2025, "complementary", at - 1)[1] == 0
    assert single(2025, "complementary", at)[1] == 9644


AMOUNT = st.integers(min_value=0, max_value=2_000_000)   # cents, up to 20,000 EUR


@settings(max_examples=60, deadline=None)
@given(year=YEARS, income=INCOME, paid=st.lists(AMOUNT, min_size=4, max_size=4), due=AMOUNT.filter(bool),
       part=AMOUNT.filter(bool))
def test_an_amount_in_cents_reads_as_the_same_amount_in_euros(year, income, paid, due, part):
    """Every rule reads an int as cents and a string as euros: an income of 2_000_000 and '20000.00' are one
    income, and the provisional contributions paid with it are never read 100 times too large."""
    import datetime as dt

    from caisse.money import fmt
    from caisse.rules.contributions import regularisation
    from caisse.rules.surcharges import late_payment_surcharges, unjustified_reduction_surcharge

    as_int = regularisation(year, "main", income, paid)
    as_text = regularisation(year, "main", fmt(income), [fmt(p) for p in paid])
    assert (as_int.provisional_paid, as_int.differences) == (as_text.provisional_paid, as_text.differences)
    assert as_int.provisional_paid == paid
    assert sum(regularisation(year, "main", income, sum(paid)).provisional_paid) == sum(paid)
    due_on, as_of = dt.date(year, 3, 31), dt.date(year + 1, 1, 2)
    pays = [(dt.date(year, 6, 1), min(part, due))]
    a = late_payment_surcharges(due, due_on, pays, as_of=as_of)
    b = late_payment_surcharges(fmt(due), due_on, [(d, fmt(x)) for d, x in pays], as_of=as_of)
    assert a.to_dict() == b.to_dict()
    assert unjustified_reduction_surcharge(year, due, part).to_dict() == \
        unjustified_reduction_surcharge(year, fmt(due), fmt(part)).to_dict()
