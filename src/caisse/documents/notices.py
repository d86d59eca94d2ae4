"""The documents a debtor receives about money: due notice (quarterly call, company call), regularisation notice
and account statement — one A4 page in the debtor's language (fr / nl / de), rendered with reportlab.

Each document shows the fund's identity, the debtor, the period, every amount with a one-line explanation and
its legal source, the full calculation (the rules engine's explanation, recomputed from the inputs stored on the
ledger entry: any accountant can rerun it), the due date, the fund's IBAN and the structured communication, and
an EPC QR code a banking app scans. It also says, in plain words, what the document is and what happens when the
amount is paid late — for a person who has never seen one.

Entry points: ``notice_pdf(session, notice_id)`` (the portal), ``statement_pdf(session, party_id, today)``,
``render_batch(url, batch_key, directory)`` (bulk), and ``render(doc)`` for a ``Document`` built by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caisse.documents.epc_qr import epc_payload
from caisse.documents.fonts import fonts_for
from caisse.documents.pagewriter import StandardPage
from caisse.errors import NotFound
from caisse.rules.contributions import FIRST_QUARTER_STEP
from caisse.rules.explain import fmt_date
from caisse.rules.explain import fmt_money as _fmt_money

LANGS = ("fr", "nl", "de")

T = {
    "fr": {
        "quarterly_call": "Avis d'échéance — cotisations sociales du trimestre {period}",
        "company_call": "Avis d'échéance — cotisation annuelle des sociétés {period}",
        "regularisation": "Avis de régularisation — cotisations sociales {period}",
        "statement": "Relevé de compte",
        "intro_quarterly_call": "Comme travailleur indépendant, vous payez chaque trimestre des cotisations sociales. "
        "Elles financent votre pension, vos soins de santé, vos indemnités en cas de maladie ou de maternité et les "
        "allocations familiales. Voici ce que vous devez pour le trimestre {period} et comment nous l'avons calculé.",
        "intro_company_call": "Chaque société paie une cotisation annuelle au statut social des indépendants. "
        "Voici le montant de l'année {period} et comment il est déterminé.",
        "intro_regularisation": "Vos cotisations de {period} ont d'abord été calculées provisoirement. "
        "L'administration fiscale nous a communiqué votre revenu définitif de {period} : nous recalculons les "
        "cotisations de chaque trimestre et comparons avec ce qui vous a été demandé.",
        "intro_statement": "Voici l'état de votre compte auprès de la caisse : ce qui vous a été demandé, ce que vous "
        "avez payé et ce qui reste dû, période par période.",
        "file": "Dossier n° {file}", "date": "Date : {date}", "to": "Destinataire",
        "col_what": "Montant", "col_amount": "EUR", "col_why": "Pourquoi", "col_law": "Base légale",
        "total": "Total à payer", "refund": "En votre faveur",
        "how": "Comment ce montant est-il calculé ?",
        "pay": "Payez {amount} au plus tard le {due} sur le compte {iban} (BIC {bic}) de {fund}, avec la "
               "communication structurée {ogm}. Le montant doit être crédité sur notre compte à cette date.",
        "scan": "Scannez ce code avec votre application bancaire : montant, compte et communication sont remplis.",
        "late": "Paiement tardif : une majoration de 3 % de la cotisation impayée est due à la fin de chaque "
                "trimestre, et une majoration unique de 7 % au 1er janvier (art. 44 AR 19-12-1967).",
        "late_company": "Paiement tardif : majoration de 1 % de la cotisation par mois de retard.",
        "refund_text": "Ce montant est d'abord imputé sur vos éventuelles dettes auprès de la caisse ; le solde vous "
                       "est remboursé sur votre compte bancaire.",
        "nothing": "Vous n'avez rien à payer.",
        "contact_named": "Votre gestionnaire de dossier : {who}", "contact": "Votre contact : {who}",
        "help": "Une question ? Contactez votre caisse en mentionnant votre numéro de dossier. Vous pouvez demander "
                "à revoir vos cotisations provisoires (réduction ou augmentation) en justifiant votre revenu estimé.",
        "contribution": "Cotisation provisoire", "management_fee": "Frais de gestion",
        "company_contribution": "Cotisation des sociétés", "surcharge": "Majoration",
        "regularisation_line": "Régularisation {period}", "costs": "Frais",
        "reduction_surcharge": "Majoration pour réduction injustifiée {year}",
        "reduction_surcharge_why": "cotisations provisoires réduites à votre demande ; la cotisation définitive les "
                                   "dépasse de {base} non payés au 31/12/{year} : 3 % + 7 % unique",
        "reduction_surcharge_law": "réforme de 2022 (source secondaire : article de loi non trouvé)",
        "period": "Période", "called": "Demandé", "surcharges": "Majorations", "paid": "Payé", "balance": "Solde",
        "total_due": "Total dû", "credit": "Crédit en votre faveur : {amount}",
        "set_off": "Déjà payé : votre crédit à la caisse",
        "set_off_why": "montant que vous aviez payé en trop, imputé sur cet avis",
        "set_off_law": "compensation (Code civil, livre 5)",
        "fee_law": "frais de la caisse, en % des cotisations",
        "first_quarter_reduction": "Réduction primo-starter, 1er trimestre d'activité",
        "estimate": "ATTENTION : calcul basé sur des montants ESTIMÉS, pas encore publiés.",
    },
    "nl": {
        "quarterly_call": "Vervaldagbericht — sociale bijdragen van het kwartaal {period}",
        "company_call": "Vervaldagbericht — vennootschapsbijdrage {period}",
        "regularisation": "Regularisatiebericht — sociale bijdragen {period}",
        "statement": "Rekeninguittreksel",
        "intro_quarterly_call": "Als zelfstandige betaalt u elk kwartaal sociale bijdragen. Die financieren uw "
        "pensioen, uw gezondheidszorg, uw uitkeringen bij ziekte of moederschap en de kinderbijslag. Hieronder "
        "vindt u wat u verschuldigd bent voor het kwartaal {period} en hoe wij dat berekend hebben.",
        "intro_company_call": "Elke vennootschap betaalt een jaarlijkse bijdrage aan het sociaal statuut der "
        "zelfstandigen. Hieronder vindt u het bedrag voor {period} en hoe het bepaald is.",
        "intro_regularisation": "Uw bijdragen van {period} werden eerst voorlopig berekend. De belastingadministratie "
        "heeft ons uw definitief inkomen van {period} meegedeeld: wij herberekenen de bijdragen van elk kwartaal en "
        "vergelijken ze met wat u gevraagd werd.",
        "intro_statement": "Hieronder de stand van uw rekening bij het fonds: wat u gevraagd werd, wat u betaald heeft "
        "en wat nog openstaat, periode per periode.",
        "file": "Dossier nr. {file}", "date": "Datum: {date}", "to": "Bestemmeling",
        "col_what": "Bedrag", "col_amount": "EUR", "col_why": "Waarom", "col_law": "Wettelijke basis",
        "total": "Totaal te betalen", "refund": "In uw voordeel",
        "how": "Hoe wordt dit bedrag berekend?",
        "pay": "Betaal {amount} uiterlijk op {due} op rekening {iban} (BIC {bic}) van {fund}, met de "
               "gestructureerde mededeling {ogm}. Het bedrag moet op die datum op onze rekening staan.",
        "scan": "Scan deze code met uw bankapp: bedrag, rekening en mededeling worden ingevuld.",
        "late": "Laattijdige betaling: een verhoging van 3 % van de onbetaalde bijdrage op het einde van elk "
                "kwartaal, en een eenmalige verhoging van 7 % op 1 januari (art. 44 KB 19-12-1967).",
        "late_company": "Laattijdige betaling: verhoging van 1 % van de bijdrage per maand vertraging.",
        "refund_text": "Dit bedrag wordt eerst aangerekend op uw eventuele schulden bij het fonds; het saldo wordt "
                       "teruggestort op uw bankrekening.",
        "nothing": "U hoeft niets te betalen.",
        "contact_named": "Uw dossierbeheerder: {who}", "contact": "Uw contactpunt: {who}",
        "help": "Een vraag? Contacteer uw fonds en vermeld uw dossiernummer. U kunt vragen uw voorlopige bijdragen "
                "aan te passen (verminderen of verhogen) door uw geschat inkomen te staven.",
        "contribution": "Voorlopige bijdrage", "management_fee": "Beheerskosten",
        "company_contribution": "Vennootschapsbijdrage", "surcharge": "Verhoging",
        "regularisation_line": "Regularisatie {period}", "costs": "Kosten",
        "reduction_surcharge": "Verhoging na onterechte vermindering {year}",
        "reduction_surcharge_why": "voorlopige bijdragen op uw vraag verminderd; de definitieve bijdrage overschrijdt "
                                   "ze met {base}, niet betaald op 31/12/{year}: 3 % + eenmalig 7 %",
        "reduction_surcharge_law": "hervorming van 2022 (secundaire bron: wetsartikel niet gevonden)",
        "period": "Periode", "called": "Gevraagd", "surcharges": "Verhogingen", "paid": "Betaald", "balance": "Saldo",
        "total_due": "Totaal verschuldigd", "credit": "Tegoed in uw voordeel: {amount}",
        "set_off": "Al betaald: uw tegoed bij het fonds",
        "set_off_why": "wat u te veel had betaald, verrekend met dit bericht",
        "set_off_law": "schuldvergelijking (Burgerlijk Wetboek, boek 5)",
        "fee_law": "kosten van het fonds, in % van de bijdragen",
        "first_quarter_reduction": "Vermindering primostarter, eerste kwartaal van activiteit",
        "estimate": "LET OP: berekening op GERAAMDE bedragen, nog niet gepubliceerd.",
    },
    "de": {
        "quarterly_call": "Fälligkeitsmitteilung — Sozialbeiträge des Quartals {period}",
        "company_call": "Fälligkeitsmitteilung — Jahresbeitrag der Gesellschaften {period}",
        "regularisation": "Regularisierungsmitteilung — Sozialbeiträge {period}",
        "statement": "Kontoauszug",
        "intro_quarterly_call": "Als Selbständige(r) zahlen Sie jedes Quartal Sozialbeiträge. Sie finanzieren Ihre "
        "Rente, Ihre Gesundheitsversorgung, Ihre Leistungen bei Krankheit oder Mutterschaft und das Kindergeld. "
        "Hier finden Sie, was Sie für das Quartal {period} schulden und wie wir es berechnet haben.",
        "intro_company_call": "Jede Gesellschaft zahlt einen Jahresbeitrag zum Sozialstatut der Selbständigen. "
        "Hier finden Sie den Betrag für {period} und wie er bestimmt wird.",
        "intro_regularisation": "Ihre Beiträge für {period} wurden zunächst vorläufig berechnet. Die Steuerverwaltung "
        "hat uns Ihr endgültiges Einkommen {period} mitgeteilt: wir berechnen die Beiträge jedes Quartals neu und "
        "vergleichen sie mit dem, was von Ihnen verlangt wurde.",
        "intro_statement": "Hier der Stand Ihres Kontos bei der Kasse: was von Ihnen verlangt wurde, was Sie bezahlt "
        "haben und was noch offen ist, Zeitraum für Zeitraum.",
        "file": "Akte Nr. {file}", "date": "Datum: {date}", "to": "Empfänger",
        "col_what": "Betrag", "col_amount": "EUR", "col_why": "Warum", "col_law": "Rechtsgrundlage",
        "total": "Zu zahlen insgesamt", "refund": "Zu Ihren Gunsten",
        "how": "Wie wird dieser Betrag berechnet?",
        "pay": "Zahlen Sie {amount} spätestens am {due} auf das Konto {iban} (BIC {bic}) von {fund}, mit der "
               "strukturierten Mitteilung {ogm}. Der Betrag muss an diesem Tag auf unserem Konto gutgeschrieben sein.",
        "scan": "Scannen Sie diesen Code mit Ihrer Banking-App: Betrag, Konto und Mitteilung werden ausgefüllt.",
        "late": "Verspätete Zahlung: ein Zuschlag von 3 % des unbezahlten Beitrags am Ende jedes Quartals und ein "
                "einmaliger Zuschlag von 7 % am 1. Januar (Art. 44 KE 19-12-1967).",
        "late_company": "Verspätete Zahlung: Zuschlag von 1 % des Beitrags pro Monat Verspätung.",
        "refund_text": "Dieser Betrag wird zuerst auf Ihre etwaigen Schulden bei der Kasse angerechnet; der Rest wird "
                       "Ihnen auf Ihr Bankkonto erstattet.",
        "nothing": "Sie müssen nichts zahlen.",
        "contact_named": "Ihr Sachbearbeiter: {who}", "contact": "Ihr Ansprechpartner: {who}",
        "help": "Eine Frage? Wenden Sie sich unter Angabe Ihrer Aktennummer an Ihre Kasse. Sie können eine Anpassung "
                "Ihrer vorläufigen Beiträge (Herabsetzung oder Erhöhung) mit Nachweis Ihres geschätzten Einkommens "
                "beantragen.",
        "contribution": "Vorläufiger Beitrag", "management_fee": "Verwaltungskosten",
        "company_contribution": "Beitrag der Gesellschaften", "surcharge": "Beitragszuschlag",
        "regularisation_line": "Regularisierung {period}", "costs": "Kosten",
        "reduction_surcharge": "Zuschlag nach ungerechtfertigter Herabsetzung {year}",
        "reduction_surcharge_why": "vorläufige Beiträge auf Ihren Antrag herabgesetzt; der endgültige Beitrag "
                                   "übersteigt sie um {base}, am 31.12.{year} nicht bezahlt: 3 % + einmalig 7 %",
        "reduction_surcharge_law": "Reform von 2022 (Sekundärquelle: Gesetzesartikel nicht gefunden)",
        "period": "Zeitraum", "called": "Verlangt", "surcharges": "Zuschläge", "paid": "Bezahlt", "balance": "Saldo",
        "total_due": "Insgesamt geschuldet", "credit": "Guthaben zu Ihren Gunsten: {amount}",
        "set_off": "Bereits bezahlt: Ihr Guthaben bei der Kasse",
        "set_off_why": "zu viel gezahlter Betrag, mit dieser Mitteilung verrechnet",
        "set_off_law": "Aufrechnung (Zivilgesetzbuch, Buch 5)",
        "fee_law": "Kosten der Kasse, in % der Beiträge",
        "first_quarter_reduction": "Ermäßigung Primostarter, erstes Tätigkeitsquartal",
        "estimate": "ACHTUNG: Berechnung auf GESCHÄTZTEN, noch nicht veröffentlichten Beträgen.",
    },
}


@dataclass
class Line:
    label: str
    amount_cents: int
    why: str
    law: str


@dataclass
class Document:
    kind: str  # quarterly_call | company_call | regularisation | statement (also a notice: arrears statements)
    language: str
    fund_name: str
    fund_iban: str
    fund_bic: str
    file_number: int
    debtor_name: str
    address_lines: list[str]
    period: str
    issued_on: dt.date
    lines: list[Line]
    total_cents: int
    due_date: dt.date | None
    ogm12: str
    steps: list[str] = field(default_factory=list)
    table: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # statement: period, called, ...
    credit_cents: int = 0
    uses_estimates: bool = False
    contact: str = ""  # the file's named caseworker (else its team's, else the fund's contact), in the language


_WIDTHS: dict[tuple[str, str], float] = {}


def fmt_money(cents: int, lang: str) -> str:
    """The amount as the rules write it, with the French thousands separator (a narrow no-break space, which the
    standard PDF fonts do not have: it printed as a stray symbol) as a no-break space they do have."""
    return _fmt_money(cents, lang).replace("\u202f", "\xa0")


def _width(word: str, font: str) -> float:
    """Width of ``word`` at size 1 (cached: the same words recur on every notice)."""
    w = _WIDTHS.get((word, font))
    if w is None:
        if len(_WIDTHS) > 200_000:
            _WIDTHS.clear()
        w = _WIDTHS[(word, font)] = pdfmetrics.stringWidth(word, font, 1)
    return w


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking, each word measured once (not the whole line again at every word)."""
    space = _width(" ", font) * size
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split():
        w = _width(word, font) * size
        if line and used + space + w > width:
            lines.append(" ".join(line))
            line, used = [word], w
        else:
            used += (space if line else 0) + w
            line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def _ogm_printed(ogm12: str) -> str:
    return f"+++{ogm12[:3]}/{ogm12[3:7]}/{ogm12[7:]}+++"


