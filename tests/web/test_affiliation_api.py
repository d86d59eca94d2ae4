"""The affiliate API: a caseworker's application affiliates people and companies over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.demo.identities import make_iban, make_kbo, make_niss
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Party

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


def test_a_company_with_its_director(client):
    pid = client.post("/api/persons", json=PERSON).json()["id"]
    r = client.post("/api/companies", json={
        "kbo": "BE 0403.170.701", "name": "Peeters BV", "legal_form": "BV", "language": "nl",
        "address": PERSON["address"], "affiliation_start": "2024-01-01",
        "directors": [{"person_id": pid, "since": "2024-01-01"}], "balance_sheets": {"2023": 50000000}})
    assert r.status_code == 201, r.text
    assert r.json()["kbo"] == "0403170701" and r.json()["directors"][0]["person_id"] == pid


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
