"""The affiliate API: a caseworker's application affiliates people and companies over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.demo.identities import make_iban, make_kbo, make_niss
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, BankAccount, Event, Party, SpouseLink

PERSON = {
    "niss": "85.07.30-033.28", "first_name": "Ana", "last_name": "Peeters", "birth_date": "1985-07-30",
    "language": "nl", "iban": "BE71 0961 2345 6769",
    "address": {"street": "Meir", "house_number": "1", "postal_code": "2000", "city": "Antwerpen"},
}


def parties(db_url) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(Party))


def test_health_and_openapi(client):
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert "/api/persons" in spec["paths"] and "/api/affiliations/{affiliation_id}/cease" in spec["paths"]


def test_affiliate_a_person_read_the_file_and_cease(client, db_url):
    created = client.post("/api/persons", json=PERSON)
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["niss"] == "85073003328" and person["iban"] == "BE71096123456769"
    assert person["address"]["city"] == "Antwerpen"

    aff = client.post("/api/affiliations", json={
        "person_id": person["id"], "start_date": "2026-01-01", "category": "main", "requested_on": "2025-12-01"})
    assert aff.status_code == 201, aff.text
    assert aff.json()["status"] == "affiliated" and aff.json()["primostarter"] is True

    assert client.get(f"/api/persons/{person['id']}").json()["last_name"] == "Peeters"
    ceased = client.post(f"/api/affiliations/{aff.json()['id']}/cease",
                         json={"end_date": "2026-06-30", "reason": "stopped"})
    assert ceased.json()["status"] == "ceased"
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).where(AuditLog.action == "read", AuditLog.entity == "person")) == 1


def company_body(pid, **kw):
    return {"kbo": "BE 0403.170.701", "name": "Peeters BV", "legal_form": "BV", "language": "nl",
            "address": PERSON["address"], "affiliation_start": "2024-01-01",
            "directors": [{"person_id": pid, "since": "2024-01-01"}], **kw}


def other_person(client, seq=124, birth=dt.date(1987, 3, 2)):
    r = client.post("/api/persons", json={**PERSON, "niss": make_niss(birth, seq), "birth_date": birth.isoformat(),
                                          "first_name": "Jan", "iban": make_iban("734", seq)})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_company_with_its_director(client):
    pid = client.post("/api/persons", json=PERSON).json()["id"]
    r = client.post("/api/companies", json=company_body(pid, balance_sheets={"2023": "500000.00"}))
    assert r.status_code == 201, r.text
    assert r.json()["kbo"] == "0403170701" and r.json()["directors"][0]["person_id"] == pid
    assert r.json()["balance_sheets"] == [{"financial_year": 2023, "total": "500000.00"}]
    assert client.get(f"/api/companies/{r.json()['id']}").json()["balance_sheets"][0]["total"] == "500000.00"


@pytest.mark.parametrize("sheets, loc", [
    ({"2023": 50000000}, ["body", "balance_sheets", "2023"]),  # unlabelled cents are refused, never guessed
    ({"2023": "500000.001"}, ["body", "balance_sheets", "2023"]),
    ({"2023": "-1.00"}, ["body", "balance_sheets", "2023"]),
    ({"23": "1.00"}, ["body", "balance_sheets", "23", "[key]"]),
])
def test_bad_balance_sheets_at_registration_are_a_422(client, db_url, sheets, loc):
    pid = client.post("/api/persons", json=PERSON).json()["id"]
    r = client.post("/api/companies", json=company_body(pid, balance_sheets=sheets))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc, r.text
    assert parties(db_url) == 1


def test_balance_sheets_and_directors_after_registration(client, db_url):
    ana = client.post("/api/persons", json=PERSON).json()["id"]
    jan = other_person(client)
    cid = client.post("/api/companies", json=company_body(ana)).json()["id"]

    r = client.post(f"/api/companies/{cid}/balance-sheets", json={"financial_year": 2024, "total": "612345.67"})
    assert r.status_code == 201 and r.json()["balance_sheets"] == [{"financial_year": 2024, "total": "612345.67"}]
    r = client.post(f"/api/companies/{cid}/balance-sheets", json={"financial_year": 2024, "total": "1.00"})
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "financial_year"]
    r = client.post(f"/api/companies/{cid}/balance-sheets", json={"financial_year": 2025, "total": 100})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "total"]
    assert client.post(f"/api/companies/{ana}/balance-sheets",
                       json={"financial_year": 2025, "total": "1.00"}).status_code == 404  # a person, not a company

    r = client.post(f"/api/companies/{cid}/directors/{ana}/end", json={"end_date": "2026-06-30"})
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "person_id"]
    assert "last director" in r.json()["detail"][0]["msg"]
    r = client.post(f"/api/companies/{cid}/directors", json={"person_id": jan, "since": "2023-12-31"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "since"]
    r = client.post(f"/api/companies/{cid}/directors", json={"person_id": jan, "since": "2026-07-01"})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/companies/{cid}/directors/{ana}/end", json={"end_date": "2026-06-30"})
    assert r.status_code == 200, r.text
    assert [(d["person_id"], d["valid_from"], d["valid_to"]) for d in r.json()["directors"]] == [
        (ana, "2024-01-01", "2026-06-30"), (jan, "2026-07-01", None)]
    with session_scope(db_url) as s:
        kinds = s.scalars(select(Event.kind).where(Event.party_id == cid).order_by(Event.id)).all()
    assert kinds == ["balance_sheet_recorded", "director_added", "director_ended"]


def test_a_transfer_from_another_fund_is_completed(client):
    pid = client.post("/api/persons", json=PERSON).json()["id"]
    aff = client.post("/api/affiliations", json={"person_id": pid, "start_date": "2026-01-01", "category": "main",
                                                 "requested_on": "2025-12-01", "previous_fund": "Autre caisse"}).json()
    assert aff["status"] == "pending_transfer"
    url = f"/api/affiliations/{aff['id']}/transfer-complete"
    r = client.post(url, json={"released_on": "2025-11-30"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "released_on"]
    assert client.get(f"/api/affiliations/{aff['id']}").json()["status"] == "pending_transfer"
    r = client.post(url, json={"released_on": "2025-12-20"})
    assert r.status_code == 200 and r.json()["status"] == "affiliated"
    assert client.post(url, json={}).status_code == 409


def test_a_helping_spouse_is_linked(client, db_url):
    ana = client.post("/api/persons", json=PERSON).json()["id"]
    jan = other_person(client)
    client.post("/api/affiliations", json={"person_id": ana, "start_date": "2026-01-01", "category": "main",
                                           "requested_on": "2025-12-01"})
    url = f"/api/persons/{jan}/helping-spouse"
    r = client.post(url, json={"self_employed_id": ana, "valid_from": "2026-01-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "helper_id"]
    assert "not affiliated with the fund" in r.json()["detail"][0]["msg"]
    client.post("/api/affiliations", json={"person_id": jan, "start_date": "2026-01-01", "category": "helping_spouse",
                                           "requested_on": "2025-12-01", "documents": ["helping_spouse_declaration"]})
    r = client.post(url, json={"self_employed_id": ana, "valid_from": "2026-01-01"})
    assert r.status_code == 201, r.text
    assert r.json() | {"id": 0} == {"id": 0, "helper_id": jan, "self_employed_id": ana, "valid_from": "2026-01-01",
                                    "valid_to": None}
    r = client.post(url, json={"self_employed_id": ana, "valid_from": "2026-02-01"})
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "helper_id"]
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(SpouseLink)) == 1


def test_a_new_iban_and_a_same_day_correction(client, db_url):
    person = client.post("/api/persons", json=PERSON).json()
    url = f"/api/persons/{person['id']}/iban"
    r = client.put(url, json={"iban": "BE71 0961 2345 6768"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "iban"]
    r = client.put(url, json={"iban": make_iban("734", 1), "effective": "2000-01-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "effective"]
    r = client.put(url, json={"iban": make_iban("734", 1)})  # registered today: a same-day correction
    assert r.status_code == 200 and r.json()["iban"] == make_iban("734", 1)
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = client.put(url, json={"iban": make_iban("001", 2), "effective": future})
    assert r.status_code == 200 and r.json()["iban"] == make_iban("001", 2)
    with session_scope(db_url) as s:
        assert s.scalars(select(Event.kind).order_by(Event.id)).all() == ["iban_corrected", "iban_changed"]
        assert s.scalar(select(func.count()).select_from(BankAccount)) == 2


@pytest.mark.parametrize("change, loc", [
    ({"niss": "85073003329"}, ["body", "niss"]),
    ({"iban": "BE00 0000 0000 0000"}, ["body", "iban"]),
    ({"birth_date": "1985-02-30"}, ["body", "birth_date"]),
    ({"language": "en"}, ["body", "language"]),
    ({"address": {**PERSON["address"], "postal_code": "99"}}, ["body", "address", "postal_code"]),
    ({"birth_date": "1985-07-31"}, ["body", "birth_date"]),  # contradicts the national number
])
def test_bad_person_input_is_a_422_with_the_field_path(client, db_url, change, loc):
    r = client.post("/api/persons", json={**PERSON, **change})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc
    assert parties(db_url) == 0


def test_duplicate_person_is_a_409(client, db_url):
    assert client.post("/api/persons", json=PERSON).status_code == 201
    r = client.post("/api/persons", json=PERSON)
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "niss"]
    assert parties(db_url) == 1


def test_company_without_director_is_a_422(client):
    r = client.post("/api/companies", json={
        "kbo": make_kbo(4031707), "name": "X", "legal_form": "SRL", "language": "fr",
        "address": PERSON["address"], "affiliation_start": "2024-01-01", "directors": []})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "directors"]


def test_unknown_ids_are_404(client):
    assert client.get("/api/persons/999").status_code == 404
    assert client.get("/api/affiliations/999").status_code == 404


def test_cease_before_start_is_a_422_and_changes_nothing(client):
    pid = client.post("/api/persons", json={**PERSON, "niss": make_niss(dt.date(1990, 1, 2), 2),
                                            "birth_date": "1990-01-02", "iban": make_iban("734", 1)}).json()["id"]
    aid = client.post("/api/affiliations", json={"person_id": pid, "start_date": "2026-01-01", "category": "main",
                                                 "requested_on": "2025-12-01"}).json()["id"]
    r = client.post(f"/api/affiliations/{aid}/cease", json={"end_date": "2025-01-01", "reason": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "end_date"]
    assert client.get(f"/api/affiliations/{aid}").json()["status"] == "affiliated"


def test_the_affiliation_certificate_is_a_pdf_and_its_download_is_audited(client, db_url):
    pid = client.post("/api/persons", json=PERSON).json()["id"]
    aid = client.post("/api/affiliations", json={"person_id": pid, "start_date": "2026-01-01", "category": "main",
                                                 "requested_on": "2025-12-01"}).json()["id"]
    r = client.get(f"/api/affiliations/{aid}/certificate.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).where(AuditLog.entity == "affiliation_certificate")) == 1


def test_no_certificate_while_documents_are_missing(client):
    pid = client.post("/api/persons", json=PERSON).json()["id"]
    aid = client.post("/api/affiliations", json={"person_id": pid, "start_date": "2026-01-01",
                                                 "category": "complementary", "requested_on": "2025-12-01"}).json()
    assert aid["status"] == "pending_documents"
    assert client.get(f"/api/affiliations/{aid['id']}/certificate.pdf").status_code == 409
