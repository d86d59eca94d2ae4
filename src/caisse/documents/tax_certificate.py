"""The tax certificate (attestation fiscale / fiscaal attest / Steuerbescheinigung) as one A4 page in the debtor's
language: what was paid in the year period by period, what was given back, the deductible amount, and what is not
deductible (surcharges, judicial costs and interest), with the legal note. Figures come from a
``caisse.reporting.tax_certificates.Certificate`` (the recorded row, itself an aggregation of ledger entries).

Entry points: ``render_certificate(cert, who, today)``, ``addresses(session, party_ids)`` (names and addresses
of many debtors in one query, for the bulk run).
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.documents.fonts import STANDARD, fonts_for
from caisse.documents.notices import _iban_printed, _wrap
from caisse.documents.pagewriter import FONT_REFS, StandardPage, assemble
from caisse.rules.explain import fmt_date, fmt_money

T = {
    "fr": {
        "title": "Attestation fiscale {year} — cotisations sociales payées",
        "intro": "Les cotisations sociales de travailleur indépendant sont déductibles à titre de frais "
                 "professionnels l'année où elles sont payées. Cette attestation reprend ce que vous avez payé à la "
                 "caisse du 1er janvier au 31 décembre {year}, quelle que soit la période à laquelle ces montants se "
                 "rapportent (arriérés compris), moins ce qui vous a été restitué en {year}.",
        "file": "Dossier n° {file}", "date": "Date : {date}",
        "period": "Période", "contributions": "Cotisations et frais de gestion", "returned": "Restitué",
        "reminder_costs": "Frais de rappel", "surcharges": "Majorations", "other_costs": "Autres frais",
        "total": "Total",
        "paid": "Payé en {year} (cotisations, frais de gestion, régularisations, frais de rappel)",
        "minus": "Moins : restitué en {year} (cotisation diminuée après paiement, remboursée ou imputée)",
        "deductible": "Montant fiscalement déductible {year}",
        "not_deductible": "Non déductible (non compris ci-dessus)",
        "nd_surcharges": "Majorations de retard payées en {year}",
        "nd_other": "Frais de justice, indemnité de procédure, intérêts judiciaires et autres frais payés en {year}",
        "nothing": "Aucun paiement de cotisations n'a été enregistré à votre nom en {year}.",
        "note": "Le détail par période permet de retrouver chaque paiement sur votre relevé de compte. Cette "
                "attestation est établie d'après la comptabilité de la caisse au {date}.",
        "help": "Une question ? Contactez votre caisse en mentionnant votre numéro de dossier.",
    },
    "nl": {
        "title": "Fiscaal attest {year} — betaalde sociale bijdragen",
        "intro": "De sociale bijdragen als zelfstandige zijn fiscaal aftrekbaar als beroepskosten in het jaar "
                 "waarin ze betaald worden. Dit attest vermeldt wat u van 1 januari tot 31 december {year} aan het "
                 "fonds betaald heeft, voor welke periode ook (achterstallen inbegrepen), min wat u in {year} "
                 "teruggegeven werd.",
        "file": "Dossier nr. {file}", "date": "Datum: {date}",
        "period": "Periode", "contributions": "Bijdragen en beheerskosten", "returned": "Teruggegeven",
        "reminder_costs": "Kosten herinneringen", "surcharges": "Verhogingen", "other_costs": "Andere kosten",
        "total": "Totaal",
        "paid": "Betaald in {year} (bijdragen, beheerskosten, regularisaties, herinneringskosten)",
        "minus": "Min: teruggegeven in {year} (bijdrage verminderd na betaling, terugbetaald of verrekend)",
        "deductible": "Fiscaal aftrekbaar bedrag {year}",
        "not_deductible": "Niet aftrekbaar (niet in het bedrag hierboven)",
        "nd_surcharges": "Verhogingen wegens laattijdige betaling betaald in {year}",
        "nd_other": "Gerechtskosten, rechtsplegingsvergoeding, gerechtelijke interesten en andere kosten betaald "
                    "in {year}",
        "nothing": "Er werd in {year} geen betaling van bijdragen op uw naam geboekt.",
        "note": "Met het detail per periode vindt u elke betaling terug op uw rekeninguittreksel. Dit attest is "
                "opgemaakt volgens de boekhouding van het fonds op {date}.",
        "help": "Een vraag? Contacteer uw fonds en vermeld uw dossiernummer.",
    },
    "de": {
        "title": "Steuerbescheinigung {year} — gezahlte Sozialbeiträge",
        "intro": "Die Sozialbeiträge als Selbständige(r) sind im Jahr ihrer Zahlung als Werbungskosten steuerlich "
                 "abzugsfähig. Diese Bescheinigung enthält, was Sie vom 1. Januar bis 31. Dezember {year} an die "
                 "Kasse gezahlt haben, für welchen Zeitraum auch immer (Rückstände inbegriffen), abzüglich dessen, "
                 "was Ihnen {year} zurückgegeben wurde.",
        "file": "Akte Nr. {file}", "date": "Datum: {date}",
        "period": "Zeitraum", "contributions": "Beiträge und Verwaltungskosten", "returned": "Zurückgegeben",
        "reminder_costs": "Mahnkosten", "surcharges": "Zuschläge", "other_costs": "Andere Kosten",
        "total": "Insgesamt",
        "paid": "Gezahlt {year} (Beiträge, Verwaltungskosten, Regularisierungen, Mahnkosten)",
        "minus": "Abzüglich: {year} zurückgegeben (Beitrag nach Zahlung herabgesetzt, erstattet oder verrechnet)",
        "deductible": "Steuerlich abzugsfähiger Betrag {year}",
        "not_deductible": "Nicht abzugsfähig (nicht im obigen Betrag enthalten)",
        "nd_surcharges": "{year} gezahlte Beitragszuschläge",
        "nd_other": "{year} gezahlte Gerichtskosten, Verfahrensentschädigung, Gerichtszinsen und andere Kosten",
        "nothing": "Für {year} wurde keine Beitragszahlung auf Ihren Namen verbucht.",
        "note": "Mit der Aufstellung je Zeitraum finden Sie jede Zahlung auf Ihrem Kontoauszug wieder. Diese "
                "Bescheinigung beruht auf der Buchhaltung der Kasse am {date}.",
        "help": "Eine Frage? Wenden Sie sich unter Angabe Ihrer Aktennummer an Ihre Kasse.",
    },
}

MAX_ROWS = 24  # one page: older periods beyond this are summed in one line


def addresses(session: Session, party_ids: list[int]) -> dict[int, tuple[str, list[str]]]:
    """{party: (name, address lines)} of many debtors: one query each for names and latest addresses."""
    from caisse.store.models import Address, Company, Person

    ids = sorted(set(party_ids))
    out: dict[int, tuple[str, list[str]]] = {}
    addr: dict[int, list[str]] = {}
    for i in range(0, len(ids), 20_000):
        part = ids[i:i + 20_000]
        for pid, first, last in session.execute(select(Person.id, Person.first_name, Person.last_name)
                                                .where(Person.id.in_(part))):
            out[pid] = (f"{first} {last}", [])
        for pid, name in session.execute(select(Company.id, Company.name).where(Company.id.in_(part))):
            out[pid] = (name, [])
        for pid, street, number, box, postal, city in session.execute(
                select(Address.party_id, Address.street, Address.house_number, Address.box, Address.postal_code,
                       Address.city).where(Address.party_id.in_(part))
                .order_by(Address.party_id, Address.valid_from, Address.id)):
            addr[pid] = [f"{street} {number}" + (f" bte {box}" if box else ""), f"{postal} {city}"]
    return {pid: (name, addr.get(pid, [])) for pid, (name, _) in out.items()}


def _fund():
    from caisse.config import get_settings

    s = get_settings()
    return s.fund_name, s.fund_iban


COLS = ("contributions", "returned", "reminder_costs", "surcharges", "other_costs")
WIDTH, HEIGHT = A4
LEFT, RIGHT = 18 * mm, WIDTH - 18 * mm
XS = [RIGHT - (len(COLS) - 1 - k) * 27 * mm for k in range(len(COLS))]

# The text of a page that does not depend on the debtor (labels, intro, table heads: ~35 of the ~50 strings) is
# drawn once per (language, year, rows shown, fund) with reportlab and its PDF operators kept; with the standard
# fonts every page is then that text plus the debtor's ~20 strings written as operators, in a PDF assembled by
# hand (``documents.pagewriter``): reportlab's per-string and per-document costs were nearly all of a page's time. A
# name or address the standard fonts cannot show (ł, ş, Cyrillic …) takes reportlab's path with DejaVu embedded.
_STATIC: dict[tuple, tuple[list[str], dict]] = {}


def _draw_static(pdf: canvas.Canvas, t: dict, year: int, nrows: int, fund: tuple[str, str], regular: str,
                 bold: str) -> dict:
    """Draw the debtor-independent text; return the positions of the debtor's figures."""
    where: dict = {}
    fund_name, iban = fund
    y = HEIGHT - 18 * mm
    pdf.setFont(bold, 11)
    pdf.drawString(LEFT, y, fund_name)
    pdf.setFont(regular, 8.5)
    pdf.drawString(LEFT, y - 4.5 * mm, f"IBAN {_iban_printed(iban)}")
    where["head"] = y
    y -= 30 * mm
    pdf.setFont(bold, 13)
    for line in _wrap(t["title"].format(year=year), bold, 13, RIGHT - LEFT):
        pdf.drawString(LEFT, y, line)
        y -= 6 * mm
    y -= 1 * mm
    pdf.setFont(regular, 9)
    for line in _wrap(t["intro"].format(year=year), regular, 9, RIGHT - LEFT):
        pdf.drawString(LEFT, y, line)
        y -= 4.2 * mm
    y -= 3 * mm
    if nrows:
        pdf.setFont(bold, 7.5)
        pdf.drawString(LEFT, y, t["period"])
        for x, c in zip(XS, COLS, strict=True):
            words = _wrap(t[c], bold, 7.5, 25 * mm)[:2]
            for k, w in enumerate(words):
                pdf.drawRightString(x, y + (len(words) - 1 - k) * 3.2 * mm, w)
        y -= 1.5 * mm
        pdf.line(LEFT, y, RIGHT, y)
        y -= 4 * mm
        where["rows"] = y
        y -= nrows * 4 * mm
        pdf.line(LEFT, y + 2.5 * mm, RIGHT, y + 2.5 * mm)
        y -= 1 * mm
        pdf.setFont(bold, 8.5)
        pdf.drawString(LEFT, y, t["total"])
        where["total"] = y
        y -= 9 * mm
    else:
        pdf.setFont(regular, 9)
        pdf.drawString(LEFT, y, t["nothing"].format(year=year))
        y -= 9 * mm
    pdf.setFont(regular, 9.5)
    where["result"] = []
    for label in (t["paid"].format(year=year), t["minus"].format(year=year)):
        lines = _wrap(label, regular, 9.5, RIGHT - LEFT - 35 * mm)
        for k, w in enumerate(lines):
            pdf.drawString(LEFT, y - k * 4.2 * mm, w)
        where["result"].append(y)
        y -= len(lines) * 4.2 * mm + 1.5 * mm
    pdf.line(LEFT, y + 2.5 * mm, RIGHT, y + 2.5 * mm)
    y -= 2.5 * mm
    pdf.setFont(bold, 11)
    pdf.drawString(LEFT, y, t["deductible"].format(year=year))
    where["deductible"] = y
    y -= 11 * mm
    pdf.setFont(bold, 9.5)
    pdf.drawString(LEFT, y, t["not_deductible"])
    y -= 5 * mm
    pdf.setFont(regular, 9)
    where["not_deductible"] = []
    for label in (t["nd_surcharges"].format(year=year), t["nd_other"].format(year=year)):
        lines = _wrap(label, regular, 9, RIGHT - LEFT - 35 * mm)
        for k, w in enumerate(lines):
            pdf.drawString(LEFT, y - k * 4 * mm, w)
        where["not_deductible"].append(y)
        y -= len(lines) * 4 * mm + 1.5 * mm
    where["note"] = y - 4 * mm
    pdf.setFont(regular, 7.5)
    pdf.drawString(LEFT, 14 * mm, t["help"])
    return where