def _iban_printed(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


# --- the EPC QR code, drawn as one path -------------------------------------------------------------------------
# reportlab's QrCodeWidget chooses the mask with a pure-Python penalty and draws one shape per module: ~35 ms a
# notice. Same encoder (reportlab's qrencoder, error correction M as EPC069-12 requires), the standard penalty
# rules (ISO/IEC 18004 §8.8.2, N1-N4) in numpy, and one filled path: ~4 ms.
_FINDER = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], np.int8)


def _penalties(stack: np.ndarray) -> np.ndarray:
    """Penalty score of each matrix of ``stack`` (k × n × n, 0/1), rules N1-N4, all at once."""
    k, n, _ = stack.shape
    score = np.zeros(k, np.int64)
    for a in (stack, stack.transpose(0, 2, 1)):
        # N1: runs of 5 or more modules of one colour in a row: 3 + (length - 5)
        change = np.ones((k, n, n + 1), bool)
        change[:, :, 1:-1] = a[:, :, 1:] != a[:, :, :-1]
        for m in range(k):
            idx = np.flatnonzero(change[m].ravel())
            lengths = np.diff(idx)
            lengths = lengths[(idx[:-1] % (n + 1)) != n]  # a run never spans two rows
            score[m] += int((lengths[lengths >= 5] - 2).sum())
        # N3: the finder-like pattern 1:1:3:1:1 with four light modules on one side
        windows = np.lib.stride_tricks.sliding_window_view(a, 11, axis=2)
        score += 40 * ((windows == _FINDER).all(axis=3).sum(axis=(1, 2))
                       + (windows == _FINDER[::-1]).all(axis=3).sum(axis=(1, 2)))
    s = stack
    block = (s[:, :-1, :-1] == s[:, 1:, :-1]) & (s[:, :-1, :-1] == s[:, :-1, 1:]) & (s[:, :-1, :-1] == s[:, 1:, 1:])
    score += 3 * block.sum(axis=(1, 2))  # N2: 2×2 blocks of one colour
    dark = s.mean(axis=(1, 2)) * 100
    score += 10 * (np.abs(dark - 50) // 5).astype(np.int64)  # N4: balance of dark modules
    return score


def _mask_patterns(n: int) -> np.ndarray:
    i, j = np.indices((n, n))
    return np.array([(i + j) % 2 == 0, i % 2 == 0, j % 3 == 0, (i + j) % 3 == 0, (i // 2 + j // 3) % 2 == 0,
                     (i * j) % 2 + (i * j) % 3 == 0, ((i * j) % 2 + (i * j) % 3) % 2 == 0,
                     ((i * j) % 3 + (i + j) % 2) % 2 == 0])


def _cache_rs_generator() -> None:
    """The Reed-Solomon generator polynomial depends only on the number of error-correction codewords (the same
    for every notice); reportlab rebuilds it for every code. Memoise it (a pure function, never mutated)."""
    from reportlab.graphics.barcode import qrencoder

    fn = qrencoder.QRUtil.getErrorCorrectPolynomial
    if not hasattr(fn, "cache_info"):
        qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(functools.lru_cache(maxsize=64)(fn))


def qr_modules(payload: str) -> np.ndarray:
    """The QR matrix (True = dark) of ``payload`` at error correction level M, best mask by penalty.

    The data is placed once (mask 0); the seven other masks are XORs of it on the data modules."""
    from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel

    _cache_rs_generator()
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.version = version = qr.calculate_version()
    n = version * 4 + 17
    qr.moduleCount = n
    qr.modules = [[None] * n for _ in range(n)]  # function patterns only: None left = data modules
    qr.setupPositionProbePattern(0, 0)
    qr.setupPositionProbePattern(n - 7, 0)
    qr.setupPositionProbePattern(0, n - 7)
    qr.setupPositionAdjustPattern()
    qr.setupTimingPattern()
    qr.setupTypeInfo(True, 0)
    if version >= 7:
        qr.setupTypeNumber(True)
    data = np.array([[v is None for v in row] for row in qr.modules])
    qr.makeImpl(True, 0)
    base = np.array(qr.modules, dtype=bool)
    masks = _mask_patterns(n)
    scores = _penalties((base[None] ^ (data[None] & (masks[0][None] ^ masks))).astype(np.int8))
    best = int(np.argmin(scores))
    # the chosen mask is an XOR of the data modules too; only the format (and version) information, written
    # blank for the penalty, still has to be written for real — no second placement of the data
    qr.modules = (base ^ (data & (masks[0] ^ masks[best]))).tolist()
    qr.setupTypeInfo(False, best)
    if version >= 7:
        qr.setupTypeNumber(False)
    return np.array(qr.modules, dtype=bool)


def draw_qr(pdf: canvas.Canvas, payload: str, x: float, y: float, size: float, border: int = 4) -> None:
    """The code fills the ``size`` square, its quiet zone of ``border`` light modules on each side included (4,
    the width ISO/IEC 18004 requires; reportlab's QrCodeWidget leaves the same). One filled path of integer
    rectangles in module units (``re`` operators written directly: reportlab's float formatting of ~1,000
    coordinates would cost more than the rest of the page)."""
    m = qr_modules(payload)
    n = m.shape[0]
    box = size / (n + 2 * border)
    ops = []
    for r in range(n):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], m[r].astype(np.int8), [0]))))
        top = n - 1 - r
        ops += [f"{a} {top} {b - a} 1 re" for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)]
    pdf.saveState()
    pdf.setFillColorRGB(0, 0, 0)
    pdf.transform(box, 0, 0, box, x + border * box, y + border * box)
    pdf._code.append("\n".join(ops) + "\nf")  # noqa: SLF001 - raw path operators, see docstring
    pdf.restoreState()


