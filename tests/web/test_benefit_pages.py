"""Rights and benefits on the web (issue 8) as stories: a person claims birth leave from the portal and follows it;
a refused input names its field and writes nothing; a maternity claim the fund pre-filled from a birth is completed,
not duplicated; the benefits officer sees the claims overdue first, decides, and the person sees the decision and
downloads it; the JSON API files, reads and decides claims."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
sys.path.insert(0, str(Path(__file__).parents[1] / "benefits"))

from fund import Fund  # noqa: E402
from helpers import contributions, iban  # noqa: E402

from caisse.benefits import events  # noqa: E402
from caisse.benefits.models import BenefitClaim, ClaimStep  # noqa: E402
from caisse.cases.models import Case  # noqa: E402
from caisse.security.authz import Principal  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from caisse.store.models import Party, Person  # noqa: E402

TODAY = dt.date.today()


@pytest.fixture
def fund(db_url):
    return Fund(db_url)


@pytest.fixture
def person(db_url, fund):
    pid = fund.person(language="fr")
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        s.execute(update(Person).where(Person.id == pid).values(sex="F"))
    return pid


def _claims(db_url, pid):
    with session_scope(db_url) as s:
        return [(c.id, c.kind, c.status, c.channel) for c in s.execute(
            select(BenefitClaim.id, BenefitClaim.kind, BenefitClaim.status, Case.channel)
            .join(Case, Case.id == BenefitClaim.case_id).where(BenefitClaim.person_id == pid)
            .order_by(BenefitClaim.id))]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_person_claims_birth_leave_in_the_portal_and_follows_it(client_as, db_url, person):
    me = client_as("affiliate", party_id=person)
    home = me.get("/")
    assert f"/my/files/{person}/rights" in home.text
    form = me.get(f"/my/files/{person}/rights/birth_leave")
    assert form.status_code == 200
    assert 'value="20"' in form.text  # 20 days pre-filled: what the law gives
    birth = TODAY - dt.timedelta(days=10)
    r = me.post(f"/my/files/{person}/rights/birth_leave", follow_redirects=False, data={
        "csrf_token": _csrf(form.text), "birth_date": birth.isoformat(), "start": birth.isoformat(),
        "end": (birth + dt.timedelta(days=30)).isoformat(), "days": "10"})
    assert r.status_code == 303, r.text
    [(claim_id, kind, status, channel)] = _claims(db_url, person)
    assert (kind, status, channel) == ("birth_leave", "application", "portal")  # a tracked case
    page = me.get(r.headers["location"])
    assert f"{claim_id}" in page.text and "congé de naissance" in page.text.lower()
    # the claim is among the person's requests, its subject in the page's language
    assert f"Congé de naissance — demande n° {claim_id}" in me.get("/").text
    home = me.get("/?lang=nl").text
    assert f"Geboorteverlof — aanvraag nr. {claim_id}" in home and "birth leave" not in home
    with session_scope(db_url) as s:
        due = s.get(BenefitClaim, claim_id).decision_due
    assert due.year in (TODAY.year, TODAY.year + 1) and (due - TODAY).days > 100  # 4 months (Charter art. 10)
    assert me.get(f"/my/claims/{claim_id}/decision.pdf").status_code == 404  # not decided yet


def test_a_refused_input_names_its_field_and_writes_nothing(client_as, db_url, person):
    me = client_as("affiliate", party_id=person)
    form = me.get(f"/my/files/{person}/rights/birth_leave?lang=en")
    r = me.post(f"/my/files/{person}/rights/birth_leave", data={
        "csrf_token": _csrf(form.text), "birth_date": "2026-11-02", "start": "2026-11-20", "end": "2026-11-10",
        "days": "5"})
    assert r.status_code == 422
    assert "Last day" in r.text and "before the start" in r.text
    assert re.search(r'id="f-end"[^>]*aria-invalid="true"', r.text)
    r = me.post(f"/my/files/{person}/rights/bereavement", data={
        "csrf_token": _csrf(form.text), "death_date": "not a day", "start": "2026-11-20", "end": "2026-11-21",
        "days": "2"})
    assert r.status_code == 422 and "Date of the death" in r.text
    assert _claims(db_url, person) == []


def test_an_accountant_without_mandate_cannot_claim(client_as, db_url, fund, person):
    other = fund.person()
    acc = client_as("accountant", grants=[other])
    assert acc.get(f"/my/files/{person}/rights").status_code == 403
    carer = {"person_id": person, "kind": "carer", "facts": {"start": "2027-01-01", "months": 1}}
    assert acc.post("/api/claims", json=carer).status_code == 403
    assert _claims(db_url, person) == []


def test_a_claim_prefilled_from_a_birth_is_completed_not_duplicated(client_as, db_url, person):
    birth = TODAY - dt.timedelta(days=5)
    with session_scope(db_url) as s:
        event, _ = events.record_event(s, Principal.system("registry"), person, "birth", birth, TODAY)
        claim_id = event.claim_id
    assert claim_id is not None
    me = client_as("affiliate", party_id=person)
    rights = me.get(f"/my/files/{person}/rights?lang=en")
    link = f"/my/files/{person}/rights/maternity?claim={claim_id}"
    assert link in rights.text and "Claims the fund prepared for you" in rights.text
    life = me.get(f"/my/files/{person}/life/family")
    assert f"/my/files/{person}/rights/birth_leave" in life.text  # the life event leads to the claim forms
    form = me.get(link)
    assert f'value="{birth.isoformat()}"' in form.text and f'name="claim" value="{claim_id}"' in form.text
    r = me.post(f"/my/files/{person}/rights/maternity", follow_redirects=False, data={
        "csrf_token": _csrf(form.text), "claim": str(claim_id), "birth_date": birth.isoformat(),
        "start": birth.isoformat(), "full_weeks": "8", "half_weeks": "4"})
    assert r.status_code == 303, r.text
    assert [c[0] for c in _claims(db_url, person)] == [claim_id]
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, claim_id)
        assert (c.facts["full_weeks"], c.facts["half_weeks"]) == (8, 4)
        assert "completed" in s.scalars(select(ClaimStep.step).where(ClaimStep.claim_id == claim_id)).all()


def test_the_officer_sees_overdue_first_decides_and_the_person_sees_the_decision(client_as, db_url, fund, person):
    late = fund.person()
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == late).values(team="t1"))
        from caisse.benefits import service

        old = service.file_claim(s, Principal.system("mail"), late, "carer", {"start": "2026-03-01", "months": 1},
                                 TODAY - dt.timedelta(days=200)).id
        new = service.file_claim(s, Principal.system("mail"), person, "carer",
                                 {"start": TODAY.replace(day=1).isoformat(), "months": 1}, TODAY).id
    officer = client_as("benefits_officer", team="t1")
    listing = officer.get("/desk/benefits?lang=en")
    assert listing.status_code == 200
    assert listing.text.index(f'/desk/benefits/{old}"') < listing.text.index(f'/desk/benefits/{new}"')
    assert 'class="overdue"' in listing.text
    page = officer.get(f"/desk/benefits/{new}")
    assert "Checks as they stand today" in page.text and f'action="/desk/benefits/{new}/decide"' in page.text
    r = officer.post(f"/desk/benefits/{new}/decide", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, new)
        assert (c.status, c.outcome) == ("refused", "refused")  # no quarter paid before the start
    again = officer.post(f"/desk/benefits/{new}/decide", data={"csrf_token": _csrf(page.text)})
    assert again.status_code == 409  # decided once
    me = client_as("affiliate", party_id=person)
    rights = me.get(f"/my/files/{person}/rights")
    assert "refusé" in rights.text.lower() and f"/my/claims/{new}/decision.pdf" in rights.text
    pdf = me.get(f"/my/claims/{new}/decision.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert me.get(f"/my/claims/{old}/decision.pdf").status_code == 403  # another person's claim


def test_a_caseworker_reads_but_does_not_decide(client_as, db_url, person):
    with session_scope(db_url) as s:
        from caisse.benefits import service

        claim_id = service.file_claim(s, Principal.system("mail"), person, "carer",
                                      {"start": TODAY.replace(day=1).isoformat(), "months": 1}, TODAY).id
    cw = client_as("caseworker", team="t1")
    page = cw.get(f"/desk/benefits/{claim_id}")
    assert page.status_code == 200 and "/decide" not in page.text
    assert cw.post(f"/api/claims/{claim_id}/decision").status_code == 403
    other_team = client_as("benefits_officer", team="t2")
    assert other_team.post(f"/api/claims/{claim_id}/decision").status_code == 403


def test_the_api_files_reads_and_decides_a_claim_granted_and_paid_by_the_fund(client_as, db_url, person):
    # a birth leave asked by letter in 2023 (amounts of 2023 published), the 2 quarters before the birth paid
    contributions(db_url, person, ["2022Q3", "2022Q4"])
    iban(db_url, person)
    officer = client_as("benefits_officer", team="t1")
    bad = officer.post("/api/claims", json={"person_id": person, "kind": "birth_leave", "facts": {
        "birth_date": "2023-02-01", "start": "2023-02-10", "end": "2023-02-01", "days": 5}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "facts", "end"]
    r = officer.post("/api/claims", json={
        "person_id": person, "kind": "birth_leave", "received_on": "2023-03-15",
        "facts": {"birth_date": "2023-02-01", "start": "2023-02-06", "end": "2023-02-24", "days": 15}})
    assert r.status_code == 201, r.text
    claim_id = r.json()["id"]
    assert r.json()["decision_due"] == "2023-07-15"
    listed = officer.get(f"/api/persons/{person}/claims").json()
    assert [c["id"] for c in listed] == [claim_id]
    d = officer.post(f"/api/claims/{claim_id}/decision")
    assert d.status_code == 200, d.text
    body = d.json()
    assert body["outcome"] == "granted" and body["amount_cents"] == 15 * 9660  # 96.60 EUR a day in 2023
    assert body["payment_due"] is not None and [s["step"] for s in body["steps"]][:2] == ["application", "checks"]
    me = client_as("affiliate", party_id=person)
    early = me.post("/api/claims", json={"person_id": person, "kind": "carer", "received_on": "2023-01-01",
                                         "facts": {"start": "2027-01-01", "months": 1}})
    assert early.json()["detail"][0]["loc"] == ["body", "received_on"]  # only staff date a letter received earlier
    assert me.get(f"/api/claims/{claim_id}").json()["outcome"] == "granted"
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(BenefitClaim)) == 1


def test_the_bridging_right_form_asks_the_declarations_and_the_api_takes_them(client_as, db_url, fund, person):
    """Whether the person has a professional activity or a replacement income is theirs to say: the portal's form
    asks both (no answer, nothing is sent); the API takes them with the quarters of maintained rights used
    elsewhere, and the decision keeps the health-care rights of the benefit's quarter."""
    me = client_as("affiliate", party_id=person)
    form = me.get(f"/my/files/{person}/rights/bridging_right?lang=en")
    assert form.status_code == 200
    assert "Do you exercise a professional activity" in form.text and "Do you receive a replacement income" in form.text
    assert re.search(r'<select id="f-replacement_income" name="replacement_income" required>', form.text)
    data = {"csrf_token": _csrf(form.text), "case": "fire", "event_date": "2026-11-02", "start": "2026-11-01",
            "months": "1", "professional_activity": "no"}
    r = me.post(f"/my/files/{person}/rights/bridging_right", data=data)
    assert r.status_code == 422 and "Do you receive a replacement income" in r.text and "answer yes or no" in r.text
    assert re.search(r'id="f-replacement_income"[^>]*aria-invalid="true"', r.text)
    assert re.search(r'<option value="no" selected>', r.text)  # the answer given is kept
    assert _claims(db_url, person) == []
    r = me.post(f"/my/files/{person}/rights/bridging_right", data={**data, "replacement_income": "no"},
                follow_redirects=False)
    assert r.status_code == 303, r.text
    with session_scope(db_url) as s:
        [facts] = s.scalars(select(BenefitClaim.facts).where(BenefitClaim.person_id == person))
    assert (facts["professional_activity"], facts["replacement_income"]) == (False, False)

    # staff by API: a bankruptcy of May 2024, one month, no activity, no replacement income, 3 quarters of rights
    # used elsewhere — granted 1,638.26 and 2024Q2 kept, the 4th quarter of the career
    other = fund.person(language="nl")
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == other).values(team="t1"))
    contributions(db_url, other, ["2023Q1", "2023Q2", "2023Q3", "2023Q4"])
    officer = client_as("benefits_officer", team="t1")
    claim = {"person_id": other, "kind": "bridging_right", "received_on": "2024-05-27", "facts": {
        "case": "bankruptcy", "event_date": "2024-05-20", "start": "2024-06-01", "months": 1,
        "professional_activity": False, "replacement_income": False, "rights_quarters_before": 9}}
    bad = officer.post("/api/claims", json=claim)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "facts", "rights_quarters_before"]
    r = officer.post("/api/claims", json={**claim, "facts": {**claim["facts"], "rights_quarters_before": 3}})
    assert r.status_code == 201, r.text
    body = officer.post(f"/api/claims/{r.json()['id']}/decision").json()
    assert (body["outcome"], body["amount_cents"]) == ("granted", 163_826)
    assert body["decision"]["maintained_rights"]["quarters"] == ["2024Q2"]
    assert body["decision"]["maintained_rights"]["rendered"]["nl"].startswith(
        "Rechten op gezondheidszorg en uitkeringen/moederschap behouden zonder bijdragen voor 2024Q2 (pensioen niet "
        "inbegrepen); 4 van de 4 kwartalen van de loopbaan gebruikt")
    assert "rights_maintained" in [s["step"] for s in body["steps"]]


