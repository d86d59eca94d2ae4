"""Fonts for the fund's PDFs. The PDF standard Helvetica needs no embedding (fast, small files) and covers every
character of French, Dutch and German (Windows-1252); a document whose text needs more — a name written with
ł, ş, ő, Cyrillic … — gets DejaVu Sans, embedded, so that nobody's name is ever printed wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
STANDARD = ("Helvetica", "Helvetica-Bold")


def _dejavu() -> tuple[str, str] | None:
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return None
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def _texts(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif is_dataclass(value):
        for f in fields(value):
            yield from _texts(getattr(value, f.name))
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def fonts_for(*content) -> tuple[str, str]:
    """(regular, bold) font names able to show every string in ``content`` (dataclasses, lists, strings)."""
    try:
        for text in _texts(content):
            text.encode("cp1252")
    except UnicodeEncodeError:
        return _dejavu() or STANDARD
    return STANDARD
