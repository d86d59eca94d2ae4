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
    assert client.post("/api/simulate/regularisation", json={
        "year": 2025, "category": "post_pension", "income": "10000", "provisional_paid": "0",
        "without_pension": True}).json()["definitive_total"] == "2409.21"
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
    ({"year": 2025, "category": "main", "income": "80,000"}, ["body", "income"]),
    ({"year": 2025, "category": "main", "income": "80.000,00"}, ["body", "income"]),
    ({"year": 2025, "category": "main", "income": "1.234"}, ["body", "income"]),
    ({"year": 2025, "category": "main", "income": "80000.005"}, ["body", "income"]),
    ({"year": 0, "category": "main", "income": "1"}, ["body", "year"]),
    ({"year": 2025, "category": "post_pension", "income": "1", "opt_out": True}, ["body", "opt_out"]),
])
def test_bad_input_is_422_with_the_field(client, body, loc):
    r = client.post("/api/simulate/contribution", json=body)
    assert r.status_code == 422
    assert any(e["loc"][:2] == loc for e in r.json()["detail"]), r.json()


def test_a_primostarter_start_quarter_reduces_that_quarter(client):
    # Cineyconsult 2024: 331.22 instead of 446.25 for the first quarter of activity
    d = client.post("/api/simulate/provisional", json={"year": 2024, "category": "main", "starter": True,
                                                       "primostarter": True, "start_quarter": 2}).json()
    assert [(q["quarter"], q["contribution"]) for q in d["quarters"]] == [(2, "331.22"), (3, "446.25"), (4, "446.25")]
    r = client.post("/api/simulate/contribution", json={"year": 2024, "category": "main", "income": "5000",
                                                       "start_quarter": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "start_quarter"]


def test_a_json_integer_income_is_whole_euros(client):
    r = client.post("/api/simulate/contribution", json={"year": 2025, "category": "main", "income": 80000})
    assert (r.json()["income"], r.json()["annual_contribution"]) == ("80000.00", "15984.57")


def test_a_belgian_decimal_comma(client):
    r = client.post("/api/simulate/contribution", json={"year": 2025, "category": "main", "income": "80000,50"})
    assert r.json()["annual_contribution"] == "15984.64"


def test_surcharge_due_date_inside_a_quarter_is_422(client):
    r = client.post("/api/simulate/surcharge", json={"amount": "1000", "due_date": "2025-06-15",
                                                     "paid_on": "2025-07-10"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "due_date"]


def test_provisional_shows_the_income_entered_and_the_revalued_one(client):
    d = client.post("/api/simulate/provisional", json={"year": 2025, "category": "main",
                                                       "reference_income": "40000"}).json()
    assert (d["income"], d["reference_year"], d["revalued_income"]) == ("40000.00", 2022, "43693.22")


def test_unjustified_reduction(client):
    d = client.post("/api/simulate/unjustified-reduction", json={
        "year": 2025, "definitive": "10000", "reduced_provisional": "4000", "lang": "nl"}).json()
    assert (d["surcharge_total"], d["source_status"]) == ("600.00", "secondary")
    assert "secundair" in d["explanation"]["steps"][-1]
    r = client.post("/api/simulate/unjustified-reduction", json={
        "year": 2025, "definitive": "10000", "reduced_provisional": "-4"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reduced_provisional"]


@pytest.mark.parametrize(("path", "body", "cli", "amount"), [
    ("birth-leave", {"date": "2023-05-02", "days": 20}, ["birth-leave", "--date", "2023-05-02", "--days", "20"],
     "1932.00"),
    ("birth-leave", {"date": "2023-05-02", "half_days": 1},
     ["birth-leave", "--date", "2023-05-02", "--half-days", "1"], "48.30"),
    ("bereavement", {"date": "2025-06-02", "days": 10}, ["bereavement", "--date", "2025-06-02", "--days", "10"],
     "1035.30"),
    ("carer", {"date": "2024-09-01", "months": 3, "months_used": 11},
     ["carer", "--date", "2024-09-01", "--months", "3", "--months-used", "11"], "1638.26"),
])
def test_benefit_endpoints_answer_like_the_cli(client, path, body, cli, amount):
    import json

    from typer.testing import CliRunner

    from caisse.cli import app

    api = client.post(f"/api/simulate/{path}", json=body)
    assert api.status_code == 200, api.text
    out = CliRunner().invoke(app, ["simulate", *cli, "--json"])
    assert out.exit_code == 0, out.output
    assert api.json() == json.loads(out.stdout)
    assert api.json()["amount"] == amount


@pytest.mark.parametrize(("path", "body", "loc"), [
    ("birth-leave", {"date": "2023-05-02", "days": 21}, ["body", "days"]),
    ("bereavement", {"date": "2026-06-02", "days": 1}, ["body", "date"]),   # 2026 amount: ESTIMATE, refused
    ("carer", {"date": "2024-09-01", "months": 7}, ["body", "months"]),
])
def test_benefit_endpoints_bad_input_is_422_with_the_field(client, path, body, loc):
    r = client.post(f"/api/simulate/{path}", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc, r.json()


@pytest.mark.parametrize(("body", "loc"), [
    ({"amount": "1000.00", "due_date": "2025-06-30", "as_of": "2026-01-18", "served_on": 0}, "served_on"),  # not 1970
    ({"amount": 1000.5, "due_date": "2025-06-30", "as_of": "2026-01-18"}, "amount"),  # a float is never money
    ({"amount": True, "due_date": "2025-06-30", "as_of": "2026-01-18"}, "amount"),
    ({"amount": "1" + "0" * 40, "due_date": "2025-06-30", "as_of": "2026-01-18"}, "amount"),  # not a 500
    ({"amount": "1000.00", "due_date": "2025-02-30", "as_of": "2026-01-18"}, "due_date"),
])
def test_a_body_off_the_schema_is_refused_never_coerced(client, body, loc):
    r = client.post("/api/simulate/surcharge", json=body)
    assert r.status_code == 422, r.text
    assert loc in str(r.json()["detail"])


def test_a_year_sent_as_text_is_refused(client):
    r = client.post("/api/simulate/contribution", json={"year": "2025", "category": "main", "income": "80000"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "year"]


def test_each_quarter_says_what_the_primostarters_reduction_took_off(client):
    # 2024: 446.25 − 115.03 = 331.22 in the first quarter of activity (Cineyconsult), 344.80 with Securex's 4.10 %
    d = client.post("/api/simulate/provisional", json={"year": 2024, "category": "main", "starter": True,
                                                       "primostarter": True, "start_quarter": 2,
                                                       "fee_rate": "0.041"}).json()
    assert [(q["quarter"], q["contribution"], q["reduction"], q["total"]) for q in d["quarters"]] == [
        (2, "331.22", "115.03", "344.80"), (3, "446.25", "0.00", "464.55"), (4, "446.25", "0.00", "464.55")]
    plain = client.post("/api/simulate/contribution", json={"year": 2024, "category": "main", "income": "5000"}).json()
    assert {q["reduction"] for q in plain["quarters"]} == {"0.00"}
    reg = client.post("/api/simulate/regularisation", json={
        "year": 2024, "category": "main", "income": "5000", "provisional_paid": ["446.25"] * 3, "quarters": 3,
        "primostarter": True, "start_quarter": 2}).json()
    assert [(q["definitive"], q["reduction"], q["difference"]) for q in reg["quarters"]] == [
        ("331.22", "115.03", "-115.03"), ("446.25", "0.00", "0.00"), ("446.25", "0.00", "0.00")]
