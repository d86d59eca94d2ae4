"""A one-page PDF in the standard fonts, written by hand: the same drawing calls as a reportlab canvas
(``setFont``, ``drawString``, ``drawRightString``, ``line``, ``saveState`` …), each turned straight into its PDF
operator, and the file assembled without reportlab's object model.

Why: for a one-page notice or certificate, reportlab's per-string text objects and per-document serialisation were
most of the page's time. Only for Helvetica / Helvetica-Bold (WinAnsiEncoding: every character of French, Dutch and
German): a document whose text needs another font (``documents.fonts``) goes through reportlab with DejaVu embedded.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics

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

    @property
    def code(self) -> list[str]:
        return self._code

    def setTitle(self, title: str) -> None:  # noqa: N802 - the canvas's names
        self.title = title

    def setFont(self, font: str, size: float) -> None:  # noqa: N802
        if font not in FONT_REFS:
            raise ValueError(f"font: {font} is not a standard font of this writer")
        self.font, self.size = font, size

    def stringWidth(self, text: str, font: str, size: float) -> float:  # noqa: N802
        return pdfmetrics.stringWidth(text, font, size)

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802
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

    def showPage(self) -> None:  # noqa: N802 - one page: nothing to do
        pass

    def save(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return assemble("\n".join(self._code), self.title)


def assemble(content: str, title: str) -> bytes:
    """A one-page PDF 1.4: catalog, pages, page, the two standard fonts, the content stream, the title."""
    stream = content.encode("latin-1")
    title_hex = "FEFF" + title.encode("utf-16-be").hex().upper()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH:.4f} {HEIGHT:.4f}] "
         "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> /ProcSet [/PDF /Text] >> /Contents 6 0 R >>").encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        f"<< /Title <{title_hex}> /Producer (caisse) >>".encode(),
    ]
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
