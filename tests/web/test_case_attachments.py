"""Documents on a request (issue 6): the person adds PDF or JPEG files when opening a request and later in its
thread; a PNG, a text file renamed .pdf, an empty or too large file is refused on the page, in the person's
language, naming the field, and nothing is written; the caseworker sees them, downloads them and adds a scanned paper
document; nobody else's case's documents can be downloaded; every download is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from caisse.cases.models import Case, CaseAttachment
from caisse.store.db import session_scope
from caisse.store.models import AuditLog
from support.people import register_someone

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01 a photo \xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a picture"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def person(db_url):
    """A French-speaking person of team t1."""
    with session_scope(db_url) as s:
        p = register_someone(s)
        p.party.team = "t1"
        return p.id


def _open(client, pid, files, subject="My certificate"):
    page = client.get("/my/requests")
    return client.post("/my/requests", data={"csrf_token": _csrf(page.text), "file": pid, "kind": "dispensation",
                                             "subject": subject, "body": "Please find attached."},
                       files=files, follow_redirects=False)


def _count(db_url, model) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_person_sends_a_pdf_and_a_jpeg_with_the_request_and_downloads_them(client_as, db_url, person):
    me = client_as("affiliate", party_id=person)
    assert 'enctype="multipart/form-data"' in me.get("/my/requests").text
    r = _open(me, person, [("files", ("certificat.pdf", PDF, "application/pdf")),
                           ("files", ("photo.jpg", JPEG, "image/jpeg"))])
    assert r.status_code == 303, r.text
    page = me.get(r.headers["location"])
    assert "certificat.pdf" in page.text and "photo.jpg" in page.text
    links = re.findall(r'href="(/my/requests/\d+/documents/\d+)"', page.text)
    assert len(links) == 2
    pdf, jpeg = me.get(links[0]), me.get(links[1])
    assert (pdf.content, pdf.headers["content-type"]) == (PDF, "application/pdf")
    assert (jpeg.content, jpeg.headers["content-type"]) == (JPEG, "image/jpeg")
    assert pdf.headers["content-disposition"].startswith("attachment;") and pdf.headers["cache-control"] == "no-store"
    with session_scope(db_url) as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.entity == "case_attachment", AuditLog.action == "read"))
        assert {(a.party_id, a.detail["sha256"][:8]) for a in reads} == {
            (person, x.sha256[:8]) for x in s.scalars(select(CaseAttachment))}


@pytest.mark.parametrize(("name", "content", "why"), [
    ("scan.png", PNG, "pas un document PDF ou JPEG"),
    ("note.pdf", b"just some text, renamed .pdf\n", "pas un document PDF ou JPEG"),
    ("vide.pdf", b"", "vide : choisissez un document"),
])
def test_a_refused_document_is_said_in_french_with_the_field_and_nothing_is_opened(client_as, db_url, person,
                                                                                  name, content, why):
    me = client_as("affiliate", party_id=person)
    r = _open(me, person, [("files", ("ok.pdf", PDF, "application/pdf")),
                           ("files", (name, content, "application/pdf"))])
    assert r.status_code == 422
    assert f"Documents: {why}" in r.text, re.findall(r"class=\"error\">([^<]*)<", r.text)
    assert _count(db_url, Case) == 0 and _count(db_url, CaseAttachment) == 0


def test_a_file_over_the_limit_is_refused_on_the_thread_and_nothing_is_written(client_as, db_url, person):
    from caisse.config import get_settings

    me = client_as("affiliate", party_id=person)
    case_url = _open(me, person, []).headers["location"]
    page = me.get(case_url)
    big = b"%PDF-1.4\n" + b"0" * get_settings().upload_max_bytes + b"\n%%EOF\n"
    r = me.post(case_url, data={"csrf_token": _csrf(page.text), "body": "Here it is"},
                files=[("files", ("big.pdf", big, "application/pdf"))])
    assert r.status_code == 422 and "Documents: trop volumineux" in r.text
    with session_scope(db_url) as s:
        c = s.scalars(select(Case)).one()
        assert len(c.id and s.scalars(select(CaseAttachment)).all()) == 0
        assert "Here it is" not in me.get(case_url).text  # the message went neither


def test_a_document_added_later_in_the_thread_restarts_the_clock_and_the_same_bytes_twice_are_refused(
        client_as, db_url, person):
    me = client_as("affiliate", party_id=person)
    case_url = _open(me, person, [("files", ("a.pdf", PDF, "application/pdf"))]).headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    officer = client_as("caseworker", team="t1")
    desk = officer.get(f"/desk/cases/{case_id}")
    officer.post(f"/desk/cases/{case_id}", data={"csrf_token": _csrf(desk.text), "action": "ask",
                                                 "body": "Please send the photo too."})
    page = me.get(case_url)
    r = me.post(case_url, data={"csrf_token": _csrf(page.text)}, files=[("files", ("b.jpg", JPEG, "image/jpeg"))],
                follow_redirects=False)
    assert r.status_code == 303
    with session_scope(db_url) as s:
        assert s.get(Case, case_id).status == "open"
    again = me.post(case_url, data={"csrf_token": _csrf(page.text)}, files=[("files", ("c.pdf", PDF, "x/y"))])
    assert again.status_code == 409 and "Documents: ce document a déjà été ajouté le" in again.text
    assert _count(db_url, CaseAttachment) == 2


def test_the_desk_sees_downloads_and_adds_a_scanned_document(client_as, db_url, person):
    me = client_as("affiliate", party_id=person)
    case_id = int(_open(me, person, [("files", ("a.pdf", PDF, "application/pdf"))]).headers["location"]
                  .rsplit("/", 1)[1])
    officer = client_as("caseworker", team="t1")
    page = officer.get(f"/desk/cases/{case_id}")
    assert "a.pdf" in page.text
    link = re.search(rf'href="(/desk/cases/{case_id}/documents/\d+)"', page.text).group(1)
    assert officer.get(link).content == PDF
    r = officer.post(f"/desk/cases/{case_id}/documents", data={"csrf_token": _csrf(page.text)},
                     files=[("files", ("scan.jpg", JPEG, "image/jpeg"))], follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "scan.jpg" in me.get(f"/my/requests/{case_id}").text  # the person sees it too
    bad = officer.post(f"/desk/cases/{case_id}/documents", data={"csrf_token": _csrf(page.text)},
                       files=[("files", ("scan.png", PNG, "image/png"))])
    assert bad.status_code == 422 and "pas un document PDF ou JPEG" in bad.text
    with session_scope(db_url) as s:
        added = s.scalars(select(CaseAttachment).order_by(CaseAttachment.id)).all()
        assert [a.added_by.split(":")[0] for a in added][-1] != added[0].added_by.split(":")[0]
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "case_attachment", AuditLog.action == "read")) == 1


def test_another_persons_case_documents_cannot_be_downloaded(client_as, db_url, person):
    with session_scope(db_url) as s:
        other = register_someone(s, seq=778).id
    owner = client_as("affiliate", party_id=person)
    case_id = int(_open(owner, person, [("files", ("a.pdf", PDF, "application/pdf"))]).headers["location"]
                  .rsplit("/", 1)[1])
    with session_scope(db_url) as s:
        att = s.scalars(select(CaseAttachment)).one().id
    stranger = client_as("affiliate", party_id=other)
    assert stranger.get(f"/my/requests/{case_id}/documents/{att}").status_code in (403, 404)
    assert stranger.get(f"/my/requests/{case_id}").status_code in (403, 404)
    page = stranger.get("/my/requests")
    sneaky = stranger.post(f"/my/requests/{case_id}", data={"csrf_token": _csrf(page.text)},
                           files=[("files", ("b.jpg", JPEG, "image/jpeg"))])
    assert sneaky.status_code in (403, 404) and _count(db_url, CaseAttachment) == 1
    other_team = client_as("caseworker", team="t2")
    assert other_team.get(f"/desk/cases/{case_id}/documents/{att}").status_code in (403, 404)
    with session_scope(db_url) as s:
        assert not s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "case_attachment", AuditLog.action == "read"))