def render(doc: Document, page=None, on_page=None) -> bytes:
    """One A4 page (the calculation steps are cut, with '…', if they would not fit).

    ``page``: what to draw on (the canvas calls of ``pagewriter.StandardPage``, the default; ``svgpage.SvgPage``
    draws the same page as a picture); its ``getvalue()`` is returned. ``on_page(page, marks)``, called once the
    page is drawn: ``marks`` holds where each part of the document was drawn — ``sender``, ``file``, ``debtor``,
    ``title``, ``amounts``, ``total``, ``communication``, ``payment``, ``qr``, ``late``, ``calculation``, ``help``:
    (x, y) of the part's first line (``documents.specimens`` numbers them)."""
    lang = doc.language if doc.language in LANGS else "fr"
    t = T[lang]
    regular, bold = fonts_for(doc)
    # operators written straight (documents.pagewriter), DejaVu embedded as a subset when the standard fonts can't
    pdf = StandardPage() if page is None else page
    marks: dict[str, tuple[float, float]] | None = {} if on_page is not None else None
    title = t[doc.kind].format(period=doc.period)
    pdf.setTitle(f"{title} — {doc.debtor_name}")
    width, height = A4
    left, right = 18 * mm, width - 18 * mm
    y = height - 18 * mm
    if marks is not None:
        marks.update(sender=(left, y), file=(left, y - 9 * mm), debtor=(110 * mm, y - 4 * mm),
                     title=(left, y - 30 * mm), help=(left, 14 * mm))
    pdf.setFont(bold, 11)
    pdf.drawString(left, y, doc.fund_name)
    pdf.setFont(regular, 8.5)
    pdf.drawString(left, y - 4.5 * mm, f"IBAN {_iban_printed(doc.fund_iban)} — BIC {doc.fund_bic}")
    pdf.drawString(left, y - 9 * mm, t["file"].format(file=doc.file_number))
    pdf.drawString(left, y - 13.5 * mm, t["date"].format(date=fmt_date(doc.issued_on, lang)))
    ay = y - 4 * mm
    pdf.setFont(regular, 10)
    for line in [doc.debtor_name, *doc.address_lines]:
        pdf.drawString(110 * mm, ay, line)
        ay -= 4.8 * mm
    y -= 30 * mm
    pdf.setFont(bold, 13)
    for line in _wrap(title, bold, 13, right - left):
        pdf.drawString(left, y, line)
        y -= 6 * mm
    y -= 1 * mm
    pdf.setFont(regular, 9)
    for line in _wrap(t[f"intro_{doc.kind}"].format(period=doc.period), regular, 9, right - left):
        pdf.drawString(left, y, line)
        y -= 4.2 * mm
    y -= 3 * mm
    if marks is not None:
        marks["amounts"] = (left, y)
    if doc.kind == "statement":
        y = _statement_table(pdf, doc, t, lang, regular, bold, left, right, y, marks)
    else:
        y = _amount_table(pdf, doc, t, lang, regular, bold, left, right, y, marks)
    if doc.uses_estimates:
        pdf.setFont(bold, 9)
        pdf.drawString(left, y, t["estimate"])
        y -= 5 * mm
    # payment block with the QR code
    qr_size = 32 * mm
    pay_top = max(y - 2 * mm, 95 * mm)
    if doc.total_cents > 0 and doc.due_date is not None or doc.kind == "statement" and doc.total_cents > 0:
        payload = epc_payload(name=doc.fund_name[:70], iban=doc.fund_iban, bic=doc.fund_bic,
                              amount_cents=doc.total_cents, ogm=doc.ogm12)
        draw_qr(pdf, payload, right - qr_size, pay_top - qr_size, qr_size)
        due = fmt_date(doc.due_date, lang) if doc.due_date else fmt_date(doc.issued_on, lang)
        text = t["pay"].format(amount=fmt_money(doc.total_cents, lang), due=due, iban=_iban_printed(doc.fund_iban),
                               bic=doc.fund_bic, fund=doc.fund_name, ogm=_ogm_printed(doc.ogm12))
        py = pay_top - 4 * mm
        if marks is not None:
            marks.update(communication=(left, py), payment=(left, py - 5.5 * mm),
                         qr=(right + 4 * mm, pay_top - qr_size / 2))
        pdf.setFont(bold, 10)
        pdf.drawString(left, py, _ogm_printed(doc.ogm12))
        py -= 5.5 * mm
        pdf.setFont(regular, 9)
        for line in _wrap(text, regular, 9, right - left - qr_size - 6 * mm):
            pdf.drawString(left, py, line)
            py -= 4.2 * mm
        pdf.setFont(regular, 8)
        for line in _wrap(t["scan"], regular, 8, right - left - qr_size - 6 * mm):
            pdf.drawString(left, py, line)
            py -= 3.8 * mm
        late = t["late_company"] if doc.kind in ("company_call", "recovery_director_joint_call") else t["late"]
        if marks is not None:
            marks["late"] = (left, py)
        pdf.setFont(regular, 8)
        for line in _wrap(late, regular, 8, right - left - qr_size - 6 * mm):
            pdf.drawString(left, py, line)
            py -= 3.8 * mm
        y = min(py, pay_top - qr_size) - 4 * mm
    else:
        pdf.setFont(regular, 9)
        y = pay_top - 4 * mm
        if marks is not None:
            marks["payment"] = (left, y)
        for line in _wrap(t["refund_text"] if doc.total_cents < 0 else t["nothing"], regular, 9, right - left):
            pdf.drawString(left, y, line)
            y -= 4.2 * mm
    # the calculation, step by step (rules engine)
    if doc.steps and y > 40 * mm:
        y -= 2 * mm
        if marks is not None:
            marks["calculation"] = (left, y)
        pdf.setFont(bold, 9.5)
        pdf.drawString(left, y, t["how"])
        y -= 4.8 * mm
        pdf.setFont(regular, 7.8)
        for step in doc.steps:
            for line in _wrap(f"• {step}", regular, 7.8, right - left):
                if y < 24 * mm:
                    pdf.drawString(left, y, "…")
                    y = 0
                    break
                pdf.drawString(left, y, line)
                y -= 3.5 * mm
            if y <= 0:
                break
    if doc.contact:
        pdf.setFont(bold, 7.8)
        pdf.drawString(left, 18 * mm, _wrap(doc.contact, bold, 7.8, right - left)[0])
    pdf.setFont(regular, 7.5)
    for i, line in enumerate(_wrap(t["help"], regular, 7.5, right - left)):
        pdf.drawString(left, 14 * mm - i * 3.3 * mm, line)
    if on_page is not None:
        on_page(pdf, marks)
    pdf.showPage()
    pdf.save()
    return pdf.getvalue()


