"""The checks added to the claims: the bridging right's cumulation with a resumed activity (since 2023), the
maternity dispensation of the quarter after the birth and the 105 service vouchers, the carer's dispensation after
3 months of full interruption — each stated in the decision with its legal ground, a refusal motivated; a figure
the notes do not give is never guessed (nothing decided)."""

from __future__ import annotations

import pytest
from helpers import NOTHING_ELSE, contributions, d, quarters
from sqlalchemy import func, select

from caisse.batches import quarterly_call, regularisation
from caisse.benefits import service
from caisse.benefits.models import BenefitClaim, BenefitDispensedQuarter, ClaimStep
from caisse.cases.models import Case
from caisse.errors import UnknownParameter
from caisse.ledger import credit_available, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import ProfessionalIncome

DESK = Principal.system("cli:benefits-officer")


def file(url, person, kind, received, **facts) -> int:
    with session_scope(url) as s:
        return service.file_claim(s, DESK, person, kind, facts, d(received)).id


def bankrupt(db_url, fund):
    ana = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"), language="de")
    contributions(db_url, ana, paid=quarters("2022Q3", "2023Q4"))
    return ana


def test_cumulation_beyond_one_month_per_month_of_interruption_is_refused_with_its_reason(db_url, fund):
    ana = bankrupt(db_url, fund)
    cid = file(db_url, ana, "bridging_right", "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"),
               start=d("2024-06-01"), months=3, cumulation_months=2)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d("2024-06-10"))
        assert (c.outcome, c.amount_cents) == ("refused", 0)
        assert c.decision["reasons"]["de"] == [
            "Wiederaufnahme der Tätigkeit während 2 Monat(en) nach 1 Monat(en) vollständiger Unterbrechung: die "
            "Kumulierung mit einer Berufstätigkeit setzt mindestens 1 vollen Monat vollständiger Unterbrechung "
            "voraus und ist auf 1 Monat je Monat Unterbrechung, höchstens 3 Monate, begrenzt (Überbrückungsrecht, "
            "Kumulierung seit dem 1-1-2023, Rechtsvorschriften §8.1 [S40][S89])."]


@pytest.mark.parametrize("facts", [{"months": 4, "cumulation_months": 2, **NOTHING_ELSE},
                                   {"months": 2, "replacement_income": True, "professional_activity": False}])
def test_an_allowed_cumulation_or_a_replacement_income_is_not_decided_on_a_guess(db_url, fund, facts):
    ana = bankrupt(db_url, fund)
    cid = file(db_url, ana, "bridging_right", "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"),
               start=d("2024-06-01"), **facts)
    with session_scope(db_url) as s, pytest.raises(UnknownParameter) as exc:
        service.decide(s, DESK, cid, d("2024-06-10"))
    assert ("bridging_right_cumulation_reduction" if "cumulation_months" in facts
            else "bridging_right_replacement_income_ceiling") in str(exc.value)
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).status == "application"  # nothing written


def test_maternity_states_the_dispensation_of_the_next_quarter_and_the_vouchers_requested(db_url, fund):
    nora = fund.person(category="main", start=d("2015-01-01"))
    cid = file(db_url, nora, "maternity", "2025-01-20", birth_date=d("2025-02-05"), start=d("2025-02-03"),
               full_weeks=12, vouchers_requested=d("2025-01-20"))
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d("2025-01-25"))
        assert c.outcome == "granted"
        assert c.decision["dispensation"]["quarter"] == "2025Q2"  # the quarter after the birth quarter [S44]
        assert c.decision["dispensation"]["rendered"]["fr"] == (
            "Dispense de cotisations pour le trimestre 2025Q2, qui suit le trimestre de la naissance, sans perte de "
            "droits (dispense de cotisations du trimestre qui suit la naissance, legislation §8.2 [S44]).")
        assert c.decision["vouchers_request"]["rendered"]["nl"] == (
            "Moederschapshulp: 105 gratis dienstencheques aangevraagd op 20-01-2025 (moederschapshulp, wetgeving §8.2 "
            "[S46][S120]).")
        [(quarter, reason)] = s.execute(select(BenefitDispensedQuarter.period, BenefitDispensedQuarter.reason)
                                        .where(BenefitDispensedQuarter.person_id == nora)).all()
        assert (quarter, reason) == ("2025Q2", "maternity")  # applied at once: no task left to a caseworker
        assert not list(s.scalars(select(Case).where(Case.party_id == nora, Case.kind == "dispensation")))


def _quarter_due(url, person, period) -> int:
    """What the person owes for the quarter in contribution + management fee (open balance)."""
    with session_scope(url) as s:
        return int(s.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.party_id == person, LedgerEntry.period == period,
            LedgerEntry.account.in_(("contribution", "management_fee")))))


