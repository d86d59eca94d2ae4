"""The hand-written page in an embedded TrueType font: what is drawn is what a reader extracts."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from caisse.documents.fonts import _dejavu
from caisse.documents.pagewriter import StandardPage

pytestmark = pytest.mark.skipif(_dejavu() is None, reason="DejaVu Sans not installed")


def test_more_characters_than_one_font_subset_holds_all_read_back():
    """300 different Cyrillic and Greek letters (a subset holds 255) beside Helvetica, a no-break space and a
    character DejaVu lacks (drawn as the missing glyph, as reportlab does): every other character extracts."""
    letters = "".join(chr(c) for c in [*range(0x410, 0x450), *range(0x391, 0x3A2), *range(0x3B1, 0x3CA),
                                       *range(0x450, 0x4C0)][:300])
    page = StandardPage()
    page.setFont("Helvetica", 9)
    page.drawString(40, 820, "Zoë Van den Brœck")
    page.setFont("DejaVuSans", 8)
    lines = [letters[i:i + 60] for i in range(0, len(letters), 60)] + ["Łukasz\xa0Wójcik-Şahin 王"]
    for k, line in enumerate(lines):
        page.drawString(40, 800 - 12 * k, line)
    pdf = page.getvalue()
    assert b"/BaseFont /AAAAAB+DejaVuSans " in pdf and b"AAAAAC+" not in pdf  # two subsets
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Zoë Van den Brœck" in text
    for line in lines[:-1]:
        assert line in text
    assert "Łukasz Wójcik-Şahin" in text.replace("\xa0", " ")
    assert page.getvalue() == pdf


def test_a_font_neither_standard_nor_registered_is_refused_naming_it():
    with pytest.raises(ValueError, match="font: Comic Sans"):
        StandardPage().setFont("Comic Sans", 9)
