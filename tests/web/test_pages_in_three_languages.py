"""A page in French, Dutch or German has no English on it: the portal's and the desk's main pages of a demo fund
(the demo logins, two years of its calendar) are read in the three languages, and any piece of text with English
words (``support.english``) fails the test — except what the fund shows as it was written (a note, a message, a
stored ledger description), listed in ``stored_texts`` and ``STILL_ENGLISH`` below."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.cases.models import Case, CaseMessage, ContactNote
from caisse.collection.models import ReconciliationItem
from caisse.config import Settings
from caisse.demo.accounts import create_demo_accounts
from caisse.demo.calendar import run_calendar
from caisse.demo.generator import generate, load
from caisse.recovery.models import RecoveryFile, RecoveryStep, ReliefRequest
from caisse.store.db import engine_for, session_scope
from caisse.store.models import Account
from caisse.web.app import create_app
from support.english import english

TODAY = dt.date.today()
LIFE_EVENTS = ("starting", "family", "ill", "cannot_pay", "stopping", "retiring")

#: English the fund still writes into what it stores, shown as stored (to translate: store a key and its values, as
#: caisse.texts does for the advice and the refusals) — the cases the system opens about a failed batch. (The
#: ledger's lines are worded in the page's language by caisse.ledger.statement.line_text.)
STILL_ENGLISH = [re.compile(p) for p in (
    r"^(The batch|Batch) [a-z-]+/",
)]


def stored_texts(db_url) -> set[str]:
    """What people (and the fund's own steps) wrote and the pages show as written: messages, notes, reasons."""
    with session_scope(db_url) as s:
        texts = set()
        for column in (Case.subject, CaseMessage.body, ContactNote.summary, RecoveryStep.reason,
                       ReliefRequest.grounds, ReliefRequest.decision_reason):
            texts |= {" ".join(t.split()) for t in s.scalars(select(column).distinct()) if t}
    return texts


@pytest.fixture
def fund(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(150, seed=1, as_of=TODAY))
    with session_scope(db_url) as s:
        create_demo_accounts(s, TODAY)
    run_calendar(db_url, TODAY, 1)
    with session_scope(db_url) as s:
        person = s.scalar(select(Account.party_id).where(Account.login == "demo-affiliate"))
        # (PostgreSQL: a DISTINCT query orders only by what it selects)
        debtors = list(dict.fromkeys(s.scalars(select(RecoveryFile.party_id).order_by(RecoveryFile.stage,
                                                                                      RecoveryFile.party_id))))
        case = s.scalar(select(Case.id).where(Case.party_id.is_not(None)).order_by(Case.id))
        own_case = s.scalar(select(Case.id).where(Case.party_id == person).order_by(Case.id))
        item = s.scalar(select(ReconciliationItem.id).order_by(ReconciliationItem.id))
    return {"person": person, "debtors": debtors[:: max(1, len(debtors) // 2)][:2], "case": case,
            "own_case": own_case, "item": item}


def pages(fund) -> dict[str, list[str]]:
    p = fund["person"]
    mine = [f"/my/files/{p}", f"/my/files/{p}/account", "/my/documents", "/my/requests",
            f"/my/files/{p}/payment-plan", f"/my/files/{p}/mandate", f"/my/files/{p}/rights",
            f"/my/files/{p}/summary?year={TODAY.year - 1}", "/account/password", "/simulator?income=30000",
            *[f"/my/files/{p}/life/{e}" for e in LIFE_EVENTS]]
    if fund["own_case"]:
        mine.append(f"/my/requests/{fund['own_case']}")
    desk = ["/", "/desk/queue", "/desk/dashboard", "/desk/approvals", "/desk/benefits", "/desk/recovery",
            "/desk/reconciliation", f"/desk/files/{p}", "/desk/search?q=an",
            *[f"/desk/files/{d}/recovery" for d in fund["debtors"]]]
    if fund["case"]:
        desk.append(f"/desk/cases/{fund['case']}")
    if fund["item"]:
        desk.append(f"/desk/reconciliation/{fund['item']}")
    return {"demo-affiliate": ["/", *mine], "demo-manager": desk}


def test_the_main_pages_have_no_english_in_french_dutch_or_german(fund, db_url, tmp_path):
    app = create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "exchange"), demo_mode=True))
    stored = stored_texts(db_url)
    found: dict[str, set[str]] = {}
    for login, paths in pages(fund).items():
        for language in ("fr", "nl", "de"):
            with TestClient(app) as c:
                r = c.post("/api/session", json={"login": login, "password": login})
                assert r.status_code == 200, r.text
                c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
                # chosen on the first page, kept on the account (a logged-in person's pages are in their language)
                c.get(paths[0], params={"lang": language}, headers={"accept": "text/html"})
                for path in paths:
                    page = c.get(path, headers={"accept": "text/html"})
                    assert f'<html lang="{language}">' in page.text, (path, language)
                    assert page.status_code == 200, (path, page.status_code)
                    for piece in english(page.text):
                        if piece in stored or any(p.search(piece) for p in STILL_ENGLISH):
                            continue
                        found.setdefault(piece, set()).add(f"{language} {path}")
    with TestClient(app) as c:
        for language in ("fr", "nl", "de"):
            for path in ("/login", "/public/service", "/password-reset"):
                for piece in english(c.get(path, params={"lang": language}).text):
                    found.setdefault(piece, set()).add(f"{language} {path}")
    assert not found, "English on the page:\n" + "\n".join(f"{sorted(w)[:2]}: {t[:160]}" for t, w in found.items())
