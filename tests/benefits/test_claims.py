"""Benefit claims as stories: the facts, the checks from the file and the ledger, the motivated decision with the
exact amounts of the legislation notes, the payment by credit transfer, the Charter's deadlines — and bad input,
each refused with a motivated decision (or, for a figure not published, not decided at all), nothing half-written."""

from __future__ import annotations

import pytest
from helpers import IBAN, NOTHING_ELSE, contributions, d, iban, quarters
from lxml import etree
from sqlalchemy import func, select

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim, ClaimStep
from caisse.cases.models import Case
from caisse.collection.credit_transfers import export_credit_transfers
from caisse.documents.benefit_decisions import decision_lines, decision_pdf
from caisse.errors import Conflict, InvalidInput, UnknownParameter
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog

CLERK = Principal.system("cli:benefits-officer")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def claim(url, person, kind, received, **facts) -> int:
    with session_scope(url) as s:
        return service.file_claim(s, CLERK, person, kind, facts, d(received)).id


def decide(url, claim_id, today):
    with session_scope(url) as s:
        c = service.decide(s, CLERK, claim_id, d(today))
        return c.outcome, c.amount_cents, c.decision


def count(url, model, *where) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def benefit_postings(url, person) -> list[int]:
    with session_scope(url) as s:
        return list(s.scalars(select(LedgerEntry.amount_cents).join(LedgerTransaction).where(
            LedgerTransaction.kind == "benefit", LedgerEntry.account == "benefit", LedgerEntry.party_id == person)))


# --- bridging right ---------------------------------------------------------------------------------------------

def test_a_bankrupt_baker_gets_three_months_of_bridging_right_paid_by_credit_transfer(db_url, fund):
    # Ana, main activity since 2015, goes bankrupt on 20 May 2024; her affiliation ends that day. Contributions of
    # the 16 quarters before 2024Q2 called, 6 of them paid (at least 4 needed [S118]).
    ana = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"))
    iban(db_url, ana)
    contributions(db_url, ana, paid=quarters("2022Q3", "2023Q4"), unpaid=quarters("2020Q2", "2022Q2"))
    cid = claim(db_url, ana, "bridging_right", "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"),
                start=d("2024-06-01"), months=3, family_charge=False, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, cid, "2024-06-10")
    # legislation §8.1: 1,638.26 a month without family charge from 1-5-2024 [S39]; 3 months
    assert (outcome, amount) == ("granted", 3 * 163_826) == ("granted", 491_478)
    checks = {c["check"]: c["ok"] for c in decision["checks"]}
    assert checks == {"main_activity": True, "residence": True, "age": True, "paid_quarters": True, "overlap": True,
                      "professional_activity": True, "replacement_income": True, "pension_quarters": True,
                      "career": True}
    names = {p["name"]: p for p in decision["parameters"]["en"]}
    assert names["bridging_right_monthly_single"]["value"] == "1638.26"
    assert names["bridging_right_monthly_single"]["from"] == "2024-05-01"
    assert names["bridging_right_monthly_single"]["status"] == "fund"
    assert names["bridging_right_paid_quarters"]["value"] == "4"
    assert names["charter_appeal_months"]["value"] == "3"
    assert decision["rule"] == "caisse.rules.benefits.bridging_right"
    # June to August: the rights of 2024Q2 and 2024Q3 kept without contributions, 2 of the 4 quarters [S41]
    assert decision["maintained_rights"]["quarters"] == ["2024Q2", "2024Q3"]
    assert benefit_postings(db_url, ana) == [-491_478]
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.status, c.counted, c.payment_due) == ("granted", 3, d("2024-10-10"))  # Charter art. 12: 4 months
        assert s.get(Case, c.case_id).status == "closed"

    # the same credit-transfer queue as refunds: paid once, to the IBAN on file
    run = export_credit_transfers(db_url, d("2024-06-14"))
    root = etree.fromstring(run.content)
    [tx] = root.iterfind(".//p:CdtTrfTxInf", NS)
    assert tx.findtext("p:Amt/p:InstdAmt", namespaces=NS) == "4914.78"
    assert tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == IBAN
    with session_scope(db_url) as s:
        assert service.follow_up(s, CLERK, d("2024-06-15")) == {"paid": 1, "late": 0, "closed_refused": 0,
                                                                "decision_late": 0}
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.status, c.paid_on, c.late) == ("closed", d("2024-06-14"), False)
        assert [st.step for st in service.steps(s, cid)] == ["application", "checks", "decision",
                                                             "rights_maintained", "payment_ordered", "paid", "closed"]
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "benefit_claim")) == 7
        report = run_check(s)
        assert report.ok, report.breaches


