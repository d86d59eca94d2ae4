"""The words of a benefit decision in fr / nl / de / en: benefit names, checks, reasons of a refusal, appeal route.

Reasons are rendered when the decision is taken and stored with it, so a document printed later says exactly what
was decided. Glossary: droit passerelle / overbruggingsrecht / Überbrückungsrecht, tribunal du travail /
arbeidsrechtbank / Arbeitsgericht.
"""

from __future__ import annotations

LANGS = ("fr", "nl", "de", "en")

KIND = {
    "bridging_right": {
        "fr": "droit passerelle",
        "nl": "overbruggingsrecht",
        "de": "Überbrückungsrecht",
        "en": "bridging right",
    },
    "maternity": {
        "fr": "allocation de maternité",
        "nl": "moederschapsuitkering",
        "de": "Mutterschaftsgeld",
        "en": "maternity allowance",
    },
    "birth_leave": {"fr": "congé de naissance", "nl": "geboorteverlof", "de": "Geburtsurlaub", "en": "birth leave"},
    "adoption": {"fr": "congé d'adoption", "nl": "adoptieverlof", "de": "Adoptionsurlaub", "en": "adoption leave"},
    "carer": {
        "fr": "allocation d'aidant proche",
        "nl": "mantelzorguitkering",
        "de": "Pflegeurlaubsgeld",
        "en": "carer leave allowance",
    },
    "bereavement": {
        "fr": "allocation de deuil",
        "nl": "rouwuitkering",
        "de": "Trauergeld",
        "en": "bereavement allowance",
    },
}

CASE = {
    "bankruptcy": {"fr": "faillite", "nl": "faillissement", "de": "Konkurs", "en": "bankruptcy"},
    "disaster": {"fr": "catastrophe naturelle", "nl": "natuurramp", "de": "Naturkatastrophe", "en": "natural disaster"},
    "fire": {"fr": "incendie", "nl": "brand", "de": "Brand", "en": "fire"},
    "damage": {"fr": "dégâts", "nl": "schade", "de": "Schaden", "en": "damage"},
    "allergy": {"fr": "allergie", "nl": "allergie", "de": "Allergie", "en": "allergy"},
    "third_party": {
        "fr": "décision d'un tiers",
        "nl": "beslissing van een derde",
        "de": "Entscheidung eines Dritten",
        "en": "decision of a third party",
    },
    "economic_event": {
        "fr": "événement à impact économique",
        "nl": "gebeurtenis met economische impact",
        "de": "Ereignis mit wirtschaftlichen Folgen",
        "en": "event with an economic impact",
    },
    "economic_difficulties": {
        "fr": "cessation pour difficultés économiques",
        "nl": "stopzetting om economische redenen",
        "de": "Einstellung aus wirtschaftlichen Gründen",
        "en": "cessation for economic difficulties",
    },
    "collective_debt_settlement": {
        "fr": "règlement collectif de dettes",
        "nl": "collectieve schuldenregeling",
        "de": "kollektive Schuldenregelung",
        "en": "collective debt settlement",
    },
}

# A check: its text when met and when not (the reason of a refusal). {args} filled from the check's detail.
CHECK = {
    "affiliated": {
        "fr": "Affilié(e) comme indépendant(e) {category} le {date}.",
        "nl": "Aangesloten als zelfstandige ({category}) op {date}.",
        "de": "Angeschlossen als Selbständige(r) ({category}) am {date}.",
        "en": "Affiliated as self-employed ({category}) on {date}.",
    },
    "not_affiliated": {
        "fr": "Vous n'étiez pas affilié(e) à la caisse comme indépendant(e) le {date} ; cette prestation suppose "
        "l'affiliation à cette date ({law}).",
        "nl": "U was op {date} niet als zelfstandige bij het fonds aangesloten; deze uitkering vereist de "
        "aansluiting op die datum ({law}).",
        "de": "Sie waren am {date} nicht als Selbständige(r) bei der Kasse angeschlossen; diese Leistung setzt den "
        "Anschluss an diesem Tag voraus ({law}).",
        "en": "You were not affiliated with the fund as self-employed on {date}; this benefit requires the "
        "affiliation on that date ({law}).",
    },
    "wrong_category": {
        "fr": "Le {date}, vous étiez affilié(e) dans la catégorie « {category} » ; cette prestation est réservée "
        "aux indépendant(e)s à titre principal et aux conjoints aidants (maxi-statut) ({law}).",
        "nl": "Op {date} was u aangesloten in de categorie „{category}”; deze uitkering is voorbehouden aan "
        "zelfstandigen in hoofdberoep en meewerkende echtgenoten (maxistatuut) ({law}).",
        "de": "Am {date} waren Sie in der Kategorie „{category}“ angeschlossen; diese Leistung ist hauptberuflich "
        "Selbständigen und mithelfenden Ehepartnern (Maxi-Statut) vorbehalten ({law}).",
        "en": "On {date} you were affiliated in the category '{category}'; this benefit is for main-activity "
        "self-employed persons and helping spouses (maxi status) ({law}).",
    },
    "window": {
        "fr": "Période du {start} au {end}, dans le délai (du {low} au {high}).",
        "nl": "Periode van {start} tot {end}, binnen de termijn (van {low} tot {high}).",
        "de": "Zeitraum vom {start} bis {end}, innerhalb der Frist (vom {low} bis {high}).",
        "en": "Period from {start} to {end}, within the window ({low} to {high}).",
    },
    "outside_window": {
        "fr": "La période demandée (du {start} au {end}) sort du délai légal : du {low} au {high} ({law}).",
        "nl": "De gevraagde periode (van {start} tot {end}) valt buiten de wettelijke termijn: van {low} tot "
        "{high} ({law}).",
        "de": "Der beantragte Zeitraum (vom {start} bis {end}) liegt außerhalb der gesetzlichen Frist: vom {low} "
        "bis {high} ({law}).",
        "en": "The period claimed ({start} to {end}) is outside the legal window: {low} to {high} ({law}).",
    },
    "request_in_time": {
        "fr": "Demande reçue le {received}, au plus tard le {limit}.",
        "nl": "Aanvraag ontvangen op {received}, uiterlijk op {limit}.",
        "de": "Antrag eingegangen am {received}, spätestens am {limit}.",
        "en": "Request received on {received}, by {limit} at the latest.",
    },
    "request_in_time_rule": {
        "fr": "Demande reçue le {received}, au plus tard le {limit} ({law}).",
        "nl": "Aanvraag ontvangen op {received}, uiterlijk op {limit} ({law}).",
        "de": "Antrag eingegangen am {received}, spätestens am {limit} ({law}).",
        "en": "Request received on {received}, by {limit} at the latest ({law}).",
    },
    "request_late": {
        "fr": "La demande a été reçue le {received}, après la date limite du {limit} ({law}).",
        "nl": "De aanvraag werd ontvangen op {received}, na de uiterste datum van {limit} ({law}).",
        "de": "Der Antrag ging am {received} ein, nach der Frist vom {limit} ({law}).",
        "en": "The request was received on {received}, after the time limit of {limit} ({law}).",
    },
    "paid_quarters": {
        "fr": "Cotisations payées pour {paid} des trimestres exigés ({quarters}) ; minimum {need}.",
        "nl": "Bijdragen betaald voor {paid} van de vereiste kwartalen ({quarters}); minimum {need}.",
        "de": "Beiträge bezahlt für {paid} der verlangten Quartale ({quarters}); mindestens {need}.",
        "en": "Contributions paid for {paid} of the quarters required ({quarters}); at least {need}.",
    },
    "quarters_unpaid": {
        "fr": "Les cotisations de {paid} trimestre(s) seulement sont payées parmi {quarters} ; il en faut {need} "
        "({law}). Trimestres non payés : {unpaid}.",
        "nl": "Slechts voor {paid} kwarta(a)l(en) van {quarters} zijn de bijdragen betaald; er zijn er {need} "
        "nodig ({law}). Niet betaalde kwartalen: {unpaid}.",
        "de": "Nur für {paid} Quartal(e) von {quarters} sind die Beiträge bezahlt; nötig sind {need} ({law}). "
        "Nicht bezahlte Quartale: {unpaid}.",
        "en": "Contributions are paid for only {paid} of the quarters {quarters}; {need} are required ({law}). "
        "Unpaid quarters: {unpaid}.",
    },
    "no_overlap": {
        "fr": "Aucune autre prestation accordée pour la même période.",
        "nl": "Geen andere uitkering toegekend voor dezelfde periode.",
        "de": "Keine andere Leistung für denselben Zeitraum gewährt.",
        "en": "No other benefit granted for the same period.",
    },
    "overlap": {
        "fr": "La période demandée chevauche celle de la demande n° {other} ({other_kind}, du {other_start} au "
        "{other_end}) déjà accordée : une même période n'est indemnisée qu'une fois.",
        "nl": "De gevraagde periode overlapt met die van de reeds toegekende aanvraag nr. {other} ({other_kind}, "
        "van {other_start} tot {other_end}): eenzelfde periode wordt maar één keer vergoed.",
        "de": "Der beantragte Zeitraum überschneidet sich mit dem des bereits gewährten Antrags Nr. {other} "
        "({other_kind}, vom {other_start} bis {other_end}): derselbe Zeitraum wird nur einmal entschädigt.",
        "en": "The period claimed overlaps that of claim no. {other} ({other_kind}, {other_start} to {other_end}), "
        "already granted: a period is compensated only once.",
    },
    "career": {
        "fr": "Compteur de carrière : {used} {unit} déjà accordé(s), maximum {limit} ({law}).",
        "nl": "Loopbaanteller: {used} {unit} reeds toegekend, maximum {limit} ({law}).",
        "de": "Laufbahnzähler: {used} {unit} bereits gewährt, höchstens {limit} ({law}).",
        "en": "Career counter: {used} {unit} already granted, at most {limit} ({law}).",
    },
    "career_used": {
        "fr": "Le maximum de {limit} {unit} sur l'ensemble de la carrière est atteint : {used} {unit} déjà "
        "accordé(s) ({law}).",
        "nl": "Het maximum van {limit} {unit} over de hele loopbaan is bereikt: {used} {unit} reeds toegekend ({law}).",
        "de": "Das Maximum von {limit} {unit} über die gesamte Laufbahn ist erreicht: {used} {unit} bereits "
        "gewährt ({law}).",
        "en": "The maximum of {limit} {unit} over the whole career is reached: {used} {unit} already granted ({law}).",
    },
    "career_partly": {
        "fr": "Seuls {granted} des {asked} {unit} demandés restent disponibles sur la carrière (maximum {limit}, "
        "{used} déjà accordés) ({law}).",
        "nl": "Slechts {granted} van de {asked} gevraagde {unit} blijven beschikbaar over de loopbaan (maximum "
        "{limit}, {used} reeds toegekend) ({law}).",
        "de": "Nur {granted} der {asked} beantragten {unit} bleiben über die Laufbahn verfügbar (höchstens "
        "{limit}, {used} bereits gewährt) ({law}).",
        "en": "Only {granted} of the {asked} {unit} claimed are left over the career (at most {limit}, {used} "
        "already granted) ({law}).",
    },
    "days_used": {
        "fr": "Pour le même événement du {event}, {used} {unit} sont déjà accordés ; avec les {asked} demandés, "
        "le maximum de {limit} serait dépassé ({law}).",
        "nl": "Voor dezelfde gebeurtenis van {event} zijn al {used} {unit} toegekend; met de {asked} gevraagde "
        "zou het maximum van {limit} overschreden worden ({law}).",
        "de": "Für dasselbe Ereignis vom {event} sind bereits {used} {unit} gewährt; mit den {asked} beantragten "
        "würde das Maximum von {limit} überschritten ({law}).",
        "en": "For the same event of {event}, {used} {unit} are already granted; with the {asked} claimed the "
        "maximum of {limit} would be exceeded ({law}).",
    },
    "rule_refused": {
        "fr": "Les conditions de calcul ne sont pas remplies : {why}.",
        "nl": "De berekeningsvoorwaarden zijn niet vervuld: {why}.",
        "de": "Die Berechnungsvoraussetzungen sind nicht erfüllt: {why}.",
        "en": "The conditions of the computation are not met: {why}.",
    },
}

UNIT = {
    "months": {"fr": "mois", "nl": "maanden", "de": "Monate", "en": "months"},
    "days": {"fr": "jours", "nl": "dagen", "de": "Tage", "en": "days"},
    "half_days": {"fr": "demi-jours", "nl": "halve dagen", "de": "halbe Tage", "en": "half-days"},
}

CATEGORY = {  # glossary.md
    "main": {"fr": "à titre principal", "nl": "hoofdberoep", "de": "hauptberuflich", "en": "main activity"},
    "complementary": {
        "fr": "à titre complémentaire",
        "nl": "bijberoep",
        "de": "nebenberuflich",
        "en": "complementary activity",
    },
    "student": {
        "fr": "étudiant-indépendant",
        "nl": "student-zelfstandige",
        "de": "selbständiger Student",
        "en": "self-employed student",
    },
    "helping_spouse": {
        "fr": "conjoint aidant (maxi-statut)",
        "nl": "meewerkende echtgenoot (maxistatuut)",
        "de": "mithelfender Ehepartner (Maxi-Statut)",
        "en": "helping spouse (maxi status)",
    },
    "post_pension": {
        "fr": "actif après l'âge de la pension",
        "nl": "actief na de pensioenleeftijd",
        "de": "nach dem Rentenalter tätig",
        "en": "active after pension age",
    },
    "art37": {
        "fr": "assimilé à titre complémentaire (art. 37)",
        "nl": "gelijkgesteld met bijberoep (art. 37)",
        "de": "nebenberuflich gleichgestellt (Art. 37)",
        "en": "treated as complementary (art. 37)",
    },
}

