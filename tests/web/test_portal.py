"""The person's portal, as the person sees it: what I owe and by when, my documents as PDF, my direct-debit
mandate signed then revoked, the life-event pages computed from my file — and never another person's file."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
from fund import Fund  # noqa: E402

from caisse.batches import quarterly_call  # noqa: E402
from caisse.batches.models import Notice  # noqa: E402
from caisse.collection.models import SepaMandate  # noqa: E402
from caisse.ledger import receive_payment  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from caisse.store.models import AuditLog  # noqa: E402
from support.web import form_login, make_account  # noqa: E402

TODAY = dt.date.today()


@pytest.fixture
def called(db_url):
    """Two people called for 2026Q1 (due 31 March 2026, unpaid: in arrears); the first paid 100 EUR."""
    fund = Fund(db_url)
    me = fund.person(category="main", incomes={2023: "23000.00"})
    other = fund.person(category="complementary", incomes={2023: "9000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    with session_scope(db_url) as s:
        receive_payment(s, f"test/pay/{me}", dt.date(2026, 2, 20), 10_000, me, designation="2026Q1")
        notices = {n.party_id: n for n in s.scalars(select(Notice))}
        mine, theirs = notices[me], notices[other]
        due = mine.amount_cents - 10_000
    return {"me": me, "other": other, "my_notice": mine.id, "their_notice": theirs.id, "due": due}


def _person(app, db_url, party_id, lang="fr", role="affiliate", **kw):
    # the language the person chose for their pages (else an affiliate reads their file's language)
    login, _ = make_account(db_url, role, party_id=party_id if role == "affiliate" else None, language=lang, **kw)
    c = TestClient(app, headers={"accept-language": lang})
    form_login(c, login, None)
    return c


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _eur(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", "\u202f") + f",{rest:02d}\xa0€"


def test_an_affiliate_in_arrears_sees_the_amount_the_due_date_and_how_to_pay(app_for, db_url, called):
    with _person(app_for, db_url, called["me"]) as c:
        page = c.get("/").text
    assert "Bienvenue" in page
    assert _eur(called["due"]) in page, page  # what I owe now
    assert "31 mars 2026" in page and "En retard depuis" in page  # by when: overdue since the due date
    assert "100,00\xa0€" in page  # what I paid
    assert "+++" in page and "BE71 0961 2345 6769" in page  # pay: the structured communication, the account
    assert "à titre principal" in page and "depuis le 1 janv. 2015" in page  # my status
    assert "+32 2 000 00 00" in page  # who to contact (no team contact configured: the fund's)
    assert "Je démarre" in page  # the life events


def test_the_home_page_shows_my_open_requests_with_their_deadline(app_for, db_url, called):
    with _person(app_for, db_url, called["me"], lang="nl") as c:
        c.post("/my/requests", data={"csrf_token": _csrf(c.get("/my/requests").text), "file": called["me"],
                                     "kind": "payment_plan", "subject": "Afbetaling Q1", "body": "Graag in 3 keer"})
        page = c.get("/").text
    assert "Afbetaling Q1" in page and "Afbetalingsplan" in page
    deadline = TODAY + dt.timedelta(days=30)
    assert str(deadline.year) in page and ">30<" in page  # 30 days left (payment plan: charter deadline)


def test_every_home_page_read_is_audited(app_for, db_url, called):
    with _person(app_for, db_url, called["me"]) as c:
        c.get("/")
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.entity == "portal_home",
                                                  AuditLog.party_id == called["me"])) is not None


def test_my_documents_are_real_pdfs_and_the_download_is_audited(app_for, db_url, called):
    with _person(app_for, db_url, called["me"]) as c:
        page = c.get("/my/documents").text
        assert f'/my/notices/{called["my_notice"]}/pdf' in page and f'/my/notices/{called["their_notice"]}' not in page
        assert "/certificate.pdf" in page and f'/my/files/{called["me"]}/statement/pdf' in page
        notice = c.get(f'/my/notices/{called["my_notice"]}/pdf')
        statement = c.get(f'/my/files/{called["me"]}/statement/pdf')
        cert = c.get(re.search(r'href="(/api/affiliations/\d+/certificate.pdf)"', page).group(1))
    for r, words in ((notice, "Avis d'échéance"), (statement, "Relevé de compte"), (cert, "Attestation d'affiliation")):
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert words in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    with session_scope(db_url) as s:
        audited = set(s.scalars(select(AuditLog.entity).where(AuditLog.action == "document",
                                                               AuditLog.party_id == called["me"])))
    assert {"notice", "account_statement", "affiliation_certificate"} <= audited


def test_another_persons_notice_is_refused_like_a_missing_one_and_nothing_leaks(app_for, db_url, called):
    with _person(app_for, db_url, called["me"]) as c:
        theirs = c.get(f'/my/notices/{called["their_notice"]}/pdf')
        missing = c.get("/my/notices/987654/pdf")
        statement = c.get(f'/my/files/{called["other"]}/statement/pdf')
    assert theirs.status_code == missing.status_code == 403 and theirs.text == missing.text
    assert statement.status_code == 403 and "%PDF" not in statement.text
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "document",
                                                  AuditLog.party_id == called["other"])) is None


def test_an_accountant_sees_only_the_mandated_files(app_for, db_url, called):
    with _person(app_for, db_url, None, role="accountant", grants=[called["other"]]) as c:
        home = c.get("/").text
        docs = c.get("/my/documents").text
        mine = c.get(f'/my/notices/{called["my_notice"]}/pdf')
        theirs = c.get(f'/my/notices/{called["their_notice"]}/pdf')
    assert f'file-{called["other"]}' in home and f'file-{called["me"]}' not in home
    assert "avec votre mandat" in home
    assert f'/my/notices/{called["their_notice"]}/pdf' in docs and f'/my/notices/{called["my_notice"]}/' not in docs
    assert mine.status_code == 403 and theirs.status_code == 200


def test_a_mandate_signed_then_revoked_each_dated_and_audited(app_for, db_url, called):
    me = called["me"]
    with _person(app_for, db_url, me) as c:
        page = c.get(f"/my/files/{me}/mandate").text
        assert "Vous n'avez pas de mandat de domiciliation" in page
        r = c.post(f"/my/files/{me}/mandate", data={"csrf_token": _csrf(page), "account": "other",
                                                     "iban": "BE71 0961 2345 6769"}, follow_redirects=True)
        assert r.status_code == 200 and "mandat de domiciliation est signé" in r.text
        assert "BE71 0961 2345 6769" in r.text and f"CAISSE-{me:07d}-001" in r.text
        home = c.get("/").text
        assert "Prélevé par domiciliation." in home
        r = c.post(f"/my/files/{me}/mandate/revoke", data={"csrf_token": _csrf(r.text)}, follow_redirects=True)
        assert r.status_code == 200 and "est révoqué" in r.text
    with session_scope(db_url) as s:
        m = s.scalar(select(SepaMandate).where(SepaMandate.party_id == me))
        assert (m.status, m.signed_on, m.revoked_on) == ("revoked", TODAY, TODAY)
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "sepa_mandate",
                                                               AuditLog.party_id == me)))
    assert "create" in actions and "revoke" in actions


def test_the_account_of_a_mandate_is_changed_and_the_mandate_stays(app_for, db_url, called):
    """SDD Core rulebook, amendment of the mandate: another account, the same mandate (reference, signature)."""
    from caisse.collection.models import SepaMandateAmendment

    me = called["me"]
    with _person(app_for, db_url, me) as c:
        page = c.get(f"/my/files/{me}/mandate").text
        page = c.post(f"/my/files/{me}/mandate", data={"csrf_token": _csrf(page), "account": "other",
                                                        "iban": "BE71 0961 2345 6769"}, follow_redirects=True).text
        assert "Changer le compte débité" in page
        same = c.post(f"/my/files/{me}/mandate/account", data={"csrf_token": _csrf(page), "account": "other",
                                                                "iban": "BE71096123456769"})
        bad = c.post(f"/my/files/{me}/mandate/account", data={"csrf_token": _csrf(page), "account": "other",
                                                               "iban": "BE62 5100 0754 7062"})
        r = c.post(f"/my/files/{me}/mandate/account", data={"csrf_token": _csrf(page), "account": "other",
                                                             "iban": "BE62 5100 0754 7061"}, follow_redirects=True)
    assert same.status_code == 409 and "Ce compte est déjà celui qui est débité." in same.text
    assert 'role="alert"' in same.text and 'aria-invalid="true"' in same.text
    assert bad.status_code == 422 and "IBAN : ce numéro de compte n'est pas valable" in bad.text
    assert 'value="BE62 5100 0754 7062"' in bad.text  # what was typed is kept
    assert r.status_code == 200 and "Le compte débité est changé : le mandat reste le même" in r.text
    assert "BE62 5100 0754 7061" in r.text and f"CAISSE-{me:07d}-001" in r.text
    assert "Compte changé le" in r.text and "auparavant BE71 0961 2345 6769" in r.text
    with session_scope(db_url) as s:
        [m] = s.scalars(select(SepaMandate).where(SepaMandate.party_id == me))
        assert (m.status, m.iban, m.reference, m.signed_on) == ("active", "BE62510007547061", f"CAISSE-{me:07d}-001",
                                                                 TODAY)
        [a] = s.scalars(select(SepaMandateAmendment))
        assert (a.old_iban, a.new_iban, a.amended_on) == ("BE71096123456769", "BE62510007547061", TODAY)
        assert s.scalar(select(AuditLog.id).where(AuditLog.entity == "sepa_mandate", AuditLog.action == "amend",
                                                  AuditLog.party_id == me)) is not None


def test_a_mandate_collected_monthly_chosen_then_changed_by_the_debtor(app_for, db_url, called):
    """The debtor chooses monthly debits when signing (a third of the quarter each month), then quarterly again;
    each change is audited and applies from the next collection."""
    me = called["me"]
    with _person(app_for, db_url, me) as c:
        page = c.get(f"/my/files/{me}/mandate").text
        assert "environ un tiers de la cotisation provisoire du trimestre est prélevé chaque mois" in page
        assert "la moitié du solde le deuxième, le reste le troisième" in page
        assert "Les arriérés et les autres montants échus (une régularisation, des majorations)" in page
        r = c.post(f"/my/files/{me}/mandate", data={"csrf_token": _csrf(page), "account": "other",
                                                     "iban": "BE71 0961 2345 6769", "rhythm": "monthly"},
                   follow_redirects=True)
        assert r.status_code == 200 and "<dd>chaque mois</dd>" in r.text
        assert 'value="monthly" checked' in r.text
        with session_scope(db_url) as s:
            assert s.scalar(select(SepaMandate.rhythm).where(SepaMandate.party_id == me)) == "monthly"
        bad = c.post(f"/my/files/{me}/mandate/rhythm", data={"csrf_token": _csrf(r.text), "rhythm": "weekly"})
        r = c.post(f"/my/files/{me}/mandate/rhythm", data={"csrf_token": _csrf(r.text), "rhythm": "quarterly"},
                   follow_redirects=True)
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    assert "Rythme des prélèvements: 'weekly' n'est pas un rythme de prélèvement" in html.unescape(bad.text)
    assert r.status_code == 200 and "Votre choix est enregistré : il s'applique dès le prochain prélèvement." in r.text
    assert "<dd>chaque trimestre</dd>" in r.text
    with session_scope(db_url) as s:
        assert s.scalar(select(SepaMandate.rhythm).where(SepaMandate.party_id == me)) == "quarterly"
        changes = list(s.scalars(select(AuditLog.detail).where(AuditLog.entity == "sepa_mandate",
                                                               AuditLog.action == "update", AuditLog.party_id == me)))
    assert [d["rhythm"] for d in changes] == ["quarterly"]


@pytest.mark.parametrize(("lang", "words"), [
    ("nl", ["Hoe vaak wordt er gedebiteerd?", "ongeveer een derde van de voorlopige bijdrage van het kwartaal"]),
    ("de", ["Wie oft wird eingezogen?", "Etwa ein Drittel des vorläufigen Beitrags des Quartals"]),
    ("en", ["How often is it debited?", "about a third of the quarter's provisional contribution"])])
def test_the_monthly_choice_is_explained_in_each_language(app_for, db_url, called, lang, words):
    me = called["me"]
    with _person(app_for, db_url, me, lang=lang) as c:
        page = html.unescape(c.get(f"/my/files/{me}/mandate").text)
    assert all(w in page for w in words), words


def test_an_accountant_cannot_choose_the_rhythm_of_a_clients_mandate(app_for, db_url, called):
    from caisse.collection.direct_debit import add_mandate

    other = called["other"]
    with session_scope(db_url) as s:
        add_mandate(s, other, "BE71096123456769", TODAY, "test")
    with _person(app_for, db_url, None, role="accountant", grants=[other]) as c:
        page = c.get(f"/my/files/{other}/mandate")
        r = c.post(f"/my/files/{other}/mandate/rhythm", data={"csrf_token": _csrf(page.text), "rhythm": "monthly"})
    assert page.status_code == 200 and "<dd>chaque trimestre</dd>" in page.text
    assert r.status_code == 403
    with session_scope(db_url) as s:
        assert s.scalar(select(SepaMandate.rhythm)) == "quarterly"


def test_an_accountant_cannot_change_the_account_of_a_clients_mandate(app_for, db_url, called):
    from caisse.collection.direct_debit import add_mandate

    other = called["other"]
    with session_scope(db_url) as s:
        add_mandate(s, other, "BE71096123456769", TODAY, "test")
    with _person(app_for, db_url, None, role="accountant", grants=[other]) as c:
        page = c.get(f"/my/files/{other}/mandate")
        r = c.post(f"/my/files/{other}/mandate/account", data={"csrf_token": _csrf(page.text), "account": "other",
                                                                "iban": "BE62510007547061"})
    assert page.status_code == 200 and "Changer le compte débité" not in page.text
    assert r.status_code == 403
    with session_scope(db_url) as s:
        assert s.scalar(select(SepaMandate.iban)) == "BE71096123456769"


def test_a_mandate_on_the_account_of_the_file(app_for, db_url):
    from support.people import register_someone

    with session_scope(db_url) as s:
        pid = register_someone(s).id
    with _person(app_for, db_url, pid, lang="de") as c:
        page = c.get(f"/my/files/{pid}/mandate").text
        assert "Das Konto meiner Akte" in page
        r = c.post(f"/my/files/{pid}/mandate", data={"csrf_token": _csrf(page), "account": "file"},
                   follow_redirects=False)
        assert r.status_code == 303
    with session_scope(db_url) as s:
        assert s.scalar(select(SepaMandate.status).where(SepaMandate.party_id == pid)) == "active"


def test_an_invalid_iban_names_the_field_and_nothing_is_written(app_for, db_url, called):
    me = called["me"]
    with _person(app_for, db_url, me) as c:
        page = c.get(f"/my/files/{me}/mandate").text
        r = c.post(f"/my/files/{me}/mandate", data={"csrf_token": _csrf(page), "account": "other",
                                                     "iban": "BE71 0961 2345 6768"})
        no_token = c.post(f"/my/files/{me}/mandate", data={"account": "other", "iban": "BE71096123456769"})
    assert r.status_code == 422
    assert "IBAN : ce numéro de compte n'est pas valable" in r.text and 'aria-invalid="true"' in r.text
    assert 'value="BE71 0961 2345 6768"' in r.text  # what was typed is kept
    assert no_token.status_code == 403
    with session_scope(db_url) as s:
        assert s.scalar(select(SepaMandate.id)) is None


def test_an_accountant_sees_the_mandate_but_cannot_sign_on_the_clients_bank_account(app_for, db_url, called):
    other = called["other"]
    with _person(app_for, db_url, None, role="accountant", grants=[other]) as c:
        page = c.get(f"/my/files/{other}/mandate")
        r = c.post(f"/my/files/{other}/mandate", data={"csrf_token": _csrf(page.text), "account": "other",
                                                        "iban": "BE71096123456769"})
    assert page.status_code == 200 and "Seule la personne" in page.text
    assert r.status_code == 403


@pytest.mark.parametrize(("event", "words"), [
    ("cannot_pay", ["Plan d'apurement", "Dispense de cotisations", "Cotisations encore impayées"]),
    ("starting", ["Réduction ou augmentation des cotisations provisoires", "Un trimestre de débutant",
                  "plus débutant"]),
    ("family", ["Repos de maternité", "titres-services"]),
    ("ill", ["mutualité", "assimilés"]),
    ("stopping", ["Cessation d'activité", "droit passerelle"]),
    ("retiring", ["âge légal de la pension est de 67", "1 févr. 2047"]),
])
def test_life_event_pages_say_what_applies_now(app_for, db_url, called, event, words):
    with _person(app_for, db_url, called["me"]) as c:
        r = c.get(f'/my/files/{called["me"]}/life/{event}')
        other = c.get(f'/my/files/{called["other"]}/life/{event}')
    assert r.status_code == 200
    for word in words:
        assert word in html.unescape(r.text), word
    assert other.status_code == 403


def test_the_contact_is_the_files_team_when_configured_else_the_funds():
    from caisse.config import Settings
    from caisse.services.portal import contact_for
    from caisse.store.models import Party

    settings = Settings(team_contacts={"t1": {"name": "Équipe Bruxelles", "phone": "02 111 11 11",
                                              "email": "bxl@caisse.example"}})
    team = contact_for(Party(id=1, kind="person", language="fr", team="t1"), settings)
    assert (team.name, team.phone, team.email, team.from_team) == ("Équipe Bruxelles", "02 111 11 11",
                                                                    "bxl@caisse.example", True)
    other = contact_for(Party(id=2, kind="person", language="fr", team="t9"), settings)
    assert (other.phone, other.from_team) == (settings.fund_phone, False)


@pytest.mark.parametrize(("lang", "sentence"), [
    ("fr", "Votre premier trimestre d'activité ({quarter}) est réduit de {reduction} : pour celui-ci, vous payez "
           "{amount}, frais de gestion compris."),
    ("nl", "Uw eerste kwartaal van activiteit ({quarter}) wordt verminderd met {reduction}: daarvoor betaalt u "
           "{amount}, beheerskosten inbegrepen."),
    ("de", "Ihr erstes Tätigkeitsquartal ({quarter}) wird um {reduction} ermäßigt: dafür zahlen Sie {amount}, "
           "Verwaltungskosten inbegriffen."),
])
def test_a_primostarter_starting_this_year_reads_what_the_reduced_first_quarter_costs(app_for, db_url, lang,
                                                                                       sentence):
    from caisse.errors import UnknownParameter
    from caisse.rules import contributions as rc
    from caisse.rules.explain import fmt_money

    year = dt.date.today().year
    try:
        first = rc.provisional(year, "main", starter=True, primostarter=True, start_quarter=1,
                               fee_rate="0.0405").quarters[0]
    except UnknownParameter:
        pytest.skip(f"the contribution figures of {year} are not published: the page leaves the amount out")
    pid = Fund(db_url).person(category="main", start=dt.date(year, 1, 2), primostarter=True, language=lang)
    with _person(app_for, db_url, pid, lang=lang) as c:
        page = html.unescape(c.get(f"/my/files/{pid}/life/starting").text)
    want = sentence.format(quarter=f"{year}Q1", reduction=fmt_money(first.reduction, lang),
                           amount=fmt_money(first.total, lang))
    assert " ".join(want.replace("\u202f", " ").split()) in " ".join(page.replace("\u202f", " ").replace(
        "\xa0", " ").split())


def test_my_documents_link_each_tax_certificate_the_fund_recorded(app_for, db_url):
    from caisse.ledger import DebtLine, charge, receive_payment
    from caisse.reporting import tax_certificates
    from support.people import register_someone

    year = TODAY.year - 1
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        charge(s, f"test/call/{year}Q4/{pid}", pid, f"{year}Q4", dt.date(year, 12, 31), dt.date(year, 10, 1),
               [DebtLine("contribution", 87_171, "RD38 art.12")])
        receive_payment(s, f"test/pay/{pid}", dt.date(year, 12, 20), 87_171, pid)
    tax_certificates.run(db_url, year, today=TODAY)  # the yearly batch records it
    with _person(app_for, db_url, pid) as c:
        page = c.get("/my/documents").text
        link = f"/api/persons/{pid}/tax-certificate.pdf?year={year}"
        assert link in page and f"Attestation fiscale {year}" in page and f"year={year - 1}" not in page
        r = c.get(link)
        assert r.status_code == 200 and "871,71" in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        c.get("/my/documents", params={"lang": "nl"})
        assert f"Fiscaal attest {year}" in c.get("/my/documents").text
