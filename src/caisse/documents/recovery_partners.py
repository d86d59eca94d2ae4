"""Documents for the fund's partners in recovery, in the partner's language (fr / nl / de): the cover letter of a
hand-over file to a bailiff or a lawyer, and the declaration of claim (déclaration de créance / aangifte van
schuldvordering / Forderungsanmeldung) sent to a bankruptcy trustee. Plain A4 pages drawn with reportlab
(``invariant=True``: the same content gives the same bytes, so a checksum recorded at hand-over can be checked).
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from caisse.documents.fonts import fonts_for
from caisse.documents.notices import _fund, _wrap, fmt_money
from caisse.rules.explain import fmt_date

TEXTS = {
    "fr": {
        "handover_bailiff": "Transmission de contraintes pour signification puis exécution — {key}",
        "handover_lawyer": "Transmission de dossiers pour procédure judiciaire — {key}",
        "intro_handover_bailiff": "Maître, nous vous transmettons {n} dossier(s) de cotisations sociales impayées "
        "pour lesquels une contrainte a été décernée (art. 20 §7 AR n° 38 ; art. 47bis AR 19-12-1967), à signifier "
        "au débiteur. Le débiteur peut y former opposition dans le mois de la signification (art. 47bis §5) : "
        "l'exécution ne peut suivre qu'après ce mois, sans opposition. Le fichier {csv} joint donne, par débiteur "
        "et par période, les montants dus à la date du {date}, la communication structurée et la référence de la "
        "contrainte.",
        "intro_handover_lawyer": "Maître, nous vous transmettons {n} dossier(s) de cotisations sociales impayées à "
        "porter devant le tribunal du travail. Le fichier {csv} joint donne, par débiteur et par période, les "
        "montants dus à la date du {date} et la communication structurée.",
        "report": "Merci de nous communiquer la date de signification de la contrainte (ou de la citation), les "
        "paiements perçus, vos frais et l'issue (payé, insolvable, introuvable, plan, retour) dans le fichier de "
        "statut convenu, avec notre référence. Les paiements sont imputés par la caisse.",
        "col_file": "Dossier", "col_name": "Débiteur", "col_ref": "Notre référence", "col_order": "Contrainte",
        "col_amount": "Montant dû", "total": "Total", "to": "Destinataire", "date": "Date : {date}",
        "claim": "Déclaration de créance — faillite de {name}",
        "intro_claim": "Madame, Monsieur le curateur, la caisse d'assurances sociales {fund} déclare sa créance "
        "à charge de {name} ({id}), déclaré(e) en faillite par {court} le {date}{ref}. Montants dus à la date du "
        "jugement déclaratif, par période et par nature :",
        "col_period": "Période", "col_kind": "Nature", "col_due": "Échéance",
        "not_yet_due": "non échu à cette date",
        "privilege": "Privilège : les notes juridiques dont dispose la caisse ne précisent pas quelle part de ces "
        "montants est privilégiée ni à quel rang. Les montants sont donc ventilés par nature (cotisations, frais "
        "de gestion, majorations, frais) ; la caisse se réserve tous les privilèges que la loi lui accorde.",
        "by_kind": "Total par nature", "claim_total": "Total de la créance déclarée",
        "pay": "Dividende à verser sur le compte {iban} de {fund}, communication : dossier {file}.",
        "contribution": "Cotisations", "management_fee": "Frais de gestion",
        "company_contribution": "Cotisation des sociétés", "surcharge": "Majorations", "costs": "Frais",
    },
    "nl": {
        "handover_bailiff": "Overdracht van dwangbevelen voor betekening en daarna tenuitvoerlegging — {key}",
        "handover_lawyer": "Overdracht van dossiers voor gerechtelijke procedure — {key}",
        "intro_handover_bailiff": "Geachte gerechtsdeurwaarder, wij dragen u {n} dossier(s) van onbetaalde sociale "
        "bijdragen over waarvoor een dwangbevel werd uitgevaardigd (art. 20 §7 KB nr. 38; art. 47bis KB "
        "19-12-1967), te betekenen aan de schuldenaar. De schuldenaar kan verzet aantekenen binnen de maand na de "
        "betekening (art. 47bis §5): de tenuitvoerlegging kan pas volgen na die maand, zonder verzet. Het "
        "bijgevoegde bestand {csv} geeft per schuldenaar en per periode de bedragen verschuldigd op {date}, de "
        "gestructureerde mededeling en de referentie van het dwangbevel.",
        "intro_handover_lawyer": "Geachte meester, wij dragen u {n} dossier(s) van onbetaalde sociale bijdragen "
        "over om voor de arbeidsrechtbank te brengen. Het bijgevoegde bestand {csv} geeft per schuldenaar en per "
        "periode de bedragen verschuldigd op {date} en de gestructureerde mededeling.",
        "report": "Gelieve ons de datum van betekening van het dwangbevel (of van de dagvaarding), de ontvangen "
        "betalingen, uw kosten en de afloop (betaald, onvermogend, onvindbaar, plan, teruggestuurd) mee te delen in "
        "het afgesproken statusbestand, met onze referentie. De betalingen worden door het fonds aangerekend.",
        "col_file": "Dossier", "col_name": "Schuldenaar", "col_ref": "Onze referentie", "col_order": "Dwangbevel",
        "col_amount": "Verschuldigd", "total": "Totaal", "to": "Bestemmeling", "date": "Datum: {date}",
        "claim": "Aangifte van schuldvordering — faillissement van {name}",
        "intro_claim": "Geachte curator, het sociaal verzekeringsfonds {fund} geeft zijn schuldvordering aan ten "
        "laste van {name} ({id}), failliet verklaard door {court} op {date}{ref}. Bedragen verschuldigd op de "
        "datum van het vonnis van faillietverklaring, per periode en per aard:",
        "col_period": "Periode", "col_kind": "Aard", "col_due": "Vervaldag",
        "not_yet_due": "op die datum nog niet vervallen",
        "privilege": "Voorrecht: de juridische nota's waarover het fonds beschikt, zeggen niet welk deel van deze "
        "bedragen bevoorrecht is, noch in welke rang. De bedragen worden daarom per aard opgesplitst (bijdragen, "
        "beheerskosten, verhogingen, kosten); het fonds behoudt zich alle voorrechten voor die de wet het toekent.",
        "by_kind": "Totaal per aard", "claim_total": "Totaal van de aangegeven schuldvordering",
        "pay": "Dividend te storten op rekening {iban} van {fund}, mededeling: dossier {file}.",
        "contribution": "Bijdragen", "management_fee": "Beheerskosten",
        "company_contribution": "Vennootschapsbijdrage", "surcharge": "Verhogingen", "costs": "Kosten",
    },
    "de": {
        "handover_bailiff": "Übergabe von Zwangsbefehlen zur Zustellung und danach Vollstreckung — {key}",
        "handover_lawyer": "Übergabe von Akten für ein Gerichtsverfahren — {key}",
        "intro_handover_bailiff": "Sehr geehrte(r) Gerichtsvollzieher(in), wir übergeben Ihnen {n} Akte(n) "
        "unbezahlter Sozialbeiträge, für die ein Zwangsbefehl erlassen wurde (Art. 20 §7 KE Nr. 38; Art. 47bis KE "
        "19-12-1967), dem Schuldner zuzustellen. Der Schuldner kann innerhalb eines Monats nach der Zustellung "
        "Einspruch erheben (Art. 47bis §5): die Vollstreckung darf erst nach diesem Monat ohne Einspruch folgen. "
        "Die beigefügte Datei {csv} enthält je Schuldner und Zeitraum die am {date} geschuldeten Beträge, die "
        "strukturierte Mitteilung und die Referenz des Zwangsbefehls.",
        "intro_handover_lawyer": "Sehr geehrte(r) Rechtsanwalt/Rechtsanwältin, wir übergeben Ihnen {n} Akte(n) "
        "unbezahlter Sozialbeiträge zur Klage vor dem Arbeitsgericht. Die beigefügte Datei {csv} enthält je "
        "Schuldner und Zeitraum die am {date} geschuldeten Beträge und die strukturierte Mitteilung.",
        "report": "Bitte teilen Sie uns das Datum der Zustellung des Zwangsbefehls (oder der Ladung), die "
        "erhaltenen Zahlungen, Ihre Kosten und das Ergebnis (bezahlt, zahlungsunfähig, unauffindbar, Plan, "
        "zurückgegeben) in der vereinbarten Statusdatei mit unserer Referenz mit. Die Zahlungen verrechnet die Kasse.",
        "col_file": "Akte", "col_name": "Schuldner", "col_ref": "Unsere Referenz", "col_order": "Zwangsbefehl",
        "col_amount": "Geschuldet", "total": "Gesamt", "to": "Empfänger", "date": "Datum: {date}",
        "claim": "Forderungsanmeldung — Konkurs von {name}",
        "intro_claim": "Sehr geehrte(r) Konkursverwalter(in), die Sozialversicherungskasse {fund} meldet ihre "
        "Forderung gegen {name} ({id}) an, für konkursig erklärt durch {court} am {date}{ref}. Am Tag des "
        "Konkursurteils geschuldete Beträge, je Zeitraum und Art:",
        "col_period": "Zeitraum", "col_kind": "Art", "col_due": "Fälligkeit",
        "not_yet_due": "an diesem Tag noch nicht fällig",
        "privilege": "Vorrecht: die juristischen Unterlagen der Kasse sagen nicht, welcher Teil dieser Beträge "
        "bevorrechtigt ist und in welchem Rang. Die Beträge sind daher nach Art aufgeschlüsselt (Beiträge, "
        "Verwaltungskosten, Zuschläge, Kosten); die Kasse behält sich alle gesetzlichen Vorrechte vor.",
        "by_kind": "Summe je Art", "claim_total": "Summe der angemeldeten Forderung",
        "pay": "Dividende auf das Konto {iban} von {fund} zu überweisen, Mitteilung: Akte {file}.",
        "contribution": "Beiträge", "management_fee": "Verwaltungskosten",
        "company_contribution": "Beitrag der Gesellschaften", "surcharge": "Zuschläge", "costs": "Kosten",
    },
}


class _Page:
    """A plain A4 letter: the fund's header, the addressee, a title, paragraphs and a table, on as many pages as
    it takes."""

    def __init__(self, lang: str, to: list[str], issued: dt.date, texts: list[str]):
        self.lang = lang if lang in TEXTS else "fr"
        self.t = TEXTS[self.lang]
        self.regular, self.bold = fonts_for(to, texts)
        self.buf = io.BytesIO()
        self.pdf = canvas.Canvas(self.buf, pagesize=A4, invariant=True, pageCompression=0)
        self.width, self.height = A4
        self.left, self.right = 18 * mm, self.width - 18 * mm
        fund_name, _, _ = _fund()
        y = self.height - 18 * mm
        self.pdf.setFont(self.bold, 11)
        self.pdf.drawString(self.left, y, fund_name)
        self.pdf.setFont(self.regular, 8.5)
        self.pdf.drawString(self.left, y - 4.5 * mm, self.t["date"].format(date=fmt_date(issued, self.lang)))
        ay = y - 4 * mm
        self.pdf.setFont(self.regular, 10)
        for line in to:
            self.pdf.drawString(110 * mm, ay, line[:60])
            ay -= 4.8 * mm
        self.y = min(ay, y - 14 * mm) - 8 * mm

    def _room(self, need: float) -> None:
        if self.y - need < 18 * mm:
            self.pdf.showPage()
            self.y = self.height - 20 * mm

    def title(self, text: str) -> None:
        self.pdf.setFont(self.bold, 12.5)
        for line in _wrap(text, self.bold, 12.5, self.right - self.left):
            self.pdf.drawString(self.left, self.y, line)
            self.y -= 6 * mm
        self.y -= 1 * mm

    def para(self, text: str, size: float = 9, bold: bool = False) -> None:
        font = self.bold if bold else self.regular
        self.pdf.setFont(font, size)
        for line in _wrap(text, font, size, self.right - self.left):
            self._room(5 * mm)
            self.pdf.setFont(font, size)
            self.pdf.drawString(self.left, self.y, line)
            self.y -= size * 0.47 * mm
        self.y -= 2.5 * mm

    def table(self, heads: list[str], xs: list[float], rows: list[list[str]], right_cols: set[int]) -> None:
        def row(values, font):
            self._room(5 * mm)
            self.pdf.setFont(font, 8.3)
            for k, (x, v) in enumerate(zip(xs, values, strict=True)):
                if k in right_cols:
                    self.pdf.drawRightString(x, self.y, v)
                else:
                    self.pdf.drawString(x, self.y, v[:48])
            self.y -= 4.2 * mm

        row(heads, self.bold)
        self.pdf.line(self.left, self.y + 2.6 * mm, self.right, self.y + 2.6 * mm)
        for values in rows:
            row(values, self.regular)
        self.pdf.line(self.left, self.y + 2.6 * mm, self.right, self.y + 2.6 * mm)
        self.y -= 1.5 * mm

    def done(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buf.getvalue()


def cover_letter(partner, key: str, as_of: dt.date, lines: list[tuple[int, str, str, str | None, int]],
                 total: int) -> bytes:
    """The letter that goes with a hand-over CSV: ``lines`` are (file, debtor, our reference, contrainte, owed)."""
    lang = partner.language
    t = TEXTS[lang if lang in TEXTS else "fr"]
    to = [partner.name, *[p.strip() for p in partner.address.replace(";", "\n").splitlines() if p.strip()],
          partner.email]
    page = _Page(lang, to, as_of, [ln[1] for ln in lines])
    csv_name = key.replace("/", "-") + ".csv"
    page.title(t[f"handover_{partner.kind}"].format(key=key))
    page.para(t[f"intro_handover_{partner.kind}"].format(n=len(lines), csv=csv_name, date=fmt_date(as_of, lang)))
    left = page.left
    page.table([t["col_file"], t["col_name"], t["col_ref"], t["col_order"], t["col_amount"]],
               [left, left + 18 * mm, left + 75 * mm, left + 112 * mm, page.right],
               [[str(f), name, ref, order or "—", fmt_money(owed, lang)] for f, name, ref, order, owed in lines],
               {4})
    page.para(f"{t['total']}: {fmt_money(total, lang)}", 10, bold=True)
    page.para(t["report"])
    return page.done()


def claim_declaration(bankruptcy, debtor_name: str, debtor_id: str, lines: list[dict], by_kind: dict[str, int],
                      total: int, issued: dt.date) -> bytes:
    """The declaration of claim to the trustee: ``lines`` are {period, account, due_date, amount, not_yet_due}."""
    lang = bankruptcy.trustee_language
    t = TEXTS[lang if lang in TEXTS else "fr"]
    fund_name, iban, _ = _fund()
    to = [bankruptcy.trustee_name, *[p.strip() for p in bankruptcy.trustee_address.replace(";", "\n").splitlines()
                                     if p.strip()]]
    if bankruptcy.trustee_email:
        to.append(bankruptcy.trustee_email)
    page = _Page(lang, to, issued, [debtor_name, bankruptcy.court])
    page.title(t["claim"].format(name=debtor_name))
    ref = f" ({bankruptcy.court_ref})" if bankruptcy.court_ref else ""
    page.para(t["intro_claim"].format(fund=fund_name, name=debtor_name, id=debtor_id, court=bankruptcy.court,
                                      date=fmt_date(bankruptcy.declared_on, lang), ref=ref))
    left = page.left
    page.table([t["col_period"], t["col_kind"], t["col_due"], t["col_amount"]],
               [left, left + 22 * mm, left + 75 * mm, page.right],
               [[ln["period"], t.get(ln["account"], ln["account"]),
                 (fmt_date(dt.date.fromisoformat(ln["due_date"]), lang) if ln["due_date"] else "—")
                 + (f" ({t['not_yet_due']})" if ln["not_yet_due"] else ""),
                 fmt_money(ln["amount"], lang)] for ln in lines], {3})
    page.para(t["by_kind"], 9.5, bold=True)
    page.table([t["col_kind"], t["col_amount"]], [left, left + 80 * mm],
               [[t.get(k, k), fmt_money(v, lang)] for k, v in by_kind.items() if v], {1})
    page.para(f"{t['claim_total']}: {fmt_money(total, lang)}", 10.5, bold=True)
    page.para(t["privilege"])
    page.para(t["pay"].format(iban=iban, fund=fund_name, file=bankruptcy.party_id))
    return page.done()
