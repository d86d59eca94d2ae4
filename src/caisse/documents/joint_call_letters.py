"""The joint call: a company called, by registered letter, for the unpaid contributions of its director for the
period of the mandate (art. 15 AR n° 38 [S32]) — one A4 page in the company's language (fr / nl / de), drawn by
``documents.notices.render``. The payment block carries the **director's** structured communication: what the
company pays is booked to the director's account and imputed on his debt.

The converse (``joint_call.liable`` = ``director``): a director (mandatary) called for the company's unpaid annual
contribution (legislation.md §6 [S32], addendum 2026-11 §7 [S200]; the notes give no article) — in the director's
language, the company named with its KBO number and the mandate, the payment block carrying the **company's**
structured communication of the contribution year (several years: the company's statement communication): what the
director pays is booked to the company's account and imputed on the contribution called.

Rendered on demand from the ``joint_call`` row: ``joint_call_pdf(session, call_id)``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from caisse.documents.notices import LANGS, Document, Line, T, _debtor, _fund, contact_line, render
from caisse.errors import NotFound
from caisse.recovery.policy import policy
from caisse.services.calendar import add_months

LAW = "AR n° 38 art. 15"
DIRECTOR_LAW = "[S32] [S200]"  # the notes give no article for the directors' liability for the company contribution
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
        "recovery_director_joint_call": "Responsabilité solidaire — cotisation annuelle de la société {period}",
        "intro_recovery_director_joint_call": "Les mandataires d'une société sont solidairement responsables du "
        "paiement de sa cotisation annuelle à charge des sociétés. La société {period}, dont vous êtes ou avez été "
        "mandataire, n'a pas payé les cotisations ci-dessous malgré nos rappels. Nous vous invitons à les payer "
        "dans le mois avec la communication structurée ci-dessous : votre paiement sera imputé sur la dette de la "
        "société, et un paiement de la société réduit d'autant ce que nous vous réclamons (la dette n'est due "
        "qu'une fois). Cette lettre recommandée interrompt la prescription à l'égard de tous les débiteurs "
        "solidaires. Vous pouvez contester ces sommes ou demander des termes et délais dans le même délai.",
        "director_line": "Cotisation des sociétés {period}",
        "director_why": "due par la société, impayée",
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
        "recovery_director_joint_call": "Hoofdelijke aansprakelijkheid — jaarlijkse bijdrage van de vennootschap "
        "{period}",
        "intro_recovery_director_joint_call": "De mandatarissen van een vennootschap zijn hoofdelijk aansprakelijk "
        "voor de betaling van haar jaarlijkse vennootschapsbijdrage. De vennootschap {period}, waarvan u mandataris "
        "bent of was, heeft de onderstaande bijdragen ondanks onze herinneringen niet betaald. Wij verzoeken u ze "
        "binnen de maand te betalen met de gestructureerde mededeling hieronder: uw betaling wordt aangerekend op de "
        "schuld van de vennootschap, en een betaling van de vennootschap vermindert wat wij u vragen met hetzelfde "
        "bedrag (de schuld is maar één keer verschuldigd). Deze aangetekende brief stuit de verjaring ten aanzien "
        "van alle hoofdelijke schuldenaars. U kunt deze bedragen binnen dezelfde termijn betwisten of afbetaling "
        "vragen.",
        "director_line": "Vennootschapsbijdrage {period}",
        "director_why": "verschuldigd door de vennootschap, onbetaald",
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
        "recovery_director_joint_call": "Gesamtschuldnerische Haftung — Jahresbeitrag der Gesellschaft {period}",
        "intro_recovery_director_joint_call": "Die Mandatsträger einer Gesellschaft haften gesamtschuldnerisch für "
        "die Zahlung ihres jährlichen Beitrags der Gesellschaften. Die Gesellschaft {period}, deren Mandatsträger "
        "Sie sind oder waren, hat die folgenden Beiträge trotz unserer Erinnerungen nicht bezahlt. Bitte zahlen Sie "
        "sie innerhalb eines Monats mit der strukturierten Mitteilung unten: Ihre Zahlung wird auf die Schuld der "
        "Gesellschaft angerechnet, und eine Zahlung der Gesellschaft verringert den von Ihnen verlangten Betrag "
        "entsprechend (die Schuld ist nur einmal geschuldet). Dieses Einschreiben unterbricht die Verjährung "
        "gegenüber allen Gesamtschuldnern. Sie können die Beträge innerhalb derselben Frist bestreiten oder "
        "Zahlungsaufschub beantragen.",
        "director_line": "Beitrag der Gesellschaften {period}",
        "director_why": "von der Gesellschaft geschuldet, unbezahlt",
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
    if jc.liable == "director":
        return _director_document(session, jc)
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
                    jc.called_on, lines, jc.amount_cents, due, ogm, contact=contact_line(session, jc.company_id, lang))


def _director_document(session: Session, jc) -> Document:
    from caisse.references import for_company_contribution, for_statement
    from caisse.rules.explain import fmt_date
    from caisse.store.models import Company, Mandate

    lang = jc.language
    t = T[lang]
    name, address, _ = _debtor(session, jc.director_id, jc.called_on)
    company = session.get(Company, jc.company_id)
    mandate = session.get(Mandate, jc.mandate_id)
    since = fmt_date(mandate.valid_from, lang)
    until = f" – {fmt_date(mandate.valid_to, lang)}" if mandate.valid_to else ""
    who = f"{company.name} (KBO {company.kbo}; {since}{until})"
    fund_name, iban, bic = _fund()
    lines = [Line(t["director_line"].format(period=x["period"]), int(x["cents"]), t["director_why"], DIRECTOR_LAW)
             for x in jc.periods]
    years = sorted({x["period"] for x in jc.periods})
    ref = (for_company_contribution(jc.company_id, int(years[0])) if len(years) == 1
           else for_statement(jc.company_id, jc.called_on.year))
    ogm = "".join(ch for ch in ref.ogm if ch.isdigit())
    due = add_months(jc.called_on, policy(jc.called_on).contest_months)
    return Document("recovery_director_joint_call", lang, fund_name, iban, bic, jc.director_id, name, address, who,
                    jc.called_on, lines, jc.amount_cents, due, ogm,
                    contact=contact_line(session, jc.director_id, lang))


def joint_call_pdf(session: Session, call_id: int) -> bytes:
    return render(joint_call_document(session, call_id))
