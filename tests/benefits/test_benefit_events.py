"""Automatic and proactive rights as stories: the fund learns a life event (a birth, a bankruptcy, an incapacity,
a cessation, pension age) and opens a pre-filled claim — granted at once when every condition is met and nothing
needs the person's choice — or an information task, with a message to the person in their language. Once per
event."""

from __future__ import annotations

from helpers import contributions, d, iban, quarters
from sqlalchemy import func, select, update

from caisse.benefits import events
from caisse.benefits.models import BenefitClaim, BenefitEvent
from caisse.cases.models import Case, CaseMessage
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import Person

DESK = Principal.system("cli:benefits-officer")


def event(url, person, kind, date, known_on, **facts):
    with session_scope(url) as s:
        e, created = events.record_event(s, DESK, person, kind, d(date), d(known_on), facts)
        return e.id, created, e.outcome, e.claim_id, e.case_id


def messages_out(url, case_id) -> list[str]:
    with session_scope(url) as s:
        return list(s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                             CaseMessage.direction == "out").order_by(CaseMessage.id)))


def the_claim(url, claim_id):
    with session_scope(url) as s:
        c = s.get(BenefitClaim, claim_id)
        s.expunge(c)
        return c


def the_case(url, case_id):
    with session_scope(url) as s:
        c = s.get(Case, case_id)
        s.expunge(c)
        return c


def test_a_birth_opens_the_mothers_maternity_claim_prefilled_and_invites_her_in_dutch(db_url, fund):
    # Lotte, main activity since 2015, her contributions paid; the registry tells the fund of a birth on 5-2-2025.
    lotte = fund.person(category="main", start=d("2015-01-01"), language="nl")
    contributions(db_url, lotte, paid=quarters("2024Q1", "2024Q4"))
    eid, created, outcome, claim_id, case_id = event(db_url, lotte, "birth", "2025-02-05", "2025-02-07",
                                                     parent="mother")
    assert (created, outcome) == (True, "claim")
    c = the_claim(db_url, claim_id)
    # pre-filled: 12 weeks from a week before the birth (legislation §8.2 [S44]); the rest plan is her choice
    assert (c.kind, c.status, c.received_on) == ("maternity", "application", d("2025-02-07"))
    assert c.facts == {"birth_date": "2025-02-05", "start": "2025-01-29", "multiple_birth": False, "full_weeks": 12,
                       "half_weeks": 0}
    assert c.decision_due == d("2025-06-07")  # Charter art. 10: 4 months from the day the fund learned it
    case = the_case(db_url, case_id)
    assert case.status == "waiting_for_person"
    [message] = messages_out(db_url, case_id)
    assert message.startswith("Het fonds vernam de geboorte van 05-02-2025 en heeft voor u een aanvraag voor "
                              f"moederschapsuitkering voorbereid (nr. {claim_id})")
    assert "105 gratis dienstencheques" in message and "kwartaal 2025Q2 worden vrijgesteld" in message

    # the same birth told again (a second source): nothing new
    again = event(db_url, lotte, "birth", "2025-02-05", "2025-02-10", parent="mother")
    assert again[:2] == (eid, False)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(BenefitClaim).where(BenefitClaim.person_id == lotte)) == 1


def test_the_birth_told_for_the_co_parent_with_the_leave_taken_grants_birth_leave_automatically(db_url, fund):
    # Marc, main activity, the 2 quarters before the birth quarter (2022Q3, 2022Q4) paid; the birth of 10-3-2023 is
    # reported with the leave he took: 10 days and 2 half-days from 13-3 to 7-4-2023.
    marc = fund.person(category="main", start=d("2015-01-01"), language="fr")
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == marc).values(sex="M"))
    iban(db_url, marc)
    contributions(db_url, marc, paid=quarters("2022Q3", "2022Q4"))
    _, created, outcome, claim_id, case_id = event(db_url, marc, "birth", "2023-03-10", "2023-04-12",
                                                   start=d("2023-03-13"), end=d("2023-04-07"), days=10, half_days=2)
    assert (created, outcome) == (True, "granted")
    c = the_claim(db_url, claim_id)
    # 2023: 96.60 a day, 48.30 a half-day [S206]: 10 × 96.60 + 2 × 48.30 = 1,062.60
    assert (c.kind, c.status, c.amount_cents, c.decided_on) == ("birth_leave", "granted", 106_260, d("2023-04-12"))
    with session_scope(db_url) as s:
        assert s.scalar(select(func.sum(LedgerEntry.amount_cents)).join(LedgerTransaction).where(
            LedgerTransaction.key == f"benefit/claim/{claim_id}", LedgerEntry.account == "benefit")) == -106_260
    decision_message, told = messages_out(db_url, case_id)
    assert decision_message.startswith(f"Décision sur votre demande n° {claim_id} (congé de naissance) : accordée, ")
    assert told.startswith("La caisse a appris la naissance du 10/03/2023. Toutes les conditions étant remplies, "
                           f"elle vous accorde d'office congé de naissance (demande n° {claim_id}) : 1")


