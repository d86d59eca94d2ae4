"""The words of the assimilation-for-illness and continued-insurance requests in fr / nl / de / en: what the person is
told when the fund prepares, records, forwards a request and when the institution's decision arrives.

Only what the legislation notes give (legislation §9, S60–S62, S129; addendum §9, S251; Charter art. 23 for the
appeal): who decides an assimilation for illness, the deadline to ask either request, the deadline of the decision
and the contribution percentages of the continued insurance are NOT FOUND there and the letters say so.
"""

from __future__ import annotations

KIND = {
    "illness_assimilation": {"fr": "assimilation pour maladie", "nl": "gelijkstelling wegens ziekte",
                             "de": "Gleichstellung wegen Krankheit", "en": "assimilation for illness"},
    "continued_insurance": {"fr": "assurance continuée", "nl": "voortgezette verzekering",
                            "de": "fortgesetzte Versicherung", "en": "continued insurance"},
}
OPTION = {
    "pension": {"fr": "pension seule", "nl": "alleen pensioen", "de": "nur Pension", "en": "pension only"},
    "pension_health": {"fr": "pension et soins de santé", "nl": "pensioen en geneeskundige verzorging",
                       "de": "Pension und Gesundheitspflege", "en": "pension and health care"},
}
COMPETENT = {"fr": "l'institution compétente", "nl": "de bevoegde instelling", "de": "die zuständige Einrichtung",
             "en": "the competent institution"}
FROM = {"fr": "à partir de {first}", "nl": "vanaf {first}", "de": "ab {first}", "en": "from {first}"}

