"""Affiliating people and companies, as a fund does it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.demo.identities import make_iban, make_kbo, make_niss
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.identifiers import mask_iban
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.services import inasti
from caisse.store.db import session_scope
from caisse.store.models import (
    Address,
    Affiliation,
    AffiliationStep,
    AuditLog,
    BankAccount,
    CategoryPeriod,
    Company,
    Event,
    ExchangeMessage,
    Mandate,
    Party,
    Person,
    SpouseLink,
)

TODAY = dt.date(2026, 11, 24)
ACTOR = Principal.system("test")


def address(**kw) -> svc.AddressInput:
    base = dict(street="Rue de la Loi", house_number="16", postal_code="1000", city="Bruxelles")
    base.update(kw)
    return svc.AddressInput(**base)


def person_input(birth=dt.date(1985, 7, 30), seq=33, **kw) -> svc.PersonInput:
    base = dict(niss=make_niss(birth, seq), first_name="Ana", last_name="Peeters", birth_date=birth,
                language="nl", address=address(), iban=make_iban("068", 1234567))
    base.update(kw)
    return svc.PersonInput(**base)


def new_person(session, **kw) -> Person:
    return svc.register_person(session, person_input(**kw), ACTOR, TODAY)


def affiliate(session, person, category="main", start=dt.date(2026, 1, 1), requested=dt.date(2025, 12, 15), **kw):
    return svc.request_affiliation(session, svc.AffiliationInput(
        person_id=person.id, start_date=start, category=category, requested_on=requested, **kw), ACTOR)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_starter_in_main_activity_is_affiliated_with_certificate_and_inasti_notice(session):
    ana = new_person(session)
    aff = affiliate(session, ana)
    assert aff.status == "affiliated"
    assert aff.primostarter is True
    assert svc.is_starter(aff.start_date, dt.date(2029, 12, 31))
    assert not svc.is_starter(aff.start_date, dt.date(2030, 1, 1))
    steps = session.scalars(select(AffiliationStep.step).where(AffiliationStep.affiliation_id == aff.id)
                            .order_by(AffiliationStep.id)).all()
    assert steps == ["requested", "checked", "affiliated", "certificate_issued", "inasti_notified"]
    message = session.scalar(select(ExchangeMessage).where(ExchangeMessage.kind == "inasti-affiliation-start"))
    assert message.payload["niss"] == ana.niss and message.payload["category"] == "main"
    assert ana.sex == "M"  # sequence 033 is odd


def test_the_inasti_outbox_is_written_once(session, tmp_path):
    affiliate(session, new_person(session))
    first = inasti.write_outbox(session, tmp_path)
    again = inasti.write_outbox(session, tmp_path)
    assert len(first) == 1 and again == []
    assert '"kind": "inasti-affiliation-start"' in first[0].read_text()


def test_complementary_activity_waits_for_the_proof_of_main_occupation(session):
    ana = new_person(session)
    aff = affiliate(session, ana, category="complementary")
    assert aff.status == "pending_documents"
    assert svc.missing_documents(session, aff.id) == ["proof_of_main_occupation"]
    svc.receive_document(session, aff.id, "proof_of_main_occupation", dt.date(2026, 1, 5), ACTOR)
    assert aff.status == "affiliated"
    assert aff.primostarter is False


def test_someone_affiliated_elsewhere_is_flagged_for_transfer(session):
    aff = affiliate(session, new_person(session), previous_fund="Autre caisse")
    assert aff.status == "pending_transfer"
    svc.complete_transfer(session, aff.id, dt.date(2026, 1, 2), ACTOR)
    assert aff.status == "affiliated"
    steps = session.scalars(select(AffiliationStep).where(AffiliationStep.affiliation_id == aff.id)
                            .order_by(AffiliationStep.id)).all()
    assert [(s.step, s.happened_on) for s in steps][1:4] == [
        ("checked", dt.date(2025, 12, 15)), ("transfer_completed", dt.date(2026, 1, 2)),
        ("affiliated", dt.date(2026, 1, 2))]
    assert session.scalar(select(func.count()).where(AuditLog.action == "transfer_completed")) == 1


def test_a_transfer_still_waits_for_missing_documents(session):
    aff = affiliate(session, new_person(session), category="complementary", previous_fund="Autre caisse")
    svc.complete_transfer(session, aff.id, dt.date(2026, 1, 2), ACTOR)
    assert aff.status == "pending_documents"
    svc.receive_document(session, aff.id, "proof_of_main_occupation", dt.date(2026, 1, 5), ACTOR)
    assert aff.status == "affiliated"


def test_a_transfer_cannot_be_completed_twice_or_before_the_request(db_url):
    with session_scope(db_url) as s:
        pending = affiliate(s, new_person(s), previous_fund="Autre caisse").id
        done = affiliate(s, new_person(s, seq=124, birth=dt.date(1987, 3, 2))).id
    err = _rejected(db_url, lambda s: svc.complete_transfer(s, pending, dt.date(2025, 12, 1), ACTOR), "released_on")
    assert "before the request (2025-12-15)" in err.message
    err = _rejected(db_url, lambda s: svc.complete_transfer(s, done, dt.date(2026, 1, 2), ACTOR), "status")
    assert "is affiliated, not waiting for a transfer" in err.message
    with session_scope(db_url) as s:
        assert s.get(Affiliation, pending).status == "pending_transfer"


def test_no_primostarter_after_a_recent_main_activity(session):
    ana = new_person(session)
    first = affiliate(session, ana, start=dt.date(2022, 1, 1), requested=dt.date(2022, 1, 1))
    svc.cease(session, first.id, dt.date(2023, 6, 30), "stopped", ACTOR)
    second = affiliate(session, ana, start=dt.date(2026, 1, 1))
    assert second.primostarter is False


def test_a_category_change_keeps_history(session):
    aff = affiliate(session, new_person(session))
    svc.change_category(session, aff.id, "complementary", dt.date(2026, 7, 1), ACTOR)
    periods = session.scalars(select(CategoryPeriod).where(CategoryPeriod.affiliation_id == aff.id)
                              .order_by(CategoryPeriod.valid_from)).all()
    assert [(p.category, p.valid_from, p.valid_to) for p in periods] == [
        ("main", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("complementary", dt.date(2026, 7, 1), None),
    ]
    assert svc.current_category(aff, dt.date(2026, 3, 1)).category == "main"
    assert count(session, Event) == 1


def test_an_iban_typo_corrected_the_same_day_leaves_one_account(session):
    ana = new_person(session)  # registered on TODAY with an account valid from TODAY
    typo = svc.current_bank_account(session, ana.id).iban
    right = make_iban("734", 7654321)
    svc.change_iban(session, ana.id, right, TODAY, ACTOR)
    accounts = session.scalars(select(BankAccount).where(BankAccount.party_id == ana.id)).all()
    assert [(a.iban, a.bic, a.valid_from, a.valid_to) for a in accounts] == [(right, "KREDBEBB", TODAY, None)]
    event = session.scalar(select(Event))
    assert event.kind == "iban_corrected" and event.effective_on == TODAY
    assert event.detail == {"from": mask_iban(typo), "iban": mask_iban(right)}
    # the next day it is a change: two periods, never two accounts on the same day
    svc.change_iban(session, ana.id, make_iban("001", 42), TODAY + dt.timedelta(days=1), ACTOR)
    accounts = session.scalars(select(BankAccount).where(BankAccount.party_id == ana.id)
                               .order_by(BankAccount.valid_from)).all()
    assert [(a.valid_from, a.valid_to) for a in accounts] == [(TODAY, TODAY), (TODAY + dt.timedelta(days=1), None)]


def test_an_iban_change_before_the_current_account_or_to_the_same_account_is_refused(db_url):
    with session_scope(db_url) as s:
        pid = new_person(s).id
        current = svc.current_bank_account(s, pid).iban
    err = _rejected(db_url, lambda s: svc.change_iban(s, pid, make_iban("734", 1), TODAY - dt.timedelta(days=1),
                                                      ACTOR), "effective")
    assert "before the start of the current account" in err.message
    _rejected(db_url, lambda s: svc.change_iban(s, pid, current, TODAY + dt.timedelta(days=3), ACTOR), "iban")
    _rejected(db_url, lambda s: svc.change_iban(s, pid, "BE71096123456768", TODAY, ACTOR), "iban")
    with session_scope(db_url) as s:
        assert [a.iban for a in s.scalars(select(BankAccount))] == [current]
        assert count(s, Event) == 0


def test_a_move_and_a_new_iban_are_dated_events(session):
    ana = new_person(session)
    svc.change_address(session, ana.id, address(street="Meir", postal_code="2000", city="Antwerpen"),
                       dt.date(2026, 12, 1), ACTOR)
    svc.change_iban(session, ana.id, make_iban("734", 7654321), dt.date(2026, 12, 1), ACTOR)
    addresses = session.scalars(select(Address).where(Address.party_id == ana.id).order_by(Address.id)).all()
    assert [(a.city, a.valid_to) for a in addresses] == [("Bruxelles", dt.date(2026, 11, 30)), ("Antwerpen", None)]
    assert svc.current_bank_account(session, ana.id).bic == "KREDBEBB"
    assert {e.kind for e in session.scalars(select(Event))} == {"address_changed", "iban_changed"}


def test_cessation_closes_the_affiliation_and_notifies_inasti(session):
    aff = affiliate(session, new_person(session))
    svc.cease(session, aff.id, dt.date(2026, 9, 30), "retirement", ACTOR)
    assert aff.status == "ceased" and aff.categories[-1].valid_to == dt.date(2026, 9, 30)
    assert session.scalar(select(ExchangeMessage.id).where(ExchangeMessage.kind == "inasti-affiliation-end"))


def new_company(session, director, balance_sheets=None) -> Company:
    return svc.register_company(session, svc.CompanyInput(
        kbo=make_kbo(4031707), name="Peeters BV", legal_form="BV", language="nl", address=address(),
        affiliation_start=dt.date(2024, 3, 1), directors=[(director.id, dt.date(2024, 3, 1))],
        balance_sheets=balance_sheets or {}), ACTOR, TODAY)


def test_company_with_director_and_balance_sheet(session):
    director = new_person(session)
    company = new_company(session, director, {2023: 50_000_000})
    assert company.party.kind == "company"
    assert [m.person_id for m in svc.directors(session, company.id)] == [director.id]
    svc.record_balance_sheet(session, company.id, 2024, 61_234_567, ACTOR, on=TODAY)
    assert [(b.financial_year, b.total_cents) for b in svc.balance_sheets(session, company.id)] == [
        (2023, 50_000_000), (2024, 61_234_567)]
    event = session.scalar(select(Event).where(Event.kind == "balance_sheet_recorded"))
    assert event.party_id == company.id and event.effective_on == TODAY
    assert event.detail == {"financial_year": 2024, "total": "612345.67"}
    with pytest.raises(Conflict) as err:
        svc.record_balance_sheet(session, company.id, 2023, 1, ACTOR)
    assert err.value.field == "financial_year"


def test_a_bad_balance_sheet_is_refused_and_nothing_is_written(db_url):
    with session_scope(db_url) as s:
        pid = new_person(s).id
        cid = new_company(s, s.get(Person, pid), {2023: 100}).id
    assert _rejected(db_url, lambda s: svc.record_balance_sheet(s, cid, 2024, -1, ACTOR), "total")
    assert _rejected(db_url, lambda s: svc.record_balance_sheet(s, cid, 24, 100, ACTOR), "financial_year")
    assert _rejected(db_url, lambda s: svc.record_balance_sheet(s, cid, 2023, 200, ACTOR), "financial_year")
    with pytest.raises(NotFound), session_scope(db_url) as s:
        svc.record_balance_sheet(s, pid, 2024, 100, ACTOR)  # a person's file is not a company
    with session_scope(db_url) as s:
        assert [(b.financial_year, b.total_cents) for b in svc.balance_sheets(s, cid)] == [(2023, 100)]
        assert count(s, Event) == 0


def test_directors_come_and_go_with_dated_mandates(session):
    ana = new_person(session)
    jan = new_person(session, seq=124, first_name="Jan", birth=dt.date(1987, 3, 2))
    company = new_company(session, ana)
    svc.add_director(session, company.id, jan.id, dt.date(2026, 6, 1), ACTOR)
    svc.end_director(session, company.id, ana.id, dt.date(2026, 6, 30), ACTOR)
    assert [(m.person_id, m.valid_from, m.valid_to) for m in svc.directors(session, company.id)] == [
        (ana.id, dt.date(2024, 3, 1), dt.date(2026, 6, 30)), (jan.id, dt.date(2026, 6, 1), None)]
    events = session.scalars(select(Event).where(Event.party_id == company.id).order_by(Event.id)).all()
    assert [(e.kind, e.effective_on, e.detail) for e in events] == [
        ("director_added", dt.date(2026, 6, 1), {"person": jan.id}),
        ("director_ended", dt.date(2026, 6, 30), {"person": ana.id})]
    assert session.scalar(select(func.count()).where(Event.party_id == ana.id)) == 1  # on the director's file too


def test_the_last_director_cannot_leave(db_url):
    with session_scope(db_url) as s:
        ana = new_person(s)
        jan = new_person(s, seq=124, first_name="Jan", birth=dt.date(1987, 3, 2))
        ids = ana.id, jan.id, new_company(s, ana).id
    pid, jid, cid = ids
    err = _rejected(db_url, lambda s: svc.end_director(s, cid, pid, dt.date(2026, 6, 30), ACTOR), "person_id")
    assert "last director" in err.message and "2026-07-01" in err.message
    # a successor who only starts later leaves a gap: refused too
    with session_scope(db_url) as s:
        svc.add_director(s, cid, jid, dt.date(2026, 9, 1), ACTOR)
    err = _rejected(db_url, lambda s: svc.end_director(s, cid, pid, dt.date(2026, 6, 30), ACTOR), "person_id")
    assert "no director from 2026-07-01" in err.message
    with session_scope(db_url) as s:
        assert [m.valid_to for m in svc.directors(s, cid)] == [None, None]


@pytest.mark.parametrize("change, field, words", [
    (dict(person=999), "person_id", "no person"),
    (dict(since=dt.date(2020, 1, 1)), "since", "before the company's affiliation"),
    (dict(person="director"), "person_id", "already a director"),
])
def test_a_bad_new_director_is_refused(db_url, change, field, words):
    with session_scope(db_url) as s:
        ana = new_person(s)
        jan = new_person(s, seq=124, first_name="Jan", birth=dt.date(1987, 3, 2))
        ids = {"director": ana.id, "other": jan.id, "company": new_company(s, ana).id}
    person = ids[change["person"]] if isinstance(change.get("person"), str) else change.get("person", ids["other"])
    since = change.get("since", dt.date(2026, 6, 1))
    err = _rejected(db_url, lambda s: svc.add_director(s, ids["company"], person, since, ACTOR), field)
    assert words in err.message


def test_ending_a_mandate_that_is_not_open_or_before_it_started_is_refused(db_url):
    with session_scope(db_url) as s:
        ana = new_person(s)
        jan = new_person(s, seq=124, first_name="Jan", birth=dt.date(1987, 3, 2))
        jid, cid = jan.id, new_company(s, ana).id
        svc.add_director(s, cid, jid, dt.date(2026, 6, 1), ACTOR)
    _rejected(db_url, lambda s: svc.end_director(s, cid, 999, dt.date(2026, 6, 30), ACTOR), "person_id")
    err = _rejected(db_url, lambda s: svc.end_director(s, cid, jid, dt.date(2026, 5, 31), ACTOR), "end_date")
    assert "before the start of the mandate (2026-06-01)" in err.message


def _spouses(session):
    """Ana in main activity, Jan affiliated as her helping spouse, Eva affiliated in main activity too."""
    ana = new_person(session)
    jan = new_person(session, seq=124, first_name="Jan", birth=dt.date(1987, 3, 2))
    eva = new_person(session, seq=222, first_name="Eva", birth=dt.date(1990, 5, 5))
    affiliate(session, ana)
    affiliate(session, jan, category="helping_spouse", documents=["helping_spouse_declaration"])
    affiliate(session, eva)
    return ana, jan, eva


def test_helping_spouse_link(session):
    ana, jan, eva = _spouses(session)
    link = svc.link_helping_spouse(session, jan.id, ana.id, dt.date(2026, 1, 1), ACTOR)
    assert link.self_employed_id == ana.id
    events = session.scalars(select(Event).order_by(Event.id)).all()
    assert [(e.party_id, e.kind, e.effective_on, e.detail) for e in events] == [
        (jan.id, "helping_spouse_linked", dt.date(2026, 1, 1), {"helps": ana.id}),
        (ana.id, "helping_spouse_linked", dt.date(2026, 1, 1), {"helper": jan.id})]
    with pytest.raises(Conflict) as err:
        svc.link_helping_spouse(session, jan.id, eva.id, dt.date(2026, 2, 1), ACTOR)
    assert err.value.field == "helper_id"


@pytest.mark.parametrize("helper, helped, since, field, words", [
    ("eva", "ana", dt.date(2026, 1, 1), "helper_id", "affiliated as main on 2026-01-01"),
    ("jan", "ana", dt.date(2025, 12, 31), "helper_id", "not affiliated with the fund on 2025-12-31"),
    ("jan", "nobody", dt.date(2026, 1, 1), "self_employed_id", "is not affiliated with the fund"),
    ("jan", "jan", dt.date(2026, 1, 1), "self_employed_id", "their own helping spouse"),
    ("jan", 999, dt.date(2026, 1, 1), "self_employed_id", "no person with file number 999"),
])
def test_a_helping_spouse_link_needs_both_affiliations(db_url, helper, helped, since, field, words):
    with session_scope(db_url) as s:
        ana, jan, eva = _spouses(s)
        nobody = new_person(s, seq=300, first_name="Nobody", birth=dt.date(1991, 6, 6))
        ids = {"ana": ana.id, "jan": jan.id, "eva": eva.id, "nobody": nobody.id}
    err = _rejected(db_url, lambda s: svc.link_helping_spouse(s, ids[helper], ids.get(helped, helped), since, ACTOR),
                    field)
    assert words in err.message
    with session_scope(db_url) as s:
        assert count(s, SpouseLink) == 0 and count(s, Event) == 0


def test_a_self_employed_person_has_one_helping_spouse_at_a_time(db_url):
    with session_scope(db_url) as s:
        ana, jan, _eva = _spouses(s)
        tom = new_person(s, seq=301, first_name="Tom", birth=dt.date(1988, 8, 8))
        affiliate(s, tom, category="helping_spouse", documents=["helping_spouse_declaration"])
        svc.link_helping_spouse(s, jan.id, ana.id, dt.date(2026, 1, 1), ACTOR)
        ids = ana.id, tom.id
    err = _rejected(db_url, lambda s: svc.link_helping_spouse(s, ids[1], ids[0], dt.date(2026, 3, 1), ACTOR),
                    "self_employed_id")
    assert "already helped by person" in err.message


def test_every_write_and_read_is_audited(session):
    ana = new_person(session)
    svc.get_person(session, ana.id, Principal.system("caseworker:other"), reason="phone call")
    rows = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(r.action, r.entity) for r in rows] == [("create", "person"), ("read", "person")]
    assert rows[1].reason == "phone call" and rows[1].party_id == ana.id


# ---------------------------------------------------------------- bad input: clear error, nothing written


def _rejected(db_url, action, field):
    """Run ``action`` in its own unit of work; it must fail naming ``field`` and leave the database as it was."""
    with session_scope(db_url) as s:
        before = {m.__name__: count(s, m) for m in (Party, Person, AuditLog, ExchangeMessage, Mandate)}
    with pytest.raises((InvalidInput, Conflict)) as err, session_scope(db_url) as s:
        action(s)
    assert err.value.field == field, str(err.value)
    with session_scope(db_url) as s:
        assert {m.__name__: count(s, m) for m in (Party, Person, AuditLog, ExchangeMessage, Mandate)} == before
    return err.value


@pytest.mark.parametrize("niss, reason", [
    ("85073003329", "check digits"),
    ("8507300332", "wrong number of digits"),
    ("85.07.30-033.2X", "characters"),
    ("", "required"),
])
def test_an_invalid_niss_is_refused(db_url, niss, reason):
    err = _rejected(db_url, lambda s: svc.register_person(s, person_input(niss=niss), ACTOR, TODAY), "niss")
    assert reason in err.message


def test_a_birth_date_that_contradicts_the_niss_is_refused(db_url):
    err = _rejected(db_url, lambda s: svc.register_person(
        s, person_input(birth_date=dt.date(1985, 7, 31)), ACTOR, TODAY), "birth_date")
    assert "1985-07-30" in err.message


def test_an_invalid_iban_is_refused(db_url):
    _rejected(db_url, lambda s: svc.register_person(s, person_input(iban="BE71096123456768"), ACTOR, TODAY), "iban")


def test_a_duplicate_person_is_refused(db_url):
    with session_scope(db_url) as s:
        new_person(s)
    err = _rejected(db_url, lambda s: new_person(s), "niss")
    assert "already registered" in err.message


def test_a_start_beyond_the_six_month_window_is_refused(db_url):
    with session_scope(db_url) as s:
        pid = new_person(s).id
    err = _rejected(db_url, lambda s: affiliate(s, s.get(Person, pid), start=dt.date(2026, 7, 1),
                                                requested=dt.date(2025, 12, 15)), "start_date")
    assert "six months" in err.message


def test_overlapping_affiliations_are_refused(db_url):
    with session_scope(db_url) as s:
        pid = new_person(s).id
        affiliate(s, s.get(Person, pid))
    err = _rejected(db_url, lambda s: affiliate(s, s.get(Person, pid), start=dt.date(2026, 3, 1),
                                                requested=dt.date(2026, 2, 1)), "start_date")
    assert "overlaps" in err.message


def test_ceasing_before_starting_is_refused(db_url):
    with session_scope(db_url) as s:
        aid = affiliate(s, new_person(s)).id
    err = _rejected(db_url, lambda s: svc.cease(s, aid, dt.date(2025, 12, 31), "stop", ACTOR), "end_date")
    assert "before the start" in err.message


def test_a_company_without_a_director_is_refused(db_url):
    data = svc.CompanyInput(kbo=make_kbo(4031707), name="X SRL", legal_form="SRL", language="fr", address=address(),
                            affiliation_start=dt.date(2024, 1, 1), directors=[])
    _rejected(db_url, lambda s: svc.register_company(s, data, ACTOR, TODAY), "directors")


def test_an_invalid_kbo_is_refused(db_url):
    with session_scope(db_url) as s:
        pid = new_person(s).id
    data = svc.CompanyInput(kbo="0403170702", name="X SRL", legal_form="SRL", language="fr", address=address(),
                            affiliation_start=dt.date(2024, 1, 1), directors=[(pid, dt.date(2024, 1, 1))])
    err = _rejected(db_url, lambda s: svc.register_company(s, data, ACTOR, TODAY), "kbo")
    assert "check digits" in err.message


def test_an_unknown_category_is_refused(db_url):
    with session_scope(db_url) as s:
        pid = new_person(s).id
    _rejected(db_url, lambda s: affiliate(s, s.get(Person, pid), category="hobby"), "category")


def test_a_bis_number_is_accepted():
    from caisse.identifiers import niss_is_bis, normalize_niss

    assert niss_is_bis(normalize_niss("98.47.28-997.65"))
