"""The joint call: a company called, by registered letter, for the unpaid contributions of its director for the
period of the mandate (art. 15 AR n° 38 [S32]) — one A4 page in the company's language (fr / nl / de), drawn by
``documents.notices.render``. The payment block carries the **director's** structured communication: what the
company pays is booked to the director's account and imputed on his debt.

Rendered on demand from the ``joint_call`` row: ``joint_call_pdf(session, call_id)``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from caisse.documents.notices import LANGS, Document, Line, T, _debtor, _fund, render
from caisse.errors import NotFound
from caisse.recovery.policy import policy
from caisse.services.calendar import add_months

LAW = "AR n° 38 art. 15"
TEXTS = {
    "fr": {
        "recovery_joint_call": "Responsabilité solidaire — cotisations sociales de votre mandataire {period}",
        "intro_recovery_joint_call": "Votre société est solidairement responsable du paiement des cotisations "
        "sociales, majorations et frais de rappel de ses mandataires pour la durée de leur mandat (art. 15 AR "
        "n° 38). Les "
        "sommes ci-dessous, dues par votre mandataire {period}, restent impayées malgré nos rappels. Nous vous "
        "invitons à les payer dans le mois avec la communication structurée ci-dessous : votre paiement sera "
        "imputé sur la dette de votre mandataire. Cette lettre recommandée interrompt la prescription à l'égard de "
        "tous les débiteurs solidaires. Vous pouvez contester ces sommes ou demander des termes et délais dans le "
        "même délai.",
        "joint_line": "Période {period} — {account}",
        "joint_why": "dû par le mandataire, période du mandat",
        "acc_contribution": "cotisations", "acc_management_fee": "frais de gestion",
        "acc_surcharge": "majorations", "acc_costs": "frais",
    },
    "nl": {
        "recovery_joint_call": "Hoofdelijke aansprakelijkheid — sociale bijdragen van uw mandataris {period}",
        "intro_recovery_joint_call": "Uw vennootschap is hoofdelijk aansprakelijk voor de betaling van de sociale "
        "bijdragen, verhogingen en aanmaningskosten van haar mandatarissen voor de duur van hun mandaat (art. 15 "
        "KB nr. 38). De onderstaande bedragen, verschuldigd door uw mandataris {period}, blijven ondanks onze "
        "herinneringen onbetaald. Wij verzoeken u ze binnen de maand te betalen met de gestructureerde mededeling "
        "hieronder: uw betaling wordt aangerekend op de schuld van uw mandataris. Deze aangetekende brief stuit de "
        "verjaring ten aanzien van alle hoofdelijke schuldenaars. U kunt deze bedragen binnen dezelfde termijn "
        "betwisten of afbetaling vragen.",
        "joint_line": "Periode {period} — {account}",
        "joint_why": "verschuldigd door de mandataris, periode van het mandaat",
        "acc_contribution": "bijdragen", "acc_management_fee": "beheerskosten",
        "acc_surcharge": "verhogingen", "acc_costs": "kosten",
    },
    "de": {
        "recovery_joint_call": "Gesamtschuldnerische Haftung — Sozialbeiträge Ihres Mandatsträgers {period}",
        "intro_recovery_joint_call": "Ihre Gesellschaft haftet gesamtschuldnerisch für die Sozialbeiträge, "
        "Zuschläge und Mahnkosten ihrer Mandatsträger für die Dauer ihres Mandats (Art. 15 KE Nr. 38). Die "
        "folgenden Beträge, geschuldet von Ihrem Mandatsträger {period}, sind trotz unserer Erinnerungen "
        "unbezahlt. Bitte zahlen Sie sie innerhalb eines Monats mit der strukturierten Mitteilung unten: Ihre "
        "Zahlung wird auf die Schuld Ihres Mandatsträgers angerechnet. Dieses Einschreiben unterbricht die "
        "Verjährung gegenüber allen Gesamtschuldnern. Sie können die Beträge innerhalb derselben Frist bestreiten "
        "oder Zahlungsaufschub beantragen.",
        "joint_line": "Zeitraum {period} — {account}",
        "joint_why": "vom Mandatsträger geschuldet, Zeitraum des Mandats",
        "acc_contribution": "Beiträge", "acc_management_fee": "Verwaltungskosten",
        "acc_surcharge": "Zuschläge", "acc_costs": "Kosten",
    },
}
for _lang in LANGS:
    T[_lang].update(TEXTS[_lang])


def joint_call_document(session: Session, call_id: int) -> Document:
    from caisse.recovery.models import JointCall
    from caisse.references import for_statement
    from caisse.rules.explain import fmt_date
    from caisse.store.models import Mandate

    jc = session.get(JointCall, call_id)
    if jc is None:
        raise NotFound("joint call", call_id)
    lang = jc.language
    t = T[lang]
    name, address, _ = _debtor(session, jc.company_id, jc.called_on)
    director, _, _ = _debtor(session, jc.director_id, jc.called_on)
    mandate = session.get(Mandate, jc.mandate_id)
    since = fmt_date(mandate.valid_from, lang)
    until = f" – {fmt_date(mandate.valid_to, lang)}" if mandate.valid_to else ""
    who = f"{director} ({jc.director_id}; {since}{until})"
    fund_name, iban, bic = _fund()
    lines = [Line(t["joint_line"].format(period=x["period"], account=t[f"acc_{x['account']}"]), int(x["cents"]),
                  t["joint_why"], LAW) for x in jc.periods]
    ogm = "".join(ch for ch in for_statement(jc.director_id, jc.called_on.year).ogm if ch.isdigit())
    due = add_months(jc.called_on, policy(jc.called_on).contest_months)
    return Document("recovery_joint_call", lang, fund_name, iban, bic, jc.company_id, name, address, who,
                    jc.called_on, lines, jc.amount_cents, due, ogm)


def joint_call_pdf(session: Session, call_id: int) -> bytes:
    return render(joint_call_document(session, call_id))
