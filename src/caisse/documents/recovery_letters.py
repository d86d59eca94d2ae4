"""The letters of the recovery pipeline — the art. 50bis information (a small claim on a person no longer subject:
the fund may renounce it, and these unpaid quarters would not count for the pension), reminder, formal notice
(registered letter, art. 46 AR 19-12-1967),
enforcement order, hand-over to the bailiff, payment plan granted, instalment missed, plan broken — one A4
page in the debtor's language (fr / nl / de), drawn by ``documents.notices.render`` (same layout, payment block
and QR code). The account-statement stage sends the account statement itself (``notices.statement_document``).

Rendered on demand from the ``recovery_step`` row (its date, amount and language) and the ledger as of that
date: ``step_pdf(session, step_id)``, ``render_batch(url, batch_key, directory)``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.documents.notices import (
    LANGS,
    Document,
    Line,
    T,
    _debtor,
    _fund,
    contact_line,
    render,
    statement_document,
)
from caisse.errors import NotFound
from caisse.recovery.arrears import open_by_period
from caisse.recovery.fiftybis import pension_quarters
from caisse.recovery.policy import policy
from caisse.services.calendar import add_months

TEXTS = {
    "fr": {
        "recovery_reminder": "Rappel — cotisations sociales impayées",
        "intro_recovery_reminder": "Sauf erreur de notre part, les montants ci-dessous sont échus et restent impayés. "
        "Des majorations continuent de courir tant qu'ils ne sont pas payés. Si vous avez des difficultés de "
        "paiement, contactez-nous : un plan d'apurement, une réduction ou une dispense peuvent être possibles.",
        "recovery_formal_notice": "Mise en demeure — dernier rappel avant recouvrement forcé (lettre recommandée)",
        "intro_recovery_formal_notice": "Malgré nos rappels, les sommes ci-dessous restent impayées. Ceci est le "
        "dernier rappel avant une contrainte ou une citation devant le tribunal du travail (art. 46 AR 19-12-1967). "
        "Vous pouvez contester ces sommes ou demander des termes et délais par lettre recommandée dans le mois. "
        "Nous vous contacterons aussi personnellement pour chercher une solution avec vous.",
        "recovery_enforcement": "Contrainte — commandement de payer",
        "intro_recovery_enforcement": "Les sommes ci-dessous restent impayées malgré la mise en demeure et notre "
        "contact. La caisse décerne une contrainte, signifiée par huissier de justice. Vous pouvez y former "
        "opposition, motivée, par citation de la caisse dans le mois de la signification (art. 47bis §5 AR "
        "19-12-1967). Les majorations s'arrêtent à la fin du trimestre qui précède la signification.",
        "recovery_bailiff": "Transmission du dossier à l'huissier de justice",
        "intro_recovery_bailiff": "Les sommes restent impayées : la contrainte est transmise à l'huissier de "
        "justice, qui vous la signifiera. Vous pourrez y former opposition, motivée, par citation de la caisse "
        "dans le mois de la signification (art. 47bis §5 AR 19-12-1967). Sans opposition dans ce mois, "
        "l'huissier pourra ensuite procéder à l'exécution. Des frais s'ajouteront. Payez sans attendre ou "
        "contactez-nous.",
        "recovery_plan_granted": "Plan d'apurement accordé",
        "intro_recovery_plan_granted": "Nous vous accordons un plan d'apurement pour votre dette. Tant que vous le "
        "respectez, aucune procédure de recouvrement forcé n'est engagée. Les majorations légales continuent de "
        "courir et vos cotisations courantes restent dues à leur échéance. Voici les échéances.",
        "recovery_plan_missed": "Plan d'apurement — échéance non payée",
        "intro_recovery_plan_missed": "Nous n'avons pas reçu l'échéance ci-dessous de votre plan d'apurement. "
        "Payez-la sans tarder : si elle reste impayée après le délai de grâce, le plan prend fin et le "
        "recouvrement reprend là où il s'était arrêté.",
        "recovery_plan_broken": "Fin du plan d'apurement — reprise du recouvrement",
        "intro_recovery_plan_broken": "Une échéance de votre plan d'apurement est restée impayée après le délai de "
        "grâce : le plan prend fin et le recouvrement reprend. Voici ce qui reste dû.",
        "recovery_fiftybis": "Information — petite dette et droits à la pension (art. 50bis AR 19-12-1967)",
        "intro_recovery_fiftybis": "Vous n'êtes plus assujetti(e) au statut social des indépendants et vous restez "
        "redevable des montants ci-dessous, au total sous le seuil de l'art. 50bis AR 19-12-1967 : la caisse peut "
        "renoncer à les récupérer. Avant de le faire, elle doit vous informer : les trimestres de cotisations "
        "impayés ci-dessous ne compteront pas pour votre pension tant qu'ils ne sont pas payés. Pour garder ces "
        "droits, payez ces montants avec la communication structurée ci-dessous, ou contactez-nous.",
        "why_pension": "cotisations {principal} + majorations et frais {accessories} — ce trimestre ne compte pas "
        "pour la pension s'il n'est pas payé",
        "period_line": "Période {period}", "instalment_line": "Échéance du {date}",
        "why_period": "cotisations {principal} + majorations et frais {accessories}", "down_payment": "acompte",
    },
    "nl": {
        "recovery_reminder": "Herinnering — onbetaalde sociale bijdragen",
        "intro_recovery_reminder": "Behoudens vergissing zijn de onderstaande bedragen vervallen en nog niet "
        "betaald. Zolang ze niet betaald zijn, lopen er verhogingen. Heeft u betalingsmoeilijkheden, neem dan "
        "contact met ons op: een afbetalingsplan, een vermindering of een vrijstelling kan mogelijk zijn.",
        "recovery_formal_notice": "Ingebrekestelling — laatste herinnering vóór gedwongen invordering (aangetekend)",
        "intro_recovery_formal_notice": "Ondanks onze herinneringen blijven de onderstaande bedragen onbetaald. Dit "
        "is de laatste herinnering vóór een dwangbevel of een dagvaarding voor de arbeidsrechtbank (art. 46 KB "
        "19-12-1967). U kunt deze bedragen betwisten of afbetaling vragen bij aangetekende brief binnen de maand. "
        "Wij nemen ook persoonlijk contact met u op om samen een oplossing te zoeken.",
        "recovery_enforcement": "Dwangbevel — bevel tot betaling",
        "intro_recovery_enforcement": "De onderstaande bedragen blijven onbetaald ondanks de ingebrekestelling en "
        "ons contact. Het fonds vaardigt een dwangbevel uit, betekend door een gerechtsdeurwaarder. U kunt "
        "gemotiveerd verzet aantekenen door het fonds te dagvaarden binnen de maand na de betekening (art. 47bis "
        "§5 KB 19-12-1967). De verhogingen stoppen op het einde van het kwartaal vóór de betekening.",
        "recovery_bailiff": "Overdracht van het dossier aan de gerechtsdeurwaarder",
        "intro_recovery_bailiff": "De bedragen blijven onbetaald: het dwangbevel gaat naar de gerechtsdeurwaarder, "
        "die het u zal betekenen. U kunt gemotiveerd verzet aantekenen door het fonds te dagvaarden binnen de "
        "maand na de betekening (art. 47bis §5 KB 19-12-1967). Zonder verzet binnen die maand kan de "
        "gerechtsdeurwaarder daarna overgaan tot de uitvoering. Er komen kosten bij. Betaal meteen of neem "
        "contact met ons op.",
        "recovery_plan_granted": "Afbetalingsplan toegekend",
        "intro_recovery_plan_granted": "Wij kennen u een afbetalingsplan toe voor uw schuld. Zolang u het naleeft, "
        "starten wij geen gedwongen invordering. De wettelijke verhogingen blijven lopen en uw lopende bijdragen "
        "blijven verschuldigd op hun vervaldag. Hieronder de afbetalingen.",
        "recovery_plan_missed": "Afbetalingsplan — afbetaling niet ontvangen",
        "intro_recovery_plan_missed": "Wij hebben de onderstaande afbetaling van uw plan niet ontvangen. Betaal ze "
        "zonder uitstel: blijft ze onbetaald na de respijttermijn, dan eindigt het plan en hervat de invordering "
        "waar ze gebleven was.",
        "recovery_plan_broken": "Einde van het afbetalingsplan — hervatting van de invordering",
        "intro_recovery_plan_broken": "Een afbetaling van uw plan bleef onbetaald na de respijttermijn: het plan "
        "eindigt en de invordering wordt hervat. Hieronder wat nog verschuldigd is.",
        "recovery_fiftybis": "Informatie — kleine schuld en pensioenrechten (art. 50bis KB 19-12-1967)",
        "intro_recovery_fiftybis": "U bent niet meer onderworpen aan het sociaal statuut der zelfstandigen en u "
        "blijft de onderstaande bedragen verschuldigd, samen onder de drempel van art. 50bis KB 19-12-1967: het "
        "fonds kan afzien van de invordering. Vooraf moet het u inlichten: de onderstaande onbetaalde kwartalen "
        "bijdragen tellen niet mee voor uw pensioen zolang ze niet betaald zijn. Om die rechten te behouden, "
        "betaalt u deze bedragen met de gestructureerde mededeling hieronder, of neemt u contact met ons op.",
        "why_pension": "bijdragen {principal} + verhogingen en kosten {accessories} — dit kwartaal telt niet mee "
        "voor het pensioen zolang het niet betaald is",
        "period_line": "Periode {period}", "instalment_line": "Afbetaling van {date}",
        "why_period": "bijdragen {principal} + verhogingen en kosten {accessories}", "down_payment": "voorschot",
    },
    "de": {
        "recovery_reminder": "Erinnerung — unbezahlte Sozialbeiträge",
        "intro_recovery_reminder": "Vorbehaltlich eines Irrtums sind die folgenden Beträge fällig und noch nicht "
        "bezahlt. Solange sie unbezahlt sind, laufen Zuschläge. Wenn Sie Zahlungsschwierigkeiten haben, melden "
        "Sie sich: ein Zahlungsplan, eine Herabsetzung oder eine Befreiung können möglich sein.",
        "recovery_formal_notice": "Inverzugsetzung — letzte Erinnerung vor der Zwangsbeitreibung (Einschreiben)",
        "intro_recovery_formal_notice": "Trotz unserer Erinnerungen sind die folgenden Beträge unbezahlt. Dies ist "
        "die letzte Erinnerung vor einem Zwangsbefehl oder einer Ladung vor das Arbeitsgericht (Art. 46 KE "
        "19-12-1967). Sie können die Beträge bestreiten oder Zahlungsaufschub beantragen, per Einschreiben "
        "innerhalb eines Monats. Wir nehmen auch persönlich Kontakt mit Ihnen auf, um eine Lösung zu suchen.",
        "recovery_enforcement": "Zwangsbefehl — Zahlungsbefehl",
        "intro_recovery_enforcement": "Die folgenden Beträge sind trotz Inverzugsetzung und unseres Kontakts "
        "unbezahlt. Die Kasse erlässt einen Zwangsbefehl, der durch einen Gerichtsvollzieher zugestellt wird. "
        "Sie können innerhalb eines Monats nach der Zustellung begründeten Einspruch durch Ladung der Kasse "
        "erheben (Art. 47bis §5 KE 19-12-1967). Die Zuschläge enden mit dem Quartal vor der Zustellung.",
        "recovery_bailiff": "Übergabe der Akte an den Gerichtsvollzieher",
        "intro_recovery_bailiff": "Die Beträge sind unbezahlt: der Zwangsbefehl geht an den Gerichtsvollzieher, "
        "der ihn Ihnen zustellen wird. Sie können innerhalb eines Monats nach der Zustellung begründeten "
        "Einspruch durch Ladung der Kasse erheben (Art. 47bis §5 KE 19-12-1967). Ohne Einspruch in diesem "
        "Monat kann der Gerichtsvollzieher danach zur Vollstreckung übergehen. Es kommen Kosten hinzu. Zahlen "
        "Sie sofort oder melden Sie sich.",
        "recovery_plan_granted": "Zahlungsplan gewährt",
        "intro_recovery_plan_granted": "Wir gewähren Ihnen einen Zahlungsplan für Ihre Schuld. Solange Sie ihn "
        "einhalten, beginnt keine Zwangsbeitreibung. Die gesetzlichen Zuschläge laufen weiter und Ihre laufenden "
        "Beiträge bleiben zu ihrem Fälligkeitstag geschuldet. Hier die Raten.",
        "recovery_plan_missed": "Zahlungsplan — Rate nicht erhalten",
        "intro_recovery_plan_missed": "Wir haben die folgende Rate Ihres Zahlungsplans nicht erhalten. Zahlen Sie "
        "sie umgehend: bleibt sie nach der Nachfrist unbezahlt, endet der Plan und die Beitreibung wird dort "
        "fortgesetzt, wo sie stand.",
        "recovery_plan_broken": "Ende des Zahlungsplans — Fortsetzung der Beitreibung",
        "intro_recovery_plan_broken": "Eine Rate Ihres Zahlungsplans blieb nach der Nachfrist unbezahlt: der Plan "
        "endet und die Beitreibung wird fortgesetzt. Hier, was noch geschuldet ist.",
        "recovery_fiftybis": "Information — geringe Schuld und Rentenansprüche (Art. 50bis KE 19-12-1967)",
        "intro_recovery_fiftybis": "Sie sind nicht mehr dem Sozialstatut der Selbständigen unterworfen und schulden "
        "weiterhin die folgenden Beträge, insgesamt unter der Schwelle von Art. 50bis KE 19-12-1967: die Kasse kann "
        "auf ihre Beitreibung verzichten. Vorher muss sie Sie informieren: die folgenden unbezahlten Beitragsquartale "
        "zählen nicht für Ihre Rente, solange sie nicht bezahlt sind. Um diese Ansprüche zu behalten, zahlen Sie "
        "diese Beträge mit der strukturierten Mitteilung unten, oder melden Sie sich.",
        "why_pension": "Beiträge {principal} + Zuschläge und Kosten {accessories} — dieses Quartal zählt nicht für "
        "die Rente, solange es nicht bezahlt ist",
        "period_line": "Zeitraum {period}", "instalment_line": "Rate vom {date}",
        "why_period": "Beiträge {principal} + Zuschläge und Kosten {accessories}", "down_payment": "Anzahlung",
    },
}
for _lang in LANGS:  # the shared renderer looks titles and introductions up in notices.T
    T[_lang].update(TEXTS[_lang])

LAW = {"reminder": "AR 19-12-1967 art. 44", "formal_notice": "AR 19-12-1967 art. 46",
       "enforcement": "AR n° 38 art. 20 §7; AR 19-12-1967 art. 47bis", "bailiff": "AR 19-12-1967 art. 47bis",
       "plan_granted": "fund practice (S29)", "plan_missed": "fund practice (S29)",
       "plan_broken": "fund practice (S29)", "fiftybis": "AR 19-12-1967 art. 50bis §1"}


def step_document(session: Session, step_id: int) -> Document:
    from caisse.money import fmt
    from caisse.recovery.models import RecoveryStep
    from caisse.recovery.service import instalments
    from caisse.references import for_statement
    from caisse.rules.explain import fmt_date

    step = session.get(RecoveryStep, step_id)
    if step is None or step.letter is None:
        raise NotFound("recovery letter", step_id)
    if step.letter == "statement":
        return statement_document(session, step.party_id, step.on)
    lang = step.language
    t = T[lang]
    name, address, _ = _debtor(session, step.party_id, step.on)
    fund_name, iban, bic = _fund()
    p = policy(step.on)
    ogm = "".join(ch for ch in for_statement(step.party_id, step.on.year).ogm if ch.isdigit())
    lines: list[Line] = []
    total = step.amount_cents
    due: dt.date | None = step.on
    if step.letter == "plan_granted":
        for i in instalments(session, step.plan_id):
            lines.append(Line(t["instalment_line"].format(date=fmt_date(i.due_date, lang)), i.amount_cents,
                              t["down_payment"] if i.seq == 0 else "", LAW["plan_granted"]))
        first = instalments(session, step.plan_id)[0]
        total, due = first.amount_cents, first.due_date
    else:
        pension_qs = set(pension_quarters(session.connection(), step.on, [step.party_id]).get(step.party_id, [])) \
            if step.letter == "fiftybis" else set()
        for period, principal, accessories in open_by_period(session.connection(), step.on, step.party_id):
            pension = period in pension_qs
            lines.append(Line(t["period_line"].format(period=period), principal + accessories,
                              t["why_pension" if pension else "why_period"].format(principal=fmt(principal),
                                                                                   accessories=fmt(accessories)),
                              LAW[step.letter]))
        if step.letter == "reminder":
            due = step.on + dt.timedelta(days=p.statement_days)
        elif step.letter == "formal_notice":
            due = add_months(step.on, p.contest_months)
        elif step.letter == "plan_missed":
            due = step.on + dt.timedelta(days=p.plan_grace_days)
    return Document(f"recovery_{step.letter}", lang, fund_name, iban, bic, step.party_id, name, address, "",
                    step.on, lines, total, due, ogm, contact=contact_line(session, step.party_id, lang))


def step_pdf(session: Session, step_id: int) -> bytes:
    return render(step_document(session, step_id))


def render_batch(url: str, batch_key: str, directory: str | Path) -> int:
    """Every letter of a recovery run as ``<directory>/<file number>-<step id>-<letter>.pdf``."""
    from caisse.recovery.models import RecoveryStep
    from caisse.store.db import session_scope

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(url) as s:
        rows = s.execute(select(RecoveryStep.id, RecoveryStep.party_id, RecoveryStep.letter).where(
            RecoveryStep.batch_key == batch_key, RecoveryStep.letter.is_not(None)).order_by(RecoveryStep.id)).all()
        for sid, party, letter in rows:
            (out / f"{party}-{sid}-{letter}.pdf").write_bytes(step_pdf(s, sid))
    return len(rows)
