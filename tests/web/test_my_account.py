"""My account: what was called, paid and is still due, with how to pay — every amount from the ledger."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from caisse.ledger import DebtLine, charge, receive_payment
from caisse.store.db import session_scope
from support.people import register_someone
from support.web import form_login, make_account


def test_a_partly_paid_quarter_shows_what_is_left_and_how_to_pay_it(app_for, db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        charge(s, f"test/call/2026Q1/{pid}", pid, "2026Q1", dt.date(2026, 3, 31), dt.date(2026, 1, 5), [
            DebtLine("contribution", 87_171, "RD38 art.12", "main_minimum_income@2025",
                     {"text": "minimum contribution"}),
            DebtLine("management_fee", 3_530, "fund fee", "fee_rate", {"text": "4.05 %"})])
        receive_payment(s, f"test/pay/{pid}", dt.date(2026, 2, 20), 50_000, pid, designation="2026Q1")
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": "fr"}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/account").text
    # 871.71 + 35.30 = 907.01 called, 500.00 paid → 407.01 to pay
    assert "907,01\xa0€" in page and "500,00\xa0€" in page and "407,01\xa0€" in page
    assert "minimum contribution" in page
    assert "+++" in page and "<svg" in page  # the structured communication and the QR code
    assert "BE71 0961 2345 6769" in page


def test_nothing_due_means_no_payment_block(app_for, db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/account").text
    assert "Nothing has been called yet." in page and "How to pay" not in page
