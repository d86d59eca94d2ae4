"""What the person reads about the payment of a benefit (fr/nl/de/en): the late-payment interest paid of the fund's
own motion (Charter art. 20), the withholding tax (applied or not), the set-off against contribution debts the
person agreed to. Case messages and lines of the decision PDF; the pain.001 remittance texts (EPC characters)."""

from __future__ import annotations

INTEREST_MESSAGE = {
    "fr": "Votre {kind} (demande n° {claim}, {amount}) devait être payée au plus tard le {due} (Charte de l'assuré "
    "social, art. 12 : dans les 4 mois de la notification de l'octroi). Elle est payée le {paid}, avec {days} jour(s) "
    "de retard. La caisse vous verse d'office des intérêts de retard de {interest} (art. 20 : {base}du {start} au "
    "{end} ; {rates}), par virement avec le prochain paiement des prestations.",
    "nl": "Uw {kind} (aanvraag nr. {claim}, {amount}) moest uiterlijk op {due} betaald zijn (Handvest van de sociaal "
    "verzekerde, art. 12: binnen 4 maanden na de kennisgeving van de toekenning). Ze wordt betaald op {paid}, {days} "
    "dag(en) te laat. Het fonds betaalt u ambtshalve verwijlinteresten van {interest} (art. 20: {base}van {start} "
    "tot {end}; {rates}), per overschrijving met de volgende betaling van de uitkeringen.",
    "de": "Ihre {kind} (Antrag Nr. {claim}, {amount}) war spätestens am {due} zu zahlen (Charta der "
    "Sozialversicherten, Art. 12: innerhalb von 4 Monaten nach der Mitteilung der Bewilligung). Sie wird am {paid} "
    "gezahlt, {days} Tag(e) zu spät. Die Kasse zahlt Ihnen von Amts wegen Verzugszinsen von {interest} (Art. 20: "
    "{base}vom {start} bis zum {end}; {rates}), per Überweisung mit der nächsten Zahlung der Leistungen.",
    "en": "Your {kind} (claim no. {claim}, {amount}) was to be paid by {due} (Charter of the social insured, art. 12: "
    "within 4 months of the notification of the grant). It is paid on {paid}, {days} day(s) late. The fund pays you "
    "late-payment interest of {interest} of its own motion (art. 20: {base}from {start} to {end}; {rates}), by "
    "transfer with the next payment of benefits.",
}
INTEREST_RATE = {
    "fr": "{days} jour(s) à {rate} % l'an", "nl": "{days} dag(en) tegen {rate} % per jaar",
    "de": "{days} Tag(e) zu {rate} % jährlich", "en": "{days} day(s) at {rate} % a year",
}
# the part paid late, when the grant settled the rest on its day (a set-off): said before the interest's period
INTEREST_BASE = {"fr": "sur {base} payés en retard, ", "nl": "op {base} te laat betaald, ",
                 "de": "auf {base}, die verspätet gezahlt wurden, ", "en": "on {base} paid late, "}
INTEREST_SUBJECT = {"fr": "Intérêts de retard — demande n° {claim}", "nl": "Verwijlinteresten — aanvraag nr. {claim}",
                    "de": "Verzugszinsen — Antrag Nr. {claim}", "en": "Late-payment interest — claim no. {claim}"}
# pain.001 remittance information (unstructured, EPC characters: no accents)
REMITTANCE_INTEREST = {"fr": "Interets de retard prestation", "nl": "Verwijlinteresten uitkering",
                       "de": "Verzugszinsen Leistung"}

# --- withholding tax (précompte professionnel / bedrijfsvoorheffing / Berufssteuervorabzug) ----------------------
WITHHOLDING_DOC = {
    "fr": {"gross": "Montant brut : {amount}.",
           "not_applied": "Précompte professionnel : non appliqué — taux non enregistré (la caisse n'a pas de taux "
           "avec sa source pour cette prestation ; elle le retiendra dès qu'il sera enregistré).",
           "applied": "Précompte professionnel retenu : {withheld} ({rate} %, {source}) ; net : {net}."},
    "nl": {"gross": "Brutobedrag: {amount}.",
           "not_applied": "Bedrijfsvoorheffing: niet toegepast — tarief niet geregistreerd (het fonds heeft voor deze "
           "uitkering geen tarief met bron; het houdt ze in zodra het geregistreerd is).",
           "applied": "Ingehouden bedrijfsvoorheffing: {withheld} ({rate} %, {source}); netto: {net}."},
    "de": {"gross": "Bruttobetrag: {amount}.",
           "not_applied": "Berufssteuervorabzug: nicht angewandt — Satz nicht erfasst (die Kasse hat für diese "
           "Leistung keinen Satz mit Quelle; sie behält ihn ein, sobald er erfasst ist).",
           "applied": "Einbehaltener Berufssteuervorabzug: {withheld} ({rate} %, {source}); netto: {net}."},
    "en": {"gross": "Gross amount: {amount}.",
           "not_applied": "Withholding tax: not applied — rate not recorded (the fund has no rate with its source for "
           "this benefit; it will withhold it once recorded).",
           "applied": "Withholding tax withheld: {withheld} ({rate} %, {source}); net: {net}."},
}

