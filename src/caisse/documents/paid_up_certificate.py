"""The certificate of payment status (attestation de régularité de paiement des cotisations sociales / attest van
regelmatige betaling van de sociale bijdragen / Bescheinigung über die ordnungsgemäße Zahlung der Sozialbeiträge), one
A4 page in fr / nl / de.

Either the certificate that the debtor is in order (everything due before the issue day is paid), or — when
something is overdue — a document that says in its title and first sentence that it is *not* such a certificate,
with what is due and unpaid per period, the structured communication (and EPC QR code) to pay it, and the notes of
the file (a payment plan respected, a request pending at INASTI). The figures come from a
``caisse.reporting.paid_up.Standing`` (ledger balances); the rule is in docs/certificates.md.

Entry point: ``render(PaidUpData) -> bytes``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from types import SimpleNamespace

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from caisse.documents.epc_qr import epc_payload
from caisse.documents.fonts import fonts_for
from caisse.documents.notices import _iban_printed, _ogm_printed, _wrap, draw_qr, fmt_money

LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_BE"}

T = {
    "fr": {
        "title_ok": "Attestation de régularité de paiement des cotisations sociales",
        "title_due": "Situation des cotisations sociales : montants échus et impayés",
        "fund_id": "N° d'entreprise {kbo} — IBAN {iban} — BIC {bic}",
        "file": "Dossier n° {file}",
        "reference": "Référence : {ref}",
        "date": "Date d'émission : {date}",
        "person": "{name}, numéro national {niss}",
        "company": "{name}, numéro d'entreprise {kbo}",
        "ok": "La caisse d'assurances sociales « {fund} » atteste que {who}, est en règle de paiement de ses "
              "cotisations sociales : toutes les cotisations, frais de gestion, majorations et frais échus jusqu'au "
              "{until} inclus ont été payés.",
        "ok_scope": "Cette attestation est établie le {date} d'après la comptabilité de la caisse à cette date. Les "
                    "montants appelés dont l'échéance n'est pas encore passée n'en font pas partie.",
        "due": "Ce document n'est pas une attestation de régularité de paiement. La caisse d'assurances sociales "
               "« {fund} » constate que {who}, n'est pas en règle : les montants suivants, échus jusqu'au {until} "
               "inclus, restaient impayés le {date}.",
        "period": "Période", "principal": "Cotisations et frais de gestion", "surcharges": "Majorations",
        "costs": "Frais", "total": "Total", "since": "échu le",
        "total_due": "Total échu et impayé",
        "pay": "Pour régler ces montants : virement de {amount} sur le compte {iban} (BIC {bic}) de « {fund} », avec "
               "la communication structurée {ogm}. Une attestation de régularité peut être demandée dès que le "
               "paiement est enregistré.",
        "plan": "Un plan d'apurement accordé le {since} est respecté à cette date ({left} échéance(s) restante(s)).",
        "partner_plan": "Un plan de paiement convenu avec l'huissier de justice ou l'avocat de la caisse est "
                        "respecté à cette date ({left} échéance(s) restante(s)).",
        "dispensation": "Une demande de dispense de cotisations ({periods}) introduite le {date} attend la décision "
                        "de l'INASTI.",
        "surcharge_waiver": "Une demande de renonciation aux majorations ({periods}) introduite le {date} attend la "
                            "décision de l'INASTI.",
        "verify": "Authenticité : sur demande, la caisse confirme qu'elle a délivré ce document et ce qu'il indique, "
                  "d'après sa référence {ref} ({phone}, {email}).",
    },
    "nl": {
        "title_ok": "Attest van regelmatige betaling van de sociale bijdragen",
        "title_due": "Toestand van de sociale bijdragen: vervallen en onbetaalde bedragen",
        "fund_id": "Ondernemingsnr. {kbo} — IBAN {iban} — BIC {bic}",
        "file": "Dossier nr. {file}",
        "reference": "Referentie: {ref}",
        "date": "Datum van uitgifte: {date}",
        "person": "{name}, rijksregisternummer {niss}",
        "company": "{name}, ondernemingsnummer {kbo}",
        "ok": "Het sociaal verzekeringsfonds „{fund}” bevestigt dat {who}, in orde is met de betaling van de "
              "sociale bijdragen: alle bijdragen, beheerskosten, verhogingen en kosten die vervallen zijn tot en met "
              "{until} zijn betaald.",
        "ok_scope": "Dit attest is opgemaakt op {date} volgens de boekhouding van het fonds op die datum. Opgevraagde "
                    "bedragen waarvan de vervaldag nog niet verstreken is, vallen er niet onder.",
        "due": "Dit document is geen attest van regelmatige betaling. Het sociaal verzekeringsfonds „{fund}” stelt "
               "vast dat {who}, niet in orde is: de volgende bedragen, vervallen tot en met {until}, waren op {date} "
               "onbetaald.",
        "period": "Periode", "principal": "Bijdragen en beheerskosten", "surcharges": "Verhogingen",
        "costs": "Kosten", "total": "Totaal", "since": "vervallen op",
        "total_due": "Totaal vervallen en onbetaald",
        "pay": "Om deze bedragen te betalen: overschrijving van {amount} op rekening {iban} (BIC {bic}) van "
               "„{fund}”, met de gestructureerde mededeling {ogm}. Een attest van regelmatige betaling kan worden "
               "aangevraagd zodra de betaling geboekt is.",
        "plan": "Een afbetalingsplan toegekend op {since} wordt op deze datum nageleefd ({left} resterende "
                "afbetaling(en)).",
        "partner_plan": "Een afbetalingsplan afgesproken met de gerechtsdeurwaarder of de advocaat van het fonds "
                        "wordt op deze datum nageleefd ({left} resterende afbetaling(en)).",
        "dispensation": "Een aanvraag tot vrijstelling van bijdragen ({periods}), ingediend op {date}, wacht op de "
                        "beslissing van het RSVZ.",
        "surcharge_waiver": "Een aanvraag tot kwijtschelding van verhogingen ({periods}), ingediend op {date}, wacht "
                            "op de beslissing van het RSVZ.",
        "verify": "Echtheid: op verzoek bevestigt het fonds dat het dit document heeft uitgereikt en wat erin staat, "
                  "aan de hand van de referentie {ref} ({phone}, {email}).",
    },
    "de": {
        "title_ok": "Bescheinigung über die ordnungsgemäße Zahlung der Sozialbeiträge",
        "title_due": "Stand der Sozialbeiträge: fällige und unbezahlte Beträge",
        "fund_id": "Unternehmensnr. {kbo} — IBAN {iban} — BIC {bic}",
        "file": "Akte Nr. {file}",
        "reference": "Referenz: {ref}",
        "date": "Ausstellungsdatum: {date}",
        "person": "{name}, Nationalregisternummer {niss}",
        "company": "{name}, Unternehmensnummer {kbo}",
        "ok": "Die Sozialversicherungskasse „{fund}“ bescheinigt, dass {who}, die Sozialbeiträge ordnungsgemäß "
              "gezahlt hat: alle bis einschließlich {until} fälligen Beiträge, Verwaltungskosten, Beitragszuschläge "
              "und Kosten sind bezahlt.",
        "ok_scope": "Diese Bescheinigung wurde am {date} nach der Buchhaltung der Kasse an diesem Tag ausgestellt. "
                    "Angeforderte Beträge, deren Fälligkeitstag noch nicht verstrichen ist, sind nicht betroffen.",
        "due": "Dieses Dokument ist keine Bescheinigung über die ordnungsgemäße Zahlung. Die "
               "Sozialversicherungskasse „{fund}“ stellt fest, dass {who}, nicht in Ordnung ist: die folgenden, bis "
               "einschließlich {until} fälligen Beträge waren am {date} unbezahlt.",
        "period": "Zeitraum", "principal": "Beiträge und Verwaltungskosten", "surcharges": "Beitragszuschläge",
        "costs": "Kosten", "total": "Insgesamt", "since": "fällig am",
        "total_due": "Insgesamt fällig und unbezahlt",
        "pay": "Zur Zahlung dieser Beträge: Überweisung von {amount} auf das Konto {iban} (BIC {bic}) von „{fund}“ "
               "mit der strukturierten Mitteilung {ogm}. Eine Bescheinigung über die ordnungsgemäße Zahlung kann "
               "beantragt werden, sobald die Zahlung verbucht ist.",
        "plan": "Ein am {since} gewährter Zahlungsplan wird an diesem Tag eingehalten ({left} verbleibende "
                "Rate(n)).",
        "partner_plan": "Ein mit dem Gerichtsvollzieher oder dem Anwalt der Kasse vereinbarter Zahlungsplan wird an "
                        "diesem Tag eingehalten ({left} verbleibende Rate(n)).",
        "dispensation": "Ein am {date} eingereichter Antrag auf Beitragsbefreiung ({periods}) wartet auf die "
                        "Entscheidung des LISVS.",
        "surcharge_waiver": "Ein am {date} eingereichter Antrag auf Erlass der Zuschläge ({periods}) wartet auf die "
                            "Entscheidung des LISVS.",
        "verify": "Echtheit: auf Anfrage bestätigt die Kasse anhand der Referenz {ref}, dass sie dieses Dokument "
                  "ausgestellt hat und was es besagt ({phone}, {email}).",
    },
}


@dataclass
class PaidUpData:
    fund_name: str
    fund_kbo: str  # formatted
    fund_iban: str
    fund_bic: str
    fund_phone: str
    fund_email: str
    language: str
    reference: str
    issued_on: dt.date
    due_until: dt.date
    file_number: int
    name: str
    niss_masked: str | None  # a person (masked: the birth part and the last two digits)
    kbo: str | None  # a company, formatted
    address_lines: list[str]
    # per period what is overdue (``reporting.paid_up.Overdue``: period, principal, surcharges, costs, due_date, total)
    lines: list = field(default_factory=list)
    total_cents: int = 0
    communication: str | None = None  # 12 digits, when something is due
    notes: list[dict] = field(default_factory=list)

    @property
    def in_order(self) -> bool:
        return not self.lines


def texts(d: PaidUpData) -> tuple[str, list[str]]:
    """The title and the sentences of the statement, in the document's language (the page shows them too)."""
    lang = d.language if d.language in T else "fr"
    t, locale = T[lang], LOCALES[lang]

    def date(x: dt.date) -> str:
        return format_date(x, "long", locale=locale)

    who = t["person"].format(name=d.name, niss=d.niss_masked) if d.niss_masked else \
        t["company"].format(name=d.name, kbo=d.kbo) if d.kbo else d.name
    if d.in_order:
        return t["title_ok"], [t["ok"].format(fund=d.fund_name, who=who, until=date(d.due_until)),
                               t["ok_scope"].format(date=date(d.issued_on))]
    return t["title_due"], [t["due"].format(fund=d.fund_name, who=who, until=date(d.due_until),
                                            date=date(d.issued_on))]