def test_the_claim_page_the_rights_and_the_api_show_the_payment_deadline_the_rule_gives_now(client_as, db_url,
                                                                                             person, monkeypatch):
    """A carer leave granted and made available on 20 May 2024 was recorded due by 20 September (4 months, Charter
    art. 12). The rule's file then says 3 months from 1 January 2024 (a TEST figure): the officer's claim page, the
    person's rights and the API show 20 August, without the notification recorded again."""
    from helpers import quarters
    from test_benefit_payments import payment_months

    from caisse.benefits import service

    contributions(db_url, person, quarters("2023Q3", "2024Q3"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, Principal.system("setup"), person, "carer",
                                 {"start": dt.date(2024, 6, 1), "months": 1}, dt.date(2024, 5, 15)).id
        assert service.decide(s, Principal.system("setup"), cid, dt.date(2024, 5, 20)).payment_due == dt.date(
            2024, 9, 20)
    monkeypatch.setattr(service, "load", lambda: payment_months({"1997-01-01": 4, "2024-01-01": 3}))
    officer = client_as("benefits_officer", team="t1")
    assert "20 août 2024" in officer.get(f"/desk/benefits/{cid}?lang=fr").text
    assert officer.get(f"/api/claims/{cid}").json()["payment_due"] == "2024-08-20"
    me = client_as("affiliate", party_id=person)
    rights = me.get(f"/my/files/{person}/rights?lang=fr").text
    assert "paiement au plus tard le 20 août 2024" in rights
    assert "20 sept. 2024" not in rights
