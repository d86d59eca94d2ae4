"""The demo fund: deterministic, valid identifiers, the shape of a real fund, and it loads on both databases."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select
from stdnum import iban
from stdnum.be import ssn, vat

from caisse.demo.generator import generate, load
from caisse.store.db import engine_for, session_scope
from caisse.store.models import Affiliation, Company, Event, Mandate, Person, SpouseLink

AS_OF = dt.date(2026, 11, 24)


def test_same_seed_same_fund_other_seed_other_fund():
    assert generate(300, seed=7, as_of=AS_OF).rows == generate(300, seed=7, as_of=AS_OF).rows
    assert generate(300, seed=7, as_of=AS_OF).rows != generate(300, seed=8, as_of=AS_OF).rows


def test_every_identifier_is_valid_and_unique():
    fund = generate(2000, as_of=AS_OF)
    niss = [r[1] for r in fund.rows["person"]]
    assert len(set(niss)) == len(niss)
    assert all(ssn.is_valid(n) for n in niss)
    assert any(ssn.guess_type(n) == "bis" for n in niss)
    assert all(vat.is_valid(r[1]) for r in fund.rows["company"])
    assert all(iban.is_valid(r[1]) for r in fund.rows["bank_account"])


def test_the_fund_has_the_shape_of_a_real_one():
    fund = generate(5000, as_of=AS_OF)
    current = Counter(r[1] for r in fund.rows["category_period"] if r[3] is None or r[3] >= AS_OF)
    total = sum(current.values())
    assert 0.60 < current["main"] / total < 0.75
    assert 0.18 < current["complementary"] / total < 0.28
    assert 0.05 < current["post_pension"] / total < 0.11
    assert current["helping_spouse"] and current["student"] and current["art37"]
    languages = Counter(r[2] for r in fund.rows["party"])
    assert languages["nl"] > languages["fr"] > languages["de"] > 0
    sexes = Counter(r[5] for r in fund.rows["person"] if r[5])
    assert 0.6 < sexes["M"] / (sexes["M"] + sexes["F"]) < 0.72
    starters = sum(1 for r in fund.rows["affiliation"] if r[3].year == 2025)
    assert 0.05 < starters / 5000 < 0.14
    incomes = sorted(r[2] for r in fund.rows["professional_income"] if r[1] == 2024)
    median = incomes[len(incomes) // 2]
    mean = sum(incomes) / len(incomes)
    assert mean > median  # right-skewed
    assert sum(1 for i in incomes if i < 1_700_888) / len(incomes) > 0.2  # many under the main minimum
    assert sum(1 for i in incomes if i > 10_823_840) > 0  # a tail above the ceiling
    assert fund.rows["spouse_link"] and fund.rows["mandate"]


def test_it_loads_on_the_database(db_url):
    fund = generate(400, seed=3, as_of=AS_OF)
    with engine_for(db_url).begin() as conn:
        counts = load(conn, fund)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Person)) == counts["person"] == 400
        assert s.scalar(select(func.count()).select_from(Company)) == 40
        assert s.scalar(select(func.count()).select_from(Affiliation)) == 400
        assert s.scalar(select(func.count()).select_from(Mandate)) == counts["mandate"]
        # sequences continue after the loaded ids: a new person gets the next file number
        from support.people import register_someone

        assert register_someone(s).id == 441


def test_ceased_affiliations_and_links_carry_the_events_the_services_write(db_url):
    fund = generate(400, seed=3, as_of=AS_OF)
    with engine_for(db_url).begin() as conn:
        load(conn, fund)
    with session_scope(db_url) as s:
        ceased = s.execute(select(Affiliation.id, Affiliation.person_id, Affiliation.end_date, Affiliation.end_reason)
                           .where(Affiliation.status == "ceased")).all()
        assert ceased, "the demo fund has ceased affiliations"
        events = {e.party_id: e for e in s.scalars(select(Event).where(Event.kind == "ceased"))}
        assert len(events) == len(ceased)
        for aid, pid, end, reason in ceased:
            assert (events[pid].effective_on, events[pid].detail) == (end, {"affiliation": aid, "reason": reason})
            assert events[pid].actor == "demo" and events[pid].recorded_at is not None
        links = s.scalars(select(SpouseLink)).all()
        linked = s.scalars(select(Event).where(Event.kind == "helping_spouse_linked")).all()
        assert len(linked) == 2 * len(links)
        changes = s.scalars(select(Event).where(Event.kind == "category_changed")).all()
        assert changes and all(e.detail["to"] == "post_pension" for e in changes)
