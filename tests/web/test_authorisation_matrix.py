"""Who may do what: for every API route and page, for every role, the expected allow / deny.

The fund: file A (team t1) is the affiliate's own file, the accountant holds a mandate for it; file B
(team t2) belongs to somebody else. Every route that takes an id is tried on B by the affiliate and the
accountant (IDOR: changing the id in the URL must never give access), and by a caseworker of t1 (need to
know: a reason is required to read, and no change is allowed on another team's file).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from caisse.demo.identities import make_iban, make_niss
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.store.db import session_scope
from support.web import log_in, make_account

ROLES = ["anonymous", "affiliate", "accountant", "caseworker", "recovery_officer", "benefits_officer", "manager",
         "auditor", "administrator"]
ALLOW, DENY, LOGIN = "allow", "deny", "login"


def _case(session, party_id):
    from caisse.cases import service as cases

    return cases.open_case(session, Principal.system("setup"), party_id, "question", "Q", "body",
                           dt.date(2026, 11, 24), channel="phone").id


def _notice(session, party_id):
    """A (nil) regularisation notice of the file: enough to build its PDF."""
    from caisse.batches.models import Notice

    n = Notice(key=f"test/regularisation/2024/{party_id}", kind="regularisation", party_id=party_id, period="2024",
               amount_cents=0, due_date=None, reference="000000000097", language="fr", batch_key="test")
    session.add(n)
    session.flush()
    return n.id


def _claim(session, party_id):
    """A carer-leave application of the file (not decided)."""
    from caisse.benefits import service as benefits

    return benefits.file_claim(session, Principal.system("setup"), party_id, "carer",
                               {"start": dt.date(2026, 10, 1), "months": 1}, dt.date(2026, 11, 24)).id


def _insurance_request(session, party_id):
    """An assimilation-for-illness request the fund prepared for the file (from an incapacity reported)."""
    from caisse.benefits import insurance_requests as ir

    return ir.propose(session, Principal.system("setup"), party_id, "illness_assimilation", dt.date(2026, 11, 2),
                      dt.date(2026, 11, 24), "").id


def _person(session, team, seq, birth):
    system = Principal(login="setup", role="system", team=team)
    data = svc.PersonInput(niss=make_niss(birth, seq), first_name="P", last_name=f"Team {team}", birth_date=birth,
                           language="fr", address=svc.AddressInput("Rue", "1", "1000", "Bruxelles"),
                           iban=make_iban("001", seq))
    person = svc.register_person(session, data, system, dt.date(2026, 11, 24))
    aff = svc.request_affiliation(session, svc.AffiliationInput(
        person_id=person.id, start_date=dt.date(2026, 1, 1), category="main", requested_on=dt.date(2025, 12, 1)),
        system)
    return person.id, aff.id


@pytest.fixture
def app_for(db_url, tmp_path):
    """The app, without the tighter per-address bucket of the eID callback and forgotten-password pages (every
    role here comes from one test address; the limiter has its own tests in test_rate_limit.py)."""
    from caisse.config import Settings
    from caisse.web.app import create_app

    return create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "exchange"),
                               rate_limit_sensitive_per_minute=0))


@pytest.fixture
def fund(db_url):
    with session_scope(db_url) as s:
        a, aff_a = _person(s, "t1", 11, dt.date(1980, 1, 1))
        b, aff_b = _person(s, "t2", 13, dt.date(1981, 2, 2))
        case_a, case_b = _case(s, a), _case(s, b)
        notice_a, notice_b = _notice(s, a), _notice(s, b)
        claim_a, claim_b = _claim(s, a), _claim(s, b)
        request_a, request_b = _insurance_request(s, a), _insurance_request(s, b)
    return {"A": a, "aff_A": aff_a, "B": b, "aff_B": aff_b, "case_A": case_a, "case_B": case_b,
            "notice_A": notice_a, "notice_B": notice_b, "claim_A": claim_a, "claim_B": claim_b,
            "request_A": request_a, "request_B": request_b}


@pytest.fixture
def clients(app_for, db_url, fund):
    made = {"anonymous": TestClient(app_for)}
    for role in ROLES[1:]:
        kw = {"team": "t1"} if role in ("caseworker", "recovery_officer", "benefits_officer") else {}
        if role == "affiliate":
            kw["party_id"] = fund["A"]
        if role == "accountant":
            kw["grants"] = [fund["A"]]
        login, secret = make_account(db_url, role, **kw)
        c = TestClient(app_for)
        log_in(c, login, secret)
        made[role] = c
    yield made
    for c in made.values():
        c.close()


PERSON_BODY = {"niss": "85.07.30-033.28", "first_name": "New", "last_name": "Person", "birth_date": "1985-07-30",
               "language": "fr", "address": {"street": "Rue", "house_number": "2", "postal_code": "1000",
                                              "city": "Bruxelles"}}
ADDRESS = {"street": "Meir", "house_number": "3", "postal_code": "2000", "city": "Antwerpen"}

# (method, path template, body, expectation per role for file A); {f} = file, {a} = its affiliation
STAFF_WRITE = {"caseworker": ALLOW, "manager": ALLOW}
TEAM_BOUND = {"caseworker": ALLOW, "recovery_officer": ALLOW, "benefits_officer": ALLOW}
HANDLERS = {"caseworker": ALLOW, "recovery_officer": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}
FORM = "__form__"
READ_A = {"affiliate": ALLOW, "accountant": ALLOW, "caseworker": ALLOW, "recovery_officer": ALLOW,
          "benefits_officer": ALLOW, "manager": ALLOW, "auditor": ALLOW}
RECOVERY_READ = {"caseworker": ALLOW, "recovery_officer": ALLOW, "manager": ALLOW, "auditor": ALLOW}
RECOVERY_ACT = {"caseworker": ALLOW, "recovery_officer": ALLOW, "manager": ALLOW}
CLAIMANTS = {"affiliate": ALLOW, "accountant": ALLOW, "caseworker": ALLOW, "benefits_officer": ALLOW,
             "manager": ALLOW}
DECIDERS = {"benefits_officer": ALLOW, "manager": ALLOW}
CASES = [
    ("GET", "/api/persons/{f}", None, READ_A),
    ("GET", "/api/affiliations/{a}", None, READ_A),
    ("GET", "/api/affiliations/{a}/certificate.pdf", None, READ_A),
    ("PUT", "/api/persons/{f}/address?effective=2026-12-01", ADDRESS,
     {"affiliate": ALLOW, "accountant": ALLOW, "caseworker": ALLOW, "manager": ALLOW}),
    ("POST", "/api/affiliations/{a}/category", {"category": "complementary", "effective": "2026-07-01"},
     STAFF_WRITE),
    ("POST", "/api/affiliations/{a}/documents", {"kind": "proof_of_main_occupation"}, STAFF_WRITE),
    ("POST", "/api/affiliations/{a}/cease", {"end_date": "2026-09-30", "reason": "stop"}, STAFF_WRITE),
    ("POST", "/api/persons", PERSON_BODY, STAFF_WRITE),
    ("POST", "/api/affiliations", {"person_id": "{f}", "start_date": "2026-01-01", "category": "main"},
     STAFF_WRITE),
    ("POST", "/api/companies", {"kbo": "0403170701", "name": "X", "legal_form": "SRL", "language": "fr",
                                "address": ADDRESS, "affiliation_start": "2024-01-01",
                                "directors": [{"person_id": "{f}", "since": "2024-01-01"}]}, STAFF_WRITE),
    ("GET", "/api/companies/{f}", None, READ_A),
    ("PUT", "/api/persons/{f}/iban", {"iban": "BE71096123456769", "effective": "2026-12-01"},
     {"affiliate": ALLOW, "accountant": ALLOW, "caseworker": ALLOW, "manager": ALLOW}),
    ("POST", "/api/persons/{f}/helping-spouse", {"self_employed_id": "{f}", "valid_from": "2026-01-01"}, STAFF_WRITE),
    ("POST", "/api/affiliations/{a}/transfer-complete", {"released_on": "2026-01-02"}, STAFF_WRITE),
    ("POST", "/api/companies/{f}/balance-sheets", {"financial_year": 2024, "total": "1.00"}, STAFF_WRITE),
    ("POST", "/api/companies/{f}/directors", {"person_id": "{f}", "since": "2026-01-01"}, STAFF_WRITE),
    ("POST", "/api/companies/{f}/directors/{f}/end", {"end_date": "2026-06-30"}, STAFF_WRITE),
    ("GET", "/", None, {r: ALLOW for r in ROLES if r != "anonymous"}),  # staff: the desk; others: their files
    ("GET", "/my/files/{f}", None, READ_A),
    ("GET", "/my/files/{f}/everything", None, READ_A),
    ("GET", "/my/files/{f}/everything.pdf", None, READ_A),
    ("GET", "/my/files/{f}/account", None, READ_A),
    ("GET", "/api/persons/{f}/export", None, READ_A),
    ("GET", "/api/persons/{f}/tax-certificate.pdf?year=2025", None, READ_A),
    ("GET", "/my/requests", None, {r: ALLOW for r in ROLES if r != "anonymous"}),
    # the portal: documents (staff have no files of their own: an empty page), PDFs, the mandate, life events
    ("GET", "/my/documents", None, {r: ALLOW for r in ROLES if r != "anonymous"}),
    ("GET", "/my/notices/{n}/pdf", None, READ_A),
    ("GET", "/my/files/{f}/statement/pdf", None, READ_A),
    # the certificate of payment of social contributions: issued (and recorded) for whoever may read the file, the
    # auditor apart (reads only); confirmed by its reference by the staff who read files (docs/certificates.md)
    ("POST", "/my/files/{f}/paid-up-certificate", {FORM: 1, "language": "fr"},
     {r: ALLOW for r in READ_A if r != "auditor"}),
    ("POST", "/desk/files/{f}/paid-up-certificate", {FORM: 1}, {**HANDLERS}),
    ("GET", "/desk/paid-up-certificates?reference=2026-AAAA-AAAAA", None, {**HANDLERS, "auditor": ALLOW}),
    ("GET", "/my/files/{f}/summary?year=2025", None, READ_A),
    ("GET", "/my/files/{f}/summary/pdf?year=2025", None, READ_A),
    ("GET", "/api/persons/{f}/yearly-summary?year=2025", None, READ_A),
    ("GET", "/my/files/{f}/mandate", None, READ_A),
    ("GET", "/my/files/{f}/life/{e}", None, READ_A),
    ("GET", "/my/files/{f}/payment-plan", None, READ_A),
    ("POST", "/my/files/{f}/payment-plan", {FORM: 1, "months": "6"}, READ_A),
    ("GET", "/my/files/{f}/reduction", None, READ_A),
    ("POST", "/my/files/{f}/reduction", {FORM: 1, "year": "2026", "estimate": "20000", "justification": ""},
     {r: ALLOW for r in READ_A if r != "auditor"}),  # an auditor reads, never asks
    # the surcharge waiver: read by whoever reads the file; asked by the person, their accountant, or staff who may
    # record relief requests (recovery.manage); nothing to waive on file A: 422 once let through
    ("GET", "/my/files/{f}/waiver", None, READ_A),
    ("POST", "/my/files/{f}/waiver", {FORM: 1, "quarters": "2026Q1", "ground_kind": "hardship",
                                      "grounds": "hospitalised for three months"},
     {"affiliate": ALLOW, "accountant": ALLOW, **RECOVERY_ACT}),
    ("GET", "/my/files/{f}/provisional-contributions", None, READ_A),  # the same form, its address now
    ("POST", "/my/files/{f}/provisional-contributions",
     {FORM: 1, "year": "2026", "estimate": "20000", "justification": ""}, {r: ALLOW for r in READ_A if r != "auditor"}),
    # a SEPA mandate is signed, moved to another account, collected monthly or quarterly, or revoked by the debtor
    # only (not by an accountant, nor by staff in the portal)
    ("POST", "/my/files/{f}/mandate", {FORM: 1, "account": "other", "iban": "BE71096123456769"},
     {"affiliate": ALLOW}),
    ("POST", "/my/files/{f}/mandate/account", {FORM: 1, "account": "other", "iban": "BE62510007547061"},
     {"affiliate": ALLOW}),
    ("POST", "/my/files/{f}/mandate/rhythm", {FORM: 1, "rhythm": "monthly"}, {"affiliate": ALLOW}),
    ("POST", "/my/files/{f}/mandate/revoke", {FORM: 1}, {"affiliate": ALLOW}),
    ("GET", "/simulator?income=30000", None, {r: ALLOW for r in ROLES}),  # public
    # one's own login (a wrong current password: 422, let through; nobody else's login is reachable here)
    ("GET", "/account/password", None, {r: ALLOW for r in ROLES if r != "anonymous"}),
    # a forgotten password: anonymous by design, like /login (the request form: its own double-submit token, a
    # forged one → 400; the new-password form: authorised by the e-mailed link's token only, a wrong one → 400)
    ("GET", "/password-reset", None, dict.fromkeys(ROLES, ALLOW)),
    ("POST", "/password-reset", {FORM: 1, "login": "nobody@nowhere.test", "csrf_token": "forged"},
     dict.fromkeys(ROLES, ALLOW)),
    ("GET", "/password-reset/new?token=not-a-link", None, dict.fromkeys(ROLES, ALLOW)),
    ("POST", "/password-reset/new", {FORM: 1, "token": "not-a-link", "new_password": "x", "repeat": "x"},
     dict.fromkeys(ROLES, ALLOW)),
    ("POST", "/account/password", {FORM: 1, "current_password": "not it", "new_password": "x", "repeat": "x"},
     {r: ALLOW for r in ROLES if r != "anonymous"}),
    # four eyes: handlers ask (422/409 here: no credit to refund is still "let through"), managers decide
    ("POST", "/api/persons/{f}/refunds", {"amount": "10.00", "iban": "BE71096123456769", "reason": "r"},
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}),
    ("POST", "/api/persons/{f}/write-offs", {"account": "contribution", "period": "2026Q1", "amount": "10.00",
                                             "rule": "art. 50bis", "reason": "r"},
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}),
    ("GET", "/api/approvals", None, {**HANDLERS, "auditor": ALLOW}),
    ("GET", "/desk/approvals", None, {**HANDLERS, "auditor": ALLOW}),
    ("POST", "/desk/approvals/{x}", {FORM: 1, "decision": "reject", "note": ""}, {"manager": ALLOW}),
    ("POST", "/api/approvals/{x}/decision", {"approve": False, "note": ""}, {"manager": ALLOW}),  # x: none
    ("POST", "/my/requests", {FORM: 1, "file": "{f}", "kind": "question", "subject": "S", "body": "B"},
     {"affiliate": ALLOW, "accountant": ALLOW, **HANDLERS}),
    ("GET", "/my/requests/{c}", None, {"affiliate": ALLOW, "accountant": ALLOW, **HANDLERS, "auditor": ALLOW}),
    ("POST", "/my/requests/{c}", {FORM: 1, "body": "B"}, {"affiliate": ALLOW, "accountant": ALLOW, **HANDLERS}),
    # a case's documents: whoever reads the case downloads them (no such document: 404 once let through); the person
    # adds them on the thread (above), staff handling the case add a scanned one (no file sent: 422 once let through)
    ("GET", "/my/requests/{c}/documents/{t}", None,
     {"affiliate": ALLOW, "accountant": ALLOW, **HANDLERS, "auditor": ALLOW}),
    ("GET", "/desk/cases/{c}/documents/{t}", None, {**HANDLERS, "auditor": ALLOW}),
    ("POST", "/desk/cases/{c}/documents", {FORM: 1}, HANDLERS),
    ("GET", "/desk/queue", None, {**HANDLERS, "auditor": ALLOW}),
    # the fund's figures: the public page for everyone, logged in or not; the dashboard for managers only
    ("GET", "/public/service", None, dict.fromkeys(ROLES, ALLOW)),
    # how to read a notice: the annotated specimens, for everyone (no personal data)
    ("GET", "/public/notices", None, dict.fromkeys(ROLES, ALLOW)),
    ("GET", "/public/notices/{l}/{o}.pdf", None, dict.fromkeys(ROLES, ALLOW)),
    ("GET", "/public/notices/{l}/{o}.svg", None, dict.fromkeys(ROLES, ALLOW)),
    ("GET", "/desk/dashboard", None, {"manager": ALLOW}),
    ("GET", "/desk/cases/{c}", None, {**HANDLERS, "auditor": ALLOW}),
    ("POST", "/desk/cases/{c}", {FORM: 1, "action": "note", "body": "B"}, HANDLERS),
    # taking a case from the queue: the caseworker (first in ROLES) takes case A; then only a manager or its holder
    # gives it, the other handlers are refused
    ("POST", "/desk/queue/{c}", {FORM: 1, "account": "me"}, {"caseworker": ALLOW, "manager": ALLOW}),
    ("GET", "/desk/search?q=team", None,
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW, "auditor": ALLOW}),
    ("GET", "/desk/files/{f}", None,
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW, "auditor": ALLOW}),
    # the 360° file's notes (auditors read, never write) and the named caseworker (a manager assigns)
    ("POST", "/desk/files/{f}/notes", {FORM: 1, "channel": "phone", "direction": "in", "summary": "Called"},
     HANDLERS),
    ("POST", "/desk/files/{f}/caseworker", {FORM: 1, "account": 999_999}, {"manager": ALLOW}),
    # the reconciliation desk: bank lines (x: none) read by handlers of money and auditors, settled by handlers
    ("GET", "/desk/reconciliation", None,
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "manager": ALLOW, "auditor": ALLOW}),
    ("GET", "/desk/reconciliation/{x}", None,
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "manager": ALLOW, "auditor": ALLOW}),
    ("POST", "/desk/reconciliation/{x}", {FORM: 1, "action": "acknowledge", "reason": "bank costs"},
     {"caseworker": ALLOW, "recovery_officer": ALLOW, "manager": ALLOW}),
    # recovery: read by the handlers of money and auditors (another team's file: a reason), acted on by the handlers
    # of money (another team's file: never); the partners' balances for managers (the bodies are refused on the data
    # itself — no debt on file A — which is "let through")
    ("GET", "/desk/files/{f}/recovery", None, RECOVERY_READ),
    ("POST", "/desk/files/{f}/recovery/move", {FORM: 1, "to_stage": "statement", "reason": "next"}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/contact", {FORM: 1, "channel": "phone", "outcome": "called"}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/contest", {FORM: 1, "kind": "contest", "received_on": "2026-07-01",
                                                  "note": "contests the surcharges"}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/notice-presented", {FORM: 1, "presented_on": "2026-07-01"}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/served", {FORM: 1, "served_on": "2026-07-01"}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/opposition", {FORM: 1, "opposed_on": "2026-07-01", "note": "citation"},
     RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/plan", {FORM: 1, "schedule": "2027-01-01:1.00", "reason": "asked"},
     RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/relief", {FORM: 1, "kind": "surcharge_waiver", "quarters": "2026Q1",
                                                 "grounds": "a long illness this year", "ground_kind": "hardship"},
     RECOVERY_ACT),
    ("GET", "/desk/recovery", None, RECOVERY_READ),
    # joint calls and bankruptcies from the file's recovery page (x: none — 404 once let through; the bodies are
    # refused on the data itself); the hand-over, fund-wide, by the recovery staff only (it names every team's files)
    ("POST", "/desk/files/{f}/recovery/joint-call", {FORM: 1, "liable": "director", "other": "999999",
                                                     "reason": "the company does not pay"}, RECOVERY_ACT),
    ("GET", "/desk/files/{f}/recovery/joint-calls/{x}/letter.pdf", None, RECOVERY_READ),
    ("POST", "/desk/files/{f}/recovery/bankruptcy", {FORM: 1, "declared_on": "not a date", "court": "T",
                                                     "trustee_name": "X", "trustee_address": "A",
                                                     "trustee_language": "fr"}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/bankruptcy/{x}/claim", {FORM: 1}, RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/bankruptcy/{x}/dividend", {FORM: 1, "amount": "1.00",
                                                                  "dividend_on": "2026-11-01", "reference": "R"},
     RECOVERY_ACT),
    ("POST", "/desk/files/{f}/recovery/bankruptcy/{x}/close", {FORM: 1, "close_on": "2026-11-01",
                                                               "close_reason": "ended"}, RECOVERY_ACT),
    ("GET", "/desk/files/{f}/recovery/bankruptcy/{x}/claim.pdf", None, RECOVERY_READ),
    ("POST", "/desk/recovery/handover", {FORM: 1}, {"recovery_officer": ALLOW, "manager": ALLOW}),
    ("GET", "/desk/recovery/handovers/{x}/{w}", None, {"recovery_officer": ALLOW, "manager": ALLOW}),
    ("GET", "/api/files/{f}/recovery", None, RECOVERY_READ),
    ("GET", "/api/files/{f}/recovery/advice", None, RECOVERY_READ),
    ("POST", "/api/files/{f}/recovery/move", {"to_stage": "statement", "reason": "next"}, RECOVERY_ACT),
    ("POST", "/api/files/{f}/recovery/contact", {"outcome": "called", "channel": "phone"}, RECOVERY_ACT),
    ("POST", "/api/files/{f}/recovery/plan", {"schedule": [{"due_date": "2027-01-01", "amount": "1.00"}],
                                              "reason": "asked"}, RECOVERY_ACT),
    ("POST", "/api/files/{f}/recovery/relief", {"kind": "surcharge_waiver", "quarters": "2026Q1",
                                                "grounds": "a long illness this year", "ground_kind": "hardship"},
     RECOVERY_ACT),
    ("GET", "/api/recovery/report", None, RECOVERY_READ),
    ("GET", "/api/recovery/prescription", None, RECOVERY_READ),
    ("GET", "/api/recovery/partner-balances", None, {"manager": ALLOW}),
    # benefits (issue 8): the file's readers see its claims; the person, their accountant and the fund's handlers
    # claim; a benefits officer (of the file's team) or a manager decides; the desk's list for staff who search files
    ("GET", "/api/persons/{f}/claims", None, READ_A),
    ("GET", "/api/claims/{k}", None, READ_A),
    ("GET", "/api/claims/{k}/decision.pdf", None, READ_A),  # not decided yet: 404 once let through
    ("GET", "/my/files/{f}/rights", None, READ_A),
    ("GET", "/my/files/{f}/rights/{b}", None, CLAIMANTS),
    ("GET", "/my/claims/{k}/decision.pdf", None, READ_A),
    ("GET", "/desk/benefits", None, {**HANDLERS, "auditor": ALLOW}),
    ("GET", "/desk/benefits/{k}", None, {**HANDLERS, "auditor": ALLOW}),
    ("POST", "/api/claims", {"person_id": "{f}", "kind": "carer", "facts": {"start": "2027-01-01", "months": 1}},
     CLAIMANTS),
    ("POST", "/my/files/{f}/rights/{b}", {FORM: 1, "birth_date": "2026-11-02", "start": "2026-11-02",
                                         "end": "2026-11-30", "days": "5"}, CLAIMANTS),
    # assimilation for illness / continued insurance: read as My rights, filed by the claimants (the file's person
    # is still active: 422 on the data once let through)
    ("GET", "/my/files/{f}/requests/{r}", None, READ_A),
    ("POST", "/my/files/{f}/requests/{r}", {FORM: 1, "option": "pension", "no_other_status": "yes"}, CLAIMANTS),
    ("POST", "/api/claims/{k}/decision", None, DECIDERS),
    # the agreement to a set-off over the API: the person's own, or staff recording what the person signed (the
    # scan is required: 422 without) — never the accountant, whose mandate does not cover it
    ("POST", "/api/claims/{k}/set-off-consent", {"max_eur": "100"},
     {r: ALLOW for r in CLAIMANTS if r != "accountant"}),
    ("POST", "/api/claims/{k}/set-off-consent/withdrawal", {}, {r: ALLOW for r in CLAIMANTS if r != "accountant"}),
    ("POST", "/desk/benefits/{k}/decide", {FORM: 1}, DECIDERS),
    # a claim's page: its readers see it and its documents; the claimants add a document or withdraw it (staff on
    # the person's word, from the desk); a benefits officer or a manager asks for a document (deadline suspended)
    ("GET", "/my/claims/{k}", None, READ_A),
    ("GET", "/my/claims/{k}/documents/{t}", None, READ_A),  # no such document: 404 once let through
    ("POST", "/my/claims/{k}/documents", {FORM: 1}, CLAIMANTS),  # no file sent: 422 once let through
    ("POST", "/desk/benefits/{k}/request-document", {FORM: 1, "what": "the medical certificate"}, DECIDERS),
    ("POST", "/desk/benefits/{k}/document-received", {FORM: 1}, DECIDERS),
    ("POST", "/desk/benefits/{k}/remind", {FORM: 1}, DECIDERS),  # nothing asked: 409 once let through
    ("POST", "/desk/benefits/{k}/notified", {FORM: 1, "on": "2026-01-05", "by": "registered"}, DECIDERS),
    ("POST", "/my/claims/{k}/withdraw", {FORM: 1, "reason": "no longer needed"}, CLAIMANTS),
    # the agreement to a set-off against contribution debts: the person's own — not their accountant, whose mandate
    # does not cover it — or staff recording what the person signed (the desk's form requires the scan: 422 without)
    ("POST", "/my/claims/{k}/set-off", {FORM: 1, "max": "100"},
     {r: ALLOW for r in CLAIMANTS if r != "accountant"}),
    ("POST", "/desk/benefits/{k}/set-off", {FORM: 1, "given_on": "2026-11-02", "channel": "letter"},
     {"caseworker": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}),
    ("POST", "/desk/benefits/{k}/withdraw", {FORM: 1, "reason": "letter of the person"},
     {"caseworker": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}),
    # a bridging-right claimant's declarations received on paper or by phone, recorded by staff who may claim for the
    # file (the matrix's claim is a carer leave: 409 once let through)
    ("POST", "/desk/benefits/{k}/declarations", {FORM: 1, "professional_activity": "no", "declared_on": "2026-11-02",
                                                  "channel": "letter"},
     {"caseworker": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}),
    # a caseworker's finding on a bridging-right claim, then decided again: those who decide (the matrix's claim is
    # a carer leave: 409 once let through)
    ("POST", "/desk/benefits/{k}/verify", {FORM: 1, "condition": "living_wage", "finding": "met",
                                           "verified_on": "2026-11-02"}, DECIDERS),
    # assimilation / continued-insurance requests: the desk's page for staff who read the file; a benefits officer
    # (of the file's team) or a manager records the forwarding and the decision (the request is only prepared here:
    # 422 once let through); the person, their accountant or staff on the person's word withdraw it
    ("GET", "/desk/insurance-requests/{q}", None, {**HANDLERS, "auditor": ALLOW}),
    ("POST", "/desk/insurance-requests/{q}/forward", {FORM: 1, "institution": "INAMI"}, DECIDERS),
    ("POST", "/desk/insurance-requests/{q}/decision", {FORM: 1, "outcome": "granted", "decided_on": "2026-11-25",
                                                       "reference": "R-1"}, DECIDERS),
    ("POST", "/my/insurance-requests/{q}/withdraw", {FORM: 1, "reason": "no longer needed"}, CLAIMANTS),
    ("POST", "/desk/insurance-requests/{q}/withdraw", {FORM: 1, "reason": "letter of the person"},
     {"caseworker": ALLOW, "benefits_officer": ALLOW, "manager": ALLOW}),
    # need to know: only team-bound handlers state a reason (by POST, never in a URL)
    ("POST", "/desk/need-to-know", {FORM: 1, "party_id": "{f}", "reason_kind": "contact",
                                    "reason": "the affiliate phoned our office", "next": "/"}, TEAM_BOUND),
    ("POST", "/api/files/{f}/need-to-know", {"reason": "the affiliate phoned our office", "kind": "contact"},
     TEAM_BOUND),
]
NEED_TO_KNOW_ROUTES = {"/desk/need-to-know", "/api/files/{f}/need-to-know"}


def _fill(value, ids):
    if isinstance(value, str):
        ids = {"x": 999_999, "t": 999_999, "e": "cannot_pay", "b": "birth_leave", "w": "csv",
               "r": "continued_insurance", "l": "nl", "o": "regularisation", **ids}
        return int(value.format(**ids)) if value in ("{f}", "{a}", "{c}") else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _send(client, method, path, body, ids):
    if body and FORM in body:
        data = {k: str(_fill(v, ids)) for k, v in body.items() if k != FORM}
        return client.request(method, _fill(path, ids), data=data, follow_redirects=False)
    return client.request(method, _fill(path, ids), json=_fill(body, ids) if body else None)


def _outcome(status: int) -> str:
    assert status != 429, "throttled: the matrix would read it as allowed"
    if status == 401:
        return LOGIN
    if status == 403:
        return DENY
    assert status < 500, status
    return ALLOW  # 2xx, or a 404/409/422 on the data itself: the role was let through


def test_every_route_is_in_the_matrix(app_for):
    routes = {(m, r.path) for r in iter_route_contexts(app_for.routes) if isinstance(r.route, APIRoute)
              for m in r.methods if m != "HEAD"
              and r.path not in ("/health", "/api/session", "/login", "/logout", "/logout-everywhere")
              and not r.path.startswith(("/api/simulate", "/login/"))}
    assert len(routes) > 20, "the route list is empty: the completeness check would check nothing"
    covered = {(m, p.split("?")[0].replace("{f}", "{person_id}")) for m, p, _, _ in CASES}
    placeholders = {"{affiliation_id}": "{a}", "{company_id}": "{f}", "{party_id}": "{f}", "{person_id}": "{f}",
                    "{case_id}": "{c}", "{approval_id}": "{x}", "{item_id}": "{x}", "{notice_id}": "{n}",
                    "{event}": "{e}", "{claim_id}": "{k}", "{kind}": "{b}", "{call_id}": "{x}",
                    "{bankruptcy_id}": "{x}", "{handover_id}": "{x}", "{what}": "{w}", "{attachment_id}": "{t}",
                    "{request_kind}": "{r}", "{request_id}": "{q}", "{language}": "{l}", "{notice}": "{o}"}
    normal = set()
    for m, p in routes:
        for name, short in placeholders.items():
            p = p.replace(name, short)
        normal.add((m, p))
    covered = {(m, p.replace("{person_id}", "{f}")) for m, p in covered}
    assert normal <= covered, f"routes without an expected allow/deny: {sorted(normal - covered)}"


def test_role_matrix_on_own_file(clients, fund):
    """Every route × every role in one fund (the reads run before the changes that could affect them)."""
    ids = {"f": fund["A"], "a": fund["aff_A"], "c": fund["case_A"], "n": fund["notice_A"], "k": fund["claim_A"],
           "q": fund["request_A"]}
    wrong = []
    for method, path, body, expected in sorted(CASES, key=lambda c: c[0] != "GET"):
        for role in ROLES:
            want = expected.get(role, LOGIN if role == "anonymous" else DENY)
            r = _send(clients[role], method, path, body, ids)
            if _outcome(r.status_code) != want:
                wrong.append((method, path, role, want, r.status_code, r.text[:120]))
    assert wrong == []


# bank lines to reconcile belong to no file yet (a payer nobody identified): the desk's handlers see all of them;
# the public specimens (/public/notices/{language}/{notice}) name no file
IDOR = [c for c in CASES if ("{" in c[1] or c[1] in ("/my/requests", "/api/affiliations", "/desk/need-to-know",
                                                     "/api/claims")
        and c[0] == "POST") and not c[1].startswith(("/desk/reconciliation", "/public/"))]


def test_nobody_reaches_another_file_by_changing_the_id(clients, fund):
    ids = {"f": fund["B"], "a": fund["aff_B"], "c": fund["case_B"], "n": fund["notice_B"], "k": fund["claim_B"],
           "q": fund["request_B"]}
    leaks = []
    for method, path, body, _ in IDOR:
        for role in ("affiliate", "accountant", "caseworker"):  # the caseworker is of another team than B's
            if role == "caseworker" and path in NEED_TO_KNOW_ROUTES:
                continue  # stating a reason for another team's file is what these routes are for (next test)
            r = _send(clients[role], method, path, body, ids)
            if r.status_code != 403:
                leaks.append((method, path, role, r.status_code, r.text[:120]))
    assert len(IDOR) > 10 and leaks == []


def test_a_change_without_the_csrf_token_is_refused(clients, fund):
    c = clients["caseworker"]
    token = c.headers.pop("X-CSRF-Token")
    r = c.post(f"/api/affiliations/{fund['aff_A']}/cease", json={"end_date": "2026-09-30", "reason": "stop"})
    assert r.status_code == 403 and "CSRF" in r.text
    c.headers["X-CSRF-Token"] = token


def test_a_reason_stated_by_post_opens_another_teams_file_for_that_session_only(clients, fund, app_for, db_url):
    from sqlalchemy import select

    from caisse.store.models import AuditLog

    c = clients["caseworker"]
    assert c.get(f"/api/persons/{fund['B']}").status_code == 403
    assert c.post(f"/api/files/{fund['B']}/need-to-know", json={"reason": "x"}).status_code == 422
    r = c.post(f"/api/files/{fund['B']}/need-to-know", json={"reason": "a letter from the person", "kind": "contact"})
    assert r.status_code == 201, r.text
    assert c.get(f"/api/persons/{fund['B']}").status_code == 200
    with session_scope(db_url) as s:
        reasons = set(s.scalars(select(AuditLog.reason).where(AuditLog.party_id == fund["B"],
                                                             AuditLog.actor.like("caseworker%"))))
    assert reasons == {"contact: a letter from the person"}
    # a colleague (another session) has stated nothing: the reason is not shared
    login, secret = make_account(db_url, "caseworker", team="t1")
    other = TestClient(app_for)
    log_in(other, login, secret)
    assert other.get(f"/api/persons/{fund['B']}").status_code == 403
    other.close()