DOC = {
    "fr": {
        "title_granted": "Décision d'octroi — {kind}",
        "title_refused": "Décision de refus — {kind}",
        "claim": "Demande n° {claim} reçue le {received} — décision du {decided}",
        "facts": "Les faits",
        "checks": "Les conditions vérifiées",
        "reasons": "Motifs du refus",
        "computation": "Le calcul (règle appliquée : {rule})",
        "parameters": "Montants et paramètres légaux utilisés",
        "amount": "Montant accordé : {amount}",
        "amount_zero": "Aucun montant n'est accordé.",
        "payment": "Paiement par virement sur votre compte connu de la caisse, au plus tard le {due} (Charte de "
        "l'assuré social, art. 12 : dans les {months} mois de la notification de l'octroi).",
        "mutuality": "Cette allocation est payée par votre mutualité, pas par la caisse ; la caisse vous a "
        "accordé l'aide à la maternité ({vouchers} titres-services sur demande).",
        "appeal_title": "Recours",
        "appeal": "Vous pouvez contester cette décision devant le tribunal du travail compétent. Le recours doit "
        "être introduit, à peine de déchéance, dans les {months} mois de la notification de cette "
        "décision ou de la prise de connaissance de celle-ci ({law} ; {sources}).",
        "contact": "Pour toute explication, contactez le service des prestations de la caisse ({phone}, {email}) en "
        "citant la demande n° {claim} (dossier {file}).",
        "header": "Dossier {file} — demande n° {claim} — {phone} — {email}",
        "estimate": "ATTENTION : cette décision repose sur une estimation.",
        "fact_keys": {
            "case": "cas",
            "event_date": "date de l'événement",
            "start": "début",
            "end": "fin",
            "months": "mois",
            "days": "jours",
            "half_days": "demi-jours",
            "family_charge": "charge de famille",
            "birth_date": "date de naissance",
            "death_date": "date du décès",
            "full_weeks": "semaines complètes",
            "half_weeks": "demi-semaines",
            "multiple_birth": "naissance multiple",
            "partial": "interruption partielle",
            "months_before": "mois déjà perçus ailleurs",
            "pension_quarters": "trimestres constitutifs de pension",
        },
        "yes": "oui",
        "no": "non",
    },
    "nl": {
        "title_granted": "Beslissing tot toekenning — {kind}",
        "title_refused": "Beslissing tot weigering — {kind}",
        "claim": "Aanvraag nr. {claim} ontvangen op {received} — beslissing van {decided}",
        "facts": "De feiten",
        "checks": "De gecontroleerde voorwaarden",
        "reasons": "Redenen van de weigering",
        "computation": "De berekening (toegepaste regel: {rule})",
        "parameters": "Gebruikte wettelijke bedragen en parameters",
        "amount": "Toegekend bedrag: {amount}",
        "amount_zero": "Er wordt geen bedrag toegekend.",
        "payment": "Betaling per overschrijving op uw rekening die het fonds kent, uiterlijk op {due} (Handvest van "
        "de sociaal verzekerde, art. 12: binnen {months} maanden na de kennisgeving van de toekenning).",
        "mutuality": "Deze uitkering wordt betaald door uw ziekenfonds, niet door het fonds; het fonds kent u de "
        "moederschapshulp toe ({vouchers} dienstencheques op aanvraag).",
        "appeal_title": "Beroep",
        "appeal": "U kunt deze beslissing betwisten bij de bevoegde arbeidsrechtbank. Het beroep moet, op straffe "
        "van verval, worden ingesteld binnen {months} maanden na de kennisgeving van deze beslissing of "
        "na de kennisneming ervan ({law}; {sources}).",
        "contact": "Voor uitleg kunt u de dienst uitkeringen van het fonds contacteren ({phone}, {email}) met "
        "vermelding van aanvraag nr. {claim} (dossier {file}).",
        "header": "Dossier {file} — aanvraag nr. {claim} — {phone} — {email}",
        "estimate": "OPGELET: deze beslissing steunt op een raming.",
        "fact_keys": {
            "case": "geval",
            "event_date": "datum van de gebeurtenis",
            "start": "begin",
            "end": "einde",
            "months": "maanden",
            "days": "dagen",
            "half_days": "halve dagen",
            "family_charge": "gezinslast",
            "birth_date": "geboortedatum",
            "death_date": "datum van overlijden",
            "full_weeks": "volledige weken",
            "half_weeks": "halve weken",
            "multiple_birth": "meerling",
            "partial": "gedeeltelijke onderbreking",
            "months_before": "maanden elders ontvangen",
            "pension_quarters": "pensioenopbouwende kwartalen",
        },
        "yes": "ja",
        "no": "nee",
    },
    "de": {
        "title_granted": "Bewilligungsentscheidung — {kind}",
        "title_refused": "Ablehnungsentscheidung — {kind}",
        "claim": "Antrag Nr. {claim} eingegangen am {received} — Entscheidung vom {decided}",
        "facts": "Der Sachverhalt",
        "checks": "Die geprüften Voraussetzungen",
        "reasons": "Gründe der Ablehnung",
        "computation": "Die Berechnung (angewandte Regel: {rule})",
        "parameters": "Verwendete gesetzliche Beträge und Parameter",
        "amount": "Gewährter Betrag: {amount}",
        "amount_zero": "Es wird kein Betrag gewährt.",
        "payment": "Zahlung per Überweisung auf Ihr der Kasse bekanntes Konto, spätestens am {due} (Charta der "
        "Sozialversicherten, Art. 12: innerhalb von {months} Monaten nach der Mitteilung der Bewilligung).",
        "mutuality": "Diese Leistung zahlt Ihre Krankenkasse, nicht die Kasse; die Kasse gewährt Ihnen die "
        "Mutterschaftshilfe ({vouchers} Dienstleistungsschecks auf Antrag).",
        "appeal_title": "Klage",
        "appeal": "Sie können diese Entscheidung vor dem zuständigen Arbeitsgericht anfechten. Die Klage muss bei "
        "Strafe des Verfalls innerhalb von {months} Monaten nach der Mitteilung dieser Entscheidung oder "
        "nach Kenntnisnahme davon eingereicht werden ({law}; {sources}).",
        "contact": "Für Erklärungen wenden Sie sich an den Leistungsdienst der Kasse ({phone}, {email}) unter Angabe "
        "des Antrags Nr. {claim} (Akte {file}).",
        "header": "Akte {file} — Antrag Nr. {claim} — {phone} — {email}",
        "estimate": "ACHTUNG: diese Entscheidung beruht auf einer Schätzung.",
        "fact_keys": {
            "case": "Fall",
            "event_date": "Datum des Ereignisses",
            "start": "Beginn",
            "end": "Ende",
            "months": "Monate",
            "days": "Tage",
            "half_days": "halbe Tage",
            "family_charge": "Familienlast",
            "birth_date": "Geburtsdatum",
            "death_date": "Sterbedatum",
            "full_weeks": "volle Wochen",
            "half_weeks": "halbe Wochen",
            "multiple_birth": "Mehrlingsgeburt",
            "partial": "teilweise Unterbrechung",
            "months_before": "anderswo erhaltene Monate",
            "pension_quarters": "rentenbildende Quartale",
        },
        "yes": "ja",
        "no": "nein",
    },
}

# --- legal grounds, in the reader's language (legislation.md / addendum sections and sources) ----------------------

LAW = {
    "bridging_right": {
        "fr": "droit passerelle, legislation §8.1 [S41][S118]",
        "nl": "overbruggingsrecht, wetgeving §8.1 [S41][S118]",
        "de": "Überbrückungsrecht, Rechtsvorschriften §8.1 [S41][S118]",
        "en": "bridging right, legislation §8.1 [S41][S118]",
    },
    "maternity": {
        "fr": "assurance maternité des indépendants, legislation §8.2 [S44]",
        "nl": "moederschapsverzekering van de zelfstandigen, wetgeving §8.2 [S44]",
        "de": "Mutterschaftsversicherung der Selbständigen, Rechtsvorschriften §8.2 [S44]",
        "en": "maternity insurance of the self-employed, legislation §8.2 [S44]",
    },
    "birth_leave": {
        "fr": "congé de naissance, legislation §8.3 [S121][S259]",
        "nl": "geboorteverlof, wetgeving §8.3 [S121][S259]",
        "de": "Geburtsurlaub, Rechtsvorschriften §8.3 [S121][S259]",
        "en": "birth leave, legislation §8.3 [S121][S259]",
    },
    "adoption": {
        "fr": "congé d'adoption, addendum §8.4",
        "nl": "adoptieverlof, addendum §8.4",
        "de": "Adoptionsurlaub, Nachtrag §8.4",
        "en": "adoption leave, addendum §8.4",
    },
    "carer": {
        "fr": "allocation d'aidant proche, legislation §8.5 [S53]",
        "nl": "mantelzorguitkering, wetgeving §8.5 [S53]",
        "de": "Pflegeurlaubsgeld, Rechtsvorschriften §8.5 [S53]",
        "en": "carer leave allowance, legislation §8.5 [S53]",
    },
    "bereavement": {
        "fr": "allocation de deuil, legislation §8.6 [S124]",
        "nl": "rouwuitkering, wetgeving §8.6 [S124]",
        "de": "Trauergeld, Rechtsvorschriften §8.6 [S124]",
        "en": "bereavement allowance, legislation §8.6 [S124]",
    },
}

BIRTH_REQUEST_LAW = {
    "fr": "demande au plus tard le dernier jour du trimestre qui suit le trimestre de la naissance, un mois de plus "
    "pour un enfant né le troisième mois d'un trimestre — addendum §8.3 [S258]",
    "nl": "aanvraag uiterlijk op de laatste dag van het kwartaal dat volgt op het kwartaal van de geboorte, een maand "
    "langer voor een kind geboren in de derde maand van een kwartaal — addendum §8.3 [S258]",
    "de": "Antrag spätestens am letzten Tag des Quartals nach dem Geburtsquartal, einen Monat länger für ein im "
    "dritten Monat eines Quartals geborenes Kind — Nachtrag §8.3 [S258]",
    "en": "request by the last day of the quarter following the quarter of birth, one month more for a child born in "
    "the third month of a quarter — addendum §8.3 [S258]",
}

# The request deadlines of carer and bereavement leave. Where the notes leave the counting open, the reading caisse
# applies is part of the legal ground, so the decision states it (legislation §8.5, addendum §8.6).
CARER_REQUEST_LAW = {
    "fr": "demande dans les 4 semaines, par lettre recommandée ou dépôt contre accusé de réception — legislation §8.5 "
    "[S53] ; les notes ne disent pas à partir de quel jour courent les 4 semaines : la caisse les compte à partir du "
    "premier jour de l'interruption (hypothèse de la caisse)",
    "nl": "aanvraag binnen 4 weken, per aangetekende brief of afgifte tegen ontvangstbewijs — wetgeving §8.5 [S53]; de "
    "nota's zeggen niet vanaf welke dag de 4 weken lopen: het fonds telt ze vanaf de eerste dag van de onderbreking "
    "(aanname van het fonds)",
    "de": "Antrag innerhalb von 4 Wochen, per Einschreiben oder Abgabe gegen Empfangsbestätigung — Rechtsvorschriften "
    "§8.5 [S53]; die Unterlagen sagen nicht, ab welchem Tag die 4 Wochen laufen: die Kasse zählt sie ab dem ersten "
    "Tag der Unterbrechung (Annahme der Kasse)",
    "en": "request within 4 weeks, by registered letter or deposit against receipt — legislation §8.5 [S53]; the notes "
    "do not say from which day the 4 weeks run: the fund counts them from the first day of the interruption (the "
    "fund's assumption)",
}

BEREAVEMENT_REQUEST_LAW = {
    "fr": "demande « au plus tard le dernier jour de l'année qui suit la date du décès » — addendum §8.6 [S203] ; "
    "lu comme le 31 décembre de l'année qui suit celle du décès (hypothèse de la caisse : les notes reprennent la "
    "formule telle que publiée)",
    "nl": "aanvraag „uiterlijk op de laatste dag van het jaar dat volgt op de datum van het overlijden” — addendum "
    "§8.6 [S203]; gelezen als 31 december van het jaar na dat van het overlijden (aanname van het fonds: de nota's "
    "nemen de formulering over zoals gepubliceerd)",
    "de": "Antrag „spätestens am letzten Tag des Jahres, das auf das Sterbedatum folgt“ — Nachtrag §8.6 [S203]; "
    "gelesen als der 31. Dezember des Jahres nach dem Todesjahr (Annahme der Kasse: die Unterlagen geben die "
    "Formulierung wie veröffentlicht wieder)",
    "en": "request \"at the latest on the last day of the year following the date of death\" — addendum §8.6 [S203]; "
    "read as 31 December of the year after the year of the death (the fund's assumption: the notes give the wording "
    "as published)",
}

