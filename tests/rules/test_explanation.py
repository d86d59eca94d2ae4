"""Why do I pay this? Every result carries its steps and the parameters used, in fr, nl, de and en."""

from __future__ import annotations

from datetime import date

import pytest

from caisse.rules.benefits import maternity
from caisse.rules.contributions import contribution
from caisse.rules.surcharges import late_payment_surcharges


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Catégorie de cotisant", "à titre principal", "20,50 %", "73\u202f447,52 €", "3\u202f996,14 €"]),
    ("nl", ["Bijdragecategorie", "in hoofdberoep", "€ 73.447,52", "€ 3.996,14"]),
    ("de", ["Beitragskategorie", "hauptberuflich", "73.447,52 €", "3.996,14 €"]),
    ("en", ["Contributor category", "main activity", "€73,447.52", "€3,996.14"]),
])
def test_the_main_activity_explanation_in_four_languages(lang, words):
    text = " ".join(contribution(2025, "main", "80000").explanation.text(lang))
    for w in words:
        assert w in text


def test_parameters_used_are_listed_with_value_date_status_and_source():
    d = contribution(2025, "main", "80000").to_dict("fr")
    used = {p["name"]: p for p in d["explanation"]["parameters"]}
    assert used["first_threshold"]["value"] == "73447.52"
    assert used["first_threshold"]["from"] == "2025-01-01"
    assert used["first_threshold"]["status"] == "official"
    assert any("MB 10-12-2024" in s["title"] for s in used["first_threshold"]["sources"])
    assert used["rate_second_bracket"]["value"] == "0.1416"


def test_a_derived_figure_says_so():
    d = contribution(2026, "main", "1000").to_dict("nl")
    used = {p["name"]: p for p in d["explanation"]["parameters"]}
    assert used["main_minimum_income"]["status"] == "derived"
    assert used["main_minimum_income"]["status_text"] == "berekend uit het wettelijk basisbedrag"


def test_an_answer_built_on_estimates_warns_the_reader():
    r = maternity(date(2026, 3, 2), full_weeks=12, allow_estimates=True)
    assert r.to_dict("fr")["uses_estimates"] is True
    assert "ESTIMÉS" in r.explanation.text("fr")[-1]


def test_surcharge_explanation_dates_each_surcharge():
    text = late_payment_surcharges("1000.00", date(2025, 12, 31), as_of=date(2026, 1, 2)).explanation.text("fr")
    assert any(line.startswith("31/12/2025") and "3 %" in line for line in text)
    assert any(line.startswith("01/01/2026") and "7 %" in line for line in text)
