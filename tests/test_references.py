"""A payment with this communication settles that quarter of that debtor."""

from hypothesis import given
from hypothesis import strategies as st

from caisse import references


def test_a_quarter_reference_designates_the_quarter():
    ref = references.for_quarter(42, 2026, 1)
    assert ref.ogm.startswith("+++000/0042/261")
    parsed = references.parse(ref.ogm)
    assert parsed == ref and parsed.designation == "2026Q1"


def test_company_regularisation_and_statement_kinds():
    assert references.parse(references.for_company_contribution(7, 2025).ogm).designation == "2025"
    assert references.parse(references.for_regularisation(7, 2024).ogm).designation is None
    assert references.parse(references.for_statement(7, 2026).ogm).kind == 8


def test_foreign_or_mistyped_communications_are_not_ours():
    from caisse.identifiers import make_ogm

    assert references.parse(make_ogm("0000042265")) is None  # kind 5 is not used by the fund
    assert references.parse(make_ogm("0000000261")) is None  # no file 0
    good = references.for_quarter(42, 2026, 2).ogm
    mistyped = good[:-5] + ("0" if good[-5] != "0" else "1") + good[-4:]
    assert references.parse(mistyped) is None
    assert references.parse(None) is None and references.parse("invoice 2026-17") is None


@given(st.integers(1, 9_999_999), st.integers(2000, 2099), st.sampled_from(sorted(references.KINDS)))
def test_round_trip(party, year, kind):
    ref = references._ref(party, year, kind)
    assert references.parse(ref.ogm) == ref
