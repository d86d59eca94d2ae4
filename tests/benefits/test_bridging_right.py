"""The bridging right's conditions and counters as stories (legislation §8.1, issue 8): a main activity every day of
the quarter of the event and the 3 before, a Belgian main residence on the address on file at the event, under 65,
no professional activity and no replacement income declared by the person, 4 quarters paid in the 16 before; and the
health-care rights kept without contributions for the quarters of the benefit, 4 over the career (8 after 60
pension quarters). Each failed condition is a motivated refusal; what the notes do not settle is not decided."""

from __future__ import annotations

import pytest
from helpers import NOTHING_ELSE, contributions, d, quarters
from sqlalchemy import delete, func, insert, select, update

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim, BenefitMaintainedQuarter, ClaimStep
from caisse.errors import Conflict
from caisse.security.authz import Principal
from caisse.services.affiliation import AddressInput, change_address, change_category
from caisse.store.db import session_scope
from caisse.store.models import Address, Affiliation, CategoryPeriod, Person

DESK = Principal.system("cli:benefits-officer")
BANKRUPTCY = {"case": "bankruptcy", "event_date": d("2024-05-20"), "start": d("2024-06-01")}
MONTH = 163_826  # 1,638.26 a month without family charge from 1-5-2024 [S39]


def file(url, person, received="2024-05-27", **facts) -> int:
    with session_scope(url) as s:
        return service.file_claim(s, DESK, person, "bridging_right", facts, d(received)).id


def decide(url, claim_id, today="2024-06-10"):
    with session_scope(url) as s:
        c = service.decide(s, DESK, claim_id, d(today))
        return c.outcome, c.amount_cents, c.decision


def trader(fund, url, **kw) -> int:
    """A main-activity self-employed since 2015 whose quarters 2022Q3 to 2024Q1 are paid (7 of the 16 before Q2)."""
    pid = fund.person(category=kw.pop("category", "main"), start=kw.pop("start", d("2015-01-01")), **kw)
    contributions(url, pid, paid=quarters("2022Q3", "2024Q1"))
    return pid


def born(url, person, day: str) -> None:
    with session_scope(url) as s:
        s.execute(update(Person).where(Person.id == person).values(birth_date=d(day)))


def steps_of(url, claim_id) -> list[str]:
    with session_scope(url) as s:
        return list(s.scalars(select(ClaimStep.step).where(ClaimStep.claim_id == claim_id).order_by(ClaimStep.id)))


def maintained(url, person) -> list[tuple[str, int]]:
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(select(BenefitMaintainedQuarter.period, BenefitMaintainedQuarter.claim_id)
                                            .where(BenefitMaintainedQuarter.person_id == person)
                                            .order_by(BenefitMaintainedQuarter.period))]


# --- main activity throughout the quarter of the event and the 3 before -------------------------------------------