# The ``law`` of the parameter files (French, as published) in the reader's language.
PARAMETER_LAW = {
    "Charte de l'assuré social (loi du 11-4-1995), art. 10": {
        "nl": "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 10",
        "de": "Charta der Sozialversicherten (Gesetz vom 11-4-1995), Art. 10",
        "en": "Charter of the social insured (law of 11-4-1995), art. 10"},
    "Charte de l'assuré social (loi du 11-4-1995), art. 11": {
        "nl": "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 11",
        "de": "Charta der Sozialversicherten (Gesetz vom 11-4-1995), Art. 11",
        "en": "Charter of the social insured (law of 11-4-1995), art. 11"},
    "Charte de l'assuré social (loi du 11-4-1995), art. 12": {
        "nl": "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 12",
        "de": "Charta der Sozialversicherten (Gesetz vom 11-4-1995), Art. 12",
        "en": "Charter of the social insured (law of 11-4-1995), art. 12"},
    "Charte de l'assuré social (loi du 11-4-1995), art. 20": {
        "nl": "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 20",
        "de": "Charta der Sozialversicherten (Gesetz vom 11-4-1995), Art. 20",
        "en": "Charter of the social insured (law of 11-4-1995), art. 20"},
    "Charte de l'assuré social (loi du 11-4-1995), art. 23": {
        "nl": "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 23",
        "de": "Charta der Sozialversicherten (Gesetz vom 11-4-1995), Art. 23",
        "en": "Charter of the social insured (law of 11-4-1995), art. 23"},
    "aide à la maternité des indépendantes": {
        "nl": "moederschapshulp voor zelfstandigen", "de": "Mutterschaftshilfe für Selbständige",
        "en": "maternity aid for self-employed women"},
    "allocation d'aidant proche des indépendants": {
        "nl": "mantelzorguitkering voor zelfstandigen", "de": "Pflegeurlaubsgeld für Selbständige",
        "en": "carer leave allowance of the self-employed"},
    "allocation d'aidant proche": {"nl": "mantelzorguitkering", "de": "Pflegeurlaubsgeld",
                                   "en": "carer leave allowance"},
    "allocation de deuil des indépendants": {"nl": "rouwuitkering voor zelfstandigen",
                                             "de": "Trauergeld für Selbständige",
                                             "en": "bereavement allowance of the self-employed"},
    "assurance maternité des indépendants (INAMI/RIZIV)": {
        "nl": "moederschapsverzekering van de zelfstandigen (RIZIV)",
        "de": "Mutterschaftsversicherung der Selbständigen (LIKIV)",
        "en": "maternity insurance of the self-employed (INAMI/RIZIV)"},
    "assurance maternité des indépendants": {"nl": "moederschapsverzekering van de zelfstandigen",
                                             "de": "Mutterschaftsversicherung der Selbständigen",
                                             "en": "maternity insurance of the self-employed"},
    "congé de naissance, naissances à partir du 1-1-2023": {
        "nl": "geboorteverlof, geboorten vanaf 1-1-2023", "de": "Geburtsurlaub, Geburten ab dem 1-1-2023",
        "en": "birth leave, births from 1-1-2023"},
    "congé de paternité et de naissance des indépendants": {
        "nl": "vaderschaps- en geboorteverlof van de zelfstandigen",
        "de": "Vaterschafts- und Geburtsurlaub der Selbständigen",
        "en": "paternity and birth leave of the self-employed"},
    "droit passerelle (réforme au 1-1-2023)": {"nl": "overbruggingsrecht (hervorming op 1-1-2023)",
                                               "de": "Überbrückungsrecht (Reform zum 1-1-2023)",
                                               "en": "bridging right (reform of 1-1-2023)"},
    "droit passerelle": {"nl": "overbruggingsrecht", "de": "Überbrückungsrecht", "en": "bridging right"},
    "droit passerelle, cumul depuis le 1-1-2023": {"nl": "overbruggingsrecht, cumulatie sinds 1-1-2023",
                                                   "de": "Überbrückungsrecht, Kumulierung seit dem 1-1-2023",
                                                   "en": "bridging right, cumulation since 1-1-2023"},
    "dispense de cotisations (maternité)": {"nl": "vrijstelling van bijdragen (moederschap)",
                                            "de": "Beitragsbefreiung (Mutterschaft)",
                                            "en": "dispensation of contributions (maternity)"},
    "politique de la caisse (aucun délai légal dans les notes)": {
        "nl": "beleid van het fonds (geen wettelijke termijn in de nota's)",
        "de": "Politik der Kasse (keine gesetzliche Frist in den Unterlagen)",
        "en": "fund policy (no legal delay in the notes)"},
    "récupération de l'indu : limite de la retenue (absente des notes)": {
        "nl": "terugvordering van het onverschuldigde: grens van de inhouding (niet in de nota's)",
        "de": "Rückforderung zu Unrecht gezahlter Leistungen: Grenze des Einbehalts (nicht in den Unterlagen)",
        "en": "recovery of undue benefits: limit of the set-off (not in the notes)"},
    "récupération de l'indu : prescription (absente des notes)": {
        "nl": "terugvordering van het onverschuldigde: verjaring (niet in de nota's)",
        "de": "Rückforderung zu Unrecht gezahlter Leistungen: Verjährung (nicht in den Unterlagen)",
        "en": "recovery of undue benefits: prescription (not in the notes)"},
    "dispense de cotisations (aidant proche)": {"nl": "vrijstelling van bijdragen (mantelzorg)",
                                                "de": "Beitragsbefreiung (Pflegeurlaub)",
                                                "en": "dispensation of contributions (carer leave)"},
    "congé de paternité et de naissance des indépendants (titres-services)": {
        "nl": "vaderschaps- en geboorteverlof voor zelfstandigen (dienstencheques)",
        "de": "Vaterschafts- und Geburtsurlaub für Selbständige (Dienstleistungsschecks)",
        "en": "paternity and birth leave of the self-employed (service vouchers)"},
    "politique de la caisse (flux L410 : le contenu et la période ne sont pas dans les notes)": {
        "nl": "beleid van het fonds (stroom L410: inhoud en periode niet in de nota's)",
        "de": "Politik der Kasse (Datenfluss L410: Inhalt und Zeitraum nicht in den Unterlagen)",
        "en": "fund policy (L410 flow: content and period not in the notes)"},
}


def parameter_law(law: str, lang: str) -> str:
    """A parameter file's ``law`` (French) in ``lang``; unchanged when no translation is recorded."""
    if lang == "fr":
        return law
    return PARAMETER_LAW.get(law, {}).get(lang, law)


# --- checks added with the cumulation and dispensation rules (legislation §8.1, §8.2, §8.5, addendum §8.5) ---------

CHECK.update({
    "cumulation": {
        "fr": "Reprise d'activité pendant {cumulation} mois après {interruption} mois d'interruption totale : "
        "cumul permis (au moins 1 mois complet d'interruption, 1 mois de cumul par mois d'interruption, au plus "
        "{max} mois) ({law}).",
        "nl": "Hervatting van de activiteit gedurende {cumulation} maand(en) na {interruption} maand(en) volledige "
        "onderbreking: cumulatie toegestaan (minstens 1 volledige maand onderbreking, 1 maand cumulatie per maand "
        "onderbreking, hoogstens {max} maanden) ({law}).",
        "de": "Wiederaufnahme der Tätigkeit während {cumulation} Monat(en) nach {interruption} Monat(en) vollständiger "
        "Unterbrechung: Kumulierung zulässig (mindestens 1 voller Monat Unterbrechung, 1 Monat Kumulierung je "
        "Monat Unterbrechung, höchstens {max} Monate) ({law}).",
        "en": "Activity resumed for {cumulation} month(s) after {interruption} month(s) of total interruption: "
        "cumulation allowed (at least 1 full month of interruption, 1 month of cumulation per month of "
        "interruption, at most {max} months) ({law}).",
    },
    "cumulation_refused": {
        "fr": "Reprise d'activité pendant {cumulation} mois après {interruption} mois d'interruption totale : le "
        "cumul avec une activité professionnelle suppose au moins 1 mois complet d'interruption totale et est "
        "limité à 1 mois par mois d'interruption, {max} mois au plus ({law}).",
        "nl": "Hervatting van de activiteit gedurende {cumulation} maand(en) na {interruption} maand(en) volledige "
        "onderbreking: cumulatie met een beroepsactiviteit vereist minstens 1 volledige maand volledige "
        "onderbreking en is beperkt tot 1 maand per maand onderbreking, hoogstens {max} maanden ({law}).",
        "de": "Wiederaufnahme der Tätigkeit während {cumulation} Monat(en) nach {interruption} Monat(en) "
        "vollständiger Unterbrechung: die Kumulierung mit einer Berufstätigkeit setzt mindestens 1 vollen Monat "
        "vollständiger Unterbrechung voraus und ist auf 1 Monat je Monat Unterbrechung, höchstens {max} Monate, "
        "begrenzt ({law}).",
        "en": "Activity resumed for {cumulation} month(s) after {interruption} month(s) of total interruption: "
        "cumulation with a professional activity needs at least 1 full month of total interruption and is limited "
        "to 1 month per month of interruption, {max} months at most ({law}).",
    },
    "maternity_dispensation": {
        "fr": "Dispense de cotisations pour le trimestre {quarter}, qui suit le trimestre de la naissance, sans perte "
        "de droits ({law}).",
        "nl": "Vrijstelling van bijdragen voor het kwartaal {quarter}, dat volgt op het kwartaal van de geboorte, "
        "zonder verlies van rechten ({law}).",
        "de": "Beitragsbefreiung für das Quartal {quarter}, das auf das Geburtsquartal folgt, ohne Verlust von "
        "Rechten ({law}).",
        "en": "Dispensation of contributions for the quarter {quarter}, following the quarter of birth, without loss "
        "of rights ({law}).",
    },
    "maternity_dispensation_refused": {
        "fr": "La dispense de cotisations du trimestre qui suit la naissance vaut pour les naissances à partir du "
        "{since} ; la naissance du {birth} est antérieure ({law}).",
        "nl": "De vrijstelling van bijdragen voor het kwartaal na de geboorte geldt voor geboorten vanaf {since}; de "
        "geboorte van {birth} valt daarvoor ({law}).",
        "de": "Die Beitragsbefreiung für das Quartal nach der Geburt gilt für Geburten ab dem {since}; die Geburt vom "
        "{birth} liegt davor ({law}).",
        "en": "The dispensation of contributions for the quarter after the birth applies to births from {since}; "
        "the birth of {birth} is earlier ({law}).",
    },
    "service_vouchers": {
        "fr": "Aide à la maternité : {vouchers} titres-services gratuits demandés le {asked} ({law}).",
        "nl": "Moederschapshulp: {vouchers} gratis dienstencheques aangevraagd op {asked} ({law}).",
        "de": "Mutterschaftshilfe: {vouchers} kostenlose Dienstleistungsschecks beantragt am {asked} ({law}).",
        "en": "Maternity aid: {vouchers} free service vouchers requested on {asked} ({law}).",
    },
    "carer_dispensation": {
        "fr": "Interruption complète de 3 mois consécutifs : dispense de cotisations pour le trimestre {quarter}, "
        "qui contient le troisième mois ({law}).",
        "nl": "Volledige onderbreking van 3 opeenvolgende maanden: vrijstelling van bijdragen voor het kwartaal "
        "{quarter}, dat de derde maand bevat ({law}).",
        "de": "Vollständige Unterbrechung von 3 aufeinanderfolgenden Monaten: Beitragsbefreiung für das Quartal "
        "{quarter}, das den dritten Monat enthält ({law}).",
        "en": "Full interruption for 3 consecutive months: dispensation of contributions for the quarter {quarter}, "
        "which contains the third month ({law}).",
    },
    "carer_no_dispensation": {
        "fr": "Pas de dispense de cotisations : elle suppose 3 mois consécutifs d'interruption complète ({law}).",
        "nl": "Geen vrijstelling van bijdragen: die vereist 3 opeenvolgende maanden volledige onderbreking ({law}).",
        "de": "Keine Beitragsbefreiung: sie setzt 3 aufeinanderfolgende Monate vollständiger Unterbrechung voraus "
        "({law}).",
        "en": "No dispensation of contributions: it needs 3 consecutive months of full interruption ({law}).",
    },
})

DISPENSATION_LAW = {
    "maternity": {
        "fr": "dispense de cotisations du trimestre qui suit la naissance, legislation §8.2 [S44]",
        "nl": "vrijstelling van bijdragen voor het kwartaal na de geboorte, wetgeving §8.2 [S44]",
        "de": "Beitragsbefreiung für das Quartal nach der Geburt, Rechtsvorschriften §8.2 [S44]",
        "en": "dispensation of contributions for the quarter after the birth, legislation §8.2 [S44]",
    },
    "vouchers": {
        "fr": "aide à la maternité, legislation §8.2 [S46][S120]",
        "nl": "moederschapshulp, wetgeving §8.2 [S46][S120]",
        "de": "Mutterschaftshilfe, Rechtsvorschriften §8.2 [S46][S120]",
        "en": "maternity aid, legislation §8.2 [S46][S120]",
    },
    "carer": {
        "fr": "allocation d'aidant proche, addendum §8.5 [S204][S205]",
        "nl": "mantelzorguitkering, addendum §8.5 [S204][S205]",
        "de": "Pflegeurlaubsgeld, Nachtrag §8.5 [S204][S205]",
        "en": "carer leave allowance, addendum §8.5 [S204][S205]",
    },
    "cumulation": {
        "fr": "droit passerelle, cumul depuis le 1-1-2023, legislation §8.1 [S40][S89]",
        "nl": "overbruggingsrecht, cumulatie sinds 1-1-2023, wetgeving §8.1 [S40][S89]",
        "de": "Überbrückungsrecht, Kumulierung seit dem 1-1-2023, Rechtsvorschriften §8.1 [S40][S89]",
        "en": "bridging right, cumulation since 1-1-2023, legislation §8.1 [S40][S89]",
    },
}