def _static_ops(t: dict, lang: str, year: int, nrows: int, fund: tuple[str, str]) -> tuple[list[str], dict]:
    """The operators of the debtor-independent text in the standard fonts (Helvetica = /F1, bold = /F2)."""
    key = (lang, year, nrows, fund)
    found = _STATIC.get(key)
    if found is None:
        scratch = canvas.Canvas(io.BytesIO(), pagesize=A4, invariant=True, pageCompression=0)
        start = len(scratch._code)  # noqa: SLF001 - reportlab's content stream, see above
        where = _draw_static(scratch, t, year, nrows, fund, *STANDARD)
        assert scratch._doc.fontMapping == FONT_REFS, scratch._doc.fontMapping  # noqa: SLF001
        if len(_STATIC) > 1000:
            _STATIC.clear()
        found = _STATIC[key] = (list(scratch._code[start:]), where)  # noqa: SLF001
    return found


def _draw_debtor(pdf, t: dict, lang: str, cert, rows: list[dict], where: dict, name: str, address: list[str],
                 today: dt.date, regular: str, bold: str) -> None:
    """The debtor's strings: file number, date, address, the rows, the amounts, the note with the date."""

    def money(c: int) -> str:  # the standard fonts lack the narrow no-break space of French amounts
        return fmt_money(c, lang).replace("\u202f", " ")

    y = where["head"]
    pdf.setFont(regular, 8.5)
    pdf.drawString(LEFT, y - 9 * mm, t["file"].format(file=cert.party_id))
    pdf.drawString(LEFT, y - 13.5 * mm, t["date"].format(date=fmt_date(today, lang)))
    ay = y - 4 * mm
    pdf.setFont(regular, 10)
    for line in [name, *address]:
        pdf.drawString(110 * mm, ay, line)
        ay -= 4.8 * mm
    if rows:
        y = where["rows"]
        pdf.setFont(regular, 8.5)
        for r in rows:
            pdf.drawString(LEFT, y, str(r["period"]))
            for x, c in zip(XS, COLS, strict=True):
                if r.get(c):
                    pdf.drawRightString(x, y, money(r[c]))
            y -= 4 * mm
        pdf.setFont(bold, 8.5)
        for x, c in zip(XS, COLS, strict=True):
            pdf.drawRightString(x, where["total"], money(sum(r.get(c, 0) for r in rows)))
    pdf.setFont(regular, 9.5)
    for y, value in zip(where["result"], (cert.paid, -cert.returned), strict=True):
        pdf.drawRightString(RIGHT, y, money(value))
    pdf.setFont(bold, 11)
    pdf.drawRightString(RIGHT, where["deductible"], money(cert.deductible))
    pdf.setFont(regular, 9)
    for y, value in zip(where["not_deductible"], (cert.surcharges, cert.other_costs), strict=True):
        pdf.drawRightString(RIGHT, y, money(value))
    y = where["note"]
    pdf.setFont(regular, 8)
    for line in _wrap(t["note"].format(date=fmt_date(today, lang)), regular, 8, RIGHT - LEFT):
        pdf.drawString(LEFT, y, line)
        y -= 3.6 * mm


