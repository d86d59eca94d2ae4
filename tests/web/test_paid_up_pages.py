"""My documents: the certificate of payment of social contributions is made on demand — by the person or their
accountant, never for another person's file; staff issue it from the 360° file and confirm a copy by its
reference."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select, update

from caisse.ledger import DebtLine, charge
from caisse.reporting.models import PaidUpCertificate
from caisse.security.authz import Principal
from caisse.services import affiliation as aff_svc
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Party
from support.people import register_someone
from support.web import csrf_of, form_login, logged_in, make_account

TODAY = dt.date.today()
OVERDUE = TODAY - dt.timedelta(days=40)
LATER = TODAY + dt.timedelta(days=20)
SYSTEM = Principal.system("test")


def text_of(pdf: bytes) -> str:
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


@pytest.fixture
def ana(db_url):
    """An affiliate of team t1: 500.00 + 20.25 overdue (due 40 days ago), 900.00 called and due in 20 days; another
    affiliate beside."""
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        other = register_someone(s, birth=dt.date(1988, 8, 8), seq=779).id
        for p in (pid, other):
            aff_svc.request_affiliation(s, aff_svc.AffiliationInput(
                person_id=p, start_date=dt.date(2020, 1, 1), category="main", requested_on=dt.date(2020, 1, 1)),
                SYSTEM)
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        charge(s, f"test/old/{pid}", pid, "2024Q1", OVERDUE, OVERDUE - dt.timedelta(days=60),
               [DebtLine("contribution", 50_000, "RD38 art.12"), DebtLine("management_fee", 2_025, "fee")])
        charge(s, f"test/new/{pid}", pid, "2099Q1", LATER, TODAY - dt.timedelta(days=5),
               [DebtLine("contribution", 90_000, "RD38 art.12")])
    return {"me": pid, "other": other}


def _person(app, db_url, party_id=None, role="affiliate", **kw):
    login, _ = make_account(db_url, role, party_id=party_id, language="fr", **kw)
    c = TestClient(app, headers={"accept-language": "fr"})
    form_login(c, login, None)
    return c


def _issued(db_url, party_id) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(PaidUpCertificate)
                        .where(PaidUpCertificate.party_id == party_id))


def test_i_get_the_certificate_it_lists_what_is_overdue_and_is_recorded_and_audited(app_for, db_url, ana):
    me = ana["me"]
    with _person(app_for, db_url, me) as c:
        page = c.get("/my/documents")
        assert f'action="/my/files/{me}/paid-up-certificate"' in page.text
        assert "Attestation de régularité de paiement des cotisations sociales" in page.text
        r = c.post(f"/my/files/{me}/paid-up-certificate", data={"csrf_token": csrf_of(page), "language": "fr"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = text_of(r.content)
    assert "Ce document n'est pas une attestation de régularité de paiement" in text
    assert "2024Q1" in text and "520,25 €" in text and "2099Q1" not in text and "900,00" not in text
    with session_scope(db_url) as s:
        row = s.scalar(select(PaidUpCertificate).where(PaidUpCertificate.party_id == me))
        assert (row.outcome, row.due_cents) == ("arrears", 52_025)
        assert row.reference in text and f"paid-up-certificate-{row.reference}.pdf" in r.headers["content-disposition"]
        detail = s.scalar(select(AuditLog.detail).where(AuditLog.action == "document",
                                                        AuditLog.entity == "paid_up_certificate"))
    assert detail["reference"] == row.reference


def test_an_accountant_with_a_mandate_gets_it_another_affiliate_is_refused_like_a_missing_file(app_for, db_url, ana):
    me, other = ana["me"], ana["other"]
    with _person(app_for, db_url, role="accountant", grants=[me]) as c:
        page = c.get("/my/documents")
        assert f'/my/files/{me}/paid-up-certificate' in page.text
        r = c.post(f"/my/files/{me}/paid-up-certificate", data={"csrf_token": csrf_of(page), "language": "nl"})
    assert r.status_code == 200 and "Dit document is geen attest" in text_of(r.content)
    with _person(app_for, db_url, other) as c:
        token = csrf_of(c.get("/my/documents"))
        theirs = c.post(f"/my/files/{me}/paid-up-certificate", data={"csrf_token": token})
        missing = c.post("/my/files/987654/paid-up-certificate", data={"csrf_token": token})
        own = c.post(f"/my/files/{other}/paid-up-certificate", data={"csrf_token": token})
    assert theirs.status_code == missing.status_code == 403 and theirs.text == missing.text
    assert "%PDF" not in theirs.text
    assert own.status_code == 200 and "est en règle de paiement" in text_of(own.content)  # nothing due on theirs
    assert _issued(db_url, me) == 1  # the accountant's only


def test_without_the_forms_token_nothing_is_issued(app_for, db_url, ana):
    with _person(app_for, db_url, ana["me"]) as c:
        c.get("/my/documents")
        r = c.post(f"/my/files/{ana['me']}/paid-up-certificate", data={"language": "fr"})
    assert r.status_code == 403 and _issued(db_url, ana["me"]) == 0


def test_staff_issue_it_from_the_360_file_and_confirm_a_copy_by_its_reference(app_for, db_url, ana):
    me = ana["me"]
    c, _ = logged_in(app_for, db_url, "caseworker", team="t1")
    with c:
        page = c.get(f"/desk/files/{me}")
        assert f'action="/desk/files/{me}/paid-up-certificate"' in page.text and "None issued yet." in page.text
        r = c.post(f"/desk/files/{me}/paid-up-certificate", data={"csrf_token": csrf_of(page), "language": "de"})
        assert r.status_code == 200 and "Dieses Dokument ist keine Bescheinigung" in text_of(r.content)
        with session_scope(db_url) as s:
            ref = s.scalar(select(PaidUpCertificate.reference).where(PaidUpCertificate.party_id == me))
        assert ref in c.get(f"/desk/files/{me}").text
        found = c.get("/desk/paid-up-certificates", params={"reference": ref.lower()})
        assert found.status_code == 200 and "Issued by the fund" in found.text
        assert "Not in order: €520.25 due and unpaid" in found.text and f'href="/desk/files/{me}"' in found.text
        body = "2026ABCD" + ("EFGH" if ref[5:9] != "EFGH" else "EFGJ")
        from stdnum.iso7064 import mod_37_36

        unknown = c.get("/desk/paid-up-certificates", params={"reference": body + mod_37_36.calc_check_digit(body)})
        assert unknown.status_code == 200 and "The fund issued no certificate with this reference" in unknown.text
        typo = ref[:-1] + ("A" if ref[-1] != "A" else "B")
        wrong = c.get("/desk/paid-up-certificates", params={"reference": typo})
        assert wrong.status_code == 422 and "Certificate reference" in wrong.text
        assert "Issued by the fund" not in wrong.text
    other_team, _ = logged_in(app_for, db_url, "caseworker", team="t2")
    with other_team:
        asked = other_team.get("/desk/paid-up-certificates", params={"reference": ref})
    assert asked.status_code == 403 and "Issued by the fund" not in asked.text
    assert re.search(r'name="next" value="/desk/paid-up-certificates\?reference=', asked.text)
