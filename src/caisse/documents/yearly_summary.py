"""The yearly personal summary (récapitulatif annuel / jaaroverzicht / Jahresübersicht) as one A4 page in the
person's language: what was paid in the year (the tax certificate's figures), what it opened per quarter (pension
career, health cover), what is coming (next quarter, the regularisation — assessed, computed or estimated, or
"not known yet"). Figures come from a ``caisse.reporting.yearly_summary.YearlySummary``.

With the standard fonts the page is written by ``documents.pagewriter.StandardPage`` (as the tax certificate); a
name or address they cannot show goes through reportlab with DejaVu embedded.

Entry point: ``render_summary(summary, who)``.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from caisse.documents.fonts import STANDARD, fonts_for
from caisse.documents.notices import _iban_printed, _wrap
from caisse.documents.pagewriter import StandardPage, assemble
from caisse.rules.explain import fmt_date, fmt_money

T = {
    "fr": {
        "title": "Récapitulatif annuel {year}",
        "intro": "Ce que vous avez payé en {year}, ce que cela vous a ouvert (pension, soins de santé) et ce qui "
                 "vous attend, d'après votre dossier à la caisse au {date}.",
        "file": "Dossier n° {file}", "date": "Date : {date}",
        "paid_head": "Ce que vous avez payé en {year}",
        "paid": "Payé en {year} (cotisations, frais de gestion, régularisations, frais de rappel)",
        "returned": "Moins : restitué en {year}",
        "deductible": "Montant fiscalement déductible",
        "surcharges": "Majorations payées (non déductibles)",
        "other_costs": "Autres frais payés (non déductibles)",
        "benefits": "Prestations qui vous ont été versées en {year}",
        "same_as_certificate": "Ces montants sont ceux de votre attestation fiscale {year}.",
        "opened_head": "Ce que cela vous a ouvert",
        "quarter": "Trimestre", "called": "Demandé", "paid_col": "Payé", "pension": "Pension",
        "health": "Soins de santé",
        "paid_state": "payé", "dispensed": "dispensé", "bought_back": "racheté", "prescribed": "prescrit",
        "unpaid": "impayé", "kept_rights": "dispensé, droits maintenus", "assimilated": "assimilé",
        "in_order": "en ordre", "not_in_order": "pas en ordre",
        "pension_note": "Un trimestre payé ou racheté compte pour votre pension ; un trimestre dispensé, prescrit ou "
                        "impayé n'ouvre pas de droit à la pension. Un trimestre dispensé reste en ordre pour les "
                        "soins de santé (mutualité). Les montants par trimestre sont les cotisations sociales, "
                        "sans les frais de gestion. Un trimestre dispensé avec une prestation (maternité, aidant "
                        "proche, droits maintenus) ou assimilé (incapacité de travail) compte pour la pension et les "
                        "soins de santé.",
        "no_quarter": "Aucun trimestre de {year} n'est encore échu.",
        "coming_head": "Ce qui vous attend",
        "next": "Prochaine échéance : {amount} à payer au plus tard le {date}.",
        "next_expected": "Prochaine échéance : le {date}, {amount} attendu (le montant de votre dernier appel).",
        "next_unknown": "Prochaine échéance : le {date}, montant pas encore connu ({why}).",
        "next_none": "Aucune cotisation provisoire n'est prévue pour le moment.",
        "reg_assessed_pay": "Régularisation {year} établie : {amount} à payer au plus tard le {date}.",
        "reg_assessed_back": "Régularisation {year} établie : {amount} en votre faveur.",
        "reg_assessed_nil": "Régularisation {year} établie : rien à payer ni à recevoir.",
        "reg_computed": "Régularisation {year} calculée sur votre revenu {year} communiqué par l'administration "
                        "fiscale ({basis}) : {amount} ; l'avis suivra.",
        "reg_estimate": "Régularisation {year} — estimation, pas une décision : si votre revenu {year} est égal à la "
                        "base de vos cotisations provisoires ({basis}, {basis_kind}), la régularisation serait de "
                        "{amount}. Le montant définitif dépend du revenu que l'administration fiscale communiquera.",
        "reg_unknown": "Régularisation {year} : pas encore connue — {why}.",
        "what_if_head": "Et si mon revenu {year} est différent ?",
        "what_if_intro": "Tapez le revenu professionnel net que vous attendez pour {year} : la caisse calcule la "
                         "régularisation qu'il donnerait, avec les règles de la régularisation elle-même. Rien n'est "
                         "enregistré.",
        "what_if_label": "Mon revenu {year} attendu (€)", "what_if_button": "Estimer",
        "reg_forecast": "Sur un revenu {year} de {basis}, la régularisation {year} serait de {amount} (estimation, "
                        "pas une décision : la caisse la calculera sur le revenu que l'administration fiscale "
                        "communiquera).",
        "assumed": "Pas encore appelé{s} : {quarters}, compté{s} comme le dernier trimestre.",
        "adjust": "Ajuster mes cotisations provisoires {year} à ce revenu",
        "reg_none": "Aucune cotisation provisoire n'a été demandée pour {year} : pas de régularisation.",
        "to_pay": "{amount} à payer", "to_get_back": "{amount} en votre faveur",
        "reference": "revenu de {ref} revalorisé", "starter": "revenu minimum de début d'activité",
        "chosen": "revenu que vous avez choisi", "tax_income": "revenu fiscal",
        "estimates": "Ce calcul utilise un paramètre légal encore estimé.",
        "help": "Une question ? Contactez votre caisse en mentionnant votre numéro de dossier.",
    },
    "nl": {
        "title": "Jaaroverzicht {year}",
        "intro": "Wat u in {year} betaald heeft, welke rechten dat opende (pensioen, gezondheidszorg) en wat u nog "
                 "te wachten staat, volgens uw dossier bij het fonds op {date}.",
        "file": "Dossier nr. {file}", "date": "Datum: {date}",
        "paid_head": "Wat u in {year} betaald heeft",
        "paid": "Betaald in {year} (bijdragen, beheerskosten, regularisaties, herinneringskosten)",
        "returned": "Min: teruggegeven in {year}",
        "deductible": "Fiscaal aftrekbaar bedrag",
        "surcharges": "Betaalde verhogingen (niet aftrekbaar)",
        "other_costs": "Andere betaalde kosten (niet aftrekbaar)",
        "benefits": "Uitkeringen die u in {year} ontvangen heeft",
        "same_as_certificate": "Deze bedragen zijn die van uw fiscaal attest {year}.",
        "opened_head": "Welke rechten dat opende",
        "quarter": "Kwartaal", "called": "Gevraagd", "paid_col": "Betaald", "pension": "Pensioen",
        "health": "Gezondheidszorg",
        "paid_state": "betaald", "dispensed": "vrijgesteld", "bought_back": "teruggekocht", "prescribed": "verjaard",
        "unpaid": "onbetaald", "kept_rights": "vrijgesteld, rechten behouden", "assimilated": "gelijkgesteld",
        "in_order": "in orde", "not_in_order": "niet in orde",
        "pension_note": "Een betaald of teruggekocht kwartaal telt mee voor uw pensioen; een vrijgesteld, verjaard of "
                        "onbetaald kwartaal opent geen pensioenrecht. Een vrijgesteld kwartaal blijft in orde voor "
                        "de gezondheidszorg (ziekenfonds). De bedragen per kwartaal zijn de sociale bijdragen, zonder "
                        "de beheerskosten. Een kwartaal vrijgesteld met een uitkering (moederschap, mantelzorg, "
                        "rechten behouden) of gelijkgesteld (arbeidsongeschiktheid) telt mee voor het pensioen en de "
                        "gezondheidszorg.",
        "no_quarter": "Nog geen enkel kwartaal van {year} is vervallen.",
        "coming_head": "Wat u nog te wachten staat",
        "next": "Volgende vervaldag: {amount} te betalen uiterlijk op {date}.",
        "next_expected": "Volgende vervaldag: {date}, {amount} verwacht (het bedrag van uw laatste oproep).",
        "next_unknown": "Volgende vervaldag: {date}, bedrag nog niet gekend ({why}).",
        "next_none": "Er is voorlopig geen voorlopige bijdrage gepland.",
        "reg_assessed_pay": "Regularisatie {year} vastgesteld: {amount} te betalen uiterlijk op {date}.",
        "reg_assessed_back": "Regularisatie {year} vastgesteld: {amount} in uw voordeel.",
        "reg_assessed_nil": "Regularisatie {year} vastgesteld: niets te betalen of terug te krijgen.",
        "reg_computed": "Regularisatie {year} berekend op uw inkomen {year} dat de belastingadministratie meedeelde "
                        "({basis}): {amount}; het bericht volgt.",
        "reg_estimate": "Regularisatie {year} — raming, geen beslissing: als uw inkomen {year} gelijk is aan de basis "
                        "van uw voorlopige bijdragen ({basis}, {basis_kind}), zou de regularisatie {amount} zijn. Het "
                        "definitieve bedrag hangt af van het inkomen dat de belastingadministratie zal meedelen.",
        "reg_unknown": "Regularisatie {year}: nog niet gekend — {why}.",
        "what_if_head": "En als mijn inkomen {year} anders is?",
        "what_if_intro": "Typ het netto beroepsinkomen dat u voor {year} verwacht: het fonds berekent de "
                         "regularisatie die het zou geven, met de regels van de regularisatie zelf. Er wordt niets "
                         "bewaard.",
        "what_if_label": "Mijn verwacht inkomen {year} (€)", "what_if_button": "Ramen",
        "reg_forecast": "Op een inkomen {year} van {basis} geeft de regularisatie {year}: {amount} (raming, geen "
                        "beslissing: het fonds berekent ze op het inkomen dat de belastingadministratie meedeelt).",
        "assumed": "Nog niet gevraagd: {quarters}, geteld zoals het laatste kwartaal.",
        "adjust": "Mijn voorlopige bijdragen {year} aan dit inkomen aanpassen",
        "reg_none": "Er werd geen voorlopige bijdrage gevraagd voor {year}: geen regularisatie.",
        "to_pay": "{amount} te betalen", "to_get_back": "{amount} in uw voordeel",
        "reference": "geherwaardeerd inkomen van {ref}", "starter": "minimuminkomen van een starter",
        "chosen": "inkomen dat u gekozen heeft", "tax_income": "fiscaal inkomen",
        "estimates": "Deze berekening gebruikt een wettelijke parameter die nog geraamd is.",
        "help": "Een vraag? Contacteer uw fonds en vermeld uw dossiernummer.",
    },
    "de": {
        "title": "Jahresübersicht {year}",
        "intro": "Was Sie {year} gezahlt haben, welche Rechte es Ihnen eröffnet hat (Pension, Gesundheitspflege) und "
                 "was auf Sie zukommt, laut Ihrer Akte bei der Kasse am {date}.",
        "file": "Akte Nr. {file}", "date": "Datum: {date}",
        "paid_head": "Was Sie {year} gezahlt haben",
        "paid": "Gezahlt {year} (Beiträge, Verwaltungskosten, Regularisierungen, Mahnkosten)",
        "returned": "Abzüglich: {year} zurückgegeben",
        "deductible": "Steuerlich abzugsfähiger Betrag",
        "surcharges": "Gezahlte Zuschläge (nicht abzugsfähig)",
        "other_costs": "Andere gezahlte Kosten (nicht abzugsfähig)",
        "benefits": "Leistungen, die Ihnen {year} gezahlt wurden",
        "same_as_certificate": "Diese Beträge sind die Ihrer Steuerbescheinigung {year}.",
        "opened_head": "Welche Rechte es Ihnen eröffnet hat",
        "quarter": "Quartal", "called": "Gefordert", "paid_col": "Gezahlt", "pension": "Pension",
        "health": "Gesundheitspflege",
        "paid_state": "bezahlt", "dispensed": "befreit", "bought_back": "nachgekauft", "prescribed": "verjährt",
        "unpaid": "unbezahlt", "kept_rights": "befreit, Rechte erhalten", "assimilated": "gleichgestellt",
        "in_order": "in Ordnung", "not_in_order": "nicht in Ordnung",
        "pension_note": "Ein bezahltes oder nachgekauftes Quartal zählt für Ihre Pension; ein befreites, verjährtes "
                        "oder unbezahltes Quartal eröffnet kein Pensionsrecht. Ein befreites Quartal bleibt für die "
                        "Gesundheitspflege (Krankenkasse) in Ordnung. Die Beträge je Quartal sind die Sozialbeiträge, "
                        "ohne Verwaltungskosten. Ein mit einer Leistung befreites Quartal (Mutterschaft, pflegende "
                        "Angehörige, Rechte erhalten) oder ein gleichgestelltes Quartal (Arbeitsunfähigkeit) zählt "
                        "für die Pension und die Gesundheitspflege.",
        "no_quarter": "Noch kein Quartal von {year} ist fällig geworden.",
        "coming_head": "Was auf Sie zukommt",
        "next": "Nächste Fälligkeit: {amount} zu zahlen spätestens am {date}.",
        "next_expected": "Nächste Fälligkeit: {date}, {amount} erwartet (der Betrag Ihrer letzten Beitragsforderung).",
        "next_unknown": "Nächste Fälligkeit: {date}, Betrag noch nicht bekannt ({why}).",
        "next_none": "Zurzeit ist kein vorläufiger Beitrag vorgesehen.",
        "reg_assessed_pay": "Regularisierung {year} festgestellt: {amount} zu zahlen spätestens am {date}.",
        "reg_assessed_back": "Regularisierung {year} festgestellt: {amount} zu Ihren Gunsten.",
        "reg_assessed_nil": "Regularisierung {year} festgestellt: nichts zu zahlen oder zu erhalten.",
        "reg_computed": "Regularisierung {year} berechnet auf Ihr von der Steuerverwaltung mitgeteiltes Einkommen "
                        "{year} ({basis}): {amount}; der Bescheid folgt.",
        "reg_estimate": "Regularisierung {year} — Schätzung, keine Entscheidung: wenn Ihr Einkommen {year} der "
                        "Grundlage Ihrer vorläufigen Beiträge entspricht ({basis}, {basis_kind}), betrüge die "
                        "Regularisierung {amount}. Der endgültige Betrag hängt von dem Einkommen ab, das die "
                        "Steuerverwaltung mitteilen wird.",
        "reg_unknown": "Regularisierung {year}: noch nicht bekannt — {why}.",
        "what_if_head": "Und wenn mein Einkommen {year} anders ist?",
        "what_if_intro": "Geben Sie das Nettoberufseinkommen ein, das Sie für {year} erwarten: die Kasse berechnet "
                         "die Regularisierung, die es ergäbe, nach den Regeln der Regularisierung selbst. Nichts wird "
                         "gespeichert.",
        "what_if_label": "Mein erwartetes Einkommen {year} (€)", "what_if_button": "Schätzen",
        "reg_forecast": "Bei einem Einkommen {year} von {basis} ergibt die Regularisierung {year}: {amount} "
                        "(Schätzung, keine Entscheidung: die Kasse berechnet sie auf das von der Steuerverwaltung "
                        "mitgeteilte Einkommen).",
        "assumed": "Noch nicht angefordert: {quarters}, gezählt wie das letzte Quartal.",
        "adjust": "Meine vorläufigen Beiträge {year} an dieses Einkommen anpassen",
        "reg_none": "Für {year} wurde kein vorläufiger Beitrag gefordert: keine Regularisierung.",
        "to_pay": "{amount} zu zahlen", "to_get_back": "{amount} zu Ihren Gunsten",
        "reference": "aufgewertetes Einkommen von {ref}", "starter": "Mindesteinkommen bei Beginn",
        "chosen": "von Ihnen gewähltes Einkommen", "tax_income": "steuerliches Einkommen",
        "estimates": "Diese Berechnung verwendet einen noch geschätzten gesetzlichen Parameter.",
        "help": "Eine Frage? Wenden Sie sich unter Angabe Ihrer Aktennummer an Ihre Kasse.",
    },
}

# what a reason for "not known yet" says in each language (the cause in English stays in the JSON)
WHY = {
    "fr": {"parameter": "les montants légaux de {year} ne sont pas encore publiés",
           "not_called": "les cotisations de {year} ne sont pas encore appelées",
           "other": "le calcul se fera quand votre revenu sera connu"},
    "nl": {"parameter": "de wettelijke bedragen van {year} zijn nog niet bekendgemaakt",
           "not_called": "de bijdragen van {year} zijn nog niet opgevraagd",
           "other": "de berekening volgt wanneer uw inkomen gekend is"},
    "de": {"parameter": "die gesetzlichen Beträge für {year} sind noch nicht veröffentlicht",
           "not_called": "die Beiträge für {year} sind noch nicht gefordert",
           "other": "die Berechnung erfolgt, sobald Ihr Einkommen bekannt ist"},
}

# a quarter whose health-care rights a bridging right maintained (legislation §8.1 [S41][S39]): no pension right
for _lang, (_state, _note) in {
    "fr": ("droit passerelle : pas de pension", " Un trimestre de droit passerelle garde vos droits en soins de santé "
           "et indemnités sans cotisations, mais n'ouvre pas de droit à la pension."),
    "nl": ("overbruggingsrecht: geen pensioen", " Een kwartaal overbruggingsrecht behoudt uw rechten op "
           "gezondheidszorg en uitkeringen zonder bijdragen, maar opent geen pensioenrecht."),
    "de": ("Überbrückungsrecht: keine Pension", " Ein Quartal Überbrückungsrecht erhält Ihre Rechte auf "
           "Gesundheitspflege und Entschädigungen ohne Beiträge, eröffnet aber kein Pensionsrecht."),
}.items():
    T[_lang]["kept_bridging"] = _state
    T[_lang]["pension_note"] += _note

WIDTH, HEIGHT = A4
LEFT, RIGHT = 18 * mm, WIDTH - 18 * mm
STATE_KEY = {"paid": "paid_state", "dispensed": "dispensed", "bought_back": "bought_back", "prescribed": "prescribed",
             "unpaid": "unpaid", "kept_rights": "kept_rights", "assimilated": "assimilated"}


def why_text(lang: str, why: str | None, year: int) -> str:
    """The reason a figure is not known, in the person's language: a legal parameter not published, a year not
    called yet, or any other cause."""
    w = WHY[lang]
    if why and ("not called yet" in why):
        return w["not_called"].format(year=year)
    if why and ("not published" in why.lower() or "unknown" in why.lower() or "parameter" in why.lower()):
        return w["parameter"].format(year=year)
    return w["other"]


def forecast_lines(fc, lang: str) -> dict:
    """The texts of a what-if regularisation (``reporting.yearly_summary.forecast``) for the summary page."""
    lang = lang if lang in T else "fr"
    t, year, r = T[lang], fc.year, fc.regularisation

    def money(cents: int) -> str:
        return fmt_money(cents, lang).replace("\u202f", " ")

    if r.status == "forecast":
        amount = (t["to_pay"].format(amount=money(r.amount)) if r.amount > 0 else
                  t["to_get_back"].format(amount=money(-r.amount)) if r.amount < 0 else money(0))
        text = t["reg_forecast"].format(year=year, basis=money(fc.income), amount=amount)
        if r.uses_estimates:
            text += " " + t["estimates"]
    elif r.status == "assessed":
        text = lines_for_regularisation(r, year, t, money, lang)
    elif r.status == "unknown":
        text = t["reg_unknown"].format(year=year, why=why_text(lang, r.unknown, year))
    else:
        text = t["reg_none"].format(year=year)
    assumed = ""
    if fc.assumed and r.status == "forecast":
        assumed = t["assumed"].format(quarters=", ".join(f"{year}Q{q}" for q in fc.assumed),
                                      s="s" if len(fc.assumed) > 1 else "")
    return {"text": text, "assumed": assumed}


def lines_for_regularisation(r, year: int, t: dict, money, lang: str) -> str:
    """An assessed regularisation, as the summary says it."""
    if r.amount and r.amount > 0:
        return t["reg_assessed_pay"].format(year=year, amount=money(r.amount),
                                            date=fmt_date(r.due_date, lang) if r.due_date else "—")
    if r.amount and r.amount < 0:
        return t["reg_assessed_back"].format(year=year, amount=money(-r.amount))
    return t["reg_assessed_nil"].format(year=year)


def lines_for(summary) -> dict:
    """The texts of the document (also used by the portal page): sections with their (label, amount) rows."""
    lang = summary.language if summary.language in T else "fr"
    t = T[lang]
    year, c, r, n = summary.year, summary.certificate, summary.regularisation, summary.next_due

    def money(cents: int) -> str:  # the standard fonts lack the narrow no-break space of French amounts
        return fmt_money(cents, lang).replace("\u202f", " ")

    paid = [(t["paid"].format(year=year), money(c.paid)), (t["returned"].format(year=year), money(-c.returned)),
            (t["deductible"], money(c.deductible)), (t["surcharges"], money(c.surcharges)),
            (t["other_costs"], money(c.other_costs)), (t["benefits"].format(year=year), money(summary.benefits_paid))]
    quarters = [(q.period, money(q.called), money(q.paid),
                 t["kept_bridging" if (q.state, q.reason) == ("kept_rights", "bridging") else
                   STATE_KEY.get(q.state, "unpaid")],
                 t["in_order"] if q.in_order else t["not_in_order"]) for q in summary.quarters]
    if n.due_date is None:
        nxt = t["next_none"]
    elif n.amount is None:
        nxt = t["next_unknown"].format(date=fmt_date(n.due_date, lang), why=why_text(lang, n.unknown,
                                                                                     n.due_date.year))
    elif n.expected:
        nxt = t["next_expected"].format(date=fmt_date(n.due_date, lang), amount=money(n.amount))
    else:
        nxt = t["next"].format(date=fmt_date(n.due_date, lang), amount=money(n.amount))
    if r.status == "assessed":
        reg = lines_for_regularisation(r, year, t, money, lang)
    elif r.status in ("computed", "estimate"):
        amount = (t["to_pay"].format(amount=money(r.amount)) if r.amount > 0 else
                  t["to_get_back"].format(amount=money(-r.amount)) if r.amount < 0 else money(0))
        kind = t.get(r.basis_kind or "", "").format(ref=year - 3)
        reg = t["reg_" + r.status].format(year=year, basis=money(r.basis or 0), basis_kind=kind, amount=amount)
        if r.uses_estimates:
            reg += " " + t["estimates"]
    elif r.status == "unknown":
        reg = t["reg_unknown"].format(year=year, why=why_text(lang, r.unknown, year))
    else:
        reg = t["reg_none"].format(year=year)
    return {"lang": lang, "t": t, "title": t["title"].format(year=year),
            "what_if_head": t["what_if_head"].format(year=year), "what_if_intro": t["what_if_intro"].format(year=year),
            "what_if_label": t["what_if_label"].format(year=year), "what_if_button": t["what_if_button"],
            "intro": t["intro"].format(year=year, date=fmt_date(summary.as_of, lang)),
            "paid_head": t["paid_head"].format(year=year), "paid": paid,
            "certificate": t["same_as_certificate"].format(year=year),
            "opened_head": t["opened_head"], "quarters": quarters, "no_quarter": t["no_quarter"].format(year=year),
            "pension_note": t["pension_note"], "coming_head": t["coming_head"], "next": nxt, "regularisation": reg}


def _fund():
    from caisse.config import get_settings

    s = get_settings()
    return s.fund_name, s.fund_iban


def _draw(pdf, summary, doc: dict, name: str, address: list[str], fund: tuple[str, str], regular: str,
          bold: str, marks: dict | None = None) -> None:
    """The page; ``marks`` (when given) receives where each part was drawn: ``sender``, ``file``, ``debtor``,
    ``title``, ``paid``, ``opened``, ``coming``, ``help`` — (x, y) of its first line."""
    t, lang = doc["t"], doc["lang"]
    marks = {} if marks is None else marks
    width = RIGHT - LEFT

    def para(text: str, font: str, size: float, y: float, step: float) -> float:
        pdf.setFont(font, size)
        for line in _wrap(text, font, size, width):
            pdf.drawString(LEFT, y, line)
            y -= step
        return y

    y = HEIGHT - 18 * mm
    pdf.setFont(bold, 11)
    pdf.drawString(LEFT, y, fund[0])
    pdf.setFont(regular, 8.5)
    pdf.drawString(LEFT, y - 4.5 * mm, f"IBAN {_iban_printed(fund[1])}")
    pdf.drawString(LEFT, y - 9 * mm, t["file"].format(file=summary.party_id))
    pdf.drawString(LEFT, y - 13.5 * mm, t["date"].format(date=fmt_date(summary.as_of, lang)))
    ay = y - 4 * mm
    pdf.setFont(regular, 10)
    for line in [name, *address]:
        pdf.drawString(110 * mm, ay, line)
        ay -= 4.8 * mm
    marks.update(sender=(LEFT, y), file=(LEFT, y - 9 * mm), debtor=(110 * mm, y - 4 * mm), help=(LEFT, 14 * mm))
    y -= 30 * mm
    marks["title"] = (LEFT, y)
    y = para(doc["title"], bold, 13, y, 6 * mm) - 1 * mm
    y = para(doc["intro"], regular, 9, y, 4.2 * mm) - 4 * mm
    # 1. paid
    marks["paid"] = (LEFT, y)
    y = para(doc["paid_head"], bold, 10.5, y, 5.5 * mm)
    for k, (label, amount) in enumerate(doc["paid"]):
        pdf.setFont(bold if k == 2 else regular, 9)
        pdf.drawString(LEFT, y, label)
        pdf.drawRightString(RIGHT, y, amount)
        y -= 4.4 * mm
    y = para(doc["certificate"], regular, 7.5, y - 0.5 * mm, 3.6 * mm) - 4 * mm
    # 2. opened
    marks["opened"] = (LEFT, y)
    y = para(doc["opened_head"], bold, 10.5, y, 5.5 * mm)
    if doc["quarters"]:
        xs = (LEFT, LEFT + 48 * mm, LEFT + 78 * mm, LEFT + 90 * mm, LEFT + 132 * mm)
        pdf.setFont(bold, 8.5)
        pdf.drawString(xs[0], y, t["quarter"])
        pdf.drawRightString(xs[1], y, t["called"])
        pdf.drawRightString(xs[2], y, t["paid_col"])
        pdf.drawString(xs[3], y, t["pension"])
        pdf.drawString(xs[4], y, t["health"])
        y -= 1.5 * mm
        pdf.line(LEFT, y, RIGHT, y)
        y -= 4 * mm
        pdf.setFont(regular, 9)
        for period, called, paid, state, health in doc["quarters"]:
            pdf.drawString(xs[0], y, period)
            pdf.drawRightString(xs[1], y, called)
            pdf.drawRightString(xs[2], y, paid)
            pdf.drawString(xs[3], y, state)
            pdf.drawString(xs[4], y, health)
            y -= 4.4 * mm
    else:
        y = para(doc["no_quarter"], regular, 9, y, 4.2 * mm)
    y = para(doc["pension_note"], regular, 7.5, y - 0.5 * mm, 3.6 * mm) - 4 * mm
    # 3. coming
    marks["coming"] = (LEFT, y)
    y = para(doc["coming_head"], bold, 10.5, y, 5.5 * mm)
    y = para(doc["next"], regular, 9, y, 4.2 * mm) - 1.5 * mm
    para(doc["regularisation"], regular, 9, y, 4.2 * mm)
    pdf.setFont(regular, 7.5)
    pdf.drawString(LEFT, 14 * mm, t["help"])


def render_summary(summary, who: tuple[str, list[str]] | None, page=None, on_page=None) -> bytes:
    """One A4 page in the person's language (fr/nl/de; another language falls back to fr). ``page`` and
    ``on_page(page, marks)``: as ``documents.notices.render`` (``_draw`` names the parts)."""
    doc = lines_for(summary)
    name, address = who or (f"#{summary.party_id}", [])
    fund = _fund()
    regular, bold = fonts_for(name, address, fund[0])
    title = f"{doc['title']} — {name}"
    if page is not None:
        page.setTitle(title)
        marks: dict = {}
        _draw(page, summary, doc, name, address, fund, regular, bold, marks)
        if on_page is not None:
            on_page(page, marks)
        return page.getvalue()
    if (regular, bold) == STANDARD:
        page = StandardPage()
        _draw(page, summary, doc, name, address, fund, regular, bold)
        return assemble("\n".join(page.code), title)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True, pageCompression=0)
    pdf.setTitle(title)
    _draw(pdf, summary, doc, name, address, fund, regular, bold)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


__all__ = ["T", "lines_for", "render_summary", "why_text"]
