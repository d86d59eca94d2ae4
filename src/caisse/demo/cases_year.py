"""A year of questions, requests and complaints in the demo fund, through the case service.

Kinds and channels as a fund sees them (kinds from ``cases/deadlines.yaml``); each case is written in the
person's language, opened on its day, answered by a caseworker on the day the answer went out (most within the
deadline, a few late) and then closed; the last weeks' cases — and a few older ones forgotten — are still open:
the backlog. About one case per five affiliates a year.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from caisse.cases import service as cases
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import Account, Affiliation, Party

CASES_PER_AFFILIATE = 0.2
KINDS = {"question": 0.52, "change": 0.16, "reduction": 0.1, "rectification": 0.05, "complaint": 0.07,
         "cessation": 0.1}
CHANNELS = {"portal": 0.45, "email": 0.2, "phone": 0.2, "office": 0.08, "letter": 0.07}

TEXT = {
    "question": {
        "fr": ("Quand dois-je payer ma cotisation ?", "Bonjour, à quelle date dois-je payer la cotisation du "
               "trimestre et quelle communication dois-je utiliser ?", "Bonjour, la cotisation est due le dernier "
               "jour du trimestre. Utilisez la communication structurée de votre avis d'échéance (aussi dans vos "
               "documents, avec le code QR). Bien à vous."),
        "nl": ("Wanneer moet ik mijn bijdrage betalen?", "Goedendag, tegen wanneer moet ik de bijdrage van dit "
               "kwartaal betalen en met welke mededeling?", "Goedendag, de bijdrage is verschuldigd op de laatste dag "
               "van het kwartaal. Gebruik de gestructureerde mededeling van uw vervaldagbericht (ook bij uw "
               "documenten, met de QR-code). Met vriendelijke groeten."),
        "de": ("Wann muss ich meinen Beitrag zahlen?", "Guten Tag, bis wann muss ich den Beitrag dieses Quartals "
               "zahlen und mit welcher Mitteilung?", "Guten Tag, der Beitrag ist am letzten Tag des Quartals fällig. "
               "Verwenden Sie die strukturierte Mitteilung Ihrer Fälligkeitsmitteilung (auch in Ihren Dokumenten, "
               "mit QR-Code). Mit freundlichen Grüßen."),
    },
    "change": {
        "fr": ("Changement de compte bancaire", "J'ai changé de banque : merci de noter mon nouveau compte.",
               "Votre nouveau compte est enregistré ; les remboursements y seront versés."),
        "nl": ("Wijziging van bankrekening", "Ik ben van bank veranderd: gelieve mijn nieuwe rekening te noteren.",
               "Uw nieuwe rekening is geregistreerd; terugbetalingen worden erop gestort."),
        "de": ("Änderung der Bankverbindung", "Ich habe die Bank gewechselt: bitte notieren Sie mein neues Konto.",
               "Ihr neues Konto ist eingetragen; Erstattungen werden darauf überwiesen."),
    },
    "reduction": {
        "fr": ("Demande de réduction des cotisations provisoires", "Mes revenus de cette année seront nettement plus "
               "bas (perte d'un client important). Puis-je payer moins ?", "Nous avons examiné votre demande : vos "
               "cotisations provisoires sont réduites à partir du prochain trimestre. Attention : si vos revenus "
               "définitifs sont plus élevés, des majorations peuvent s'appliquer."),
        "nl": ("Aanvraag tot vermindering van de voorlopige bijdragen", "Mijn inkomen van dit jaar zal veel lager "
               "liggen (een grote klant verloren). Mag ik minder betalen?", "Wij hebben uw aanvraag onderzocht: uw "
               "voorlopige bijdragen worden vanaf volgend kwartaal verminderd. Let op: is uw definitief inkomen "
               "hoger, dan kunnen verhogingen volgen."),
        "de": ("Antrag auf Herabsetzung der vorläufigen Beiträge", "Mein Einkommen wird dieses Jahr deutlich "
               "niedriger sein (ein großer Kunde fehlt). Darf ich weniger zahlen?", "Wir haben Ihren Antrag geprüft: "
               "Ihre vorläufigen Beiträge werden ab dem nächsten Quartal herabgesetzt. Achtung: ist Ihr endgültiges "
               "Einkommen höher, können Zuschläge folgen."),
    },
    "rectification": {
        "fr": ("Erreur dans mon adresse", "Le numéro de ma maison est erroné sur le dernier courrier.",
               "Merci : l'adresse est corrigée dans votre dossier."),
        "nl": ("Fout in mijn adres", "Mijn huisnummer is verkeerd op de laatste brief.",
               "Dank u: het adres is verbeterd in uw dossier."),
        "de": ("Fehler in meiner Adresse", "Meine Hausnummer ist im letzten Schreiben falsch.",
               "Danke: die Adresse ist in Ihrer Akte berichtigt."),
    },
    "complaint": {
        "fr": ("Plainte : majoration injustifiée", "J'ai payé à temps et je reçois pourtant une majoration.",
               "Nous avons vérifié : votre paiement est arrivé après la fin du trimestre ; la majoration reste due. "
               "Vous pouvez demander une renonciation aux majorations à l'INASTI si vous étiez de bonne foi."),
        "nl": ("Klacht: onterechte verhoging", "Ik heb op tijd betaald en toch krijg ik een verhoging.",
               "Wij hebben het nagekeken: uw betaling kwam na het einde van het kwartaal binnen; de verhoging blijft "
               "verschuldigd. U kunt bij het RSVZ kwijtschelding van de verhogingen vragen als u te goeder trouw was."),
        "de": ("Beschwerde: ungerechtfertigter Zuschlag", "Ich habe rechtzeitig gezahlt und trotzdem einen Zuschlag "
               "erhalten.", "Wir haben es geprüft: Ihre Zahlung ist nach Quartalsende eingegangen; der Zuschlag "
               "bleibt geschuldet. Sie können beim LISVS einen Erlass der Zuschläge beantragen, wenn Sie gutgläubig "
               "waren."),
    },
    "cessation": {
        "fr": ("Arrêt de mon activité", "J'arrête mon activité indépendante à la fin du mois. Que dois-je faire ?",
               "Nous enregistrons la cessation à la date indiquée. Vous recevrez un décompte ; informez-vous aussi "
               "sur le droit passerelle et l'assurance continuée."),
        "nl": ("Stopzetting van mijn activiteit", "Ik stop met mijn zelfstandige activiteit op het einde van de "
               "maand. Wat moet ik doen?", "Wij registreren de stopzetting op de opgegeven datum. U krijgt een "
               "afrekening; informeer u ook over het overbruggingsrecht en de voortgezette verzekering."),
        "de": ("Einstellung meiner Tätigkeit", "Ich stelle meine selbständige Tätigkeit Ende des Monats ein. Was "
               "muss ich tun?", "Wir erfassen die Einstellung zum angegebenen Datum. Sie erhalten eine Abrechnung; "
               "informieren Sie sich auch über das Überbrückungsrecht und die fortgesetzte Versicherung."),
    },
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    x, acc = rng.random() * sum(weights.values()), 0.0
    for key, w in weights.items():
        acc += w
        if x < acc:
            return key
    return key


def seed_cases(url: str, today: dt.date, rng: random.Random) -> int:
    """Open, answer and close a year of cases; returns how many were opened."""
    with session_scope(url) as session:
        people = session.execute(select(Party.id, Party.language).join(Affiliation, Affiliation.person_id == Party.id)
                                 .order_by(Party.id)).all()
        accounts = dict(session.execute(select(Account.login, Account.id)).all())
        mine = dict(session.execute(select(Account.login, Account.party_id).where(Account.party_id.is_not(None)))
                    .all())
    if not people:
        return 0
    staff = Principal(login="demo-caseworker", role="manager", account_id=accounts.get("demo-caseworker"))
    wanted = [(rng.choice(people), rng.randint(1, 365)) for _ in range(int(len(people) * CASES_PER_AFFILIATE))]
    lang_of = dict(people)
    for login in ("demo-affiliate", "demo-starter", "demo-director"):  # the demo logins see cases of their own
        if mine.get(login):
            pid = mine[login]
            wanted += [((pid, lang_of.get(pid, "fr")), 200), ((pid, lang_of.get(pid, "fr")), 6)]
    made = 0
    with session_scope(url) as session:
        for (pid, lang), back in sorted(wanted, key=lambda w: -w[1]):
            opened = today - dt.timedelta(days=back)
            kind = _pick(rng, KINDS)
            channel = _pick(rng, CHANNELS)
            subject, body, reply = TEXT[kind][lang if lang in ("fr", "nl", "de") else "fr"]
            who = (Principal(login=f"file-{pid}", role="affiliate", party_id=pid) if channel == "portal" else staff)
            at = dt.datetime.combine(opened, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
            c = cases.open_case(session, who, pid, kind, subject, body, opened, channel, at=at)
            made += 1
            limit = (c.deadline - opened).days
            x = rng.random()
            if x < 0.86:
                delay = rng.randint(0, max(1, limit * 2 // 3))
            elif x < 0.98:
                delay = limit + rng.randint(1, 20)  # late
            else:
                delay = 10_000  # forgotten: still open, overdue
            answered = opened + dt.timedelta(days=delay)
            if answered >= today:
                continue  # the backlog
            stamp = dt.datetime.combine(answered, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
            cases.answer(session, staff, c.id, reply, answered, at=stamp)
            if rng.random() < 0.9:
                cases.close(session, staff, c.id, answered)
    return made
