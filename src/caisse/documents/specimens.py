"""Specimens of every notice the fund sends — quarterly due notice, regularisation notice, account statement,
company-contribution due notice, yearly personal summary — drawn by the real notice code (``notices.render``,
``yearly_summary.render_summary``) for a clearly fictitious debtor, as PDF and as an SVG picture, with numbered
markers on each part of the page for the public page "How to read your notice" (``web.notices_guide``).

Nothing is read from or written to the database or the ledger: the amounts come from the rules engine on fictitious
incomes (``REFERENCE_INCOME`` earned three years before, ``REGULARISED_INCOME`` for the regularised year, a
company's ``BALANCE_SHEET`` total), the fund's name and account from the settings (public), and the structured
communication is the fund's own format for file number 0 — a number no file has, which ``references.parse``
refuses: a payment made with it by mistake is parked for reconciliation, never booked to anyone. Every page says
SPECIMEN twice: a band on top ("do not pay") and a large diagonal mark under the text.

Entry point: ``specimen(kind, language, today)`` → ``Specimen`` (pdf, svg, the parts numbered, in order).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from reportlab.lib.units import mm

from caisse.documents.fonts import STANDARD
from caisse.documents.notices import Document, Line, T, quarter_of, render, why_of
from caisse.documents.pagewriter import HEIGHT, WIDTH, StandardPage
from caisse.documents.svgpage import SvgPage
from caisse.errors import InvalidInput, UnknownParameter
from caisse.references import PaymentReference
from caisse.rules import contributions as rc

KINDS = ("quarterly_call", "regularisation", "statement", "company_call", "summary")
LANGS = ("fr", "nl", "de")
FILE = 0  # no file has it: references.parse refuses it, a payment to it is parked (never booked to anyone)
REFERENCE_INCOME = 4_000_000  # 40,000.00 EUR earned three years before (fictitious)
REGULARISED_INCOME = 5_200_000  # 52,000.00 EUR: the definitive income of the regularised year (fictitious)
BALANCE_SHEET = 50_000_000  # 500,000.00 EUR: the fictitious company's balance-sheet total
PEOPLE = {"fr": ("Camille Exemple", ["Rue de l'Exemple 1", "1000 Bruxelles"]),
          "nl": ("Jan Voorbeeld", ["Voorbeeldstraat 1", "1000 Brussel"]),
          "de": ("Max Mustermann", ["Musterstraße 1", "4700 Eupen"])}
COMPANIES = {"fr": ("Exemple SRL", ["Rue de l'Exemple 2", "1000 Bruxelles"]),
             "nl": ("Voorbeeld BV", ["Voorbeeldstraat 2", "1000 Brussel"]),
             "de": ("Muster GmbH", ["Musterstraße 2", "4700 Eupen"])}
WORD = "SPECIMEN"
BAND = {"fr": "SPECIMEN — exemple fictif : personne, montants et communication inventés. Ne payez pas ce document.",
        "nl": "SPECIMEN — fictief voorbeeld: persoon, bedragen en mededeling verzonnen. Betaal dit document niet.",
        "de": "SPECIMEN — fiktives Beispiel: Person, Beträge und Mitteilung erfunden. Zahlen Sie dieses Dokument "
              "nicht."}
#: the parts of each kind, in the order of their numbers on the page (a part the page lacks is skipped)
PARTS = {
    "quarterly_call": ("sender", "file", "debtor", "title", "amounts", "total", "communication", "payment", "qr",
                       "late", "calculation", "help"),
    "regularisation": ("sender", "file", "debtor", "title", "amounts", "total", "communication", "payment", "qr",
                       "late", "calculation", "help"),
    "statement": ("sender", "file", "debtor", "title", "amounts", "total", "communication", "payment", "qr", "late",
                  "help"),
    "company_call": ("sender", "file", "debtor", "title", "amounts", "total", "communication", "payment", "qr",
                     "late", "calculation", "help"),
    "summary": ("sender", "file", "debtor", "title", "paid", "opened", "coming", "help"),
}
MARK_COLOUR = (0.05, 0.27, 0.6)
MARK_RADIUS = 2.4 * mm


@dataclass(frozen=True)
class Specimen:
    kind: str
    language: str
    period: str
    pdf: bytes
    svg: bytes
    parts: tuple[str, ...]  # the parts numbered on the page: part ``parts[i]`` carries the number i + 1


def _fee() -> str:
    from caisse.config import get_settings

    return get_settings().management_fee_rate


def _fund() -> tuple[str, str, str]:
    from caisse.config import get_settings

    s = get_settings()
    return s.fund_name, s.fund_iban, s.fund_bic


def _ogm(year: int, kind: int) -> str:
    """The 12 digits of the fund's communication for file number 0 (``references``: refused by ``parse``)."""
    return "".join(ch for ch in PaymentReference(FILE, year, kind).ogm if ch.isdigit())


