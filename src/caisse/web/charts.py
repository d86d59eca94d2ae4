"""Charts drawn on the server as inline SVG: no JavaScript, no build step, printable, readable without images.

A chart is a horizontal bar chart (labels on the left never collide, however long a translation is): one bar per
row, made of one or more segments (stacked), an optional target per row drawn as a dashed mark (a deadline, a
rate to reach), the figure written after the bar. Accessibility: ``role="img"`` with ``<title>`` and ``<desc>``
referenced by ``aria-labelledby``; the page puts the table of the same figures next to every chart, so nothing is
said only by the picture; colours are paired with a legend and the bars' figures, never colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

#: fills with a contrast of at least 3:1 against white (WCAG 1.4.11, graphical objects)
COLOURS = {"main": "#0b5394", "late": "#a00000", "ok": "#0a5c2c", "other": "#6b4c00", "target": "#1a1a1a"}


@dataclass
class Bar:
    label: str
    segments: list[tuple[float, str]]  # (value, colour key)
    text: str  # the figure written after the bar
    target: float | None = None


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    bars: list[Bar]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour key, label)
    scale_max: float | None = None  # e.g. 1.0 for rates; default: the largest bar or target
    target_label: str | None = None


def render(chart: Chart) -> Markup:
    label_w, bar_w, text_w, row_h, top = 210, 330, 110, 26, 8
    legend_h = 22 if chart.legend or chart.target_label else 0
    width = label_w + bar_w + text_w
    height = top + row_h * max(len(chart.bars), 1) + legend_h + 8
    biggest = max([sum(v for v, _ in b.segments) for b in chart.bars] + [b.target or 0 for b in chart.bars] + [0])
    scale = chart.scale_max or biggest or 1
    cid = escape(chart.id)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" style="max-width:{width}px" aria-labelledby="{cid}-title {cid}-desc">',
           f'<title id="{cid}-title">{escape(chart.title)}</title>',
           f'<desc id="{cid}-desc">{escape(chart.desc)}</desc>']
    if not chart.bars:
        out.append(f'<text x="0" y="{top + 16}" font-size="13">—</text>')
    for i, bar in enumerate(chart.bars):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 16}" font-size="12.5" text-anchor="end" fill="#1a1a1a">'
                   f'{escape(_short(bar.label, 32))}</text>')
        x = float(label_w)
        for value, colour in bar.segments:
            w = max(bar_w * min(value / scale, 1.0), 0.0) if value > 0 else 0.0
            if w:
                out.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                           f'fill="{COLOURS.get(colour, COLOURS["main"])}"/>')
            x += w
        out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 16}" font-size="12.5" fill="#1a1a1a">'
                   f'{escape(bar.text)}</text>')
        if bar.target is not None:
            tx = label_w + bar_w * min(bar.target / scale, 1.0)
            out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 1}" y2="{y + row_h - 1}" '
                       f'stroke="{COLOURS["target"]}" stroke-width="2" stroke-dasharray="3 2"/>')
    out.append(f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{top + row_h * max(len(chart.bars), 1)}" '
               'stroke="#555" stroke-width="1"/>')
    if legend_h:
        y = height - legend_h + 4
        x = float(label_w)
        for colour, text in chart.legend:
            out.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{COLOURS.get(colour, "#0b5394")}"/>')
            out.append(f'<text x="{x + 16:.1f}" y="{y + 11}" font-size="12" fill="#1a1a1a">{escape(text)}</text>')
            x += 28 + 6.5 * len(text)
        if chart.target_label:
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 1}" y2="{y + 13}" stroke="{COLOURS["target"]}" '
                       'stroke-width="2" stroke-dasharray="3 2"/>')
            out.append(f'<text x="{x + 6:.1f}" y="{y + 11}" font-size="12" fill="#1a1a1a">'
                       f'{escape(chart.target_label)}</text>')
    out.append("</svg>")
    return Markup("\n".join(out))  # noqa: S704 - every text in it went through escape()


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