def test_a_main_activity_is_needed_every_day_of_the_four_quarters_not_only_on_their_last_days(db_url, fund):
    # Fien was complementary until 15 August 2023, main since: on the last days of 2023Q3, 2023Q4 and 2024Q1 she was
    # main, yet on 1 July 2023 (the first day of the earliest quarter) she was not [S118]
    fien = trader(fund, db_url, category="complementary")
    with session_scope(db_url) as s:
        change_category(s, fien, "main", d("2023-08-16"), DESK)
    outcome, amount, decision = decide(db_url, file(db_url, fien, months=1, **BANKRUPTCY, **NOTHING_ELSE))
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["fr"] == [
        "Le 01/07/2023, vous étiez affilié(e) dans la catégorie « à titre complémentaire » : le droit passerelle "
        "suppose une activité à titre principal (ou le maxi-statut de conjoint aidant) pendant tout le trimestre de "
        "l'événement et les 3 trimestres précédents, du 01/07/2023 au 20/05/2024 (droit passerelle, conditions "
        "générales, legislation §8.1 [S118] (formulation d'avant 2023, toujours citée par les caisses))."]
    # Gino stopped from 1 to 31 August 2023 and started again on 1 September: a month without any affiliation
    gino = trader(fund, db_url, end=d("2023-07-31"))
    with session_scope(db_url) as s:
        s.execute(insert(Affiliation), [{"id": 90_000 + gino, "person_id": gino, "status": "affiliated",
                                         "start_date": d("2023-09-01"), "requested_on": d("2023-08-20")}])
        s.execute(insert(CategoryPeriod), [{"affiliation_id": 90_000 + gino, "category": "main",
                                            "valid_from": d("2023-09-01")}])
    outcome, _, decision = decide(db_url, file(db_url, gino, months=1, **BANKRUPTCY, **NOTHING_ELSE))
    assert outcome == "refused"
    [reason] = decision["reasons"]["en"]
    assert reason.startswith("On 2023-08-01 you were not affiliated with the fund as self-employed: the bridging "
                             "right requires a main activity (or the maxi status of a helping spouse) throughout the "
                             "quarter of the event and the 3 quarters before, from 2023-07-01 to 2024-05-20")
    # a helping spouse (maxi status) all along: granted, one month at 1,638.26
    hilde = trader(fund, db_url, category="helping_spouse")
    outcome, amount, decision = decide(db_url, file(db_url, hilde, months=1, **BANKRUPTCY, **NOTHING_ELSE))
    assert (outcome, amount) == ("granted", MONTH)
    check = next(c for c in decision["checks"] if c["check"] == "main_activity")
    assert check["rendered"]["nl"].startswith("Zelfstandige in hoofdberoep of meewerkende echtgenoot (maxistatuut) "
                                              "elke dag van 01-07-2023 tot 20-05-2024")


# --- Belgian main residence ---------------------------------------------------------------------------------------

def test_the_belgian_residence_is_read_on_the_address_on_file_at_the_event(db_url, fund):
    rita, remi = trader(fund, db_url), trader(fund, db_url)
    lille = AddressInput(street="Rue Nationale", house_number="3", postal_code="59000", city="Lille", country="FR")
    with session_scope(db_url) as s:
        change_address(s, rita, lille, d("2024-03-01"), DESK)  # in France before the bankruptcy
        change_address(s, remi, lille, d("2024-06-15"), DESK)  # moved after it: in Belgium on 20 May
    outcome, _, decision = decide(db_url, file(db_url, rita, months=1, **BANKRUPTCY, **NOTHING_ELSE))
    assert outcome == "refused"
    assert decision["reasons"]["de"] == [
        "Am 20.05.2024 lag Ihre der Kasse bekannte Anschrift außerhalb Belgiens (FR): das Überbrückungsrecht setzt "
        "einen Hauptwohnsitz in Belgien voraus (Überbrückungsrecht, allgemeine Voraussetzungen, Rechtsvorschriften "
        "§8.1 [S118] (Fassung vor 2023, von den Kassen weiterhin zitiert))."]
    assert decide(db_url, file(db_url, remi, months=1, **BANKRUPTCY, **NOTHING_ELSE))[:2] == ("granted", MONTH)
    # no address on file on the event date: nothing is decided (a caseworker records it), never refused
    nora = trader(fund, db_url)
    with session_scope(db_url) as s:
        s.execute(delete(Address).where(Address.party_id == nora))
    cid = file(db_url, nora, months=1, **BANKRUPTCY, **NOTHING_ELSE)
    with pytest.raises(Conflict) as exc:
        decide(db_url, cid)
    assert exc.value.field == "address" and "record the address first" in str(exc.value)
    assert steps_of(db_url, cid) == ["application"]


# --- under 65 -----------------------------------------------------------------------------------------------------

