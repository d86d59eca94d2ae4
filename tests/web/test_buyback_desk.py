"""The desk shows a dispensed quarter's buy-back read-only: the request with its own structured communication, then,
once paid, the quarter "bought back" (page in the staff's language, and the same over the API)."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from caisse.batches import quarterly_call
from caisse.config import Settings
from caisse.ledger import receive_payment
from caisse.recovery import buyback, relief
from caisse.recovery.buyback import record_bought_back
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from support.web import form_login, log_in, make_account

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))
from fund import Fund  # noqa: E402

CLERK = Principal.system("test")
D = dt.date.fromisoformat


def dispensed_and_asked(db_url) -> tuple[int, str]:
    fund = Fund(db_url)
    eva = fund.person(category="main", start=D("2020-01-01"), language="nl",
                      incomes={2022: "9000.00", 2023: "9000.00", 2024: "9000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        informed, _ = relief.pension_notice(s, CLERK, eva, "2026Q1", D("2026-07-06"))
        r = relief.request_dispensation(s, CLERK, eva, "2026Q1", "a long illness since February", D("2026-07-08"),
                                        signed_personally=True, case_id=informed.case_id)
        relief.export_requests(s, CLERK, "dispensation", D("2026-07-09"), Path(tempfile.mkdtemp()))
        relief.record_decision(s, CLERK, r.id, D("2026-09-03"), decided_on=D("2026-09-01"), reference="RSVZ-D-1",
                               granted="2026Q1", surcharges_included=True,
                               settings=Settings(four_eyes_threshold_cents=10**9))
        ogm = buyback.request_buyback(s, CLERK, eva, "2026Q1", D("2026-11-10")).communication
    return eva, ogm


def test_the_desk_shows_the_buy_back_and_then_the_quarter_bought_back(app_for, db_url):
    eva, ogm = dispensed_and_asked(db_url)
    login, secret = make_account(db_url, "manager")
    with TestClient(app_for, headers={"accept-language": "fr"}) as c:
        assert form_login(c, login, secret).status_code == 303
        page = c.get(f"/desk/files/{eva}/recovery").text
        assert f"la communication structurée {ogm}" in page and "pas encore payé" in page
        with session_scope(db_url) as s:
            receive_payment(s, "bank/eva/buyback", D("2026-11-20"), 89042, eva, designation="buyback/1")
            assert record_bought_back(s, {eva}) == 1
        page = c.get(f"/desk/files/{eva}/recovery").text
        assert "racheté le" in page and "droits de pension gardés" in page
    login, secret = make_account(db_url, "manager")
    with TestClient(app_for) as api:
        log_in(api, login, secret)
        body = api.get(f"/api/files/{eva}/recovery").json()
    [q] = body["dispensed_quarters"]
    assert (q["period"], q["bought_back_on"]) == ("2026Q1", "2026-11-20")
    [b] = body["buyback_requests"]
    assert (b["status"], b["communication"], b["unknown"]) == ("paid", ogm, ["amount_revaluation", "management_fee"])


def test_the_person_sees_her_dispensed_quarter_its_deadline_and_how_to_pay_the_buy_back(app_for, db_url):
    eva, ogm = dispensed_and_asked(db_url)  # 2026Q1 dispensed, buy-back asked: 890.42 by 31 March 2031
    login, secret = make_account(db_url, "affiliate", party_id=eva)
    for lang, words in (("nl", ("Vrijgestelde kwartalen en hun terugkoop", "31 mrt 2031", ogm, "890,42")),
                        ("fr", ("Trimestres dispensés et leur rachat", "communication structurée " + ogm, "890,42")),
                        ("de", ("Befreite Quartale und ihr Rückkauf", "strukturierten Mitteilung " + ogm,))):
        with TestClient(app_for, headers={"accept-language": lang}) as c:
            assert form_login(c, login, secret).status_code == 303
            page = c.get(f"/my/files/{eva}/account", params={"lang": lang})
            assert page.status_code == 200
            for w in words:
                assert w in page.text, (lang, w)
            assert "Buy-back of dispensed quarters" not in page.text  # not a payment, not in English
    with session_scope(db_url) as s:  # paid: the quarter counts for her pension
        receive_payment(s, "bank/eva/buyback", D("2026-11-20"), 89042, eva, designation="buyback/1")
        record_bought_back(s, {eva})
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        assert form_login(c, login, secret).status_code == 303
        page = c.get(f"/my/files/{eva}/account", params={"lang": "fr"}).text
        assert "Racheté le" in page and "compte pour votre pension" in page and ogm not in page
