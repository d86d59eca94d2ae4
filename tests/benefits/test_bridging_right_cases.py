"""The bridging right's own cases and its career maximum as stories (issue 8):

- a **cessation for economic difficulties** opens the right only in the three situations INASTI names [S247fr]: a
  dispensation INASTI gave in the 12 months before (the fund's records), incomes of the year of the cessation and
  the year before at most the minimum income of their year (the incomes the tax administration communicated), the
  living wage of the CPAS at the cessation (declared, verified by a caseworker); none of them: a motivated refusal;
  what the fund's records cannot answer: a caseworker task saying what to verify, nothing decided;
- a **collective debt settlement** is never decided on the fund's records alone (its conditions are NOT FOUND in
  the notes beyond [S41]): a caseworker verifies and records it;
- the **60 pension quarters** of the 24-month maximum are counted from the fund's ledger and affiliations; a
  declaration above the count is used only once a caseworker verified it."""

from __future__ import annotations

import pytest
from helpers import NOTHING_ELSE, contributions, d, quarters
from sqlalchemy import insert, select

from caisse.benefits import service
from caisse.benefits.models import ClaimStep
from caisse.cases.models import Case
from caisse.recovery.models import DispensedQuarter, ReliefRequest
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")
MONTH = 163_826  # 1,638.26 a month without family charge from 1-5-2024 [S39]
STOPPED = {"case": "economic_difficulties", "event_date": d("2024-05-20"), "start": d("2024-06-01"), "months": 2}


def file(url, person, received="2024-05-27", **facts) -> int:
    with session_scope(url) as s:
        return service.file_claim(s, DESK, person, "bridging_right", facts, d(received)).id


def decide(url, claim_id, today):
    with session_scope(url) as s:
        c = service.decide(s, DESK, claim_id, d(today))
        return c.outcome, c.amount_cents, c.decision


def verify(url, claim_id, condition, met, on):
    with session_scope(url) as s:
        service.record_check(s, DESK, claim_id, condition, met, d(on))


def stopped(fund, url, **kw) -> int:
    """A main-activity self-employed since 2015 who stopped on 20 May 2024; 2022Q3 to 2024Q1 paid (7 of the 16)."""
    pid = fund.person(category=kw.pop("category", "main"), start=d("2015-01-01"), end=d("2024-05-20"), **kw)
    contributions(url, pid, paid=quarters("2022Q3", "2024Q1"))
    return pid


def task(url, claim_id):
    """The caseworker task of the claim: (status, body of its first message) — or None."""
    with session_scope(url) as s:
        steps = [st for st in s.scalars(select(ClaimStep).where(ClaimStep.claim_id == claim_id).order_by(ClaimStep.id))
                 if st.step == "caseworker_check"]
        if not steps:
            return None
        case = s.get(Case, steps[-1].detail["case"])
        return case.status, [st.detail["conditions"] for st in steps]


def test_low_incomes_from_the_tax_administration_open_the_right(db_url, fund):
    # Tom stopped on 20 May 2024; the tax administration communicated 12,000.00 for 2023 and 9,000.00 for 2024,
    # under the minimum incomes 16,409.20 (2023) and 16,861.46 (2024) [S247fr]: granted, 2 months = 3,276.52
    tom = stopped(fund, db_url, incomes={2023: "12000.00", 2024: "9000.00"})
    outcome, amount, decision = decide(db_url, file(db_url, tom, **STOPPED, **NOTHING_ELSE), "2025-09-20")
    assert (outcome, amount) == ("granted", 2 * MONTH) == ("granted", 327_652)
    check = next(c for c in decision["checks"] if c["check"] == "economic_difficulties")
    assert check["rendered"]["en"] == (
        "Economic difficulties: professional incomes of the year of the cessation and the year before not above the "
        "minimum income of their year (income / threshold: 2023: €12,000.00 / €16,409.20; 2024: €9,000.00 / "
        "€16,861.46) (bridging right, cessation for economic difficulties, INASTI FAQ [S247fr][S247] (legislation "
        "§8.1 [S40])).")
    names = {p["name"]: p for p in decision["parameters"]["en"]}
    assert names["bridging_right_low_income_main"]["status"] == "official"