# --- Charter art. 14 mentions on every decision (addendum §15) -------------------------------------------------------
_CHARTER_DOC = {
    "fr": {
        "charter_title": "Vos droits (Charte de l'assuré social, art. 14)",
        "court": "Tribunal compétent : {name}, {address}.",
        "court_missing": "Adresse du tribunal du travail compétent : pas encore reprise par la caisse ; demandez-la "
        "au service ci-dessous.",
        "code": "Article {article} du Code judiciaire : {text}",
        "code_missing": "Le texte de l'article {article} du Code judiciaire n'est pas encore repris dans cette "
        "décision.",
        "missing_effect": "Une mention exigée par l'article 14 de la Charte manque dans cette décision : le délai de "
        "recours ne commence donc pas à courir.",
        "service": "Service qui traite votre dossier et vous donne toute explication : {name} ({phone}, {email}) — "
        "références à rappeler : dossier {file}, {reference}.",
        "service_name": "service des prestations de la caisse",
        "consult": "Vous pouvez consulter votre dossier et en demander une copie (droit d'accès).",
        "reference_claim": "demande n° {claim}",
        "reference_undue": "récupération n° {undue}",
    },
    "nl": {
        "charter_title": "Uw rechten (Handvest van de sociaal verzekerde, art. 14)",
        "court": "Bevoegde rechtbank: {name}, {address}.",
        "court_missing": "Adres van de bevoegde arbeidsrechtbank: nog niet door het fonds opgenomen; vraag het aan "
        "de dienst hieronder.",
        "code": "Artikel {article} van het Gerechtelijk Wetboek: {text}",
        "code_missing": "De tekst van artikel {article} van het Gerechtelijk Wetboek is nog niet in deze beslissing "
        "opgenomen.",
        "missing_effect": "Een door artikel 14 van het Handvest vereiste vermelding ontbreekt in deze beslissing: de "
        "beroepstermijn begint dus niet te lopen.",
        "service": "Dienst die uw dossier behandelt en u alle uitleg geeft: {name} ({phone}, {email}) — te "
        "vermelden referenties: dossier {file}, {reference}.",
        "service_name": "dienst uitkeringen van het fonds",
        "consult": "U kunt uw dossier inzien en er een kopie van vragen (recht op inzage).",
        "reference_claim": "aanvraag nr. {claim}",
        "reference_undue": "terugvordering nr. {undue}",
    },
    "de": {
        "charter_title": "Ihre Rechte (Charta der Sozialversicherten, Art. 14)",
        "court": "Zuständiges Gericht: {name}, {address}.",
        "court_missing": "Anschrift des zuständigen Arbeitsgerichts: von der Kasse noch nicht erfasst; fragen Sie "
        "den unten genannten Dienst danach.",
        "code": "Artikel {article} des Gerichtsgesetzbuches: {text}",
        "code_missing": "Der Wortlaut von Artikel {article} des Gerichtsgesetzbuches ist in dieser Entscheidung noch "
        "nicht wiedergegeben.",
        "missing_effect": "Eine von Artikel 14 der Charta verlangte Angabe fehlt in dieser Entscheidung: die "
        "Klagefrist beginnt daher nicht zu laufen.",
        "service": "Dienst, der Ihre Akte bearbeitet und Ihnen jede Erklärung gibt: {name} ({phone}, {email}) — "
        "anzugebende Referenzen: Akte {file}, {reference}.",
        "service_name": "Leistungsdienst der Kasse",
        "consult": "Sie können Ihre Akte einsehen und eine Kopie davon verlangen (Auskunftsrecht).",
        "reference_claim": "Antrag Nr. {claim}",
        "reference_undue": "Rückforderung Nr. {undue}",
    },
}
for _lang, _texts in _CHARTER_DOC.items():
    DOC[_lang].update(_texts)
DOC["fr"]["fact_keys"].update({"cumulation_months": "mois de cumul avec une activité",
                               "replacement_income": "revenu de remplacement",
                               "vouchers_requested": "titres-services demandés le"})
DOC["nl"]["fact_keys"].update({"cumulation_months": "maanden cumulatie met een activiteit",
                               "replacement_income": "vervangingsinkomen",
                               "vouchers_requested": "dienstencheques aangevraagd op"})
DOC["de"]["fact_keys"].update({"cumulation_months": "Monate Kumulierung mit einer Tätigkeit",
                               "replacement_income": "Ersatzeinkommen",
                               "vouchers_requested": "Dienstleistungsschecks beantragt am"})

# --- messages to the person (case messages, in the person's language) ------------------------------------------------
MESSAGE = {
    "decision": {
        "fr": "Décision sur votre demande n° {claim} ({kind}) : {outcome}. La décision motivée, avec les voies de "
        "recours, est dans vos documents.",
        "nl": "Beslissing over uw aanvraag nr. {claim} ({kind}): {outcome}. De gemotiveerde beslissing, met de "
        "beroepsmogelijkheden, staat bij uw documenten.",
        "de": "Entscheidung über Ihren Antrag Nr. {claim} ({kind}): {outcome}. Die begründete Entscheidung mit den "
        "Rechtsbehelfen finden Sie bei Ihren Dokumenten.",
        "en": "Decision on your claim no. {claim} ({kind}): {outcome}. The motivated decision, with the appeal route, "
        "is in your documents.",
    },
    "granted": {"fr": "accordée, {amount}", "nl": "toegekend, {amount}", "de": "gewährt, {amount}",
                "en": "granted, {amount}"},
    "refused": {"fr": "refusée", "nl": "geweigerd", "de": "abgelehnt", "en": "refused"},
    "granted_ex_officio": {
        "fr": "La caisse a appris {event} du {date}. Toutes les conditions étant remplies, elle vous accorde d'office "
        "{kind} (demande n° {claim}) : {amount}, sans démarche de votre part. La décision motivée, avec les voies "
        "de recours, est dans vos documents.",
        "nl": "Het fonds vernam {event} van {date}. Omdat aan alle voorwaarden is voldaan, kent het u ambtshalve "
        "{kind} toe (aanvraag nr. {claim}): {amount}, zonder dat u iets hoeft te doen. De gemotiveerde beslissing, "
        "met de beroepsmogelijkheden, staat bij uw documenten.",
        "de": "Die Kasse hat von {event} vom {date} erfahren. Da alle Voraussetzungen erfüllt sind, gewährt sie Ihnen "
        "von Amts wegen {kind} (Antrag Nr. {claim}): {amount}, ohne dass Sie etwas tun müssen. Die begründete "
        "Entscheidung mit den Rechtsbehelfen finden Sie bei Ihren Dokumenten.",
        "en": "The fund learned of {event} of {date}. As every condition is met, it grants you {kind} of its own "
        "motion (claim no. {claim}): {amount}, with nothing for you to do. The motivated decision, with the appeal "
        "route, is in your documents.",
    },
    "invite": {
        "fr": "La caisse a appris {event} du {date} et a préparé pour vous une demande de {kind} (n° {claim}) : "
        "{prefilled}. Merci de la compléter ou de la corriger en répondant à ce message : {choice}",
        "nl": "Het fonds vernam {event} van {date} en heeft voor u een aanvraag voor {kind} voorbereid (nr. "
        "{claim}): {prefilled}. Gelieve ze aan te vullen of te verbeteren door op dit bericht te antwoorden: "
        "{choice}",
        "de": "Die Kasse hat von {event} vom {date} erfahren und für Sie einen Antrag auf {kind} vorbereitet (Nr. "
        "{claim}): {prefilled}. Bitte ergänzen oder berichtigen Sie ihn, indem Sie auf diese Nachricht antworten: "
        "{choice}",
        "en": "The fund learned of {event} of {date} and prepared a claim for {kind} for you (no. {claim}): "
        "{prefilled}. Please complete or correct it by answering this message: {choice}",
    },
    "open_conditions": {
        "fr": " Conditions pas encore remplies à ce jour : {reasons}",
        "nl": " Voorwaarden die vandaag nog niet vervuld zijn: {reasons}",
        "de": " Heute noch nicht erfüllte Voraussetzungen: {reasons}",
        "en": " Conditions not met yet today: {reasons}",
    },
    "choice_maternity": {
        "fr": "votre plan de repos (12 semaines, 13 pour une naissance multiple : 3 obligatoires, 1 avant et 2 après "
        "la naissance, les autres au choix, éventuellement en demi-semaines). L'allocation est payée par votre "
        "mutualité. Vous pouvez aussi demander {vouchers} titres-services gratuits (aide à la maternité) ; les "
        "cotisations du trimestre {quarter} sont dispensées, sans perte de droits.",
        "nl": "uw rustplan (12 weken, 13 bij een meerling: 3 verplichte, 1 vóór en 2 na de geboorte, de andere naar "
        "keuze, eventueel in halve weken). De uitkering wordt betaald door uw ziekenfonds. U kunt ook {vouchers} "
        "gratis dienstencheques aanvragen (moederschapshulp); de bijdragen van het kwartaal {quarter} worden "
        "vrijgesteld, zonder verlies van rechten.",
        "de": "Ihren Ruheplan (12 Wochen, 13 bei einer Mehrlingsgeburt: 3 Pflichtwochen, 1 vor und 2 nach der Geburt, "
        "die anderen nach Wahl, auch in halben Wochen). Die Leistung zahlt Ihre Krankenkasse. Sie können auch "
        "{vouchers} kostenlose Dienstleistungsschecks beantragen (Mutterschaftshilfe); die Beiträge des Quartals "
        "{quarter} werden ohne Verlust von Rechten erlassen.",
        "en": "your rest plan (12 weeks, 13 for a multiple birth: 3 compulsory, 1 before and 2 after the birth, the "
        "others as you choose, possibly as half weeks). The allowance is paid by your mutuality. You may also ask "
        "for {vouchers} free service vouchers (maternity aid); the contributions of the quarter {quarter} are "
        "dispensed, without loss of rights.",
    },
    "choice_birth_leave": {
        "fr": "les jours de congé de naissance pris (au plus {days} jours ou {half_days} demi-jours, dans les 4 mois "
        "de la naissance), par écrit au plus tard le {limit}.",
        "nl": "de genomen dagen geboorteverlof (hoogstens {days} dagen of {half_days} halve dagen, binnen 4 maanden "
        "na de geboorte), schriftelijk uiterlijk op {limit}.",
        "de": "die genommenen Tage Geburtsurlaub (höchstens {days} Tage oder {half_days} halbe Tage, innerhalb von "
        "4 Monaten nach der Geburt), schriftlich spätestens am {limit}.",
        "en": "the days of birth leave taken (at most {days} days or {half_days} half-days, within 4 months of the "
        "birth), in writing by {limit} at the latest.",
    },
    "choice_bridging_right": {
        "fr": "si vous avez charge de famille, le nombre de mois demandés et si vous avez repris une activité ou "
        "percevez un revenu de remplacement.",
        "nl": "of u gezinslast hebt, het aantal gevraagde maanden en of u een activiteit hebt hervat of een "
        "vervangingsinkomen ontvangt.",
        "de": "ob Sie Familienlast haben, die Zahl der beantragten Monate und ob Sie eine Tätigkeit wieder "
        "aufgenommen haben oder ein Ersatzeinkommen beziehen.",
        "en": "whether you have a family charge, how many months you claim and whether you resumed an activity or "
        "receive a replacement income.",
    },
    "info_incapacity": {
        "fr": "Votre mutualité nous a signalé votre incapacité de travail depuis le {date}. Les périodes "
        "d'incapacité sont assimilées : vos droits sociaux, pension comprise, sont maintenus sans cotisations ; la "
        "caisse examine votre dossier et vous recontacte. Vous pouvez aussi nous poser vos questions en répondant "
        "à ce message.",
        "nl": "Uw ziekenfonds meldde ons uw arbeidsongeschiktheid sinds {date}. Periodes van arbeidsongeschiktheid "
        "worden gelijkgesteld: uw sociale rechten, pensioen inbegrepen, blijven behouden zonder bijdragen; het fonds "
        "onderzoekt uw dossier en neemt opnieuw contact op. U kunt ook uw vragen stellen door op dit bericht te "
        "antwoorden.",
        "de": "Ihre Krankenkasse hat uns Ihre Arbeitsunfähigkeit seit dem {date} gemeldet. Zeiten der "
        "Arbeitsunfähigkeit werden gleichgestellt: Ihre sozialen Rechte, Rente inbegriffen, bleiben ohne Beiträge "
        "erhalten; die Kasse prüft Ihre Akte und meldet sich wieder. Sie können uns auch Ihre Fragen stellen, indem "
        "Sie auf diese Nachricht antworten.",
        "en": "Your mutuality told us of your incapacity for work since {date}. Periods of incapacity are "
        "assimilated: your social rights, pension included, are kept without contributions; the fund examines your "
        "file and will contact you again. You may also ask us your questions by answering this message.",
    },
    "info_cessation": {
        "fr": "Votre activité d'indépendant a cessé le {date}. Si vous n'avez pas d'autre statut social, vous pouvez "
        "demander l'assurance continuée (au plus 8 trimestres à partir du trimestre qui suit la cessation). Si "
        "vous avez cessé pour des difficultés économiques ou à la suite d'un événement qui vous y a forcé, le droit "
        "passerelle peut vous être ouvert : répondez à ce message et la caisse prépare votre demande.",
        "nl": "Uw activiteit als zelfstandige is gestopt op {date}. Als u geen ander sociaal statuut hebt, kunt u "
        "de voortgezette verzekering aanvragen (hoogstens 8 kwartalen vanaf het kwartaal na de stopzetting). Als u "
        "gestopt bent om economische redenen of door een gebeurtenis die u ertoe dwong, kan u het "
        "overbruggingsrecht openstaan: antwoord op dit bericht en het fonds bereidt uw aanvraag voor.",
        "de": "Ihre selbständige Tätigkeit wurde am {date} eingestellt. Wenn Sie kein anderes soziales Statut haben, "
        "können Sie die fortgesetzte Versicherung beantragen (höchstens 8 Quartale ab dem Quartal nach der "
        "Einstellung). Wenn Sie aus wirtschaftlichen Gründen oder wegen eines Ereignisses, das Sie dazu zwang, "
        "aufgehört haben, kann Ihnen das Überbrückungsrecht zustehen: antworten Sie auf diese Nachricht und die "
        "Kasse bereitet Ihren Antrag vor.",
        "en": "Your self-employed activity ceased on {date}. If you have no other social status you may ask for "
        "continued insurance (at most 8 quarters from the quarter after the cessation). If you stopped for "
        "economic difficulties or because an event forced you to, the bridging right may be open to you: answer "
        "this message and the fund prepares your claim.",
    },
    "info_pension_age": {
        "fr": "Vous atteignez l'âge légal de la pension ({age} ans) : votre pension peut prendre cours le {date}. Si "
        "vous poursuivez votre activité d'indépendant, vos cotisations sont calculées selon les règles de "
        "l'activité après l'âge de la pension. Dites-nous, en répondant à ce message, si vous continuez, cessez ou "
        "prenez votre pension.",
        "nl": "U bereikt de wettelijke pensioenleeftijd ({age} jaar): uw pensioen kan ingaan op {date}. Als u uw "
        "activiteit als zelfstandige voortzet, worden uw bijdragen berekend volgens de regels voor activiteit na "
        "de pensioenleeftijd. Laat ons door op dit bericht te antwoorden weten of u doorgaat, stopt of met "
        "pensioen gaat.",
        "de": "Sie erreichen das gesetzliche Rentenalter ({age} Jahre): Ihre Rente kann am {date} beginnen. Wenn Sie "
        "Ihre selbständige Tätigkeit fortsetzen, werden Ihre Beiträge nach den Regeln für eine Tätigkeit nach dem "
        "Rentenalter berechnet. Teilen Sie uns bitte in einer Antwort auf diese Nachricht mit, ob Sie weitermachen, "
        "aufhören oder in Rente gehen.",
        "en": "You reach the legal pension age ({age}): your pension can start on {date}. If you carry on your "
        "self-employed activity, your contributions follow the rules of an activity after pension age. Tell us, by "
        "answering this message, whether you carry on, stop or take your pension.",
    },
}