def test_under_65_on_the_event_and_no_month_from_the_65th_birthday(db_url, fund):
    # Otto turned 65 on 10 March 2024, before his bankruptcy: refused [S118]
    otto = trader(fund, db_url)
    born(db_url, otto, "1959-03-10")
    outcome, _, decision = decide(db_url, file(db_url, otto, months=3, **BANKRUPTCY, **NOTHING_ELSE))
    assert outcome == "refused"
    assert decision["reasons"]["en"] == [
        "You reached 65 on 2024-03-10, before 2024-05-20: the bridging right is for persons under 65 (bridging "
        "right, general conditions, legislation §8.1 [S118] (pre-2023 wording, still cited by funds))."]
    # Pia turns 65 on 15 July 2024: June and July start before, August not — 2 of the 3 months, 3,276.52
    pia = trader(fund, db_url)
    born(db_url, pia, "1959-07-15")
    cid = file(db_url, pia, months=3, **BANKRUPTCY, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, cid)
    assert (outcome, amount) == ("granted", 2 * MONTH) == ("granted", 327_652)
    age = [c["rendered"]["fr"] for c in decision["checks"] if c["check"] == "age"]
    assert age[-1].startswith("Seuls 2 des 3 mois demandés commencent avant vos 65 ans, le 15/07/2024")
    assert decision["maintained_rights"]["quarters"] == ["2024Q2", "2024Q3"]
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).counted == 2
        assert service.reproduce(s, cid) == {"same": True, "differences": []}
    # Paul, born 10 January 1960, reaches 65 during a year claimed — but his legal pension age is 66: the notes'
    # "< 65" (pre-2023 wording) against it is not settled by the notes: not decided, nothing written
    paul = trader(fund, db_url)
    born(db_url, paul, "1960-01-10")
    cid = file(db_url, paul, months=12, **BANKRUPTCY, **NOTHING_ELSE)
    with pytest.raises(Conflict) as exc:
        decide(db_url, cid)
    assert exc.value.field == "age" and "legal pension age is 66" in str(exc.value)
    assert steps_of(db_url, cid) == ["application"]


# --- no professional activity, no replacement income: the person's declarations ----------------------------------

def test_the_declarations_are_asked_never_presumed_and_an_activity_is_a_motivated_refusal(db_url, fund):
    jan = trader(fund, db_url, language="nl")
    cid = file(db_url, jan, months=2, **BANKRUPTCY)  # pre-filled from a bankruptcy: nothing declared yet
    with pytest.raises(Conflict) as exc:
        decide(db_url, cid)
    assert exc.value.field == "professional_activity"
    with session_scope(db_url) as s:  # he answers: he works as an employee while the business is closed
        service.complete_claim(s, DESK, cid, {**BANKRUPTCY, "months": 2, "professional_activity": True,
                                              "replacement_income": False}, d("2024-06-03"))
    outcome, amount, decision = decide(db_url, cid)
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["nl"] == [
        "U hebt een beroepsactiviteit aangegeven tijdens de maanden van volledige onderbreking: het "
        "overbruggingsrecht vereist dat u geen beroepsactiviteit uitoefent (overbruggingsrecht, algemene "
        "voorwaarden, wetgeving §8.1 [S118] (formulering van vóór 2023, nog steeds aangehaald door de fondsen)); "
        "sinds 1-1-2023 is een hervatte activiteit alleen toegestaan tijdens de maanden cumulatie, na minstens een "
        "volledige maand volledige onderbreking (overbruggingsrecht, cumulatie sinds 1-1-2023, wetgeving §8.1 "
        "[S40][S89])."]
    # Kim declares neither yet: asked; once she says no activity and no replacement income, granted: 2 months
    kim = trader(fund, db_url)
    cid = file(db_url, kim, months=2, professional_activity=False, **BANKRUPTCY)
    with pytest.raises(Conflict) as exc:
        decide(db_url, cid)
    assert exc.value.field == "replacement_income"
    with session_scope(db_url) as s:
        service.complete_claim(s, DESK, cid, {**BANKRUPTCY, "months": 2, **NOTHING_ELSE}, d("2024-06-03"))
    outcome, amount, decision = decide(db_url, cid)
    assert (outcome, amount) == ("granted", 327_652)
    declared = {c["check"]: c["rendered"]["en"] for c in decision["checks"]}
    assert declared["professional_activity"].startswith("No professional activity declared during the months of "
                                                        "total interruption")
    assert declared["replacement_income"].startswith("No replacement income declared for the period")
    # a refusal on a condition does not wait for the declarations: Lou paid 3 of the 16 quarters only
    lou = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, lou, paid=quarters("2023Q3", "2024Q1"))
    outcome, _, decision = decide(db_url, file(db_url, lou, months=1, **BANKRUPTCY))
    assert outcome == "refused" and decision["reasons"]["en"][0].startswith("Contributions are paid for only 3 of")