def test_the_family_rate_and_a_forced_interruption_paid_per_block_of_seven_days(db_url, fund):
    bert = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, bert, paid=quarters("2023Q1", "2024Q2"))
    three = claim(db_url, bert, "bridging_right", "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"),
                  start=d("2024-06-01"), months=3, family_charge=True, **NOTHING_ELSE)
    # 2,047.18 a month with family charge [S39]
    assert decide(db_url, three, "2024-06-10")[:2] == ("granted", 614_154)
    # a fire: 15 days of interruption in September → 2 blocks of 7 days = 50 % (UCM table 14–20 days: 1,023.59)
    fire = claim(db_url, bert, "bridging_right", "2024-09-20", case="fire", event_date=d("2024-09-02"),
                 start=d("2024-09-02"), days=15, family_charge=True, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, fire, "2024-09-25")
    assert (outcome, amount) == ("granted", 102_359)
    assert any("1,023.59" in line for line in decision["computation"]["en"])


def test_bridging_right_beyond_the_career_maximum(db_url, fund):
    # 10 months received earlier (declared on the claim), 3 claimed: 2 left of the 12 [S41] → 2 granted, said so;
    # then nothing is left → refused with its motivation.
    carl = fund.person(category="main", start=d("2010-01-01"))
    contributions(db_url, carl, paid=quarters("2023Q1", "2024Q1"))
    first = claim(db_url, carl, "bridging_right", "2024-05-27", case="third_party", event_date=d("2024-05-20"),
                  start=d("2024-06-01"), months=3, months_before=10, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, first, "2024-06-10")
    assert (outcome, amount) == ("granted", 2 * 163_826)
    assert "Only 2 of the 3 months claimed are left" in " ".join(c["rendered"]["en"] for c in decision["checks"])
    assert not any("not eligible" in line.lower() for line in decision["computation"]["en"])  # 2 months computed
    second = claim(db_url, carl, "bridging_right", "2024-10-01", case="economic_event", event_date=d("2024-09-30"),
                   start=d("2024-10-01"), months=1, **NOTHING_ELSE)
    outcome, amount, decision = decide(db_url, second, "2024-10-05")
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["fr"] == ["Le maximum de 12 mois sur l'ensemble de la carrière est atteint : 12 mois "
                                         "déjà accordé(s) (droit passerelle, legislation §8.1 [S41][S118])."]
    assert benefit_postings(db_url, carl) == [-327_652]  # nothing posted for the refusal
    with session_scope(db_url) as s:  # both decisions taken again from what was stored: the same
        assert service.reproduce(s, first) == service.reproduce(s, second) == {"same": True, "differences": []}


def test_bridging_right_refused_when_too_few_quarters_were_paid(db_url, fund):
    dora = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, dora, paid=["2023Q3", "2023Q4", "2024Q1"], unpaid=["2023Q1", "2023Q2"])
    cid = claim(db_url, dora, "bridging_right", "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"),
                start=d("2024-06-01"), months=1)
    outcome, amount, decision = decide(db_url, cid, "2024-06-10")
    assert (outcome, amount) == ("refused", 0)
    [reason] = decision["reasons"]["en"]
    assert reason.startswith("Contributions are paid for only 3 of the quarters 2020Q2, 2020Q3")
    assert "4 are required" in reason and "2023Q1, 2023Q2" in reason
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).status == "refused"
        assert service.follow_up(s, CLERK, d("2024-09-10"))["closed_refused"] == 0  # appeal period running
        assert service.follow_up(s, CLERK, d("2024-09-11"))["closed_refused"] == 1  # 3 months [S236]


def test_an_amount_only_estimated_is_not_decided_and_nothing_is_written(db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, eva, paid=quarters("2024Q1", "2025Q1"))
    cid = claim(db_url, eva, "bridging_right", "2025-04-02", case="bankruptcy", event_date=d("2025-04-01"),
                start=d("2025-05-01"), months=1, **NOTHING_ELSE)
    with pytest.raises(UnknownParameter, match="ESTIMATE"):  # 1,671.03 from 1-2-2025 is an estimate (addendum §8.1)
        decide(db_url, cid, "2025-05-10")
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).status == "application"
    assert count(db_url, ClaimStep, ClaimStep.claim_id == cid) == 1
    assert benefit_postings(db_url, eva) == []
    with session_scope(db_url) as s:  # still undecided after 4 months (Charter art. 10): flagged, once
        assert service.follow_up(s, CLERK, d("2025-08-03"))["decision_late"] == 1
        assert service.follow_up(s, CLERK, d("2025-08-04"))["decision_late"] == 0
    adoption = claim(db_url, eva, "adoption", "2025-04-02", start=d("2025-05-01"), end=d("2025-06-11"))
    with pytest.raises(UnknownParameter, match="NOT FOUND"):
        decide(db_url, adoption, "2025-05-10")