EVENT = {  # "the fund learned of {event} of {date}"
    "birth": {"fr": "la naissance", "nl": "de geboorte", "de": "der Geburt", "en": "the birth"},
    "bankruptcy": {"fr": "la faillite", "nl": "het faillissement", "de": "dem Konkurs", "en": "the bankruptcy"},
    "incapacity": {"fr": "l'incapacité de travail", "nl": "de arbeidsongeschiktheid", "de": "der Arbeitsunfähigkeit",
                   "en": "the incapacity for work"},
    "cessation": {"fr": "la cessation", "nl": "de stopzetting", "de": "der Einstellung", "en": "the cessation"},
    "pension_age": {"fr": "l'âge de la pension", "nl": "de pensioenleeftijd", "de": "dem Rentenalter",
                    "en": "pension age"},
}

# --- recovery of an undue benefit (Charter art. 14: the finding, the total and how it is computed, the provisions
# breached, the prescription, a waiver, instalments; the appeal route of art. 23) -------------------------------------
GROUND = {  # the provision breached, with the benefit's own legal ground appended
    "conditions_not_met": {
        "fr": "les conditions d'octroi de la prestation n'étaient pas remplies pour la période payée",
        "nl": "de toekenningsvoorwaarden van de uitkering waren voor de betaalde periode niet vervuld",
        "de": "die Voraussetzungen für die Gewährung der Leistung waren für den bezahlten Zeitraum nicht erfüllt",
        "en": "the conditions for granting the benefit were not met for the period paid",
    },
    "overlap": {
        "fr": "une même période a été indemnisée deux fois, alors qu'elle ne l'est qu'une fois",
        "nl": "eenzelfde periode werd twee keer vergoed, terwijl ze maar één keer vergoed wordt",
        "de": "derselbe Zeitraum wurde zweimal entschädigt, obwohl er nur einmal entschädigt wird",
        "en": "the same period was compensated twice, while a period is compensated only once",
    },
    "activity": {
        "fr": "une activité professionnelle a été exercée pendant la période indemnisée",
        "nl": "tijdens de vergoede periode werd een beroepsactiviteit uitgeoefend",
        "de": "während des entschädigten Zeitraums wurde eine Berufstätigkeit ausgeübt",
        "en": "a professional activity was carried on during the period compensated",
    },
    "amount": {
        "fr": "le montant payé dépassait le montant dû selon les règles de calcul",
        "nl": "het betaalde bedrag was hoger dan het volgens de berekeningsregels verschuldigde bedrag",
        "de": "der gezahlte Betrag überstieg den nach den Berechnungsregeln geschuldeten Betrag",
        "en": "the amount paid exceeded the amount due under the rules of computation",
    },
}

UNDUE_DOC = {
    "fr": {
        "title": "Décision de récupération d'une prestation payée indûment — {kind}",
        "ref": "Récupération n° {undue} — demande n° {claim} — décision du {decided}",
        "finding_title": "Constat de l'indu",
        "finding": "Constat : {finding}",
        "ground": "Disposition méconnue : {ground} ({law}).",
        "calc_title": "Montant total et mode de calcul",
        "calc": "Payé le {paid_on} : {paid}. Dû : {due}. Indu : {paid} − {due} = {undue}.",
        "pay": "Ce montant est à rembourser au plus tard le {due_date} par virement, avec la communication "
        "structurée de votre dossier. À défaut, la caisse le retient sur vos prochaines prestations.",
        "pay_ref": "Ce montant est à rembourser au plus tard le {due_date} par virement, avec la communication "
        "structurée {communication} (propre à cette récupération : un paiement de cotisations ne l'apure pas).",
        "set_off": "La caisse peut retenir ce montant sur les prestations qu'elle vous doit ou vous devra ; chaque "
        "retenue et son montant sont décidés par un gestionnaire et vous en êtes averti(e).",
        "instalments": "Vous pouvez demander à rembourser par paiements échelonnés (plan de paiement) en vous "
        "adressant au service ci-dessous.",
        "undue_prescription_missing": "Délai de prescription applicable : pas encore repris par la caisse.",
        "undue_waiver_missing": "Possibilité de renonciation à la récupération et sa procédure : pas encore reprises "
        "par la caisse.",
    },
    "nl": {
        "title": "Beslissing tot terugvordering van een onverschuldigd betaalde uitkering — {kind}",
        "ref": "Terugvordering nr. {undue} — aanvraag nr. {claim} — beslissing van {decided}",
        "finding_title": "Vaststelling van het onverschuldigde",
        "finding": "Vaststelling: {finding}",
        "ground": "Miskende bepaling: {ground} ({law}).",
        "calc_title": "Totaal bedrag en berekeningswijze",
        "calc": "Betaald op {paid_on}: {paid}. Verschuldigd: {due}. Onverschuldigd: {paid} − {due} = {undue}.",
        "pay": "Dit bedrag moet uiterlijk op {due_date} worden terugbetaald per overschrijving, met de "
        "gestructureerde mededeling van uw dossier. Anders houdt het fonds het in op uw volgende uitkeringen.",
        "pay_ref": "Dit bedrag moet uiterlijk op {due_date} worden terugbetaald per overschrijving, met de "
        "gestructureerde mededeling {communication} (eigen aan deze terugvordering: een betaling van bijdragen "
        "zuivert ze niet aan).",
        "set_off": "Het fonds kan dit bedrag inhouden op de uitkeringen die het u verschuldigd is of zal zijn; elke "
        "inhouding en het bedrag ervan worden door een dossierbeheerder beslist en u wordt ervan verwittigd.",
        "instalments": "U kunt vragen om in schijven terug te betalen (afbetalingsplan) bij de dienst hieronder.",
        "undue_prescription_missing": "Toepasselijke verjaringstermijn: nog niet door het fonds opgenomen.",
        "undue_waiver_missing": "Mogelijkheid om van de terugvordering af te zien en de procedure daarvoor: nog niet "
        "door het fonds opgenomen.",
    },
    "de": {
        "title": "Entscheidung über die Rückforderung einer zu Unrecht gezahlten Leistung — {kind}",
        "ref": "Rückforderung Nr. {undue} — Antrag Nr. {claim} — Entscheidung vom {decided}",
        "finding_title": "Feststellung der zu Unrecht gezahlten Leistung",
        "finding": "Feststellung: {finding}",
        "ground": "Missachtete Bestimmung: {ground} ({law}).",
        "calc_title": "Gesamtbetrag und Berechnungsweise",
        "calc": "Gezahlt am {paid_on}: {paid}. Geschuldet: {due}. Zu Unrecht gezahlt: {paid} − {due} = {undue}.",
        "pay": "Dieser Betrag ist spätestens am {due_date} per Überweisung mit der strukturierten Mitteilung Ihrer "
        "Akte zurückzuzahlen. Andernfalls behält die Kasse ihn von Ihren nächsten Leistungen ein.",
        "pay_ref": "Dieser Betrag ist spätestens am {due_date} per Überweisung mit der strukturierten Mitteilung "
        "{communication} zurückzuzahlen (nur für diese Rückforderung: eine Zahlung von Beiträgen tilgt sie nicht).",
        "set_off": "Die Kasse kann diesen Betrag von den Leistungen einbehalten, die sie Ihnen schuldet oder schulden "
        "wird; jeder Einbehalt und sein Betrag werden von einem Sachbearbeiter entschieden und Ihnen mitgeteilt.",
        "instalments": "Sie können beim unten genannten Dienst eine Rückzahlung in Raten (Zahlungsplan) beantragen.",
        "undue_prescription_missing": "Anwendbare Verjährungsfrist: von der Kasse noch nicht erfasst.",
        "undue_waiver_missing": "Möglichkeit eines Verzichts auf die Rückforderung und Verfahren: von der Kasse noch "
        "nicht erfasst.",
    },
}
# the notification of a decision and the last day to appeal (Charter art. 23: three months of the notification)
for _lang, _texts in {
    "fr": {"notified": "Cette décision vous est notifiée le {notified} ({how}) : le recours doit être introduit au "
           "plus tard le {until}.",
           "notified_sent": "mise à disposition ou envoi", "notified_registered": "lettre recommandée"},
    "nl": {"notified": "Deze beslissing wordt u ter kennis gebracht op {notified} ({how}): het beroep moet uiterlijk "
           "op {until} worden ingesteld.",
           "notified_sent": "terbeschikkingstelling of verzending", "notified_registered": "aangetekende brief"},
    "de": {"notified": "Diese Entscheidung wird Ihnen am {notified} mitgeteilt ({how}): die Klage muss spätestens am "
           "{until} eingereicht werden.",
           "notified_sent": "Bereitstellung oder Versand", "notified_registered": "Einschreiben"},
}.items():
    DOC[_lang].update(_texts)

for _lang, _texts in UNDUE_DOC.items():
    DOC[_lang].update({k: v for k, v in _texts.items() if k.startswith("undue_")})

MESSAGE.update({
    "undue": {
        "fr": "Décision de récupération n° {undue} : {amount} de {kind} payé(e) indûment. La décision motivée, avec "
        "les voies de recours, est dans vos documents.",
        "nl": "Beslissing tot terugvordering nr. {undue}: {amount} {kind} onverschuldigd betaald. De gemotiveerde "
        "beslissing, met de beroepsmogelijkheden, staat bij uw documenten.",
        "de": "Rückforderungsentscheidung Nr. {undue}: {amount} {kind} zu Unrecht gezahlt. Die begründete "
        "Entscheidung mit den Rechtsbehelfen finden Sie bei Ihren Dokumenten.",
        "en": "Recovery decision no. {undue}: {amount} of {kind} paid wrongly. The motivated decision, with the appeal "
        "route, is in your documents.",
    },
    "set_off": {
        "fr": "Sur votre demande n° {claim} ({kind}, {amount}), la caisse retient {withheld} pour la récupération n° "
        "{undue} ; reste versé : {paid}.",
        "nl": "Op uw aanvraag nr. {claim} ({kind}, {amount}) houdt het fonds {withheld} in voor terugvordering nr. "
        "{undue}; nog betaald: {paid}.",
        "de": "Von Ihrem Antrag Nr. {claim} ({kind}, {amount}) behält die Kasse {withheld} für die Rückforderung Nr. "
        "{undue} ein; noch gezahlt: {paid}.",
        "en": "On your claim no. {claim} ({kind}, {amount}) the fund withholds {withheld} for recovery no. {undue}; "
        "still paid: {paid}.",
    },
})