def test_a_mother_does_not_pay_the_quarter_after_the_birth_called_or_not(db_url, fund):
    """Two mothers, births in February 2025 (the quarter after: 2025Q2, legislation.md §8.2 [S44]). Lea's claim is
    granted in January, before the Q2 call: the call skips her. Mia's is granted in April, after the Q2 call she had
    already paid: the call is cancelled and her payment released, which settles her unpaid Q1. The regularisation of
    2025 leaves Q2 at nothing for both, and regularises the other quarters as for anyone."""
    lea = fund.person(category="main", start=d("2015-01-01"), incomes={2022: "40000.00"})
    mia = fund.person(category="main", start=d("2015-01-01"), incomes={2022: "40000.00"})
    quarterly_call.run(db_url, "2025Q1", fee_rate="0.0405")
    early = file(db_url, lea, "maternity", "2025-01-20", birth_date=d("2025-02-05"), start=d("2025-02-03"),
                 full_weeks=12)
    with session_scope(db_url) as s:
        assert service.decide(s, DESK, early, d("2025-01-25")).outcome == "granted"
    summary = quarterly_call.run(db_url, "2025Q2", fee_rate="0.0405")
    assert summary.skipped == {"contributions of the quarter dispensed with a benefit (maternity, carer leave)": 1}
    assert _quarter_due(db_url, lea, "2025Q2") == 0 and _quarter_due(db_url, mia, "2025Q2") == 232_997
    assert _quarter_due(db_url, lea, "2025Q1") == 232_997  # 2,239.28 + 4.05 % fee: the quarter of the birth is due

    with session_scope(db_url) as s:
        receive_payment(s, "test/pay/mia/2025Q2", d("2025-04-05"), 232_997, mia, designation="2025Q2")
    late = file(db_url, mia, "maternity", "2025-02-20", birth_date=d("2025-02-10"), start=d("2025-02-08"),
                full_weeks=12)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, late, d("2025-04-10"))
        assert c.outcome == "granted"
        step = s.scalars(select(ClaimStep.detail).where(ClaimStep.claim_id == late,
                                                         ClaimStep.step == "dispensation")).one()
        assert step == {"quarter": "2025Q2", "cancelled_cents": 232_997,
                        "ledger_key": f"benefit/claim/{late}/dispensation/2025Q2"}
        t = s.scalars(select(LedgerTransaction).where(LedgerTransaction.key == step["ledger_key"])).one()
        assert t.corrects_id is not None  # the correction names the call it cancels
        assert credit_available(s, mia) == 0  # her payment is hers again: it settled her unpaid Q1 at once
        assert run_check(s).ok
    assert _quarter_due(db_url, mia, "2025Q2") == 0 and _quarter_due(db_url, mia, "2025Q1") == 0

    with session_scope(db_url) as s:  # both earn 2025 what they earned in 2022: every other quarter regularised
        for person in (lea, mia):
            s.add(ProfessionalIncome(person_id=person, year=2025, amount_cents=4_000_000, source="tax",
                                     assessed_on=d("2026-09-15")))
    quarterly_call.run(db_url, "2025Q3", fee_rate="0.0405")
    quarterly_call.run(db_url, "2025Q4", fee_rate="0.0405")
    regularisation.run(db_url, 2025, notice_date=d("2026-10-01"), fee_rate="0.0405")
    for person in (lea, mia):
        assert _quarter_due(db_url, person, "2025Q2") == 0
        with session_scope(db_url) as s:
            periods = set(s.scalars(select(LedgerEntry.period).join(LedgerTransaction).where(
                LedgerEntry.party_id == person, LedgerTransaction.kind == "regularisation")))
        assert periods == {"2025Q1", "2025Q3", "2025Q4"}
    with session_scope(db_url) as s:
        assert run_check(s).ok


def test_carer_three_months_of_full_interruption_dispense_the_quarter_of_the_third_month(db_url, fund):
    fien = fund.person(category="main", start=d("2012-01-01"))
    contributions(db_url, fien, paid=quarters("2023Q3", "2024Q4"))
    full = file(db_url, fien, "carer", "2024-05-20", start=d("2024-06-01"), months=3)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, full, d("2024-05-25"))
        assert (c.outcome, c.amount_cents) == ("granted", 3 * 163_826)
        assert (c.decision["dispensation"]["ok"], c.decision["dispensation"]["quarter"]) == (True, "2024Q3")
    other = fund.person(category="main", start=d("2012-01-01"))
    contributions(db_url, other, paid=quarters("2023Q3", "2024Q4"))
    partial = file(db_url, other, "carer", "2024-05-20", start=d("2024-06-01"), months=3, partial=True)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, partial, d("2024-05-25"))
        assert c.outcome == "granted" and c.decision["dispensation"]["ok"] is False
        assert c.decision["dispensation"]["rendered"]["en"].startswith("No dispensation of contributions: it needs "
                                                                      "3 consecutive months of full interruption")
        assert not list(s.scalars(select(Case).where(Case.party_id == other, Case.kind == "dispensation")))