# --- carer leave --------------------------------------------------------------------------------------------------

def test_carer_leave_up_to_the_twelve_months_of_a_career_then_a_motivated_refusal(db_url, fund):
    fien = fund.person(category="main", start=d("2012-01-01"), language="nl")
    contributions(db_url, fien, paid=quarters("2023Q3", "2024Q4"))
    # 8 months received earlier; 4 more from May 2024 at 1,638.26 a month [S204] = 6,553.04
    first = claim(db_url, fien, "carer", "2024-04-20", start=d("2024-05-01"), months=4, months_before=8)
    assert decide(db_url, first, "2024-05-02")[:2] == ("granted", 655_304)
    second = claim(db_url, fien, "carer", "2024-11-15", start=d("2024-12-01"), months=2)
    outcome, amount, decision = decide(db_url, second, "2024-12-02")
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["nl"] == ["Het maximum van 12 maanden over de hele loopbaan is bereikt: 12 maanden "
                                         "reeds toegekend (mantelzorguitkering, wetgeving §8.5 [S53])."]
    assert benefit_postings(db_url, fien) == [-655_304]
    lines = decision_lines_of(db_url, second, "nl")
    assert ("heading", "Redenen van de weigering") in lines
    assert any("arbeidsrechtbank" in text and "binnen 3 maanden" in text for _, text in lines)


def test_partial_carer_leave_pays_half_and_overlapping_leave_is_refused(db_url, fund):
    gust = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, gust, paid=quarters("2023Q4", "2024Q2"))
    carer = claim(db_url, gust, "carer", "2024-05-20", start=d("2024-06-01"), months=2, partial=True)
    assert decide(db_url, carer, "2024-05-25")[:2] == ("granted", 2 * 81_913)  # 1,638.26 / 2 = 819.13
    grief = claim(db_url, gust, "bereavement", "2024-07-01", death_date=d("2024-06-20"), start=d("2024-06-24"),
                  end=d("2024-07-05"), days=10)
    outcome, amount, decision = decide(db_url, grief, "2024-07-02")
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["en"] == [
        f"The period claimed overlaps that of claim no. {carer} (carer leave allowance, "
        "2024-06-01 to 2024-07-31), already granted: a period is compensated only once."]


# --- bereavement and birth leave -----------------------------------------------------------------------------------

def test_bereavement_ten_days_at_the_daily_amount_of_the_date_paid_at_the_end_of_the_next_month(db_url, fund):
    hans = fund.person(category="main", start=d("2015-01-01"), language="de")
    iban(db_url, hans)
    contributions(db_url, hans, paid=quarters("2024Q3", "2024Q4"))
    cid = claim(db_url, hans, "bereavement", "2025-03-05", death_date=d("2025-03-01"), start=d("2025-03-10"),
                end=d("2025-03-21"), days=10)
    outcome, amount, decision = decide(db_url, cid, "2025-03-25")
    assert (outcome, amount) == ("granted", 103_530)  # 10 × 103.53 from 1-2-2025 [S203]
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).payment_due == d("2025-04-30")  # end of the month after the leave [S124]
    # not paid by then: flagged late, interest not computed (rate not verified)
    with session_scope(db_url) as s:
        assert service.follow_up(s, CLERK, d("2025-05-02")) == {"paid": 0, "late": 1, "closed_refused": 0,
                                                                "decision_late": 0}
        assert service.follow_up(s, CLERK, d("2025-05-03"))["late"] == 0  # flagged once
        late = [st for st in service.steps(s, cid) if st.step == "late"]
        assert late[0].detail["interest"] == "not computed"  # Charter art. 20: rate not in the parameters
        assert late[0].detail["interest_from"] == "2025-05-01" and "will not guess" in late[0].detail["why"]
    # a second claim for the same death beyond the 10 days [S124] is refused
    more = claim(db_url, hans, "bereavement", "2025-04-01", death_date=d("2025-03-01"), start=d("2025-04-07"),
                 end=d("2025-04-08"), days=2)
    outcome, _, decision = decide(db_url, more, "2025-04-02")
    assert outcome == "refused" and "the maximum of 20 would be exceeded" in decision["reasons"]["en"][0]


