"""The person's agreement that a benefit pays their contributions due first, over the API (issue 8, set-off): the
person agrees or withdraws on their own login; staff record what the person signed, with its scan; an accountant's
mandate does not cover it (403) — the same services as the portal and the desk."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.benefits.models import ClaimAttachment, ClaimStep, SetOffConsent
from caisse.cases.models import Case, CaseMessage
from caisse.store.db import session_scope
from caisse.store.models import Account

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def claim(carer_application):
    """Lotte (team t1, Dutch) asked a month of carer leave three days ago; not decided yet."""
    return carer_application(TODAY - dt.timedelta(days=3))


def _consents(db_url, cid):
    with session_scope(db_url) as s:
        return [(c.given_on, c.channel, c.max_cents, c.withdrawn_on)
                for c in s.scalars(select(SetOffConsent).where(SetOffConsent.claim_id == cid))]


def test_the_person_agrees_up_to_an_amount_is_told_and_withdraws_it(client_as, db_url, claim):
    pid, cid = claim
    me = client_as("affiliate", party_id=pid)
    r = me.post(f"/api/claims/{cid}/set-off-consent", json={"max_eur": "250.00"})
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in ("claim_id", "given_on", "channel", "max_cents", "withdrawn_on")} == {
        "claim_id": cid, "given_on": TODAY.isoformat(), "channel": "portal", "max_cents": 25_000,
        "withdrawn_on": None}
    with session_scope(db_url) as s:
        [told] = s.scalars(select(CaseMessage.body).join(Case, Case.id == CaseMessage.case_id).where(
            Case.party_id == pid, CaseMessage.direction == "out"))
    assert told.startswith("Uw akkoord is geregistreerd op ")  # in her language
    again = me.post(f"/api/claims/{cid}/set-off-consent", json={})
    assert again.status_code == 409  # once per claim

    r = me.post(f"/api/claims/{cid}/set-off-consent/withdrawal", json={})
    assert r.status_code == 200 and r.json()["withdrawn_on"] == TODAY.isoformat()
    assert _consents(db_url, cid) == [(TODAY, "portal", 25_000, TODAY)]


def test_an_accountant_with_a_mandate_is_refused_and_nothing_is_written(client_as, db_url, claim):
    pid, cid = claim
    accountant = client_as("accountant", grants=[pid])
    r = accountant.post(f"/api/claims/{cid}/set-off-consent", json={"max_eur": "100"})
    assert r.status_code == 403 and "an accountant's mandate does not cover it" in r.json()["detail"]
    assert _consents(db_url, cid) == []
    client_as("affiliate", party_id=pid).post(f"/api/claims/{cid}/set-off-consent", json={})
    assert accountant.post(f"/api/claims/{cid}/set-off-consent/withdrawal", json={}).status_code == 403
    assert _consents(db_url, cid) == [(TODAY, "portal", None, None)]  # still agreed


def test_staff_record_the_signed_agreement_with_its_scan(client_as, db_url, claim):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    signed = TODAY - dt.timedelta(days=2)
    body = {"given_on": signed.isoformat(), "channel": "letter", "max_eur": "80"}
    unsigned = worker.post(f"/api/claims/{cid}/set-off-consent", json=body)
    assert unsigned.status_code == 422 and "scanned" in unsigned.text
    garbled = worker.post(f"/api/claims/{cid}/set-off-consent", json={
        **body, "document": {"filename": "akkoord.pdf", "content_base64": "not base64!"}})
    assert garbled.status_code == 422 and "base64" in garbled.text
    assert _consents(db_url, cid) == []

    r = worker.post(f"/api/claims/{cid}/set-off-consent", json={
        **body, "document": {"filename": "akkoord.pdf", "content_base64": base64.b64encode(PDF).decode()}})
    assert r.status_code == 201, r.text
    with session_scope(db_url) as s:
        login = s.scalar(select(Account.login).where(Account.role == "caseworker").order_by(Account.id.desc()))
        step = s.scalar(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "set_off_consent"))
        scan = s.get(ClaimAttachment, step.detail["attachment"])
        assert (scan.content, scan.claim_id) == (PDF, cid)
        assert s.scalar(select(func.count()).select_from(ClaimAttachment).where(ClaimAttachment.claim_id == cid)) == 1
    assert (r.json()["recorded_by"], r.json()["channel"], r.json()["max_cents"]) == (login, "letter", 8_000)
    assert _consents(db_url, cid) == [(signed, "letter", 8_000, None)]
