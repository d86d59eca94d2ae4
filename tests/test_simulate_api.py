"""`POST /api/simulate/...`: the same answers as the CLI, 422 with field paths on bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from caisse.config import Settings
from caisse.web.app import create_app


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(Settings(database_url="sqlite:///:memory:")))


def test_contribution(client):
    r = client.post("/api/simulate/contribution",
                    json={"year": 2025, "category": "main", "income": "80000", "fee_rate": "0.0405", "lang": "fr"})
    assert r.status_code == 200
    d = r.json()
    assert (d["annual_contribution"], d["quarterly_contribution"], d["quarterly_total"]) == \
        ("15984.57", "3996.14", "4157.98")
    assert d["explanation"]["language"] == "fr"


def test_regularisation_surcharge_company_bridging_maternity(client):
    assert client.post("/api/simulate/regularisation", json={
        "year": 2025, "category": "complementary", "income": "6200", "provisional_paid": "401.20",
        "fee_rate": "0.0305"}).json()["difference"] == "908.56"
    assert client.post("/api/simulate/surcharge", json={
        "amount": "1200.00", "due_date": "2025-06-30", "paid_on": "2025-11-02"}).json()["surcharge_total"] == "72.00"
    assert client.post("/api/simulate/company", json={"year": 2025, "balance_sheet_total": "900000"}
                       ).json()["amount"] == "998.47"
    assert client.post("/api/simulate/bridging-right", json={"date": "2024-09-01", "days": 22}
                       ).json()["amount"] == "1228.70"
    assert client.post("/api/simulate/maternity", json={"start": "2025-03-03", "full_weeks": 9, "half_weeks": 6}
                       ).json()["amount"] == "10075.80"
    assert client.post("/api/simulate/provisional", json={"year": 2025, "category": "main",
                                                          "reference_income": "40000"}
                       ).json()["quarterly_contribution"] == "2239.28"


@pytest.mark.parametrize(("body", "loc"), [
    ({"year": 2025, "category": "mian", "income": "1"}, ["body", "category"]),
    ({"year": 2025, "category": "main", "income": "-1"}, ["body", "income"]),
    ({"year": 2025, "category": "main", "income": "abc"}, ["body", "income"]),
    ({"year": 2027, "category": "main", "income": "1"}, ["body", "year"]),
    ({"year": 2025, "category": "main", "income": 1.5}, ["body", "income"]),
])
def test_bad_input_is_422_with_the_field(client, body, loc):
    r = client.post("/api/simulate/contribution", json=body)
    assert r.status_code == 422
    assert any(e["loc"][:2] == loc for e in r.json()["detail"]), r.json()
