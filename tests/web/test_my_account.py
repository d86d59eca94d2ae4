"""My account: what was called, paid and is still due, with how to pay — every amount from the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.batches import surcharges
from caisse.ledger import DebtLine, charge, charge_posting, post, receive_payment
from caisse.ledger.models import LedgerTransaction
from caisse.store.db import session_scope
from support.english import english, readable_text
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
    assert "Cotisation du 2026Q1" in page  # the line in the page's language (its stored calculation: English pages)
    assert "+++" in page and "<svg" in page  # the structured communication and the QR code
    assert "BE71 0961 2345 6769" in page


def test_nothing_due_means_no_payment_block(app_for, db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
    login, _ = make_account(db_url, "affiliate", party_id=pid, language="en")
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/account").text
    assert "Nothing has been called yet." in page and "How to pay" not in page


@pytest.mark.parametrize("language, words", [
    ("fr", ("Cotisation provisoire du 2026Q1 (appel trimestriel)", "Frais de gestion de la caisse du 2026Q1",
            "Majoration de 3 % sur la cotisation du 2026Q1 (371.71 EUR) impayée à la fin du trimestre (2026-03-31)",
            "Paiement reçu, communication +++")),
    ("nl", ("Voorlopige bijdrage voor 2026Q1 (kwartaalafrekening)", "Beheerskosten van het fonds voor 2026Q1",
            "Verhoging van 3 % op de bijdrage voor 2026Q1 (371.71 EUR), onbetaald op het einde van het kwartaal "
            "(2026-03-31)", "Betaling ontvangen, mededeling +++")),
    ("de", ("Vorläufiger Beitrag für 2026Q1 (vierteljährliche Beitragsanforderung)",
            "Verwaltungskosten der Kasse für 2026Q1",
            "Beitragszuschlag von 3 % auf den Beitrag für 2026Q1 (371.71 EUR), am Ende des Quartals unbezahlt "
            "(2026-03-31)", "Zahlung erhalten, Mitteilung +++")),
])
def test_the_lines_of_the_account_read_in_the_affiliates_language(app_for, db_url, language, words):
    """The quarterly call, the surcharge and the payment are stored in English by the batches and the bank import;
    the affiliate reads why they pay in their own language, their file's (history as stored: nothing rewritten)."""
    with session_scope(db_url) as s:
        pid = register_someone(s, language=language).id
        called = [DebtLine("contribution", 87_171, "RD38 art.12", "main_minimum_income@2025",
                           {"text": "minimum contribution"}),
                  DebtLine("management_fee", 3_530, "fund fee", "fee_rate", {"text": "4.05 %"})]
        post(s, charge_posting(f"quarterly-call/2026Q1/{pid}", pid, "2026Q1", dt.date(2026, 3, 31),
                               dt.date(2026, 1, 1), called, description="Quarterly call 2026Q1"))
        receive_payment(s, f"coda/test/{pid}", dt.date(2026, 2, 20), 50_000, pid, reference="+++090/9337/55493+++")
    surcharges.run(db_url, dt.date(2026, 4, 1))
    with session_scope(db_url) as s:  # what the batches and the bank import stored: English, left as it is
        stored = set(s.scalars(select(LedgerTransaction.description)))
    assert {"Quarterly call 2026Q1", "Late-payment surcharge 3 % (2026Q1)"} <= stored
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": language}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/account").text
    text = " ".join(readable_text(page))
    for sentence in words:
        assert sentence in text, [t for t in readable_text(page) if "2026Q1" in t]
    assert "Quarterly call" not in text and "Late-payment surcharge" not in text and "Payment received" not in text
    assert "minimum contribution" not in text  # the stored calculation is English: on an English page only
    assert not english(page), english(page)


@pytest.mark.parametrize("language, revalued", [
    ("nl", "Voorlopige bijdrage op het inkomen 2023 (€ 30.000,00) geherwaardeerd"),
    ("de", "Vorläufiger Beitrag auf das Einkommen 2023 (30.000,00 €), aufgewertet"),
    ("fr", "Cotisation provisoire sur le revenu 2023"),
])
def test_why_do_i_pay_this_is_the_rules_engines_derivation_in_my_language(app_for, db_url, language, revalued):
    """The quarterly call stores the inputs of the rule (income N-3, category) with an English sentence; My account
    shows the rules engine's derivation of the amount in the person's language, the English one on English pages."""
    import sys
    from pathlib import Path

    from caisse.batches import quarterly_call

    sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
    from fund import Fund

    pid = Fund(db_url).person(category="main", start=dt.date(2020, 1, 1), language=language,
                              incomes={2023: "30000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": "fr"}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/account").text
        text = " ".join(readable_text(page))
        assert revalued in text, [t for t in readable_text(page) if "2026Q1" in t]
        assert "× (1 + 4,05 %)" in text  # the management fee's derivation too
        assert "revalued" not in text and not english(page), english(page)
        english_page = " ".join(readable_text(c.get(f"/my/files/{pid}/account", params={"lang": "en"}).text))
    assert "on the 2023 income 30000.00 revalued" in english_page  # as the batch stored it


@pytest.mark.parametrize("language, words", [
    ("fr", ("Primo-starter : réduction de la cotisation du premier trimestre d'activité 2024Q1",
            "la cotisation est réduite de 115,03 € : 446,25 € − 115,03 € = 331,22 €",
            "Frais de gestion du trimestre réduit 2024Q1 : 331,22 € × (1 + 4,10 %) = 344,80 €")),
    ("nl", ("Primostarter: vermindering van de bijdrage van het eerste kwartaal van activiteit 2024Q1",
            "de bijdrage wordt verminderd met € 115,03: € 446,25 − € 115,03 = € 331,22",
            "Beheerskosten van het verminderde kwartaal 2024Q1: € 331,22 × (1 + 4,10 %) = € 344,80")),
    ("de", ("Primostarter: Ermäßigung des Beitrags des ersten Tätigkeitsquartals 2024Q1",
            "der Beitrag wird um 115,03 € ermäßigt: 446,25 € − 115,03 € = 331,22 €",
            "Verwaltungskosten des ermäßigten Quartals 2024Q1: 331,22 € × (1 + 4,10 %) = 344,80 €")),
])
def test_a_primostarters_first_quarter_reads_as_the_call_the_reduction_and_the_fee_on_it(app_for, db_url, language,
                                                                                         words):
    """The first quarter of a primostarter's activity: the regular contribution, the art. 12 §1bis reduction on a
    line of its own and the fee on what is left, each with the rules engine's derivation in the person's language."""
    import sys
    from pathlib import Path

    from caisse.batches import quarterly_call

    sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
    from fund import Fund

    pid = Fund(db_url).person(category="main", start=dt.date(2024, 1, 15), language=language, primostarter=True)
    quarterly_call.run(db_url, "2024Q1", fee_rate="0.041")
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": language}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/account").text
    text = " ".join(readable_text(page)).replace("\u202f", " ").replace("\xa0", " ")
    for sentence in words:
        assert sentence in text, [t for t in readable_text(page) if "2024Q1" in t]
    assert "344,80" in text and not english(page), english(page)
