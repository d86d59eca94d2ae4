"""Charts drawn on the server as inline SVG: no JavaScript, no build step, printable, readable without images.

A chart is a horizontal bar chart (labels on the left never collide, however long a translation is): one bar per
row, made of one or more segments (stacked), an optional target per row drawn as a dashed mark (a deadline, a
rate to reach), the figure written after the bar. Accessibility: ``role="img"`` with ``<title>`` and ``<desc>``
referenced by ``aria-labelledby``; the page puts the table of the same figures next to every chart, so nothing is
said only by the picture; colours are paired with a legend and the bars' figures, never colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

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


def _f(x: float) -> str:
    return f"{x:.1f}"


def render(chart: Chart) -> Markup:
    """The chart as SVG markup; every text goes in through ``Markup.format``, which escapes it."""
    label_w, bar_w, text_w, row_h, top = 230, 320, 110, 26, 8
    legend_h = 22 if chart.legend or chart.target_label else 0
    width = label_w + bar_w + text_w
    rows_h = row_h * max(len(chart.bars), 1)
    height = top + rows_h + legend_h + 8
    biggest = max([sum(v for v, _ in b.segments) for b in chart.bars] + [b.target or 0 for b in chart.bars] + [0])
    scale = chart.scale_max or biggest or 1
    text = Markup('<text x="{}" y="{}" font-size="{}" fill="#1a1a1a"{}>{}</text>')
    rect = Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>')
    mark = Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="3 2"/>')
    end = Markup(' text-anchor="end"')
    out = [Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {} {}" '
                  'width="100%" style="max-width:{}px" aria-labelledby="{}-title {}-desc">')
           .format(width, height, width, chart.id, chart.id),
           Markup('<title id="{}-title">{}</title>').format(chart.id, chart.title),
           Markup('<desc id="{}-desc">{}</desc>').format(chart.id, chart.desc)]
    if not chart.bars:
        out.append(text.format(0, top + 16, 13, "", "—"))
    for i, bar in enumerate(chart.bars):
        y = top + i * row_h
        out.append(text.format(label_w - 8, y + 16, 12.5, end, _short(bar.label, 30)))
        x = float(label_w)
        for value, colour in bar.segments:
            w = bar_w * min(value / scale, 1.0) if value > 0 else 0.0
            if w:
                out.append(rect.format(_f(x), y + 4, _f(w), row_h - 8, COLOURS.get(colour, COLOURS["main"])))
            x += w
        out.append(text.format(label_w + bar_w + 6, y + 16, 12.5, "", bar.text))
        if bar.target is not None:
            tx = _f(label_w + bar_w * min(bar.target / scale, 1.0))
            out.append(mark.format(tx, tx, y + 1, y + row_h - 1, COLOURS["target"]))
    out.append(Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#555" stroke-width="1"/>')
               .format(label_w, label_w, top, top + rows_h))
    if legend_h:
        y = height - legend_h + 4
        x = float(label_w)
        for colour, label in chart.legend:
            out.append(rect.format(_f(x), y, 12, 12, COLOURS.get(colour, COLOURS["main"])))
            out.append(text.format(_f(x + 16), y + 11, 12, "", label))
            x += 28 + 6.5 * len(label)
        if chart.target_label:
            out.append(mark.format(_f(x), _f(x), y - 1, y + 13, COLOURS["target"]))
            out.append(text.format(_f(x + 6), y + 11, 12, "", chart.target_label))
    out.append(Markup("</svg>"))
    return Markup("\n").join(out)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
