"""The same one-page drawing as ``documents.pagewriter.StandardPage`` — the canvas calls the fund's documents make
(``setFont``, ``drawString``, ``drawRightString``, ``line``, ``saveState`` / ``restoreState``, ``setFillColorRGB``,
``transform``, ``circle``, and the raw ``x y w h re`` rectangles ``documents.notices.draw_qr`` appends to ``_code``)
— written as an SVG picture of the A4 page instead of a PDF, so a page can show a document as the person receives it
(``web.notices_guide``: the annotated specimens). Text stays text (readable, searchable, zoomable); coordinates are
the PDF's points, the y axis turned over.
"""

from __future__ import annotations

import re
from html import escape

from reportlab.pdfbase import pdfmetrics

from caisse.documents.fonts import STANDARD
from caisse.documents.pagewriter import HEIGHT, WIDTH

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
FLIP: Matrix = (1.0, 0.0, 0.0, -1.0, 0.0, HEIGHT)  # PDF points (y up) → SVG (y down)
_RECT = re.compile(r"^(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re$")
STYLE = (".r{font-family:Helvetica,Arial,'Liberation Sans',sans-serif}"
         ".b{font-family:Helvetica,Arial,'Liberation Sans',sans-serif;font-weight:bold}"
         ".dr{font-family:'DejaVu Sans',sans-serif}.db{font-family:'DejaVu Sans',sans-serif;font-weight:bold}")


def compose(outer: Matrix, inner: Matrix) -> Matrix:
    """The matrix applying ``inner`` then ``outer`` (PDF's ``cm``: the new CTM is inner × CTM)."""
    a, b, c, d, e, f = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e,
            b * e2 + d * f2 + f)


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _matrix(m: Matrix) -> str:
    return "matrix(" + " ".join(f"{v:.4f}".rstrip("0").rstrip(".") or "0" for v in m) + ")"


def _colour(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, v)) * 255):02x}" for v in rgb)


class _RawOps(list):
    """``_code`` of the page: what ``draw_qr`` appends (rectangles in the current user space, then ``f``) is drawn;
    anything else a caller appends is ignored (the SVG has no content stream)."""

    def __init__(self, page: SvgPage) -> None:
        super().__init__()
        self._page = page

    def append(self, item) -> None:  # noqa: D102 - list.append
        if isinstance(item, str):
            self._page._rects(item)  # noqa: SLF001 - the page's own hook


class SvgPage:
    """The drawing calls of ``pagewriter.StandardPage``, as SVG elements; ``getvalue()`` gives the picture."""

    def __init__(self, *, description: str = "") -> None:
        self._code = _RawOps(self)
        self.font, self.size = STANDARD[0], 9.0
        self.title = ""
        self.description = description
        self._out: list[str] = []
        self._ctm: Matrix = IDENTITY
        self._fill: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._stack: list[tuple[Matrix, tuple[float, float, float]]] = []

    # --- the canvas calls ---------------------------------------------------------------------------------------
    def setTitle(self, title: str) -> None:  # noqa: N802 - the canvas's names
        self.title = title

    def setFont(self, font: str, size: float) -> None:  # noqa: N802
        self.font, self.size = font, size

    def stringWidth(self, text: str, font: str, size: float) -> float:  # noqa: N802
        return pdfmetrics.stringWidth(text, font, size)

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self._text(x, y, text, "")

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self._text(x, y, text, ' text-anchor="end"')

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        m = compose(FLIP, self._ctm)
        (ax, ay), (bx, by) = _apply(m, x1, y1), _apply(m, x2, y2)
        self._out.append(f'<line x1="{_num(ax)}" y1="{_num(ay)}" x2="{_num(bx)}" y2="{_num(by)}" '
                         'stroke="#000" stroke-width="0.8"/>')

    def circle(self, x: float, y: float, r: float) -> None:
        cx, cy = _apply(compose(FLIP, self._ctm), x, y)
        self._out.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{_colour(self._fill)}"/>')

    def saveState(self) -> None:  # noqa: N802
        self._stack.append((self._ctm, self._fill))

    def restoreState(self) -> None:  # noqa: N802
        self._ctm, self._fill = self._stack.pop()

    def setFillColorRGB(self, r: float, g: float, b: float) -> None:  # noqa: N802
        self._fill = (r, g, b)

    def transform(self, a: float, b: float, c: float, d: float, e: float, f: float) -> None:
        self._ctm = compose(self._ctm, (a, b, c, d, e, f))

    def showPage(self) -> None:  # noqa: N802 - one page: nothing to do
        pass

    def save(self) -> None:
        pass

    def getvalue(self) -> bytes:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(WIDTH)} {_num(HEIGHT)}" '
                f'width="{_num(WIDTH)}" height="{_num(HEIGHT)}" role="img">'
                f"<title>{escape(self.title)}</title>"
                + (f"<desc>{escape(self.description)}</desc>" if self.description else "")
                + f"<style>{STYLE}</style>"
                f'<rect width="{_num(WIDTH)}" height="{_num(HEIGHT)}" fill="#fff"/>')
        return (head + "".join(self._out) + "</svg>").encode("utf-8")

    # --- the elements -------------------------------------------------------------------------------------------
    def _text(self, x: float, y: float, text: str, anchor: str) -> None:
        bold = self.font.endswith("Bold")
        cls = ("b" if bold else "r") if self.font in STANDARD else ("db" if bold else "dr")
        m = compose(compose(FLIP, self._ctm), (1.0, 0.0, 0.0, -1.0, x, y))  # glyphs upright
        fill = "" if self._fill == (0.0, 0.0, 0.0) else f' fill="{_colour(self._fill)}"'
        upright = m[:4] == (1.0, 0.0, 0.0, 1.0)
        where = f'x="{_num(m[4])}" y="{_num(m[5])}"' if upright else f'transform="{_matrix(m)}"'
        self._out.append(f'<text {where} class="{cls}" font-size="{_num(self.size)}"{anchor}{fill} '
                         f'xml:space="preserve">{escape(text)}</text>')

    def _rects(self, ops: str) -> None:
        parts = []
        for line in ops.splitlines():
            found = _RECT.match(line.strip())
            if found:
                x, y, w, h = found.groups()
                parts.append(f"M{x} {y}h{w}v{h}h-{w}z")
        if parts:
            self._out.append(f'<path transform="{_matrix(compose(FLIP, self._ctm))}" fill="{_colour(self._fill)}" '
                             f'd="{"".join(parts)}"/>')


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


__all__ = ["SvgPage", "compose"]
