"""The caseworker's side of a file: a named caseworker the person can reach, contacts noted by channel, a work
queue filtered by team / holder / kind, and the cases the system opens for bank lines and batch anomalies."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.cases import notes
from caisse.cases import service as cases
from caisse.cases.models import Case, CaseMessage, ContactNote
from caisse.config import Settings
from caisse.errors import Conflict, InvalidInput
from caisse.security.authz import Forbidden, NeedToKnow, Principal
from caisse.services import accounts, caseworkers, portal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, FileCaseworker, Party
from support.people import register_someone

TODAY = dt.date(2026, 11, 24)
MANAGER = Principal(login="boss", role="manager", account_id=900)
SYSTEM = Principal.system("test")


@pytest.fixture
def fund(db_url):
    """Two files (teams t1, t2) and staff: two caseworkers of t1, one of t2, a manager."""
    with session_scope(db_url) as s:
        ana = register_someone(s, seq=11)
        ana.party.team = "t1"
        bob = register_someone(s, seq=13)
        bob.party.team = "t2"
        ids = {"ana": ana.id, "bob": bob.id}
        for login, role, team in (("sophie", "caseworker", "t1"), ("marc", "caseworker", "t1"),
                                  ("lena", "caseworker", "t2"), ("boss", "manager", None),
                                  ("client", "affiliate", None)):
            acc, _ = accounts.create_account(s, SYSTEM, login, "x", role, team=team, demo=True,
                                             party_id=ana.id if role == "affiliate" else None)
            ids[login] = acc.id
        caseworkers.set_contact(s, SYSTEM, "sophie", name="Sophie Lambert", phone="+32 2 555 01 01",
                                email="sophie.lambert@fund.test")
    return ids


def staff(ids, login, role="caseworker", team="t1"):
    return Principal(login=login, role=role, account_id=ids[login], team=team)


def test_a_manager_names_the_caseworker_and_the_portal_shows_their_name_phone_and_email(db_url, fund):
    settings = Settings(database_url=db_url, team_contacts={"t1": {"name": "Team Brussels", "phone": "02 555 00 00",
                                                                  "email": "t1@fund.test"}})
    with session_scope(db_url) as s:
        before = portal.contact_for(s.get(Party, fund["ana"]), settings, None)
        assert before.name == "Team Brussels" and not before.named
        caseworkers.assign(s, MANAGER, fund["ana"], "sophie", TODAY, "new file")
    with session_scope(db_url) as s:
        ana = Principal(login="client", role="affiliate", account_id=fund["client"], party_id=fund["ana"])
        home = portal.home(s, ana, TODAY, settings)[0]
        assert (home.contact.name, home.contact.phone, home.contact.email, home.contact.named) == (
            "Sophie Lambert", "+32 2 555 01 01", "sophie.lambert@fund.test", True)


def test_reassigning_keeps_the_history_dated(db_url, fund):
    with session_scope(db_url) as s:
        caseworkers.assign(s, MANAGER, fund["ana"], "sophie", TODAY)
    with session_scope(db_url) as s:
        caseworkers.assign(s, MANAGER, fund["ana"], "marc", TODAY + dt.timedelta(days=30), "Sophie moves team")
    with session_scope(db_url) as s:
        rows = caseworkers.history(s, fund["ana"])
        assert [(r.login, r.valid_from, r.valid_to) for r in rows] == [
            ("marc", TODAY + dt.timedelta(days=30), None),
            ("sophie", TODAY, TODAY + dt.timedelta(days=29))]
        assert caseworkers.current(s, fund["ana"])[1].login == "marc"
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "assign_caseworker").order_by(AuditLog.id)).all()
        assert [r.detail["account"] for r in logged] == ["sophie", "marc"]
        assert logged[1].detail["previous"] == "sophie"


def test_only_a_manager_assigns_and_only_a_handler_of_the_files_team(db_url, fund):
    with session_scope(db_url) as s:
        with pytest.raises(Forbidden):
            caseworkers.assign(s, staff(fund, "sophie"), fund["ana"], "sophie", TODAY)
        with pytest.raises(InvalidInput) as wrong_team:
            caseworkers.assign(s, MANAGER, fund["ana"], "lena", TODAY)
        assert wrong_team.value.field == "account" and "team t2" in wrong_team.value.message
        with pytest.raises(InvalidInput) as not_staff:
            caseworkers.assign(s, MANAGER, fund["ana"], "client", TODAY)
        assert "affiliate" in not_staff.value.message
        caseworkers.assign(s, MANAGER, fund["ana"], "sophie", TODAY)
        with pytest.raises(Conflict):
            caseworkers.assign(s, MANAGER, fund["ana"], "sophie", TODAY)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(FileCaseworker)) == 1


def test_a_phone_note_is_kept_on_the_file_newest_first_and_its_read_is_audited(db_url, fund):
    sophie = staff(fund, "sophie")
    with session_scope(db_url) as s:
        c = cases.open_case(s, sophie, fund["ana"], "question", "Quand payer ?", "Au téléphone", TODAY, "phone")
        notes.add(s, sophie, fund["ana"], "letter", "out", TODAY - dt.timedelta(days=3), "Sent the form", TODAY)
        notes.add(s, sophie, fund["ana"], "phone", "in", TODAY, "Asked when to pay Q4; told 31/12", TODAY, c.id)
        notes.add(s, sophie, fund["ana"], "note", "out", TODAY, "Prefers calls after 16:00", TODAY)
    with session_scope(db_url) as s:
        rows = notes.of_file(s, sophie, fund["ana"])
        assert [(n.channel, n.direction) for n in rows] == [("note", "internal"), ("phone", "in"), ("letter", "out")]
        assert rows[1].case_id == c.id and rows[1].author == "sophie"
        assert [n.channel for n in notes.of_file(s, sophie, fund["ana"], channel="phone")] == ["phone"]
        read = s.scalars(select(AuditLog).where(AuditLog.entity == "contact_notes")).all()
        assert [r.party_id for r in read] == [fund["ana"], fund["ana"]]
        created = s.scalars(select(AuditLog).where(AuditLog.entity == "contact_note")).all()
        assert len(created) == 3 and all("Q4" not in str(r.detail) for r in created)  # the text stays out


def test_bad_notes_are_refused_naming_the_field(db_url, fund):
    sophie = staff(fund, "sophie")
    with session_scope(db_url) as s:
        other = cases.open_case(s, MANAGER, fund["bob"], "question", "Bob", "x", TODAY, "phone")
    for kwargs, field in (({"channel": "fax"}, "channel"), ({"direction": "sideways"}, "direction"),
                          ({"happened_on": TODAY + dt.timedelta(days=1)}, "happened_on"),
                          ({"summary": "   "}, "summary"), ({"case_id": other.id}, "case_id")):
        args = {"channel": "phone", "direction": "in", "happened_on": TODAY, "summary": "ok", "case_id": None,
                **kwargs}
        with session_scope(db_url) as s, pytest.raises(InvalidInput) as exc:
            notes.add(s, sophie, fund["ana"], args["channel"], args["direction"], args["happened_on"],
                      args["summary"], TODAY, args["case_id"])
        assert exc.value.field == field


def test_a_note_on_another_teams_file_needs_a_reason_and_an_affiliate_writes_none(db_url, fund):
    with session_scope(db_url) as s:
        with pytest.raises(NeedToKnow):
            notes.add(s, staff(fund, "sophie"), fund["bob"], "phone", "in", TODAY, "Called", TODAY)
        with pytest.raises(Forbidden):
            notes.add(s, Principal(login="client", role="affiliate", account_id=fund["client"],
                                   party_id=fund["ana"]), fund["ana"], "phone", "in", TODAY, "x", TODAY)


def test_the_queue_filters_by_team_holder_and_kind_overdue_first(db_url, fund):
    sophie, lena = staff(fund, "sophie"), staff(fund, "lena", team="t2")
    with session_scope(db_url) as s:
        late = cases.open_case(s, MANAGER, fund["ana"], "question", "Late", "x", TODAY - dt.timedelta(days=50))
        fresh = cases.open_case(s, MANAGER, fund["ana"], "complaint", "Fresh", "x", TODAY)
        theirs = cases.open_case(s, MANAGER, fund["bob"], "question", "Bob's", "x", TODAY)
        cases.open_system_cases(s, [{"key": "bank_line/1", "kind": "unmatched_payment", "subject": "Bank line",
                                     "body": "x"}], TODAY, "coda-import")
        ids = {"late": late.id, "fresh": fresh.id, "theirs": theirs.id}
    with session_scope(db_url) as s:
        mine = cases.work_queue(s, sophie, TODAY)
        assert [i.case.subject for i in mine] == ["Late", "Bank line", "Fresh"]  # by deadline, overdue first
        assert mine[0].overdue and mine[0].days_left == -5
        assert [i.case.subject for i in cases.work_queue(s, lena, TODAY)] == ["Bank line", "Bob's"]
        with pytest.raises(Forbidden):
            cases.work_queue(s, sophie, TODAY, team="t2")
        assert [i.case.subject for i in cases.work_queue(s, MANAGER, TODAY, team="t2")] == ["Bob's"]
        assert [i.case.subject for i in cases.work_queue(s, sophie, TODAY, kind="complaint")] == ["Fresh"]
        cases.assign(s, sophie, ids["fresh"], fund["sophie"])  # she takes it
    with session_scope(db_url) as s:
        held = cases.work_queue(s, sophie, TODAY, assignee=fund["sophie"])
        assert [(i.case.subject, i.assignee) for i in held] == [("Fresh", "sophie")]
        assert "Fresh" not in [i.case.subject for i in cases.work_queue(s, sophie, TODAY, unassigned=True)]
        with pytest.raises(InvalidInput):
            cases.work_queue(s, sophie, TODAY, kind="gossip")


def test_a_case_is_handed_over_by_its_holder_or_a_manager_only(db_url, fund):
    sophie, marc = staff(fund, "sophie"), staff(fund, "marc")
    with session_scope(db_url) as s:
        case_id = cases.open_case(s, MANAGER, fund["ana"], "question", "Q", "x", TODAY).id
        cases.assign(s, sophie, case_id, fund["sophie"])
    with session_scope(db_url) as s:
        with pytest.raises(Forbidden):
            cases.assign(s, marc, case_id, fund["marc"])  # not his: he cannot grab it
        with pytest.raises(InvalidInput):
            cases.assign(s, sophie, case_id, fund["lena"])  # another team
        cases.assign(s, sophie, case_id, fund["marc"])  # the holder hands it over
    with session_scope(db_url) as s:
        assert s.get(Case, case_id).assigned_to == fund["marc"]
        cases.assign(s, MANAGER, case_id, fund["sophie"])
        assert s.get(Case, case_id).assigned_to == fund["sophie"]


def test_asking_the_person_is_not_an_answer_a_case_closes_only_once_answered(db_url, fund):
    sophie = staff(fund, "sophie")
    with session_scope(db_url) as s:
        case_id = cases.open_case(s, sophie, fund["ana"], "question", "Q", "x", TODAY, "phone").id
        cases.write(s, sophie, case_id, "Can you send your tax assessment?", TODAY, ask_person=True)
    with session_scope(db_url) as s, pytest.raises(Conflict):
        cases.close(s, sophie, case_id, TODAY)
    with session_scope(db_url) as s:
        cases.answer(s, sophie, case_id, "Here is the answer.", TODAY)
        assert cases.close(s, sophie, case_id, TODAY).status == "closed"


def test_system_cases_open_once_per_key(db_url, fund):
    wanted = [{"key": "batch/x/1", "kind": "batch_anomaly", "subject": "S", "body": "B"}]
    with session_scope(db_url) as s:
        assert cases.open_system_cases(s, wanted, TODAY, "batch") == 1
    with session_scope(db_url) as s:
        assert cases.open_system_cases(s, wanted, TODAY, "batch") == 0
        c = s.scalar(select(Case).where(Case.key == "batch/x/1"))
        assert (c.kind, c.deadline, c.channel) == ("batch_anomaly", TODAY + dt.timedelta(days=5), "system")
        assert s.scalar(select(func.count()).select_from(CaseMessage).where(CaseMessage.case_id == c.id)) == 1


def test_the_person_reads_our_notes_and_caseworkers_in_their_export_and_retention_blanks_the_notes(db_url, fund):
    from caisse.services import gdpr

    with session_scope(db_url) as s:
        notes.add(s, staff(fund, "sophie"), fund["ana"], "office", "in", TODAY, "Came with the tax assessment", TODAY)
        caseworkers.assign(s, MANAGER, fund["ana"], "sophie", TODAY)
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, fund["ana"])
        assert [n["summary"] for n in data["contact_notes"]] == ["Came with the tax assessment"]
        assert [c["account_id"] for c in data["caseworkers"]] == [fund["sophie"]]
        gdpr._pseudonymise_traces(s, fund["ana"], "x1")
    with session_scope(db_url) as s:
        assert s.scalar(select(ContactNote.summary)) == gdpr.PSEUDONYMISED
