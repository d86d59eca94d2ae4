"""Assimilation for illness and continued insurance in the portal: the request the fund prepared from a cessation
is shown in My rights with its state and deadline, sent from its pre-filled form; a refused input names its field
and writes nothing; the forwarding and the decision then show on the same page."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
sys.path.insert(0, str(Path(__file__).parents[1] / "benefits"))

from fund import Fund  # noqa: E402
from helpers import contributions  # noqa: E402

from caisse.benefits import events  # noqa: E402
from caisse.benefits import insurance_requests as ir  # noqa: E402
from caisse.benefits.models import InsuranceRequest  # noqa: E402
from caisse.security.authz import Principal  # noqa: E402
from caisse.services.calendar import Quarter  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402

TODAY = dt.date.today()
DESK = Principal.system("cli:benefits-officer")


@pytest.fixture
def fund(db_url):
    return Fund(db_url)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_person_sends_the_continued_insurance_the_fund_prepared_and_follows_it(client_as, db_url, fund):
    # stopped at the end of the quarter before last, every contribution of the last four quarters paid
    last = Quarter.of(TODAY)
    for _ in range(2):
        last = ir.plus(last, -1)
    ceased = last.last_day
    pid = fund.person(category="main", start=dt.date(2015, 1, 1), end=ceased, language="fr")
    contributions(db_url, pid, paid=[str(ir.plus(last, -n)) for n in range(4)])
    with session_scope(db_url) as s:
        e, _ = events.record_event(s, DESK, pid, "cessation", ceased, TODAY)
        request_id = e.detail["request_id"]
    me = client_as("affiliate", party_id=pid)
    rights = me.get(f"/my/files/{pid}/rights")
    assert "assurance continuée" in rights.text and "préparée par la caisse" in rights.text
    link = f"/my/files/{pid}/requests/continued_insurance?prepared={request_id}"
    assert link.replace("&", "&amp;") in rights.text or link in rights.text
    form = me.get(link)
    assert f'value="{ceased.isoformat()}"' in form.text  # the cessation, pre-filled from the file
    # without confirming the absence of another social status: refused, the field named, nothing sent
    r = me.post(f"/my/files/{pid}/requests/continued_insurance", data={
        "csrf_token": _csrf(form.text), "prepared": str(request_id), "cessation_date": ceased.isoformat(),
        "option": "pension"})
    assert r.status_code == 422
    assert re.search(r'id="f-no_other_status"[^>]*aria-invalid="true"', r.text)
    with session_scope(db_url) as s:
        assert s.get(InsuranceRequest, request_id).status == "proposed"
    r = me.post(f"/my/files/{pid}/requests/continued_insurance", follow_redirects=False, data={
        "csrf_token": _csrf(form.text), "prepared": str(request_id), "cessation_date": ceased.isoformat(),
        "option": "pension", "no_other_status": "yes"})
    assert r.status_code == 303, r.text
    page = me.get(r.headers["location"] + "&lang=nl")
    assert "voortgezette verzekering" in page.text and "doorgestuurd uiterlijk op" in page.text
    with session_scope(db_url) as s:
        ir.forward(s, DESK, request_id, TODAY)
        ir.record_decision(s, DESK, request_id, TODAY, outcome="refused", decided_on=TODAY, reference="R-2",
                           reason="une autre activité professionnelle")
    page = me.get(f"/my/files/{pid}/rights?lang=de")
    assert "abgelehnt" in page.text and "une autre activité professionnelle" in page.text


def test_an_unknown_kind_or_another_file_is_not_served(client_as, db_url, fund):
    pid, other = fund.person(), fund.person()
    me = client_as("affiliate", party_id=pid)
    assert me.get(f"/my/files/{pid}/requests/pension").status_code == 422  # not a request the portal takes
    assert me.get(f"/my/files/{other}/requests/illness_assimilation").status_code == 403
    form = me.get(f"/my/files/{pid}/requests/illness_assimilation?lang=en")
    r = me.post(f"/my/files/{pid}/requests/illness_assimilation", data={
        "csrf_token": _csrf(form.text), "incapacity_start": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422 and "First day of the incapacity" in r.text and "in the future" in r.text
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(InsuranceRequest)) == 0
