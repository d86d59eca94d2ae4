"""The desk's 360° file, contact notes, the named caseworker, the work queue's filters and the reconciliation
desk, through the real pages: staff only, another team's file only with a reason, every read audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.cases import service as cases
from caisse.cases.models import Case, ContactNote
from caisse.demo.generator import generate, load
from caisse.security.authz import Principal
from caisse.store.db import engine_for, session_scope
from caisse.store.models import Account, AuditLog, Party
from support.web import csrf_of, form_login, logged_in, make_account, park_a_payment

SYSTEM = Principal.system("test")


@pytest.fixture
def fund(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(120, seed=5, as_of=dt.date.today()))
    with session_scope(db_url) as s:
        mine = s.get(Party, 1).team
        other = s.scalar(select(Party.id).where(Party.team != mine).order_by(Party.id))
    return {"team": mine, "other_file": other}


@pytest.fixture
def desk(app_for, db_url, fund):
    c, _login = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    with c:
        yield c


def test_the_360_file_shows_every_section_and_its_read_is_audited(desk, db_url):
    page = desk.get("/desk/files/1")
    assert page.status_code == 200
    for section in ("Affiliation 1", "Account period by period", "Documents sent", "Cases", "Recovery",
                    "Contacts and notes", "Caseworker", "No named caseworker yet"):
        assert section in page.text, section
    with session_scope(db_url) as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.action == "read", AuditLog.party_id == 1)).all()
        assert {r.entity for r in reads} == {"file", "file_360"}
        assert "contact notes" in next(r for r in reads if r.entity == "file_360").detail["what"]


def test_a_caseworker_adds_a_phone_note_and_sees_it_first(desk, db_url):
    page = desk.get("/desk/files/1")
    r = desk.post("/desk/files/1/notes", data={"csrf_token": csrf_of(page), "channel": "phone", "direction": "in",
                                               "happened_on": dt.date.today().isoformat(),
                                               "summary": "Asked about the Q4 due date; told 31 December"},
                  follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/desk/files/1#contacts"
    desk.post("/desk/files/1/notes", data={"csrf_token": csrf_of(page), "channel": "note",
                                           "summary": "Prefers calls after 16:00"})
    shown = desk.get("/desk/files/1").text
    assert shown.index("Prefers calls after 16:00") < shown.index("Asked about the Q4 due date")
    phone_only = desk.get("/desk/files/1", params={"channel": "phone"}).text
    assert "Asked about the Q4" in phone_only and "Prefers calls" not in phone_only
    assert desk.get("/desk/files/1", params={"channel": "pigeon"}).status_code == 422


def test_a_note_without_the_csrf_token_or_with_bad_input_writes_nothing(desk, db_url):
    assert desk.post("/desk/files/1/notes", data={"channel": "phone", "summary": "x"}).status_code == 403
    page = desk.get("/desk/files/1")
    bad = desk.post("/desk/files/1/notes", data={"csrf_token": csrf_of(page), "channel": "phone",
                                                 "happened_on": "2999-01-01", "summary": "From the future"})
    assert bad.status_code == 422 and "happened_on" in bad.text and "From the future" in bad.text  # kept
    with session_scope(db_url) as s:
        assert s.scalars(select(ContactNote)).all() == []


def test_another_teams_file_and_its_notes_need_a_reason_first(desk, db_url, fund):
    other = fund["other_file"]
    ask = desk.get(f"/desk/files/{other}", headers={"accept": "text/html"})
    assert ask.status_code == 403 and "Why do you need this file?" in ask.text
    r = desk.post(f"/desk/files/{other}/notes", data={"csrf_token": csrf_of(ask), "channel": "phone",
                                                      "summary": "Called"}, headers={"accept": "text/html"})
    assert r.status_code == 403 and "Why do you need this file?" in r.text
    assert f'name="next" value="/desk/files/{other}"' in r.text  # back to the file, not to the POST
    desk.post("/desk/need-to-know", data={"csrf_token": csrf_of(ask), "party_id": other, "reason_kind": "contact",
                                          "reason": "the person phoned our office", "next": f"/desk/files/{other}"})
    assert desk.get(f"/desk/files/{other}").status_code == 200
    with session_scope(db_url) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.entity == "file_360", AuditLog.party_id == other)
            .order_by(AuditLog.id))
        assert row.reason == "contact: the person phoned our office"


def test_an_affiliate_gets_no_desk_page(app_for, db_url, fund):
    c, _ = logged_in(app_for, db_url, "affiliate", party_id=1)
    with c:
        for path in ("/desk/files/1", "/desk/queue", "/desk/reconciliation", "/desk/reconciliation/1"):
            assert c.get(path).status_code == 403, path
        page = c.get("/")
        assert c.post("/desk/files/1/notes", data={"csrf_token": csrf_of(page), "channel": "phone",
                                                   "summary": "x"}).status_code == 403
        assert c.post("/desk/files/1/caseworker", data={"csrf_token": csrf_of(page), "account": 1}).status_code == 403


def test_a_manager_names_the_caseworker_the_affiliate_sees_them(app_for, db_url, fund):
    cw_login, _ = make_account(db_url, "caseworker", team=fund["team"])
    with session_scope(db_url) as s:
        from caisse.services import caseworkers

        caseworkers.set_contact(s, SYSTEM, cw_login, name="Sophie Lambert", phone="+32 2 555 01 01",
                                email="sophie@fund.test")
        cw_id = s.scalar(select(Account.id).where(Account.login == cw_login))
    boss, _ = logged_in(app_for, db_url, "manager")
    with boss:
        page = boss.get("/desk/files/1")
        assert "Assign a caseworker" in page.text and f'value="{cw_id}"' in page.text
        r = boss.post("/desk/files/1/caseworker", data={"csrf_token": csrf_of(page), "account": cw_id},
                      follow_redirects=False)
        assert r.status_code == 303
        again = boss.post("/desk/files/1/caseworker", data={"csrf_token": csrf_of(page), "account": cw_id})
        assert again.status_code == 409
    person, _ = logged_in(app_for, db_url, "affiliate", party_id=1)
    with person:
        home = person.get("/").text
        assert "Sophie Lambert" in home and "+32 2 555 01 01" in home and "sophie@fund.test" in home
    caseworker, _ = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    with caseworker:
        assert "Assign a caseworker" not in caseworker.get("/desk/files/1").text


def test_the_queue_filters_and_a_case_is_handed_over(app_for, db_url, fund):
    today = dt.date.today()
    with session_scope(db_url) as s:
        q = cases.open_case(s, SYSTEM, 1, "question", "A question", "body", today, channel="phone")
        cases.open_case(s, SYSTEM, 1, "complaint", "A complaint", "body", today - dt.timedelta(days=100),
                        channel="phone")
        case_id = q.id
    c, login = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    colleague, _ = make_account(db_url, "caseworker", team=fund["team"])
    with c:
        page = c.get("/desk/queue")
        assert page.status_code == 200 and page.text.index("A complaint") < page.text.index("A question")
        assert re.search(r"overdue by \d+ days", page.text)
        only = c.get("/desk/queue", params={"kind": "question"}).text
        assert "A question" in only and "A complaint" not in only
        assert c.get("/desk/queue", params={"kind": "gossip"}).status_code == 422
        assert c.get("/desk/queue", params={"holder": "drop table"}).status_code == 422
        case_page = c.get(f"/desk/cases/{case_id}")
        c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(case_page), "action": "take"})
        assert "A question" in c.get("/desk/queue", params={"holder": "me"}).text
        with session_scope(db_url) as s:
            other_id = s.scalar(select(Account.id).where(Account.login == colleague))
        case_page = c.get(f"/desk/cases/{case_id}")
        assert "Give this case to" in case_page.text
        r = c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(case_page), "action": "assign",
                                                  "account": other_id}, follow_redirects=False)
        assert r.status_code == 303
    with session_scope(db_url) as s:
        assert s.get(Case, case_id).assigned_to == other_id


def test_the_reconciliation_desk_lists_lines_masked_and_books_one(app_for, db_url, fund):
    park_a_payment(db_url)
    c, _ = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    with c:
        page = c.get("/desk/reconciliation")
        assert page.status_code == 200 and "J. PAYER" in page.text and "BE62510007547061" not in page.text
        item = re.search(r'href="/desk/reconciliation/(\d+)"', page.text).group(1)
        detail = c.get(f"/desk/reconciliation/{item}")
        assert "Book it on a debtor" in detail.text
        bad = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": csrf_of(detail), "action": "assign",
                                                           "debtor": "1", "period": "20xx"})
        assert bad.status_code == 422 and "period" in bad.text
        r = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": csrf_of(detail), "action": "assign",
                                                         "debtor": "1"}, follow_redirects=False)
        assert r.status_code == 303
        assert "assigned" in c.get(f"/desk/reconciliation/{item}").text
    with session_scope(db_url) as s:
        assert s.scalar(select(Case.status).where(Case.kind == "unmatched_payment")) == "closed"


def test_the_demo_caseworker_is_named_on_the_files_of_their_team(app_for, db_url, fund):
    from caisse.demo.accounts import create_demo_accounts
    from caisse.services import caseworkers

    with session_scope(db_url) as s:
        create_demo_accounts(s, dt.date.today())
        affiliate = s.scalar(select(Account).where(Account.login == "demo-affiliate"))
        team = s.get(Party, affiliate.party_id).team
        files_of_team = s.scalars(select(Party.id).where(Party.team == team)).all()
        assert {caseworkers.current(s, pid)[1].login for pid in files_of_team} == {"demo-caseworker"}
        other = s.scalar(select(Party.id).where(Party.team != team).limit(1))
        assert caseworkers.current(s, other) is None
    app_for.state.settings = app_for.state.settings.model_copy(update={"demo_mode": True})
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        assert form_login(c, "demo-affiliate", None, password="demo-affiliate").status_code == 303
        home = c.get("/").text
        assert "Sophie Lambert" in home and "sophie.lambert@demo.invalid" in home


def test_the_360_file_shows_the_recovery_stage_the_plan_and_the_letters_sent(desk, db_url):
    from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment, RecoveryFile, RecoveryStep

    today = dt.date.today()
    with session_scope(db_url) as s:
        rf = RecoveryFile(party_id=1, cycle=1, stage="plan", stage_since=today, opened_on=today)
        s.add(rf)
        s.flush()
        s.add(RecoveryStep(key="t/1", file_id=rf.id, party_id=1, cycle=1, event="stage", from_stage=None,
                           to_stage="reminder", on=today - dt.timedelta(days=40), actor="batch",
                           reason="principal unpaid", amount_cents=150_000, language="fr", letter="reminder"))
        plan = PaymentPlan(party_id=1, status="active", requested_on=today, debt_cents=150_000,
                           down_payment_cents=30_000, months=4, reason="cash flow", requested_by="cw")
        s.add(plan)
        s.flush()
        s.add(PaymentPlanInstalment(plan_id=plan.id, seq=0, due_date=today, amount_cents=30_000))
    page = desk.get("/desk/files/1")
    assert page.status_code == 200
    text = page.text
    assert "payment plan" in text and "in force" in text and "Reminder letter" in text and "Instalments" in text


@pytest.mark.parametrize(("language", "broken", "contact"), [
    ("fr", "échéance 2 du 20 juin 2026 (300,00 EUR) toujours impayée après 15 jours de grâce : plan rompu, le "
           "recouvrement reprend à l'étape relevé de compte",
     "contact personnel noté le 2 oct. 2026 ; rien n'a été payé"),
    ("nl", "afbetaling 2 van 20 jun 2026 (300,00 EUR) nog onbetaald na 15 respijtdagen: plan vervallen, de invordering "
           "hervat bij rekeningoverzicht",
     "persoonlijk contact geregistreerd op 2 okt 2026; niets betaald"),
    ("de", "Rate 2 vom 20.06.2026 (300,00 EUR) nach 15 Tagen Nachfrist noch unbezahlt: Plan verfallen, die "
           "Beitreibung wird ab der Stufe Kontoübersicht fortgesetzt",
     "persönlicher Kontakt am 02.10.2026 erfasst; nichts bezahlt"),
])
def test_the_recovery_history_shows_the_batches_reasons_in_the_caseworkers_language(app_for, db_url, fund, language,
                                                                                      broken, contact):
    """A step the batch writes now (its code and values), one written before the codes (English only) and a
    handler's own words: the first two in the caseworker's language, on the 360° file and the recovery page; the
    handler's words as written."""
    import html

    from caisse.recovery.models import RecoveryFile, RecoveryStep
    from caisse.recovery.step_reasons import reason

    today = dt.date.today()
    with session_scope(db_url) as s:
        rf = RecoveryFile(party_id=1, cycle=1, stage="enforcement", stage_since=today, opened_on=today)
        s.add(rf)
        s.flush()
        common = {"file_id": rf.id, "party_id": 1, "cycle": 1, "amount_cents": 59_042, "language": "fr"}
        s.add_all([
            RecoveryStep(key="t/1", event="plan_broken", from_stage="plan", to_stage="statement",
                         on=dt.date(2026, 7, 10), actor="batch:recovery", **common,
                         **reason("plan_broken", seq=2, due=dt.date(2026, 6, 20), amount=30_000, grace=15,
                                  stage="statement")),
            RecoveryStep(key="t/2", event="stage", from_stage="personal_contact", to_stage="enforcement",
                         on=dt.date(2026, 10, 20), actor="batch:recovery", **common,
                         reason="personal contact logged on 2026-10-02; nothing paid"),  # before the codes
            RecoveryStep(key="t/3", event="stage", from_stage="enforcement", to_stage="enforcement",
                         on=dt.date(2026, 10, 21), actor="marc", reason="she will not pay, says so by phone",
                         **common)])
    with session_scope(db_url) as s:
        stored = s.scalar(select(RecoveryStep).where(RecoveryStep.key == "t/1"))
        assert stored.reason == ("instalment 2 of 2026-06-20 (300.00 EUR) still unpaid after 15 days of grace: plan "
                                 "broken, recovery resumes at statement")
    c, _login = logged_in(app_for, db_url, "caseworker", team=fund["team"], language=language)
    with c:
        for url in ("/desk/files/1", "/desk/files/1/recovery"):
            page = html.unescape(c.get(url).text)
            assert broken in page and contact in page, url
            assert "she will not pay, says so by phone" in page
            assert "still unpaid after" not in page and "nothing paid" not in page
