"""The affiliation certificate says who is affiliated since when, in the affiliate's own language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from caisse.documents.certificates import CertificateData, affiliation_certificate_pdf


def text_of(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("language, expected", [
    ("fr", ["Attestation d'affiliation", "1 janvier 2026", "à titre principal", "85.07.30-033.28"]),
    ("nl", ["Attest van aansluiting", "1 januari 2026", "in hoofdberoep"]),
    ("de", ["Anschlussbescheinigung", "1. Januar 2026", "hauptberuflich"]),
])
def test_certificate_in_each_language(language, expected):
    pdf = affiliation_certificate_pdf(CertificateData(
        fund_name="Caisse test", language=language, file_number=12, affiliation_id=3, name="Ana Peeters",
        niss_formatted="85.07.30-033.28", address_lines=["Meir 1", "2000 Antwerpen"], start=dt.date(2026, 1, 1),
        end=None, category="main", category_since=dt.date(2026, 1, 1), today=dt.date(2026, 11, 24)))
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    for fragment in expected:
        assert fragment in text


@pytest.mark.parametrize("name, font", [("Zoë Van den Brœck", b"Helvetica"), ("Łukasz Wąsik", b"DejaVuSans")])
def test_every_name_is_printed_right(name, font):
    pdf = affiliation_certificate_pdf(CertificateData(
        fund_name="Caisse test", language="fr", file_number=12, affiliation_id=3, name=name,
        niss_formatted="85.07.30-033.28", address_lines=["Meir 1", "2000 Antwerpen"], start=dt.date(2026, 1, 1),
        end=None, category="main", category_since=dt.date(2026, 1, 1), today=dt.date(2026, 11, 24)))
    assert font in pdf
    assert name in text_of(pdf)
