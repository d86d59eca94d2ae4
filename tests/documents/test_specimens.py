"""The specimens of "How to read your notice": the real notice code's page for a fictitious person, drawn as PDF and,
call for call, as an SVG picture — the same texts, the same payment code —, with SPECIMEN on it, numbered parts,
and nothing taken from or written to the database."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: N817 - parsing our own SVG, no external input
from html import unescape

import numpy as np
import pytest

from caisse.documents import specimens
from caisse.documents.notices import render
from caisse.documents.pagewriter import StandardPage
from caisse.documents.svgpage import SvgPage, compose
from caisse.references import parse
from support.qr import decode, image_of_modules, modules_in_pdf

TODAY = dt.date(2026, 12, 5)
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def qr_in_svg(svg: bytes) -> np.ndarray:
    """The QR modules drawn in the SVG: the path of ``x top h w v 1 h -w z`` runs, in module units."""
    d = re.search(r'<path transform="[^"]+" fill="#000000" d="([^"]+)"', svg.decode()).group(1)
    runs = [(int(x), int(top), int(w)) for x, top, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", d)]
    n = max(top for _, top, _ in runs) + 1
    dark = np.zeros((n, n), bool)
    for x, top, w in runs:
        dark[n - 1 - top, x:x + w] = True
    return dark


@pytest.mark.parametrize("kind", specimens.KINDS)
@pytest.mark.parametrize("language", specimens.LANGS)
def test_the_svg_shows_what_the_pdf_prints(kind, language):
    s = specimens.specimen(kind, language, TODAY)
    texts = [unescape(t) for t in svg_texts(s.svg)]
    assert "SPECIMEN" in texts and specimens.BAND[language] in texts
    assert (specimens.COMPANIES if kind == "company_call" else specimens.PEOPLE)[language][0] in texts
    # the numbers of the parts, 1 … n, each once
    assert [t for t in texts if t.isdigit() and len(t) <= 2][-len(s.parts):] == [str(n) for n in
                                                                                  range(1, len(s.parts) + 1)]
    if kind != "summary":
        pdf_code, svg_code = decode(image_of_modules(modules_in_pdf(s.pdf))), decode(image_of_modules(qr_in_svg(
            s.svg)))
        assert pdf_code.bytes == svg_code.bytes
        ogm = next(t for t in texts if t.startswith("+++"))
        assert parse(ogm) is None and ogm.startswith("+++000/0000/")  # file number 0: booked to nobody


def test_every_line_of_the_pdf_is_on_the_picture():
    """pypdf reads the PDF's lines back; each is one text of the SVG (the page drawn twice by the same code)."""
    import io

    from pypdf import PdfReader

    s = specimens.specimen("quarterly_call", "nl", TODAY)
    texts = {unescape(t).strip() for t in svg_texts(s.svg)}
    lines = [x.strip() for x in PdfReader(io.BytesIO(s.pdf)).pages[0].extract_text().splitlines() if x.strip()]
    missing = [x for x in lines if x not in texts and not any(x in t or t in x for t in texts if len(t) > 3)]
    assert not missing, missing[:5]


def test_the_parts_are_those_the_notice_code_draws_in_its_order():
    assert specimens.specimen("quarterly_call", "fr", TODAY).parts == specimens.PARTS["quarterly_call"]
    assert specimens.specimen("statement", "fr", TODAY).parts == specimens.PARTS["statement"]
    assert "calculation" not in specimens.PARTS["statement"]


def test_a_notice_rendered_without_a_hook_is_unchanged_by_the_marks():
    """The marks are recorded only for a hook: a notice drawn as before gives the same bytes."""
    from caisse.documents.specimens import _quarterly

    doc = _quarterly("fr", TODAY)
    assert render(doc) == render(doc, StandardPage())
    seen = {}
    with_hook = render(doc, StandardPage(), lambda page, marks: seen.update(marks))
    assert with_hook == render(doc)  # a hook that draws nothing changes nothing
    assert set(seen) == set(specimens.PARTS["quarterly_call"])


def test_nothing_is_read_from_the_database(monkeypatch):
    """A specimen never connects to a database (every read or write goes through ``Engine.connect``)."""
    from sqlalchemy.engine import Engine

    def refuse(*a, **kw):
        raise AssertionError("a specimen connected to the database")

    monkeypatch.setattr(Engine, "connect", refuse)
    monkeypatch.setattr(Engine, "raw_connection", refuse)
    specimens.specimen.cache_clear()
    for kind in specimens.KINDS:
        assert specimens.specimen(kind, "de", TODAY).pdf.startswith(b"%PDF")


def test_svg_matrices_compose_as_pdf_cm():
    # rotate 90° then translate: the point (1, 0) goes to (10, 21)
    m = compose((1, 0, 0, 1, 10, 20), (0, 1, -1, 0, 0, 0))
    a, b, c, d, e, f = m
    assert (a * 1 + c * 0 + e, b * 1 + d * 0 + f) == (10, 21)
    page = SvgPage()
    page.saveState()
    page.transform(2, 0, 0, 2, 5, 5)
    page.drawString(1, 1, "x")
    page.restoreState()
    page.drawString(1, 1, "y")
    svg = page.getvalue().decode()
    assert 'transform="matrix(2 0 0 2 7' in svg and re.search(r'<text x="1" y="840.89"[^>]*>y</text>', svg)
