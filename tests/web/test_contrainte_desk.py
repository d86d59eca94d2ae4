"""The dates of the formal notice and of the contrainte on the desk (they were command-line only): a recovery officer
records the day the registered letter was presented (the debtor's month, art. 46, runs from it), the day the bailiff
served the contrainte (the month of opposition, art. 47bis §5, runs from it: the page says from when it is
enforceable) and the debtor's opposition (the file goes to court). Each refusal is the service's own, in the form
that was sent, in the page's language, nothing written."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.recovery import service as recovery
from caisse.recovery.models import RecoveryHandoverLine
from caisse.recovery.partners import add_partner, handover
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Party
from support.web import form_login, make_account

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))
from fund import Fund  # noqa: E402

CLERK = Principal.system("test")


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def page_client(app_for, db_url, role, language="en", **kw):
    login, secret = make_account(db_url, role, **kw)
    c = TestClient(app_for, headers={"accept-language": language})
    assert form_login(c, login, secret).status_code == 303
    return c


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def writes(db_url) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action != "read"))


@pytest.fixture
def ana(db_url, tmp_path):
    """Ana (team t1) did not pay 2026Q1: formal notice of 16 June 2026, called, contrainte issued on 5 August,
    handed to a bailiff on 7 August to be served."""
    fund = Fund(db_url)
    ana = fund.person(category="main", start=d("2025-01-01"), language="fr")
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == ana).values(team="t1"))
        add_partner(s, CLERK, "HUI-LIEGE", "bailiff", "Maître Lambert, huissier de justice",
                    "Rue Féronstrée 2; 4000 Liège", "lambert@huissier.example", "fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for day in ("2026-04-16", "2026-05-16", "2026-06-16"):
        batch.run(db_url, d(day))
    return ana


def to_bailiff(db_url, ana, tmp_path):
    batch.run(db_url, d("2026-07-17"))
    with session_scope(db_url) as s:
        recovery.log_contact(s, CLERK, ana, d("2026-07-20"), "called: cannot pay")
    batch.run(db_url, d("2026-08-05"))
    batch.run(db_url, d("2026-08-06"))
    handover(db_url, d("2026-08-07"), tmp_path, CLERK)


def test_the_presentation_of_the_formal_notice_is_recorded_on_the_desk(app_for, db_url, ana):
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "the debtor may contest or ask payment terms until" in page.text
        assert f'action="/desk/files/{ana}/recovery/notice-presented"' in page.text
        before = writes(db_url)
        for value, words in (("", "Presented on: a date is required"),
                             ("2026-06-10", "Presented on: 2026-06-10 is before the formal notice (2026-06-16)"),
                             ((dt.date.today() + dt.timedelta(1)).isoformat(), "is in the future")):
            r = c.post(f"/desk/files/{ana}/recovery/notice-presented",
                       data={"csrf_token": csrf_of(page), "presented_on": value})
            assert r.status_code == 422 and words in r.text, r.text[-2000:]
            assert 'id="presented_on"' in r.text and 'aria-invalid="true"' in r.text
        assert writes(db_url) == before
        r = c.post(f"/desk/files/{ana}/recovery/notice-presented",
                   data={"csrf_token": csrf_of(page), "presented_on": "2026-06-19"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("#contrainte")
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "until 19/07/2026" in page.text or "until 7/19/26" in page.text or "19 Jul" in page.text \
            or "Jul 19, 2026" in page.text, page.text
    with session_scope(db_url) as s:
        assert recovery.file_of(s, ana).notice_presented_on == d("2026-06-19")


def test_the_service_and_the_opposition_of_the_contrainte_are_recorded_on_the_desk(app_for, db_url, ana, tmp_path):
    to_bailiff(db_url, ana, tmp_path)
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "with the bailiff to be served" in page.text
        assert f'action="/desk/files/{ana}/recovery/served"' in page.text
        assert f'action="/desk/files/{ana}/recovery/opposition"' not in page.text  # nothing to oppose yet
        before = writes(db_url)
        for value, words in (("2026-02-30", "Served on: a date is required"),
                             ("2026-08-01", "Served on: 2026-08-01 is before the contrainte was issued (2026-08-05)"),
                             ((dt.date.today() + dt.timedelta(1)).isoformat(), "is in the future")):
            r = c.post(f"/desk/files/{ana}/recovery/served", data={"csrf_token": csrf_of(page), "served_on": value})
            assert r.status_code == 422 and words in r.text, r.text[-2000:]
        assert writes(db_url) == before
        r = c.post(f"/desk/files/{ana}/recovery/served", data={"csrf_token": csrf_of(page),
                                                               "served_on": "2026-08-31"}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "opposition possible until" in page.text and "the bailiff may execute" in page.text  # since 1 Oct
        assert f'action="/desk/files/{ana}/recovery/served"' not in page.text

        r = c.post(f"/desk/files/{ana}/recovery/opposition", data={
            "csrf_token": csrf_of(page), "opposed_on": "2026-08-30", "note": "citation 26/1234"})
        assert r.status_code == 422 and "Opposition on: 2026-08-30 is before the service of the contrainte" in r.text
        r = c.post(f"/desk/files/{ana}/recovery/opposition", data={
            "csrf_token": csrf_of(page), "opposed_on": "2026-09-28", "note": ""})
        assert r.status_code == 422 and "Reason: say why" in r.text and 'id="opposition-note"' in r.text
        assert writes(db_url) == before + 1  # the service only
        r = c.post(f"/desk/files/{ana}/recovery/opposition", data={
            "csrf_token": csrf_of(page), "opposed_on": "2026-09-28", "note": "citation 26/1234"},
            follow_redirects=False)
        assert r.status_code == 303
    with session_scope(db_url) as s:
        assert recovery.file_of(s, ana).stage == "court"
        line = s.scalar(select(RecoveryHandoverLine))
        assert (line.served_on, line.opposed_on) == (d("2026-08-31"), d("2026-09-28"))


def test_the_contrainte_block_speaks_the_readers_language(app_for, db_url, ana, tmp_path):
    to_bailiff(db_url, ana, tmp_path)
    with session_scope(db_url) as s:
        recovery.record_service(s, CLERK, ana, d("2026-08-31"), d("2026-09-01"))
    for lang, words in (("fr", "Exécutoire depuis le"), ("nl", "Uitvoerbaar sinds"), ("de", "Vollstreckbar seit")):
        with page_client(app_for, db_url, "recovery_officer", language=lang, team="t1") as c:
            page = c.get(f"/desk/files/{ana}/recovery")
            assert page.status_code == 200 and words in page.text
            r = c.post(f"/desk/files/{ana}/recovery/opposition", data={
                "csrf_token": csrf_of(page), "opposed_on": "2026-08-01", "note": "x"})
            assert r.status_code == 422
            assert {"fr": "Opposition le", "nl": "Verzet op", "de": "Einspruch am"}[lang] in r.text


def test_an_auditor_reads_the_contrainte_but_records_nothing_and_the_overview_counts_it_enforceable(
        app_for, db_url, ana, tmp_path):
    to_bailiff(db_url, ana, tmp_path)
    with page_client(app_for, db_url, "auditor") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "with the bailiff to be served" in page.text and "/recovery/served" not in page.text
    with session_scope(db_url) as s:
        recovery.record_service(s, CLERK, ana, d("2026-08-31"), d("2026-09-01"))
    batch.run(db_url, d("2026-10-05"))  # the month of opposition ended on 30 September: enforceable from 1 October
    with page_client(app_for, db_url, "auditor") as c:
        page = c.get("/desk/recovery", params={"as_of": "2026-10-05"})
        row = re.search(r"of which the contrainte is enforceable[^<]*</th><td class=\"num\">(\d+)<", page.text)
        assert row and row.group(1) == "1", page.text
        history = c.get(f"/desk/files/{ana}/recovery").text
        assert "contrainte enforceable: no opposition within the month of its service" in history
