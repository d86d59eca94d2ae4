"""How to read your notice: a public page (no login) showing a specimen of every notice the fund sends, drawn by
the real notice code for a fictitious person, each part numbered and explained in the reader's language; the
specimens are PDFs marked SPECIMEN whose payment code leads nowhere; nothing is read from or written to the
database."""

from __future__ import annotations

import html
import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from caisse.documents import specimens
from caisse.references import parse
from caisse.store.db import session_scope
from caisse.store.schema import metadata
from support.qr import decode, image_of_modules, modules_in_pdf
from support.web import form_login, make_account

HEADING = {"fr": "Comment lire votre avis", "nl": "Hoe leest u uw bericht", "de": "So lesen Sie Ihre Mitteilung",
           "en": "How to read your notice"}
# one explanation per language, that of the structured communication (why it must be copied exactly)
COMMUNICATION = {"fr": "Recopiez-la exactement, chiffre par chiffre",
                 "nl": "Neem ze exact over, cijfer per cijfer",
                 "de": "Übernehmen Sie sie genau, Ziffer für Ziffer",
                 "en": "Copy it exactly, every digit"}
LATE = {"fr": "une majoration de 3 % de la cotisation impayée", "nl": "een verhoging van 3 % van de onbetaalde",
        "de": "ein Zuschlag von 3 % des unbezahlten", "en": "a surcharge of 3 % of the unpaid contribution"}


def _rows(db_url) -> dict[str, int]:
    with session_scope(db_url) as s:
        return {name: s.scalar(select(func.count()).select_from(table)) for name, table in metadata.tables.items()}


def _text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


@pytest.mark.parametrize("language", ["fr", "nl", "de", "en"])
def test_the_guide_answers_without_login_in_each_language_with_every_notice_annotated(app_for, db_url, language):
    before = _rows(db_url)
    with TestClient(app_for) as c:
        page = c.get("/public/notices", params={"lang": language})
        assert page.status_code == 200 and "/login" not in str(page.url)
        text = html.unescape(page.text)
        assert f"<h1>{HEADING[language]}</h1>" in text and f'<html lang="{language}">' in text
        shown = "fr" if language == "en" else language  # the notices exist in fr/nl/de: English shows French
        sections = re.findall(r'<section id="([a-z_]+)" aria-labelledby="h-\1" class="specimen">(.*?)</section>',
                              text, re.S)
        assert [kind for kind, _ in sections] == list(specimens.KINDS)
        for kind, body in sections:
            assert re.search(rf'<h2 id="h-{kind}">[^<]+</h2>', body)
            img = re.search(rf'<img src="/public/notices/{shown}/{kind}.svg"[^>]* alt="([^"]+)"', body)
            assert img and "SPECIMEN" in img.group(1)
            notes = re.findall(r"<li>(.*?)</li>", re.search(r'<ol class="annotations"[^>]*>(.*?)</ol>', body,
                                                            re.S).group(1), re.S)
            # one explanation per number drawn on the page, in the same order
            drawn = specimens.specimen(kind, shown, _today()).parts
            assert len(notes) == len(drawn) >= 8
            for code in ("fr", "nl", "de"):
                assert f'href="/public/notices/{code}/{kind}.pdf"' in body
        quarterly = dict(sections)["quarterly_call"]
        assert COMMUNICATION[language] in quarterly and LATE[language] in quarterly
        # every image and PDF the page links answers, without login
        for url in set(re.findall(r'(?:src|href)="(/public/notices/[a-z]{2}/[a-z_]+\.(?:svg|pdf))"', text)):
            got = c.get(url)
            assert got.status_code == 200, url
            assert got.headers["content-type"] == ("application/pdf" if url.endswith(".pdf") else "image/svg+xml")
    assert _rows(db_url) == before  # nothing written: no session, no audit row


@pytest.mark.parametrize("kind", specimens.KINDS)
@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_each_specimen_pdf_is_the_notice_code_s_page_marked_specimen_for_a_fictitious_person(app_for, kind,
                                                                                           language):
    with TestClient(app_for) as c:
        got = c.get(f"/public/notices/{language}/{kind}.pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    text = _text(got.content)
    name = (specimens.COMPANIES if kind == "company_call" else specimens.PEOPLE)[language][0]
    assert text.count("SPECIMEN") >= 2 and name in text  # the band and the diagonal mark
    # the numbered markers: 1 … n, as many as the page explains
    parts = specimens.specimen(kind, language, _today()).parts
    assert len(parts) >= 8 and all(str(n) in text.split() for n in range(1, len(parts) + 1))
    if kind != "summary":
        lines = decode(image_of_modules(modules_in_pdf(got.content))).bytes.decode("utf-8").split("\n")
        communication = next(x for x in lines if x.startswith("+++") or x.isdigit() and len(x) == 12)
        assert parse(communication) is None  # file number 0: a payment with it is parked, booked to nobody
        assert communication.strip("+").replace("/", "")[:7] == "0000000"


def test_the_specimen_amounts_are_the_rules_engines(app_for):
    """The quarterly specimen's total is the provisional contribution on the fictitious income, fee included."""
    from caisse.config import get_settings
    from caisse.rules.contributions import provisional
    from caisse.rules.explain import fmt_money

    s = specimens.specimen("quarterly_call", "fr", _today())
    year, quarter = int(s.period[:4]), int(s.period[-1])
    want = provisional(year, "main", reference_income=specimens.REFERENCE_INCOME,
                       fee_rate=get_settings().management_fee_rate).quarters[quarter - 1].total
    flat = _text(s.pdf).replace("\u202f", " ").replace("\xa0", " ")
    assert fmt_money(want, "fr").replace("\u202f", " ") in flat


def test_the_login_page_and_my_documents_link_to_the_guide(app_for, db_url):
    import datetime as dt
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
    from fund import Fund

    with TestClient(app_for) as c:
        assert 'href="/public/notices"' in c.get("/login").text
    pid = Fund(db_url).person(category="main", start=dt.date(2015, 1, 1))
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for) as c:
        form_login(c, login, None)
        assert 'href="/public/notices"' in c.get("/my/documents").text


def test_an_unknown_notice_or_language_is_not_found(app_for):
    with TestClient(app_for) as c:
        assert c.get("/public/notices/fr/invoice.pdf").status_code == 422
        assert c.get("/public/notices/en/statement.pdf").status_code == 422


def _today():
    import datetime as dt

    return dt.date.today()