# withdrawal of a claim and documents asked of the person (Charter art. 10: the decision deadline is suspended while
# information asked of the applicant is missing)
MESSAGE.update({
    "withdrawn": {
        "fr": "Votre demande n° {claim} ({kind}) est retirée le {date}, comme vous l'avez demandé. La caisse ne "
        "l'examine plus. Vous pouvez introduire une nouvelle demande à tout moment, dans les délais prévus.",
        "nl": "Uw aanvraag nr. {claim} ({kind}) is op {date} ingetrokken, zoals u vroeg. Het fonds onderzoekt ze niet "
        "verder. U kunt op elk moment een nieuwe aanvraag indienen, binnen de voorziene termijnen.",
        "de": "Ihr Antrag Nr. {claim} ({kind}) wurde am {date} wie gewünscht zurückgezogen. Die Kasse prüft ihn nicht "
        "weiter. Sie können jederzeit innerhalb der vorgesehenen Fristen einen neuen Antrag stellen.",
        "en": "Your claim no. {claim} ({kind}) was withdrawn on {date}, as you asked. The fund no longer examines it. "
        "You may file a new claim at any time, within the time limits.",
    },
    "document_requested": {
        "fr": "Pour décider de votre demande n° {claim} ({kind}), la caisse a besoin du document suivant : {what}. "
        "Ajoutez-le sur la page de votre demande. Tant qu'il manque, le délai de décision est suspendu (Charte de "
        "l'assuré social, art. 10).",
        "nl": "Om over uw aanvraag nr. {claim} ({kind}) te beslissen, heeft het fonds het volgende document nodig: "
        "{what}. Voeg het toe op de pagina van uw aanvraag. Zolang het ontbreekt, is de beslissingstermijn geschorst "
        "(Handvest van de sociaal verzekerde, art. 10).",
        "de": "Um über Ihren Antrag Nr. {claim} ({kind}) zu entscheiden, benötigt die Kasse folgendes Dokument: "
        "{what}. Fügen Sie es auf der Seite Ihres Antrags hinzu. Solange es fehlt, ist die Entscheidungsfrist "
        "ausgesetzt (Charta der Sozialversicherten, Art. 10).",
        "en": "To decide on your claim no. {claim} ({kind}), the fund needs the following document: {what}. Add it "
        "on your claim's page. While it is missing, the decision deadline is suspended (Charter of the social "
        "insured, art. 10).",
    },
})

# Charter art. 11: the reminder of information asked and still missing
MESSAGE["information_reminder"] = {
    "fr": "Rappel : pour décider de votre demande n° {claim} ({kind}), la caisse attend toujours : {what} (demandé le "
    "{asked}). Ajoutez-le sur la page de votre demande. Sans réponse de votre part au plus tard le {until}, la caisse "
    "pourra décider sur la base des informations dont elle dispose (Charte de l'assuré social, art. 11).",
    "nl": "Herinnering: om over uw aanvraag nr. {claim} ({kind}) te beslissen, wacht het fonds nog steeds op: {what} "
    "(gevraagd op {asked}). Voeg het toe op de pagina van uw aanvraag. Zonder antwoord van u uiterlijk op {until} kan "
    "het fonds beslissen op basis van de gegevens waarover het beschikt (Handvest van de sociaal verzekerde, art. 11).",
    "de": "Erinnerung: um über Ihren Antrag Nr. {claim} ({kind}) zu entscheiden, wartet die Kasse noch auf: {what} "
    "(angefordert am {asked}). Fügen Sie es auf der Seite Ihres Antrags hinzu. Ohne Antwort von Ihnen spätestens am "
    "{until} kann die Kasse anhand der ihr vorliegenden Angaben entscheiden (Charta der Sozialversicherten, Art. 11).",
    "en": "Reminder: to decide on your claim no. {claim} ({kind}), the fund is still waiting for: {what} (asked on "
    "{asked}). Add it on your claim's page. Without an answer from you by {until}, the fund may decide on the "
    "information it has (Charter of the social insured, art. 11).",
}

#: why the decision deadline is suspended (stored with the step)
SUSPENSION_LAW = ("Charter of the social insured art. 10 (addendum §15 [S232]): the decision deadline is suspended "
                  "while information asked of the applicant is missing")

# --- the bridging right's general conditions and its maintained rights (legislation §8.1 [S118][S41][S39]) ----------
# The general conditions are the notes' "pre-2023 wording, still cited by funds" [S118]: the legal ground says so.
BRIDGING_CONDITION_LAW = {
    "fr": "droit passerelle, conditions générales, legislation §8.1 [S118] (formulation d'avant 2023, toujours citée "
    "par les caisses)",
    "nl": "overbruggingsrecht, algemene voorwaarden, wetgeving §8.1 [S118] (formulering van vóór 2023, nog steeds "
    "aangehaald door de fondsen)",
    "de": "Überbrückungsrecht, allgemeine Voraussetzungen, Rechtsvorschriften §8.1 [S118] (Fassung vor 2023, von den "
    "Kassen weiterhin zitiert)",
    "en": "bridging right, general conditions, legislation §8.1 [S118] (pre-2023 wording, still cited by funds)",
}
BRIDGING_RIGHTS_LAW = {
    "fr": "droit passerelle, maintien des droits en soins de santé et indemnités/maternité sans cotisations, pension "
    "non comprise, legislation §8.1 [S41][S39]",
    "nl": "overbruggingsrecht, behoud van de rechten op gezondheidszorg en uitkeringen/moederschap zonder bijdragen, "
    "pensioen niet inbegrepen, wetgeving §8.1 [S41][S39]",
    "de": "Überbrückungsrecht, Erhalt der Rechte auf Gesundheitspflege und Entschädigungen/Mutterschaft ohne Beiträge, "
    "Pension nicht inbegriffen, Rechtsvorschriften §8.1 [S41][S39]",
    "en": "bridging right, health-care and incapacity/maternity rights maintained without contributions, pension not "
    "included, legislation §8.1 [S41][S39]",
}

CHECK.update({
    "main_activity": {
        "fr": "Indépendant(e) à titre principal ou conjoint aidant (maxi-statut) chaque jour du {first} au {last} : le "
        "trimestre de l'événement et les {count} trimestres précédents ({law}).",
        "nl": "Zelfstandige in hoofdberoep of meewerkende echtgenoot (maxistatuut) elke dag van {first} tot {last}: "
        "het kwartaal van de gebeurtenis en de {count} voorgaande kwartalen ({law}).",
        "de": "Hauptberuflich Selbständige(r) oder mithelfender Ehepartner (Maxi-Statut) an jedem Tag vom {first} bis "
        "{last}: das Quartal des Ereignisses und die {count} vorhergehenden Quartale ({law}).",
        "en": "Main-activity self-employed or helping spouse (maxi status) every day from {first} to {last}: the "
        "quarter of the event and the {count} quarters before ({law}).",
    },
    "main_activity_gap": {
        "fr": "Le {date}, vous n'étiez pas affilié(e) à la caisse comme indépendant(e) : le droit passerelle suppose "
        "une activité à titre principal (ou le maxi-statut de conjoint aidant) pendant tout le trimestre de "
        "l'événement et les {count} trimestres précédents, du {first} au {last} ({law}).",
        "nl": "Op {date} was u niet als zelfstandige bij het fonds aangesloten: het overbruggingsrecht vereist een "
        "activiteit in hoofdberoep (of het maxistatuut van meewerkende echtgenoot) gedurende het hele kwartaal van de "
        "gebeurtenis en de {count} voorgaande kwartalen, van {first} tot {last} ({law}).",
        "de": "Am {date} waren Sie nicht als Selbständige(r) bei der Kasse angeschlossen: das Überbrückungsrecht setzt "
        "eine hauptberufliche Tätigkeit (oder das Maxi-Statut als mithelfender Ehepartner) während des ganzen Quartals "
        "des Ereignisses und der {count} vorhergehenden Quartale voraus, vom {first} bis {last} ({law}).",
        "en": "On {date} you were not affiliated with the fund as self-employed: the bridging right requires a main "
        "activity (or the maxi status of a helping spouse) throughout the quarter of the event and the {count} "
        "quarters before, from {first} to {last} ({law}).",
    },
    "main_activity_category": {
        "fr": "Le {date}, vous étiez affilié(e) dans la catégorie « {category} » : le droit passerelle suppose une "
        "activité à titre principal (ou le maxi-statut de conjoint aidant) pendant tout le trimestre de l'événement "
        "et les {count} trimestres précédents, du {first} au {last} ({law}).",
        "nl": "Op {date} was u aangesloten in de categorie „{category}”: het overbruggingsrecht vereist een activiteit "
        "in hoofdberoep (of het maxistatuut van meewerkende echtgenoot) gedurende het hele kwartaal van de "
        "gebeurtenis en de {count} voorgaande kwartalen, van {first} tot {last} ({law}).",
        "de": "Am {date} waren Sie in der Kategorie „{category}“ angeschlossen: das Überbrückungsrecht setzt eine "
        "hauptberufliche Tätigkeit (oder das Maxi-Statut als mithelfender Ehepartner) während des ganzen Quartals "
        "des Ereignisses und der {count} vorhergehenden Quartale voraus, vom {first} bis {last} ({law}).",
        "en": "On {date} you were affiliated in the category '{category}': the bridging right requires a main "
        "activity (or the maxi status of a helping spouse) throughout the quarter of the event and the {count} "
        "quarters before, from {first} to {last} ({law}).",
    },
    "residence": {
        "fr": "Résidence principale en Belgique le {date} (adresse connue de la caisse) ({law}).",
        "nl": "Hoofdverblijfplaats in België op {date} (adres gekend bij het fonds) ({law}).",
        "de": "Hauptwohnsitz in Belgien am {date} (der Kasse bekannte Anschrift) ({law}).",
        "en": "Main residence in Belgium on {date} (the address on file) ({law}).",
    },
    "residence_abroad": {
        "fr": "Le {date}, votre adresse connue de la caisse était hors de Belgique ({country}) : le droit passerelle "
        "suppose une résidence principale en Belgique ({law}).",
        "nl": "Op {date} lag uw adres gekend bij het fonds buiten België ({country}): het overbruggingsrecht vereist "
        "een hoofdverblijfplaats in België ({law}).",
        "de": "Am {date} lag Ihre der Kasse bekannte Anschrift außerhalb Belgiens ({country}): das "
        "Überbrückungsrecht setzt einen Hauptwohnsitz in Belgien voraus ({law}).",
        "en": "On {date} your address on file was outside Belgium ({country}): the bridging right requires a main "
        "residence in Belgium ({law}).",
    },
    "age": {
        "fr": "Moins de {limit} ans le {date} (né(e) le {born}) ({law}).",
        "nl": "Jonger dan {limit} jaar op {date} (geboren op {born}) ({law}).",
        "de": "Jünger als {limit} Jahre am {date} (geboren am {born}) ({law}).",
        "en": "Under {limit} on {date} (born on {born}) ({law}).",
    },
    "age_reached": {
        "fr": "Vous avez atteint {limit} ans le {birthday}, avant le {date} : le droit passerelle est réservé aux "
        "personnes de moins de {limit} ans ({law}).",
        "nl": "U werd {limit} jaar op {birthday}, vóór {date}: het overbruggingsrecht is voorbehouden aan personen "
        "jonger dan {limit} jaar ({law}).",
        "de": "Sie wurden am {birthday} {limit} Jahre alt, vor dem {date}: das Überbrückungsrecht ist Personen unter "
        "{limit} Jahren vorbehalten ({law}).",
        "en": "You reached {limit} on {birthday}, before {date}: the bridging right is for persons under {limit} "
        "({law}).",
    },
    "age_partly": {
        "fr": "Seuls {granted} des {asked} mois demandés commencent avant vos {limit} ans, le {birthday} : le droit "
        "passerelle est réservé aux personnes de moins de {limit} ans ({law}).",
        "nl": "Slechts {granted} van de {asked} gevraagde maanden beginnen vóór uw {limit} jaar, op {birthday}: het "
        "overbruggingsrecht is voorbehouden aan personen jonger dan {limit} jaar ({law}).",
        "de": "Nur {granted} der {asked} beantragten Monate beginnen vor Ihrem {limit}. Geburtstag am {birthday}: das "
        "Überbrückungsrecht ist Personen unter {limit} Jahren vorbehalten ({law}).",
        "en": "Only {granted} of the {asked} months claimed start before your {limit}th birthday on {birthday}: the "
        "bridging right is for persons under {limit} ({law}).",
    },
    "no_professional_activity": {
        "fr": "Aucune activité professionnelle déclarée pendant les mois d'interruption totale ({law}).",
        "nl": "Geen beroepsactiviteit aangegeven tijdens de maanden van volledige onderbreking ({law}).",
        "de": "Keine Berufstätigkeit während der Monate vollständiger Unterbrechung angegeben ({law}).",
        "en": "No professional activity declared during the months of total interruption ({law}).",
    },
    "professional_activity": {
        "fr": "Vous avez déclaré une activité professionnelle pendant les mois d'interruption totale : le droit "
        "passerelle suppose de n'exercer aucune activité professionnelle ({law}) ; depuis le 1-1-2023, une activité "
        "reprise n'est permise que pendant les mois de cumul, après au moins un mois complet d'interruption totale "
        "({cumulation_law}).",
        "nl": "U hebt een beroepsactiviteit aangegeven tijdens de maanden van volledige onderbreking: het "
        "overbruggingsrecht vereist dat u geen beroepsactiviteit uitoefent ({law}); sinds 1-1-2023 is een hervatte "
        "activiteit alleen toegestaan tijdens de maanden cumulatie, na minstens een volledige maand volledige "
        "onderbreking ({cumulation_law}).",
        "de": "Sie haben eine Berufstätigkeit während der Monate vollständiger Unterbrechung angegeben: das "
        "Überbrückungsrecht setzt voraus, dass Sie keine Berufstätigkeit ausüben ({law}); seit dem 1-1-2023 ist eine "
        "wiederaufgenommene Tätigkeit nur während der Kumulierungsmonate erlaubt, nach mindestens einem vollen Monat "
        "vollständiger Unterbrechung ({cumulation_law}).",
        "en": "You declared a professional activity during the months of total interruption: the bridging right "
        "requires that no professional activity be exercised ({law}); since 1-1-2023 an activity resumed is allowed "
        "only during the months of cumulation, after at least one full month of total interruption "
        "({cumulation_law}).",
    },
    "no_replacement_income": {
        "fr": "Aucun revenu de remplacement déclaré pour la période ({law}).",
        "nl": "Geen vervangingsinkomen aangegeven voor de periode ({law}).",
        "de": "Kein Ersatzeinkommen für den Zeitraum angegeben ({law}).",
        "en": "No replacement income declared for the period ({law}).",
    },
    # not conditions: what the grant keeps (stated with the decision, like a dispensation)
    "rights_maintained": {
        "fr": "Droits en soins de santé et indemnités/maternité maintenus sans cotisations pour {quarters} (pension "
        "non comprise) ; {used} des {limit} trimestres de la carrière utilisés ({law}).",
        "nl": "Rechten op gezondheidszorg en uitkeringen/moederschap behouden zonder bijdragen voor {quarters} "
        "(pensioen niet inbegrepen); {used} van de {limit} kwartalen van de loopbaan gebruikt ({law}).",
        "de": "Rechte auf Gesundheitspflege und Entschädigungen/Mutterschaft ohne Beiträge erhalten für {quarters} "
        "(Pension nicht inbegriffen); {used} der {limit} Quartale der Laufbahn genutzt ({law}).",
        "en": "Health-care and incapacity/maternity rights maintained without contributions for {quarters} (pension "
        "not included); {used} of the {limit} quarters of the career used ({law}).",
    },
    "rights_not_maintained": {
        "fr": "Pas de maintien des droits pour {quarters} : les {limit} trimestres de la carrière sont utilisés "
        "({law}).",
        "nl": "Geen behoud van rechten voor {quarters}: de {limit} kwartalen van de loopbaan zijn gebruikt ({law}).",
        "de": "Kein Erhalt der Rechte für {quarters}: die {limit} Quartale der Laufbahn sind genutzt ({law}).",
        "en": "No rights maintained for {quarters}: the {limit} quarters of the career are used ({law}).",
    },
    "rights_already_kept": {
        "fr": "Droits déjà maintenus pour {quarters} (décision antérieure), non comptés une seconde fois.",
        "nl": "Rechten reeds behouden voor {quarters} (eerdere beslissing), niet een tweede keer geteld.",
        "de": "Rechte für {quarters} bereits erhalten (frühere Entscheidung), nicht ein zweites Mal gezählt.",
        "en": "Rights already kept for {quarters} (an earlier decision), not counted a second time.",
    },
})
for _lang, _keys in {
    "fr": {"professional_activity": "activité professionnelle pendant l'interruption totale",
           "rights_quarters_before": "trimestres de droits maintenus déjà utilisés ailleurs"},
    "nl": {"professional_activity": "beroepsactiviteit tijdens de volledige onderbreking",
           "rights_quarters_before": "kwartalen behoud van rechten elders al gebruikt"},
    "de": {"professional_activity": "Berufstätigkeit während der vollständigen Unterbrechung",
           "rights_quarters_before": "anderswo bereits genutzte Quartale Erhalt der Rechte"},
}.items():
    DOC[_lang]["fact_keys"].update(_keys)