# --- the rights maintained without contributions: 4 quarters over the career, 8 after 60 pension quarters --------

def test_the_quarters_of_the_benefit_keep_their_health_care_rights_counted_over_the_career(db_url, fund):
    # Ana, bankrupt on 20 May 2024: June to August → 2024Q2 and 2024Q3 kept, 2 of the 4 quarters [S41][S39]
    ana = trader(fund, db_url, end=d("2024-05-20"))
    cid = file(db_url, ana, months=3, **BANKRUPTCY, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, cid)
    assert (outcome, amount) == ("granted", 3 * MONTH)
    assert decision["maintained_rights"]["rendered"]["en"] == (
        "Health-care and incapacity/maternity rights maintained without contributions for 2024Q2, 2024Q3 (pension "
        "not included); 2 of the 4 quarters of the career used (bridging right, health-care and "
        "incapacity/maternity rights maintained without contributions, pension not included, legislation §8.1 "
        "[S41][S39]).")
    assert maintained(db_url, ana) == [("2024Q2", cid), ("2024Q3", cid)]
    assert steps_of(db_url, cid)[:5] == ["application", "checks", "decision", "rights_maintained",
                                         "payment_ordered"]
    names = {p["name"]: p for p in decision["parameters"]["en"]}
    assert (names["bridging_right_rights_quarters"]["value"], names["bridging_right_rights_quarters"]["status"]) == \
        ("4", "official")
    assert names["bridging_right_age_limit"]["value"] == "65"

    # Bert: June to August (2 quarters), then a fire in September — 2024Q3 is already kept: not counted twice
    bert = trader(fund, db_url)
    first = file(db_url, bert, months=3, family_charge=True, **BANKRUPTCY, **NOTHING_ELSE)
    assert decide(db_url, first)[:2] == ("granted", 3 * 204_718)  # 2,047.18 with family charge
    fire = file(db_url, bert, "2024-09-20", case="fire", event_date=d("2024-09-02"), start=d("2024-09-02"),
                days=15, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, fire, "2024-09-25")
    assert (outcome, amount) == ("granted", 81_913)  # 2 blocks of 7 days: 50 % of 1,638.26
    assert decision["maintained_rights"]["rendered"]["en"] == (
        "Rights already kept for 2024Q3 (an earlier decision), not counted a second time.")
    assert [q for q, _ in maintained(db_url, bert)] == ["2024Q2", "2024Q3"]

    # Carl used 3 quarters elsewhere: of June to August only 2024Q2 is kept (4 of 4), 2024Q3 not; his September
    # fire is paid, its quarter not kept either
    carl = trader(fund, db_url)
    cid = file(db_url, carl, months=3, rights_quarters_before=3, **BANKRUPTCY, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, cid)
    assert (outcome, amount) == ("granted", 3 * MONTH)
    assert decision["maintained_rights"]["rendered"]["fr"] == (
        "Droits en soins de santé et indemnités/maternité maintenus sans cotisations pour 2024Q2 (pension non "
        "comprise) ; 4 des 4 trimestres de la carrière utilisés (droit passerelle, maintien des droits en soins de "
        "santé et indemnités/maternité sans cotisations, pension non comprise, legislation §8.1 [S41][S39]). Pas de "
        "maintien des droits pour 2024Q3 : les 4 trimestres de la carrière sont utilisés (droit passerelle, "
        "maintien des droits en soins de santé et indemnités/maternité sans cotisations, pension non comprise, "
        "legislation §8.1 [S41][S39]).")
    fire = file(db_url, carl, "2024-09-20", case="fire", event_date=d("2024-09-02"), start=d("2024-09-02"),
                days=15, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, fire, "2024-09-25")
    assert (outcome, amount, decision["maintained_rights"]["ok"]) == ("granted", 81_913, False)
    assert decision["maintained_rights"]["not_maintained"] == ["2024Q3"]
    assert maintained(db_url, carl) == [("2024Q2", cid)]
    assert "rights_maintained" not in steps_of(db_url, fire)
    # Dirk, the same declaring 60 pension-creating quarters (the fund counts his 7): not decided on his word — a
    # caseworker checks his career statement first; verified, 8 quarters [S41] — both kept, 5 of 8
    dirk = trader(fund, db_url)
    cid = file(db_url, dirk, months=3, rights_quarters_before=3, pension_quarters=60, **BANKRUPTCY, **NOTHING_ELSE)
    outcome, _, decision = decide(db_url, cid)
    assert (outcome, decision) == (None, None) and steps_of(db_url, cid) == ["application", "caseworker_check"]
    with session_scope(db_url) as s:
        service.record_check(s, DESK, cid, "pension_quarters", True, d("2024-06-10"))
    decision = decide(db_url, cid)[2]
    assert decision["pension_quarters"] == {"counted": 7, "declared": 60, "used": 60, "basis": "declared_verified",
                                            "need": 60, "long": True, "verified_on": "2024-06-10",
                                            "verified_met": True}
    assert (decision["maintained_rights"]["quarters"], decision["maintained_rights"]["limit"]) == (
        ["2024Q2", "2024Q3"], 8)
    with session_scope(db_url) as s:  # each decision taken again from what was stored: the same
        for claim_id in s.scalars(select(BenefitClaim.id).where(BenefitClaim.outcome == "granted")):
            assert service.reproduce(s, claim_id) == {"same": True, "differences": []}
        assert s.scalar(select(func.count()).select_from(BenefitMaintainedQuarter)) == 7