def test_bereavement_outside_its_year_and_for_a_person_not_affiliated_at_the_date(db_url, fund):
    ines = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, ines, paid=quarters("2023Q3", "2023Q4"))
    late = claim(db_url, ines, "bereavement", "2025-01-20", death_date=d("2024-01-10"), start=d("2025-02-03"),
                 end=d("2025-02-14"), days=10)
    outcome, _, decision = decide(db_url, late, "2025-01-25")
    assert outcome == "refused"
    assert decision["reasons"]["fr"] == ["La période demandée (du 03/02/2025 au 14/02/2025) sort du délai légal : "
                                         "du 10/01/2024 au 09/01/2025 (allocation de deuil, legislation §8.6 "
                                         "[S124])."]
    jan = fund.person(category="main", start=d("2025-01-01"))
    early = claim(db_url, jan, "bereavement", "2024-07-01", death_date=d("2024-06-01"), start=d("2024-06-10"),
                  end=d("2024-06-21"), days=10)
    outcome, _, decision = decide(db_url, early, "2024-07-02")
    assert outcome == "refused"
    assert decision["reasons"]["en"][0].startswith("You were not affiliated with the fund as self-employed on "
                                                   "2024-06-10")
    assert [c["check"] for c in decision["checks"] if not c["ok"]] == ["affiliated", "paid_quarters"]
    assert benefit_postings(db_url, ines) == benefit_postings(db_url, jan) == []


def test_birth_leave_days_and_half_days_in_2023_and_a_complementary_father_refused(db_url, fund):
    karel = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, karel, paid=["2022Q3", "2022Q4"])
    cid = claim(db_url, karel, "birth_leave", "2023-04-03", birth_date=d("2023-03-10"), start=d("2023-03-13"),
                end=d("2023-04-07"), days=10, half_days=2)
    outcome, amount, decision = decide(db_url, cid, "2023-04-05")
    assert (outcome, amount) == ("granted", 10 * 9_660 + 2 * 4_830)  # 96.60 / 48.30 in 2023 [S206]
    request = next(c for c in decision["checks"] if c["check"] == "request")
    assert request["rendered"]["en"] == "Request received on 2023-04-03, by 2023-07-31 at the latest."
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).payment_due == d("2023-05-31")
    lukas = fund.person(category="complementary", start=d("2015-01-01"))
    other = claim(db_url, lukas, "birth_leave", "2023-04-03", birth_date=d("2023-03-10"), start=d("2023-03-13"),
                  end=d("2023-03-17"), days=5)
    outcome, _, decision = decide(db_url, other, "2023-04-05")
    assert outcome == "refused" and "category 'complementary activity'" in decision["reasons"]["en"][0]


def test_birth_leave_requested_too_late_and_taken_after_its_four_months(db_url, fund):
    marc = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, marc, paid=["2022Q3", "2022Q4"])
    cid = claim(db_url, marc, "birth_leave", "2023-08-01", birth_date=d("2023-02-10"), start=d("2023-06-12"),
                end=d("2023-06-23"), days=10)
    outcome, _, decision = decide(db_url, cid, "2023-08-02")
    assert outcome == "refused"
    assert [c["check"] for c in decision["checks"] if not c["ok"]] == ["window", "request"]
    assert "after the time limit of 2023-06-30" in decision["reasons"]["en"][1]


# --- maternity -----------------------------------------------------------------------------------------------------

def test_maternity_is_computed_and_left_to_the_mutuality_with_the_service_vouchers(db_url, fund):
    nora = fund.person(category="main", start=d("2015-01-01"))
    cid = claim(db_url, nora, "maternity", "2025-01-20", birth_date=d("2025-02-05"), start=d("2025-02-03"),
                full_weeks=12)
    outcome, amount, decision = decide(db_url, cid, "2025-01-25")
    assert (outcome, amount) == ("granted", 4 * 89_031 + 8 * 81_432)  # 10,075.80 from 1-2-2025 [S43]
    assert decision["service_vouchers"] == 105
    assert benefit_postings(db_url, nora) == []  # paid by the mutuality, not by the fund
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.status, c.payer, c.payment_due) == ("closed", "mutuality", None)


# --- the decision document, bad input -------------------------------------------------------------------------------

