"""Retention and access for the documents added to a case: the export lists them (never their bytes); their content
goes 5 years after the year the case was closed, like the case's messages (their SHA-256, type and size stay);
the person's identity pseudonymised takes them too."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from caisse.cases import attachments
from caisse.cases import service as cases
from caisse.cases.models import CaseAttachment
from caisse.security.authz import Principal
from caisse.services import gdpr
from caisse.store.db import session_scope
from support.people import register_someone

SYSTEM = Principal.system("test")
AS_OF = dt.date(2026, 11, 24)  # prescribed: every year up to 2020
PDF = b"%PDF-1.4\n%%EOF\n"


def _case_with_document(s, pid, opened: dt.date, closed: dt.date | None) -> int:
    cid = cases.open_case(s, SYSTEM, pid, "question", "My certificate", "see attached", opened, channel="letter").id
    attachments.add(s, SYSTEM, cid, [("doctor.pdf", PDF + str(cid).encode())], opened)
    if closed:
        cases.answer(s, SYSTEM, cid, "Thank you.", closed)
        cases.close(s, SYSTEM, cid, closed)
    return cid


def test_a_cases_documents_go_five_years_after_the_year_it_closed_their_checksum_stays(db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        old = _case_with_document(s, pid, dt.date(2020, 3, 2), dt.date(2020, 6, 30))
        recent = _case_with_document(s, pid, dt.date(2020, 3, 2), dt.date(2021, 1, 4))
        open_ = _case_with_document(s, pid, dt.date(2019, 3, 2), None)
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).prescribed["case_attachments"] == 1
        docs = {a.case_id: a for a in s.scalars(select(CaseAttachment))}
        assert (docs[old].content, docs[old].filename) == (b"", "pseudonymised")
        assert len(docs[old].sha256) == 64 and docs[old].size > 0  # what was received stays provable
        assert docs[recent].content.startswith(b"%PDF") and docs[open_].content.startswith(b"%PDF")
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).prescribed["case_attachments"] == 0  # idempotent
        assert gdpr.apply_retention(s, SYSTEM, dt.date(2027, 1, 1)).prescribed["case_attachments"] == 1
    assert "case_attachments" in gdpr.RETENTION and len(gdpr.RETENTION["case_attachments"]["why"]) > 30
    assert (gdpr.RETENTION["case_attachments"]["keep_years_after_year"]
            == gdpr.RETENTION["benefit_attachments"]["keep_years_after_year"])


def test_an_emptied_document_is_listed_but_no_longer_downloaded(db_url):
    import pytest

    from caisse.errors import NotFound

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        cid = _case_with_document(s, pid, dt.date(2019, 3, 2), dt.date(2019, 6, 30))
    with session_scope(db_url) as s:
        gdpr.apply_retention(s, SYSTEM, AS_OF)
        c = cases.get_case(s, SYSTEM, cid)
        (listed,) = attachments.of_case(s, c)
        assert not listed.available
        with pytest.raises(NotFound, match="emptied by the retention rules"):
            attachments.get(s, SYSTEM, cid, listed.id)


def test_the_export_lists_a_cases_documents_without_their_bytes(db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        cid = _case_with_document(s, pid, dt.date(2026, 11, 2), None)
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, pid)
    (case,) = [c for c in data["cases"] if c["id"] == cid]
    (doc,) = case["documents"]
    assert doc["filename"] == "doctor.pdf" and doc["content_type"] == "application/pdf" and len(doc["sha256"]) == 64
    assert "content" not in doc


def test_the_identity_pseudonymised_takes_the_documents_of_the_persons_cases(db_url):
    from caisse.services import affiliation as svc

    with session_scope(db_url) as s:
        person = register_someone(s, seq=101)
        start, end = dt.date(2005, 1, 1), dt.date(2012, 12, 31)
        aff = svc.request_affiliation(s, svc.AffiliationInput(person_id=person.id, start_date=start, category="main",
                                                              requested_on=start), SYSTEM)
        svc.cease(s, aff.id, end, "stopped", SYSTEM)
        pid = person.id
        _case_with_document(s, pid, dt.date(2026, 11, 2), None)  # still open: only the identity rule reaches it
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).identities_pseudonymised == 1
        (doc,) = s.scalars(select(CaseAttachment).where(CaseAttachment.party_id == pid))
        assert (doc.content, doc.filename, len(doc.sha256)) == (b"", "pseudonymised", 64)
