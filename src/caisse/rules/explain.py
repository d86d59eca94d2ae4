"""Explanations: the derivation of every result — steps and parameters — in French, Dutch, German and English.

A rule records what it did as steps (a template key and its arguments) and which parameter values it used.
``Explanation.render(lang)`` gives the text a due notice or the portal shows ("Why do I pay this?").
Words follow docs' glossary (cotisation provisoire / voorlopige bijdrage / vorläufiger Beitrag ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from caisse.rules.params import LANGUAGES, Value


@dataclass(frozen=True)
class Money:
    cents: int


@dataclass(frozen=True)
class Rate:
    value: Fraction


NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def fmt_money(cents: int, lang: str) -> str:
    sign = "-" if cents < 0 else ""
    c = abs(int(cents))
    units, dec = str(c // 100), f"{c % 100:02d}"
    if lang == "en":
        return f"{sign}€{_group(units, ',')}.{dec}"
    if lang == "nl":
        return f"{sign}€ {_group(units, '.')},{dec}"
    if lang == "de":
        return f"{sign}{_group(units, '.')},{dec} €"
    return f"{sign}{_group(units, NNBSP)},{dec} €"


def fmt_rate(rate: Fraction, lang: str) -> str:
    pct = rate * 100
    text = f"{float(pct):.4f}".rstrip("0").rstrip(".")
    if "." in text and len(text.split(".")[1]) == 1:
        text += "0"
    if lang != "en":
        text = text.replace(".", ",")
    return f"{text} %" if lang != "en" else f"{text}%"


def fmt_date(d: date, lang: str) -> str:
    return d.isoformat() if lang == "en" else d.strftime("%d/%m/%Y" if lang == "fr" else "%d.%m.%Y" if lang == "de"
                                                      else "%d-%m-%Y")


def fmt_value(v: object, unit: str, lang: str) -> str:
    if unit == "EUR":
        return fmt_money(v, lang)
    if unit == "rate":
        return fmt_rate(v, lang)
    if unit in ("ratio", "index"):
        text = f"{float(v):.8f}".rstrip("0").rstrip(".")
        return text if lang == "en" else text.replace(".", ",")
    if unit == "date":
        return fmt_date(v, lang)
    return str(v)


def plain_value(v: object, unit: str) -> str:
    """The machine form of a parameter value (JSON): '73447.52', '0.205', '1.09233053', '2025-10-01', '12'."""
    if unit == "EUR":
        from caisse.money import fmt

        return fmt(v)
    if unit in ("rate", "ratio", "index"):
        f = Fraction(v)
        text = f"{float(f):.10f}".rstrip("0").rstrip(".")
        return text
    if unit == "date":
        return v.isoformat()
    return str(v)


STATUS_WORDS = {
    "official": {"en": "official", "fr": "officiel", "nl": "officieel", "de": "amtlich"},
    "fund": {"en": "published by a fund", "fr": "publié par une caisse", "nl": "gepubliceerd door een fonds",
             "de": "von einer Kasse veröffentlicht"},
    "secondary": {"en": "secondary source", "fr": "source secondaire", "nl": "secundaire bron", "de": "Sekundärquelle"},
    "derived": {"en": "derived from the legal base", "fr": "calculé depuis le montant légal de base",
                "nl": "berekend uit het wettelijk basisbedrag", "de": "aus dem gesetzlichen Grundbetrag berechnet"},
    "estimate": {"en": "ESTIMATE, not published", "fr": "ESTIMATION, non publiée", "nl": "RAMING, niet gepubliceerd",
                 "de": "SCHÄTZUNG, nicht veröffentlicht"},
}

# One template per step; arguments are Money, Rate, date, Value (shown as its value) or plain text/numbers.
T: dict[str, dict[str, str]] = {
    "category": {
        "en": "Contributor category: {category}, contribution year {year}.",
        "fr": "Catégorie de cotisant : {category}, année de cotisation {year}.",
        "nl": "Bijdragecategorie: {category}, bijdragejaar {year}.",
        "de": "Beitragskategorie: {category}, Beitragsjahr {year}.",
    },
    "income": {
        "en": "Net taxable professional income: {income}.",
        "fr": "Revenu professionnel net imposable : {income}.",
        "nl": "Netto belastbaar beroepsinkomen: {income}.",
        "de": "Steuerpflichtiges Nettoberufseinkommen: {income}.",
    },
    "prorate": {
        "en": "Affiliated {quarters} quarter(s): income annualised to {income} × 4 / {quarters} = {annualised}.",
        "fr": "Affilié pendant {quarters} trimestre(s) : revenu annualisé {income} × 4 / {quarters} = {annualised}.",
        "nl": "{quarters} kwarta(a)l(en) aangesloten: inkomen herrekend naar een jaar {income} × 4 / {quarters} = "
              "{annualised}.",
        "de": "{quarters} Quartal(e) angeschlossen: Einkommen auf ein Jahr umgerechnet {income} × 4 / {quarters} = "
              "{annualised}.",
    },
    "revalue": {
        "en": "Provisional contribution on the income of {ref_year} ({income}) revalued × {coefficient} = {revalued}.",
        "fr": "Cotisation provisoire sur le revenu {ref_year} ({income}) revalorisé × {coefficient} = {revalued}.",
        "nl": "Voorlopige bijdrage op het inkomen {ref_year} ({income}) geherwaardeerd × {coefficient} = {revalued}.",
        "de": "Vorläufiger Beitrag auf das Einkommen {ref_year} ({income}), aufgewertet × {coefficient} = {revalued}.",
    },
    "starter": {
        "en": "Starter: no income of year N-3 is known, the provisional contribution is computed on {basis}.",
        "fr": "Débutant : aucun revenu N-3 connu, la cotisation provisoire est calculée sur {basis}.",
        "nl": "Starter: geen inkomen N-3 gekend, de voorlopige bijdrage wordt berekend op {basis}.",
        "de": "Starter: kein Einkommen N-3 bekannt, der vorläufige Beitrag wird auf {basis} berechnet.",
    },
    "chosen": {
        "en": "Provisional contributions on the income you chose (reduction or increase asked): computed on "
              "{income} (never below the category minimum).",
        "fr": "Cotisations provisoires sur le revenu que vous avez choisi (réduction ou augmentation demandée) : "
              "calcul sur {income} (jamais sous le minimum de la catégorie).",
        "nl": "Voorlopige bijdragen op het inkomen dat u koos (vermindering of vrijwillige verhoging gevraagd): "
              "berekend op {income} (nooit onder het minimum van de categorie).",
        "de": "Vorläufige Beiträge auf dem von Ihnen gewählten Einkommen (Herabsetzung oder Erhöhung beantragt): "
              "berechnet auf {income} (nie unter dem Minimum der Kategorie).",
    },
    "exempt": {
        "en": "Income below {threshold}: no contribution is due.",
        "fr": "Revenu inférieur à {threshold} : aucune cotisation n'est due.",
        "nl": "Inkomen lager dan {threshold}: er is geen bijdrage verschuldigd.",
        "de": "Einkommen unter {threshold}: es ist kein Beitrag geschuldet.",
    },
    "floor": {
        "en": "Income below the minimum {minimum}: the contribution is computed on the minimum.",
        "fr": "Revenu inférieur au minimum {minimum} : la cotisation est calculée sur le minimum.",
        "nl": "Inkomen lager dan het minimum {minimum}: de bijdrage wordt op het minimum berekend.",
        "de": "Einkommen unter dem Minimum {minimum}: der Beitrag wird auf das Minimum berechnet.",
    },
    "as_main": {
        "en": "Income of at least {threshold}: contributions as for a main activity.",
        "fr": "Revenu d'au moins {threshold} : cotisations comme à titre principal.",
        "nl": "Inkomen van minstens {threshold}: bijdragen zoals in hoofdberoep.",
        "de": "Einkommen von mindestens {threshold}: Beiträge wie hauptberuflich.",
    },
    "as_complementary": {
        "en": "Income below the art. 37 ceiling {threshold}: contributions as for a complementary activity.",
        "fr": "Revenu inférieur au plafond article 37 {threshold} : cotisations comme à titre complémentaire.",
        "nl": "Inkomen lager dan de grens artikel 37 {threshold}: bijdragen zoals in bijberoep.",
        "de": "Einkommen unter der Grenze Artikel 37 {threshold}: Beiträge wie nebenberuflich.",
    },
    "student_part": {
        "en": "Student: {rate} on the part of the income above {threshold}: {part} × {rate} = {amount} a year.",
        "fr": "Étudiant-indépendant : {rate} sur la partie du revenu au-delà de {threshold} : {part} × {rate} = "
              "{amount} par an.",
        "nl": "Student-zelfstandige: {rate} op het deel van het inkomen boven {threshold}: {part} × {rate} = "
              "{amount} per jaar.",
        "de": "Selbständiger Student: {rate} auf den Teil des Einkommens über {threshold}: {part} × {rate} = "
              "{amount} pro Jahr.",
    },
    "bracket1": {
        "en": "{rate} on {part} (up to the first threshold {threshold}) = {amount}.",
        "fr": "{rate} sur {part} (jusqu'au premier plafond {threshold}) = {amount}.",
        "nl": "{rate} op {part} (tot de eerste grens {threshold}) = {amount}.",
        "de": "{rate} auf {part} (bis zur ersten Grenze {threshold}) = {amount}.",
    },
    "bracket2": {
        "en": "{rate} on {part} (between the first threshold and the ceiling {ceiling}) = {amount}.",
        "fr": "{rate} sur {part} (entre le premier plafond et le plafond {ceiling}) = {amount}.",
        "nl": "{rate} op {part} (tussen de eerste grens en het plafond {ceiling}) = {amount}.",
        "de": "{rate} auf {part} (zwischen erster Grenze und Obergrenze {ceiling}) = {amount}.",
    },
    "above_ceiling": {
        "en": "Nothing is due on the income above the ceiling {ceiling}.",
        "fr": "Rien n'est dû sur le revenu au-delà du plafond {ceiling}.",
        "nl": "Op het inkomen boven het plafond {ceiling} is niets verschuldigd.",
        "de": "Auf das Einkommen über der Obergrenze {ceiling} ist nichts geschuldet.",
    },
    "annual": {
        "en": "Annual social contribution: {annual}; per quarter: {quarterly} (a quarter of the exact annual amount, "
              "rounded to the cent).",
        "fr": "Cotisation sociale annuelle : {annual} ; par trimestre : {quarterly} (un quart du montant annuel exact, "
              "arrondi au cent).",
        "nl": "Jaarlijkse sociale bijdrage: {annual}; per kwartaal: {quarterly} (een vierde van het exacte jaarbedrag, "
              "afgerond op de cent).",
        "de": "Jährlicher Sozialbeitrag: {annual}; pro Quartal: {quarterly} (ein Viertel des genauen Jahresbetrags, "
              "auf den Cent gerundet).",
    },
    "fee": {
        "en": "Management fee of the fund {rate}: {quarterly} × (1 + {rate}) = {total} per quarter.",
        "fr": "Frais de gestion de la caisse {rate} : {quarterly} × (1 + {rate}) = {total} par trimestre.",
        "nl": "Beheerskosten van het fonds {rate}: {quarterly} × (1 + {rate}) = {total} per kwartaal.",
        "de": "Verwaltungskosten der Kasse {rate}: {quarterly} × (1 + {rate}) = {total} pro Quartal.",
    },
    "fee_reduced_quarter": {
        "en": "Management fee of the reduced quarter {quarter}: {contribution} × (1 + {rate}) = {total}.",
        "fr": "Frais de gestion du trimestre réduit {quarter} : {contribution} × (1 + {rate}) = {total}.",
        "nl": "Beheerskosten van het verminderde kwartaal {quarter}: {contribution} × (1 + {rate}) = {total}.",
        "de": "Verwaltungskosten des ermäßigten Quartals {quarter}: {contribution} × (1 + {rate}) = {total}.",
    },
    "primostarter_first_quarter": {
        "en": "Primostarter, first quarter of activity {quarter}: the contribution is reduced by {reduction}: "
              "{before} − {reduction} = {after}.",
        "fr": "Primo-starter, premier trimestre d'activité {quarter} : la cotisation est réduite de {reduction} : "
              "{before} − {reduction} = {after}.",
        "nl": "Primostarter, eerste kwartaal van activiteit {quarter}: de bijdrage wordt verminderd met {reduction}: "
              "{before} − {reduction} = {after}.",
        "de": "Primostarter, erstes Tätigkeitsquartal {quarter}: der Beitrag wird um {reduction} ermäßigt: "
              "{before} − {reduction} = {after}.",
    },
    "pension_regime": {
        "en": "Pension age reached without taking the pension: from {start} contributions as for a main activity "
              "(unless the affiliate opted out).",
        "fr": "Âge de la pension atteint sans prendre la pension : à partir du {start}, cotisations comme à titre "
              "principal (sauf renonciation de l'affilié).",
        "nl": "Pensioenleeftijd bereikt zonder pensioen: vanaf {start} bijdragen zoals in hoofdberoep "
              "(tenzij de aangeslotene ervoor koos dit niet te doen).",
        "de": "Rentenalter ohne Rentenbezug erreicht: ab {start} Beiträge wie hauptberuflich "
              "(außer bei Verzicht des Mitglieds).",
    },
    "regularisation_quarter": {
        "en": "Quarter {quarter}: definitive {definitive}, provisional paid {provisional}, difference {difference}.",
        "fr": "Trimestre {quarter} : définitif {definitive}, provisoire payé {provisional}, différence {difference}.",
        "nl": "Kwartaal {quarter}: definitief {definitive}, voorlopig betaald {provisional}, verschil {difference}.",
        "de": "Quartal {quarter}: endgültig {definitive}, vorläufig bezahlt {provisional}, Differenz {difference}.",
    },
    "regularisation_total": {
        "en": "Regularisation: definitive contributions {definitive} minus provisional contributions paid {paid} = "
              "{difference} ({direction}).",
        "fr": "Régularisation : cotisations définitives {definitive} moins cotisations provisoires payées {paid} = "
              "{difference} ({direction}).",
        "nl": "Regularisatie: definitieve bijdragen {definitive} min betaalde voorlopige bijdragen {paid} = "
              "{difference} ({direction}).",
        "de": "Regularisierung: endgültige Beiträge {definitive} minus bezahlte vorläufige Beiträge {paid} = "
              "{difference} ({direction}).",
    },
    "regularisation_due": {
        "en": "The supplement is due by {due} (last day of the quarter following the regularisation notice of "
              "{notice}); no surcharge if paid in time.",
        "fr": "Le supplément est dû au plus tard le {due} (dernier jour du trimestre qui suit l'avis de "
              "régularisation du {notice}) ; aucune majoration s'il est payé à temps.",
        "nl": "Het supplement moet betaald zijn uiterlijk op {due} (laatste dag van het kwartaal na het "
              "regularisatiebericht van {notice}); geen verhoging bij tijdige betaling.",
        "de": "Der Nachtrag ist spätestens am {due} fällig (letzter Tag des Quartals nach der "
              "Regularisierungsmitteilung vom {notice}); kein Zuschlag bei rechtzeitiger Zahlung.",
    },
    "surcharge_quarter": {
        "en": "{date}: {principal} of contributions still unpaid at the end of the quarter: surcharge {rate} = "
              "{amount}.",
        "fr": "{date} : {principal} de cotisations encore impayées à la fin du trimestre : majoration {rate} = "
              "{amount}.",
        "nl": "{date}: {principal} bijdragen nog onbetaald op het einde van het kwartaal: verhoging {rate} = "
              "{amount}.",
        "de": "{date}: {principal} Beiträge am Quartalsende noch unbezahlt: Beitragszuschlag {rate} = {amount}.",
    },
    "surcharge_annual": {
        "en": "{date}: {principal} of contributions claimed in {year} still unpaid on 1 January: one-off surcharge "
              "{rate} = {amount}.",
        "fr": "{date} : {principal} de cotisations réclamées en {year} encore impayées au 1er janvier : majoration "
              "unique {rate} = {amount}.",
        "nl": "{date}: {principal} bijdragen gevorderd in {year} nog onbetaald op 1 januari: eenmalige verhoging "
              "{rate} = {amount}.",
        "de": "{date}: {principal} im Jahr {year} geforderte Beiträge am 1. Januar noch unbezahlt: einmaliger "
              "Zuschlag {rate} = {amount}.",
    },
    "surcharge_stop": {
        "en": "Enforcement order (contrainte) served or summons on {served}: the last surcharge is the one of {last}.",
        "fr": "Contrainte signifiée ou citation le {served} : la dernière majoration est celle du {last}.",
        "nl": "Dwangbevel betekend of dagvaarding op {served}: de laatste verhoging is die van {last}.",
        "de": "Zwangsbefehl zugestellt oder Ladung am {served}: der letzte Zuschlag ist der vom {last}.",
    },
    "surcharge_none": {
        "en": "Paid in time: no surcharge.",
        "fr": "Payé à temps : aucune majoration.",
        "nl": "Tijdig betaald: geen verhoging.",
        "de": "Rechtzeitig bezahlt: kein Zuschlag.",
    },
    "surcharge_rule": {
        "en": "Surcharges are computed on the unpaid contributions only, never on surcharges; payments are imputed "
              "on the contribution first.",
        "fr": "Les majorations sont calculées sur les seules cotisations impayées, jamais sur des majorations ; les "
              "paiements sont imputés d'abord sur la cotisation.",
        "nl": "Verhogingen worden alleen op de onbetaalde bijdragen berekend, nooit op verhogingen; betalingen worden "
              "eerst op de bijdrage aangerekend.",
        "de": "Zuschläge werden nur auf unbezahlte Beiträge berechnet, nie auf Zuschläge; Zahlungen werden zuerst "
              "auf den Beitrag angerechnet.",
    },
    "unjustified_reduction": {
        "en": "Reduced provisional contributions {reduced}, definitive contributions {definitive}, paid on top by "
              "{date}: {paid}; {base} unpaid on {date}: surcharge {rate} + one-off {rate2} = {amount}.",
        "fr": "Cotisations provisoires réduites {reduced}, cotisations définitives {definitive}, payé en plus au "
              "{date} : {paid} ; {base} impayés au {date} : majoration {rate} + majoration unique {rate2} = {amount}.",
        "nl": "Verminderde voorlopige bijdragen {reduced}, definitieve bijdragen {definitive}, bijkomend betaald "
              "op {date}: {paid}; {base} onbetaald op {date}: verhoging {rate} + eenmalige {rate2} = {amount}.",
        "de": "Herabgesetzte vorläufige Beiträge {reduced}, endgültige Beiträge {definitive}, zusätzlich bezahlt "
              "bis {date}: {paid}; {base} am {date} unbezahlt: Zuschlag {rate} + einmalig {rate2} = {amount}.",
    },
    "unjustified_reduction_none": {
        "en": "Reduced provisional contributions {reduced}, definitive contributions {definitive}, paid on top by "
              "{date}: {paid}; nothing of the definitive contribution is unpaid on {date}: no surcharge.",
        "fr": "Cotisations provisoires réduites {reduced}, cotisations définitives {definitive}, payé en plus au "
              "{date} : {paid} ; rien de la cotisation définitive n'est impayé au {date} : aucune majoration.",
        "nl": "Verminderde voorlopige bijdragen {reduced}, definitieve bijdragen {definitive}, bijkomend betaald "
              "op {date}: {paid}; niets van de definitieve bijdrage is onbetaald op {date}: geen verhoging.",
        "de": "Herabgesetzte vorläufige Beiträge {reduced}, endgültige Beiträge {definitive}, zusätzlich bezahlt "
              "bis {date}: {paid}; von den endgültigen Beiträgen ist am {date} nichts unbezahlt: kein Zuschlag.",
    },
    "unjustified_reduction_source": {
        "en": "Source: secondary only (press summaries of the 2022 reform); the article of law was not found. "
              "To be confirmed before any decision.",
        "fr": "Source : secondaire uniquement (résumés de presse de la réforme de 2022) ; l'article de loi n'a pas été "
              "trouvé. À confirmer avant toute décision.",
        "nl": "Bron: alleen secundair (persberichten over de hervorming van 2022); het wetsartikel werd niet "
              "gevonden. Te bevestigen vóór elke beslissing.",
        "de": "Quelle: nur sekundär (Presseberichte zur Reform von 2022); der Gesetzesartikel wurde nicht "
              "gefunden. Vor jeder Entscheidung zu bestätigen.",
    },
    "company_bracket": {
        "en": "Balance-sheet total of the penultimate closed financial year {total} {cmp} {boundary}: {size} company, "
              "annual contribution {amount}, due {due}.",
        "fr": "Total du bilan de l'avant-dernier exercice clôturé {total} {cmp} {boundary} : {size} société, "
              "cotisation annuelle {amount}, due le {due}.",
        "nl": "Balanstotaal van het voorlaatste afgesloten boekjaar {total} {cmp} {boundary}: {size} vennootschap, "
              "jaarlijkse bijdrage {amount}, te betalen uiterlijk {due}.",
        "de": "Bilanzsumme des vorletzten abgeschlossenen Geschäftsjahres {total} {cmp} {boundary}: {size} "
              "Gesellschaft, Jahresbeitrag {amount}, fällig am {due}.",
    },
    "company_starting": {
        "en": "Year {n} of subjection: a starting company pays the small amount {amount}, due {due}.",
        "fr": "Année {n} d'assujettissement : une société débutante paie le petit montant {amount}, dû le {due}.",
        "nl": "Jaar {n} van onderwerping: een startende vennootschap betaalt het kleine bedrag {amount}, te betalen "
              "uiterlijk {due}.",
        "de": "Jahr {n} der Beitragspflicht: eine neue Gesellschaft zahlt den kleinen Betrag {amount}, "
              "fällig am {due}.",
    },
    "company_late": {
        "en": "Paid on {paid}: {months} month(s) late × {rate} = surcharge {amount}.",
        "fr": "Payé le {paid} : {months} mois de retard × {rate} = majoration {amount}.",
        "nl": "Betaald op {paid}: {months} maand(en) te laat × {rate} = verhoging {amount}.",
        "de": "Bezahlt am {paid}: {months} Monat(e) Verspätung × {rate} = Zuschlag {amount}.",
    },
    "bridging_month": {
        "en": "Bridging right {family}: monthly amount {monthly} in force on {date}.",
        "fr": "Droit passerelle {family} : montant mensuel {monthly} en vigueur le {date}.",
        "nl": "Overbruggingsrecht {family}: maandbedrag {monthly} van kracht op {date}.",
        "de": "Überbrückungsrecht {family}: Monatsbetrag {monthly} gültig am {date}.",
    },
    "bridging_blocks": {
        "en": "{days} day(s) of interruption = {blocks} block(s) of 7 days: {monthly} × {blocks}/4 = {amount}.",
        "fr": "{days} jour(s) d'interruption = {blocks} bloc(s) de 7 jours : {monthly} × {blocks}/4 = {amount}.",
        "nl": "{days} dag(en) onderbreking = {blocks} blok(ken) van 7 dagen: {monthly} × {blocks}/4 = {amount}.",
        "de": "{days} Tag(e) Unterbrechung = {blocks} Block/Blöcke von 7 Tagen: {monthly} × {blocks}/4 = {amount}.",
    },
    "bridging_months": {
        "en": "{months} month(s) × {monthly} = {amount}.",
        "fr": "{months} mois × {monthly} = {amount}.",
        "nl": "{months} maand(en) × {monthly} = {amount}.",
        "de": "{months} Monat(e) × {monthly} = {amount}.",
    },
    "bridging_limit": {
        "en": "Career limit {limit} months, {used} already used: {left} month(s) left.",
        "fr": "Limite de carrière {limit} mois, {used} déjà utilisés : il reste {left} mois.",
        "nl": "Loopbaangrens {limit} maanden, {used} al gebruikt: nog {left} maand(en).",
        "de": "Laufbahngrenze {limit} Monate, {used} bereits genutzt: {left} Monat(e) übrig.",
    },
    "not_eligible": {
        "en": "Not eligible: {reason}.",
        "fr": "Pas de droit : {reason}.",
        "nl": "Geen recht: {reason}.",
        "de": "Kein Anspruch: {reason}.",
    },
    "maternity_week": {
        "en": "Week {n} from {date} ({kind}): {amount}.",
        "fr": "Semaine {n} à partir du {date} ({kind}) : {amount}.",
        "nl": "Week {n} vanaf {date} ({kind}): {amount}.",
        "de": "Woche {n} ab {date} ({kind}): {amount}.",
    },
    "maternity_total": {
        "en": "Maternity allowance: {full} full week(s) and {half} half week(s) = {amount}; plus {vouchers} free "
              "service vouchers (maternity aid, on request to the fund).",
        "fr": "Allocation de maternité : {full} semaine(s) complète(s) et {half} demi-semaine(s) = {amount} ; plus "
              "{vouchers} titres-services gratuits (aide à la maternité, sur demande à la caisse).",
        "nl": "Moederschapsuitkering: {full} volledige week/weken en {half} halve week/weken = {amount}; plus "
              "{vouchers} gratis dienstencheques (moederschapshulp, aan te vragen bij het fonds).",
        "de": "Mutterschaftsgeld: {full} volle Woche(n) und {half} halbe Woche(n) = {amount}; dazu {vouchers} "
              "kostenlose Dienstleistungsschecks (Mutterschaftshilfe, auf Antrag bei der Kasse).",
    },
    "daily_benefit": {
        "en": "{benefit}: {days} day(s) × {daily} + {half_days} half-day(s) × {half} = {amount}.",
        "fr": "{benefit} : {days} jour(s) × {daily} + {half_days} demi-jour(s) × {half} = {amount}.",
        "nl": "{benefit}: {days} dag(en) × {daily} + {half_days} halve dag(en) × {half} = {amount}.",
        "de": "{benefit}: {days} Tag(e) × {daily} + {half_days} halbe(r) Tag(e) × {half} = {amount}.",
    },
    "carer": {
        "en": "Carer leave ({kind}): {months} month(s) × {monthly} = {amount}.",
        "fr": "Congé pour aidant proche ({kind}) : {months} mois × {monthly} = {amount}.",
        "nl": "Mantelzorgverlof ({kind}): {months} maand(en) × {monthly} = {amount}.",
        "de": "Pflegeurlaub ({kind}): {months} Monat(e) × {monthly} = {amount}.",
    },
    "low_confidence": {
        "en": "Caution: {label} {value} ({start}) rests on a single secondary source of low confidence; it will be "
              "replaced by the official figure once published.",
        "fr": "Attention : {label} {value} ({start}) repose sur une seule source secondaire peu fiable ; il sera "
              "remplacé par le montant officiel dès sa publication.",
        "nl": "Let op: {label} {value} ({start}) steunt op één secundaire bron met weinig zekerheid; het wordt "
              "vervangen door het officiële bedrag zodra dat gepubliceerd is.",
        "de": "Achtung: {label} {value} ({start}) beruht auf einer einzigen wenig verlässlichen Sekundärquelle; "
              "er wird durch den amtlichen Betrag ersetzt, sobald dieser veröffentlicht ist.",
    },
    "estimate_used": {
        "en": "Warning: this result uses ESTIMATED amounts (not yet published); it is not a decision.",
        "fr": "Attention : ce résultat utilise des montants ESTIMÉS (pas encore publiés) ; ce n'est pas une décision.",
        "nl": "Let op: dit resultaat gebruikt GERAAMDE bedragen (nog niet gepubliceerd); het is geen beslissing.",
        "de": "Achtung: dieses Ergebnis verwendet GESCHÄTZTE Beträge (noch nicht veröffentlicht); es ist keine "
              "Entscheidung.",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "main": {"en": "main activity", "fr": "à titre principal", "nl": "in hoofdberoep", "de": "hauptberuflich"},
    "main_primostarter": {"en": "main activity, primostarter", "fr": "à titre principal, primo-starter",
                          "nl": "in hoofdberoep, primostarter", "de": "hauptberuflich, Primostarter"},
    "complementary": {"en": "complementary activity", "fr": "à titre complémentaire", "nl": "in bijberoep",
                      "de": "nebenberuflich"},
    "student": {"en": "student self-employed", "fr": "étudiant-indépendant", "nl": "student-zelfstandige",
                "de": "selbständiger Student"},
    "helping_spouse": {"en": "helping spouse (maxi-status)", "fr": "conjoint aidant (maxi-statut)",
                       "nl": "meewerkende echtgenoot (maxistatuut)", "de": "mithelfender Ehepartner (Maxistatut)"},
    "post_pension": {"en": "active after pension age, with pension", "fr": "actif après l'âge de la pension, pensionné",
                     "nl": "actief na de pensioenleeftijd, met pensioen",
                     "de": "tätig nach dem Rentenalter, mit Rente"},
    "post_pension_no_pension": {"en": "active after pension age, without pension",
                                "fr": "actif après l'âge de la pension, sans pension",
                                "nl": "actief na de pensioenleeftijd, zonder pensioen",
                                "de": "tätig nach dem Rentenalter, ohne Rente"},
    "art37": {"en": "art. 37 (assimilated to complementary activity)",
              "fr": "article 37 (assimilé à titre complémentaire)",
              "nl": "artikel 37 (gelijkgesteld met bijberoep)", "de": "Artikel 37 (nebenberuflich gleichgestellt)"},
    "to_pay": {"en": "to pay", "fr": "à payer", "nl": "te betalen", "de": "zu zahlen"},
    "to_refund": {"en": "to refund", "fr": "à rembourser", "nl": "terug te betalen", "de": "zu erstatten"},
    "nothing": {"en": "nothing to pay or refund", "fr": "rien à payer ni à rembourser",
                "nl": "niets te betalen of terug te betalen", "de": "nichts zu zahlen oder zu erstatten"},
    "small": {"en": "small", "fr": "petite", "nl": "kleine", "de": "kleine"},
    "large": {"en": "large", "fr": "grande", "nl": "grote", "de": "große"},
    "single": {"en": "without family charge", "fr": "sans charge de famille", "nl": "zonder gezinslast",
               "de": "ohne Familienlast"},
    "family": {"en": "with family charge", "fr": "avec charge de famille", "nl": "met gezinslast",
               "de": "mit Familienlast"},
    "full_week": {"en": "full week", "fr": "semaine complète", "nl": "volledige week", "de": "volle Woche"},
    "half_week": {"en": "half week", "fr": "demi-semaine", "nl": "halve week", "de": "halbe Woche"},
    "full": {"en": "full interruption", "fr": "interruption complète", "nl": "volledige onderbreking",
             "de": "volle Unterbrechung"},
    "partial": {"en": "partial interruption", "fr": "interruption partielle", "nl": "gedeeltelijke onderbreking",
                "de": "teilweise Unterbrechung"},
    "birth_leave": {"en": "Birth leave", "fr": "Congé de naissance", "nl": "Geboorteverlof", "de": "Geburtsurlaub"},
    "bereavement": {"en": "Bereavement leave", "fr": "Congé de deuil", "nl": "Rouwverlof", "de": "Trauerurlaub"},
    "under_7_days": {"en": "fewer than 7 days of interruption in the month",
                     "fr": "moins de 7 jours d'interruption dans le mois",
                     "nl": "minder dan 7 dagen onderbreking in de maand",
                     "de": "weniger als 7 Tage Unterbrechung im Monat"},
    "paid_quarters": {"en": "fewer than 4 quarters of contributions actually paid in the last 16",
                      "fr": "moins de 4 trimestres de cotisations effectivement payés sur les 16 derniers",
                      "nl": "minder dan 4 werkelijk betaalde kwartalen bijdragen in de laatste 16",
                      "de": "weniger als 4 tatsächlich bezahlte Beitragsquartale in den letzten 16"},
    "career_used": {"en": "the career limit is used up", "fr": "la limite de carrière est épuisée",
                    "nl": "de loopbaangrens is bereikt", "de": "die Laufbahngrenze ist ausgeschöpft"},
}


class Word(str):
    """A glossary word, translated at rendering."""


@dataclass
class Explanation:
    steps: list[tuple[str, dict]] = field(default_factory=list)
    used: dict[tuple[str, date], Value] = field(default_factory=dict)

    def add(self, key: str, **args) -> None:
        if key not in T:
            raise KeyError(key)
        self.steps.append((key, args))

    def use(self, value: Value) -> Value:
        self.used.setdefault((value.name, value.start), value)
        return value

    @property
    def uses_estimates(self) -> bool:
        return any(v.status == "estimate" for v in self.used.values())

    @property
    def low_confidence(self) -> list[Value]:
        return [v for v in self.used.values() if v.confidence == "low"]

    def _arg(self, a: object, lang: str) -> str:
        if isinstance(a, Money):
            return fmt_money(a.cents, lang)
        if isinstance(a, Rate):
            return fmt_rate(a.value, lang)
        if isinstance(a, Word):
            return WORDS[str(a)][lang]
        if isinstance(a, Value):
            return fmt_value(a.value, a.unit, lang)
        if isinstance(a, date):
            return fmt_date(a, lang)
        if isinstance(a, Fraction):
            return fmt_value(a, "ratio", lang)
        return str(a)

    def text(self, lang: str = "en") -> list[str]:
        if lang not in LANGUAGES:
            raise ValueError(lang)
        lines = [T[key][lang].format(**{k: self._arg(v, lang) for k, v in args.items()}) for key, args in self.steps]
        for v in self.low_confidence:
            lines.append(T["low_confidence"][lang].format(label=v.label[lang], value=fmt_value(v.value, v.unit, lang),
                                                          start=fmt_date(v.start, lang)))
        if self.uses_estimates:
            lines.append(T["estimate_used"][lang])
        return lines

    def parameters(self, lang: str = "en") -> list[dict]:
        out = []
        for v in self.used.values():
            out.append({
                "name": v.name,
                "label": v.label[lang],
                "value": plain_value(v.value, v.unit),
                "unit": v.unit,
                "from": v.start.isoformat(),
                "status": v.status,
                "status_text": STATUS_WORDS[v.status][lang],
                "law": v.parameter.law,
                "sources": [{"title": s.title, "url": s.url} for s in v.sources],
                **({"note": v.note} if v.note else {}),
                **({"confidence": v.confidence} if v.confidence else {}),
            })
        return out

    def render(self, lang: str = "en") -> dict:
        return {"language": lang, "steps": self.text(lang), "parameters": self.parameters(lang)}
