"""The checks added to the claims: the bridging right's cumulation with a resumed activity (since 2023), the
maternity dispensation of the quarter after the birth and the 105 service vouchers, the carer's dispensation after
3 months of full interruption — each stated in the decision with its legal ground, a refusal motivated; a figure
the notes do not give is never guessed (nothing decided)."""

from __future__ import annotations

import pytest
from helpers import contributions, d, quarters
from sqlalchemy import select

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim
from caisse.cases.models import Case
from caisse.errors import UnknownParameter
from caisse.security.authz import Principal
from caisse.store.db import session_scope

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


@pytest.mark.parametrize("facts", [{"months": 4, "cumulation_months": 2}, {"months": 2, "replacement_income": True}])
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
        [task] = s.scalars(select(Case).where(Case.party_id == nora, Case.kind == "dispensation"))
        assert task.subject == f"Dispensation 2025Q2 — maternity allowance claim {cid}"


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