def _amount_table(pdf, doc, t, lang, regular, bold, left, right, y, marks=None) -> float:
    cols = (left, left + 56 * mm, left + 60 * mm, right - 32 * mm)
    pdf.setFont(bold, 8.5)
    pdf.drawString(cols[0], y, t["col_what"])
    pdf.drawRightString(cols[2] - 2 * mm, y, t["col_amount"])
    pdf.drawString(cols[2] + 2 * mm, y, t["col_why"])
    pdf.drawString(cols[3], y, t["col_law"])
    y -= 1.5 * mm
    pdf.line(left, y, right, y)
    y -= 4 * mm
    for line in doc.lines:
        why = _wrap(line.why, regular, 7.8, cols[3] - cols[2] - 5 * mm)[:3]
        law = _wrap(line.law, regular, 7.5, right - cols[3])[:3]
        amount = fmt_money(line.amount_cents, lang)
        # a long label ("Déjà payé : votre crédit à la caisse") wraps instead of running into its amount
        room = cols[2] - 4 * mm - pdf.stringWidth(amount, regular, 8.5) - 2 * mm - cols[0]
        label = _wrap(line.label, regular, 8.5, room)[:3]
        pdf.setFont(regular, 8.5)
        for k, w in enumerate(label):
            pdf.drawString(cols[0], y - k * 3.4 * mm, w)
        pdf.drawRightString(cols[2] - 2 * mm, y, amount)
        pdf.setFont(regular, 7.8)
        for k, w in enumerate(why):
            pdf.drawString(cols[2] + 2 * mm, y - k * 3.4 * mm, w)
        pdf.setFont(regular, 7.5)
        for k, w in enumerate(law):
            pdf.drawString(cols[3], y - k * 3.4 * mm, w)
        y -= max(len(label), len(why), len(law), 1) * 3.4 * mm + 1.8 * mm
    pdf.line(left, y + 1.5 * mm, right, y + 1.5 * mm)
    y -= 3 * mm
    pdf.setFont(bold, 10)
    label = t["total"] if doc.total_cents >= 0 else t["refund"]
    if marks is not None:
        marks["total"] = (cols[0], y)
    pdf.drawString(cols[0], y, label)
    pdf.drawRightString(cols[2] - 2 * mm, y, fmt_money(abs(doc.total_cents), lang))
    return y - 7 * mm


