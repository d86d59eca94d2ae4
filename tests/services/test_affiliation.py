"""Affiliating people and companies, as a fund does it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.demo.identities import make_iban, make_kbo, make_niss
from caisse.errors import Conflict, InvalidInput
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.services import inasti
from caisse.store.db import session_scope
from caisse.store.models import (
    Address,
    AffiliationStep,
    AuditLog,
    CategoryPeriod,
    Event,
    ExchangeMessage,
    Mandate,
    Party,
    Person,
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


def test_company_with_director_and_balance_sheet(session):
    director = new_person(session)
    company = svc.register_company(session, svc.CompanyInput(
        kbo=make_kbo(4031707), name="Peeters BV", legal_form="BV", language="nl", address=address(),
        affiliation_start=dt.date(2024, 3, 1), directors=[(director.id, dt.date(2024, 3, 1))],
        balance_sheets={2023: 50_000_000}), ACTOR, TODAY)
    assert company.party.kind == "company"
    assert [m.person_id for m in svc.directors(session, company.id)] == [director.id]
    with pytest.raises(Conflict) as err:
        svc.record_balance_sheet(session, company.id, 2023, 1, ACTOR)
    assert err.value.field == "financial_year"


def test_helping_spouse_link(session):
    ana = new_person(session)
    jan = new_person(session, seq=124, first_name="Jan", birth=dt.date(1987, 3, 2))
    link = svc.link_helping_spouse(session, jan.id, ana.id, dt.date(2026, 1, 1), ACTOR)
    assert link.self_employed_id == ana.id
    with pytest.raises(Conflict):
        svc.link_helping_spouse(session, jan.id, ana.id, dt.date(2026, 2, 1), ACTOR)


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
