"""Read back the QR codes we print, with an independent decoder (zxing-cpp), from what a person actually gets:
the path drawn on a PDF page and the SVG shown on the portal."""

from __future__ import annotations

import io
import re

import numpy as np
import zxingcpp
from pypdf import PdfReader

_RE_OP = re.compile(rb"^(\d+) (\d+) (\d+) 1 re$")
_SVG_RECT = re.compile(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" style="[^"]*'
                       r'fill: rgb\(0%,0%,0%\)')


def decode(light: np.ndarray) -> zxingcpp.Barcode:
    """The one QR code in an image of booleans (True = light)."""
    found = zxingcpp.read_barcodes(light.astype(np.uint8) * 255, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"{len(found)} QR codes found"
    return found[0]


def image_of_modules(dark: np.ndarray, scale: int = 4) -> np.ndarray:
    """The modules (True = dark) as an image (True = light), with a 4-module quiet zone."""
    light = np.pad(~dark, 4, constant_values=True)
    return np.kron(light, np.ones((scale, scale), bool))


def modules_in_pdf(pdf: bytes) -> np.ndarray:
    """The QR matrix drawn on the first page: the run of ``x y w 1 re`` operators (module units) that
    ``documents.notices.draw_qr`` writes, read back from the page's content stream."""
    data = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    runs = [m.groups() for m in (_RE_OP.match(line.strip()) for line in data.splitlines()) if m]
    assert runs, "no QR code on the page"
    cells = [(int(x), int(top), int(w)) for x, top, w in runs]
    n = max(top for _, top, _ in cells) + 1
    dark = np.zeros((n, n), bool)
    for x, top, w in cells:
        dark[n - 1 - top, x:x + w] = True
    return dark


def image_of_svg(svg: str, scale: int = 4) -> np.ndarray:
    """The portal's SVG QR code (reportlab renderSVG: one black rect per run, y axis flipped) as pixels."""
    size = float(re.search(r'<svg width="([\d.]+)"', svg).group(1))
    px = round(size * scale)
    light = np.ones((px, px), bool)
    for x, y, w, h in ((float(v) for v in m.groups()) for m in _SVG_RECT.finditer(svg)):
        top = size - (y + h)  # transform="scale(1,-1) translate(0,-size)"
        light[round(top * scale):round((top + h) * scale), round(x * scale):round((x + w) * scale)] = False
    return light