def test_an_income_not_yet_assessed_is_verified_by_a_caseworker_before_any_decision(db_url, fund):
    # Sam's incomes of 2023 and 2024 are not communicated yet in June 2024, she declares no living wage and the fund
    # gave her no dispensation: nothing is decided, a caseworker task asks to verify the incomes
    sam = stopped(fund, db_url)
    cid = file(db_url, sam, living_wage=False, **STOPPED, **NOTHING_ELSE)
    assert decide(db_url, cid, "2024-06-10") == (None, None, None)
    assert task(db_url, cid) == ("open", [["low_income"]])
    with session_scope(db_url) as s:
        body = s.scalar(select(Case.subject).where(Case.id == service.check_task(s, s.get(
            service.BenefitClaim, cid)).id))
    assert body == "Bridging right: a caseworker's check before the decision"  # translated on the desk
    assert decide(db_url, cid, "2024-06-20")[0] is None  # asked again: the same task, nothing new
    assert task(db_url, cid) == ("open", [["low_income"]])
    # the caseworker checks her accounts: both years under the minimum — granted, the decision says how it was known
    verify(db_url, cid, "low_income", True, "2024-06-24")
    outcome, amount, decision = decide(db_url, cid, "2024-06-24")
    assert (outcome, amount) == ("granted", 327_652)
    assert [c["rendered"]["fr"] for c in decision["checks"] if c["check"] == "economic_difficulties"] == [
        "Difficultés économiques : revenus 2023 et 2024 pas au-dessus du revenu minimum de leur année, vérifié par la "
        "caisse sur pièces le 24/06/2024 (droit passerelle, cessation pour difficultés économiques, FAQ INASTI "
        "[S247fr][S247] (legislation §8.1 [S40]))."]
    assert task(db_url, cid)[0] == "closed"
    with session_scope(db_url) as s:
        assert service.reproduce(s, cid) == {"same": True, "differences": []}


def test_none_of_the_three_situations_is_a_motivated_refusal(db_url, fund):
    # Ria earned 25,000.00 in 2023 (above 16,409.20), had no dispensation, declares no living wage: refused
    ria = stopped(fund, db_url, incomes={2023: "25000.00"})
    outcome, amount, decision = decide(db_url, file(db_url, ria, living_wage=False, **STOPPED, **NOTHING_ELSE),
                                       "2024-10-01")
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["fr"] == [
        "Aucune des situations de difficultés économiques n'est remplie : pas de revenu d'intégration du CPAS au "
        "moment de la cessation (votre déclaration) ; aucune dispense de cotisations accordée par l'INASTI du "
        "20/05/2023 au 20/05/2024 (12 mois) dans les données de la caisse ; revenus au-dessus du revenu minimum "
        "(revenu / seuil : 2023: 25\u202f000,00 € / 16\u202f409,20 €; 2024: — / 16\u202f861,46 €). "
        "Seules ces situations ouvrent le droit passerelle pour une cessation pour difficultés économiques (droit "
        "passerelle, cessation pour difficultés économiques, FAQ INASTI [S247fr][S247] (legislation §8.1 [S40]))."]
    assert decision["appeal"]["months"] == 3


def test_a_dispensation_in_the_twelve_months_before_is_read_from_the_fund_records(db_url, fund):
    dana = stopped(fund, db_url)
    with session_scope(db_url) as s:
        s.execute(insert(ReliefRequest), [{"id": 7, "kind": "dispensation", "party_id": dana, "status": "granted",
                                           "requested_on": d("2023-10-20"), "periods": ["2023Q3"], "lines": [],
                                           "amount_cents": 80_000, "grounds": "test", "requested_by": "test",
                                           "decided_on": d("2024-01-15")}])
        s.execute(insert(DispensedQuarter), [{"party_id": dana, "period": "2023Q3", "request_id": 7,
                                              "dispensed_cents": 80_000, "granted_on": d("2024-01-15"),
                                              "buyback_deadline": d("2028-12-31")}])
    outcome, amount, decision = decide(db_url, file(db_url, dana, **STOPPED, **NOTHING_ELSE), "2024-06-10")
    assert (outcome, amount) == ("granted", 327_652)
    assert [c["rendered"]["nl"] for c in decision["checks"] if c["check"] == "economic_difficulties"] == [
        "Economische moeilijkheden: het RSVZ verleende u op 15-01-2024 een vrijstelling van bijdragen (2023Q3), in de "
        "12 maanden vóór de stopzetting van 20-05-2024 (overbruggingsrecht, stopzetting door economische "
        "moeilijkheden, FAQ RSVZ [S247fr][S247] (wetgeving §8.1 [S40]))."]