def decision_lines_of(url, cid, lang):
    with session_scope(url) as s:
        return decision_lines(s.get(BenefitClaim, cid), "x", 1, lang)


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_the_decision_pdf_in_each_language(db_url, fund, language):
    olga = fund.person(category="main", start=d("2015-01-01"), language=language)
    contributions(db_url, olga, paid=quarters("2024Q3", "2024Q4"))
    granted = claim(db_url, olga, "bereavement", "2025-03-05", death_date=d("2025-03-01"), start=d("2025-03-10"),
                    end=d("2025-03-21"), days=10)
    decide(db_url, granted, "2025-03-25")
    refused = claim(db_url, olga, "bereavement", "2025-04-01", death_date=d("2025-03-01"), start=d("2025-03-17"),
                    end=d("2025-03-18"), days=2)
    decide(db_url, refused, "2025-04-02")
    with session_scope(db_url) as s:
        for cid in (granted, refused):
            c = s.get(BenefitClaim, cid)
            lines = decision_lines(c, "Olga", olga, language)
            text = " ".join(t for _, t in lines)
            court = {"fr": "tribunal du travail", "nl": "arbeidsrechtbank", "de": "Arbeitsgericht"}[language]
            assert court in text and "art. 23" in text and "S236" in text
            money = {"fr": "1 035,30 €", "nl": "€ 1.035,30", "de": "1.035,30 €"}[language]
            if cid == granted:
                assert money.replace(" ", "\u202f", 1) in text or money in text
                assert "UCM FAQ, Quels sont mes droits en cas de décès" in text  # the source of the daily amount
            pdf = decision_pdf(s, cid)
            assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_bad_input_names_the_field_and_writes_nothing(db_url, fund):
    pia = fund.person(category="main", start=d("2015-01-01"))
    with pytest.raises(InvalidInput, match="case"):
        claim(db_url, pia, "bridging_right", "2024-06-01", case="boredom", event_date=d("2024-05-20"),
              start=d("2024-06-01"))
    with pytest.raises(InvalidInput, match="start: the benefit cannot start before the event"):
        claim(db_url, pia, "bridging_right", "2024-06-01", case="fire", event_date=d("2024-05-20"),
              start=d("2024-05-13"), days=7)
    with pytest.raises(InvalidInput, match="start"):
        claim(db_url, pia, "carer", "2024-06-01", start=d("2024-06-15"), months=2)
    with pytest.raises(InvalidInput, match="months"):
        claim(db_url, pia, "carer", "2024-06-01", start=d("2024-07-01"), months=7)  # 1-6 per request [S53]
    with pytest.raises(InvalidInput, match="kind"):
        claim(db_url, pia, "holiday", "2024-06-01", start=d("2024-07-01"))
    with pytest.raises(InvalidInput, match="death_date"):
        claim(db_url, pia, "bereavement", "2024-06-01", start=d("2024-07-01"), end=d("2024-07-02"), days=2)
    assert count(db_url, BenefitClaim) == 0 and count(db_url, Case) == 0
    cid = claim(db_url, pia, "bereavement", "2024-06-01", death_date=d("2024-05-01"), start=d("2024-07-01"),
                end=d("2024-07-02"), days=2)
    decide(db_url, cid, "2024-06-02")
    with pytest.raises(Conflict, match="already decided"):
        decide(db_url, cid, "2024-06-03")


def test_the_gdpr_export_holds_the_claims_with_their_decision_and_steps(db_url, fund):
    from caisse.services.gdpr import export_file

    rosa = fund.person(category="main", start=d("2015-01-01"))
    cid = claim(db_url, rosa, "maternity", "2025-01-20", birth_date=d("2025-02-05"), start=d("2025-02-03"),
                full_weeks=12)
    decide(db_url, cid, "2025-01-25")
    with session_scope(db_url) as s:
        [item] = export_file(s, CLERK, rosa)["benefit_claims"]
    assert item["amount_cents"] == 1_007_580 and item["decision"]["outcome"] == "granted"
    assert [st["step"] for st in item["steps"]] == ["application", "checks", "decision", "dispensation", "forwarded",
                                                "closed"]


def test_the_steps_of_a_claim_are_append_only(db_url, fund):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    tom = fund.person(category="main", start=d("2015-01-01"))
    claim(db_url, tom, "adoption", "2025-04-02", start=d("2025-05-01"), end=d("2025-06-11"))
    for statement in (update(ClaimStep).values(step="forged"), delete(ClaimStep)):
        with pytest.raises(DatabaseError, match="append-only"), session_scope(db_url) as s:
            s.execute(statement)
    assert count(db_url, ClaimStep) == 1