def test_a_quarter_already_kept_with_a_maternity_dispensation_is_not_counted(db_url, fund):
    # Mona's 2024Q3 is dispensed with her maternity claim (birth in Q2); her bridging right of June to August then
    # keeps only 2024Q2: 1 of the 4 quarters
    mona = trader(fund, db_url)
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == mona).values(sex="F"))
        m = service.file_claim(s, DESK, mona, "maternity", {"birth_date": d("2024-04-10"), "start": d("2024-04-03"),
                                                            "full_weeks": 6}, d("2024-04-01"))
        assert service.decide(s, DESK, m.id, d("2024-04-05")).decision["dispensation"]["quarter"] == "2024Q3"
    cid = file(db_url, mona, months=3, **BANKRUPTCY, **NOTHING_ELSE)
    decision = decide(db_url, cid)[2]
    assert decision["maintained_rights"]["quarters"] == ["2024Q2"]
    assert decision["maintained_rights"]["already"] == ["2024Q3"]
    assert decision["maintained_rights"]["rendered"]["en"].endswith(
        "Rights already kept for 2024Q3 (an earlier decision), not counted a second time.")
    assert maintained(db_url, mona) == [("2024Q2", cid)]


def test_the_person_claims_stay_reproducible_after_a_later_grant(db_url, fund):
    """The counter of a decision is the one of its day: a later grant does not change what an earlier one says."""
    eva = trader(fund, db_url)
    first = file(db_url, eva, months=1, **BANKRUPTCY, **NOTHING_ELSE)
    decide(db_url, first)
    later = file(db_url, eva, "2024-10-02", case="economic_event", event_date=d("2024-09-30"),
                 start=d("2024-10-01"), months=1, **NOTHING_ELSE)
    assert decide(db_url, later, "2024-10-05")[2]["maintained_rights"]["used_before"] == 1
    with session_scope(db_url) as s:
        assert service.reproduce(s, first) == service.reproduce(s, later) == {"same": True, "differences": []}
    assert [q for q, _ in maintained(db_url, eva)] == ["2024Q2", "2024Q4"]
