"""Logs never contain national numbers, IBANs or incomes: the app runs under a real uvicorn (access log on),
a caseworker creates and reads files, searches by national number, simulates a contribution on an income;
every log record of the process (ours, uvicorn's, libraries') is captured and scanned."""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from caisse.demo.identities import make_iban, make_niss
from caisse.security import logmask
from support.web import form_login, log_in, make_account

INCOME = "48213.57"
INCOME_SHAPES = ("48213.57", "48213,57", "4821357", "48 213,57", "48.213,57")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(app_for):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app_for, host="127.0.0.1", port=port, log_config=None,
                                           log_level="debug", access_log=True, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def _digits(text: str) -> str:
    return re.sub(r"[.\s/_+-]|%20|%2F", "", text)


def leaks(text: str, nisses: list[str], ibans: list[str]) -> list[str]:
    found = []
    if re.search(r"(?<![0-9])[0-9]{11}(?![0-9])", text):
        found.append("an 11-digit number")
    if re.search(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]{3}\.[0-9]{2}", text):
        found.append("a formatted NISS")
    if re.search(r"\b[A-Z]{2}[0-9]{2}(?:\s?[0-9A-Z]{4}){3,7}", text):
        found.append("an IBAN")
    compact = _digits(text)
    found += [f"NISS {n[:6]}…" for n in nisses if n in compact]
    found += [f"IBAN {i[:4]}…" for i in ibans if i in compact]
    found += [f"income {s}" for s in INCOME_SHAPES if s in text]
    return found


def test_a_working_session_leaves_no_national_number_iban_or_income_in_the_logs(live, db_url, caplog):
    caplog.set_level(logging.DEBUG)
    niss, iban = make_niss(dt.date(1985, 7, 30), 33), make_iban("096", 1234)
    login, secret = make_account(db_url, "caseworker", team="t1")
    with httpx.Client(base_url=live) as api, httpx.Client(base_url=live) as desk:
        log_in(api, login, secret)
        # a second caseworker session for the desk (HTML form login)
        login2, secret2 = make_account(db_url, "caseworker", team="t1")
        assert form_login(desk, login2, secret2).status_code == 303

        r = api.post("/api/persons", json={
            "niss": f"{niss[:2]}.{niss[2:4]}.{niss[4:6]}-{niss[6:9]}.{niss[9:]}", "first_name": "Ana",
            "last_name": "Peeters", "birth_date": "1985-07-30", "language": "nl", "iban": iban,
            "address": {"street": "Meir", "house_number": "1", "postal_code": "2000", "city": "Antwerpen"}})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        assert api.get(f"/api/persons/{pid}").status_code == 200
        aff = api.post("/api/affiliations", json={"person_id": pid, "start_date": "2026-01-01", "category": "main",
                                                  "requested_on": "2025-12-01"})
        assert aff.status_code == 201, aff.text
        assert api.get(f"/api/affiliations/{aff.json()['id']}/certificate.pdf").status_code == 200
        later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        assert api.put(f"/api/persons/{pid}/address", params={"effective": later}, json={
            "street": "Rue", "house_number": "2", "postal_code": "1000", "city": "Bruxelles"}).status_code == 200
        # bad input echoing the number back to the caller, never to the log
        bad = api.post("/api/persons", json={"niss": niss[:-1] + str((int(niss[-1]) + 1) % 10), "first_name": "X",
                                             "last_name": "Y", "birth_date": "1985-07-30", "language": "nl",
                                             "address": {"street": "a", "house_number": "1", "postal_code": "1000",
                                                         "city": "B"}})
        assert bad.status_code == 422
        # the desk: search by national number (in the query string: uvicorn's access log writes it) and read
        for q in (niss, f"{niss[:6]}-{niss[6:9]}.{niss[9:]}", f"{niss[:6]} {niss[6:9]} {niss[9:]}", iban):
            assert desk.get("/desk/search", params={"q": q}).status_code == 200
        assert desk.get(f"/desk/files/{pid}").status_code == 200
        assert api.get(f"/api/persons/{pid}").status_code == 200
        sim = api.post("/api/simulate/contribution", json={"year": 2026, "category": "main", "income": INCOME})
        assert sim.status_code == 200, sim.text
        # and the fund's own code logging carelessly
        logging.getLogger("caisse.careless").warning("looked up %s paying from %s", niss, iban)
        try:
            raise ValueError(f"no file for {niss}")
        except ValueError:
            logging.getLogger("caisse.careless").exception("failed")

    access = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert len(access) >= 12, "uvicorn's access log was not captured"
    assert any("/desk/search?q=" in r.getMessage() for r in access)
    problems = []
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        found = leaks(text, [niss], [iban])
        if found:
            problems.append(f"{record.name}: {found}: {logmask.mask(text)[:120]}")
    assert not problems, "\n".join(problems)
    assert not leaks(caplog.text, [niss], [iban])


def test_the_scanner_itself_finds_what_it_must():
    niss, iban = make_niss(__import__("datetime").date(1990, 1, 2), 45), make_iban("001", 7)
    assert leaks(f"GET /desk/search?q={niss}", [niss], [iban])
    assert leaks(f"q={niss[:2]}.{niss[2:4]}.{niss[4:6]}-{niss[6:9]}.{niss[9:]}", [niss], [iban])
    assert leaks(f"pays from {iban[:4]} {iban[4:8]} {iban[8:12]} {iban[12:]}", [niss], [iban])
    assert leaks(f"income {INCOME}", [], [])
    assert not leaks("GET /api/persons/12 HTTP/1.1 200 at 127.0.0.1:54321", [niss], [iban])
    assert not leaks(logmask.mask(f"{niss} {iban}"), [niss], [iban])


@pytest.mark.parametrize("text, masked", [
    ("GET /desk/search?q=85073003328 HTTP/1.1", "GET /desk/search?q=[NISS] HTTP/1.1"),
    ("q=85.07.30-033.28&x=1", "q=[NISS]&x=1"),
    ("q=850730+033+28", "q=[NISS]"),
    ("q=850730%20033%2028", "q=[NISS]"),
    ("GET /desk/search?q=BE71096123456769 HTTP/1.1", "GET /desk/search?q=[IBAN] HTTP/1.1"),
    ("iban BE71 0961 2345 6769.", "iban [IBAN]."),
    ("NL91ABNA0417164300", "[IBAN]"),
    ("127.0.0.1:54321 - GET /api/persons/12 HTTP/1.1 200", "127.0.0.1:54321 - GET /api/persons/12 HTTP/1.1 200"),
    ("+++090/9337/55493+++ 2026-11-24 10:00:00,123", "+++090/9337/55493+++ 2026-11-24 10:00:00,123"),
])
def test_mask_shapes(text, masked):
    assert logmask.mask(text) == masked


@pytest.mark.parametrize("line, token, secret", [
    ("GET /desk/search?q=be71096123456769 HTTP/1.1", "[IBAN]", "096123456769"),  # typed in lower case
    ("GET /desk/search?q=85-07-30%2D033-28 HTTP/1.1", "[NISS]", "033"),  # percent-encoded separators
    ("GET /desk/search?q=85.07.30-033.28 HTTP/1.1", "[NISS]", "033"),
    ("GET /desk/search?q=BE71%200961%202345%206769 HTTP/1.1", "[IBAN]", "2345"),
])
def test_the_mask_catches_the_forms_people_type(line, token, secret):
    from caisse.security.logmask import mask

    masked = mask(line)
    assert token in masked and secret not in masked
