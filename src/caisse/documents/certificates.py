"""The affiliation certificate (attestation d'affiliation / attest van aansluiting / Anschlussbescheinigung),
a one-page PDF in the affiliate's language."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from caisse.documents.fonts import fonts_for

LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_BE"}

CATEGORY_LABELS = {  # glossary.md
    "main": {"fr": "à titre principal", "nl": "in hoofdberoep", "de": "hauptberuflich"},
    "complementary": {"fr": "à titre complémentaire", "nl": "in bijberoep", "de": "nebenberuflich"},
    "student": {"fr": "étudiant-indépendant", "nl": "student-zelfstandige", "de": "selbständiger Student"},
    "helping_spouse": {"fr": "conjoint aidant (maxi-statut)", "nl": "meewerkende echtgenoot (maxistatuut)",
                       "de": "mithelfender Ehepartner (Maxi-Statut)"},
    "post_pension": {"fr": "actif après l'âge de la pension", "nl": "actief na de pensioenleeftijd",
                     "de": "nach dem Rentenalter tätig"},
    "art37": {"fr": "assimilé à titre complémentaire (art. 37)", "nl": "gelijkgesteld met bijberoep (art. 37)",
              "de": "nebenberuflich gleichgestellt (Art. 37)"},
}

TEXT = {
    "fr": {
        "title": "Attestation d'affiliation",
        "body": "La caisse d'assurances sociales « {fund} » atteste que {name}, numéro national {niss}, "
                "y est affilié(e) en qualité de travailleur indépendant depuis le {start}.",
        "category": "Catégorie de cotisant : {category} (depuis le {since}).",
        "ended": "L'affiliation a pris fin le {end}.",
        "file": "Dossier n° {file} — affiliation n° {aff}",
        "done": "Fait le {today}.",
    },
    "nl": {
        "title": "Attest van aansluiting",
        "body": "Het sociaal verzekeringsfonds „{fund}” bevestigt dat {name}, rijksregisternummer {niss}, "
                "sinds {start} als zelfstandige bij het fonds is aangesloten.",
        "category": "Bijdragecategorie: {category} (sinds {since}).",
        "ended": "De aansluiting eindigde op {end}.",
        "file": "Dossier nr. {file} — aansluiting nr. {aff}",
        "done": "Opgemaakt op {today}.",
    },
    "de": {
        "title": "Anschlussbescheinigung",
        "body": "Die Sozialversicherungskasse „{fund}“ bescheinigt, dass {name}, Nationalregisternummer {niss}, "
                "seit dem {start} als Selbständige(r) angeschlossen ist.",
        "category": "Beitragskategorie: {category} (seit dem {since}).",
        "ended": "Der Anschluss endete am {end}.",
        "file": "Akte Nr. {file} — Anschluss Nr. {aff}",
        "done": "Ausgestellt am {today}.",
    },
}


@dataclass
class CertificateData:
    fund_name: str
    language: str
    file_number: int
    affiliation_id: int
    name: str
    niss_formatted: str
    address_lines: list[str]
    start: dt.date
    end: dt.date | None
    category: str
    category_since: dt.date
    today: dt.date



def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def affiliation_certificate_pdf(d: CertificateData) -> bytes:
    lang = d.language if d.language in TEXT else "fr"
    t, locale = TEXT[lang], LOCALES[lang]

    def date(x: dt.date) -> str:
        return format_date(x, "long", locale=locale)

    regular, bold = fonts_for(d)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True)
    pdf.setTitle(f"{t['title']} — {d.name}")
    width, height = A4
    y = height - 25 * mm
    pdf.setFont(bold, 12)
    pdf.drawString(20 * mm, y, d.fund_name)
    y -= 20 * mm
    pdf.setFont(regular, 11)
    for line in [d.name, *d.address_lines]:
        pdf.drawString(110 * mm, y, line)
        y -= 5.5 * mm
    y -= 15 * mm
    pdf.setFont(bold, 16)
    pdf.drawString(20 * mm, y, t["title"])
    y -= 12 * mm
    paragraphs = [
        t["body"].format(fund=d.fund_name, name=d.name, niss=d.niss_formatted, start=date(d.start)),
        t["category"].format(category=CATEGORY_LABELS[d.category][lang], since=date(d.category_since)),
    ]
    if d.end:
        paragraphs.append(t["ended"].format(end=date(d.end)))
    paragraphs.append(t["file"].format(file=d.file_number, aff=d.affiliation_id))
    pdf.setFont(regular, 11)
    for paragraph in paragraphs:
        for line in _wrap(paragraph, regular, 11, width - 40 * mm):
            pdf.drawString(20 * mm, y, line)
            y -= 6 * mm
        y -= 4 * mm
    y -= 8 * mm
    pdf.drawString(20 * mm, y, t["done"].format(today=date(d.today)))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
