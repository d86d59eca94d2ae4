"""Every question, request and complaint is answered within a tracked deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from caisse.cases import service as cases
from caisse.cases.models import Notification
from caisse.errors import Conflict, InvalidInput
from caisse.security.authz import Forbidden, NeedToKnow, Principal
from caisse.store.db import session_scope
from support.people import register_someone

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def files(db_url):
    with session_scope(db_url) as s:
        ana = register_someone(s, seq=11)
        ana.email = "ana@example.be"
        ana.party.team = "t1"
        bob = register_someone(s, seq=13)
        bob.party.team = "t2"
        return {"ana": ana.id, "bob": bob.id}


def affiliate(pid):
    return Principal(login=f"affiliate-{pid}", role="affiliate", account_id=100 + pid, party_id=pid)


CASEWORKER = Principal(login="cw", role="caseworker", account_id=1, team="t1")


def test_a_question_is_answered_within_45_days_and_the_person_is_told_by_email(db_url, files):
    ana = affiliate(files["ana"])
    with session_scope(db_url) as s:
        c = cases.open_case(s, ana, files["ana"], "question", "Quand dois-je payer ?", "Bonjour, …", TODAY)
        assert c.deadline == TODAY + dt.timedelta(days=45) and c.team == "t1"
        case_id = c.id
    with session_scope(db_url) as s:
        queue = cases.work_queue(s, CASEWORKER, TODAY)
        assert [i.case.id for i in queue] == [case_id] and queue[0].days_left == 45
        cases.answer(s, CASEWORKER, case_id, "Le dernier jour du trimestre.", TODAY + dt.timedelta(days=2))
        cases.close(s, CASEWORKER, case_id, TODAY + dt.timedelta(days=2))
    with session_scope(db_url) as s:
        notes = s.scalars(select(Notification)).all()
        assert [n.to_address for n in notes] == ["ana@example.be"]
        assert cases.unread_count(s, files["ana"]) == 1
        thread = cases.messages(s, s.get(cases.Case, case_id), ana)
        assert [m.direction for m in thread] == ["in", "out"]
    with session_scope(db_url) as s:
        assert cases.unread_count(s, files["ana"]) == 0


def test_the_clock_stops_while_the_fund_waits_for_the_person(db_url, files):
    ana = affiliate(files["ana"])
    with session_scope(db_url) as s:
        case_id = cases.open_case(s, ana, files["ana"], "reduction", "Réduction", "Mon revenu baisse", TODAY).id
    with session_scope(db_url) as s:
        cases.write(s, CASEWORKER, case_id, "Pouvez-vous joindre une estimation de votre comptable ?", TODAY,
                    ask_person=True)
        assert s.get(cases.Case, case_id).status == "waiting_for_person"
    with session_scope(db_url) as s:
        cases.write(s, ana, case_id, "Voici l'estimation.", TODAY + dt.timedelta(days=12))
        c = s.get(cases.Case, case_id)
        assert c.status == "open" and c.deadline == TODAY + dt.timedelta(days=30 + 12)


def test_a_benefit_claim_gets_the_charter_four_months(db_url, files):
    with session_scope(db_url) as s:
        c = cases.open_case(s, affiliate(files["ana"]), files["ana"], "benefit_claim", "Droit passerelle", "…",
                            dt.date(2026, 10, 31))
        assert c.deadline == dt.date(2027, 2, 28)


def test_a_case_cannot_be_closed_before_an_answer_was_sent(db_url, files):
    with session_scope(db_url) as s:
        case_id = cases.open_case(s, affiliate(files["ana"]), files["ana"], "complaint", "Plainte", "…", TODAY).id
        cases.write(s, CASEWORKER, case_id, "internal note", TODAY, internal=True)
        with pytest.raises(Conflict):
            cases.close(s, CASEWORKER, case_id, TODAY)


def test_nobody_reads_another_persons_case(db_url, files):
    with session_scope(db_url) as s:
        case_id = cases.open_case(s, affiliate(files["bob"]), files["bob"], "question", "Q", "…", TODAY).id
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        cases.get_case(s, affiliate(files["ana"]), case_id)
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        cases.get_case(s, affiliate(files["ana"]), 999_999)  # no probing of ids either
    with session_scope(db_url) as s, pytest.raises(NeedToKnow):
        cases.get_case(s, CASEWORKER, case_id)  # team t2's case
    with session_scope(db_url) as s:
        assert cases.get_case(s, CASEWORKER, case_id, reason="phone call").id == case_id
    with session_scope(db_url) as s, pytest.raises(Forbidden):
        cases.open_case(s, affiliate(files["ana"]), files["bob"], "question", "Q", "…", TODAY)


@pytest.mark.parametrize("kind, subject, body, field", [
    ("gossip", "S", "B", "kind"), ("question", "", "B", "subject"), ("question", "S", " ", "body"),
    ("question", "S", "x" * 5001, "body"), ("batch_anomaly", "S", "B", "kind"),
])
def test_bad_input_names_the_field(db_url, files, kind, subject, body, field):
    with session_scope(db_url) as s, pytest.raises(InvalidInput) as err:
        cases.open_case(s, affiliate(files["ana"]), files["ana"], kind, subject, body, TODAY)
    assert err.value.field == field


def test_every_deadline_has_a_source():
    for kind, rule in cases.deadlines().items():
        assert rule["source"] and rule["status"] in ("official", "fund"), kind


def test_a_caseworker_does_not_browse_another_teams_queue(db_url, files):
    with session_scope(db_url) as s:
        cases.open_case(s, affiliate(files["bob"]), files["bob"], "question", "Q", "…", TODAY)
    with session_scope(db_url) as s:
        assert cases.work_queue(s, CASEWORKER, TODAY) == []  # t1's queue: bob's case belongs to t2
        with pytest.raises(Forbidden):
            cases.work_queue(s, CASEWORKER, TODAY, team="t2")
        assert len(cases.work_queue(s, Principal(login="m", role="manager", account_id=3), TODAY, team="t2")) == 1


def test_the_first_answer_date_stays_when_the_case_is_answered_again(db_url, files):
    """Ana's question is answered on day 10 of its 45; she writes back on day 50 and is answered again on day 60.
    The case's answer date stays day 10 — the charter deadline measures the first answer, so the service-level
    report counts it answered in time — and the second answer is a message of the thread, dated there."""
    from caisse.reporting.service_levels import service_levels

    ana = affiliate(files["ana"])
    day = lambda n: TODAY + dt.timedelta(days=n)  # noqa: E731
    with session_scope(db_url) as s:
        case_id = cases.open_case(s, ana, files["ana"], "question", "Mon attestation", "Où est-elle ?", TODAY).id
    with session_scope(db_url) as s:
        cases.answer(s, CASEWORKER, case_id, "Dans vos documents.", day(10), at=dt.datetime.combine(day(10),
                                                                                                    dt.time(9)))
    with session_scope(db_url) as s:
        cases.write(s, ana, case_id, "Je ne la trouve pas.", day(50))
        assert s.get(cases.Case, case_id).status == "open"
    with session_scope(db_url) as s:
        c = cases.answer(s, CASEWORKER, case_id, "Envoyée par courrier.", day(60),
                         at=dt.datetime.combine(day(60), dt.time(9)))
        assert (c.status, c.answered_on) == ("answered", day(10))
    with session_scope(db_url) as s:
        thread = cases.messages(s, s.get(cases.Case, case_id), CASEWORKER)
        assert [(m.direction, m.at.date()) for m in thread if m.direction == "out"] == [("out", day(10)),
                                                                                         ("out", day(60))]
        [row] = [r for r in service_levels(s, day(61), since=TODAY).rows if (r["channel"], r["kind"]) ==
                 ("all", "question")]
        assert (row["decided"], row["decided_in_time"], row["decision_median_days"]) == (1, 1, 10)
        cases.close(s, CASEWORKER, case_id, day(61))
        assert s.get(cases.Case, case_id).answered_on == day(10)