def _provisional(year: int):
    return rc.provisional(year, "main", reference_income=REFERENCE_INCOME, fee_rate=_fee())


def _issued(today: dt.date, year: int) -> dt.date:
    """The day a notice of ``year`` is dated: the 5th of this quarter's first month (the fund sends the call in the
    first month of the quarter, legislation.md §4.1), or of the last quarter of a year before this one."""
    q = (today.month - 1) // 3 + 1 if year == today.year else 4
    return dt.date(year, 3 * q - 2, 5)


def _latest(first: int, works) -> int:
    """The latest year from ``first`` down whose published figures ``works(year)`` can compute with."""
    for year in range(first, first - 4, -1):
        try:
            works(year)
        except (UnknownParameter, InvalidInput):
            continue
        return year
    raise UnknownParameter(f"no contribution figures published for {first - 3}–{first}")


# --- the fictitious documents, from the rules engine -------------------------------------------------------------

def _quarterly(lang: str, today: dt.date) -> Document:
    year = _latest(today.year, _provisional)
    issued = _issued(today, year)
    q = (issued.month - 1) // 3 + 1
    result = _provisional(year)
    steps, why = why_of(result, lang, q)
    qa = quarter_of(result, q)
    t = T[lang]
    lines = [Line(t["contribution"], qa.contribution, why.get("contribution", ""), "AR n° 38 art. 11 §3"),
             Line(t["management_fee"], qa.total - qa.contribution, why.get("management_fee", ""), t["fee_law"])]
    name, address = PEOPLE[lang]
    return Document("quarterly_call", lang, *_fund(), FILE, name, address, f"{year}Q{q}", issued, lines, qa.total,
                    rc.quarter_end(issued), _ogm(year, q), steps, uses_estimates=result.explanation.uses_estimates)


def _regularisation(lang: str, today: dt.date) -> Document:
    """The year regularised about two years later: provisional contributions called on the income of three years
    before it, the definitive ones on ``REGULARISED_INCOME``; notice sent in the first month of this quarter."""
    issued = _issued(today, _latest(today.year, _provisional))

    def compute(year: int):
        called = _provisional(year).quarterly_total
        return rc.regularisation(year, "main", REGULARISED_INCOME, [called] * 4, notice_date=issued,
                                 fee_rate=_fee())

    year = _latest(issued.year - 2, compute)
    result = compute(year)
    steps = result.explanation.text(lang)
    by_quarter = {str(args["quarter"]): text for (key, args), text in zip(result.explanation.steps, steps,
                                                                           strict=False)
                  if key == "regularisation_quarter"}
    t = T[lang]
    lines = [Line(t["regularisation_line"].format(period=f"{year}Q{q.quarter}"), diff,
                  by_quarter.get(f"{year}Q{q.quarter}", ""), "AR n° 38 art. 11 §5")
             for q, diff in zip(result.definitive.quarters, result.differences, strict=True)]
    name, address = PEOPLE[lang]
    return Document("regularisation", lang, *_fund(), FILE, name, address, str(year), issued, lines,
                    sum(result.differences), result.due_date, _ogm(year, 9), steps,
                    uses_estimates=result.explanation.uses_estimates)


def _statement(lang: str, today: dt.date) -> Document:
    """The three quarters before this one: two paid, the last one not — with the late-payment surcharges the rule
    gives on the statement's date."""
    from caisse.rules.surcharges import late_payment_surcharges

    now = _latest(today.year, _provisional)
    issued = _issued(today, now)
    q = (issued.month - 1) // 3 + 1
    periods = []
    y, k = now, q
    for _ in range(3):
        y, k = (y, k - 1) if k > 1 else (y - 1, 4)
        periods.append((y, k))
    rows = []
    for n, (y, k) in enumerate(reversed(periods)):
        try:
            qa = quarter_of(_provisional(y), k)
        except UnknownParameter:
            qa = quarter_of(_provisional(now), k)
        if n < 2:
            rows.append((f"{y}Q{k}", qa.total, 0, qa.total, 0))
        else:
            surcharges = late_payment_surcharges(qa.contribution, rc.quarter_end(dt.date(y, 3 * k, 1)),
                                                 as_of=issued).total
            rows.append((f"{y}Q{k}", qa.total, surcharges, 0, qa.total + surcharges))
    name, address = PEOPLE[lang]
    return Document("statement", lang, *_fund(), FILE, name, address, "", issued, [], rows[-1][4], None,
                    _ogm(now, 8), table=rows)


def _company(lang: str, today: dt.date) -> Document:
    from caisse.rules.company import company_contribution
    from caisse.rules.params import load

    year = _latest(today.year, lambda y: company_contribution(y, BALANCE_SHEET))
    result = company_contribution(year, BALANCE_SHEET)
    steps = result.explanation.text(lang)
    param = "company_contribution_small" if result.size == "small" else "company_contribution_large"
    law = load().parameter(param).law[:100]
    name, address = COMPANIES[lang]
    return Document("company_call", lang, *_fund(), FILE, name, address, str(year), dt.date(year, 1, 5),
                    [Line(T[lang]["company_contribution"], result.amount, steps[0] if steps else "", law)],
                    result.amount, result.due_date, _ogm(year, 0), steps,
                    uses_estimates=result.explanation.uses_estimates)