def _statement_table(pdf, doc, t, lang, regular, bold, left, right, y, marks=None) -> float:
    heads = (t["period"], t["called"], t["surcharges"], t["paid"], t["balance"])
    xs = (left, left + 55 * mm, left + 85 * mm, left + 115 * mm, left + 145 * mm)
    pdf.setFont(bold, 8.5)
    pdf.drawString(xs[0], y, heads[0])
    for x, h in zip(xs[1:], heads[1:], strict=True):
        pdf.drawRightString(x + 25 * mm, y, h)
    y -= 1.5 * mm
    pdf.line(left, y, right, y)
    y -= 4 * mm
    pdf.setFont(regular, 8.5)
    rows = doc.table
    if len(rows) > 16:  # one page: the oldest periods are summed up in one line, so the rows still add up
        older, rows = rows[:-15], rows[-15:]
        rows = [(f"<= {older[-1][0]}", *(sum(r[k] for r in older) for k in range(1, 5))), *rows]
    for period, called, surcharges, paid, balance in rows:
        pdf.drawString(xs[0], y, period)
        for x, v in zip(xs[1:], (called, surcharges, paid, balance), strict=True):
            pdf.drawRightString(x + 25 * mm, y, fmt_money(v, lang))
        y -= 4.2 * mm
    pdf.line(left, y + 2.5 * mm, right, y + 2.5 * mm)
    y -= 1.5 * mm
    pdf.setFont(bold, 10)
    if marks is not None:
        marks["total"] = (xs[0], y)
    pdf.drawString(xs[0], y, t["total_due"])
    pdf.drawRightString(xs[4] + 25 * mm, y, fmt_money(doc.total_cents, lang))
    y -= 5 * mm
    if doc.credit_cents:
        pdf.setFont(regular, 9)
        pdf.drawString(xs[0], y, t["credit"].format(amount=fmt_money(doc.credit_cents, lang)))
        y -= 5 * mm
    return y - 3 * mm