def test_the_living_wage_declared_is_verified_then_granted(db_url, fund):
    lena = stopped(fund, db_url, language="de")
    cid = file(db_url, lena, living_wage=True, **STOPPED, **NOTHING_ELSE)
    assert decide(db_url, cid, "2024-06-10")[0] is None
    assert task(db_url, cid) == ("open", [["low_income", "living_wage"]])
    verify(db_url, cid, "living_wage", True, "2024-06-12")
    outcome, amount, decision = decide(db_url, cid, "2024-06-12")
    assert (outcome, amount) == ("granted", 327_652)
    assert [c["rendered"]["de"] for c in decision["checks"] if c["check"] == "economic_difficulties"] == [
        "Wirtschaftliche Schwierigkeiten: Eingliederungseinkommen des ÖSHZ zum Zeitpunkt der Einstellung am "
        "20.05.2024, von der Kasse am 12.06.2024 geprüft (Überbrückungsrecht, Einstellung wegen wirtschaftlicher "
        "Schwierigkeiten, FAQ LISVS [S247fr][S247] (Rechtsvorschriften §8.1 [S40]))."]


def test_a_collective_debt_settlement_is_verified_by_a_caseworker(db_url, fund):
    settled = {**STOPPED, "case": "collective_debt_settlement"}
    cas, noor = stopped(fund, db_url), stopped(fund, db_url)
    yes, no = file(db_url, cas, **settled, **NOTHING_ELSE), file(db_url, noor, **settled, **NOTHING_ELSE)
    for cid in (yes, no):
        assert decide(db_url, cid, "2024-06-10")[0] is None
        assert task(db_url, cid) == ("open", [["debt_settlement"]])
    verify(db_url, yes, "debt_settlement", True, "2024-06-14")
    verify(db_url, no, "debt_settlement", False, "2024-06-14")
    assert decide(db_url, yes, "2024-06-14")[:2] == ("granted", 327_652)
    outcome, _, decision = decide(db_url, no, "2024-06-14")
    assert outcome == "refused"
    assert decision["reasons"]["en"] == [
        "Collective debt settlement: the fund found on 2024-06-14 that no collective debt settlement opening the "
        "bridging right applies to the cessation of 2024-05-20 (bridging right, collective debt settlement, RSVZ FAQ "
        "[S41] (legislation §8.1))."]
    assert task(db_url, no)[0] == "closed"


def test_sixty_paid_quarters_in_the_fund_give_24_months_without_declaring_anything(db_url, fund):
    # Piet, main since April 2009, paid every quarter 2009Q2 to 2024Q1: 60 quarters. He already had 12 months of
    # bridging right elsewhere; bankrupt on 20 May 2024 he claims 3 months — with 60 quarters the career maximum is
    # 24 months [S41]: granted, 3 x 1,638.26 = 4,914.78, and 8 quarters of rights
    piet = fund.person(category="main", start=d("2009-04-01"), end=d("2024-05-20"))
    contributions(db_url, piet, paid=quarters("2009Q2", "2024Q1"))
    bankrupt = {"case": "bankruptcy", "event_date": d("2024-05-20"), "start": d("2024-06-01"), "months": 3}
    outcome, amount, decision = decide(db_url, file(db_url, piet, months_before=12, **bankrupt, **NOTHING_ELSE),
                                       "2024-06-10")
    assert (outcome, amount) == ("granted", 491_478)
    assert decision["pension_quarters"]["counted"] == 60 and decision["pension_quarters"]["basis"] == "counted"
    assert decision["maintained_rights"]["limit"] == 8
    assert [c["rendered"]["fr"] for c in decision["checks"] if c["check"] == "pension_quarters"] == [
        "Trimestres de pension comptés par la caisse : 60 (cotisations payées comme indépendant à titre principal ou "
        "conjoint aidant maxi-statut) ; déclarés par vous : — ; retenus : 60 (minimum 60 pour 24 mois / 8 "
        "trimestres) (droit passerelle, 24 mois / 8 trimestres après 60 trimestres de cotisations constitutives de "
        "pension, legislation §8.1 [S41])."]
    # Jef paid 59 (2009Q3 to 2024Q1): 12 months, all used elsewhere — refused
    jef = fund.person(category="main", start=d("2009-07-01"), end=d("2024-05-20"))
    contributions(db_url, jef, paid=quarters("2009Q3", "2024Q1"))
    outcome, _, decision = decide(db_url, file(db_url, jef, months_before=12, **bankrupt, **NOTHING_ELSE),
                                  "2024-06-10")
    assert outcome == "refused"
    assert decision["pension_quarters"] == {"counted": 59, "declared": None, "used": 59, "basis": "counted",
                                            "need": 60, "long": False, "verified_on": None, "verified_met": None}
    # his declaration of 61 quarters, not confirmed by the caseworker: the counted 59 are used, said so
    cid = file(db_url, jef, months_before=12, pension_quarters=61, **bankrupt, **NOTHING_ELSE)
    assert decide(db_url, cid, "2024-06-10")[0] is None
    verify(db_url, cid, "pension_quarters", False, "2024-06-11")
    outcome, _, decision = decide(db_url, cid, "2024-06-11")
    assert outcome == "refused"
    assert [c["rendered"]["en"] for c in decision["checks"] if c["check"] == "pension_quarters"] == [
        "Pension quarters: you declare 61, which the fund could not verify on 2024-06-11; used: the 59 quarters the "
        "fund counts (at least 60 for 24 months / 8 quarters) (bridging right, 24 months / 8 quarters after 60 "
        "quarters of pension-creating contributions, legislation §8.1 [S41])."]