def _summary(lang: str, today: dt.date):
    """Last year summarised in January: four quarters called and paid, the next due date, the regularisation
    estimated on the provisional basis (``reporting.yearly_summary.regularisation_figure``)."""
    from caisse.reporting.tax_certificates import Certificate
    from caisse.reporting.yearly_summary import NextDue, QuarterLine, YearlySummary, regularisation_figure

    now = _latest(today.year, _provisional)
    year = _latest(now - 1, _provisional)
    called = _provisional(year).quarterly_total
    nxt = rc.quarter_end(dt.date(year + 1, 1, 1))
    try:
        next_due = NextDue(nxt, _provisional(year + 1).quarterly_total)
    except UnknownParameter:
        next_due = NextDue(nxt, None, unknown=f"{year + 1}Q1 not called yet")
    quarters = [QuarterLine(f"{year}Q{k}", called, called, 0, "paid", "", True) for k in range(1, 5)]
    reg = regularisation_figure(year, calcs={k: {"category": "main", "reference_income": REFERENCE_INCOME}
                                             for k in range(1, 5)},
                                fee_rate=_fee(), called=dict.fromkeys(range(1, 5), called))
    return YearlySummary(FILE, year, lang, dt.date(year + 1, 1, 31), Certificate(FILE, year, lang, paid=4 * called),
                         quarters, 0, next_due, reg)


BUILDERS = {"quarterly_call": _quarterly, "regularisation": _regularisation, "statement": _statement,
            "company_call": _company}


# --- the marks ---------------------------------------------------------------------------------------------------

def _underlay(page, lang: str) -> None:
    """Under everything else: the band on top of the page and the diagonal SPECIMEN mark."""
    regular, bold = STANDARD
    page.saveState()
    page.setFillColorRGB(0.93, 0.85, 0.85)
    page.transform(0.8192, 0.5736, -0.5736, 0.8192, WIDTH / 2, HEIGHT / 2)  # 35°
    page.setFont(bold, 96)
    page.drawString(-page.stringWidth(WORD, bold, 96) / 2, -34, WORD)
    page.restoreState()
    page.saveState()
    page.setFillColorRGB(0.7, 0.05, 0.05)
    page.setFont(bold, 8.5)
    page.drawString(18 * mm, HEIGHT - 9 * mm, BAND[lang])
    page.restoreState()


def _numbers(kind: str, drawn: list[str]):
    """The ``on_page`` hook: a numbered disc in the margin beside each part of ``PARTS[kind]`` the page has (the
    numbers run on without gaps); ``drawn`` receives the parts numbered, in order."""
    def on_page(page, marks: dict[str, tuple[float, float]]) -> None:
        bold = STANDARD[1]
        for part in PARTS[kind]:
            if part not in marks:
                continue
            drawn.append(part)
            x, y = marks[part]
            cx, cy = x - 5.5 * mm + (9.5 * mm if part == "qr" else 0), y + 1.1 * mm
            label = str(len(drawn))
            page.saveState()
            page.setFillColorRGB(*MARK_COLOUR)
            page.circle(cx, cy, MARK_RADIUS)
            page.setFillColorRGB(1, 1, 1)
            page.setFont(bold, 8)
            page.drawString(cx - page.stringWidth(label, bold, 8) / 2, cy - 2.8, label)
            page.restoreState()
    return on_page


def _draw(kind: str, lang: str, today: dt.date, page) -> tuple[bytes, list[str], str]:
    drawn: list[str] = []
    _underlay(page, lang)
    if kind == "summary":
        from caisse.documents.yearly_summary import render_summary

        summary = _summary(lang, today)
        data = render_summary(summary, PEOPLE[lang], page, _numbers(kind, drawn))
        return data, drawn, str(summary.year)
    doc = BUILDERS[kind](lang, today)
    return render(doc, page, _numbers(kind, drawn)), drawn, doc.period


@functools.lru_cache(maxsize=64)
def specimen(kind: str, language: str, today: dt.date) -> Specimen:
    """The specimen of ``kind`` in ``language`` (fr / nl / de) as of ``today`` (the year and quarter shown)."""
    if kind not in KINDS:
        raise InvalidInput("kind", "one of: {kinds}", kinds=", ".join(KINDS))
    if language not in LANGS:
        raise InvalidInput("language", "fr, nl or de")
    pdf, parts, period = _draw(kind, language, today, StandardPage())
    svg = _draw(kind, language, today, SvgPage())[0]  # the same page, the same parts
    return Specimen(kind, language, period, pdf, svg, tuple(parts))


__all__ = ["KINDS", "PARTS", "Specimen", "specimen"]