def render_certificate(cert, who: tuple[str, list[str]] | None, today: dt.date) -> bytes:
    """One A4 page in the debtor's language (fr/nl/de; another language falls back to fr)."""
    lang = cert.language if cert.language in T else "fr"
    t = T[lang]
    name, address = who or (f"#{cert.party_id}", [])
    fund = _fund()
    regular, bold = fonts_for(name, address, fund[0])
    rows = list(cert.lines)
    if len(rows) > MAX_ROWS:  # one page: the oldest periods are summed in one line
        older, rows = rows[:len(rows) - MAX_ROWS + 1], rows[len(rows) - MAX_ROWS + 1:]
        rows.insert(0, {"period": f"<= {older[-1]['period']}", **{c: sum(r.get(c, 0) for r in older) for c in COLS}})
    title = f"{t['title'].format(year=cert.year)} — {name}"
    if (regular, bold) == STANDARD:
        ops, where = _static_ops(t, lang, cert.year, len(rows), fund)
        page = StandardPage()
        _draw_debtor(page, t, lang, cert, rows, where, name, address, today, regular, bold)
        return assemble("\n".join([*ops, *page.code]), title)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True, pageCompression=0)
    pdf.setTitle(title)
    where = _draw_static(pdf, t, cert.year, len(rows), fund, regular, bold)
    _draw_debtor(pdf, t, lang, cert, rows, where, name, address, today, regular, bold)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


__all__ = ["T", "addresses", "render_certificate"]
