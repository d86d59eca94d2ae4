"""Everything a person reads about a dispensation or a surcharge waiver, in French, Dutch and German (glossary:
dispense de cotisations / vrijstelling van bijdragen / Beitragsbefreiung; renonciation aux majorations /
kwijtschelding van verhogingen / Erlass der Zuschläge)."""

from __future__ import annotations

LANGS = ("fr", "nl", "de")

T: dict[str, dict[str, str]] = {
    # --- the information given before the person decides (pension consequence) ---------------------------------
    "notice_title": {
        "fr": "Dispense de cotisations : ce qu'elle change pour votre pension",
        "nl": "Vrijstelling van bijdragen: wat ze verandert voor uw pensioen",
        "de": "Beitragsbefreiung: was sie für Ihre Rente ändert",
    },
    "notice_intro": {
        "fr": "Vous envisagez de demander à l'INASTI une dispense des cotisations suivantes. Lisez ceci avant de "
              "décider : la demande doit être signée par vous personnellement.",
        "nl": "U overweegt het RSVZ om vrijstelling van de volgende bijdragen te vragen. Lees dit voor u beslist: "
              "de aanvraag moet door uzelf ondertekend worden.",
        "de": "Sie erwägen, beim LISVS die Befreiung von den folgenden Beiträgen zu beantragen. Lesen Sie dies, "
              "bevor Sie entscheiden: Der Antrag muss von Ihnen persönlich unterschrieben werden.",
    },
    "notice_quarter": {
        "fr": "{period} : cotisation de {amount} — à payer au plus tard le {deadline} pour garder les droits "
              "de pension de ce trimestre",
        "nl": "{period}: bijdrage van {amount} — te betalen uiterlijk op {deadline} om de pensioenrechten van "
              "dit kwartaal te behouden",
        "de": "{period}: Beitrag von {amount} — spätestens am {deadline} zu zahlen, um die Rentenansprüche "
              "dieses Quartals zu behalten",
    },
    "notice_effect": {
        "fr": "Si l'INASTI accorde la dispense, vous ne devez plus ces cotisations et vous gardez vos droits aux "
              "soins de santé et aux allocations familiales. Mais les trimestres dispensés ne comptent pas pour "
              "votre pension, sauf si vous payez les cotisations dispensées dans les 5 ans (dates ci-dessus).",
        "nl": "Als het RSVZ de vrijstelling toekent, bent u deze bijdragen niet meer verschuldigd en behoudt u uw "
              "rechten op geneeskundige verzorging en gezinsbijslag. Maar de vrijgestelde kwartalen tellen niet mee "
              "voor uw pensioen, tenzij u de vrijgestelde bijdragen binnen 5 jaar betaalt (data hierboven).",
        "de": "Gewährt das LISVS die Befreiung, schulden Sie diese Beiträge nicht mehr und behalten Ihre Ansprüche "
              "auf Gesundheitsversorgung und Familienleistungen. Die befreiten Quartale zählen aber nicht für Ihre "
              "Rente, es sei denn, Sie zahlen die befreiten Beiträge innerhalb von 5 Jahren (Daten oben).",
    },
    "notice_reduction": {
        "fr": "Si vos cotisations provisoires ne sont pas déjà au minimum, demandez d'abord leur réduction : elle "
              "ne vous fait pas perdre de droits.",
        "nl": "Als uw voorlopige bijdragen nog niet op het minimum staan, vraag dan eerst een vermindering: "
              "daarmee verliest u geen rechten.",
        "de": "Sind Ihre vorläufigen Beiträge noch nicht auf dem Mindestbetrag, beantragen Sie zuerst eine "
              "Herabsetzung: Sie verlieren dadurch keine Ansprüche.",
    },
    "notice_surcharges": {
        "fr": "Les majorations déjà portées en compte sur ces trimestres ({amount}) ne sont annulées que si "
              "l'INASTI le décide.",
        "nl": "De verhogingen die al op deze kwartalen zijn aangerekend ({amount}) vervallen alleen als het "
              "RSVZ dat beslist.",
        "de": "Die auf diese Quartale bereits berechneten Beitragszuschläge ({amount}) entfallen nur, wenn "
              "das LISVS es entscheidet.",
    },
    "notice_law": {
        "fr": "Base : dispense de cotisations, décidée par l'INASTI ; demande dans les 12 mois du trimestre ; "
              "jamais pour une activité complémentaire (sources [S26][S27][S115]).",
        "nl": "Grondslag: vrijstelling van bijdragen, beslist door het RSVZ; aanvraag binnen 12 maanden na het "
              "kwartaal; nooit voor een activiteit in bijberoep (bronnen [S26][S27][S115]).",
        "de": "Grundlage: Beitragsbefreiung, vom LISVS entschieden; Antrag binnen 12 Monaten nach dem Quartal; "
              "nie für eine nebenberufliche Tätigkeit (Quellen [S26][S27][S115]).",
    },
    # --- the decision ---------------------------------------------------------------------------------------------
    "title_dispensation_granted": {"fr": "Dispense de cotisations accordée", "nl": "Vrijstelling van bijdragen "
                                   "toegekend", "de": "Beitragsbefreiung gewährt"},
    "title_dispensation_partly_granted": {"fr": "Dispense de cotisations accordée en partie",
                                          "nl": "Vrijstelling van bijdragen gedeeltelijk toegekend",
                                          "de": "Beitragsbefreiung teilweise gewährt"},
    "title_dispensation_refused": {"fr": "Dispense de cotisations refusée", "nl": "Vrijstelling van bijdragen "
                                   "geweigerd", "de": "Beitragsbefreiung abgelehnt"},
    "title_surcharge_waiver_granted": {"fr": "Renonciation aux majorations accordée",
                                       "nl": "Kwijtschelding van verhogingen toegekend",
                                       "de": "Erlass der Zuschläge gewährt"},
    "title_surcharge_waiver_partly_granted": {"fr": "Renonciation aux majorations accordée en partie",
                                              "nl": "Kwijtschelding van verhogingen gedeeltelijk toegekend",
                                              "de": "Erlass der Zuschläge teilweise gewährt"},
    "title_surcharge_waiver_refused": {"fr": "Renonciation aux majorations refusée",
                                       "nl": "Kwijtschelding van verhogingen geweigerd",
                                       "de": "Erlass der Zuschläge abgelehnt"},
    "decision_intro": {
        "fr": "Votre demande n° {request} du {requested}, transmise à l'INASTI, qui est compétent pour décider. "
              "Décision de l'INASTI du {decided} (référence {ref}).",
        "nl": "Uw aanvraag nr. {request} van {requested}, doorgestuurd naar het RSVZ, dat bevoegd is om te "
              "beslissen. Beslissing van het RSVZ van {decided} (referentie {ref}).",
        "de": "Ihr Antrag Nr. {request} vom {requested}, an das LISVS weitergeleitet, das für die Entscheidung "
              "zuständig ist. Entscheidung des LISVS vom {decided} (Referenz {ref}).",
    },
    "quarters": {"fr": "Trimestres", "nl": "Kwartalen", "de": "Quartale"},
    "line_granted": {"fr": "{period} : accordé — {amount} annulés", "nl": "{period}: toegekend — {amount} "
                     "geschrapt", "de": "{period}: gewährt — {amount} gestrichen"},
    "line_refused": {"fr": "{period} : refusé", "nl": "{period}: geweigerd", "de": "{period}: abgelehnt"},
    "reasons": {"fr": "Motifs de la décision", "nl": "Motivering van de beslissing", "de": "Gründe der Entscheidung"},
    "ground_dispensation": {
        "fr": "Motif invoqué : {grounds}",
        "nl": "Ingeroepen reden: {grounds}",
        "de": "Angeführter Grund: {grounds}",
    },
    "ground_force_majeure": {"fr": "force majeure", "nl": "overmacht", "de": "höhere Gewalt"},
    "ground_good_faith": {"fr": "croyance de bonne foi de ne pas être assujetti",
                          "nl": "goede trouw (in de overtuiging niet onderworpen te zijn)",
                          "de": "guter Glaube, nicht versicherungspflichtig zu sein"},
    "ground_hardship": {"fr": "situation digne d'intérêt", "nl": "behartigenswaardige situatie",
                        "de": "berücksichtigungswürdige Lage"},
    "written_off": {"fr": "Montant annulé dans votre compte : {amount}.",
                    "nl": "Bedrag geschrapt in uw rekening: {amount}.",
                    "de": "In Ihrem Konto gestrichener Betrag: {amount}."},
    "still_due": {"fr": "Encore dû à ce jour : {amount}.", "nl": "Vandaag nog verschuldigd: {amount}.",
                  "de": "Heute noch geschuldet: {amount}."},
    "pension_title": {"fr": "Votre pension", "nl": "Uw pensioen", "de": "Ihre Rente"},
    "pension_granted": {
        "fr": "Les trimestres dispensés ne comptent pas pour votre pension, sauf si vous payez les cotisations "
              "dispensées au plus tard aux dates suivantes (vos soins de santé et allocations familiales restent "
              "acquis) :",
        "nl": "De vrijgestelde kwartalen tellen niet mee voor uw pensioen, tenzij u de vrijgestelde bijdragen "
              "uiterlijk op de volgende data betaalt (uw geneeskundige verzorging en gezinsbijslag blijven "
              "behouden):",
        "de": "Die befreiten Quartale zählen nicht für Ihre Rente, es sei denn, Sie zahlen die befreiten Beiträge "
              "spätestens zu den folgenden Daten (Gesundheitsversorgung und Familienleistungen bleiben erhalten):",
    },
    "buyback_line": {"fr": "{period} : {amount} au plus tard le {deadline}",
                     "nl": "{period}: {amount} uiterlijk op {deadline}",
                     "de": "{period}: {amount} spätestens am {deadline}"},
    "surcharges_kept": {
        "fr": "Les majorations de ces trimestres restent dues ; vous pouvez en demander la renonciation.",
        "nl": "De verhogingen van deze kwartalen blijven verschuldigd; u kunt de kwijtschelding ervan vragen.",
        "de": "Die Zuschläge dieser Quartale bleiben geschuldet; Sie können ihren Erlass beantragen.",
    },
    "surcharges_included": {
        "fr": "L'INASTI a aussi dispensé les majorations de ces trimestres.",
        "nl": "Het RSVZ heeft ook de verhogingen van deze kwartalen vrijgesteld.",
        "de": "Das LISVS hat auch die Zuschläge dieser Quartale erlassen.",
    },
    "appeal_title": {"fr": "Recours", "nl": "Beroep", "de": "Rechtsbehelf"},
    "appeal_dispensation": {
        "fr": "Vous pouvez contester la décision de l'INASTI devant le tribunal du travail ; le délai et les "
              "modalités figurent dans la décision de l'INASTI. Pour toute question, contactez votre caisse.",
        "nl": "U kunt de beslissing van het RSVZ betwisten bij de arbeidsrechtbank; de termijn en de "
              "modaliteiten staan in de beslissing van het RSVZ. Met vragen kunt u bij uw fonds terecht.",
        "de": "Sie können die Entscheidung des LISVS vor dem Arbeitsgericht anfechten; Frist und Modalitäten "
              "stehen in der Entscheidung des LISVS. Bei Fragen wenden Sie sich an Ihre Kasse.",
    },
    "appeal_surcharge_waiver": {
        "fr": "La décision de l'INASTI sur une renonciation aux majorations n'est pas susceptible de recours "
              "(sources [S20][S23]). La demande n'a ni forme ni délai imposés : vous pouvez en introduire une "
              "nouvelle si votre situation change.",
        "nl": "Tegen de beslissing van het RSVZ over een kwijtschelding van verhogingen staat geen beroep open "
              "(bronnen [S20][S23]). De aanvraag heeft geen vaste vorm of termijn: u kunt een nieuwe indienen als "
              "uw situatie verandert.",
        "de": "Gegen die Entscheidung des LISVS über einen Erlass der Zuschläge gibt es keinen Rechtsbehelf "
              "(Quellen [S20][S23]). Der Antrag ist an keine Form und Frist gebunden: Sie können einen neuen "
              "stellen, wenn sich Ihre Lage ändert.",
    },
    "contact": {
        "fr": "Dossier {file}, demande {request}. Questions : {phone} — {email}.",
        "nl": "Dossier {file}, aanvraag {request}. Vragen: {phone} — {email}.",
        "de": "Akte {file}, Antrag {request}. Fragen: {phone} — {email}.",
    },
    "law_dispensation": {
        "fr": "Base : dispense de cotisations décidée par l'INASTI (legislation §5 [S26][S27][S28][S114]) ; "
              "frais de gestion : un pourcentage des cotisations dues, annulés avec elles (§3 [S69]).",
        "nl": "Grondslag: vrijstelling van bijdragen beslist door het RSVZ (legislation §5 [S26][S27][S28][S114]); "
              "beheerskosten: een percentage van de verschuldigde bijdragen, samen ermee geschrapt (§3 [S69]).",
        "de": "Grundlage: Beitragsbefreiung, vom LISVS entschieden (legislation §5 [S26][S27][S28][S114]); "
              "Verwaltungskosten: ein Prozentsatz der geschuldeten Beiträge, mit ihnen gestrichen (§3 [S69]).",
    },
    "law_surcharge_waiver": {
        "fr": "Base : renonciation aux majorations (art. 44 AR 19-12-1967), décidée par l'INASTI, demandée une fois "
              "les cotisations du trimestre payées (legislation §4.4 [S20][S22][S23][S110]).",
        "nl": "Grondslag: kwijtschelding van verhogingen (art. 44 KB 19-12-1967), beslist door het RSVZ, gevraagd "
              "zodra de bijdragen van het kwartaal betaald zijn (legislation §4.4 [S20][S22][S23][S110]).",
        "de": "Grundlage: Erlass der Zuschläge (Art. 44 KE 19-12-1967), vom LISVS entschieden, beantragt, sobald "
              "die Beiträge des Quartals bezahlt sind (legislation §4.4 [S20][S22][S23][S110]).",
    },
    "answer_pending_approval": {
        "fr": "La décision de l'INASTI est enregistrée ; son effet sur votre compte est vérifié par une seconde "
              "personne.",
        "nl": "De beslissing van het RSVZ is geregistreerd; het effect op uw rekening wordt door een tweede persoon "
              "nagekeken.",
        "de": "Die Entscheidung des LISVS ist erfasst; ihre Wirkung auf Ihr Konto prüft eine zweite Person.",
    },
    # --- the fund's proposal once a quarter is paid (recovery/waiver.py) -------------------------------------------
    "proposal_intro": {
        "fr": "Bonne nouvelle : les cotisations des trimestres suivants sont maintenant entièrement payées. Les "
              "majorations portées en compte sur ces trimestres pour paiement tardif peuvent faire l'objet d'une "
              "demande de renonciation :",
        "nl": "Goed nieuws: de bijdragen van de volgende kwartalen zijn nu volledig betaald. Voor de verhogingen "
              "die op deze kwartalen wegens laattijdige betaling zijn aangerekend, kunt u kwijtschelding vragen:",
        "de": "Gute Nachricht: Die Beiträge der folgenden Quartale sind jetzt vollständig bezahlt. Für die "
              "Zuschläge, die auf diese Quartale wegen verspäteter Zahlung berechnet wurden, können Sie den Erlass "
              "beantragen:",
    },
    "proposal_quarter": {"fr": "{period} : majorations de {amount}", "nl": "{period}: verhogingen van {amount}",
                         "de": "{period}: Zuschläge von {amount}"},
    "proposal_who": {
        "fr": "L'INASTI décide, sur la demande que la caisse lui transmet, pour un motif : force majeure (accident, "
              "incendie, vol… ; ne pas avoir reçu le courrier ne suffit pas), croyance de bonne foi de ne pas être "
              "assujetti, ou situation digne d'intérêt (maladie, décès, dettes insurmontables, revenus faibles, "
              "faillite, aide du CPAS). La renonciation peut être totale ou partielle ; il n'y a pas de recours "
              "contre la décision.",
        "nl": "Het RSVZ beslist, op de aanvraag die het fonds doorstuurt, om een reden: overmacht (ongeval, brand, "
              "diefstal…; de post niet ontvangen hebben volstaat niet), de overtuiging te goeder trouw niet "
              "onderworpen te zijn, of een behartigenswaardige situatie (ziekte, overlijden, ondraaglijke schulden, "
              "laag inkomen, faillissement, steun van het OCMW). De kwijtschelding kan volledig of gedeeltelijk "
              "zijn; tegen de beslissing staat geen beroep open.",
        "de": "Das LISVS entscheidet auf den Antrag, den die Kasse weiterleitet, aus einem Grund: höhere Gewalt "
              "(Unfall, Brand, Diebstahl…; die Post nicht erhalten zu haben genügt nicht), der gute Glaube, nicht "
              "versicherungspflichtig zu sein, oder eine berücksichtigungswürdige Lage (Krankheit, Todesfall, "
              "untragbare Schulden, geringes Einkommen, Konkurs, Hilfe des ÖSHZ). Der Erlass kann ganz oder "
              "teilweise sein; gegen die Entscheidung gibt es keinen Rechtsbehelf.",
    },
    "proposal_link": {
        "fr": "Le formulaire est prêt, vos trimestres déjà cochés : {url}",
        "nl": "Het formulier staat klaar, met uw kwartalen al aangevinkt: {url}",
        "de": "Das Formular ist vorbereitet, Ihre Quartale sind bereits angekreuzt: {url}",
    },
    "proposal_once": {
        "fr": "Nous ne vous écrivons qu'une fois à ce sujet ; la demande n'a ni forme ni délai imposés "
              "(législation §4.4 [S20][S23][S110]).",
        "nl": "We schrijven u hierover maar één keer; de aanvraag heeft geen vaste vorm of termijn "
              "(wetgeving §4.4 [S20][S23][S110]).",
        "de": "Wir schreiben Ihnen dazu nur einmal; der Antrag ist an keine Form und Frist gebunden "
              "(Rechtsvorschriften §4.4 [S20][S23][S110]).",
    },
    # --- the buy-back of dispensed quarters (recovery/buyback.py): the due notice ---------------------------------
    "buyback_title": {
        "fr": "Rachat de trimestres dispensés : avis d'échéance",
        "nl": "Terugkoop van vrijgestelde kwartalen: vervaldagbericht",
        "de": "Nachkauf befreiter Quartale: Fälligkeitsmitteilung",
    },
    "buyback_intro": {
        "fr": "Vous avez demandé de payer les cotisations dont l'INASTI vous a dispensé(e), afin de garder les "
              "droits de pension des trimestres suivants. Chaque trimestre n'est racheté que s'il est payé "
              "entièrement au plus tard à sa date limite.",
        "nl": "U vroeg de bijdragen te betalen waarvan het RSVZ u vrijstelde, om de pensioenrechten van de "
              "volgende kwartalen te behouden. Een kwartaal is pas teruggekocht als het uiterlijk op zijn "
              "uiterste datum volledig betaald is.",
        "de": "Sie haben beantragt, die Beiträge zu zahlen, von denen das LISVS Sie befreit hat, um die "
              "Rentenansprüche der folgenden Quartale zu behalten. Ein Quartal ist nur nachgekauft, wenn es "
              "spätestens an seinem Stichtag vollständig bezahlt ist.",
    },
    "buyback_pay": {
        "fr": "Total à payer : {amount}, sur le compte {iban} avec la communication structurée {ogm} (elle sert "
              "uniquement à ce rachat : n'utilisez pas la communication de vos cotisations).",
        "nl": "Totaal te betalen: {amount}, op rekening {iban} met de gestructureerde mededeling {ogm} (ze dient "
              "alleen voor deze terugkoop: gebruik niet de mededeling van uw bijdragen).",
        "de": "Insgesamt zu zahlen: {amount}, auf das Konto {iban} mit der strukturierten Mitteilung {ogm} (sie "
              "dient nur diesem Nachkauf: verwenden Sie nicht die Mitteilung Ihrer Beiträge).",
    },
    "buyback_unknown": {
        "fr": "Ce que nos sources ne précisent pas : si le montant dispensé est revalorisé ou indexé au moment "
              "du rachat, et si des frais de gestion s'y ajoutent. Le montant ci-dessus est la cotisation "
              "dispensée telle quelle ; nous vous écrirons si l'INASTI en demande davantage.",
        "nl": "Wat onze bronnen niet vermelden: of het vrijgestelde bedrag bij de terugkoop geherwaardeerd of "
              "geïndexeerd wordt, en of er beheerskosten bijkomen. Het bedrag hierboven is de vrijgestelde "
              "bijdrage zoals ze was; wij schrijven u als het RSVZ meer vraagt.",
        "de": "Was unsere Quellen nicht angeben: ob der befreite Betrag beim Nachkauf aufgewertet oder indexiert "
              "wird und ob Verwaltungskosten hinzukommen. Der obige Betrag ist der befreite Beitrag unverändert; "
              "wir schreiben Ihnen, falls das LISVS mehr verlangt.",
    },
    "buyback_state": {
        "fr": "{period} : racheté le {date}", "nl": "{period}: teruggekocht op {date}",
        "de": "{period}: nachgekauft am {date}",
    },
    "buyback_law": {
        "fr": "Base : législation §5 et §9 — pas de droits de pension pour les trimestres dispensés sauf si les "
              "cotisations dispensées sont payées dans les 5 ans [S26][S115] ; les 5 ans sont comptés depuis la "
              "fin du trimestre (lecture la plus prudente, le point de départ n'étant pas précisé).",
        "nl": "Grondslag: wetgeving §5 en §9 — geen pensioenrechten voor vrijgestelde kwartalen tenzij de "
              "vrijgestelde bijdragen binnen 5 jaar betaald worden [S26][S115]; de 5 jaar lopen vanaf het einde "
              "van het kwartaal (de voorzichtigste lezing: het vertrekpunt is niet bepaald).",
        "de": "Grundlage: Rechtsvorschriften §5 und §9 — keine Rentenansprüche für befreite Quartale, außer die "
              "befreiten Beiträge werden binnen 5 Jahren gezahlt [S26][S115]; die 5 Jahre laufen ab dem Ende des "
              "Quartals (vorsichtigste Lesart: der Beginn ist nicht festgelegt).",
    },
}


def t(key: str, lang: str, **kw) -> str:
    lang = lang if lang in LANGS else "fr"
    return T[key][lang].format(**kw)


__all__ = ["LANGS", "T", "t"]
