"""Everything a person reads about a reduction or an increase of provisional contributions, in French, Dutch and
German (glossary: réduction des cotisations provisoires / vermindering van de voorlopige bijdragen / Herabsetzung der
vorläufigen Beiträge; augmentation des cotisations provisoires / vrijwillige verhoging van de voorlopige bijdragen /
Erhöhung der vorläufigen Beiträge; majoration / verhoging / Zuschlag — the surcharge: "majoration" is never used for
the voluntary increase, and the Dutch increase is always "vrijwillige verhoging … van de voorlopige bijdragen" or
"aanvraag tot verhoging", never "verhoging" alone, which is the surcharge)."""

from __future__ import annotations

LANGS = ("fr", "nl", "de")

T: dict[str, dict[str, str]] = {
    "title_granted": {
        "fr": "Réduction de vos cotisations provisoires {year} : accordée",
        "nl": "Vermindering van uw voorlopige bijdragen {year}: toegestaan",
        "de": "Herabsetzung Ihrer vorläufigen Beiträge {year}: bewilligt",
    },
    "title_refused": {
        "fr": "Réduction de vos cotisations provisoires {year} : refusée",
        "nl": "Vermindering van uw voorlopige bijdragen {year}: geweigerd",
        "de": "Herabsetzung Ihrer vorläufigen Beiträge {year}: abgelehnt",
    },
    "title_granted_increase": {
        "fr": "Augmentation de vos cotisations provisoires {year} : accordée",
        "nl": "Vrijwillige verhoging van uw voorlopige bijdragen {year}: toegestaan",
        "de": "Erhöhung Ihrer vorläufigen Beiträge {year}: bewilligt",
    },
    "title_refused_increase": {
        "fr": "Augmentation de vos cotisations provisoires {year} : refusée",
        "nl": "Vrijwillige verhoging van uw voorlopige bijdragen {year}: geweigerd",
        "de": "Erhöhung Ihrer vorläufigen Beiträge {year}: abgelehnt",
    },
    "intro": {
        "fr": "Le {requested}, vous avez demandé que vos cotisations provisoires {year} soient calculées sur un revenu "
              "estimé de {estimate}. Votre justification : « {justification} ». Décision du {decided}.",
        "nl": "Op {requested} vroeg u uw voorlopige bijdragen {year} te berekenen op een geschat inkomen van "
              "{estimate}. Uw verantwoording: \"{justification}\". Beslissing van {decided}.",
        "de": "Am {requested} haben Sie beantragt, Ihre vorläufigen Beiträge {year} auf einem geschätzten Einkommen "
              "von {estimate} zu berechnen. Ihre Begründung: „{justification}“. Entscheidung vom {decided}.",
    },
    "granted": {
        "fr": "Votre demande est accordée. Votre cotisation provisoire est désormais de {quarterly} par trimestre "
              "({total} avec les frais de gestion), pour chaque trimestre {year} encore à appeler.",
        "nl": "Uw aanvraag is toegestaan. Uw voorlopige bijdrage bedraagt voortaan {quarterly} per kwartaal "
              "({total} met de beheerskosten), voor elk kwartaal van {year} dat nog moet worden aangerekend.",
        "de": "Ihr Antrag ist bewilligt. Ihr vorläufiger Beitrag beträgt nun {quarterly} pro Quartal ({total} mit "
              "den Verwaltungskosten), für jedes noch anzufordernde Quartal {year}.",
    },
    "corrections": {
        "fr": "Trimestres déjà appelés, corrigés sur votre compte :",
        "nl": "Reeds aangerekende kwartalen, op uw rekening gecorrigeerd:",
        "de": "Bereits angeforderte Quartale, auf Ihrem Konto berichtigt:",
    },
    "correction_line": {
        "fr": "{period} : appelé {charged}, désormais {new} (différence {difference}).",
        "nl": "{period}: aangerekend {charged}, voortaan {new} (verschil {difference}).",
        "de": "{period}: angefordert {charged}, nun {new} (Differenz {difference}).",
    },
    "refused": {
        "fr": "Votre demande n'est pas accordée : {why}. Vos cotisations provisoires {year} restent calculées comme "
              "avant.",
        "nl": "Uw aanvraag is niet toegestaan: {why}. Uw voorlopige bijdragen {year} blijven berekend zoals "
              "voorheen.",
        "de": "Ihr Antrag ist nicht bewilligt: {why}. Ihre vorläufigen Beiträge {year} werden weiter wie bisher "
              "berechnet.",
    },
    "warning_title": {
        "fr": "Attention : majoration si votre revenu s'avère plus élevé",
        "nl": "Let op: verhoging als uw inkomen hoger blijkt",
        "de": "Achtung: Zuschlag, wenn Ihr Einkommen höher ausfällt",
    },
    "warning": {
        "fr": "Vos cotisations définitives {year} seront calculées sur votre revenu réel, connu par l'administration "
              "fiscale environ deux ans plus tard. S'il est plus élevé que votre estimation, la partie de la "
              "cotisation définitive qui dépasse vos cotisations provisoires réduites et qui n'est pas payée le "
              "31/12/{year} est majorée de 3 % et d'une majoration unique de 7 %. Payer la différence avant le "
              "31/12/{year} évite cette majoration.",
        "nl": "Uw definitieve bijdragen {year} worden berekend op uw werkelijk inkomen, dat de belastingdienst "
              "ongeveer twee jaar later meedeelt. Is het hoger dan uw schatting, dan wordt het deel van de definitieve "
              "bijdrage dat uw verminderde voorlopige bijdragen overschrijdt en op 31/12/{year} niet betaald is, "
              "verhoogd met 3 % en een eenmalige verhoging van 7 %. Wie het verschil vóór 31/12/{year} betaalt, "
              "vermijdt die verhoging.",
        "de": "Ihre endgültigen Beiträge {year} werden auf Ihrem tatsächlichen Einkommen berechnet, das die "
              "Steuerverwaltung etwa zwei Jahre später mitteilt. Ist es höher als Ihre Schätzung, wird der Teil des "
              "endgültigen Beitrags, der Ihre herabgesetzten vorläufigen Beiträge übersteigt und am 31.12.{year} "
              "nicht bezahlt ist, um 3 % und einen einmaligen Zuschlag von 7 % erhöht. Wer die Differenz vor dem "
              "31.12.{year} zahlt, vermeidet diesen Zuschlag.",
    },
    "example": {
        "fr": "Exemple : avec un revenu {year} de {income} au lieu de {estimate}, la cotisation définitive serait de "
              "{definitive} pour {reduced} de cotisations provisoires réduites ; rien payé en plus au 31/12/{year} : "
              "majoration de {surcharge}.",
        "nl": "Voorbeeld: met een inkomen {year} van {income} in plaats van {estimate} zou de definitieve bijdrage "
              "{definitive} bedragen voor {reduced} verminderde voorlopige bijdragen; niets bijbetaald op "
              "31/12/{year}: verhoging van {surcharge}.",
        "de": "Beispiel: bei einem Einkommen {year} von {income} statt {estimate} betrüge der endgültige Beitrag "
              "{definitive} bei {reduced} herabgesetzten vorläufigen Beiträgen; bis zum 31.12.{year} nichts "
              "nachgezahlt: Zuschlag von {surcharge}.",
    },
    "source": {
        "fr": "Source de la majoration : résumés de presse de la réforme de 2022 (source secondaire) ; l'article de "
              "loi qui la prévoit n'a pas été trouvé par la caisse.",
        "nl": "Bron van de verhoging: persberichten over de hervorming van 2022 (secundaire bron); het wetsartikel "
              "dat ze invoert werd door het fonds niet gevonden.",
        "de": "Quelle des Zuschlags: Presseberichte zur Reform von 2022 (Sekundärquelle); der Gesetzesartikel, der "
              "ihn vorsieht, wurde von der Kasse nicht gefunden.",
    },
    "increase_title": {
        "fr": "Payer plus maintenant, moins à la régularisation",
        "nl": "Nu meer betalen, minder bij de regularisatie",
        "de": "Jetzt mehr zahlen, weniger bei der Regularisierung",
    },
    "increase": {
        "fr": "Vos cotisations définitives {year} seront calculées sur votre revenu réel, connu par l'administration "
              "fiscale environ deux ans plus tard. Des cotisations provisoires calculées sur un revenu proche de ce "
              "revenu réel vous évitent alors une grosse facture de régularisation. Si votre revenu s'avère encore "
              "plus élevé, la régularisation vous demande la différence, sans majoration si vous la payez dans le "
              "délai indiqué sur l'avis de régularisation. Vos cotisations provisoires n'étant pas réduites, la "
              "majoration pour réduction injustifiée ne s'applique pas.",
        "nl": "Uw definitieve bijdragen {year} worden berekend op uw werkelijk inkomen, dat de belastingdienst "
              "ongeveer twee jaar later meedeelt. Voorlopige bijdragen berekend op een inkomen dicht bij dat "
              "werkelijke inkomen besparen u dan een hoge regularisatiefactuur. Blijkt uw inkomen nog hoger, dan "
              "vraagt de regularisatie u het verschil, zonder verhoging als u het betaalt binnen de termijn op het "
              "regularisatiebericht. Omdat uw voorlopige bijdragen niet verminderd zijn, geldt de verhoging na "
              "onterechte vermindering niet.",
        "de": "Ihre endgültigen Beiträge {year} werden auf Ihrem tatsächlichen Einkommen berechnet, das die "
              "Steuerverwaltung etwa zwei Jahre später mitteilt. Vorläufige Beiträge auf einem Einkommen nahe an "
              "diesem tatsächlichen Einkommen ersparen Ihnen dann eine hohe Regularisierungsrechnung. Fällt Ihr "
              "Einkommen noch höher aus, verlangt die Regularisierung die Differenz, ohne Zuschlag, wenn Sie sie "
              "innerhalb der Frist auf der Regularisierungsmitteilung zahlen. Da Ihre vorläufigen Beiträge nicht "
              "herabgesetzt sind, gilt der Zuschlag nach ungerechtfertigter Herabsetzung nicht.",
    },
    "increase_refund": {
        "fr": "Si les cotisations provisoires {year} que vous avez payées dépassent vos cotisations définitives, la "
              "différence est, après la régularisation, d'abord imputée sur ce que vous devriez encore à la caisse ; "
              "le solde vous est remboursé.",
        "nl": "Blijken de voorlopige bijdragen {year} die u betaalde hoger dan uw definitieve bijdragen, dan wordt het "
              "verschil na de regularisatie eerst aangerekend op wat u nog aan het fonds verschuldigd zou zijn; het "
              "saldo wordt u terugbetaald.",
        "de": "Übersteigen die vorläufigen Beiträge {year}, die Sie gezahlt haben, Ihre endgültigen Beiträge, wird die "
              "Differenz nach der Regularisierung zuerst auf das angerechnet, was Sie der Kasse noch schulden; der "
              "Rest wird Ihnen erstattet.",
    },
    "increase_source": {
        "fr": "Source : AR n° 38 art. 11 §3 (revenu choisi) et pratique publiée des caisses d'assurances sociales "
              "(le surplus est imputé à la régularisation, l'excédent remboursé) ; aucune condition ni aucun montant "
              "minimum propre à une augmentation n'a été trouvé par la caisse.",
        "nl": "Bron: KB nr. 38 art. 11 §3 (gekozen inkomen) en de gepubliceerde praktijk van de socialeverzekerings"
              "fondsen (het overschot wordt bij de regularisatie verrekend, het te veel betaalde terugbetaald); het "
              "fonds vond geen voorwaarde of minimumbedrag eigen aan een verhoging.",
        "de": "Quelle: KE Nr. 38 Art. 11 §3 (gewähltes Einkommen) und die veröffentlichte Praxis der "
              "Sozialversicherungskassen (der Überschuss wird bei der Regularisierung verrechnet, der Rest erstattet); "
              "die Kasse fand keine eigene Bedingung und keinen Mindestbetrag für eine Erhöhung.",
    },
    "appeal": {
        "fr": "Vous pouvez contester cette décision devant le tribunal du travail. Pour toute explication, contactez "
              "votre caisse.",
        "nl": "U kunt deze beslissing betwisten bij de arbeidsrechtbank. Voor uitleg kunt u bij uw fonds terecht.",
        "de": "Sie können diese Entscheidung vor dem Arbeitsgericht anfechten. Für Erklärungen wenden Sie sich an "
              "Ihre Kasse.",
    },
    "contact": {
        "fr": "Dossier {file}, demande de réduction {request}. Questions : {phone} — {email}.",
        "nl": "Dossier {file}, aanvraag tot vermindering {request}. Vragen: {phone} — {email}.",
        "de": "Akte {file}, Herabsetzungsantrag {request}. Fragen: {phone} — {email}.",
    },
    "contact_increase": {
        "fr": "Dossier {file}, demande d'augmentation {request}. Questions : {phone} — {email}.",
        "nl": "Dossier {file}, aanvraag tot verhoging {request}. Vragen: {phone} — {email}.",
        "de": "Akte {file}, Erhöhungsantrag {request}. Fragen: {phone} — {email}.",
    },
    "law_increase": {
        "fr": "Base : AR n° 38 art. 11 §3 (cotisations provisoires sur un revenu choisi par l'indépendant, réforme du "
              "1-1-2022 ; jamais sous le minimum de la catégorie).",
        "nl": "Grondslag: KB nr. 38 art. 11 §3 (voorlopige bijdragen op een door de zelfstandige gekozen inkomen, "
              "hervorming van 1-1-2022; nooit onder het minimum van de categorie).",
        "de": "Grundlage: KE Nr. 38 Art. 11 §3 (vorläufige Beiträge auf einem vom Selbständigen gewählten "
              "Einkommen, Reform vom 1.1.2022; nie unter dem Mindestbeitrag der Kategorie).",
    },
    "law": {
        "fr": "Base : AR n° 38 art. 11 §3 (cotisations provisoires sur un revenu estimé justifié, réforme du "
              "1-1-2022 ; jamais sous le minimum de la catégorie).",
        "nl": "Grondslag: KB nr. 38 art. 11 §3 (voorlopige bijdragen op een verantwoord geschat inkomen, hervorming "
              "van 1-1-2022; nooit onder het minimum van de categorie).",
        "de": "Grundlage: KE Nr. 38 Art. 11 §3 (vorläufige Beiträge auf einem begründeten geschätzten Einkommen, "
              "Reform vom 1.1.2022; nie unter dem Mindestbeitrag der Kategorie).",
    },
}


def t(key: str, lang: str, **kw) -> str:
    lang = lang if lang in LANGS else "fr"
    return T[key][lang].format(**kw)


__all__ = ["LANGS", "T", "t"]