def test_a_birth_for_a_co_parent_with_a_quarter_unpaid_is_not_refused_but_waits_for_him(db_url, fund):
    jan = fund.person(category="main", start=d("2015-01-01"), language="de")
    contributions(db_url, jan, paid=["2022Q3"], unpaid=["2022Q4"])
    _, _, outcome, claim_id, case_id = event(db_url, jan, "birth", "2023-03-10", "2023-03-20", parent="co_parent",
                                             start=d("2023-03-13"), end=d("2023-03-24"), days=10)
    assert outcome == "claim"
    assert the_claim(db_url, claim_id).status == "application"  # nothing decided against him on the fund's motion
    [message] = messages_out(db_url, case_id)
    assert "Heute noch nicht erfüllte Voraussetzungen: Nur für 1 Quartal(e) von 2022Q3, 2022Q4" in message
    assert "Nicht bezahlte Quartale: 2022Q4" in message
    # the birth without the leave: a pre-filled claim of the 20 days within 4 months, his choice asked
    other = fund.person(category="main", start=d("2015-01-01"))
    _, _, outcome, claim_id, case_id = event(db_url, other, "birth", "2023-03-10", "2023-03-20", parent="co_parent")
    c = the_claim(db_url, claim_id)
    assert (outcome, c.facts["days"], c.period_end) == ("claim", 20, d("2023-07-09"))
    [message] = messages_out(db_url, case_id)
    # born in the 3rd month of a quarter: request by the end of the next quarter plus one month [S258]
    assert "au plus 20 jours ou 40 demi-jours" in message and "au plus tard le 31/07/2023" in message


def test_a_published_bankruptcy_opens_a_bridging_right_claim(db_url, fund):
    ana = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"))
    contributions(db_url, ana, paid=quarters("2022Q3", "2023Q4"))
    _, created, outcome, claim_id, case_id = event(db_url, ana, "bankruptcy", "2024-05-20", "2024-05-22")
    assert (created, outcome) == (True, "claim")
    c = the_claim(db_url, claim_id)
    assert (c.kind, c.bridging_case, c.period_start, c.status) == ("bridging_right", "bankruptcy", d("2024-06-01"),
                                                                   "application")
    assert c.facts["event_date"] == "2024-05-20"
    [message] = messages_out(db_url, case_id)
    assert message.startswith("La caisse a appris la faillite du 20/05/2024 et a préparé pour vous une demande de "
                              "droit passerelle")
    assert "si vous avez charge de famille" in message
    assert the_case(db_url, case_id).status == "waiting_for_person"


def test_an_incapacity_reported_by_the_mutuality_prepares_the_assimilation_request(db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"), language="nl")
    _, created, outcome, claim_id, case_id = event(db_url, eva, "incapacity", "2025-03-03", "2025-03-10")
    assert (created, outcome, claim_id) == (True, "informed", None)
    case = the_case(db_url, case_id)
    # not a bare task: the assimilation request, prepared and waiting for Eva (the case is the request's)
    assert (case.kind, case.status, case.deadline) == ("illness_assimilation", "waiting_for_person", d("2025-04-09"))
    [message] = messages_out(db_url, case_id)
    assert message.startswith("Uw ziekenfonds meldde ons uw arbeidsongeschiktheid sinds 03-03-2025.")
    assert "aanvraag tot gelijkstelling nr. 1 voorbereid" in message and "(NOT FOUND)" in message


def test_the_life_events_batch_finds_cessations_and_pension_ages_in_the_files_once(db_url, fund):
    stops = fund.person(category="main", start=d("2015-01-01"), end=d("2026-02-15"), language="de")
    retires = fund.person(category="main", start=d("1990-01-01"))
    with session_scope(db_url) as s:  # born 10-1-1960: 66 in January 2026, pension from 1-2-2026
        s.execute(update(Person).where(Person.id == retires).values(birth_date=d("1960-01-10")))
    young = fund.person(category="main", start=d("2015-01-01"))  # born 1980: nothing
    summary = events.run_life_events(db_url, d("2026-03-31"))
    assert summary.posted == 2
    with session_scope(db_url) as s:
        rows = {(e.person_id, e.kind, e.event_date, e.outcome) for e in s.scalars(select(BenefitEvent))}
        assert rows == {(stops, "cessation", d("2026-02-15"), "informed"),
                        (retires, "pension_age", d("2026-02-01"), "informed")}
        assert young not in {p for p, *_ in rows}
        case_of = {e.person_id: e.case_id for e in s.scalars(select(BenefitEvent))}
    [cessation] = messages_out(db_url, case_of[stops])
    assert cessation.startswith("Ihre selbständige Tätigkeit wurde am 15.02.2026 eingestellt.")
    [pension] = messages_out(db_url, case_of[retires])
    assert pension.startswith("Vous atteignez l'âge légal de la pension (66 ans) : votre pension peut prendre cours "
                              "le 01/02/2026.")
    # another window overlapping the first: the same events are not recorded twice
    again = events.run_life_events(db_url, d("2026-04-30"), d("2026-01-01"))
    assert (again.posted, again.already) == (0, 2)


def test_a_birth_for_a_complementary_mother_names_the_condition_not_met(db_url, fund):
    iris = fund.person(category="complementary", start=d("2015-01-01"), language="fr")
    _, _, outcome, claim_id, case_id = event(db_url, iris, "birth", "2025-02-05", "2025-02-07", parent="mother")
    assert outcome == "claim" and the_claim(db_url, claim_id).status == "application"
    [message] = messages_out(db_url, case_id)
    assert "Conditions pas encore remplies à ce jour : Le 29/01/2025, vous étiez affilié(e) dans la catégorie " \
           "« à titre complémentaire »" in message
