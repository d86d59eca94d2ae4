"""A report as a clean A4 table (``caisse report NAME --format pdf``): the fund's name, the report's title and its
reference date on top, the figures in a table whose heading repeats on every page, amounts right-aligned in
euros. Portrait up to six columns, landscape beyond. Headings in the language asked (``reporting.labels``)."""

from __future__ import annotations

import io
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from caisse.documents.fonts import fonts_for
from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.reporting import labels


def _cell(report, column: str, value) -> str:
    if value is None:
        return ""
    if column in report.money:
        return fmt(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _numeric(report, column: str) -> bool:
    return column in report.money or any(isinstance(r.get(column), int) for r in report.rows) or \
        column.endswith(("_rate", "share_in_time"))


def render(report, fund_name: str, language: str = "fr") -> bytes:
    if language not in labels.LANGUAGES:
        raise InvalidInput("language", f"one of {', '.join(labels.LANGUAGES)}, got {language!r}")
    heads = [labels.column(c, language) for c in report.columns]
    body = [[_cell(report, c, r[c]) for c in report.columns] for r in report.rows]
    regular, bold = fonts_for(fund_name, heads, body)
    size = A4 if len(report.columns) <= 6 else landscape(A4)
    width = size[0] - 24 * mm
    small = len(report.columns) > 10
    font = 6.5 if small else 8
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=14, leading=18, spaceAfter=1 * mm)
    sub = ParagraphStyle("sub", fontName=regular, fontSize=9.5, leading=12)
    head = ParagraphStyle("head", fontName=bold, fontSize=font, leading=font + 2)
    note = ParagraphStyle("note", fontName=regular, fontSize=7.5, leading=10, textColor=colors.HexColor("#444444"))
    title = labels.title(report.name, language)
    meta = [f"{labels.phrase('as_of', language)}: {report.as_of.isoformat()}"]
    for key in ("since", "min_count"):
        if key in report.params:
            meta.append(f"{labels.phrase(key, language)}: {report.params[key]}")
    story = [Paragraph(escape(fund_name), sub), Spacer(0, 2 * mm), Paragraph(escape(title), h1),
             Paragraph(escape(" · ".join(meta)), sub), Spacer(0, 4 * mm)]
    if not body:
        story.append(Paragraph(escape(labels.phrase("empty", language)), sub))
    else:
        cell = ParagraphStyle("cell", fontName=regular, fontSize=font, leading=font + 2)
        numeric = [_numeric(report, c) for c in report.columns]
        # widths after the content: the longest value and the longest word of the heading (which wraps between
        # words), at most 130 points; the room left is shared in proportion
        want = [min(max(stringWidth(max(h.split(), key=len), bold, font),
                        *(stringWidth(row[i], regular, font) for row in body)) + 8, 130)
                for i, h in enumerate(heads)]
        widths = [width * w / sum(want) for w in want]
        data = [[Paragraph(escape(h), head) for h in heads],
                *[[v if numeric[i] else Paragraph(escape(v), cell) for i, v in enumerate(row)] for row in body]]
        table = LongTable(data, repeatRows=1, colWidths=widths)
        style = [("FONT", (0, 1), (-1, -1), regular, font), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3ebf2")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        for i, _c in enumerate(report.columns):
            if numeric[i]:
                style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
        for j, r in enumerate(report.rows, start=1):
            if any(str(r.get(c)) in ("total", "all", "granted", "total_open", "in_arrears", "total_overdue")
                   for c in report.columns[:2]):
                style += [("FONT", (0, j), (-1, j), bold, font), ("BACKGROUND", (0, j), (-1, j), colors.HexColor(
                    "#f2f2f2"))]
        table.setStyle(TableStyle(style))
        story.append(table)
    story += [Spacer(0, 4 * mm), Paragraph(escape(labels.phrase("note", language)), note)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=size, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=f"{title} — {report.as_of.isoformat()}", author=fund_name,
                            subject=report.name)

    def footer(canvas, doc_) -> None:
        canvas.setFont(regular, 7.5)
        canvas.drawString(12 * mm, 7 * mm, f"{fund_name} — {report.name} — {report.as_of.isoformat()}")
        canvas.drawRightString(size[0] - 12 * mm, 7 * mm, f"{labels.phrase('page', language)} {doc_.page}")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