# --- building documents from the database -------------------------------------------------------------------

def _fund():
    from caisse.config import get_settings

    s = get_settings()
    return s.fund_name, s.fund_iban, s.fund_bic


def _debtor(session: Session, party_id: int, on: dt.date) -> tuple[str, list[str], str]:
    from caisse.store.models import Address, Company, Party, Person

    party = session.get(Party, party_id)
    if party is None:
        raise NotFound("debtor", party_id)
    person = session.get(Person, party_id)
    if person is not None:
        name = f"{person.first_name} {person.last_name}"
    else:
        company = session.get(Company, party_id)
        name = f"{company.name}" if company else f"#{party_id}"
    addr = session.scalars(select(Address).where(Address.party_id == party_id)
                           .order_by(Address.valid_from.desc(), Address.id.desc())).first()
    lines = []
    if addr is not None:
        lines = [f"{addr.street} {addr.house_number}" + (f" bte {addr.box}" if addr.box else ""),
                 f"{addr.postal_code} {addr.city}"]
    return name, lines, party.language


def contact_line(session: Session, party_id: int, lang: str) -> str:
    """Whom to ask about this document, by name where the file has one ("a named advisor on every notice",
    design/what-users-expect.md): the file's caseworker with their phone and e-mail, else the team's contact, else
    the fund's (``services.portal.contact_for``, as the portal's home shows it)."""
    from caisse.config import get_settings
    from caisse.services import caseworkers
    from caisse.services.portal import contact_for
    from caisse.store.models import Party

    party = session.get(Party, party_id)
    if party is None:
        return ""
    held = caseworkers.current(session, party_id)
    c = contact_for(party, get_settings(), held[1] if held else None)
    who = " — ".join(part for part in (c.name, c.phone, c.email) if part)
    texts = T[lang if lang in LANGS else "fr"]
    return texts["contact_named" if c.named else "contact"].format(who=who) if who else ""


