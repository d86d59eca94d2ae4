"""Anyone can see what they would pay on an income, with the reasons, in their language."""

import pytest
from fastapi.testclient import TestClient

from caisse.web.simulator_page import parse_amount


def test_main_activity_80000_in_2025_in_dutch(app_for):
    with TestClient(app_for) as c:
        page = c.get("/simulator", params={"income": "80.000", "category": "main", "year": 2025, "lang": "nl"}).text
    # 15,984.57 / year, 3,996.14 / quarter (legislation.md §12 E10) + the fund's 4.05 % fee = 4,157.98
    assert "€\xa04.157,98" in page and "€ 3.996,14" in page
    assert "20,50 % op € 73.447,52" in page


@pytest.mark.parametrize("typed, parsed", [("80000", "80000"), ("80 000", "80000"), ("80.000", "80000"),
                                           ("80.000,50", "80000.50"), ("80000.50", "80000.50"), ("12,5", "12.5")])
def test_amounts_as_people_type_them(typed, parsed):
    assert parse_amount(typed) == parsed


def test_a_year_without_figures_says_so(app_for):
    with TestClient(app_for) as c:
        page = c.get("/simulator", params={"income": "30000", "year": 2031, "lang": "en"}).text
    assert 'role="alert"' in page and "2031" in page


def test_a_primostarter_sees_the_reduced_first_quarter_and_a_wrong_quarter_is_refused(app_for):
    with TestClient(app_for) as c:
        page = c.get("/simulator", params={"income": "5000", "year": 2024, "primostarter": "true",
                                           "start_quarter": 2, "lang": "en"}).text
        assert "2024Q2" in page and "115.03" in page
        wrong = c.get("/simulator", params={"income": "5000", "year": 2024, "primostarter": "true",
                                            "start_quarter": 7})
    assert wrong.status_code == 422 and "start_quarter" in wrong.text