# --- the bridging right's case-specific conditions and the pension quarters (issue 8; addendum §1.2) -----------------
BRIDGING_CASE_LAW = {
    "economic_difficulties": {
        "fr": "droit passerelle, cessation pour difficultés économiques, FAQ INASTI [S247fr][S247] (legislation §8.1 "
        "[S40])",
        "nl": "overbruggingsrecht, stopzetting door economische moeilijkheden, FAQ RSVZ [S247fr][S247] (wetgeving "
        "§8.1 [S40])",
        "de": "Überbrückungsrecht, Einstellung wegen wirtschaftlicher Schwierigkeiten, FAQ LISVS [S247fr][S247] "
        "(Rechtsvorschriften §8.1 [S40])",
        "en": "bridging right, cessation for economic difficulties, INASTI FAQ [S247fr][S247] (legislation §8.1 [S40])",
    },
    "collective_debt_settlement": {
        "fr": "droit passerelle, règlement collectif de dettes, FAQ RSVZ [S41] (legislation §8.1)",
        "nl": "overbruggingsrecht, collectieve schuldenregeling, FAQ RSVZ [S41] (wetgeving §8.1)",
        "de": "Überbrückungsrecht, kollektive Schuldenregelung, FAQ LISVS [S41] (Rechtsvorschriften §8.1)",
        "en": "bridging right, collective debt settlement, RSVZ FAQ [S41] (legislation §8.1)",
    },
    "pension": {
        "fr": "droit passerelle, 24 mois / 8 trimestres après 60 trimestres de cotisations constitutives de pension, "
        "legislation §8.1 [S41]",
        "nl": "overbruggingsrecht, 24 maanden / 8 kwartalen na 60 kwartalen pensioenopbouwende bijdragen, wetgeving "
        "§8.1 [S41]",
        "de": "Überbrückungsrecht, 24 Monate / 8 Quartale nach 60 Quartalen rentenbildender Beiträge, "
        "Rechtsvorschriften §8.1 [S41]",
        "en": "bridging right, 24 months / 8 quarters after 60 quarters of pension-creating contributions, "
        "legislation §8.1 [S41]",
    },
}

#: what a caseworker must verify before a bridging-right claim can be decided (the task lists them)
VERIFY = {
    "living_wage": {
        "fr": "Revenu d'intégration : la personne recevait-elle un revenu d'intégration du CPAS au moment de la "
        "cessation du {event} (déclaré : {declared}) ? Vérifier la décision du CPAS.",
        "nl": "Leefloon: ontving de persoon een leefloon van het OCMW op het ogenblik van de stopzetting van {event} "
        "(aangegeven: {declared})? De beslissing van het OCMW nagaan.",
        "de": "Eingliederungseinkommen: bezog die Person zum Zeitpunkt der Einstellung am {event} ein "
        "Eingliederungseinkommen des ÖSHZ (angegeben: {declared})? Die Entscheidung des ÖSHZ prüfen.",
        "en": "Living wage: did the person receive the living wage (revenu d'intégration) of the CPAS at the "
        "cessation of {event} (declared: {declared})? Verify the CPAS decision.",
    },
    "low_income": {
        "fr": "Revenus faibles : les revenus professionnels {prev} et {year} dépassent-ils le revenu minimum de leur "
        "année ? Revenu fiscal ou seuil inconnu pour {missing} : vérifier sur pièces comptables.",
        "nl": "Laag inkomen: overschrijden de beroepsinkomsten {prev} en {year} het minimuminkomen van hun jaar? "
        "Fiscaal inkomen of grens onbekend voor {missing}: nagaan op boekhoudkundige stukken.",
        "de": "Niedriges Einkommen: überschreiten die Berufseinkünfte {prev} und {year} das Mindesteinkommen ihres "
        "Jahres? Steuerliches Einkommen oder Grenze unbekannt für {missing}: anhand der Buchhaltung prüfen.",
        "en": "Low income: do the professional incomes of {prev} and {year} exceed the minimum income of their year? "
        "Tax income or threshold unknown for {missing}: verify on accounting documents.",
    },
    "debt_settlement": {
        "fr": "Règlement collectif de dettes : vérifier la décision d'admissibilité du tribunal du travail et sa "
        "date, la cessation du {event}, et si ce cas ouvre encore le droit pour un événement à cette date (les "
        "conditions, délais et le maintien du cas après la réforme du 1-1-2023 ne sont pas dans les notes : NOT "
        "FOUND).",
        "nl": "Collectieve schuldenregeling: de beschikking van toelaatbaarheid van de arbeidsrechtbank en haar "
        "datum nagaan, de stopzetting van {event}, en of dit geval nog recht opent voor een gebeurtenis op die datum "
        "(de voorwaarden, termijnen en het behoud van het geval na de hervorming van 1-1-2023 staan niet in de "
        "nota's: NOT FOUND).",
        "de": "Kollektive Schuldenregelung: den Zulässigkeitsbeschluss des Arbeitsgerichts und sein Datum prüfen, die "
        "Einstellung am {event}, und ob dieser Fall für ein Ereignis an diesem Datum noch ein Recht eröffnet (die "
        "Voraussetzungen, Fristen und der Fortbestand des Falls nach der Reform vom 1-1-2023 stehen nicht in den "
        "Notizen: NOT FOUND).",
        "en": "Collective debt settlement: verify the labour court's admissibility decision and its date, the "
        "cessation of {event}, and whether this case still opens the right for an event on that date (the "
        "conditions, time limits and whether the case survived the reform of 1-1-2023 are not in the notes: NOT "
        "FOUND).",
    },
    "pension_quarters": {
        "fr": "Trimestres de pension : la personne déclare {declared} trimestres de cotisations constitutives de "
        "pension, la caisse en compte {counted} ; vérifier le relevé de carrière (minimum {need}).",
        "nl": "Pensioenkwartalen: de persoon geeft {declared} kwartalen pensioenopbouwende bijdragen aan, het fonds "
        "telt er {counted}; het loopbaanoverzicht nagaan (minimum {need}).",
        "de": "Rentenquartale: die Person gibt {declared} Quartale rentenbildender Beiträge an, die Kasse zählt "
        "{counted}; die Laufbahnübersicht prüfen (mindestens {need}).",
        "en": "Pension quarters: the person declares {declared} quarters of pension-creating contributions, the fund "
        "counts {counted}; verify the career statement (at least {need}).",
    },
}

CHECK.update({
    "pension_counted": {
        "fr": "Trimestres de pension comptés par la caisse : {counted} (cotisations payées comme indépendant à titre "
        "principal ou conjoint aidant maxi-statut) ; déclarés par vous : {declared} ; retenus : {used} (minimum "
        "{need} pour 24 mois / 8 trimestres) ({law}).",
        "nl": "Pensioenkwartalen geteld door het fonds: {counted} (betaalde bijdragen als zelfstandige in hoofdberoep "
        "of meewerkende echtgenoot maxistatuut); door u aangegeven: {declared}; in aanmerking genomen: {used} "
        "(minimum {need} voor 24 maanden / 8 kwartalen) ({law}).",
        "de": "Von der Kasse gezählte Rentenquartale: {counted} (bezahlte Beiträge als hauptberuflich Selbständige(r) "
        "oder mithelfender Ehepartner Maxi-Statut); von Ihnen angegeben: {declared}; berücksichtigt: {used} "
        "(mindestens {need} für 24 Monate / 8 Quartale) ({law}).",
        "en": "Pension quarters counted by the fund: {counted} (contributions paid as main-activity self-employed or "
        "maxi helping spouse); declared by you: {declared}; used: {used} (at least {need} for 24 months / 8 "
        "quarters) ({law}).",
    },
    "pension_declared_verified": {
        "fr": "Trimestres de pension : vous en déclarez {declared}, vérifiés par la caisse le {verified} (la caisse en "
        "compte {counted} dans ses propres données) ; retenus : {used} (minimum {need} pour 24 mois / 8 "
        "trimestres) ({law}).",
        "nl": "Pensioenkwartalen: u geeft er {declared} aan, nagegaan door het fonds op {verified} (het fonds telt er "
        "{counted} in zijn eigen gegevens); in aanmerking genomen: {used} (minimum {need} voor 24 maanden / 8 "
        "kwartalen) ({law}).",
        "de": "Rentenquartale: Sie geben {declared} an, von der Kasse am {verified} geprüft (die Kasse zählt "
        "{counted} in ihren eigenen Daten); berücksichtigt: {used} (mindestens {need} für 24 Monate / 8 Quartale) "
        "({law}).",
        "en": "Pension quarters: you declare {declared}, verified by the fund on {verified} (the fund counts "
        "{counted} in its own records); used: {used} (at least {need} for 24 months / 8 quarters) ({law}).",
    },
    "pension_declaration_not_verified": {
        "fr": "Trimestres de pension : vous en déclarez {declared}, ce que la caisse n'a pas pu vérifier le "
        "{verified} ; retenus : les {counted} trimestres comptés par la caisse (minimum {need} pour 24 mois / 8 "
        "trimestres) ({law}).",
        "nl": "Pensioenkwartalen: u geeft er {declared} aan, wat het fonds op {verified} niet kon nagaan; in "
        "aanmerking genomen: de {counted} kwartalen geteld door het fonds (minimum {need} voor 24 maanden / 8 "
        "kwartalen) ({law}).",
        "de": "Rentenquartale: Sie geben {declared} an, was die Kasse am {verified} nicht bestätigen konnte; "
        "berücksichtigt: die {counted} von der Kasse gezählten Quartale (mindestens {need} für 24 Monate / 8 "
        "Quartale) ({law}).",
        "en": "Pension quarters: you declare {declared}, which the fund could not verify on {verified}; used: the "
        "{counted} quarters the fund counts (at least {need} for 24 months / 8 quarters) ({law}).",
    },
    "economic_dispensation": {
        "fr": "Difficultés économiques : l'INASTI vous a accordé une dispense de cotisations le {date} ({quarters}), "
        "dans les {months} mois précédant la cessation du {event} ({law}).",
        "nl": "Economische moeilijkheden: het RSVZ verleende u op {date} een vrijstelling van bijdragen "
        "({quarters}), in de {months} maanden vóór de stopzetting van {event} ({law}).",
        "de": "Wirtschaftliche Schwierigkeiten: das LISVS gewährte Ihnen am {date} eine Beitragsbefreiung "
        "({quarters}), in den {months} Monaten vor der Einstellung am {event} ({law}).",
        "en": "Economic difficulties: INASTI granted you a dispensation of contributions on {date} ({quarters}), "
        "within the {months} months before the cessation of {event} ({law}).",
    },
    "economic_low_income": {
        "fr": "Difficultés économiques : revenus professionnels de l'année de la cessation et de l'année précédente "
        "pas au-dessus du revenu minimum de leur année (revenu / seuil : {years}) ({law}).",
        "nl": "Economische moeilijkheden: beroepsinkomsten van het jaar van de stopzetting en het voorgaande jaar "
        "niet hoger dan het minimuminkomen van hun jaar (inkomen / grens: {years}) ({law}).",
        "de": "Wirtschaftliche Schwierigkeiten: Berufseinkünfte des Jahres der Einstellung und des Vorjahres nicht "
        "über dem Mindesteinkommen ihres Jahres (Einkommen / Grenze: {years}) ({law}).",
        "en": "Economic difficulties: professional incomes of the year of the cessation and the year before not above "
        "the minimum income of their year (income / threshold: {years}) ({law}).",
    },
    "economic_low_income_verified": {
        "fr": "Difficultés économiques : revenus {prev} et {year} pas au-dessus du revenu minimum de leur année, "
        "vérifié par la caisse sur pièces le {date} ({law}).",
        "nl": "Economische moeilijkheden: inkomsten {prev} en {year} niet hoger dan het minimuminkomen van hun jaar, "
        "nagegaan door het fonds op stukken op {date} ({law}).",
        "de": "Wirtschaftliche Schwierigkeiten: Einkünfte {prev} und {year} nicht über dem Mindesteinkommen ihres "
        "Jahres, von der Kasse am {date} anhand von Belegen geprüft ({law}).",
        "en": "Economic difficulties: incomes of {prev} and {year} not above the minimum income of their year, "
        "verified by the fund on documents on {date} ({law}).",
    },
    "economic_living_wage": {
        "fr": "Difficultés économiques : revenu d'intégration du CPAS au moment de la cessation du {event}, vérifié "
        "par la caisse le {date} ({law}).",
        "nl": "Economische moeilijkheden: leefloon van het OCMW op het ogenblik van de stopzetting van {event}, "
        "nagegaan door het fonds op {date} ({law}).",
        "de": "Wirtschaftliche Schwierigkeiten: Eingliederungseinkommen des ÖSHZ zum Zeitpunkt der Einstellung am "
        "{event}, von der Kasse am {date} geprüft ({law}).",
        "en": "Economic difficulties: living wage of the CPAS at the cessation of {event}, verified by the fund on "
        "{date} ({law}).",
    },
    "economic_not_met": {
        "fr": "Aucune des situations de difficultés économiques n'est remplie : {findings}. Seules ces situations "
        "ouvrent le droit passerelle pour une cessation pour difficultés économiques ({law}).",
        "nl": "Geen van de situaties van economische moeilijkheden is vervuld: {findings}. Alleen die situaties openen "
        "het overbruggingsrecht bij een stopzetting door economische moeilijkheden ({law}).",
        "de": "Keine der Situationen wirtschaftlicher Schwierigkeiten ist erfüllt: {findings}. Nur diese Situationen "
        "eröffnen das Überbrückungsrecht bei einer Einstellung wegen wirtschaftlicher Schwierigkeiten ({law}).",
        "en": "None of the situations of economic difficulties is met: {findings}. Only these situations open the "
        "bridging right for a cessation for economic difficulties ({law}).",
    },
    "debt_settlement_verified": {
        "fr": "Règlement collectif de dettes : décision d'admissibilité et cessation du {event} vérifiées par la "
        "caisse le {date} ({law}).",
        "nl": "Collectieve schuldenregeling: beschikking van toelaatbaarheid en stopzetting van {event} nagegaan door "
        "het fonds op {date} ({law}).",
        "de": "Kollektive Schuldenregelung: Zulässigkeitsbeschluss und Einstellung am {event} von der Kasse am {date} "
        "geprüft ({law}).",
        "en": "Collective debt settlement: admissibility decision and cessation of {event} verified by the fund on "
        "{date} ({law}).",
    },
    "debt_settlement_not_met": {
        "fr": "Règlement collectif de dettes : la caisse a constaté le {date} qu'aucun règlement collectif de dettes "
        "ouvrant le droit passerelle ne s'applique à la cessation du {event} ({law}).",
        "nl": "Collectieve schuldenregeling: het fonds stelde op {date} vast dat geen collectieve schuldenregeling die "
        "het overbruggingsrecht opent van toepassing is op de stopzetting van {event} ({law}).",
        "de": "Kollektive Schuldenregelung: die Kasse stellte am {date} fest, dass keine kollektive Schuldenregelung, "
        "die das Überbrückungsrecht eröffnet, auf die Einstellung am {event} anwendbar ist ({law}).",
        "en": "Collective debt settlement: the fund found on {date} that no collective debt settlement opening the "
        "bridging right applies to the cessation of {event} ({law}).",
    },
})