MESSAGE = {
    "proposed_illness_assimilation": {
        "fr": " La caisse a préparé votre demande d'assimilation n° {request} pour la période d'incapacité à partir du "
        "{start} : vérifiez-la et envoyez-la dans « Mes droits ». Le délai pour la demander et l'institution qui "
        "décide ne figurent pas dans les sources de la caisse (NOT FOUND) : la caisse vous dira à qui elle la "
        "transmet.",
        "nl": " Het fonds heeft uw aanvraag tot gelijkstelling nr. {request} voorbereid voor de periode van "
        "arbeidsongeschiktheid vanaf {start}: controleer ze en verstuur ze via « Mijn rechten ». De termijn om ze "
        "aan te vragen en de instelling die beslist staan niet in de bronnen van het fonds (NOT FOUND): het fonds "
        "laat u weten aan wie het ze doorstuurt.",
        "de": " Die Kasse hat Ihren Antrag auf Gleichstellung Nr. {request} für die Zeit der Arbeitsunfähigkeit ab "
        "dem {start} vorbereitet: Prüfen Sie ihn und senden Sie ihn unter « Meine Rechte » ab. Die Frist für den "
        "Antrag und die Einrichtung, die entscheidet, stehen nicht in den Quellen der Kasse (NOT FOUND): Die Kasse "
        "teilt Ihnen mit, an wen sie ihn weiterleitet.",
        "en": " The fund prepared your assimilation request {request} for the incapacity from {start}: check it and "
        "send it in My rights. The deadline to ask and the institution that decides are NOT FOUND in the fund's "
        "sources: the fund will tell you where it forwards it.",
    },
    "proposed_continued_insurance": {
        "fr": " La caisse a préparé votre demande d'assurance continuée n° {request} ({quarters}) : choisissez "
        "l'option (pension seule, ou pension et soins de santé) et envoyez-la dans « Mes droits ». L'INASTI décide. "
        "Le pourcentage des cotisations et le délai pour la demander ne figurent pas dans les sources de la caisse "
        "(NOT FOUND).",
        "nl": " Het fonds heeft uw aanvraag voortgezette verzekering nr. {request} voorbereid ({quarters}): kies de "
        "optie (alleen pensioen, of pensioen en geneeskundige verzorging) en verstuur ze via « Mijn rechten ». Het "
        "RSVZ beslist. Het bijdragepercentage en de termijn om ze aan te vragen staan niet in de bronnen van het "
        "fonds (NOT FOUND).",
        "de": " Die Kasse hat Ihren Antrag auf fortgesetzte Versicherung Nr. {request} vorbereitet ({quarters}): "
        "Wählen Sie die Option (nur Pension, oder Pension und Gesundheitspflege) und senden Sie ihn unter « Meine "
        "Rechte » ab. Das LISVS entscheidet. Der Beitragssatz und die Frist für den Antrag stehen nicht in den "
        "Quellen der Kasse (NOT FOUND).",
        "en": " The fund prepared your continued-insurance request {request} ({quarters}): choose the option "
        "(pension only, or pension and health care) and send it in My rights. INASTI decides. The contribution "
        "percentage and the deadline to ask are NOT FOUND in the fund's sources.",
    },
    "filed": {
        "fr": "Votre demande n° {request} ({kind}, trimestres {quarters}) est enregistrée le {date}. La caisse l'a "
        "vérifiée et la transmet à {institution} au plus tard le {deadline}.",
        "nl": "Uw aanvraag nr. {request} ({kind}, kwartalen {quarters}) is geregistreerd op {date}. Het fonds heeft "
        "ze nagekeken en stuurt ze uiterlijk op {deadline} door naar {institution}.",
        "de": "Ihr Antrag Nr. {request} ({kind}, Quartale {quarters}) wurde am {date} erfasst. Die Kasse hat ihn "
        "geprüft und leitet ihn spätestens am {deadline} an {institution} weiter.",
        "en": "Your request {request} ({kind}, quarters {quarters}) was recorded on {date}. The fund checked it and "
        "forwards it to {institution} by {deadline}.",
    },
    "option": {"fr": " Option choisie : {option}.", "nl": " Gekozen optie: {option}.", "de": " Gewählte Option: "
               "{option}.", "en": " Option chosen: {option}."},
    "forwarded": {
        "fr": "Votre demande n° {request} ({kind}) a été transmise le {date} à {institution}, qui décide. Le délai de "
        "sa décision ne figure pas dans les sources de la caisse (NOT FOUND) : la caisse vous écrit dès qu'elle la "
        "reçoit.",
        "nl": "Uw aanvraag nr. {request} ({kind}) werd op {date} doorgestuurd naar {institution}, die beslist. De "
        "termijn van die beslissing staat niet in de bronnen van het fonds (NOT FOUND): het fonds schrijft u zodra "
        "het ze ontvangt.",
        "de": "Ihr Antrag Nr. {request} ({kind}) wurde am {date} an {institution} weitergeleitet, die entscheidet. "
        "Die Frist dieser Entscheidung steht nicht in den Quellen der Kasse (NOT FOUND): Die Kasse schreibt Ihnen, "
        "sobald sie sie erhält.",
        "en": "Your request {request} ({kind}) was forwarded on {date} to {institution}, which decides. The deadline "
        "of its decision is NOT FOUND in the fund's sources: the fund writes to you as soon as it receives it.",
    },
    "granted": {
        "fr": "Décision de {institution} du {date} (référence {ref}) sur votre demande n° {request} ({kind}) : "
        "accordée pour les trimestres {quarters}.",
        "nl": "Beslissing van {institution} van {date} (referentie {ref}) over uw aanvraag nr. {request} ({kind}): "
        "toegekend voor de kwartalen {quarters}.",
        "de": "Entscheidung von {institution} vom {date} (Referenz {ref}) über Ihren Antrag Nr. {request} ({kind}): "
        "bewilligt für die Quartale {quarters}.",
        "en": "Decision of {institution} of {date} (reference {ref}) on your request {request} ({kind}): granted for "
        "the quarters {quarters}.",
    },
    "refused": {
        "fr": "Décision de {institution} du {date} (référence {ref}) sur votre demande n° {request} ({kind}) : "
        "refusée.",
        "nl": "Beslissing van {institution} van {date} (referentie {ref}) over uw aanvraag nr. {request} ({kind}): "
        "geweigerd.",
        "de": "Entscheidung von {institution} vom {date} (Referenz {ref}) über Ihren Antrag Nr. {request} ({kind}): "
        "abgelehnt.",
        "en": "Decision of {institution} of {date} (reference {ref}) on your request {request} ({kind}): refused.",
    },
    "reasons": {"fr": " Motifs : {reason}", "nl": " Redenen: {reason}", "de": " Gründe: {reason}",
                "en": " Reasons: {reason}"},
    "withdrawn": {
        "fr": "Votre demande n° {request} ({kind}) est retirée le {date}, comme vous l'avez demandé. La caisse ne la "
        "traite plus. Vous pouvez introduire une nouvelle demande plus tard.",
        "nl": "Uw aanvraag nr. {request} ({kind}) is op {date} ingetrokken, zoals u vroeg. Het fonds behandelt ze "
        "niet verder. U kunt later een nieuwe aanvraag indienen.",
        "de": "Ihr Antrag Nr. {request} ({kind}) wurde am {date} zurückgezogen, wie Sie es gewünscht haben. Die Kasse "
        "bearbeitet ihn nicht weiter. Sie können später einen neuen Antrag stellen.",
        "en": "Your request {request} ({kind}) was withdrawn on {date}, as you asked. The fund no longer handles it. "
        "You may file a new request later.",
    },
    "withdrawn_forwarded": {
        "fr": " Elle avait été transmise à {institution} : la caisse l'informe de votre retrait.",
        "nl": " Ze was doorgestuurd naar {institution}: het fonds brengt die instelling op de hoogte van uw "
        "intrekking.",
        "de": " Er war an {institution} weitergeleitet worden: Die Kasse teilt ihr Ihre Rücknahme mit.",
        "en": " It had been forwarded to {institution}: the fund tells it of your withdrawal.",
    },
    "appeal": {
        "fr": " Vous pouvez contester cette décision devant le tribunal du travail dans les trois mois de sa "
        "notification (Charte de l'assuré social, art. 23).",
        "nl": " U kunt deze beslissing betwisten voor de arbeidsrechtbank binnen drie maanden na de kennisgeving "
        "(Handvest van de sociaal verzekerde, art. 23).",
        "de": " Sie können diese Entscheidung innerhalb von drei Monaten nach ihrer Zustellung vor dem Arbeitsgericht "
        "anfechten (Charta der Sozialversicherten, Art. 23).",
        "en": " You may appeal against this decision before the labour court within three months of its notification "
        "(Charter of the social insured, art. 23).",
    },
}


def t(key: str, lang: str, **values) -> str:
    return MESSAGE[key][lang if lang in MESSAGE[key] else "fr"].format(**values)