def test_from_the_command_line_a_claim_waits_for_the_caseworker_then_is_decided(db_url, fund, tmp_path):
    from typer.testing import CliRunner

    from caisse.cli import app

    def run(*args):
        return CliRunner().invoke(app, ["benefits", *args, "--db", db_url])

    vera = stopped(fund, db_url)
    r = run("claim", "--person", str(vera), "--kind", "bridging_right", "--case", "economic_difficulties",
            "--event-date", "2024-05-20", "--start", "2024-06-01", "--months", "1", "--single", "--no-living-wage",
            "--no-professional-activity", "--no-replacement-income", "--received", "2024-05-27")
    assert r.exit_code == 0, r.output
    cid = r.output.split()[1].rstrip(":")
    r = run("decide", "--claim", cid, "--today", "2024-06-10")
    assert r.exit_code == 0 and r.output.startswith(f"claim {cid}: not decided — a caseworker must verify low_income "
                                                    "(task: case "), r.output
    r = run("verify", "--claim", cid, "--condition", "low_income", "--not-met", "--verified-on", "2024-06-12",
            "--today", "2024-06-11")
    assert r.exit_code == 2 and r.output.startswith("error: verified_on: in the future"), r.output
    accounts = tmp_path / "comptes-2023.pdf"
    accounts.write_bytes(b"%PDF-1.4\n%%EOF\n")
    r = run("verify", "--claim", cid, "--condition", "low_income", "--not-met", "--note", "bilan 2023 : 31 200 EUR",
            "--document", str(accounts), "--today", "2024-06-11")
    assert r.exit_code == 0, r.output
    with session_scope(db_url) as s:  # the proof is a document of the claim, the note a message of its task
        from caisse.benefits import attachments
        from caisse.cases.models import CaseMessage

        step = s.scalar(select(ClaimStep).where(ClaimStep.claim_id == int(cid), ClaimStep.step == "verified"))
        assert step.detail["attachment"] == attachments.of_claim(s, int(cid))[0].id
        assert "bilan 2023 : 31 200 EUR" in s.get(CaseMessage, step.detail["note"]).body
    r = run("decide", "--claim", cid, "--today", "2024-06-11")
    assert r.exit_code == 0 and r.output.startswith(f"claim {cid}: refused — None of the situations of economic "
                                                    "difficulties is met: no living wage of the CPAS"), r.output
    r = run("verify", "--claim", cid, "--condition", "debt_settlement", "--met")
    assert r.exit_code != 0 and "claim" in r.output


def test_a_partly_undue_bridging_right_withdraws_only_the_quarters_the_caseworker_names(db_url, fund):
    from helpers import iban

    from caisse.benefits import undue
    from caisse.collection.credit_transfers import export_credit_transfers
    from caisse.errors import InvalidInput

    # Ugo, bankrupt, June to August granted (4,914.78; 2024Q2 and 2024Q3 kept); he worked again in August: that
    # month is claimed back, its quarter 2024Q3 withdrawn, 2024Q2 stays
    ugo = stopped(fund, db_url)
    iban(db_url, ugo)
    bankrupt = {"case": "bankruptcy", "event_date": d("2024-05-20"), "start": d("2024-06-01"), "months": 3}
    cid = file(db_url, ugo, **bankrupt, **NOTHING_ELSE)
    assert decide(db_url, cid, "2024-06-10")[:2] == ("granted", 491_478)
    export_credit_transfers(db_url, d("2024-06-14"))
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-06-30"))
    with pytest.raises(InvalidInput) as exc, session_scope(db_url) as s:  # not a quarter it maintains: refused
        undue.claim_back(s, DESK, cid, MONTH, "activity", "Activité reprise en août.", d("2024-10-15"), ["2024Q4"])
    assert exc.value.field == "withdraw_quarters" and "2024Q2, 2024Q3" in exc.value.message
    with session_scope(db_url) as s:
        u = undue.claim_back(s, DESK, cid, MONTH, "activity", "Activité reprise en août.", d("2024-10-15"),
                             ["2024Q3"])
        assert u.decision["maintained_withdrawn"] == {"quarters": ["2024Q3"], "kept": ["2024Q2"]}
