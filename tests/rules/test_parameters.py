"""Parameters: every value dated and sourced; indexed figures recomputed from the legal base; unknowns refused."""

from __future__ import annotations

import copy
from datetime import date
from fractions import Fraction

import pytest

from caisse.errors import UnknownParameter
from caisse.rules import params as P


def test_every_published_indexed_figure_equals_legal_base_times_fraction():
    checks = P.published_vs_derived(P.load())
    assert len(checks) >= 15
    mismatches = [c for c in checks if c[2] != c[3]]
    assert mismatches == []


@pytest.mark.parametrize(("name", "year", "euros"), [
    ("main_minimum_income", 2026, "17374.08"),
    ("helping_spouse_minimum_income", 2025, "7472.00"),
    ("complementary_exemption_threshold", 2025, "1881.76"),
    ("post_pension_exemption_threshold", 2025, "3763.51"),
    ("art37_ceiling", 2026, "9101.26"),
    ("student_exemption_threshold", 2026, "8687.04"),
    ("primostarter_minimum_income", 2026, "8972.07"),
    ("helping_spouse_minimum_income", 2026, "7632.44"),
    ("complementary_exemption_threshold", 2026, "1922.16"),
    ("post_pension_exemption_threshold", 2026, "3844.32"),
    ("art37_ceiling", 2025, "8909.95"),
])
def test_derived_figures_match_the_notes(name, year, euros):
    v = P.load().year(name, year)
    assert v.status == "derived"
    assert v.value == int(euros.replace(".", ""))
    assert v.sources


def _raw():
    return {t: P.read_topic(t) for t in P.TOPICS}


def test_the_shipped_files_load():
    assert "first_threshold" in P.build(_raw(), P.load_sources())


def test_a_value_without_a_source_is_refused():
    raw = copy.deepcopy(_raw())
    del raw["contributions"]["parameters"]["ceiling"]["values"][date(2025, 1, 1)]["source"]
    with pytest.raises(P.ParameterFileError, match="without a source"):
        P.build(raw, P.load_sources())


def test_an_unknown_source_tag_is_refused():
    raw = copy.deepcopy(_raw())
    raw["company"]["parameters"]["company_contribution_small"]["values"][date(2025, 1, 1)]["source"] = ["S999"]
    with pytest.raises(P.ParameterFileError, match="S999"):
        P.build(raw, P.load_sources())


def test_overlapping_dates_are_refused():
    raw = copy.deepcopy(_raw())
    values = raw["benefits"]["parameters"]["bridging_right_monthly_single"]["values"]
    values[date(2024, 5, 1)]["until"] = date(2025, 6, 30)
    with pytest.raises(P.ParameterFileError, match="overlaps"):
        P.build(raw, P.load_sources())


def test_duplicate_dates_in_a_file_are_refused(tmp_path):
    text = "topic: x\nparameters:\n  a:\n    values:\n      2024-01-01: {value: 1}\n      2024-01-01: {value: 2}\n"
    with pytest.raises(P.ParameterFileError, match="duplicate"):
        P.yaml.load(text, Loader=P._Loader)  # noqa: S506


def test_a_bad_unit_is_refused():
    raw = copy.deepcopy(_raw())
    raw["contributions"]["parameters"]["ceiling"]["unit"] = "euro"
    with pytest.raises(P.ParameterFileError, match="unit"):
        P.build(raw, P.load_sources())


def test_an_amount_with_three_decimals_is_refused():
    raw = copy.deepcopy(_raw())
    raw["company"]["parameters"]["company_contribution_small"]["values"][date(2025, 1, 1)]["value"] = \
        P.Decimal("399.731")
    with pytest.raises(P.ParameterFileError, match="two decimals"):
        P.build(raw, P.load_sources())


def test_numbers_are_read_as_decimals_not_floats():
    raw = _raw()
    v = raw["contributions"]["parameters"]["first_threshold"]["values"][date(2025, 1, 1)]["value"]
    assert isinstance(v, P.Decimal)


def test_an_unknown_figure_names_the_parameter_and_the_year():
    with pytest.raises(UnknownParameter, match=r"bridging_right_monthly_single.*2024"):
        P.load().get("bridging_right_monthly_single", date(2024, 2, 1))
    assert P.load().year("revaluation_coefficient", 2024).value == Fraction(65654, 55321)  # RD 17-12-2023


def test_an_estimate_is_refused_unless_allowed():
    p = P.load()
    with pytest.raises(UnknownParameter, match="ESTIMATE"):
        p.year("company_contribution_large", 2026)
    v = p.year("company_contribution_large", 2026, allow_estimates=True)
    assert v.status == "estimate" and v.value == 102237


def test_a_yearly_figure_does_not_run_on_into_the_next_year():
    with pytest.raises(UnknownParameter, match="2027"):
        P.load().year("first_threshold", 2027)


def test_benefit_amounts_apply_from_their_date():
    p = P.load()
    assert p.get("maternity_weekly_first4_full", date(2025, 1, 31)).value == 87287
    assert p.get("maternity_weekly_first4_full", date(2025, 2, 1)).value == 89031