#: the findings of a refusal for economic difficulties, one per situation (joined into ``economic_not_met``)
CHECK.update({
    "economic_no_dispensation": {
        "fr": "aucune dispense de cotisations accordée par l'INASTI du {since} au {event} ({months} mois) dans les "
        "données de la caisse",
        "nl": "geen vrijstelling van bijdragen verleend door het RSVZ van {since} tot {event} ({months} maanden) in de "
        "gegevens van het fonds",
        "de": "keine vom LISVS gewährte Beitragsbefreiung vom {since} bis {event} ({months} Monate) in den Daten der "
        "Kasse",
        "en": "no dispensation of contributions granted by INASTI from {since} to {event} ({months} months) in the "
        "fund's records",
    },
    "economic_income_above": {
        "fr": "revenus au-dessus du revenu minimum (revenu / seuil : {years})",
        "nl": "inkomsten boven het minimuminkomen (inkomen / grens: {years})",
        "de": "Einkünfte über dem Mindesteinkommen (Einkommen / Grenze: {years})",
        "en": "incomes above the minimum income (income / threshold: {years})",
    },
    "economic_low_income_not_verified": {
        "fr": "revenus {prev} et {year} au-dessus du revenu minimum selon la vérification de la caisse du {date}",
        "nl": "inkomsten {prev} en {year} boven het minimuminkomen volgens de controle van het fonds van {date}",
        "de": "Einkünfte {prev} und {year} über dem Mindesteinkommen laut Prüfung der Kasse vom {date}",
        "en": "incomes of {prev} and {year} above the minimum income as the fund verified on {date}",
    },
    "economic_no_living_wage": {
        "fr": "pas de revenu d'intégration du CPAS au moment de la cessation (votre déclaration)",
        "nl": "geen leefloon van het OCMW op het ogenblik van de stopzetting (uw aangifte)",
        "de": "kein Eingliederungseinkommen des ÖSHZ zum Zeitpunkt der Einstellung (Ihre Angabe)",
        "en": "no living wage of the CPAS at the cessation (your declaration)",
    },
    "economic_living_wage_not_verified": {
        "fr": "pas de revenu d'intégration du CPAS au moment de la cessation selon la vérification de la caisse du "
        "{date}",
        "nl": "geen leefloon van het OCMW op het ogenblik van de stopzetting volgens de controle van het fonds van "
        "{date}",
        "de": "kein Eingliederungseinkommen des ÖSHZ zum Zeitpunkt der Einstellung laut Prüfung der Kasse vom {date}",
        "en": "no living wage of the CPAS at the cessation as the fund verified on {date}",
    },
})
CHECK["pension_quarters"] = {lang: "{text}" for lang in LANGS}  # the rendered statement of ``pension_career``
MESSAGE["check_done"] = {
    "fr": "Les vérifications de la caisse sont faites : votre demande n° {claim} est décidée (voir la décision).",
    "nl": "De controles van het fonds zijn gedaan: over uw aanvraag nr. {claim} is beslist (zie de beslissing).",
    "de": "Die Prüfungen der Kasse sind erfolgt: über Ihren Antrag Nr. {claim} ist entschieden (siehe die "
    "Entscheidung).",
    "en": "The fund's checks are done: your claim no. {claim} is decided (see the decision).",
}
# an undue-benefit decision on a bridging right withdraws the quarters of rights it maintained (legislation §8.1)
UNDUE_DOC["fr"]["rights_withdrawn"] = ("Droits en soins de santé et indemnités/maternité maintenus avec ce droit "
                                       "passerelle : retirés pour {quarters} ; restent maintenus : {kept}.")
UNDUE_DOC["nl"]["rights_withdrawn"] = ("Rechten op gezondheidszorg en uitkeringen/moederschap behouden met dit "
                                       "overbruggingsrecht: ingetrokken voor {quarters}; blijven behouden: {kept}.")
UNDUE_DOC["de"]["rights_withdrawn"] = ("Mit diesem Überbrückungsrecht erhaltene Rechte auf Gesundheitspflege und "
                                       "Entschädigungen/Mutterschaft: entzogen für {quarters}; bleiben erhalten: "
                                       "{kept}.")
PARAMETER_LAW.update({
    "droit passerelle, cessation pour difficultés économiques": {
        "nl": "overbruggingsrecht, stopzetting door economische moeilijkheden",
        "de": "Überbrückungsrecht, Einstellung wegen wirtschaftlicher Schwierigkeiten",
        "en": "bridging right, cessation for economic difficulties"},
    "droit passerelle, cessation pour difficultés économiques (revenu minimum à titre principal)": {
        "nl": "overbruggingsrecht, stopzetting door economische moeilijkheden (minimuminkomen hoofdberoep)",
        "de": "Überbrückungsrecht, Einstellung wegen wirtschaftlicher Schwierigkeiten (Mindesteinkommen "
        "hauptberuflich)",
        "en": "bridging right, cessation for economic difficulties (minimum income, main activity)"},
    "droit passerelle, cessation pour difficultés économiques (revenu minimum du conjoint aidant maxi-statut)": {
        "nl": "overbruggingsrecht, stopzetting door economische moeilijkheden (minimuminkomen meewerkende echtgenoot "
        "maxistatuut)",
        "de": "Überbrückungsrecht, Einstellung wegen wirtschaftlicher Schwierigkeiten (Mindesteinkommen "
        "mithelfender Ehepartner Maxi-Statut)",
        "en": "bridging right, cessation for economic difficulties (minimum income, helping spouse maxi-status)"},
})

# a bridging-right claimant's declarations taken by phone (nothing signed): the person reads what the fund recorded
# and may object before the decision (``service.confirm_declarations``)
MESSAGE["declared_by_phone"] = {
    "fr": "Le {date}, vous avez déclaré par téléphone, pour votre demande de droit passerelle n° {claim} : {what}. La "
    "caisse l'a enregistré comme votre déclaration et en tient compte pour décider. Si ce n'est pas ce que vous avez "
    "déclaré, répondez à ce message avant la décision : la caisse le corrigera.",
    "nl": "Op {date} hebt u telefonisch verklaard, voor uw aanvraag overbruggingsrecht nr. {claim}: {what}. Het fonds "
    "heeft dit als uw verklaring geregistreerd en houdt er rekening mee bij de beslissing. Is dit niet wat u hebt "
    "verklaard, antwoord dan op dit bericht vóór de beslissing: het fonds verbetert het.",
    "de": "Am {date} haben Sie telefonisch für Ihren Antrag auf Überbrückungsrecht Nr. {claim} erklärt: {what}. Die "
    "Kasse hat dies als Ihre Erklärung erfasst und berücksichtigt es bei der Entscheidung. Haben Sie etwas anderes "
    "erklärt, antworten Sie vor der Entscheidung auf diese Nachricht: die Kasse berichtigt es.",
    "en": "On {date} you declared by phone, for your bridging-right claim no. {claim}: {what}. The fund recorded it "
    "as your declaration and takes it into account to decide. If this is not what you declared, reply to this "
    "message before the decision: the fund will correct it.",
}
#: each declaration as the message to the person names it
DECLARATION = {
    "professional_activity": {
        "fr": "une activité professionnelle (salariée ou indépendante) pendant l'interruption",
        "nl": "een beroepsactiviteit (als werknemer of zelfstandige) tijdens de onderbreking",
        "de": "eine Berufstätigkeit (als Arbeitnehmer oder Selbständiger) während der Unterbrechung",
        "en": "a professional activity (employee or self-employed) during the interruption"},
    "replacement_income": {
        "fr": "un revenu de remplacement (chômage, maladie, invalidité, pension…) pendant la période",
        "nl": "een vervangingsinkomen (werkloosheids-, ziekte- of invaliditeitsuitkering, pensioen…) tijdens de "
        "periode",
        "de": "ein Ersatzeinkommen (Arbeitslosen-, Kranken- oder Invaliditätsgeld, Pension…) während des Zeitraums",
        "en": "a replacement income (unemployment, sickness or disability benefit, pension…) during the period"},
    "family_charge": {"fr": "une famille à charge", "nl": "gezinslast", "de": "unterhaltsberechtigte Angehörige",
                      "en": "a dependent family"},
    "pension_quarters": {"fr": "trimestres comptant pour la pension", "nl": "kwartalen die meetellen voor het pensioen",
                         "de": "für die Pension zählende Quartale", "en": "quarters counting for the pension"},
    "months_before": {
        "fr": "mois de droit passerelle reçus en dehors des données de cette caisse",
        "nl": "maanden overbruggingsrecht ontvangen buiten de gegevens van dit fonds",
        "de": "Monate Überbrückungsrecht, außerhalb der Daten dieser Kasse bezogen",
        "en": "months of bridging right received outside this fund's records"},
    "rights_quarters_before": {
        "fr": "trimestres de droits en soins de santé maintenus en dehors des données de cette caisse",
        "nl": "kwartalen rechten op gezondheidszorg behouden buiten de gegevens van dit fonds",
        "de": "Quartale Ansprüche auf Gesundheitspflege, außerhalb der Daten dieser Kasse erhalten",
        "en": "quarters of health-care rights kept outside this fund's records"},
}
YES_NO = {"fr": ("oui", "non"), "nl": ("ja", "nee"), "de": ("ja", "nein"), "en": ("yes", "no")}
