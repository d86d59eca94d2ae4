"""A one-page PDF written by hand: the same drawing calls as a reportlab canvas (``setFont``, ``drawString``,
``drawRightString``, ``line``, ``saveState`` …), each turned straight into its PDF operator, and the file assembled
without reportlab's object model.

Why: for a one-page notice or certificate, reportlab's per-string text objects and per-document serialisation were
most of the page's time. The standard Helvetica / Helvetica-Bold (WinAnsiEncoding: every character of French, Dutch
and German) need nothing embedded; a TrueType font registered with reportlab (DejaVu Sans, ``documents.fonts``: a
name written with ł, ş, Cyrillic …) is embedded as a subset of the characters the page uses, made by reportlab's own
``TTFontFile.makeSubset`` (cached by character set), with its widths and a ToUnicode CMap so the text stays
extractable and searchable.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

from caisse.documents.fonts import STANDARD

FONT_REFS = {"Helvetica": "/F1", "Helvetica-Bold": "/F2"}
WIDTH, HEIGHT = A4


def pdf_text(text: str) -> str:
    """A PDF literal string of ``text`` in WinAnsiEncoding (cp1252), ASCII-safe."""
    out = []
    for byte in text.encode("cp1252", errors="replace"):
        if byte in (0x28, 0x29, 0x5C):
            out.append("\\" + chr(byte))
        elif 32 <= byte < 127:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


class StandardPage:
    """The drawing calls of a reportlab canvas that the fund's documents use, as PDF operators in ``_code`` (the
    canvas's own name for its content stream, so code that appends raw operators works on both)."""

    def __init__(self) -> None:
        self._code: list[str] = []
        self.font, self.size = STANDARD[0], 9.0
        self.title = ""
        self._truetype: list[str] = []  # TrueType fonts drawn with, in order of first use

    @property
    def code(self) -> list[str]:
        return self._code

    def setTitle(self, title: str) -> None:  # noqa: N802 - the canvas's names
        self.title = title

    def setFont(self, font: str, size: float) -> None:  # noqa: N802
        if font not in FONT_REFS:
            if font not in pdfmetrics.getRegisteredFontNames() or not isinstance(pdfmetrics.getFont(font), TTFont):
                raise ValueError(f"font: {font} is neither a standard font nor a registered TrueType font")
            if font not in self._truetype:
                self._truetype.append(font)
        self.font, self.size = font, size

    def stringWidth(self, text: str, font: str, size: float) -> float:  # noqa: N802
        return pdfmetrics.stringWidth(text, font, size)

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        if self.font not in FONT_REFS:  # encoded once the page's characters are known (getvalue)
            self._code.append(_TrueTypeText(self.font, self.size, x, y, text))
            return
        self._code.append(f"BT {FONT_REFS[self.font]} {self.size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm "
                          f"{pdf_text(text)} Tj ET")

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - pdfmetrics.stringWidth(text, self.font, self.size), y, text)

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._code.append(f"n {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def saveState(self) -> None:  # noqa: N802
        self._code.append("q")

    def restoreState(self) -> None:  # noqa: N802
        self._code.append("Q")

    def setFillColorRGB(self, r: float, g: float, b: float) -> None:  # noqa: N802
        self._code.append(f"{r:g} {g:g} {b:g} rg")

    def transform(self, a: float, b: float, c: float, d: float, e: float, f: float) -> None:
        self._code.append(f"{a:g} {b:g} {c:g} {d:g} {e:.4f} {f:.4f} cm")

    def circle(self, x: float, y: float, r: float) -> None:
        """A disc of radius ``r`` centred on (x, y), filled with the fill colour (four Bézier arcs)."""
        k = 0.5523 * r
        self._code.append(
            f"{x + r:.2f} {y:.2f} m {x + r:.2f} {y + k:.2f} {x + k:.2f} {y + r:.2f} {x:.2f} {y + r:.2f} c "
            f"{x - k:.2f} {y + r:.2f} {x - r:.2f} {y + k:.2f} {x - r:.2f} {y:.2f} c "
            f"{x - r:.2f} {y - k:.2f} {x - k:.2f} {y - r:.2f} {x:.2f} {y - r:.2f} c "
            f"{x + k:.2f} {y - r:.2f} {x + r:.2f} {y - k:.2f} {x + r:.2f} {y:.2f} c f")

    def showPage(self) -> None:  # noqa: N802 - one page: nothing to do
        pass

    def save(self) -> None:
        pass

    def getvalue(self) -> bytes:
        if not self._truetype:
            return assemble("\n".join(self._code), self.title)
        subsets = {font: _subsets(font, [c.text for c in self._code if isinstance(c, _TrueTypeText) and c.font == font])
                   for font in self._truetype}
        refs = {font: f"T{i}s" for i, font in enumerate(self._truetype)}  # subset n of font i: /T{i}s{n}
        code = [c.operators(refs[c.font], subsets[c.font][1]) if isinstance(c, _TrueTypeText) else c
                for c in self._code]
        fonts = [(f"{refs[font]}{n}", font, subset, n)
                 for font in self._truetype for n, subset in enumerate(subsets[font][0])]
        return assemble("\n".join(code), self.title, fonts)


class _TrueTypeText:
    __slots__ = ("font", "size", "x", "y", "text")

    def __init__(self, font: str, size: float, x: float, y: float, text: str) -> None:
        self.font, self.size, self.x, self.y, self.text = font, size, x, y, text

    def operators(self, ref: str, codes: dict[int, tuple[int, int]]) -> str:
        """BT … ET, one ``Tf`` + hex ``Tj`` per run of characters in the same subset (as reportlab's splitString),
        ended by ``T*`` as reportlab's canvas ends a line: text extractors (pypdf) then see a word break before the
        next string even where a long label runs into the amount beside it."""
        out = [f"BT 1 0 0 1 {self.x:.2f} {self.y:.2f} Tm {self.size * 1.2:g} TL"]
        current, run = -1, bytearray()
        for ch in self.text:
            subset, byte = codes[_unicode(ch)]
            if subset != current:
                if run:
                    out.append(f"/{ref}{current} {self.size:g} Tf <{run.hex()}> Tj")
                current, run = subset, bytearray()
            run.append(byte)
        if run:
            out.append(f"/{ref}{current} {self.size:g} Tf <{run.hex()}> Tj")
        out.append("T* ET")
        return " ".join(out)


def _unicode(ch: str) -> int:
    code = ord(ch)
    return 32 if code == 0xA0 else code  # a no-break space drawn as a space, as reportlab does


_SUBSETS: dict[tuple[str, tuple[int, ...]], tuple[bytes, bytes, str]] = {}


def _subsets(font: str, texts: list[str]) -> tuple[list[tuple[int, ...]], dict[int, tuple[int, int]]]:
    """The font's subsets of at most 256 codes, laid out as reportlab's (``asciiReadable``): code 0 the missing
    glyph, code 32 a space in every subset (text extraction measures word gaps with it), ASCII at its own codes in
    subset 0, the page's other characters in code point order in the free codes. A subset thus depends only on the
    page's non-ASCII characters — the same few on most pages: cached (``_subset_objects``)."""
    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    used = {_unicode(ch) for text in texts for ch in text}
    codes = {c: (0, 0) for c in used}  # a character the font lacks: the missing glyph, as reportlab
    codes.update((c, (0, c)) for c in range(32, 128) if c in glyphs)
    subsets = [[0] * 32 + [c if c in glyphs else 0 for c in range(32, 128)]]
    free = [*range(1, 32), *range(128, 256)]
    for c in sorted(c for c in used if c in glyphs and c != 0 and not 32 <= c < 128):
        if not free:
            subsets.append([0] * 32 + [32])
            free = [*range(1, 32), *range(33, 256)]
        code, subset = free.pop(0), subsets[-1]
        if code < len(subset):
            subset[code] = c
        else:  # the codes above 32 come in order
            subset.append(c)
        codes[c] = (len(subsets) - 1, code)
    return [tuple(subset) for subset in subsets], codes


def _subset_objects(font: str, subset: tuple[int, ...]) -> tuple[bytes, bytes, str]:
    """(font file, ToUnicode CMap, /Widths array) of one subset, made once per character set."""
    key = (font, subset)
    made = _SUBSETS.get(key)
    if made is None:
        face = pdfmetrics.getFont(font).face
        if len(_SUBSETS) > 500:
            _SUBSETS.clear()
        widths = " ".join(f"{face.getCharWidth(c):g}" for c in subset)
        made = _SUBSETS[key] = (face.makeSubset(list(subset)),
                                makeToUnicodeCMap(face.name.decode("latin-1"), list(subset)).encode("latin-1"),
                                f"[{widths}]")
    return made


def _truetype_objects(first: int, name: str, font: str, subset: tuple[int, ...], n: int) -> list[bytes]:
    """The font, its descriptor, the embedded subset and its ToUnicode CMap, numbered from ``first``."""
    face = pdfmetrics.getFont(font).face
    fontfile, cmap, widths = _subset_objects(font, subset)
    base = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("latin-1")
    flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
    bbox = " ".join(f"{v:g}" for v in face.bbox)
    return [
        (f"<< /Type /Font /Subtype /TrueType /Name /{name} /BaseFont /{base} /FirstChar 0 /LastChar {len(subset) - 1}"
         f" /Widths {widths} /FontDescriptor {first + 1} 0 R /ToUnicode {first + 3} 0 R >>").encode(),
        (f"<< /Type /FontDescriptor /Ascent {face.ascent:g} /CapHeight {face.capHeight:g} /Descent {face.descent:g}"
         f" /Flags {flags} /FontBBox [{bbox}] /FontName /{base} /ItalicAngle {face.italicAngle:g}"
         f" /StemV {face.stemV:g} /FontFile2 {first + 2} 0 R /MissingWidth {face.defaultWidth:g} >>").encode(),
        _stream(fontfile, f" /Length1 {len(fontfile)}"),
        _stream(cmap),
    ]


def _stream(data: bytes, extra: str = "") -> bytes:
    return b"<< /Length " + str(len(data)).encode() + extra.encode() + b" >>\nstream\n" + data + b"\nendstream"


def assemble(content: str, title: str, truetype: list[tuple[str, str, tuple[int, ...], int]] = ()) -> bytes:
    """A one-page PDF 1.4: catalog, pages, page, the two standard fonts, the content stream, the title, then the
    ``truetype`` subsets given as (resource name, registered font, subset, its number in the font)."""
    stream = content.encode("latin-1")
    title_hex = "FEFF" + title.encode("utf-16-be").hex().upper()
    extra = " ".join(f"/{name} {8 + 4 * i} 0 R" for i, (name, *_) in enumerate(truetype))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH:.4f} {HEIGHT:.4f}] "
         f"/Resources << /Font << /F1 4 0 R /F2 5 0 R {extra} >> /ProcSet [/PDF /Text] >> /Contents 6 0 R >>"
         ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        _stream(stream),
        f"<< /Title <{title_hex}> /Producer (caisse) >>".encode(),
    ]
    for name, font, subset, n in truetype:
        objects += _truetype_objects(len(objects) + 1, name, font, subset, n)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            ).encode()
    return bytes(out)