def _fee_rate(explanation: dict | None) -> str | None:
    return (explanation or {}).get("rate")


def provisional_of(calc: dict, fee_rate: str | None):
    """The rules engine's provisional contribution again, from the inputs stored on the entry (``calc``; with
    ``start_quarter``, the primostarter's first quarter of activity, from that quarter on, that one reduced)."""
    from caisse.rules.contributions import provisional

    kw = {"primostarter": calc.get("primostarter", False), "pension": calc.get("pension", True),
          "opt_out": calc.get("opt_out", False), "fee_rate": fee_rate}
    if calc.get("start_quarter") is not None:
        kw["start_quarter"] = int(calc["start_quarter"])
    if "chosen_income" in calc:
        kw["chosen_income"] = int(calc["chosen_income"])
    elif calc.get("starter"):
        kw["starter"] = True
    else:
        kw["reference_income"] = int(calc["reference_income"])
    return provisional(calc["year"], calc["category"], **kw)


def quarter_of(result, quarter: int | None):
    """The amounts of ``quarter`` in a contribution result (the regular quarter when it is not one of them)."""
    from caisse.rules.contributions import QuarterAmount

    found = next((qa for qa in result.quarters if qa.quarter == quarter), None)
    if found is None:
        total = result.quarterly_total if result.quarterly_total is not None else result.quarterly
        return QuarterAmount(quarter or 0, result.quarterly, total)
    return found


def why_of(result, lang: str, quarter: int | None = None) -> tuple[list[str], dict[str, str]]:
    """A provisional contribution's steps in ``lang``, and the one step that says why for each account (and for
    ``reduction``: the primostarter's first-quarter reduction; the fee of ``quarter`` when it is the reduced one)."""
    steps = result.explanation.text(lang)
    why = {}
    keys = [k for k, _ in result.explanation.steps]
    texts = dict(zip(keys, steps, strict=False))
    for k in ("revalue", "starter", "chosen"):
        if k in texts:
            why["contribution"] = texts[k]
    why.setdefault("contribution", texts.get("annual", ""))
    if "fee" in texts:
        why["management_fee"] = texts["fee"]
    if FIRST_QUARTER_STEP in texts:
        why["reduction"] = texts[FIRST_QUARTER_STEP]
        if quarter_of(result, quarter).reduction and "fee_reduced_quarter" in texts:
            why["management_fee"] = texts["fee_reduced_quarter"]
    return steps, why


def is_reduction(explanation: dict | None) -> bool:
    """The entry that takes the primostarter's first-quarter reduction (art. 12 §1bis) off a contribution."""
    return isinstance(explanation, dict) and explanation.get("step") == FIRST_QUARTER_STEP


def _quarterly_steps(calc: dict, fee_rate: str | None, lang: str) -> tuple[list[str], dict[str, str], bool]:
    """The rules engine's explanation of a provisional contribution, from the inputs stored on the entry."""
    result = provisional_of(calc, fee_rate)
    steps, why = why_of(result, lang, calc.get("quarter"))
    return steps, why, result.explanation.uses_estimates


def company_of(calc: dict):
    """The rules engine's company contribution again, from the inputs stored on the entry (``calc``)."""
    from caisse.money import fmt
    from caisse.rules.company import company_contribution

    total = calc.get("balance_sheet_total")
    return company_contribution(calc["year"], None if total is None else fmt(int(total)),
                                subjection_year=calc.get("subjection_year"),
                                allow_estimates=bool(calc.get("allow_estimates")))


def _company_steps(calc: dict, lang: str) -> tuple[list[str], str, bool]:
    result = company_of(calc)
    steps = result.explanation.text(lang)
    return steps, steps[0] if steps else "", result.explanation.uses_estimates


def _regularisation_steps(calcs: list[dict], lang: str) -> tuple[list[str], dict[str, str], bool]:
    """The regularisation's steps in ``lang``, the step of each quarter (by period), estimates used?"""
    from caisse.money import fmt
    from caisse.rules.contributions import regularisation

    calc = calcs[0]
    affiliated = calc.get("affiliated") or [True] * 4
    quarters = [k + 1 for k, a in enumerate(affiliated) if a]
    if not quarters or calc.get("categories") or quarters != list(range(quarters[0], quarters[-1] + 1)):
        return [], {}, False
    # the batch keeps cents; the rules read amounts in euros ("1234.56")
    paid = [fmt(calc["called_by_quarter"][q - 1]) for q in quarters]
    result = regularisation(calc["year"], calc["category"], fmt(int(calc["income"])), paid, quarters=len(quarters),
                            first_quarter=quarters[0], primostarter=bool(calc.get("primostarter")),
                            start_quarter=calc.get("start_quarter"), fee_rate=calc.get("fee_rate"))
    steps = result.explanation.text(lang)
    by_period = {str(args["quarter"]): text for (key, args), text in zip(result.explanation.steps, steps, strict=False)
                 if key == "regularisation_quarter"}
    return steps, by_period, result.explanation.uses_estimates