def _note(t: dict, note: dict, date) -> str:
    kind = note["kind"]
    if kind == "plan":
        return t["plan"].format(since=date(dt.date.fromisoformat(note["since"])), left=note["left"])
    if kind == "partner_plan":
        return t["partner_plan"].format(left=note["left"])
    return t[kind].format(periods=", ".join(note["periods"]), date=date(dt.date.fromisoformat(note["requested_on"])))


def render(d: PaidUpData) -> bytes:
    lang = d.language if d.language in T else "fr"
    t, locale = T[lang], LOCALES[lang]

    def date(x: dt.date) -> str:
        return format_date(x, "long", locale=locale)

    def money(cents: int) -> str:
        return fmt_money(cents, lang)

    regular, bold = fonts_for(d)
    title, sentences = texts(d)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True)
    pdf.setTitle(f"{title} — {d.name} — {d.reference}")
    y = height - 20 * mm
    pdf.setFont(bold, 12)
    pdf.drawString(left, y, d.fund_name)
    pdf.setFont(regular, 8.5)
    pdf.drawString(left, y - 4.5 * mm, t["fund_id"].format(kbo=d.fund_kbo, iban=_iban_printed(d.fund_iban),
                                                           bic=d.fund_bic))
    pdf.drawString(left, y - 9 * mm, f"{d.fund_phone} — {d.fund_email}")
    pdf.drawString(left, y - 16 * mm, t["file"].format(file=d.file_number))
    pdf.drawString(left, y - 20.5 * mm, t["date"].format(date=date(d.issued_on)))
    pdf.setFont(bold, 8.5)
    pdf.drawString(left, y - 25 * mm, t["reference"].format(ref=d.reference))
    ay = y - 16 * mm
    pdf.setFont(regular, 10)
    for line in [d.name, *d.address_lines]:
        pdf.drawString(110 * mm, ay, line)
        ay -= 5 * mm
    y -= 44 * mm
    pdf.setFont(bold, 14)
    for line in _wrap(title, bold, 14, right - left):
        pdf.drawString(left, y, line)
        y -= 7 * mm
    y -= 3 * mm
    pdf.setFont(regular, 10.5)
    for sentence in sentences:
        for line in _wrap(sentence, regular, 10.5, right - left):
            pdf.drawString(left, y, line)
            y -= 5.2 * mm
        y -= 3 * mm
    if not d.in_order:
        y = _table(pdf, d, t, date, money, regular, bold, left, right, y - 4 * mm)
        y = _payment(pdf, d, t, money, regular, bold, left, right, y)
        pdf.setFont(regular, 9.5)
        for note in d.notes:
            for line in _wrap(_note(t, note, date), regular, 9.5, right - left):
                pdf.drawString(left, y, line)
                y -= 4.6 * mm
            y -= 1.5 * mm
    pdf.setFont(regular, 8)
    for k, line in enumerate(_wrap(t["verify"].format(ref=d.reference, phone=d.fund_phone, email=d.fund_email),
                                   regular, 8, right - left)):
        pdf.drawString(left, 18 * mm - k * 3.6 * mm, line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


MAX_ROWS = 20  # one page: older periods beyond this are summed in one line


def _table(pdf, d: PaidUpData, t: dict, date, money, regular, bold, left, right, y) -> float:
    rows = list(d.lines)
    if len(rows) > MAX_ROWS:
        older, rows = rows[:len(rows) - MAX_ROWS + 1], rows[len(rows) - MAX_ROWS + 1:]
        principal, surcharges, costs = (sum(getattr(r, k) for r in older) for k in ("principal", "surcharges", "costs"))
        rows.insert(0, SimpleNamespace(period=f"<= {older[-1].period}", principal=principal, surcharges=surcharges,
                                       costs=costs, total=principal + surcharges + costs,
                                       due_date=min((r.due_date for r in older if r.due_date), default=None)))
    keys = ["principal", "surcharges", *(["costs"] if any(r.costs for r in rows) else []), "total"]
    heads = [(key, right - (len(keys) - 1 - k) * 31 * mm) for k, key in enumerate(keys)]
    pdf.setFont(bold, 8.5)
    pdf.drawString(left, y, t["period"])
    for key, x in heads:
        words = _wrap(t[key], bold, 8.5, 29 * mm)[:2]
        for k, w in enumerate(words):
            pdf.drawRightString(x, y + (len(words) - 1 - k) * 3.6 * mm, w)
    y -= 1.8 * mm
    pdf.line(left, y, right, y)
    y -= 4.5 * mm
    pdf.setFont(regular, 9)
    for r in rows:
        label = r.period if r.due_date is None else f"{r.period} ({t['since']} {date(r.due_date)})"
        pdf.drawString(left, y, label)
        values = {"principal": r.principal, "surcharges": r.surcharges, "costs": r.costs, "total": r.total}
        for key, x in heads:
            pdf.drawRightString(x, y, money(values[key]))
        y -= 4.6 * mm
    pdf.line(left, y + 2.8 * mm, right, y + 2.8 * mm)
    y -= 1.5 * mm
    pdf.setFont(bold, 10)
    pdf.drawString(left, y, t["total_due"])
    pdf.drawRightString(heads[-1][1], y, money(d.total_cents))
    return y - 9 * mm


def _payment(pdf, d: PaidUpData, t: dict, money, regular, bold, left, right, y) -> float:
    qr = 30 * mm
    top = y
    payload = epc_payload(name=d.fund_name[:70], iban=d.fund_iban, bic=d.fund_bic, amount_cents=d.total_cents,
                          ogm=d.communication)
    draw_qr(pdf, payload, right - qr, top - qr, qr)
    pdf.setFont(bold, 10.5)
    pdf.drawString(left, y, _ogm_printed(d.communication))
    y -= 5.5 * mm
    pdf.setFont(regular, 9.5)
    text = t["pay"].format(amount=money(d.total_cents), iban=_iban_printed(d.fund_iban), bic=d.fund_bic,
                           fund=d.fund_name, ogm=_ogm_printed(d.communication))
    for line in _wrap(text, regular, 9.5, right - left - qr - 6 * mm):
        pdf.drawString(left, y, line)
        y -= 4.6 * mm
    return min(y, top - qr) - 5 * mm


__all__ = ["T", "PaidUpData", "render", "texts"]
