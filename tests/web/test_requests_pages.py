"""A person asks a question in the portal; the caseworker sees it in the work queue, answers; the person reads it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from caisse.store.db import session_scope
from support.people import register_someone
from support.web import form_login, make_account


def csrf_of(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def test_question_answer_round_trip(app_for, db_url):
    with session_scope(db_url) as s:
        person = register_someone(s)
        person.party.team = "t1"
        pid = person.id
    aff_login, _ = make_account(db_url, "affiliate", party_id=pid, language="en")
    cw_login, cw_secret = make_account(db_url, "caseworker", team="t1")
    en = {"accept-language": "en"}
    with TestClient(app_for, headers=en) as person_c, TestClient(app_for, headers=en) as staff_c:
        form_login(person_c, aff_login, None)
        page = person_c.get("/my/requests")
        assert "No request yet." in page.text
        r = person_c.post("/my/requests", data={"csrf_token": csrf_of(page.text), "file": pid, "kind": "question",
                                                "subject": "When is Q1 due?", "body": "Hello"},
                          follow_redirects=False)
        assert r.status_code == 303
        case_url = r.headers["location"]
        case_id = int(case_url.rsplit("/", 1)[1])

        form_login(staff_c, cw_login, cw_secret)
        queue = staff_c.get("/desk/queue")
        assert "When is Q1 due?" in queue.text
        case_page = staff_c.get(f"/desk/cases/{case_id}")
        closing = staff_c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(case_page.text),
                                                               "action": "close"})
        assert closing.status_code == 409 and "cannot be closed before an answer" in closing.text
        staff_c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(case_page.text), "action": "answer",
                                                     "body": "On 31 March."})
        assert "answered" in staff_c.get(f"/desk/cases/{case_id}").text

        mine = person_c.get(case_url)
        assert "On 31 March." in mine.text and "From the fund" in mine.text


def test_a_request_without_subject_is_refused_and_nothing_is_opened(app_for, db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
    login, _ = make_account(db_url, "affiliate", party_id=pid, language="en")
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, login, None)
        page = c.get("/my/requests")
        r = c.post("/my/requests", data={"csrf_token": csrf_of(page.text), "file": pid, "kind": "question",
                                         "subject": " ", "body": "Hello"})
        assert "Subject: is required" in r.text
    from sqlalchemy import func, select

    from caisse.cases.models import Case

    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_the_funds_own_task_on_a_file_is_not_the_persons_request(app_for, db_url):
    """The recovery officer's "call this person" task (internal notes only) is the fund's work on the file: the
    person's requests page does not list it and its page is refused like another file's case; once the fund writes
    to the person in it, the person sees it."""
    import datetime as dt

    from caisse.cases import service as cases
    from caisse.security.authz import Principal

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        task = cases.open_file_cases_in_bulk(s, Principal.system("recovery"), "recovery_contact",
                                             [(pid, "Call before the enforcement order", "Owes 2026Q1")],
                                             dt.date(2026, 5, 5))[pid]
    login, _ = make_account(db_url, "affiliate", party_id=pid, language="en")
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, login, None)
        page = c.get("/my/requests")
        assert "No request yet." in page.text and "Call before the enforcement order" not in page.text
        assert "Call before the enforcement order" not in c.get("/").text  # nor among the home's open requests
        assert c.get(f"/my/requests/{task}").status_code == 403
        assert c.get(f"/my/requests/{task + 1000}").status_code == 403  # alike an id that does not exist
        with session_scope(db_url) as s:
            cases.write(s, Principal.system("recovery"), task, "We tried to call you: please call us back.",
                        dt.date(2026, 5, 6))
        assert "Call before the enforcement order" in c.get("/my/requests").text
        assert "please call us back" in c.get(f"/my/requests/{task}").text