def notice_document(session: Session, notice_id: int, today: dt.date | None = None) -> Document:
    from caisse.batches.models import Notice
    from caisse.ledger.models import RECEIVABLE, LedgerEntry, LedgerTransaction

    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice", notice_id)
    if notice.kind == "statement":  # the periodic statement of arrears (batches/arrears_statements.py)
        try:
            issued = dt.date.fromisoformat(notice.batch_key.rsplit("/", 1)[-1])
        except ValueError:
            issued = notice.created_at.date()
        return statement_document(session, notice.party_id, today or issued)
    lang = notice.language
    t = T[lang]
    name, address, _ = _debtor(session, notice.party_id, notice.created_at.date())
    pattern = notice.key if notice.kind != "regularisation" else notice.key + "/%"
    cond = LedgerTransaction.key == pattern if notice.kind != "regularisation" else LedgerTransaction.key.like(pattern)
    entries = session.execute(
        select(LedgerTransaction.key, LedgerEntry.account, LedgerEntry.period, LedgerEntry.amount_cents,
               LedgerEntry.rule, LedgerEntry.explanation)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(cond, LedgerEntry.account != "income").order_by(LedgerTransaction.key, LedgerEntry.id)).all()
    lines: list[Line] = []
    steps: list[str] = []
    estimates = False
    if notice.kind == "quarterly_call":
        calc = next((e.explanation or {}).get("calc") for e in entries if e.account == "contribution")
        fee = next((_fee_rate(e.explanation) for e in entries if e.account == "management_fee"), None)
        steps, why, estimates = _quarterly_steps(calc, fee, lang)
        for e in entries:
            law = t["fee_law"] if e.account == "management_fee" else e.rule or ""
            if is_reduction(e.explanation):  # the primostarter's first quarter: the reduction on its own line
                lines.append(Line(t["first_quarter_reduction"], int(e.amount_cents), why.get("reduction", ""), law))
                continue
            lines.append(Line(t[e.account], int(e.amount_cents), why.get(e.account, ""), law))
    elif notice.kind == "company_call":
        e = entries[0]
        steps, why, estimates = _company_steps(e.explanation["calc"], lang)
        lines.append(Line(t["company_contribution"], int(e.amount_cents), why, e.rule or ""))
    else:
        # the inputs are on each quarter's first line (its contribution, else its fee when only the fee changed)
        calcs = [e.explanation["calc"] for e in entries if e.account in ("contribution", "management_fee")
                 and e.explanation and "calc" in e.explanation]
        by_period: dict[str, int] = {}
        surcharge = [e for e in entries if e.account == "surcharge"]  # after an unjustified reduction
        for e in entries:
            if e.account != "surcharge":
                by_period[e.period] = by_period.get(e.period, 0) + int(e.amount_cents)
        quarter_steps: dict[str, str] = {}
        if calcs:
            steps, quarter_steps, estimates = _regularisation_steps(calcs, lang)
        for period, amount in sorted(by_period.items()):
            why = quarter_steps.get(period, "")
            lines.append(Line(t["regularisation_line"].format(period=period), amount, why,
                              "AR n° 38 art. 11 §5"))
        if surcharge:
            calc = (surcharge[0].explanation or {}).get("calc") or {}
            year = calc.get("year", notice.period)
            lines.append(Line(t["reduction_surcharge"].format(year=year), sum(int(e.amount_cents) for e in surcharge),
                              t["reduction_surcharge_why"].format(base=fmt_money(int(calc.get("base", 0)), lang),
                                                                  year=year), t["reduction_surcharge_law"]))
    total = int(notice.amount_cents)
    set_off = -int(session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.key == f"set-off/{notice.batch_key}/{notice.party_id}",
               LedgerEntry.account.in_(RECEIVABLE), LedgerEntry.amount_cents < 0,
               LedgerEntry.period.startswith(notice.period))))
    if total > 0 and set_off > 0:  # credit the fund already held paid (part of) this notice: ask only the rest
        set_off = min(set_off, total)
        lines.append(Line(t["set_off"], -set_off, t["set_off_why"], t["set_off_law"]))
        total -= set_off
    fund_name, iban, bic = _fund()
    return Document(notice.kind, lang, fund_name, iban, bic, notice.party_id, name, address, notice.period,
                    today or notice.created_at.date(), lines, total, notice.due_date,
                    notice.reference, steps, uses_estimates=estimates,
                    contact=contact_line(session, notice.party_id, lang))


def notice_pdf(session: Session, notice_id: int, today: dt.date | None = None) -> bytes:
    """The PDF of a notice (for the portal and ``caisse notice pdf``); a yearly summary (kind ``summary``) is
    drawn by ``documents.yearly_summary``."""
    from caisse.batches.models import Notice

    notice = session.get(Notice, notice_id)
    if notice is not None and notice.kind == "summary":
        from caisse.documents.tax_certificate import addresses
        from caisse.documents.yearly_summary import render_summary
        from caisse.reporting.yearly_summary import for_notice

        return render_summary(for_notice(session, notice), addresses(session, [notice.party_id])
                              .get(notice.party_id))
    return render(notice_document(session, notice_id, today))


def statement_document(session: Session, party_id: int, today: dt.date) -> Document:
    from caisse.ledger.statement import statement
    from caisse.references import for_statement

    st = statement(session, party_id)
    name, address, lang = _debtor(session, party_id, today)
    fund_name, iban, bic = _fund()
    table = [(p.period, p.called, p.surcharges, p.paid + p.written_off, p.balance) for p in st.periods]
    ogm = for_statement(party_id, today.year).ogm
    digits = "".join(ch for ch in ogm if ch.isdigit())
    return Document("statement", lang, fund_name, iban, bic, party_id, name, address, "", today, [], st.total_due,
                    None, digits, table=table, credit_cents=st.credit, contact=contact_line(session, party_id, lang))


def statement_pdf(session: Session, party_id: int, today: dt.date | None = None) -> bytes:
    return render(statement_document(session, party_id, today or dt.date.today()))


def render_batch(url: str, batch_key: str, directory: str | Path, progress=None) -> int:
    """Every notice of a batch as ``<directory>/<file number>-<notice id>.pdf``. Returns how many."""
    from caisse.batches.models import Notice
    from caisse.store.db import session_scope

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(url) as s:
        ids = list(s.execute(select(Notice.id, Notice.party_id).where(Notice.batch_key == batch_key)
                             .order_by(Notice.id)).all())
        if not ids:
            raise NotFound("notices of batch", batch_key)
        for n, (nid, party) in enumerate(ids, 1):
            (out / f"{party}-{nid}.pdf").write_bytes(notice_pdf(s, nid))
            if progress:
                progress(n, len(ids))
    return len(ids)


__all__ = ["Document", "Line", "notice_document", "notice_pdf", "render", "render_batch", "statement_document",
           "statement_pdf"]