# --- set-off against contribution debts, with the person's agreement ----------------------------------------------
SET_OFF_DOC = {
    "fr": {"title": "Compensation avec vos cotisations (avec votre accord du {given})",
           "line": "{period} — {account} : {amount}",
           "total": "Compensé : {set_off} ; reste versé par virement : {paid}.",
           "none": "Votre accord du {given} est enregistré, mais aucune cotisation échue et non contestée (hors plan "
           "de paiement) n'était ouverte : rien n'est compensé, tout est versé par virement."},
    "nl": {"title": "Verrekening met uw bijdragen (met uw akkoord van {given})",
           "line": "{period} — {account}: {amount}",
           "total": "Verrekend: {set_off}; rest betaald per overschrijving: {paid}.",
           "none": "Uw akkoord van {given} is geregistreerd, maar er stond geen vervallen en niet betwiste bijdrage "
           "open (buiten een afbetalingsplan): niets verrekend, alles wordt per overschrijving betaald."},
    "de": {"title": "Verrechnung mit Ihren Beiträgen (mit Ihrem Einverständnis vom {given})",
           "line": "{period} — {account}: {amount}",
           "total": "Verrechnet: {set_off}; Rest per Überweisung gezahlt: {paid}.",
           "none": "Ihr Einverständnis vom {given} ist erfasst, aber kein fälliger, nicht bestrittener Beitrag "
           "(außerhalb eines Zahlungsplans) war offen: nichts verrechnet, alles wird überwiesen."},
    "en": {"title": "Set-off against your contributions (with your agreement of {given})",
           "line": "{period} — {account}: {amount}",
           "total": "Set off: {set_off}; the rest paid by transfer: {paid}.",
           "none": "Your agreement of {given} is recorded, but no contribution due and not contested (outside a "
           "payment plan) was open: nothing set off, everything is paid by transfer."},
}
ACCOUNT = {
    "contribution": {"fr": "cotisations", "nl": "bijdragen", "de": "Beiträge", "en": "contributions"},
    "management_fee": {"fr": "frais de gestion", "nl": "beheerskosten", "de": "Verwaltungskosten",
                       "en": "management fee"},
    "company_contribution": {"fr": "cotisation des sociétés", "nl": "vennootschapsbijdrage",
                             "de": "Gesellschaftsbeitrag", "en": "company contribution"},
    "surcharge": {"fr": "majorations", "nl": "verhogingen", "de": "Zuschläge", "en": "surcharges"},
    "costs": {"fr": "frais", "nl": "kosten", "de": "Kosten", "en": "costs"},
}
SET_OFF_MESSAGE = {
    "fr": "Avec votre accord du {given}, la caisse compense {set_off} de votre {kind} (demande n° {claim}, {amount}) "
    "avec vos cotisations échues : {lines}. Reste versé par virement : {paid}.",
    "nl": "Met uw akkoord van {given} verrekent het fonds {set_off} van uw {kind} (aanvraag nr. {claim}, {amount}) "
    "met uw vervallen bijdragen: {lines}. Rest betaald per overschrijving: {paid}.",
    "de": "Mit Ihrem Einverständnis vom {given} verrechnet die Kasse {set_off} Ihrer {kind} (Antrag Nr. {claim}, "
    "{amount}) mit Ihren fälligen Beiträgen: {lines}. Rest per Überweisung gezahlt: {paid}.",
    "en": "With your agreement of {given}, the fund sets off {set_off} of your {kind} (claim no. {claim}, {amount}) "
    "against your contributions due: {lines}. The rest paid by transfer: {paid}.",
}
CONSENT_MESSAGE = {
    "fr": "Votre accord est enregistré le {given} : la caisse compensera votre {kind} (demande n° {claim}) avec vos "
    "cotisations échues, non contestées et hors plan de paiement{limit}, au moment du paiement ; le reste vous sera "
    "versé. Vous recevrez le détail, trimestre par trimestre. Vous pouvez retirer cet accord tant que le paiement "
    "n'est pas ordonné.",
    "nl": "Uw akkoord is geregistreerd op {given}: het fonds verrekent uw {kind} (aanvraag nr. {claim}) met uw "
    "vervallen, niet betwiste bijdragen buiten een afbetalingsplan{limit}, bij de betaling; de rest wordt u betaald. U "
    "ontvangt het detail per kwartaal. U kunt dit akkoord intrekken zolang de betaling niet is opgedragen.",
    "de": "Ihr Einverständnis ist am {given} erfasst: die Kasse verrechnet Ihre {kind} (Antrag Nr. {claim}) bei der "
    "Zahlung mit Ihren fälligen, nicht bestrittenen Beiträgen außerhalb eines Zahlungsplans{limit}; der Rest wird "
    "Ihnen gezahlt. Sie erhalten die Einzelheiten je Quartal. Sie können das Einverständnis widerrufen, solange die "
    "Zahlung nicht angewiesen ist.",
    "en": "Your agreement is recorded on {given}: the fund will set off your {kind} (claim no. {claim}) against your "
    "contributions due, not contested and outside a payment plan{limit}, when it is paid; the rest is paid to you. "
    "You will receive the detail, quarter by quarter. You may withdraw this agreement until the payment is ordered.",
}
CONSENT_LIMIT = {"fr": ", à concurrence de {amount}", "nl": ", tot {amount}", "de": ", bis zu {amount}",
                 "en": ", up to {amount}"}
CONSENT_WITHDRAWN = {
    "fr": "Votre accord de compensation pour la demande n° {claim} est retiré le {date} : rien ne sera compensé.",
    "nl": "Uw akkoord tot verrekening voor aanvraag nr. {claim} is ingetrokken op {date}: niets wordt verrekend.",
    "de": "Ihr Einverständnis zur Verrechnung für Antrag Nr. {claim} wurde am {date} widerrufen: nichts wird "
    "verrechnet.",
    "en": "Your agreement to the set-off for claim no. {claim} was withdrawn on {date}: nothing will be set off.",
}
